/*
 * scenarios_office — the demo capture: about five minutes of a small office LAN seen from a
 * mirror port, with real application payloads (RFC 1035 DNS, HTTP/1.1, TLS 1.2 and 1.3
 * handshakes with SNI, RFC 5905 NTP, ICMP echo), some IPv6, and a TCP SYN port scan. Every
 * random-looking byte (ports, ISNs, DNS ids, TLS randoms and ciphertext) comes from a PRNG
 * with a fixed seed, so the file is identical on every run.
 */
#include "scenarios.h"
#include "bb.h"
#include "scenarios_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFFICE_SEED 0x6d616d6f72692121ull /* "mamori!!" */
#define LAN_STEP    (300 * SCEN_US)	  /* per-packet clock step inside the office */
#define WAN_STEP    (11 * SCEN_MS)	  /* ... and to the Internet */
#define BUF_MAX	    65536

struct office {
	struct pcapw w;
	int err; /* first generation error (the writer keeps its own) */
	struct scen_rng rng;
	struct pcapw_link lk;
	struct pcapw_host gw, dns, srv, scanner, cli[5];
	struct pcapw_host dns6, cli6, web6;
	struct pcapw_host web, cdn, api;
	uint8_t buf[BUF_MAX], buf2[BUF_MAX];
};

/* ---- helpers ------------------------------------------------------------------------- */

static uint16_t eph_port(struct office *o)
{
	return (uint16_t)(32768 + scen_rand(&o->rng) % 28232); /* Linux ip_local_port_range */
}

/* A TCP configuration like the client's stack: Linux (timestamps, wscale 7) or Windows. */
static struct pcapw_tcp_cfg tcp_cfg(struct office *o, uint64_t t, bool wan, bool windows)
{
	/* Separate statements: the order of evaluation inside an initializer is unspecified. */
	uint32_t isn_c = (uint32_t)scen_rand(&o->rng);
	uint32_t isn_s = (uint32_t)scen_rand(&o->rng);

	return (struct pcapw_tcp_cfg){
	    .start_ns = t,
	    .step_ns = wan ? WAN_STEP : LAN_STEP,
	    .isn = {isn_c, isn_s},
	    .mss = 1460,
	    .ws = true,
	    .wscale = (uint8_t)(windows ? 8 : 7),
	    .sack_perm = true,
	    .timestamps = !windows,
	    .segment = true,
	    .auto_ack = true,
	};
}

static void office_fail(struct office *o, int err)
{
	if (err < 0 && !o->err)
		o->err = err;
}

/* Copy the IP id counters back from a finished conversation (hosts are copied into it) and
 * keep its error. */
static void tcp_done(struct office *o, struct pcapw_tcp_conn *c, struct pcapw_host *cli,
		     struct pcapw_host *srv)
{
	cli->ip_id = c->host[PCAPW_C2S].ip_id;
	srv->ip_id = c->host[PCAPW_S2C].ip_id;
	office_fail(o, c->err);
}

/* ---- DNS (RFC 1035) ------------------------------------------------------------------ */

/*
 * One lookup from cli to resolver: query at t, answer 700 us later. answer is an address
 * (A or AAAA by qtype) or NULL for NXDOMAIN. Returns the time after the answer.
 */
static uint64_t dns_lookup(struct office *o, uint64_t t, struct pcapw_host *cli,
			   struct pcapw_host *resolver, const char *name, uint16_t qtype,
			   const char *answer)
{
	uint16_t id = (uint16_t)scen_rand(&o->rng);
	struct pcapw_host a;
	struct bb b;

	cli->port = eph_port(o);
	resolver->port = 53;
	bb_init(&b, o->buf, sizeof(o->buf));
	bb_dns_query(&b, id, name, qtype);
	pcapw_udp_write(&o->w, t, &o->lk, cli, resolver, b.p, b.len);

	bb_dns_response(&b, answer ? 0 : 3, answer ? 1 : 0); /* NOERROR or NXDOMAIN */
	if (answer) {
		office_fail(o, pcapw_host_set(&a, answer, NULL, 0));
		bb_dns_rr(&b, qtype, qtype == 28 ? 3600 : 300, a.ip, a.family == 6 ? 16 : 4);
	}
	office_fail(o, b.err);
	pcapw_udp_write(&o->w, t + 700 * SCEN_US, &o->lk, resolver, cli, b.p, b.len);
	return t + 700 * SCEN_US;
}

