/*
 * behave_c2 — command-and-control behaviours: a TLS beacon on a jittered five-minute period
 * and a DNS tunnel (long encoded labels, TXT and NULL answers) through the internal
 * resolver.
 */
#include "behave.h"

#include <stdio.h>
#include <string.h>

void beh_beacon_run(struct behave *b, struct scen_rng *r, struct beh_beacon *c)
{
	struct pcapw_host cli = beh_host(c->src, 0), srv = beh_host(c->dst, 443);
	unsigned n = c->n < BEH_BEACON_MAX ? c->n : BEH_BEACON_MAX;

	c->up = c->down = 0;
	do {
		c->start[0] = c->first;
		for (unsigned i = 1; i < n; i++)
			c->start[i] = c->start[i - 1] + beh_range(r, 270000, 330000) * SCEN_MS;
	} while (c->start[n - 1] > BEH_T_END - 10 * SCEN_S);
	beh_count(b, &c->a, c->src);
	for (unsigned i = 0; i < n; i++) {
		uint64_t up = beh_range(r, 300, 340);
		uint64_t down = beh_range(r, 1150, 1250);

		beh_tls(b, r, c->start[i], &cli, &srv, c->sni, BEH_WAN_STEP, up, down);
		c->up += up;
		c->down += down;
	}
	beh_count(b, NULL, 0);
}

void beh_beacon_truth(struct behave *b, const struct beh_beacon *c)
{
	unsigned n = c->n < BEH_BEACON_MAX ? c->n : BEH_BEACON_MAX;
	uint64_t sum = c->start[n - 1] - c->start[0], lo = ~0ull, hi = 0;
	double mean = (double)sum / (n - 1) / (double)SCEN_S, dev = 0;
	char num[32];

	for (unsigned i = 1; i < n; i++) {
		uint64_t iv = c->start[i] - c->start[i - 1];
		double d = (double)iv / (double)SCEN_S - mean;

		lo = iv < lo ? iv : lo;
		hi = iv > hi ? iv : hi;
		d = d < 0 ? -d : d;
		dev = d / mean > dev ? d / mean : dev;
	}
	beh_jip(b, "src_ip", c->src);
	beh_jip(b, "dest_ip", c->dst);
	beh_ju64(b, "dest_port", 443);
	beh_jstr(b, "proto", "TCP");
	beh_jstr(b, "sni", c->sni);
	beh_ju64(b, "count", n);
	beh_jf6(b, "interval_s", mean);
	beh_jf6(b, "min_interval_s", (double)lo / (double)SCEN_S);
	beh_jf6(b, "max_interval_s", (double)hi / (double)SCEN_S);
	beh_jf6(b, "max_rel_deviation", dev);
	beh_jf6(b, "jitter", 0.1);
	beh_ju64(b, "app_bytes_up", c->up);
	beh_ju64(b, "app_bytes_down", c->down);
	beh_jraw(b, ",\"starts_epoch\":[");
	for (unsigned i = 0; i < n; i++) {
		snprintf(num, sizeof(num), "%s%llu.%06u", i ? "," : "",
			 (unsigned long long)(c->start[i] / SCEN_S),
			 (unsigned)(c->start[i] % SCEN_S / SCEN_US));
		beh_jraw(b, num);
	}
	beh_jraw(b, "]");
	beh_jtime(b, "first_seen", c->a.first);
	beh_jtime(b, "last_seen", c->a.last);
	beh_jacct(b, "wire", &c->a);
}

/*
 * beacon: 10.10.1.23 opens a TLS 1.3 session (beh_tls) to 185.243.115.84:443 with SNI
 * update.cdn-sync.net, no DNS lookup, 24 times: the first at 09:05:00.000, each next one
 * 300 s x (1 + u), u uniform in [-0.1, +0.1] at millisecond resolution (the 23 draws are
 * redrawn together until the last start is before 10:59:50). Each session: handshake, 300-340
 * bytes of application data up, 1150-1250 down (record contents), FIN. Truth: src_ip,
 * dest_ip, dest_port, sni, count, interval_s (mean of the 23 intervals between session
 * starts = SYN times), min/max interval, max_rel_deviation (max |interval - mean| / mean),
 * jitter 0.1, app_bytes_up / app_bytes_down (record contents), starts_epoch, first_seen /
 * last_seen (first SYN, last packet) and "wire": packets, frame bytes and TCP payload bytes
 * each way over the 24 sessions.
 */
