/*
 * behave — the behaviour scenario framework: the `behaviour` capture (two hours of benign
 * office traffic with the attack behaviours of the table below mixed in), the `background`
 * capture (the same benign traffic alone) and the `intrusion` capture (the background, two
 * of the behaviours as noise and the intrusion of behave_intrusion.c), each with its ground
 * truth in OUT.truth.json (fields in tools/README.md). Holds the helpers the behave_*.c
 * files share: hosts, seeded draws, the packet tap that counts what is written, TLS / HTTP /
 * DNS / Modbus sessions, file digests and the JSON writers. Packets go through a sorting
 * pcapw writer, so each part writes its own sessions and the file comes out in time order
 * (about 60 MB held at most).
 */
#include "behave.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

static const uint8_t router_mac[6] = {0x00, 0x0d, 0xb9, 0x5e, 0x10, 0x01};

struct scen_rng beh_rng(const struct behave *b, uint64_t tag)
{
	struct scen_rng r = {.s = b->seed * 0x9e3779b97f4a7c15ull ^ tag};

	scen_rand(&r); /* decorrelate neighbouring seeds */
	return r;
}

uint64_t beh_logsize(struct scen_rng *r, uint64_t lo, unsigned d256)
{
	uint64_t u1 = scen_rand(r) >> 48;
	uint64_t u2 = scen_rand(r) >> 48;
	uint64_t u3 = scen_rand(r) >> 48;
	uint64_t e = ((((u1 * u2) >> 16) * u3) >> 16) * d256 >> 16; /* in 1/256 doublings */
	uint64_t v = lo << (e >> 8);

	return v + v * (e & 255) / 256;
}

struct pcapw_host beh_host(uint32_t ip, uint16_t port)
{
	struct pcapw_host h = {.family = 4, .port = port, .df = true};
	bool inside = (ip >> 24) == 10;

	for (int i = 0; i < 4; i++)
		h.ip[i] = (uint8_t)(ip >> (24 - 8 * i));
	if (inside) {
		h.mac[0] = 0x00;
		h.mac[1] = 0x16;
		h.mac[2] = 0x3e;
		h.mac[3] = (uint8_t)(ip >> 16);
		h.mac[4] = (uint8_t)(ip >> 8);
		h.mac[5] = (uint8_t)ip;
	} else {
		memcpy(h.mac, router_mac, 6);
	}
	h.ttl = inside ? 64 : 52;
	h.ip_id = (uint16_t)((ip * 2654435761u) >> 16);
	return h;
}

const char *beh_ipstr(uint32_t ip, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
	return out;
}

void beh_fail(struct behave *b, int err)
{
	if (err < 0 && !b->err)
		b->err = err;
}

