/*
 * The scan analytic fed synthetic observations: a horizontal SYN scan, a
 * vertical scan, an ICMP sweep and backscatter with their exact figures;
 * nothing on benign patterns (a web client, a busy web server, a resolver,
 * answers to someone who asked); the source cap and its counter; hostile
 * values (IPv6, zero intervals, huge counts, thresholds past the exact set).
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include "analytics/analytic.h"
#include "analytics/emit.h"
#include "check.h"
#include "detect/addrset.h"

extern const struct analytic analytic_scan;

#define SEC  1000000000ull
#define T0   (1705309200ull * SEC) /* 2024-01-15T09:00:00Z */
#define MAXO 20000

struct harness {
	char dir[64];
	struct eve eve;
	struct an_emit em;
	struct config cfg;
	struct counters cnt;
	struct ipset home;
	struct an_env env;
	void *st;
	struct an_obs *obs;
	size_t n;
	json_t *rec[64];
	size_t n_rec;
};

static void h_init(struct harness *h, const char *const *set)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->dir, sizeof(h->dir), "/tmp/test_an_scan.XXXXXX");
	CHECK(mkdtemp(h->dir) != NULL);
	CHECK(eve_open(&h->eve, h->dir, "eve.json") == 0);
	config_defaults(&h->cfg);
	for (; set && *set; set += 2)
		CHECK(config_set(&h->cfg, set[0], set[1], "test") == 0);
	CHECK(an_emit_init(&h->em, &h->eve, NULL, NULL, &h->cnt, true) == 0);
	struct addrset_err err;
	CHECK(ipset_parse(&h->home, "[10.0.0.0/8,2001:db8:1::/48]", NULL, NULL, &err) == 0);
	h->env = (struct an_env){.cfg = &h->cfg, .emit = &h->em, .cnt = &h->cnt, .home = &h->home};
	CHECK(analytic_scan.init(&h->env, &h->st) == 0);
	CHECK(h->st != NULL);
	h->obs = calloc(MAXO, sizeof(*h->obs));
}

static void addr_of(struct addr *a, int *ver, const char *s)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1)
		*ver = 4;
	else if (inet_pton(AF_INET6, s, a->a) == 1)
		*ver = 6;
}

static struct an_obs *obs(struct harness *h, uint8_t kind, uint64_t ts, const char *src,
			  const char *dst, uint8_t proto, uint16_t dp)
{
	if (h->n == MAXO)
		return &h->obs[MAXO - 1];
	struct an_obs *o = &h->obs[h->n++];
	memset(o, 0, sizeof(*o));
	int v = 0;
	o->kind = kind;
	o->ts = ts;
	o->start_ts = ts;
	addr_of(&o->src, &v, src);
	addr_of(&o->dst, &v, dst);
	o->ip_ver = (uint8_t)v;
	o->proto = proto;
	o->sp = 40000;
	o->dp = dp;
	o->flow_id = h->n;
	if (an_is_home(&h->env, v, o->src.a))
		o->flags |= AN_F_SRC_HOME;
	if (an_is_home(&h->env, v, o->dst.a))
		o->flags |= AN_F_DST_HOME;
	return o;
}

/* A probe and its flow's end `after` seconds later; answer: 0 none, 1 SYN-ACK / reply, 2 RST. */
static void probe(struct harness *h, uint64_t ts, const char *src, const char *dst, uint8_t proto,
		  uint16_t dp, int answer)
{
	struct an_obs *o = obs(h, AN_OBS_FLOW_START, ts, src, dst, proto, dp);
	if (proto == 6)
		o->tcp_flags[0] = TH_SYN;
	if (proto == 1 || proto == 58)
		o->icmp_type = proto == 1 ? 8 : 128;
	struct an_obs e = *o;
	e.kind = AN_OBS_FLOW_END;
	e.start_ts = ts;
	e.ts = ts + (answer == 0 ? 60 : 1) * SEC;
	e.pkts[0] = 1;
	e.pkts[1] = answer ? 1 : 0;
	e.tcp_flags[0] = proto == 6 ? TH_SYN : 0;
	e.tcp_flags[1] = proto == 6 ? (answer == 1   ? TH_SYN | TH_ACK
				       : answer == 2 ? TH_RST | TH_ACK
						     : 0)
				    : 0;
	if (answer)
		e.flags |= AN_F_ANSWERED;
	if (h->n < MAXO)
		h->obs[h->n++] = e;
}

