/*
 * test_an_zone — the zone policy analytic: internet deny both ways, allow
 * lists (another zone, a home host, an office host reaching into the zone),
 * allowed traffic, IPv6, the completing record at flow end, the daily
 * summary and counters, and the configuration errors (a bad CIDR, an allow
 * list naming an unknown zone).
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analytics/analytic.h"
#include "analytics/emit.h"
#include "check.h"
#include "core/config.h"
#include "detect/addrset.h"

extern const struct analytic analytic_zone;

#define S  1000000000ull
#define T0 (1705309200ull * S) /* 2024-01-15T09:00:00Z */

/* ---- a hub of one analytic: config, EVE in a temporary folder ---- */

struct harness {
	struct config cfg;
	struct eve eve;
	struct an_emit em;
	struct counters cnt;
	struct ipset home;
	struct an_env env;
	char dir[64];
	void *st;
	const struct analytic *an;
	json_t *recs[4096];
	size_t n;
};

/* Set up with key=value settings (NULL-terminated). Returns init's result. */
static int h_open(struct harness *h, const struct analytic *an, const char *const *sets)
{
	struct addrset_err err;
	memset(h, 0, sizeof(*h));
	config_defaults(&h->cfg);
	for (size_t i = 0; sets && sets[i]; i++)
		if (config_set_kv(&h->cfg, sets[i]) < 0)
			return -2;
	snprintf(h->dir, sizeof(h->dir), "/tmp/mamori-an-XXXXXX");
	if (!mkdtemp(h->dir) || eve_open(&h->eve, h->dir, "eve.json") < 0 ||
	    an_emit_init(&h->em, &h->eve, NULL, NULL, &h->cnt, true) < 0 ||
	    ipset_parse(&h->home, "10.0.0.0/8", NULL, NULL, &err) < 0)
		return -2;
	h->env = (struct an_env){&h->cfg, &h->em, &h->cnt, NULL, &h->home};
	h->an = an;
	return an->init(&h->env, &h->st);
}

/* Finish at packet time now (0: no finish) and read every record written. */
static void h_read(struct harness *h, uint64_t now)
{
	char path[128], line[65536];
	if (now && h->st && h->an->finish)
		h->an->finish(h->st, now);
	an_emit_flush(&h->em);
	fflush(h->eve.f);
	for (size_t i = 0; i < h->n; i++)
		json_decref(h->recs[i]);
	h->n = 0;
	snprintf(path, sizeof(path), "%s/eve.json", h->dir);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f) && h->n < 4096) {
		json_t *j = json_loads(line, 0, NULL);
		CHECK(j != NULL);
		if (j)
			h->recs[h->n++] = j;
	}
	if (f)
		fclose(f);
}

static void h_close(struct harness *h)
{
	char path[128];
	for (size_t i = 0; i < h->n; i++)
		json_decref(h->recs[i]);
	if (h->an && h->st)
		h->an->free(h->st);
	an_emit_free(&h->em);
	eve_close(&h->eve);
	ipset_free(&h->home);
	snprintf(path, sizeof(path), "%s/eve.json", h->dir);
	unlink(path);
	rmdir(h->dir);
}

static void set_addr(struct addr *a, int ver, const char *text)
{
	memset(a, 0, sizeof(*a));
	inet_pton(ver == 6 ? AF_INET6 : AF_INET, text, a->a);
}

/* The n-th record's object named type, or NULL. */
static json_t *obj(json_t *rec, const char *type)
{
	return json_object_get(rec, type);
}

static json_int_t num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static const char *const ot_sets[] = {
    "analytics.zones.ot.networks=10.50.0.0/24",
    "analytics.zones.ot.internet=deny",
    "analytics.zones.ot.allow=ot,ot-dmz",
    "analytics.zones.ot-dmz.networks=10.50.1.0/24",
    "analytics.zones.ot-dmz.internet=deny",
    "analytics.zones.lab6.networks=fd00:50::/64",
    "analytics.zones.lab6.internet=deny",
    "analytics.zones.lab6.allow=lab6",
    NULL,
};

static uint64_t next_id = 1;

/* A flow's start (and, when pkts, its end one second later). */
static void flow(struct harness *h, uint64_t ts, int ver, const char *src, const char *dst,
		 uint8_t proto, uint16_t dp, uint64_t pkts)
{
	struct an_obs o;
	memset(&o, 0, sizeof(o));
	o.kind = AN_OBS_FLOW_START;
	o.ts = o.start_ts = ts;
	o.flow_id = next_id++;
	o.ip_ver = (uint8_t)ver;
	o.proto = proto;
	set_addr(&o.src, ver, src);
	set_addr(&o.dst, ver, dst);
	o.sp = 40000;
	o.dp = dp;
	o.tcp_flags[0] = proto == 6 ? 0x02 : 0;
	o.icmp_type = proto == 1 ? 8 : 0;
	h->an->obs(h->st, &o);
	if (!pkts)
		return;
	o.kind = AN_OBS_FLOW_END;
	o.ts = ts + S;
	o.pkts[0] = pkts;
	o.pkts[1] = pkts;
	o.bytes[0] = pkts * 100;
	o.bytes[1] = pkts * 60;
	h->an->obs(h->st, &o);
}