void beh_count(struct behave *b, struct beh_acct *a, uint32_t cli)
{
	if (a) {
		memset(a, 0, sizeof(*a));
		a->cli = cli;
	}
	b->acct = a;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The pcapw tap: every record, Ethernet + IPv4 as this generator writes them. */
static void beh_tap(void *ctx, uint64_t ts, const uint8_t *d, uint32_t caplen, uint32_t wirelen)
{
	struct behave *b = ctx;
	struct beh_acct *a = b->acct;
	unsigned ihl, tot, l4, dir, pl = 0;

	b->packets++;
	b->bytes += wirelen;
	if (!a || caplen < 34 || d[12] != 0x08 || d[13] != 0x00)
		return;
	ihl = (d[14] & 15u) * 4;
	tot = (unsigned)d[16] << 8 | d[17];
	l4 = 14 + ihl;
	if (d[23] == 6 && caplen >= l4 + 13)
		pl = tot - ihl - (d[l4 + 12] >> 4) * 4u;
	else if (tot >= ihl + 8)
		pl = tot - ihl - 8; /* UDP, ICMP */
	dir = get32(d + 26) == a->cli ? 0 : 1;
	a->pkts[dir]++;
	a->bytes[dir] += wirelen;
	a->payload[dir] += pl;
	if (!a->first || ts < a->first)
		a->first = ts;
	if (ts > a->last)
		a->last = ts;
}

struct pcapw_tcp_cfg beh_tcp_cfg(struct scen_rng *r, uint64_t t, uint64_t step)
{
	uint32_t isn_c = (uint32_t)scen_rand(r);
	uint32_t isn_s = (uint32_t)scen_rand(r);

	return (struct pcapw_tcp_cfg){
	    .start_ns = t,
	    .step_ns = step,
	    .isn = {isn_c, isn_s},
	    .mss = 1460,
	    .ws = true,
	    .wscale = 7,
	    .sack_perm = true,
	    .timestamps = true,
	    .segment = true,
	    .auto_ack = true,
	};
}

void beh_tcp_done(struct behave *b, const struct pcapw_tcp_conn *c)
{
	beh_fail(b, c->err);
}

uint64_t beh_dns(struct behave *b, struct scen_rng *r, uint64_t t, struct pcapw_host *cli,
		 struct pcapw_host *srv, const char *name, uint16_t qtype, const void *rdata,
		 size_t rdlen)
{
	uint16_t id = (uint16_t)scen_rand(r);
	struct bb q;

	cli->port = beh_port_next(r, cli->port);
	srv->port = 53;
	bb_init(&q, b->buf, sizeof(b->buf));
	bb_dns_query(&q, id, name, qtype);
	beh_fail(b, q.err);
	beh_fail(b, pcapw_udp_write(&b->w, t, &b->lk, cli, srv, q.p, q.len));
	if (!rdata)
		return t;
	t += 800 * SCEN_US;
	bb_dns_response(&q, 0, 1);
	bb_dns_rr(&q, qtype, 300, rdata, rdlen);
	beh_fail(b, q.err);
	beh_fail(b, pcapw_udp_write(&b->w, t, &b->lk, srv, cli, q.p, q.len));
	return t;
}

/* Application data from dir: n bytes of record contents in records of at most 16 KiB,
 * each handed to TCP on its own. */
static void tls_stream(struct behave *b, struct scen_rng *r, struct pcapw_tcp_conn *c,
		       enum pcapw_dir dir, uint64_t n)
{
	struct bb x;

	while (n > 0 && !c->err) {
		uint64_t l = n < 16384 ? n : 16384;

		bb_init(&x, b->buf, sizeof(b->buf));
		bb_tls_opaque(&x, r, 23, (size_t)l);
		beh_fail(b, x.err);
		pcapw_tcp_send(c, dir, x.p, x.len);
		n -= l;
	}
}

uint64_t beh_tls(struct behave *b, struct scen_rng *r, uint64_t t, struct pcapw_host *cli,
		 struct pcapw_host *srv, const char *sni, uint64_t step, uint64_t up, uint64_t down)
{
	struct pcapw_tcp_cfg cfg = beh_tcp_cfg(r, t, step);
	struct pcapw_tcp_conn c;
	uint8_t sid[32];
	struct bb x;

	scen_rand_bytes(r, sid, sizeof(sid));
	cli->port = beh_port_next(r, cli->port);
	pcapw_tcp_open(&c, &b->w, &b->lk, cli, srv, &cfg);
	pcapw_tcp_handshake(&c);
	bb_init(&x, b->buf, sizeof(b->buf));
	bb_tls_client_hello(&x, r, sni, true, sid);
	pcapw_tcp_send(&c, PCAPW_C2S, x.p, x.len);
	bb_init(&x, b->buf, sizeof(b->buf));
	bb_tls_server_hello(&x, r, true, sid);
	bb_tls_ccs(&x);
	bb_tls_opaque(&x, r, 23, 2900);
	pcapw_tcp_send(&c, PCAPW_S2C, x.p, x.len);
	bb_init(&x, b->buf, sizeof(b->buf));
	bb_tls_ccs(&x);
	bb_tls_opaque(&x, r, 23, 53);
	pcapw_tcp_send(&c, PCAPW_C2S, x.p, x.len);
	beh_fail(b, x.err);
	tls_stream(b, r, &c, PCAPW_C2S, up);
	pcapw_tcp_wait(&c, 20 * step);
	tls_stream(b, r, &c, PCAPW_S2C, down);
	pcapw_tcp_wait(&c, 100 * SCEN_MS);
	pcapw_tcp_close(&c, PCAPW_C2S);
	beh_tcp_done(b, &c);
	return c.now;
}

/* n bytes of page text (no digits: nothing in it looks like personal data). */
static void html_body(struct bb *x, size_t n)
{
	static const char para[] = "<p>Notices, schedules and shared documents for the office "
				   "network, updated every morning.</p>\n";
	size_t end = x->len + n;

	while (x->len < end && !x->err) {
		size_t k = end - x->len < sizeof(para) - 1 ? end - x->len : sizeof(para) - 1;

		bb_put(x, para, k);
	}
}

uint64_t beh_http_ex(struct behave *b, struct scen_rng *r, uint64_t t, struct pcapw_host *cli,
		     struct pcapw_host *srv, const struct beh_http_msg *m)
{
	struct pcapw_tcp_cfg cfg = beh_tcp_cfg(r, t, m->step ? m->step : BEH_WAN_STEP);
	struct pcapw_tcp_conn c;
	char head[512], date[40];
	struct bb x;
	int n;

	cli->port = beh_port_next(r, cli->port);
	srv->port = m->port ? m->port : 80;
	pcapw_tcp_open(&c, &b->w, &b->lk, cli, srv, &cfg);
	pcapw_tcp_handshake(&c);
	bb_init(&x, b->buf, sizeof(b->buf));
	bb_http_request(&x, m->method, m->path, m->host,
			m->ua ? m->ua
			      : "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) "
				"Gecko/20100101 Firefox/121.0",
			m->extra);
	beh_fail(b, x.err);
	pcapw_tcp_send(&c, PCAPW_C2S, x.p, x.len);
	if (m->len)
		pcapw_tcp_send(&c, PCAPW_C2S, m->body, m->len);
	pcapw_tcp_wait(&c, 30 * SCEN_MS);
	bb_http_date(date, sizeof(date), c.now);
	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 %s\r\nDate: %s\r\nServer: %s\r\n"
		     "Content-Type: %s\r\nContent-Length: %zu\r\n"
		     "Connection: keep-alive\r\n\r\n",
		     m->status ? m->status : "200 OK", date, m->server ? m->server : "nginx/1.24.0",
		     m->ctype ? m->ctype : "text/html; charset=utf-8", m->resp_len);
	bb_init(&x, b->buf, sizeof(b->buf));
	bb_put(&x, head, n > 0 && (size_t)n < sizeof(head) ? (size_t)n : 0);
	if (m->resp)
		bb_put(&x, m->resp, m->resp_len);
	else
		html_body(&x, m->resp_len);
	beh_fail(b, x.err);
	pcapw_tcp_send(&c, PCAPW_S2C, x.p, x.len);
	pcapw_tcp_wait(&c, 200 * SCEN_MS);
	pcapw_tcp_close(&c, PCAPW_C2S);
	beh_tcp_done(b, &c);
	return c.now;
}