/* ---- HTTP/1.1 (RFC 9112) ------------------------------------------------------------- */

struct http_ex {
	const char *path;
	const char *extra; /* extra request header lines, CRLF-terminated, or NULL */
	int status;	   /* 200, 304, 404 */
	const char *ctype;
	size_t body_len;
};

static const char ua_linux[] =
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
static const char ua_windows[] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
				 "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

/* A body of exactly n bytes of the given type. */
static void http_body(struct office *o, struct bb *b, const char *ctype, size_t n)
{
	static const char para[] = "<p>Mamori demo page: notices, schedules and shared documents "
				   "for the office network.</p>\n";
	size_t start = b->len, end = start + n;
	char line[64];

	if (strcmp(ctype, "text/csv") == 0) {
		bb_str(b, "date,region,item,amount\n");
		for (unsigned i = 0; b->len < end && !b->err; i++) {
			unsigned item = (unsigned)(scen_rand(&o->rng) % 10000);
			unsigned amount = (unsigned)(scen_rand(&o->rng) % 1000000);
			int k =
			    snprintf(line, sizeof(line), "2023-%02u-%02u,region-%u,item-%04u,%u\n",
				     10 + i / 31 % 3, 1 + i % 28, i % 8, item, amount);

			bb_put(b, line, (size_t)k);
		}
	} else if (strcmp(ctype, "text/css") == 0) {
		for (unsigned i = 0; b->len < end && !b->err; i++) {
			int k =
			    snprintf(line, sizeof(line), ".c%u { margin: %upx; color: #%06x; }\n",
				     i, i % 17, (unsigned)(scen_rand(&o->rng) & 0xffffff));
			bb_put(b, line, (size_t)k);
		}
	} else {
		bb_str(b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Mamori "
			  "demo</title></head><body>\n");
		while (b->len < end && !b->err)
			bb_str(b, para);
	}
	if (b->err || b->len < end)
		return;
	b->len = end; /* cut to the exact size; HTML ends with its closing tags */
	if (strcmp(ctype, "text/html") == 0 && n >= 15)
		memcpy(b->p + end - 15, "</body></html>\n", 15);
}

/*
 * An HTTP/1.1 keep-alive session from cli to srv on port 80: handshake, each exchange
 * (request, response), then the client closes. Returns the clock after the last packet.
 */
static uint64_t http_session(struct office *o, uint64_t t, struct pcapw_host *cli,
			     struct pcapw_host *srv, const char *host, bool wan, bool windows,
			     const struct http_ex *ex, size_t nex)
{
	struct pcapw_tcp_cfg cfg = tcp_cfg(o, t, wan, windows);
	struct pcapw_tcp_conn c;
	char date[40];
	struct bb b;

	cli->port = eph_port(o);
	srv->port = 80;
	pcapw_tcp_open(&c, &o->w, &o->lk, cli, srv, &cfg);
	pcapw_tcp_handshake(&c);
	for (size_t i = 0; i < nex; i++) {
		const struct http_ex *e = &ex[i];
		const char *reason = e->status == 200	? "OK"
				     : e->status == 304 ? "Not Modified"
							: "Not Found";
		char hdr[512];
		int n;

		bb_init(&b, o->buf, sizeof(o->buf));
		bb_http_request(&b, "GET", e->path, host, windows ? ua_windows : ua_linux,
				e->extra);
		pcapw_tcp_send(&c, PCAPW_C2S, b.p, b.len);
		pcapw_tcp_wait(&c, wan ? 25 * SCEN_MS : 2 * SCEN_MS); /* server think time */
		bb_http_date(date, sizeof(date), c.now);
		bb_init(&b, o->buf, sizeof(o->buf));
		n = snprintf(hdr, sizeof(hdr),
			     "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: nginx/1.24.0\r\n", e->status,
			     reason, date);
		bb_put(&b, hdr, (size_t)n);
		if (e->status == 304) {
			bb_str(&b, "ETag: \"65a4f1c2-1a2b\"\r\nConnection: keep-alive\r\n\r\n");
		} else {
			n = snprintf(hdr, sizeof(hdr),
				     "Content-Type: %s\r\nContent-Length: %zu\r\n"
				     "Connection: keep-alive\r\n\r\n",
				     e->ctype, e->body_len);
			bb_put(&b, hdr, (size_t)n);
			http_body(o, &b, e->ctype, e->body_len);
		}
		office_fail(o, b.err);
		pcapw_tcp_send(&c, PCAPW_S2C, b.p, b.len);
		pcapw_tcp_wait(&c, wan ? 400 * SCEN_MS : 150 * SCEN_MS); /* reading the page */
	}
	pcapw_tcp_close(&c, PCAPW_C2S);
	tcp_done(o, &c, cli, srv);
	return c.now;
}

