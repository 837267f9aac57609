/*
 * test_an_beacon — the beacon analytic on synthetic flow ends: a jittered
 * TLS beacon found with its exact figures, one pair of records for it
 * (name key preferred), nothing on irregular browsing, internal polling,
 * NTP, inbound sessions, unanswered retries or regular timing with varying
 * sizes; the series cap and its eviction; hostile values.
 */
#include <math.h>

#include "an_harness.h"
#include "check.h"

extern const struct analytic analytic_beacon;

#define C2   "185.243.115.84"
#define HOST "10.10.1.23"
#define SNI  "update.cdn-sync.net"

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

static json_t *find(json_t *recs, bool final)
{
	size_t i;
	json_t *r;
	json_array_foreach(recs, i, r)
		if (h_true(r, "beacon", "final") == final)
			return r;
	return NULL;
}

/* 24 sessions every 300 s +-10% from 09:05, small and steady: two records, exact figures. */
static void test_detect(void)
{
	struct harness h;
	CHECK_EQ(h_open(&h, &analytic_beacon, NULL, NULL), 0);
	struct an_obs o[24];
	uint64_t st[24], iv[23], seed = 7, up = 0, down = 0, t = H_T0 + 300 * H_NS;
	for (int i = 0; i < 24; i++) {
		if (i)
			t += (uint64_t)((300 + 60 * (h_rand(&seed) - 0.5)) * 1000) * 1000000ull;
		st[i] = t;
		uint64_t u = 2300 + (uint64_t)(40 * h_rand(&seed));
		uint64_t d = 5150 + (uint64_t)(100 * h_rand(&seed));
		up += u;
		down += d;
		o[i] = h_flow(&h, HOST, C2, 6, 443, t, t + 2 * H_NS, u, d, SNI);
		if (i)
			iv[i - 1] = st[i] - st[i - 1];
	}
	h_feed(&h, o, 24);
	json_t *recs = h_records(&h, "beacon");
	CHECK_EQ(json_array_size(recs), 1); /* the early record */
	json_t *r = find(recs, false);
	CHECK(r != NULL);
	if (r) {
		CHECK_EQ(h_int(r, "beacon", "count"), 8);
		CHECK_STR(h_str(r, "beacon", "key"), "name");
		CHECK_STR(h_str(r, "beacon", "sni"), SNI);
		CHECK_STR(json_string_value(json_object_get(r, "dest_ip")), C2);
		CHECK_STR(json_string_value(json_object_get(r, "src_ip")), HOST);
		CHECK_EQ(json_integer_value(json_object_get(r, "dest_port")), 443);
		CHECK_STR(h_str(r, "beacon", "category"), "beacon");
		CHECK_EQ(h_int(r, "beacon", "severity"), 2);
		CHECK(json_integer_value(json_object_get(r, "flow_id")) != 0);
	}
	json_decref(recs);

	h_finish(&h, H_T0 + 7200 * H_NS);
	recs = h_records(&h, "beacon");
	CHECK_EQ(json_array_size(recs), 2); /* no address-key record besides */
	r = find(recs, true);
	CHECK(r != NULL);
	if (r) {
		char ts[48];
		qsort(iv, 23, sizeof(iv[0]), cmp_u64);
		double mean = (double)(st[23] - st[0]) / 23 / 1e9, med = (double)iv[11] / 1e9;
		CHECK_STR(h_str(r, "beacon", "key"), "name");
		CHECK_STR(h_str(r, "beacon", "end"), "end_of_input");
		CHECK_EQ(h_int(r, "beacon", "count"), 24);
		CHECK_EQ(h_int(r, "beacon", "events"), 24);
		CHECK_EQ(h_int(r, "beacon", "bytes_toserver"), up);
		CHECK_EQ(h_int(r, "beacon", "bytes_toclient"), down);
		CHECK(fabs(h_num(r, "beacon", "interval_mean") - mean) < 0.0006);
		CHECK(fabs(h_num(r, "beacon", "interval_median") - med) < 0.0006);
		CHECK(h_num(r, "beacon", "jitter") > 0.01 && h_num(r, "beacon", "jitter") < 0.1);
		CHECK(h_num(r, "beacon", "size_spread") < 0.02);
		CHECK(h_int(r, "beacon", "bytes_toserver_median") >= 2300);
		CHECK(h_int(r, "beacon", "bytes_toserver_median") < 2340);
		CHECK(h_int(r, "beacon", "score") >= 80);
		json_format_ts(st[0], ts, sizeof(ts));
		CHECK_STR(h_str(r, "beacon", "first_seen"), ts);
		json_format_ts(st[23], ts, sizeof(ts));
		CHECK_STR(h_str(r, "beacon", "last_seen"), ts);
		CHECK_STR(h_str(r, "mitre", "technique_id"), ""); /* inside beacon, not top */
		json_t *m = json_object_get(json_object_get(r, "beacon"), "mitre");
		CHECK_STR(json_string_value(json_object_get(m, "technique_id")), "T1071.001");
		json_t *also = json_object_get(json_object_get(r, "beacon"), "mitre_also");
		CHECK_STR(
		    json_string_value(json_object_get(json_array_get(also, 0), "technique_id")),
		    "T1573");
		CHECK(json_object_get(json_object_get(r, "beacon"), "category") == NULL);
		json_t *ips = json_object_get(json_object_get(r, "beacon"), "dest_ips");
		CHECK_EQ(json_array_size(ips), 1);
		CHECK_EQ(h.cnt.c[CNT_AN_BEACON_RECORDS], 2);
	}
	json_decref(recs);
	h_close(&h);
}