static int by_ts(const void *x, const void *y)
{
	const struct an_obs *a = x, *b = y;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->kind < b->kind ? -1 : a->kind > b->kind;
}

/* Feed everything in time order with a tick each second to `until`, finish, read the records. */
static void run(struct harness *h, uint64_t until)
{
	qsort(h->obs, h->n, sizeof(*h->obs), by_ts);
	uint64_t tick = T0 + SEC;
	for (size_t i = 0; i < h->n; i++) {
		while (tick <= h->obs[i].ts) {
			analytic_scan.tick(h->st, tick);
			tick += SEC;
		}
		analytic_scan.obs(h->st, &h->obs[i]);
	}
	for (; tick <= until; tick += SEC)
		analytic_scan.tick(h->st, tick);
	analytic_scan.finish(h->st, until);
	an_emit_flush(&h->em);
	fflush(h->eve.f);
	char path[128], line[65536];
	snprintf(path, sizeof(path), "%s/eve.json", h->dir);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f)) {
		json_error_t je;
		json_t *j = json_loads(line, 0, &je);
		CHECK(j != NULL);
		if (j && h->n_rec < 64)
			h->rec[h->n_rec++] = j;
		else
			json_decref(j);
	}
	if (f)
		fclose(f);
}

static void h_free(struct harness *h)
{
	char path[128];
	for (size_t i = 0; i < h->n_rec; i++)
		json_decref(h->rec[i]);
	analytic_scan.free(h->st);
	an_emit_free(&h->em);
	eve_close(&h->eve);
	ipset_free(&h->home);
	free(h->obs);
	snprintf(path, sizeof(path), "%s/eve.json", h->dir);
	unlink(path);
	rmdir(h->dir);
}

/* The record of a kind, final or not (NULL: none); *count: how many. */
static json_t *find(struct harness *h, const char *kind, bool final, int *count)
{
	json_t *r = NULL;
	int n = 0;
	for (size_t i = 0; i < h->n_rec; i++) {
		json_t *s = json_object_get(h->rec[i], "scan");
		if (!s || strcmp(json_string_value(json_object_get(s, "kind")), kind) ||
		    json_is_true(json_object_get(s, "final")) != final)
			continue;
		n++;
		r = h->rec[i];
	}
	if (count)
		*count = n;
	return r;
}

static uint64_t num(json_t *r, const char *key)
{
	json_t *s = json_object_get(r, "scan");
	return (uint64_t)json_integer_value(json_object_get(s, key));
}

static const char *str(json_t *r, const char *key)
{
	const char *v = json_string_value(json_object_get(r, key));
	return v ? v : "";
}

static void test_horizontal(void)
{
	struct harness h;
	h_init(&h, NULL);
	char dst[32];
	/* 254 hosts of 10.10.2.0/24 on 445 in 60 s: 20 open, 30 closed */
	for (int i = 1; i <= 254; i++) {
		snprintf(dst, sizeof(dst), "10.10.2.%d", i);
		probe(&h, T0 + (uint64_t)(i - 1) * 236000000ull, "198.51.100.23", dst, 6, 445,
		      i % 12 == 0 && i <= 240 ? 1
		      : i % 5 == 0 && i % 12  ? 2
					      : 0);
	}
	run(&h, T0 + 400 * SEC);
	int n;
	json_t *early = find(&h, "horizontal", false, &n);
	CHECK_EQ(n, 1);
	json_t *fin = find(&h, "horizontal", true, &n);
	CHECK_EQ(n, 1);
	CHECK(early && fin);
	if (early && fin) {
		CHECK_EQ(num(early, "distinct_hosts"), 50);
		CHECK_EQ(num(fin, "distinct_hosts"), 254);
		CHECK_EQ(num(fin, "probes"), 254);
		CHECK_EQ(num(fin, "port"), 445);
		CHECK_EQ(num(fin, "threshold"), 50);
		CHECK_EQ(num(fin, "severity"), 3);
		CHECK_STR(str(fin, "src_ip"), "198.51.100.23");
		CHECK_STR(str(fin, "dest_ip"), "10.10.2.1");
		CHECK_STR(str(json_object_get(fin, "scan"), "category"), "scan");
		CHECK_STR(str(json_object_get(fin, "scan"), "first_seen"),
			  "2024-01-15T09:00:00.000000+0000");
		json_t *a = json_object_get(json_object_get(fin, "scan"), "answers");
		CHECK_EQ(json_integer_value(json_object_get(a, "open")), 20);
		CHECK_EQ(json_integer_value(json_object_get(a, "closed")), 46);
		CHECK_EQ(json_integer_value(json_object_get(a, "unanswered")), 254 - 66);
		json_t *rh = json_object_get(json_object_get(fin, "scan"), "responsive_hosts");
		CHECK_EQ(json_array_size(rh), 16);
		CHECK_STR(json_string_value(json_array_get(rh, 0)), "10.10.2.12");
		json_t *m = json_object_get(json_object_get(fin, "scan"), "mitre");
		CHECK_STR(str(m, "technique_id"), "T1595");
		CHECK(json_is_false(json_object_get(json_object_get(fin, "scan"), "estimated")));
	}
	CHECK(find(&h, "vertical", true, &n) == NULL);
	CHECK_EQ(h.cnt.c[CNT_AN_SCAN_RECORDS], 2);
	h_free(&h);
}