/* ---- TLS (RFC 8446, RFC 5246) -------------------------------------------------------- */

/*
 * A TLS session on port 443. TLS 1.3: ClientHello; ServerHello + CCS + one 2,900-byte
 * application_data record (the encrypted handshake); client CCS + 53-byte Finished record;
 * then req bytes of application data up, resp bytes down; close_notify (24 bytes) each way
 * as application data; FIN. TLS 1.2 (abbreviated, resumed by session id): ClientHello;
 * ServerHello + CCS + 40-byte encrypted Finished (handshake type); client CCS + Finished;
 * application data; encrypted close_notify alert (26 bytes); FIN.
 */
static uint64_t tls_session(struct office *o, uint64_t t, struct pcapw_host *cli,
			    struct pcapw_host *srv, const char *sni, bool tls13, bool wan,
			    size_t req, size_t resp)
{
	struct pcapw_tcp_cfg cfg = tcp_cfg(o, t, wan, false);
	struct pcapw_tcp_conn c;
	uint8_t sid[32];
	struct bb b;

	scen_rand_bytes(&o->rng, sid, sizeof(sid));
	cli->port = eph_port(o);
	srv->port = 443;
	pcapw_tcp_open(&c, &o->w, &o->lk, cli, srv, &cfg);
	pcapw_tcp_handshake(&c);

	bb_init(&b, o->buf, sizeof(o->buf));
	bb_tls_client_hello(&b, &o->rng, sni, tls13, sid);
	pcapw_tcp_send(&c, PCAPW_C2S, b.p, b.len);

	bb_init(&b, o->buf, sizeof(o->buf));
	bb_tls_server_hello(&b, &o->rng, tls13, sid);
	bb_tls_ccs(&b);
	if (tls13)
		bb_tls_opaque(&b, &o->rng, 23, 2900);
	else
		bb_tls_opaque(&b, &o->rng, 22, 40);
	pcapw_tcp_send(&c, PCAPW_S2C, b.p, b.len);

	bb_init(&b, o->buf, sizeof(o->buf));
	bb_tls_ccs(&b);
	if (tls13)
		bb_tls_opaque(&b, &o->rng, 23, 53);
	else
		bb_tls_opaque(&b, &o->rng, 22, 40);
	bb_tls_opaque(&b, &o->rng, 23, req);
	pcapw_tcp_send(&c, PCAPW_C2S, b.p, b.len);

	pcapw_tcp_wait(&c, wan ? 30 * SCEN_MS : 3 * SCEN_MS);
	bb_init(&b, o->buf, sizeof(o->buf));
	bb_tls_opaque(&b, &o->rng, 23, resp);
	pcapw_tcp_send(&c, PCAPW_S2C, b.p, b.len);

	pcapw_tcp_wait(&c, 2 * SCEN_S);
	bb_init(&b, o->buf, sizeof(o->buf));
	bb_tls_opaque(&b, &o->rng, tls13 ? 23 : 21, tls13 ? 24 : 26);
	pcapw_tcp_send(&c, PCAPW_C2S, b.p, b.len);
	pcapw_tcp_close(&c, PCAPW_C2S);
	office_fail(o, b.err);
	tcp_done(o, &c, cli, srv);
	return c.now;
}