/* The same beacon without a name, going quiet: the address key, a final record when idle. */
static void test_idle(void)
{
	struct harness h;
	CHECK_EQ(h_open(&h, &analytic_beacon, NULL, NULL), 0);
	struct an_obs o[10];
	for (int i = 0; i < 10; i++) {
		uint64_t t = H_T0 + (uint64_t)i * 60 * H_NS;
		o[i] = h_flow(&h, HOST, C2, 6, 8443, t, t + H_NS, 500, 700, NULL);
	}
	h_feed(&h, o, 10);
	h_ticks(&h, H_T0 + 3600 * H_NS); /* idle: 3 x 60 s and more */
	json_t *recs = h_records(&h, "beacon");
	CHECK_EQ(json_array_size(recs), 2);
	json_t *r = find(recs, true);
	CHECK(r && !strcmp(h_str(r, "beacon", "end"), "idle"));
	CHECK(r && !strcmp(h_str(r, "beacon", "key"), "address"));
	CHECK(r && h_int(r, "beacon", "count") == 10);
	CHECK(r && fabs(h_num(r, "beacon", "interval_median") - 60) < 0.001);
	CHECK(r && h_num(r, "beacon", "jitter") == 0);
	json_t *m = r ? json_object_get(json_object_get(r, "beacon"), "mitre") : NULL;
	CHECK_STR(json_string_value(json_object_get(m, "technique_id")), "T1071");
	CHECK_EQ(h.cnt.c[CNT_AN_BEACON_TRACKED], 0);
	h_finish(&h, H_T0 + 3700 * H_NS);
	json_decref(recs);
	recs = h_records(&h, "beacon");
	CHECK_EQ(json_array_size(recs), 2); /* nothing more at the end */
	json_decref(recs);
	h_close(&h);
}