static json_t *find(struct harness *h, const char *kind, const char *zone, bool final, int nth)
{
	for (size_t i = 0; i < h->n; i++) {
		json_t *z = obj(h->recs[i], "zone");
		if (!strcmp(str(z, "kind"), kind) && !strcmp(str(z, "zone"), zone) &&
		    json_is_true(json_object_get(z, "final")) == final && nth-- == 0)
			return h->recs[i];
	}
	return NULL;
}

static void test_policies(void)
{
	struct harness h;
	CHECK_EQ(h_open(&h, &analytic_zone, ot_sets), 0);
	uint64_t t = T0;
	/* allowed: inside ot, ot -> ot-dmz, ot-dmz -> home (ot-dmz talks to any zone),
	 * office to office (no zone) */
	flow(&h, t, 4, "10.50.0.7", "10.50.0.5", 6, 502, 4);
	flow(&h, t + S, 4, "10.50.1.10", "10.50.0.7", 6, 502, 4);
	flow(&h, t + 2 * S, 4, "10.50.0.7", "10.50.1.10", 6, 502, 4);
	flow(&h, t + 3 * S, 4, "10.50.1.10", "10.10.1.5", 6, 443, 2);
	flow(&h, t + 4 * S, 4, "10.10.1.5", "8.8.8.8", 17, 53, 1);
	h_read(&h, 0);
	CHECK_EQ(h.n, 0);
	CHECK_EQ(h.cnt.c[CNT_AN_ZONE_FLOWS], 4);
	CHECK_EQ(h.cnt.c[CNT_AN_ZONE_PACKETS], 28);
	/* violations */
	flow(&h, t + 10 * S, 4, "10.50.0.7", "8.8.8.8", 17, 53, 0);	  /* ot -> internet */
	flow(&h, t + 11 * S, 4, "10.50.0.8", "93.184.216.34", 6, 443, 1); /* SYN out */
	flow(&h, t + 12 * S, 4, "10.10.1.30", "10.50.0.7", 6, 502, 10);	  /* office -> ot */
	flow(&h, t + 13 * S, 4, "10.50.0.7", "10.10.1.30", 1, 0, 0);	  /* ot -> home */
	flow(&h, t + 14 * S, 4, "1.2.3.4", "10.50.1.10", 6, 22, 0);	  /* internet -> dmz */
	flow(&h, t + 15 * S, 4, "10.50.1.10", "93.184.216.34", 6, 80, 0); /* dmz -> internet */
	h_read(&h, 0);
	CHECK_EQ(h.cnt.c[CNT_AN_ZONE_VIOLATIONS], 6);
	json_t *r = find(&h, "violation", "ot", false, 0), *z = obj(r, "zone");
	CHECK_STR(str(r, "src_ip"), "10.50.0.7");
	CHECK_STR(str(r, "dest_ip"), "8.8.8.8");
	CHECK_EQ(num(r, "dest_port"), 53);
	CHECK_STR(str(r, "proto"), "UDP");
	CHECK_STR(str(z, "rule"), "internet");
	CHECK_STR(str(z, "peer_zone"), "internet");
	CHECK_STR(str(z, "direction"), "outbound");
	CHECK_STR(str(z, "category"), "zone");
	CHECK_EQ(num(z, "severity"), 1);
	CHECK_STR(str(obj(z, "mitre"), "technique_id"), "T1071");
	CHECK_STR(str(obj(z, "policy"), "allow"), "ot,ot-dmz");
	r = find(&h, "violation", "ot", false, 1);
	z = obj(r, "zone");
	CHECK_STR(str(r, "src_ip"), "10.50.0.8");
	CHECK_STR(str(obj(z, "first_packet"), "tcp_flags"), "02");
	CHECK(json_is_true(json_object_get(obj(z, "first_packet"), "syn")));
	r = find(&h, "violation", "ot", false, 2);
	z = obj(r, "zone");
	CHECK_STR(str(r, "src_ip"), "10.10.1.30");
	CHECK_STR(str(z, "rule"), "not-allowed-zone");
	CHECK_STR(str(z, "peer_zone"), "home");
	CHECK_STR(str(z, "direction"), "inbound");
	CHECK_STR(str(obj(z, "mitre"), "technique_id"), "T1021");
	r = find(&h, "violation", "ot", false, 3);
	z = obj(r, "zone");
	CHECK_STR(str(z, "direction"), "outbound");
	CHECK_EQ(num(obj(z, "first_packet"), "icmp_type"), 8);
	r = find(&h, "violation", "ot-dmz", false, 0);
	z = obj(r, "zone");
	CHECK_STR(str(r, "src_ip"), "1.2.3.4");
	CHECK_STR(str(z, "direction"), "inbound");
	CHECK_STR(str(obj(z, "mitre"), "technique_id"), "T1133");
	CHECK(find(&h, "violation", "ot-dmz", false, 1) != NULL);
	/* the completing records at flow end */
	r = find(&h, "violation", "ot", true, 1);
	z = obj(r, "zone");
	CHECK_STR(str(r, "src_ip"), "10.10.1.30");
	CHECK_EQ(num(z, "pkts_toserver"), 10);
	CHECK_EQ(num(z, "bytes_toclient"), 600);
	CHECK(json_object_get(z, "category") == NULL);
	CHECK_EQ(h.cnt.c[CNT_AN_ZONE_FLOWS], 10);
	/* the day's summary at the end */
	h_read(&h, t + 60 * S);
	r = find(&h, "summary", "ot", false, 0);
	z = obj(r, "zone");
	CHECK_STR(str(z, "date"), "2024-01-15");
	CHECK_EQ(num(z, "flows"), 7);
	CHECK_EQ(num(z, "violations"), 4);
	CHECK_EQ(num(z, "packets"), 8 + 8 + 8 + 2 + 20);
	CHECK_EQ(num(z, "severity"), 3);
	CHECK(json_object_get(z, "category") == NULL);
	r = find(&h, "summary", "lab6", false, 0);
	CHECK_EQ(num(obj(r, "zone"), "flows"), 0);
	h_close(&h);
}