/* ---- NTP (RFC 5905), ICMP echo, the scan ----------------------------------------------- */

static uint64_t ntp_exchange(struct office *o, uint64_t t, struct pcapw_host *cli)
{
	uint64_t t2 = t + 400 * SCEN_US, t3 = t2 + 20 * SCEN_US;
	struct bb b;

	cli->port = 123;
	o->gw.port = 123;
	bb_init(&b, o->buf, sizeof(o->buf));
	bb_ntp_request(&b, t);
	pcapw_udp_write(&o->w, t, &o->lk, cli, &o->gw, b.p, b.len);

	bb_init(&b, o->buf, sizeof(o->buf));
	bb_ntp_response(&b, t, t2, t3);
	pcapw_udp_write(&o->w, t3, &o->lk, &o->gw, cli, b.p, b.len);
	return t3;
}

static uint64_t ping(struct office *o, uint64_t t, struct pcapw_host *cli, unsigned count)
{
	uint16_t id = (uint16_t)scen_rand(&o->rng);
	uint8_t buf[256], data[56];
	struct pcapw_pkt p;

	for (unsigned seq = 1; seq <= count; seq++, t += SCEN_S) {
		uint32_t sec = (uint32_t)(t / SCEN_S), usec = (uint32_t)(t % SCEN_S / SCEN_US);

		for (int i = 0; i < 4; i++) {
			data[i] = (uint8_t)(sec >> (8 * i));
			data[4 + i] = (uint8_t)(usec >> (8 * i));
		}
		for (int k = 8; k < 56; k++)
			data[k] = (uint8_t)(0x10 + k - 8);
		for (int reply = 0; reply < 2; reply++) {
			pcapw_pkt_init(&p, buf, sizeof(buf));
			if (reply)
				pcapw_add_hdrs(&p, &o->lk, &o->gw, cli);
			else
				pcapw_add_hdrs(&p, &o->lk, cli, &o->gw);
			pcapw_add_icmp4_echo(&p, reply, id, (uint16_t)seq);
			pcapw_add_raw(&p, PCAPW_NEXT_KEEP, data, sizeof(data));
			pcapw_pkt_write(&o->w, t + (uint64_t)reply * 350 * SCEN_US, &p);
		}
	}
	return t;
}

/* nmap's top ports, 40 of them; 22, 80 and 443 are open on the server. */
static const uint16_t scan_ports[40] = {
    21,	  22,	23,   25,   53,	  80,	81,   110,  111,  113,	135,   139,  143,  179,
    199,  443,	445,  465,  514,  548,	554,  587,  993,  995,	1025,  1026, 1720, 1723,
    2000, 3306, 3389, 5060, 5900, 6001, 8000, 8080, 8443, 8888, 10000, 32768};

static uint64_t syn_scan(struct office *o, uint64_t t)
{
	uint16_t order[40];
	uint16_t sport = eph_port(o);

	memcpy(order, scan_ports, sizeof(order));
	for (size_t i = 39; i > 0; i--) { /* nmap probes in random order */
		size_t j = scen_rand(&o->rng) % (i + 1);
		uint16_t tmp = order[i];

		order[i] = order[j];
		order[j] = tmp;
	}
	for (size_t i = 0; i < 40; i++, t += 600 * SCEN_US) {
		uint32_t isn_c = (uint32_t)scen_rand(&o->rng);
		uint32_t isn_s = (uint32_t)scen_rand(&o->rng);
		struct pcapw_tcp_cfg cfg = {
		    .start_ns = t,
		    .step_ns = 180 * SCEN_US,
		    .isn = {isn_c, isn_s},
		    .mss = 1460,
		    .win = 1024,
		};
		bool open = order[i] == 22 || order[i] == 80 || order[i] == 443;
		struct pcapw_tcp_conn c;

		o->scanner.port = sport;
		o->srv.port = order[i];
		pcapw_tcp_open(&c, &o->w, &o->lk, &o->scanner, &o->srv, &cfg);
		pcapw_tcp_syn(&c);
		if (open) {
			c.cfg.win = 64240;
			pcapw_tcp_synack(&c);
			pcapw_tcp_segment(&c, PCAPW_C2S, PCAPW_TH_RST, cfg.isn[0] + 1, 0, NULL, 0);
		} else {
			pcapw_tcp_segment(&c, PCAPW_S2C, PCAPW_TH_RST | PCAPW_TH_ACK, 0,
					  cfg.isn[0] + 1, NULL, 0);
		}
		tcp_done(o, &c, &o->scanner, &o->srv);
	}
	return t;
}