uint64_t beh_http(struct behave *b, struct scen_rng *r, uint64_t t, struct pcapw_host *cli,
		  struct pcapw_host *srv, const char *host, const char *method, const char *path,
		  const char *extra, const void *body, size_t len, size_t resp)
{
	struct beh_http_msg m = {
	    .host = host,
	    .method = method,
	    .path = path,
	    .extra = extra,
	    .body = body,
	    .len = len,
	    .resp_len = resp,
	};

	return beh_http_ex(b, r, t, cli, srv, &m);
}

static void hex(const unsigned char *d, unsigned n, char *out)
{
	static const char digit[] = "0123456789abcdef";

	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = digit[d[i] >> 4];
		out[2 * i + 1] = digit[d[i] & 15];
	}
	out[2 * n] = 0;
}

void beh_file_hash(struct behave *b, struct beh_file *f, const void *d, size_t n)
{
	const EVP_MD *md[3] = {EVP_md5(), EVP_sha1(), EVP_sha256()};
	char *out[3] = {f->md5, f->sha1, f->sha256};
	unsigned char dig[EVP_MAX_MD_SIZE];

	f->size = n;
	for (int i = 0; i < 3; i++) {
		unsigned len = 0;

		out[i][0] = 0;
		if (EVP_Digest(d, n, dig, &len, md[i], NULL) != 1) {
			beh_fail(b, -EIO);
			continue;
		}
		hex(dig, len, out[i]);
	}
}