static void test_ipv6_days(void)
{
	struct harness h;
	CHECK_EQ(h_open(&h, &analytic_zone, ot_sets), 0);
	flow(&h, T0, 6, "fd00:50::7", "fd00:50::8", 6, 22, 3);
	flow(&h, T0 + S, 6, "fd00:50::7", "2001:db8::1", 6, 443, 0);
	flow(&h, T0 + 2 * S, 6, "fd00:99::1", "fd00:50::7", 17, 161, 0);
	/* the next day */
	h.an->tick(h.st, T0 + 86400 * S);
	flow(&h, T0 + 86401 * S, 6, "2001:db8::1", "fd00:50::7", 6, 22, 0);
	h_read(&h, T0 + 86402 * S);
	json_t *r = find(&h, "violation", "lab6", false, 0), *z = obj(r, "zone");
	CHECK_STR(str(r, "dest_ip"), "2001:db8::1");
	CHECK_STR(str(z, "rule"), "internet");
	r = find(&h, "violation", "lab6", false, 1);
	z = obj(r, "zone");
	CHECK_STR(str(z, "rule"), "internet"); /* fd00:99::1 is not in HOME_NET (10/8 here) */
	CHECK_STR(str(z, "direction"), "inbound");
	r = find(&h, "summary", "lab6", false, 0);
	CHECK_STR(str(obj(r, "zone"), "date"), "2024-01-15");
	CHECK_EQ(num(obj(r, "zone"), "violations"), 2);
	CHECK_EQ(num(obj(r, "zone"), "flows"), 3);
	r = find(&h, "summary", "lab6", false, 1);
	CHECK_STR(str(obj(r, "zone"), "date"), "2024-01-16");
	CHECK_EQ(num(obj(r, "zone"), "violations"), 1);
	h_close(&h);
}

static void test_config_errors(void)
{
	struct harness h;
	const char *unknown[] = {"analytics.zones.ot.networks=10.50.0.0/24",
				 "analytics.zones.ot.allow=ot,scada", NULL};
	CHECK_EQ(h_open(&h, &analytic_zone, unknown), -1);
	CHECK(h.st == NULL);
	h_close(&h);
	const char *bad[] = {"analytics.zones.ot.networks=10.50.0.0/33", NULL};
	CHECK_EQ(h_open(&h, &analytic_zone, bad), -1);
	h_close(&h);
	const char *none[] = {NULL};
	CHECK_EQ(h_open(&h, &analytic_zone, none), 0);
	CHECK(h.st == NULL); /* no zones: off */
	h_close(&h);
	const char *two[] = {"analytics.zones.a.networks=10.1.0.0/24, 10.2.0.0/24",
			     "analytics.zones.a.internet=deny", NULL};
	CHECK_EQ(h_open(&h, &analytic_zone, two), 0);
	flow(&h, T0, 4, "10.2.0.9", "9.9.9.9", 17, 53, 0);
	h_read(&h, 0);
	CHECK_EQ(h.n, 1);
	h_close(&h);
}

int main(void)
{
	test_policies();
	test_ipv6_days();
	test_config_errors();
	return check_report("test_an_zone");
}
