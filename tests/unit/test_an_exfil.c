/*
 * test_an_exfil — the exfil analytic on synthetic flow ends: a 26 MB upload
 * from a quiet host found with its exact figures and baseline, one record
 * per (host, peer, window); nothing on calls with as much coming back,
 * internal copies, a public server's answers, or traffic spread over many
 * peers; a steady backup that alerts only before it has a baseline;
 * hosting peers with lowered thresholds; the caps and their counter;
 * hostile values.
 */
#include <math.h>

#include "an_harness.h"
#include "check.h"

extern const struct analytic analytic_exfil;

#define HOST "10.10.1.55"
#define DROP "45.67.230.12"
#define MB   1048576ull

static uint64_t at(unsigned h, unsigned m, unsigned s)
{
	return H_T0 + ((uint64_t)(h - 9) * 3600 + m * 60 + s) * H_NS;
}

/* A quiet host, then 26 MB to one peer in one session: one record, exact figures. */
static void test_detect(void)
{
	struct harness h;
	CHECK_EQ(h_open(&h, &analytic_exfil, NULL, NULL), 0);
	struct an_obs o[40];
	size_t n = 0;
	for (int i = 0; i < 18; i++) { /* 09:00 - 10:25: 2 x 5000 bytes per 10-minute window */
		uint64_t t = H_T0 + (uint64_t)i * 300 * H_NS;
		o[n++] = h_flow(&h, HOST, "93.184.1.10", 6, 443, t, t + 2 * H_NS, 5000, 40000,
				"news.example");
	}
	o[n++] = h_flow(&h, HOST, DROP, 6, 443, at(10, 30, 10), at(10, 35, 50), 26000000, 300000,
			"files.drop.example");
	struct an_obs post =
	    h_flow(&h, HOST, DROP, 6, 80, at(10, 37, 0), at(10, 37, 3), 62000, 500, "45.67.230.12");
	post.flags = (uint8_t)((post.flags & ~AN_F_NAME_SNI) | AN_F_NAME_HOST);
	o[n++] = post;
	o[n++] = h_flow(&h, HOST, DROP, 6, 443, at(10, 50, 0), at(10, 50, 5), 4000, 1000, NULL);
	h_feed(&h, o, n);
	h_finish(&h, at(11, 0, 0));
	json_t *recs = h_records(&h, "exfil");
	CHECK_EQ(json_array_size(recs), 1);
	json_t *r = json_array_get(recs, 0);
	double base = 0;
	for (int w = 0; w < 9; w++)
		base += 0.125 * (10000 - base);
	char ts[48];
	CHECK_STR(json_string_value(json_object_get(r, "src_ip")), HOST);
	CHECK_STR(json_string_value(json_object_get(r, "dest_ip")), DROP);
	CHECK_EQ(json_integer_value(json_object_get(r, "dest_port")), 443);
	CHECK_EQ(h_int(r, "exfil", "bytes_out"), 26000000);
	CHECK_EQ(h_int(r, "exfil", "bytes_in"), 300000);
	CHECK(fabs(h_num(r, "exfil", "ratio") - 86.7) < 0.01);
	CHECK_EQ(h_int(r, "exfil", "flows"), 1);
	CHECK_EQ(h_int(r, "exfil", "host_bytes_out"), 26000000);
	CHECK_EQ(h_int(r, "exfil", "baseline"), (uint64_t)(base + 0.5));
	CHECK_EQ(h_int(r, "exfil", "baseline_windows"), 9);
	CHECK_STR(h_str(r, "exfil", "sni"), "files.drop.example");
	CHECK(!h_true(r, "exfil", "hosting"));
	CHECK_EQ(h_int(r, "exfil", "severity"), 1);
	CHECK_STR(h_str(r, "exfil", "category"), "exfil");
	json_format_ts(at(10, 30, 0), ts, sizeof(ts));
	CHECK_STR(h_str(r, "exfil", "window_start"), ts);
	json_format_ts(at(10, 40, 0), ts, sizeof(ts));
	CHECK_STR(h_str(r, "exfil", "window_end"), ts);
	json_format_ts(at(10, 30, 10), ts, sizeof(ts));
	CHECK_STR(h_str(r, "exfil", "first_seen"), ts);
	json_format_ts(at(10, 35, 50), ts, sizeof(ts));
	CHECK_STR(h_str(r, "exfil", "last_seen"), ts);
	json_t *x = json_object_get(r, "exfil");
	CHECK_EQ(
	    json_integer_value(json_object_get(json_object_get(x, "thresholds"), "bytes_needed")),
	    10 * MB);
	CHECK_STR(json_string_value(json_object_get(json_object_get(x, "mitre"), "technique_id")),
		  "T1048");
	CHECK_EQ(json_array_size(json_object_get(x, "dest_ports")), 1);
	CHECK_EQ(h.cnt.c[CNT_AN_EXFIL_RECORDS], 1);
	json_decref(recs);
	h_close(&h);
}