void beh_modbus_poll(struct pcapw_tcp_conn *c, struct scen_rng *r, uint16_t tid, uint8_t nregs)
{
	uint8_t req[12] = {(uint8_t)(tid >> 8), (uint8_t)tid, 0, 0, 0, 6, 1, 3, 0, 0, 0, nregs};
	uint8_t resp[9 + 2 * 255];
	size_t rlen = 9 + 2 * (size_t)nregs;

	memcpy(resp, req, 4);
	resp[4] = (uint8_t)((rlen - 6) >> 8);
	resp[5] = (uint8_t)(rlen - 6);
	resp[6] = 1;
	resp[7] = 3;
	resp[8] = (uint8_t)(2 * nregs);
	scen_rand_bytes(r, resp + 9, 2 * (size_t)nregs);
	pcapw_tcp_send(c, PCAPW_C2S, req, sizeof(req));
	pcapw_tcp_send(c, PCAPW_S2C, resp, rlen);
	pcapw_tcp_ack(c, PCAPW_C2S);
}

uint64_t beh_modbus_session(struct behave *b, struct scen_rng *r, uint64_t t,
			    struct pcapw_host *cli, struct pcapw_host *srv, unsigned polls)
{
	struct pcapw_tcp_cfg cfg = beh_tcp_cfg(r, t, BEH_LAN_STEP);
	struct pcapw_tcp_conn c;

	cfg.auto_ack = false;
	cli->port = beh_port_next(r, cli->port);
	srv->port = 502;
	pcapw_tcp_open(&c, &b->w, &b->lk, cli, srv, &cfg);
	pcapw_tcp_handshake(&c);
	for (unsigned i = 0; i < polls; i++)
		beh_modbus_poll(&c, r, (uint16_t)(i + 1), 10);
	pcapw_tcp_close(&c, PCAPW_C2S);
	beh_tcp_done(b, &c);
	return c.now;
}

/* ---- truth ---------------------------------------------------------------------------- */

void beh_jraw(struct behave *b, const char *text)
{
	if (b->truth)
		fputs(text, b->truth);
}

void beh_truth_begin(struct behave *b, const char *name)
{
	beh_jraw(b, b->ntruth++ ? ",\n  {" : "\n  {");
	if (b->truth)
		fprintf(b->truth, "\"name\":\"%s\"", name);
}

void beh_truth_end(struct behave *b)
{
	beh_jraw(b, "}");
}

void beh_jstr(struct behave *b, const char *key, const char *v)
{
	if (b->truth)
		fprintf(b->truth, ",\"%s\":\"%s\"", key, v);
}

void beh_jip(struct behave *b, const char *key, uint32_t ip)
{
	char s[16];

	beh_jstr(b, key, beh_ipstr(ip, s));
}

void beh_ju64(struct behave *b, const char *key, uint64_t v)
{
	if (b->truth)
		fprintf(b->truth, ",\"%s\":%" PRIu64, key, v);
}

void beh_jf6(struct behave *b, const char *key, double v)
{
	if (b->truth)
		fprintf(b->truth, ",\"%s\":%.6f", key, v);
}

