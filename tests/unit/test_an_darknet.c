/*
 * The darknet analytic fed synthetic flows: probes and backscatter to the
 * dark prefixes with the day's exact totals, classes, top sources and ports,
 * the daily counters of potential attacks; nothing for addresses outside
 * them; a day change; the entry cap and its counter; hostile values (IPv6,
 * huge counts, flows with no packets); off when no prefix is set.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include "analytics/analytic.h"
#include "analytics/emit.h"
#include "check.h"
#include "detect/addrset.h"

extern const struct analytic analytic_darknet;
extern const struct analytic analytic_daily;

#define SEC (1000000000ull)
#define T0  (1705309200ull * SEC) /* 2024-01-15T09:00:00Z */

struct harness {
	char dir[64];
	struct eve eve;
	struct an_emit em;
	struct config cfg;
	struct counters cnt;
	struct ipset home;
	struct an_env env;
	void *st, *daily;
	json_t *rec[16];
	size_t n_rec;
};

static void h_init(struct harness *h, const char *const *set)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->dir, sizeof(h->dir), "/tmp/test_an_darknet.XXXXXX");
	CHECK(mkdtemp(h->dir) != NULL);
	CHECK(eve_open(&h->eve, h->dir, "eve.json") == 0);
	config_defaults(&h->cfg);
	CHECK(config_set(&h->cfg, "analytics.darknet.prefixes", "10.99.0.0/16,2001:db8:dead::/48",
			 "test") == 0);
	for (; set && *set; set += 2)
		CHECK(config_set(&h->cfg, set[0], set[1], "test") == 0);
	CHECK(an_emit_init(&h->em, &h->eve, NULL, NULL, &h->cnt, true) == 0);
	struct addrset_err err;
	CHECK(ipset_parse(&h->home, "10.0.0.0/8", NULL, NULL, &err) == 0);
	h->env = (struct an_env){.cfg = &h->cfg, .emit = &h->em, .cnt = &h->cnt, .home = &h->home};
	CHECK(analytic_darknet.init(&h->env, &h->st) == 0);
	CHECK(analytic_daily.init(&h->env, &h->daily) == 0);
	h->em.daily = h->daily;
}

static void feed(struct harness *h, const struct an_obs *o)
{
	if (h->st)
		analytic_darknet.obs(h->st, o);
	analytic_daily.obs(h->daily, o);
}

/* One flow: its start, then its end with pkts toward the responder. */
static void flow(struct harness *h, uint64_t ts, const char *src, const char *dst, uint8_t proto,
		 uint16_t sp, uint16_t dp, uint8_t first, uint64_t pkts)
{
	struct an_obs o;
	memset(&o, 0, sizeof(o));
	int v = inet_pton(AF_INET, src, o.src.a) == 1 ? 4 : 6;
	if (v == 6)
		inet_pton(AF_INET6, src, o.src.a);
	inet_pton(v == 4 ? AF_INET : AF_INET6, dst, o.dst.a);
	o.ip_ver = (uint8_t)v;
	o.kind = AN_OBS_FLOW_START;
	o.ts = o.start_ts = ts;
	o.proto = proto;
	o.sp = sp;
	o.dp = dp;
	if (proto == 6)
		o.tcp_flags[0] = first;
	else
		o.icmp_type = first;
	feed(h, &o);
	o.kind = AN_OBS_FLOW_END;
	o.ts = ts + SEC;
	if (first == (TH_SYN | TH_ACK))
		o.pkts[1] = pkts; /* the flow table's view: the sender is the responder */
	else
		o.pkts[0] = pkts;
	o.tcp_flags[1] = first == (TH_SYN | TH_ACK) ? first : 0;
	feed(h, &o);
}