static void test_vertical_sweep(void)
{
	struct harness h;
	h_init(&h, NULL);
	/* ports 1-1024 of the file server in 30 s, 22/80/445 open */
	for (int p = 1; p <= 1024; p++)
		probe(&h, T0 + (uint64_t)(p - 1) * 29000000ull, "10.10.1.23", "10.10.0.20", 6,
		      (uint16_t)p, p == 22 || p == 80 || p == 445 ? 1 : 2);
	/* ping 10.10.3.1-100 in 20 s, 10 answer */
	char dst[32];
	for (int i = 1; i <= 100; i++) {
		snprintf(dst, sizeof(dst), "10.10.3.%d", i);
		probe(&h, T0 + 100 * SEC + (uint64_t)i * 200000000ull, "10.10.1.23", dst, 1, 0,
		      i % 10 == 0);
	}
	run(&h, T0 + 600 * SEC);
	int n;
	json_t *v = find(&h, "vertical", true, &n);
	CHECK_EQ(n, 1);
	if (v) {
		json_t *s = json_object_get(v, "scan");
		CHECK_EQ(num(v, "distinct_ports"), 1024);
		CHECK_EQ(num(v, "port_low"), 1);
		CHECK_EQ(num(v, "port_high"), 1024);
		CHECK_EQ(num(v, "probes"), 1024);
		CHECK_EQ(num(v, "severity"), 1);
		CHECK_STR(str(v, "dest_ip"), "10.10.0.20");
		json_t *op = json_object_get(s, "open_ports");
		CHECK_EQ(json_array_size(op), 3);
		CHECK_EQ(json_integer_value(json_array_get(op, 0)), 22);
		CHECK_EQ(json_integer_value(json_array_get(op, 2)), 445);
		CHECK_EQ(
		    json_integer_value(json_object_get(json_object_get(s, "answers"), "closed")),
		    1021);
		CHECK_STR(str(json_object_get(s, "mitre"), "technique_id"), "T1046");
		CHECK(json_is_true(json_object_get(s, "internal_source")));
	}
	json_t *w = find(&h, "sweep", true, &n);
	CHECK_EQ(n, 1);
	if (w) {
		json_t *s = json_object_get(w, "scan");
		CHECK_EQ(num(w, "distinct_hosts"), 100);
		CHECK_EQ(num(w, "severity"), 1);
		CHECK_EQ(json_integer_value(json_object_get(json_object_get(s, "answers"), "open")),
			 10);
		CHECK_STR(str(json_object_get(s, "mitre"), "technique_id"), "T1018");
		CHECK_STR(str(w, "proto"), "ICMP");
	}
	/* one probe per port: no horizontal */
	CHECK(find(&h, "horizontal", true, &n) == NULL);
	h_free(&h);
}