/* ---- the scenario -------------------------------------------------------------------- */

static int office_hosts(struct office *o)
{
	static const char *const cli_ip[5] = {"10.1.0.101", "10.1.0.102", "10.1.0.103",
					      "10.1.0.104", "10.1.0.105"};
	static const char *const cli_mac[5] = {"00:1b:21:3a:4f:01", "3c:52:82:11:22:02",
					       "00:1b:21:3a:4f:03", "3c:52:82:11:22:04",
					       "00:1b:21:3a:4f:05"};
	static const char gw_mac[] = "00:0d:b9:5e:10:01";
	int r = 0;

	r |= pcapw_host_set(&o->gw, "10.1.0.1", gw_mac, 0);
	r |= pcapw_host_set(&o->dns, "10.1.0.53", "52:54:00:12:00:53", 53);
	r |= pcapw_host_set(&o->srv, "10.1.0.20", "52:54:00:12:00:20", 80);
	r |= pcapw_host_set(&o->scanner, "10.1.0.66", "02:42:ac:11:00:66", 0);
	for (int i = 0; i < 5; i++) {
		r |= pcapw_host_set(&o->cli[i], cli_ip[i], cli_mac[i], 0);
		o->cli[i].df = true;
		o->cli[i].ttl = (i == 1 || i == 3) ? 128 : 64; /* .102 and .104 run Windows */
	}
	r |= pcapw_host_set(&o->dns6, "2001:db8:1::53", "52:54:00:12:00:53", 53);
	r |= pcapw_host_set(&o->cli6, "2001:db8:1::101", cli_mac[0], 0);
	r |= pcapw_host_set(&o->web6, "2606:2800:220:1:248:1893:25c8:1946", gw_mac, 80);
	r |= pcapw_host_set(&o->web, "93.184.216.34", gw_mac, 80);
	r |= pcapw_host_set(&o->cdn, "203.0.113.44", gw_mac, 443);
	r |= pcapw_host_set(&o->api, "198.51.100.10", gw_mac, 443);
	o->gw.df = o->dns.df = o->srv.df = o->scanner.df = true;
	o->web.df = o->cdn.df = o->api.df = true;
	o->web.ttl = o->cdn.ttl = o->api.ttl = 52; /* twelve hops away */
	o->web6.ttl = 52;
	o->gw.ip_id = 0x1000;
	o->dns.ip_id = 0x5300;
	o->srv.ip_id = 0x2000;
	return r ? -EINVAL : 0;
}

/* Background lookups: every 20 s one client resolves one of these (A records). */
static const struct {
	const char *name, *addr;
} bg_names[] = {
    {"mail.example.co.jp", "10.1.0.25"},     {"calendar.example.co.jp", "10.1.0.21"},
    {"updates.example.net", "203.0.113.80"}, {"www.example.com", "93.184.216.34"},
    {"time.example.co.jp", "10.1.0.1"},	     {"files.example.co.jp", "10.1.0.20"},
    {"cdn.example.net", "203.0.113.44"},     {"login.example.org", "198.51.100.20"},
};