/* ISO-8601 UTC with microseconds, the EVE form. */
static void iso_time(char *out, size_t cap, uint64_t t)
{
	time_t s = (time_t)(t / SCEN_S);
	struct tm tm;
	char day[32];

	gmtime_r(&s, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, cap, "%s.%06u+0000", day, (unsigned)(t % SCEN_S / SCEN_US));
}

void beh_jtime(struct behave *b, const char *key, uint64_t t)
{
	char iso[48];

	if (!b->truth)
		return;
	iso_time(iso, sizeof(iso), t);
	fprintf(b->truth, ",\"%s\":\"%s\",\"%s_epoch\":%" PRIu64 ".%06u", key, iso, key,
		(uint64_t)(t / SCEN_S), (unsigned)(t % SCEN_S / SCEN_US));
}

void beh_jacct(struct behave *b, const char *key, const struct beh_acct *a)
{
	if (!b->truth)
		return;
	fprintf(
	    b->truth,
	    ",\"%s\":{\"packets_up\":%" PRIu64 ",\"packets_down\":%" PRIu64 ",\"bytes_up\":%" PRIu64
	    ",\"bytes_down\":%" PRIu64 ",\"payload_up\":%" PRIu64 ",\"payload_down\":%" PRIu64,
	    key, a->pkts[0], a->pkts[1], a->bytes[0], a->bytes[1], a->payload[0], a->payload[1]);
	beh_jtime(b, "first_seen", a->first);
	beh_jtime(b, "last_seen", a->last);
	fputc('}', b->truth);
}

/* ---- the scenarios ---------------------------------------------------------------------- */

/* The behaviours, in truth-file order; tag seeds each one's generator. */
static const struct {
	const char *name;
	void (*run)(struct behave *b, struct scen_rng *r);
	uint64_t tag;
} behaviours[] = {
    {"scan-horizontal", beh_scan_horizontal, 0x7363616e68ull},
    {"scan-vertical", beh_scan_vertical, 0x7363616e76ull},
    {"icmp-sweep", beh_icmp_sweep, 0x69636d70ull},
    {"backscatter", beh_backscatter, 0x6273ull},
    {"darknet", beh_darknet, 0x646eull},
    {"beacon", beh_beacon, 0x6263ull},
    {"dns-tunnel", beh_dns_tunnel, 0x6474ull},
    {"exfil", beh_exfil, 0x6578ull},
    {"pii-upload", beh_pii_upload, 0x7069ull},
    {"zone", beh_zone, 0x7a6eull},
};

char *beh_side_path(const char *out_path, const char *suffix)
{
	size_t n = strlen(out_path), k = strlen(suffix);
	char *p = malloc(n + k + 1);

	if (!p)
		return NULL;
	if (n > 5 && strcmp(out_path + n - 5, ".pcap") == 0)
		n -= 5;
	memcpy(p, out_path, n);
	memcpy(p + n, suffix, k + 1);
	return p;
}

#define ALL_BEHAVIOURS ((1u << (sizeof(behaviours) / sizeof(behaviours[0]))) - 1)
#define NOISE	       (1u << 0 | 1u << 4) /* scan-horizontal, darknet */

/* The capture of scenario: the background, the behaviours of the table whose bit is set in
 * mask, and the intrusion if asked. */