/* Patterns that must stay quiet. */
static void test_benign(void)
{
	struct harness h;
	CHECK_EQ(h_open(&h, &analytic_beacon, NULL, NULL), 0);
	static struct an_obs o[4000];
	size_t n = 0;
	uint64_t seed = 42;
	char src[32], dst[32];
	/* office browsing: 20 hosts, 10 sites, irregular intervals, varied sizes */
	for (int hst = 0; hst < 20; hst++) {
		uint64_t t = H_T0 + (uint64_t)hst * H_NS;
		snprintf(src, sizeof(src), "10.10.1.%d", 10 + hst);
		while (t < H_T0 + 7200 * H_NS && n < 3000) {
			double gap = -log(1 - h_rand(&seed)) * 90;
			gap = gap < 20 ? 20 : gap > 360 ? 360 : gap;
			t += (uint64_t)(gap * 1e9);
			snprintf(dst, sizeof(dst), "93.184.%d.%d", 1 + (int)(h_rand(&seed) * 3),
				 10 + (int)(h_rand(&seed) * 10));
			o[n++] = h_flow(&h, src, dst, 6, 443, t, t + 3 * H_NS,
					300 + (uint64_t)(2700 * h_rand(&seed)),
					2000 + (uint64_t)(198000 * h_rand(&seed)), "site.example");
		}
	}
	for (int i = 0; i < 700; i++) { /* OT polling, internal to internal, every 10 s */
		uint64_t t = H_T0 + (uint64_t)i * 10 * H_NS;
		o[n++] =
		    h_flow(&h, "10.50.0.5", "10.50.0.10", 6, 502, t, t + H_NS / 10, 80, 90, NULL);
	}
	for (int i = 0; i < 7; i++) { /* NTP every 1024 s */
		uint64_t t = H_T0 + (uint64_t)i * 1024 * H_NS;
		o[n++] = h_flow(&h, "10.10.0.10", "162.159.200.1", 17, 123, t, t + H_NS / 10, 90,
				90, NULL);
	}
	for (int i = 0; i < 100; i++) { /* inbound HTTPS every 60 s from one client */
		uint64_t t = H_T0 + (uint64_t)i * 60 * H_NS;
		o[n++] = h_flow(&h, "198.51.100.7", "10.10.0.80", 6, 443, t, t + H_NS, 700, 200000,
				"www.example.jp");
	}
	for (int i = 0; i < 100; i++) { /* unanswered retries every 30 s */
		uint64_t t = H_T0 + (uint64_t)i * 30 * H_NS;
		o[n++] =
		    h_flow(&h, "10.10.1.40", "203.0.113.9", 6, 443, t, t + 3 * H_NS, 180, 0, NULL);
	}
	for (int i = 0; i < 60; i++) { /* regular timing, sizes all over the place */
		uint64_t t = H_T0 + (uint64_t)i * 120 * H_NS;
		o[n++] = h_flow(&h, "10.10.1.41", "203.0.113.10", 6, 443, t, t + 2 * H_NS,
				(uint64_t)(300 * exp(5 * h_rand(&seed))),
				(uint64_t)(2000 * exp(5 * h_rand(&seed))), NULL);
	}
	for (int i = 0; i < 60; i++) { /* every 5 s: shorter than min-interval */
		uint64_t t = H_T0 + (uint64_t)i * 5 * H_NS;
		o[n++] =
		    h_flow(&h, "10.10.1.42", "203.0.113.11", 6, 443, t, t + H_NS, 300, 400, NULL);
	}
	h_feed(&h, o, n);
	h_finish(&h, H_T0 + 7300 * H_NS);
	json_t *recs = h_records(&h, "beacon");
	CHECK_EQ(json_array_size(recs), 0);
	if (json_array_size(recs)) {
		char *t = json_dumps(json_array_get(recs, 0), 0);
		fprintf(stderr, "unexpected: %s\n", t);
		free(t);
	}
	json_decref(recs);
	h_close(&h);
}

/* max-series 4: a qualified series evicted by new ones gives its final record first. */
static void test_cap(void)
{
	const char *kv[] = {"analytics.beacon.max-series=4", NULL};
	struct harness h;
	CHECK_EQ(h_open(&h, &analytic_beacon, kv, NULL), 0);
	struct an_obs o[20];
	char dst[32];
	for (int i = 0; i < 8; i++) {
		uint64_t t = H_T0 + (uint64_t)i * 30 * H_NS;
		o[i] = h_flow(&h, HOST, C2, 6, 443, t, t + H_NS, 400, 900, NULL);
	}
	for (int i = 0; i < 10; i++) {
		uint64_t t = H_T0 + 300 * H_NS + (uint64_t)i * H_NS;
		snprintf(dst, sizeof(dst), "198.51.100.%d", i + 1);
		o[8 + i] = h_flow(&h, HOST, dst, 6, 443, t, t + H_NS / 2, 400, 900, NULL);
	}
	h_feed(&h, o, 18);
	h_ticks(&h, H_T0 + 400 * H_NS);
	CHECK_EQ(h.cnt.c[CNT_AN_BEACON_EVICTED], 7); /* 11 series, 4 places */
	CHECK_EQ(h.cnt.c[CNT_AN_BEACON_TRACKED], 4);
	json_t *recs = h_records(&h, "beacon");
	CHECK_EQ(json_array_size(recs), 2);
	json_t *r = find(recs, true);
	CHECK(r && !strcmp(h_str(r, "beacon", "end"), "evicted"));
	CHECK(r && h_int(r, "beacon", "count") == 8);
	json_decref(recs);
	h_finish(&h, H_T0 + 500 * H_NS);
	h_close(&h);
}