void beh_beacon(struct behave *b, struct scen_rng *r)
{
	struct beh_beacon c = {
	    .src = BEH_IP(10, 10, 1, 23),
	    .dst = BEH_IP(185, 243, 115, 84),
	    .sni = "update.cdn-sync.net",
	    .first = BEH_MIN(9, 5),
	    .n = 24,
	};

	beh_beacon_run(b, r, &c);
	beh_truth_begin(b, "beacon");
	beh_beacon_truth(b, &c);
	beh_truth_end(b);
}

#define TUNNEL_N    400
#define TUNNEL_NULL 100
#define TUNNEL_BASE ".exfil-dns.org"

/*
 * dns-tunnel: from 09:40:00, 10.10.1.42 sends 400 DNS queries to 10.10.0.10:53, query i
 * (0-399) at 09:40:00 + 1.5 s x i + 0-400 ms, each from its own source port, qname
 * "<40-60 chars of [a-z2-7]>.<i+1>.t.exfil-dns.org"; 100 of them (random) ask NULL (type
 * 10), the others TXT (16). Each gets a NOERROR answer 800 us later: TXT RDATA = one
 * character-string (length byte + 99-199 base64 characters), NULL RDATA = 100-200 base64
 * characters; RDATA 100-200 bytes. Truth: src_ip, resolver, base_domain, queries 400,
 * distinct_subdomains 400 (distinct qnames), txt, null, txt_null 400, bytes_up (sum of
 * len(qname) - len(".exfil-dns.org")), bytes_down (sum of RDATA lengths), max_qname_len,
 * first_seen / last_seen (first query, last answer).
 */
void beh_dns_tunnel(struct behave *b, struct scen_rng *r)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const uint32_t src = BEH_IP(10, 10, 1, 42);
	struct pcapw_host cli = beh_host(src, 0), dns = beh_host(BEH_RESOLVER, 53);
	uint64_t up = 0, down = 0, first = 0, last = 0, maxlen = 0, t;
	bool isnull[TUNNEL_N];
	char qname[128], label[64];
	uint8_t rdata[256];
	unsigned nnull = 0;

	memset(isnull, 0, sizeof(isnull));
	while (nnull < TUNNEL_NULL) {
		size_t j = (size_t)(scen_rand(r) % TUNNEL_N);

		if (!isnull[j]) {
			isnull[j] = true;
			nnull++;
		}
	}
	for (unsigned i = 0; i < TUNNEL_N; i++) {
		size_t ll = (size_t)beh_range(r, 40, 60);
		size_t rl = (size_t)beh_range(r, 100, 200);
		size_t ql, k = 0;

		for (size_t j = 0; j < ll; j++)
			label[j] = b32[scen_rand(r) % 32];
		label[ll] = 0;
		snprintf(qname, sizeof(qname), "%s.%u.t%s", label, i + 1, TUNNEL_BASE);
		ql = strlen(qname);
		if (!isnull[i])
			rdata[k++] = (uint8_t)(rl - 1);
		while (k < rl)
			rdata[k++] = (uint8_t)b64[scen_rand(r) % 64];
		t = BEH_MIN(9, 40) + i * 1500 * SCEN_MS + beh_range(r, 0, 400) * SCEN_MS;
		first = i ? first : t;
		last = beh_dns(b, r, t, &cli, &dns, qname, isnull[i] ? 10 : 16, rdata, rl);
		up += ql - strlen(TUNNEL_BASE);
		down += rl;
		maxlen = ql > maxlen ? ql : maxlen;
	}
	beh_truth_begin(b, "dns-tunnel");
	beh_jip(b, "src_ip", src);
	beh_jip(b, "resolver", BEH_RESOLVER);
	beh_jstr(b, "base_domain", "exfil-dns.org");
	beh_ju64(b, "queries", TUNNEL_N);
	beh_ju64(b, "distinct_subdomains", TUNNEL_N);
	beh_ju64(b, "txt", TUNNEL_N - TUNNEL_NULL);
	beh_ju64(b, "null", TUNNEL_NULL);
	beh_ju64(b, "txt_null", TUNNEL_N);
	beh_ju64(b, "bytes_up", up);
	beh_ju64(b, "bytes_down", down);
	beh_ju64(b, "max_qname_len", maxlen);
	beh_jtime(b, "first_seen", first);
	beh_jtime(b, "last_seen", last);
	beh_truth_end(b);
}