static void finish(struct harness *h, uint64_t now)
{
	if (h->st)
		analytic_darknet.finish(h->st, now);
	analytic_daily.finish(h->daily, now);
	an_emit_flush(&h->em);
	fflush(h->eve.f);
	char path[128], line[1 << 17];
	snprintf(path, sizeof(path), "%s/eve.json", h->dir);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f)) {
		json_error_t je;
		json_t *j = json_loads(line, 0, &je);
		CHECK(j != NULL);
		if (j && h->n_rec < 16)
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
	if (h->st)
		analytic_darknet.free(h->st);
	analytic_daily.free(h->daily);
	an_emit_free(&h->em);
	eve_close(&h->eve);
	ipset_free(&h->home);
	snprintf(path, sizeof(path), "%s/eve.json", h->dir);
	unlink(path);
	rmdir(h->dir);
}

/* The n-th record of a type (its object), or NULL. */
static json_t *rec(struct harness *h, const char *type, int nth)
{
	for (size_t i = 0; i < h->n_rec; i++) {
		json_t *o = json_object_get(h->rec[i], type);
		if (o && nth-- == 0)
			return o;
	}
	return NULL;
}

static int64_t num(json_t *o, const char *path)
{
	char k[64];
	snprintf(k, sizeof(k), "%s", path);
	for (char *p = k, *dot; o; p = dot + 1) {
		dot = strchr(p, '.');
		if (dot)
			*dot = 0;
		o = json_object_get(o, p);
		if (!dot)
			break;
	}
	return json_integer_value(o);
}

static void test_day(void)
{
	struct harness h;
	h_init(&h, NULL);
	char a[64];
	/* 203.0.113.50: 200 SYNs to port 23, 100 to 2323, each to its own address */
	for (int i = 0; i < 300; i++) {
		snprintf(a, sizeof(a), "10.99.%d.%d", i / 200, i % 200 + 1);
		flow(&h, T0 + (uint64_t)i * SEC, "203.0.113.50", a, 6, 40000, i < 200 ? 23 : 2323,
		     TH_SYN, 1);
	}
	/* backscatter: 150 SYN-ACKs (the flow table's orientation) and 50 RSTs */
	for (int i = 0; i < 200; i++) {
		snprintf(a, sizeof(a), "10.99.7.%d", i + 1);
		if (i < 150)
			flow(&h, T0 + 400 * SEC + (uint64_t)i * SEC, a, "192.0.2.77", 6,
			     (uint16_t)(2000 + i), 80, TH_SYN | TH_ACK, 1);
		else
			flow(&h, T0 + 400 * SEC + (uint64_t)i * SEC, "192.0.2.77", a, 6, 80,
			     (uint16_t)(2000 + i), TH_RST, 1);
	}
	/* 198.51.100.99: 40 UDP/53, 10 ICMP echo */
	for (int i = 0; i < 50; i++) {
		snprintf(a, sizeof(a), "10.99.9.%d", i + 1);
		flow(&h, T0 + 700 * SEC + (uint64_t)i * SEC, "198.51.100.99", a, i < 40 ? 17 : 1,
		     5353, i < 40 ? 53 : 0, i < 40 ? 0 : 8, 1);
	}
	/* not dark: a scan elsewhere, a dark address speaking first */
	flow(&h, T0 + 800 * SEC, "203.0.113.50", "10.98.0.1", 6, 40000, 23, TH_SYN, 5);
	flow(&h, T0 + 801 * SEC, "10.99.0.1", "8.8.8.8", 17, 5353, 53, 0, 5);
	finish(&h, T0 + 900 * SEC);

	json_t *d = rec(&h, "darknet", 0);
	CHECK(d != NULL);
	CHECK(rec(&h, "darknet", 1) == NULL);
	CHECK_STR(json_string_value(json_object_get(d, "date")), "2024-01-15");
	CHECK_EQ(num(d, "packets"), 550);
	CHECK_EQ(num(d, "sources"), 3);
	CHECK_EQ(num(d, "by_class.scan"), 350);
	CHECK_EQ(num(d, "by_class.backscatter"), 200);
	CHECK_EQ(num(d, "by_proto.tcp"), 500);
	CHECK_EQ(num(d, "by_proto.udp"), 40);
	CHECK_EQ(num(d, "by_proto.icmp"), 10);
	json_t *ts = json_object_get(d, "top_sources");
	CHECK_EQ(json_array_size(ts), 3);
	json_t *t0 = json_array_get(ts, 0), *t1 = json_array_get(ts, 1);
	CHECK_STR(json_string_value(json_object_get(t0, "ip")), "203.0.113.50");
	CHECK_EQ(num(t0, "packets"), 300);
	CHECK_EQ(num(t0, "ports"), 2);
	CHECK_STR(json_string_value(json_object_get(t0, "class")), "scan");
	CHECK_STR(json_string_value(json_object_get(t1, "ip")), "192.0.2.77");
	CHECK_STR(json_string_value(json_object_get(t1, "class")), "backscatter");
	json_t *tp = json_array_get(json_object_get(d, "top_ports"), 0);
	CHECK_EQ(num(tp, "port"), 23);
	CHECK_EQ(num(tp, "packets"), 200);
	CHECK_EQ(h.cnt.c[CNT_AN_DARKNET_PACKETS], 550);
	CHECK_EQ(h.cnt.c[CNT_AN_DARKNET_OVERFLOW], 0);
	/* the daily counters: the 350 probe packets are potential attacks */
	json_t *dy = rec(&h, "daily", 0);
	json_t *cats = json_object_get(json_object_get(dy, "attacks"), "by_category");
	int64_t dark = -1;
	for (size_t i = 0; i < json_array_size(cats); i++) {
		json_t *c = json_array_get(cats, i);
		if (!strcmp(json_string_value(json_object_get(c, "category")), "darknet"))
			dark = num(c, "count");
	}
	CHECK_EQ(dark, 350);
	h_free(&h);
}