static void test_backscatter(void)
{
	struct harness h;
	h_init(&h, NULL);
	char dst[32];
	for (int i = 0; i < 200; i++) {
		snprintf(dst, sizeof(dst), "10.99.%d.%d", i / 7, (i * 37) % 250 + 1);
		uint64_t ts = T0 + (uint64_t)i * 50000000ull;
		struct an_obs *o;
		if (i < 150) {
			/* as the flow table makes it: the SYN-ACK's sender is the responder */
			o = obs(&h, AN_OBS_FLOW_START, ts, dst, "192.0.2.77", 6, 80);
			o->sp = (uint16_t)(1024 + i);
			o->tcp_flags[0] = TH_SYN | TH_ACK;
		} else {
			o = obs(&h, AN_OBS_FLOW_START, ts, "192.0.2.77", dst, 6,
				(uint16_t)(1024 + i));
			o->sp = 80;
			o->tcp_flags[0] = TH_RST;
		}
	}
	/* an ICMP port unreachable to a host that asked is an answer */
	probe(&h, T0, "10.10.1.10", "10.10.0.10", 17, 53, 1);
	struct an_obs *u = obs(&h, AN_OBS_FLOW_START, T0 + 1, "10.10.0.10", "10.10.1.10", 1, 0);
	u->icmp_type = 3;
	run(&h, T0 + 300 * SEC);
	int n;
	json_t *b = find(&h, "backscatter", true, &n);
	CHECK_EQ(n, 1);
	if (b) {
		json_t *s = json_object_get(b, "scan");
		CHECK_EQ(num(b, "packets"), 200);
		CHECK_EQ(num(b, "severity"), 3);
		CHECK(json_object_get(s, "category") == NULL);
		CHECK(json_object_get(s, "mitre") == NULL);
		json_t *t = json_object_get(s, "by_type");
		CHECK_EQ(json_integer_value(json_object_get(t, "syn_ack")), 150);
		CHECK_EQ(json_integer_value(json_object_get(t, "rst")), 50 - 0);
	}
	CHECK_EQ(h.cnt.c[CNT_AN_SCAN_BACKSCATTER], 200);
	/* no probe counted from the victim */
	CHECK(find(&h, "horizontal", false, &n) == NULL);
	CHECK(find(&h, "vertical", false, &n) == NULL);
	h_free(&h);
}

static void test_benign(void)
{
	struct harness h;
	h_init(&h, NULL);
	char a[32];
	/* an office host to 60 web servers over two hours, irregularly */
	uint64_t t = T0;
	for (int i = 0; i < 400; i++) {
		snprintf(a, sizeof(a), "93.184.%d.%d", i % 60 / 10, i % 60 + 1);
		probe(&h, t, "10.10.1.11", a, 6, 443, 1);
		t += (uint64_t)(20 + (i * 7919) % 340) * SEC / 2;
	}
	/* a web server reached by 800 internet clients in a minute */
	for (int i = 0; i < 800; i++) {
		snprintf(a, sizeof(a), "203.0.%d.%d", i / 200, i % 200 + 1);
		probe(&h, T0 + (uint64_t)i * 75000000ull, a, "10.10.0.80", 6, 443, 1);
	}
	/* a resolver asking four upstreams, NTP to two servers */
	for (int i = 0; i < 2000; i++) {
		snprintf(a, sizeof(a), "198.18.0.%d", i % 4 + 1);
		probe(&h, T0 + (uint64_t)i * 300000000ull, "10.10.0.10", a, 17, 53, 1);
	}
	for (int i = 0; i < 8; i++)
		probe(&h, T0 + (uint64_t)i * 1024 * SEC, "10.10.0.10",
		      i % 2 ? "162.159.200.1" : "162.159.200.123", 17, 123, 1);
	run(&h, T0 + 7300 * SEC);
	CHECK_EQ(h.n_rec, 0);
	CHECK_EQ(h.cnt.c[CNT_AN_SCAN_BACKSCATTER], 0);
	h_free(&h);
}

