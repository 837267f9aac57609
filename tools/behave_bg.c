/*
 * behave_bg — the benign background of the behaviour captures: what a 50-host office, its
 * servers, its OT cell and its public web server send in two hours when nothing is wrong.
 * Nothing here may trip an analytic: no darknet address, no host above 20 MB in any
 * 10 minutes, no DNS name over 40 characters, nothing from the `ot` zone leaving `ot` /
 * `ot-dmz`, no regular external beacon.
 */
#include "behave.h"

#include <string.h>

/* Ordinary names; name i resolves to 203.0.113.(100 + i). */
static const char *const names[] = {
    "www.example.com",	  "mail.example.co.jp",	    "news.example.jp",
    "www.example.org",	  "cdn.example.net",	    "static.example.net",
    "img.example.net",	  "api.example.com",	    "login.example.com",
    "docs.example.com",	  "calendar.example.co.jp", "drive.example.co.jp",
    "www.example.ne.jp",  "portal.example.co.jp",   "weather.example.jp",
    "sports.example.jp",  "shop.example.com",	    "video.example.net",
    "music.example.net",  "maps.example.com",	    "translate.example.com",
    "search.example.com", "www.example.edu",	    "lib.example.ac.jp",
    "www.example.go.jp",  "travel.example.jp",	    "bank.example.co.jp",
    "pay.example.com",	  "chat.example.com",	    "meet.example.com",
    "status.example.net", "update.example.org",	    "dl.example.org",
    "fonts.example.net",  "ads.example.net",	    "blog.example.com",
    "forum.example.org",  "wiki.example.org",	    "git.example.com",
    "ci.example.com",	  "cloud.example.com",	    "storage.example.com",
    "backup.example.net", "office.example.com",	    "outlook.example.com",
    "teams.example.com",  "support.example.co.jp",  "help.example.com",
    "jobs.example.jp",	  "photos.example.com",	    "games.example.jp",
    "anime.example.jp",	  "recipes.example.jp",	    "health.example.go.jp",
    "tax.example.go.jp",  "post.example.jp",	    "rail.example.jp",
    "air.example.jp",	  "www.example.co.jp",	    "news.example.com",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

/* Web browsing of one office host: a lookup, then TLS (4 in 5) or plain HTTP to the answer,
 * every 20 s to 6 min (mean of two uniform draws: irregular, 190 s on average). */
static void browse(struct behave *b, struct scen_rng *r, uint32_t ip, uint64_t *sessions)
{
	struct pcapw_host cli = beh_host(ip, 0), dns = beh_host(BEH_RESOLVER, 53);
	uint64_t t = SCEN_T0 + beh_range(r, 0, 60000) * SCEN_MS;

	while (t < BEH_T_END - 60 * SCEN_S) {
		size_t k = (size_t)(scen_rand(r) % NNAMES);
		uint32_t addr = BEH_IP(203, 0, 113, 100 + k);
		uint8_t a[4] = {203, 0, 113, (uint8_t)(100 + k)};
		struct pcapw_host srv = beh_host(addr, 443);
		bool tls = scen_rand(r) % 5 != 0;
		uint64_t up = beh_range(r, 300, 3000);
		uint64_t down = beh_logsize(r, 2048, 1700); /* 2 KB .. 200 KB */
		uint64_t g1 = beh_range(r, 0, 340000);
		uint64_t g2 = beh_range(r, 0, 340000);

		t = beh_dns(b, r, t, &cli, &dns, names[k], 1, a, 4) + 2 * SCEN_MS;
		if (tls)
			beh_tls(b, r, t, &cli, &srv, names[k], BEH_WAN_STEP, up, down);
		else
			beh_http(b, r, t, &cli, &srv, names[k], "GET", "/", NULL, NULL, 0,
				 (size_t)(down < 60000 ? down : 60000));
		*sessions += 2;
		t += (20000 + (g1 + g2) / 2) * SCEN_MS;
	}
}

/* One SMB 3 encrypted message of n bytes (n >= 57): NetBIOS session header, a transform
 * header (MS-SMB2 2.2.41: 0xFD 'S' 'M' 'B', signature, nonce, original size, flags 1,
 * session id), then n - 56 bytes of ciphertext. */
static void smb_msg(struct behave *b, struct scen_rng *r, struct pcapw_tcp_conn *c,
		    enum pcapw_dir dir, size_t n)
{
	uint8_t size_le[4] = {(uint8_t)(n - 56), (uint8_t)((n - 56) >> 8),
			      (uint8_t)((n - 56) >> 16), 0};
	struct bb x;

	bb_init(&x, b->buf, sizeof(b->buf));
	bb_u8(&x, 0);
	bb_u8(&x, (uint8_t)((n - 4) >> 16));
	bb_u16(&x, (uint16_t)(n - 4));
	bb_str(&x, "\xfdSMB");
	bb_rand(&x, r, 32); /* signature, nonce */
	bb_put(&x, size_le, 4);
	bb_u16(&x, 0);
	bb_u16(&x, 0x0100);				   /* flags 0x0001, little-endian */
	bb_put(&x, "\x11\x00\x00\x28\x00\x00\x04\x00", 8); /* session id */
	bb_rand(&x, r, n - 56);
	beh_fail(b, x.err);
	pcapw_tcp_send(c, dir, x.p, x.len);
}

uint64_t beh_smb_session(struct behave *b, struct scen_rng *r, uint64_t t, struct pcapw_host *cli,
			 struct pcapw_host *srv)
{
	struct pcapw_tcp_cfg cfg = beh_tcp_cfg(r, t, BEH_LAN_STEP);
	unsigned n = (unsigned)beh_range(r, 2, 6);
	struct pcapw_tcp_conn c;

	cli->port = beh_port_next(r, cli->port);
	srv->port = 445;
	pcapw_tcp_open(&c, &b->w, &b->lk, cli, srv, &cfg);
	pcapw_tcp_handshake(&c);
	for (unsigned i = 0; i < n; i++) {
		size_t up = (size_t)beh_logsize(r, 120, 1890);
		size_t down = (size_t)beh_logsize(r, 200, 1390);

		smb_msg(b, r, &c, PCAPW_C2S, up);
		pcapw_tcp_wait(&c, 2 * SCEN_MS);
		smb_msg(b, r, &c, PCAPW_S2C, down);
		pcapw_tcp_wait(&c, beh_range(r, 50, 3000) * SCEN_MS);
	}
	pcapw_tcp_close(&c, PCAPW_C2S);
	beh_tcp_done(b, &c);
	return c.now;
}

/* File-server sessions (beh_smb_session) of one office host to 10.10.0.20:445 every 8 to
 * 40 minutes. */
static void smb(struct behave *b, struct scen_rng *r, uint32_t ip, uint64_t *sessions)
{
	struct pcapw_host cli = beh_host(ip, 0), srv = beh_host(BEH_FILESRV, 445);
	uint64_t t = SCEN_T0 + beh_range(r, 0, 1800) * SCEN_S;

	while (t < BEH_T_END - 60 * SCEN_S) {
		beh_smb_session(b, r, t, &cli, &srv);
		(*sessions)++;
		t += beh_range(r, 480, 2400) * SCEN_S;
	}
}

/* The OT cell: the HMI keeps one Modbus/TCP session open to each PLC and polls it every
 * 10 s; the historian pulls from the HMI every 60 s in a session of its own. */
static void ot(struct behave *b, struct scen_rng *r, uint64_t *sessions)
{
	static const uint8_t plcs[] = {5, 6, 8, 9};
	struct pcapw_host hmi = beh_host(BEH_HMI, 0), hist = beh_host(BEH_HISTORIAN, 0);

	for (size_t i = 0; i < sizeof(plcs); i++) {
		struct pcapw_host plc = beh_host(BEH_IP(10, 50, 0, plcs[i]), 502);
		uint64_t t0 = SCEN_T0 + (1 + i) * 700 * SCEN_MS;
		struct pcapw_tcp_cfg cfg = beh_tcp_cfg(r, t0, BEH_LAN_STEP);
		struct pcapw_tcp_conn c;
		unsigned k = 0;

		cfg.auto_ack = false;
		hmi.port = beh_eph(r);
		pcapw_tcp_open(&c, &b->w, &b->lk, &hmi, &plc, &cfg);
		pcapw_tcp_handshake(&c);
		for (uint64_t t = t0 + 10 * SCEN_S; t < BEH_T_END - 5 * SCEN_S; t += 10 * SCEN_S) {
			c.now = t + beh_range(r, 0, 40) * SCEN_MS;
			beh_modbus_poll(&c, r, (uint16_t)++k, 8);
		}
		pcapw_tcp_close(&c, PCAPW_C2S);
		beh_tcp_done(b, &c);
		(*sessions)++;
	}
	for (uint64_t t = SCEN_T0 + 30 * SCEN_S; t < BEH_T_END - 10 * SCEN_S; t += 60 * SCEN_S) {
		beh_modbus_session(b, r, t + beh_range(r, 0, 500) * SCEN_MS, &hist, &hmi, 3);
		(*sessions)++;
	}
}

/* Internet clients of the public web server 10.10.0.80:443, one every 10 to 90 s. */
static void inbound(struct behave *b, struct scen_rng *r, uint64_t *sessions)
{
	struct pcapw_host srv = beh_host(BEH_WEBSRV, 443);
	uint64_t t = SCEN_T0 + 7 * SCEN_S;

	while (t < BEH_T_END - 60 * SCEN_S) {
		uint64_t k = beh_range(r, 0, 99);
		uint32_t ip = k < 50 ? BEH_IP(192, 0, 2, 10 + k) : BEH_IP(198, 51, 100, 100 + k);
		struct pcapw_host cli = beh_host(ip, 0);
		uint64_t up = beh_range(r, 300, 2000);
		uint64_t down = beh_logsize(r, 1024, 1536);

		beh_tls(b, r, t, &cli, &srv, "www.example.co.jp", BEH_WAN_STEP, up, down);
		(*sessions)++;
		t += beh_range(r, 10, 90) * SCEN_S;
	}
}

/* The resolver keeps its clock: NTP with 198.51.100.123 every 1024 s. */
static void ntp(struct behave *b, uint64_t *sessions)
{
	struct pcapw_host cli = beh_host(BEH_RESOLVER, 123), srv = beh_host(BEH_NTP_UP, 123);
	struct bb x;

	for (uint64_t t = SCEN_T0 + 5 * SCEN_S; t < BEH_T_END; t += 1024 * SCEN_S) {
		uint64_t t2 = t + 15 * SCEN_MS, t3 = t2 + 20 * SCEN_US;

		bb_init(&x, b->buf, sizeof(b->buf));
		bb_ntp_request(&x, t);
		beh_fail(b, pcapw_udp_write(&b->w, t, &b->lk, &cli, &srv, x.p, x.len));
		bb_init(&x, b->buf, sizeof(b->buf));
		bb_ntp_response(&x, t, t2, t3);
		beh_fail(b, x.err);
		beh_fail(b,
			 pcapw_udp_write(&b->w, t3 + 15 * SCEN_MS, &b->lk, &srv, &cli, x.p, x.len));
		(*sessions)++;
	}
}

/*
 * The background (both captures): for each office host 10.10.1.10-59, browsing (a DNS A
 * lookup at 10.10.0.10 for one of 60 ordinary names, answer 203.0.113.100-159, then a TLS
 * 1.3 session with SNI = the name, 300-3000 bytes up and 2-200 KB down, or an HTTP GET /
 * on port 80; every 20 s - 6 min) and SMB-like sessions to 10.10.0.20:445; the OT cell's
 * Modbus polling (HMI 10.50.0.7 -> PLCs 10.50.0.5/6/8/9 every 10 s on one session each,
 * historian 10.50.1.10 -> HMI every 60 s); internet clients (192.0.2.10-59,
 * 198.51.100.150-199) on 10.10.0.80:443; NTP 10.10.0.10 <-> 198.51.100.123 every 1024 s.
 * "sessions" in the truth counts DNS exchanges, TCP sessions and NTP exchanges.
 */
void beh_background(struct behave *b, uint64_t *sessions)
{
	struct scen_rng r = beh_rng(b, 0x6267);

	for (unsigned h = 0; h < BEH_OFFICE_N; h++) {
		struct scen_rng hr = beh_rng(b, 0x626700 + h);

		browse(b, &hr, BEH_OFFICE_FIRST + h, sessions);
		smb(b, &hr, BEH_OFFICE_FIRST + h, sessions);
	}
	ot(b, &r, sessions);
	inbound(b, &r, sessions);
	ntp(b, sessions);
}