static int run(const char *out_path, const struct scenario_opts *opts, const char *scenario,
	       unsigned mask, bool intrusion)
{
	struct behave *b = calloc(1, sizeof(*b));
	char *tpath = beh_side_path(out_path, ".truth.json");
	uint64_t sessions = 0, bg_packets;
	struct beh_acct bg;
	int r;

	if (!b || !tpath) {
		free(b);
		free(tpath);
		return -ENOMEM;
	}
	b->seed = opts->seed;
	b->lk = (struct pcapw_link){.linktype = PCAPW_LINK_ETHERNET, .min_frame = 60};
	b->truth = fopen(tpath, "w");
	r = b->truth ? pcapw_open(&b->w, out_path, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, PCAPW_F_SORT)
		     : (errno ? -errno : -EIO);
	if (r < 0)
		goto out;
	pcapw_set_tap(&b->w, beh_tap, b);
	fprintf(b->truth,
		"{\"scenario\":\"%s\",\"seed\":%" PRIu64 ",\"start\":\"2024-01-15T09:00:00Z\","
		"\"end\":\"2024-01-15T11:00:00Z\",\"start_epoch\":%llu,\"end_epoch\":%llu,\n"
		" \"home_net\":\"10.0.0.0/8\",\"darknet\":[\"10.99.0.0/16\"],"
		"\"zones\":{\"ot\":[\"10.50.0.0/24\"],\"ot-dmz\":[\"10.50.1.0/24\"]},"
		"\"office_hosts\":\"10.10.1.10-10.10.1.59\",\n \"behaviours\":[",
		scenario, b->seed, SCEN_T0 / SCEN_S, BEH_T_END / SCEN_S);
	beh_count(b, &bg, BEH_OFFICE_FIRST);
	beh_background(b, &sessions);
	bg_packets = b->packets;
	beh_count(b, NULL, 0);
	for (size_t i = 0; i < sizeof(behaviours) / sizeof(behaviours[0]); i++) {
		struct scen_rng rng = beh_rng(b, behaviours[i].tag);

		if (mask & 1u << i)
			behaviours[i].run(b, &rng);
	}
	fputs("\n ]", b->truth);
	if (intrusion)
		beh_intrusion(b, out_path);
	fprintf(b->truth,
		",\n \"background\":{\"hosts\":%d,\"sessions\":%" PRIu64 ",\"packets\":%" PRIu64
		"},\n \"capture\":{\"packets\":%" PRIu64 ",\"frame_bytes\":%" PRIu64
		",\"linktype\":1}}\n",
		BEH_OFFICE_N, sessions, bg_packets, b->packets, b->bytes);
	r = pcapw_close(&b->w);
	if (r == 0)
		r = b->err;
out:
	if (b->truth && fclose(b->truth) != 0 && r == 0)
		r = -EIO;
	free(tpath);
	free(b);
	return r;
}

/*
 * behaviour: the background of behave_bg.c (see beh_background) with the ten behaviours of
 * the table above mixed in, from 2024-01-15T09:00:00Z for two hours, Ethernet, every frame
 * at least 60 bytes, all checksums valid, no decoder anomalies, sessions with data complete
 * their handshake and close with FIN. OUT.truth.json holds one object per behaviour with
 * the exact figures a correct analyser must find (each behaviour's comment says which), the
 * background's totals and the whole capture's packets and frame bytes. Seed 1 by default;
 * another seed moves every random choice but none of the fixed figures (counts, addresses,
 * ports, windows).
 */
int behave_behaviour(const char *out_path, const struct scenario_opts *opts)
{
	if (opts->has_count)
		return -EINVAL;
	return run(out_path, opts, "behaviour", ALL_BEHAVIOURS, false);
}

/* background: the benign traffic alone; its truth lists no behaviours. An analyser must
 * raise nothing on it. */
int behave_background(const char *out_path, const struct scenario_opts *opts)
{
	if (opts->has_count)
		return -EINVAL;
	return run(out_path, opts, "background", 0, false);
}

/*
 * intrusion: the background, the scan-horizontal and darknet behaviours (noise, as in
 * behaviour) and one multi-stage intrusion (behave_intrusion.c, beh_intrusion); the truth
 * file has those two behaviours and an "intrusion" object; OUT.rules and OUT.intel.json are
 * written beside the capture.
 */
int behave_intrusion(const char *out_path, const struct scenario_opts *opts)
{
	if (opts->has_count)
		return -EINVAL;
	return run(out_path, opts, "intrusion", NOISE, true);
}