static void test_cap(void)
{
	static const char *const set[] = {"analytics.scan.max-sources", "128", NULL};
	struct harness h;
	h_init(&h, set);
	char a[32];
	/* 3000 sources, one SYN each */
	for (int i = 0; i < 3000; i++) {
		snprintf(a, sizeof(a), "100.%d.%d.%d", i / 65536, i / 256 % 256, i % 256);
		struct an_obs *o = obs(&h, AN_OBS_FLOW_START, T0 + (uint64_t)i * 1000000ull, a,
				       "10.10.0.80", 6, 80);
		o->tcp_flags[0] = TH_SYN;
	}
	/* a scan amid the flood is still found */
	for (int i = 1; i <= 60; i++) {
		snprintf(a, sizeof(a), "10.10.9.%d", i);
		probe(&h, T0 + 4 * SEC + (uint64_t)i * 10000000ull, "198.51.100.23", a, 6, 22, 0);
	}
	run(&h, T0 + 300 * SEC);
	CHECK(h.cnt.c[CNT_AN_SCAN_EVICTED] >= 3000 * 2 - 128);
	CHECK(h.cnt.c[CNT_AN_SCAN_TRACKED] <= 128);
	int n;
	json_t *r = find(&h, "horizontal", true, &n);
	CHECK_EQ(n, 1);
	if (r)
		CHECK_EQ(num(r, "distinct_hosts"), 60);
	h_free(&h);
}

static void test_hostile(void)
{
	static const char *const set[] = {"analytics.scan.hosts", "200", NULL};
	struct harness h;
	h_init(&h, set);
	char a[64];
	/* IPv6, every probe at the same instant, huge packet counts at the end */
	for (int i = 0; i < 100; i++) {
		snprintf(a, sizeof(a), "2001:db8:1::%x", i + 1);
		probe(&h, T0 + SEC, "2001:db8:bad::1", a, 17, 161, 1);
		h.obs[h.n - 1].pkts[0] = UINT64_MAX;
		h.obs[h.n - 1].pkts[1] = UINT64_MAX;
		h.obs[h.n - 1].name_len = 255;
		memset(h.obs[h.n - 1].name, 'x', 255);
	}
	/* 1000 IPv4 hosts against a threshold past the exact set: estimated */
	for (int i = 0; i < 1000; i++) {
		snprintf(a, sizeof(a), "10.20.%d.%d", i / 250, i % 250 + 1);
		probe(&h, T0 + 2 * SEC + (uint64_t)i * 10000000ull, "203.0.113.9", a, 6, 3389, 0);
	}
	/* nonsense: no IP version, an unknown kind */
	struct an_obs *o = obs(&h, AN_OBS_FLOW_START, T0 + 3 * SEC, "1.2.3.4", "5.6.7.8", 6, 1);
	o->ip_ver = 0;
	o = obs(&h, 99, T0 + 3 * SEC, "1.2.3.4", "5.6.7.8", 6, 1);
	run(&h, T0 + 300 * SEC);
	int n;
	CHECK(find(&h, "horizontal", true, &n) != NULL);
	CHECK_EQ(n, 1); /* the IPv6 one has 100 hosts, under 200 */
	json_t *r = find(&h, "horizontal", true, &n);
	if (r) {
		uint64_t d = num(r, "distinct_hosts");
		CHECK(d >= 950 && d <= 1050);
		CHECK(json_is_true(json_object_get(json_object_get(r, "scan"), "estimated")));
		CHECK_STR(str(r, "src_ip"), "203.0.113.9");
	}
	/* the IPv6 source: a vertical? no, one port; with the threshold lowered it is found */
	h_free(&h);

	static const char *const set6[] = {"analytics.scan.hosts", "50", "analytics.scan.window",
					   "0", NULL};
	h_init(&h, set6);
	for (int i = 0; i < 100; i++) {
		snprintf(a, sizeof(a), "2001:db8:1::%x", i + 1);
		probe(&h, T0 + SEC, "2001:db8:bad::1", a, 17, 161, i < 3);
	}
	run(&h, T0 + 300 * SEC);
	r = find(&h, "horizontal", true, &n);
	CHECK_EQ(n, 1);
	if (r) {
		CHECK_EQ(num(r, "distinct_hosts"), 100);
		CHECK_STR(str(r, "src_ip"), "2001:db8:bad::1");
		CHECK_EQ(num(r, "severity"), 3);
		json_t *rh = json_object_get(json_object_get(r, "scan"), "responsive_hosts");
		CHECK_EQ(json_array_size(rh), 3);
		CHECK_STR(json_string_value(json_array_get(rh, 0)), "2001:db8:1::1");
	}
	h_free(&h);
}

int main(void)
{
	test_horizontal();
	test_vertical_sweep();
	test_backscatter();
	test_benign();
	test_cap();
	test_hostile();
	return check_report("an_scan");
}