/* Patterns that must stay quiet. */
static void test_benign(void)
{
	struct harness h;
	CHECK_EQ(h_open(&h, &analytic_exfil, NULL, NULL), 0);
	static struct an_obs o[2000];
	size_t n = 0;
	char dst[32];
	/* a video call: as much comes back */
	o[n++] = h_flow(&h, "10.10.1.30", "8.8.4.4", 17, 3478, at(9, 10, 0), at(9, 15, 0), 15 * MB,
			20 * MB, NULL);
	/* internal copies to the file server */
	o[n++] = h_flow(&h, "10.10.1.31", "10.10.0.20", 6, 445, at(9, 20, 0), at(9, 25, 0),
			500 * MB, MB, NULL);
	/* a public server's answers to internet clients (it did not initiate them) */
	for (int i = 0; i < 1000; i++) {
		uint64_t t = at(9, 30, 0) + (uint64_t)i * H_NS / 2;
		snprintf(dst, sizeof(dst), "198.51.%d.%d", 100 + i / 250, i % 250 + 1);
		o[n++] = h_flow(&h, dst, "10.10.0.80", 6, 443, t, t + H_NS, 700, 200000,
				"www.example.jp");
	}
	/* 15 MB in one window, spread over ten peers */
	for (int i = 0; i < 10; i++) {
		snprintf(dst, sizeof(dst), "93.184.2.%d", i + 1);
		o[n++] = h_flow(&h, "10.10.1.32", dst, 6, 443, at(9, 41, 0), at(9, 42, i),
				MB * 3 / 2, 20000, NULL);
	}
	/* 8 MB: under min-bytes */
	o[n++] = h_flow(&h, "10.10.1.34", "93.184.3.1", 6, 443, at(9, 41, 0), at(9, 42, 0), 8 * MB,
			1000, NULL);
	h_feed(&h, o, n);
	h_finish(&h, at(11, 0, 0));
	json_t *recs = h_records(&h, "exfil");
	CHECK_EQ(json_array_size(recs), 0);
	json_decref(recs);
	h_close(&h);

	/* a backup of 20 MB every window: only its first window, before a baseline */
	CHECK_EQ(h_open(&h, &analytic_exfil, NULL, NULL), 0);
	n = 0;
	for (int i = 0; i < 12; i++) {
		uint64_t t = H_T0 + (uint64_t)i * 600 * H_NS + 60 * H_NS;
		o[n++] = h_flow(&h, "10.10.1.33", "52.1.1.1", 6, 443, t, t + 120 * H_NS, 20 * MB,
				30000, "backup.example");
	}
	h_feed(&h, o, n);
	h_finish(&h, at(11, 0, 0));
	recs = h_records(&h, "exfil");
	CHECK_EQ(json_array_size(recs), 1);
	CHECK_EQ(h_int(json_array_get(recs, 0), "exfil", "baseline_windows"), 0);
	json_decref(recs);
	h_close(&h);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A hosting peer: thresholds divided by hosting-weight (2): 6 MB is enough there only. */
static void test_hosting(void)
{
	char dir[] = "/tmp/test_an_exfil_XXXXXX", p[128], hp[128];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(p, sizeof(p), "%s/asn-ipv4.csv", dir);
	write_file(p, "45.76.1.0,45.76.1.255,64501,Rent-A-Box\n8.8.8.0,8.8.8.255,15169,Google\n");
	snprintf(p, sizeof(p), "%s/asn-ipv6.csv", dir); /* both families: see enrich_open */
	write_file(p, "2a01:4f8::,2a01:4f8:ffff:ffff:ffff:ffff:ffff:ffff,64501,Rent-A-Box\n");
	snprintf(hp, sizeof(hp), "%s/hosting.tsv", dir);
	write_file(hp, "64501\tRent-A-Box\n");
	struct config ecfg;
	config_defaults(&ecfg);
	snprintf(ecfg.enrich_dir, sizeof(ecfg.enrich_dir), "%s", dir);
	snprintf(ecfg.enrich_hosting, sizeof(ecfg.enrich_hosting), "%s", hp);
	struct enrich *e = NULL;
	CHECK_EQ(enrich_open(&ecfg, &e), 0);

	struct harness h;
	CHECK_EQ(h_open(&h, &analytic_exfil, NULL, e), 0);
	struct an_obs o[2];
	o[0] = h_flow(&h, "10.10.1.60", "45.76.1.7", 6, 443, at(9, 1, 0), at(9, 2, 0), 6 * MB,
		      10000, NULL);
	o[1] = h_flow(&h, "10.10.1.61", "8.8.8.8", 6, 443, at(9, 1, 0), at(9, 2, 0), 6 * MB, 10000,
		      NULL);
	h_feed(&h, o, 2);
	h_finish(&h, at(9, 30, 0));
	json_t *recs = h_records(&h, "exfil");
	CHECK_EQ(json_array_size(recs), 1);
	json_t *r = json_array_get(recs, 0);
	CHECK_STR(json_string_value(json_object_get(r, "dest_ip")), "45.76.1.7");
	CHECK(h_true(r, "exfil", "hosting"));
	json_t *th = json_object_get(json_object_get(r, "exfil"), "thresholds");
	CHECK_EQ(json_integer_value(json_object_get(th, "bytes_needed")), 5 * MB);
	json_decref(recs);
	h_close(&h);
	enrich_free(e);
	snprintf(p, sizeof(p), "%s/asn-ipv4.csv", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/asn-ipv6.csv", dir);
	unlink(p);
	unlink(hp);
	rmdir(dir);
}

/* max-hosts 2 (pairs 8): 20 hosts evict 18 hosts and 12 pairs. */
static void test_cap(void)
{
	const char *kv[] = {"analytics.exfil.max-hosts=2", NULL};
	struct harness h;
	CHECK_EQ(h_open(&h, &analytic_exfil, kv, NULL), 0);
	struct an_obs o[20];
	char src[32];
	for (int i = 0; i < 20; i++) {
		snprintf(src, sizeof(src), "10.10.2.%d", i + 1);
		o[i] = h_flow(&h, src, DROP, 6, 443, H_T0 + (uint64_t)i * H_NS,
			      H_T0 + (uint64_t)i * H_NS, 1000, 1000, NULL);
	}
	h_feed(&h, o, 20);
	h_finish(&h, H_T0 + 60 * H_NS);
	CHECK_EQ(h.cnt.c[CNT_AN_EXFIL_EVICTED], 30);
	CHECK_EQ(h.cnt.c[CNT_AN_EXFIL_TRACKED], 8);
	h_close(&h);
}

/* Hostile values: saturated counts, zero and inverted times, a 256-byte name, IPv6, window 0. */
static void test_hostile(void)
{
	const char *kv[] = {"analytics.exfil.window=0", "analytics.exfil.baseline-factor=0",
			    "analytics.exfil.hosting-weight=0", NULL};
	struct harness h;
	CHECK_EQ(h_open(&h, &analytic_exfil, kv, NULL), 0);
	struct an_obs o[8];
	char name[AN_NAME_MAX + 1];
	memset(name, 'x', AN_NAME_MAX);
	name[AN_NAME_MAX] = 0;
	name[3] = '"';
	o[0] = h_flow(&h, "10.9.9.9", DROP, 6, 443, 0, H_T0, UINT64_MAX, 0, name);
	o[0].start_ts = 0;
	o[1] = h_flow(&h, "10.9.9.9", DROP, 6, 443, H_T0, H_T0, UINT64_MAX, UINT64_MAX, name);
	o[2] = h_flow(&h, "fd00::55", "2a01:4f8::1", 6, 443, H_T0 + 5 * H_NS, H_T0 + H_NS, 11 * MB,
		      1, NULL); /* starts after it ends */
	o[3] = h_flow(&h, "fd00::55", "2a01:4f8::1", 6, 443, H_T0 + H_NS, H_T0 + H_NS, 0, 0, NULL);
	o[4] = h_flow(&h, "10.9.9.8", "224.0.0.251", 17, 5353, H_T0, H_T0 + H_NS, 20 * MB, 0,
		      NULL); /* multicast: not a peer */
	h_feed(&h, o, 5);
	h_finish(&h, H_T0 + 10 * H_NS);
	json_t *recs = h_records(&h, "exfil");
	CHECK_EQ(json_array_size(recs), 2);
	json_t *r = json_array_get(recs, 0);
	CHECK(h_num(r, "exfil", "bytes_out") > 1e19);
	CHECK(json_object_get(json_object_get(r, "exfil"), "ratio") == NULL);
	CHECK_EQ(strlen(h_str(r, "exfil", "sni")), AN_NAME_MAX);
	r = json_array_get(recs, 1);
	CHECK_STR(json_string_value(json_object_get(r, "src_ip")), "fd00::55");
	CHECK_EQ(h_int(r, "exfil", "bytes_out"), 11 * MB);
	json_decref(recs);
	h_close(&h);
}

int main(void)
{
	test_detect();
	test_benign();
	test_hosting();
	test_cap();
	test_hostile();
	return check_report("test_an_exfil");
}