/*
 * office: the demo. 10.1.0.0/24 behind gateway 10.1.0.1 (00:0d:b9:5e:10:01, also the NTP
 * server and the next hop for Internet addresses), resolver 10.1.0.53 / 2001:db8:1::53,
 * intranet server 10.1.0.20 (intranet.example.co.jp), clients 10.1.0.101-105 (.102 and .104
 * are Windows: TTL 128, no TCP timestamps), 10.1.0.101 also 2001:db8:1::101, a scanner at
 * 10.1.0.66. Frames shorter than 60 bytes are zero-padded (mirror port), so IP lengths, not
 * frame lengths, bound the payloads. 306 packets from 2024-01-15T09:00:00.2Z to 09:04:55.5Z:
 *   DNS (UDP 53), 24 lookups, each one query + one answer (48 packets), all NOERROR with one
 *     record except wpad.example.co.jp (NXDOMAIN, no records). Explicit: intranet.example.co.jp
 *     A 10.1.0.20 (t=0.2 s from .101, t=120 s from .102) and AAAA 2001:db8:1::20 (t=150 s,
 *     .103), www.example.com A 93.184.216.34 and AAAA 2606:2800:220:1:248:1893:25c8:1946
 *     (t=3 s, .102), the same AAAA over IPv6 (t=60 s, 2001:db8:1::101 -> 2001:db8:1::53),
 *     cdn.example.net A 203.0.113.44 (t=20 s), api.example.org A 198.51.100.10 (t=45 s),
 *     wpad.example.co.jp A (t=150 s). Background: 15 A lookups, lookup i (0..14) at
 *     t = 15 + 20i s + 37i ms from client .101 + i % 5 for bg_names[i % 8].
 *   HTTP (TCP 80), 5 keep-alive sessions, 7 GET requests, client closes each session:
 *     t=0.2   .101 -> 10.1.0.20, Host intranet.example.co.jp: "/" 200 text/html 6000 bytes,
 *             "/style.css" 200 text/css 1500
 *     t=3     .102 -> 93.184.216.34, Host www.example.com: "/index.html" 200 text/html 1256,
 *             "/favicon.ico" 404 text/html 153
 *     t=60    [2001:db8:1::101] -> [2606:2800:220:1:248:1893:25c8:1946], Host
 *             www.example.com: "/" 200 text/html 1256
 *     t=120   .102 -> 10.1.0.20, Host intranet.example.co.jp: "/reports/2023-q4.csv" 200
 *             text/csv 30000 (21 segments)
 *     t=290   .101 -> 10.1.0.20, Host intranet.example.co.jp: "/" with If-None-Match, 304
 *   TLS (TCP 443), 3 sessions, ClientHello with SNI and ALPN h2/http/1.1: .104 ->
 *     203.0.113.44 SNI cdn.example.net, TLS 1.3 (ServerHello cipher 0x1301,
 *     supported_versions 0x0304); .105 -> 198.51.100.10 SNI api.example.org, TLS 1.2 resumed
 *     by session id (cipher 0xc02f); .104 -> 10.1.0.20 SNI intranet.example.co.jp, TLS 1.3.
 *   NTP (UDP 123): .101 at t=10 s and .105 at t=250 s with 10.1.0.1, mode 3 / mode 4.
 *   ICMP: .103 pings 10.1.0.1 4 times, 1 s apart from t=12 s: 4 requests, 4 replies, one id.
 *   Scan at t=90 s: 10.1.0.66, from one source port, sends a bare SYN (MSS 1460, window
 *     1024) to 40 ports of 10.1.0.20 in random order, 0.6 ms apart; 37 answer RST-ACK;
 *     22, 80 and 443 answer SYN-ACK and get the scanner's RST: 83 packets.
 * Flows: TCP 48 (5 HTTP + 3 TLS + 40 scan probes), UDP 26 (24 DNS + 2 NTP), ICMP 1; IPv6:
 * 12 packets (1 DNS + 1 HTTP flow). All checksums valid, no decoder anomalies, every TCP
 * session with data completes its handshake and closes with FIN. A port-scan detector must
 * flag 10.1.0.66 -> 10.1.0.20 (40 ports, 3 open).
 */