static void test_days_cap_hostile(void)
{
	static const char *const set[] = {"analytics.darknet.max-sources", "16", NULL};
	struct harness h;
	h_init(&h, set);
	char a[64];
	/* 100 sources on the first day: 16 entries, the rest in "other" */
	for (int i = 0; i < 100; i++) {
		snprintf(a, sizeof(a), "100.64.0.%d", i + 1);
		flow(&h, T0 + (uint64_t)i * SEC, a, "10.99.1.1", 6, 1000, 445, TH_SYN, 2);
	}
	/* IPv6 and a huge count on the next day; a flow with no packets */
	uint64_t t2 = T0 + 86400 * SEC;
	flow(&h, t2, "2001:db8:bad::1", "2001:db8:dead::5", 58, 0, 0, 128, UINT64_MAX / 4);
	flow(&h, t2 + SEC, "2001:db8:bad::1", "2001:db8:dead::6", 6, 1, 22, TH_SYN, 0);
	finish(&h, t2 + 10 * SEC);
	json_t *d1 = rec(&h, "darknet", 0), *d2 = rec(&h, "darknet", 1);
	CHECK(d1 && d2);
	CHECK_EQ(num(d1, "packets"), 200);
	CHECK_EQ(num(d1, "entries"), 16);
	CHECK_EQ(num(d1, "other_packets"), 168);
	CHECK_EQ(h.cnt.c[CNT_AN_DARKNET_OVERFLOW], 168);
	CHECK_STR(json_string_value(json_object_get(d2, "date")), "2024-01-16");
	CHECK_EQ(num(d2, "packets"), (int64_t)(UINT64_MAX / 4));
	json_t *s = json_array_get(json_object_get(d2, "top_sources"), 0);
	CHECK_STR(json_string_value(json_object_get(s, "ip")), "2001:db8:bad::1");
	CHECK_EQ(num(s, "ports"), 2);
	h_free(&h);

	/* no prefix: off */
	struct config cfg;
	config_defaults(&cfg);
	void *st = (void *)1;
	struct counters cnt;
	memset(&cnt, 0, sizeof(cnt));
	struct an_env env = {.cfg = &cfg, .cnt = &cnt};
	CHECK(analytic_darknet.init(&env, &st) == 0);
	CHECK(st == NULL);
	/* a bad prefix: an error */
	CHECK(config_set(&cfg, "analytics.darknet.prefixes", "10.99.0.0/99", "test") == 0);
	CHECK(analytic_darknet.init(&env, &st) == -1);
}

int main(void)
{
	test_day();
	test_days_cap_hostile();
	return check_report("an_darknet");
}