/* Hostile values: equal and zero times, absurd byte counts, 256-byte names, IPv6. */
static void test_hostile(void)
{
	struct harness h;
	CHECK_EQ(h_open(&h, &analytic_beacon, NULL, NULL), 0);
	static struct an_obs o[200];
	size_t n = 0;
	char name[AN_NAME_MAX + 1];
	for (int i = 0; i < AN_NAME_MAX; i++)
		name[i] = (char)("a\"\\\x01\xff."[i % 6]);
	name[AN_NAME_MAX] = 0;
	for (int i = 0; i < 100; i++) /* 100 flows at the same instant: one event */
		o[n++] = h_flow(&h, "10.1.1.1", C2, 6, 443, H_T0, H_T0, 100, 100, NULL);
	for (int i = 0; i < 10; i++) { /* start 0, byte counts at the limit */
		o[n] = h_flow(&h, "10.1.1.2", C2, 6, 443, 0, H_T0 + (uint64_t)i * H_NS, UINT64_MAX,
			      UINT64_MAX, NULL);
		o[n++].start_ts = 0;
	}
	for (int i = 0; i < 12; i++) { /* a beacon with a hostile 256-byte name over IPv6 */
		uint64_t t = H_T0 + (uint64_t)i * 600 * H_NS;
		o[n++] = h_flow(&h, "fd00::23", "2a01:4f8::1", 6, 443, t, t + H_NS, UINT64_MAX / 2,
				1000, name);
	}
	o[n] = h_flow(&h, "10.1.1.3", C2, 6, 443, H_T0 + 50 * H_NS, H_T0, 1, 1, NULL);
	n++; /* starts after it ends */
	h_feed(&h, o, n);
	h_finish(&h, H_T0 + 8000 * H_NS);
	json_t *recs = h_records(&h, "beacon");
	CHECK_EQ(json_array_size(recs), 2);
	size_t i;
	json_t *r;
	json_array_foreach(recs, i, r) {
		CHECK(json_is_object(r));
		CHECK_STR(json_string_value(json_object_get(r, "src_ip")), "fd00::23");
		/* 256 bytes; the 42 bytes 0xff that are not UTF-8 become U+00FF */
		CHECK_EQ(strlen(h_str(r, "beacon", "sni")), AN_NAME_MAX + 42);
		CHECK(h_num(r, "beacon", "bytes_toserver") > 1e19);
	}
	r = find(recs, true);
	CHECK(r && h_num(r, "beacon", "count") == 12); /* read as reals: see h_records */
	json_decref(recs);
	h_close(&h);

	/* min-count 0 and 1, zero limits: still no record without intervals */
	const char *kv[] = {"analytics.beacon.min-count=0", "analytics.beacon.max-jitter-pct=0",
			    "analytics.beacon.max-series=1", NULL};
	CHECK_EQ(h_open(&h, &analytic_beacon, kv, NULL), 0);
	struct an_obs one = h_flow(&h, HOST, C2, 6, 443, H_T0, H_T0, 1, 1, NULL);
	h_feed(&h, &one, 1);
	h_finish(&h, H_T0 + H_NS);
	recs = h_records(&h, "beacon");
	CHECK_EQ(json_array_size(recs), 0);
	json_decref(recs);
	h_close(&h);
}

int main(void)
{
	test_detect();
	test_idle();
	test_benign();
	test_cap();
	test_hostile();
	return check_report("test_an_beacon");
}