int scenarios_office(const char *out_path)
{
	static const struct http_ex intranet_home[] = {
	    {"/", NULL, 200, "text/html", 6000},
	    {"/style.css", NULL, 200, "text/css", 1500},
	};
	static const struct http_ex example[] = {
	    {"/index.html", NULL, 200, "text/html", 1256},
	    {"/favicon.ico", NULL, 404, "text/html", 153},
	};
	static const struct http_ex example6[] = {{"/", NULL, 200, "text/html", 1256}};
	static const struct http_ex report[] = {
	    {"/reports/2023-q4.csv", NULL, 200, "text/csv", 30000}};
	static const struct http_ex revisit[] = {
	    {"/", "If-None-Match: \"65a4f1c2-1a2b\"\r\n", 304, NULL, 0}};
	struct office *o = calloc(1, sizeof(*o));
	struct pcapw_host *c;
	uint64_t t;
	int r;

	if (!o)
		return -ENOMEM;
	o->rng.s = OFFICE_SEED;
	o->lk = (struct pcapw_link){.linktype = PCAPW_LINK_ETHERNET, .min_frame = 60};
	r = office_hosts(o);
	if (r == 0)
		r = pcapw_open(&o->w, out_path, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, PCAPW_F_SORT);
	if (r < 0) {
		free(o);
		return r;
	}
	c = o->cli;

	t = dns_lookup(o, SCEN_T0 + 200 * SCEN_MS, &c[0], &o->dns, "intranet.example.co.jp", 1,
		       "10.1.0.20");
	http_session(o, t + SCEN_MS, &c[0], &o->srv, "intranet.example.co.jp", false, false,
		     intranet_home, 2);

	t = dns_lookup(o, SCEN_T0 + 3 * SCEN_S, &c[1], &o->dns, "www.example.com", 1,
		       "93.184.216.34");
	t = dns_lookup(o, t + SCEN_MS, &c[1], &o->dns, "www.example.com", 28,
		       "2606:2800:220:1:248:1893:25c8:1946");
	http_session(o, t + SCEN_MS, &c[1], &o->web, "www.example.com", true, true, example, 2);

	ntp_exchange(o, SCEN_T0 + 10 * SCEN_S, &c[0]);
	ping(o, SCEN_T0 + 12 * SCEN_S, &c[2], 4);

	for (unsigned i = 0; i < 15; i++)
		dns_lookup(o, SCEN_T0 + (15 + 20 * (uint64_t)i) * SCEN_S + 37 * SCEN_MS * i,
			   &c[i % 5], &o->dns, bg_names[i % 8].name, 1, bg_names[i % 8].addr);

	t = dns_lookup(o, SCEN_T0 + 20 * SCEN_S, &c[3], &o->dns, "cdn.example.net", 1,
		       "203.0.113.44");
	tls_session(o, t + SCEN_MS, &c[3], &o->cdn, "cdn.example.net", true, true, 420, 9000);

	t = dns_lookup(o, SCEN_T0 + 45 * SCEN_S, &c[4], &o->dns, "api.example.org", 1,
		       "198.51.100.10");
	tls_session(o, t + SCEN_MS, &c[4], &o->api, "api.example.org", false, true, 310, 2400);

	t = dns_lookup(o, SCEN_T0 + 60 * SCEN_S, &o->cli6, &o->dns6, "www.example.com", 28,
		       "2606:2800:220:1:248:1893:25c8:1946");
	http_session(o, t + SCEN_MS, &o->cli6, &o->web6, "www.example.com", true, false, example6,
		     1);

	syn_scan(o, SCEN_T0 + 90 * SCEN_S);

	t = dns_lookup(o, SCEN_T0 + 120 * SCEN_S, &c[1], &o->dns, "intranet.example.co.jp", 1,
		       "10.1.0.20");
	http_session(o, t + SCEN_MS, &c[1], &o->srv, "intranet.example.co.jp", false, true, report,
		     1);

	t = dns_lookup(o, SCEN_T0 + 150 * SCEN_S, &c[2], &o->dns, "intranet.example.co.jp", 28,
		       "2001:db8:1::20");
	dns_lookup(o, t + 2 * SCEN_MS, &c[2], &o->dns, "wpad.example.co.jp", 1, NULL);

	tls_session(o, SCEN_T0 + 200 * SCEN_S, &c[3], &o->srv, "intranet.example.co.jp", true,
		    false, 380, 5200);
	ntp_exchange(o, SCEN_T0 + 250 * SCEN_S, &c[4]);
	http_session(o, SCEN_T0 + 290 * SCEN_S, &c[0], &o->srv, "intranet.example.co.jp", false,
		     false, revisit, 1);

	r = pcapw_close(&o->w);
	if (r == 0)
		r = o->err;
	free(o);
	return r;
}
