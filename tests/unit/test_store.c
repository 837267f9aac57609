/*
 * test_store — the SQLite store: schema creation, migration from an older
 * schema and refusal of a newer one, a round trip of every record kind
 * through batches (and an intel sighting as a worker hands it over),
 * retention by age and by size, a full disk, the queue's cap (waits for
 * file input, drops for live input), the time, name and address helpers,
 * the query, and the retro-hunt on a small synthetic store.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "store/hunt.h"
#include "store/query.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/store_util.h"

#define DAY_NS (86400ull * 1000000000ull)
#define T0     (1705309200ull * 1000000000ull) /* 2024-01-15T09:00:00Z */

static char dir[] = "/tmp/mamori-test-store-XXXXXX";

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static int64_t count_sql(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	} else {
		fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
	}
	sqlite3_close(db);
	return v;
}

static void opts(struct store_opts *o, uint32_t batch)
{
	memset(o, 0, sizeof(*o));
	o->batch_rows = batch;
	o->queue_len = 4;
	o->producers = 1;
	o->wait = true;
	o->stats_interval = 300;
}

static uint64_t next_flow_id = 1000;

static void conn(struct store_rec *r, unsigned kind, uint64_t ts, const char *src, const char *dst)
{
	memset(r, 0, sizeof(*r));
	r->kind = (uint8_t)kind;
	r->c.ts = ts;
	r->c.flow_id = next_flow_id++;
	r->c.ip_ver = strchr(src, ':') ? 6 : 4;
	r->c.proto = 6;
	r->c.sp = 40000;
	r->c.dp = 443;
	inet_pton(r->c.ip_ver == 6 ? AF_INET6 : AF_INET, src, r->c.src);
	inet_pton(r->c.ip_ver == 6 ? AF_INET6 : AF_INET, dst, r->c.dst);
}

static struct store_text T(const char *s) {
	return (struct store_text){s, (uint32_t)strlen(s)};
}

/* A flow record; returns its flow_id. */
static uint64_t
add_flow(struct store_out *o, uint64_t ts, const char *src, const char *dst, uint64_t up,
	 uint64_t down)
{
	struct store_rec r;
	conn(&r, STORE_FLOW, ts, src, dst);
	r.flow.end = ts + 2000000000ull;
	r.flow.pkts[0] = 5;
	r.flow.pkts[1] = 7;
	r.flow.bytes[0] = up;
	r.flow.bytes[1] = down;
	r.flow.app = T("tls");
	r.flow.state = 2;
	store_out_add(o, &r);
	return r.c.flow_id;
}

/* ---- helpers ---- */

static void test_helpers(void)
{
	char k[STORE_NAME_MAX];
	CHECK_EQ(store_name_key("www.Example.COM.", 16, k), 15);
	CHECK_STR(k, "com.example.www");
	char back[STORE_NAME_MAX];
	store_name_key("com.example.www", 15, back);
	CHECK_STR(back, "www.example.com");
	CHECK_EQ(store_name_key("localhost", 9, k), 9);
	CHECK_STR(k, "localhost");
	CHECK_EQ(store_name_key("", 0, k), 0);
	CHECK_EQ(store_name_key(".", 1, k), 0);

	uint8_t b[20];
	CHECK_EQ(
	    store_unhex("DB:A7:E4:3E:6D:BB:21:AB:68:47:35:E8:0B:8F:15:DF:DB:C7:C9:6F", 59, b, 20),
	    0);
	CHECK(b[0] == 0xdb && b[19] == 0x6f);
	CHECK_EQ(store_unhex("abc", 3, b, 2), -1);
	CHECK_EQ(store_unhex("abcdef", 6, b, 2), -1);
	CHECK_EQ(store_unhex("zz", 2, b, 1), -1);

	int ver;
	uint8_t a[16], lo[16], hi[16];
	unsigned plen;
	CHECK_EQ(store_parse_prefix("10.1.2.3/16", &ver, a, &plen), 0);
	CHECK(ver == 4 && plen == 16 && a[0] == 10 && a[1] == 1 && a[2] == 0 && a[3] == 0);
	store_prefix_range(4, a, 16, lo, hi);
	CHECK(lo[2] == 0 && hi[2] == 255 && hi[3] == 255 && hi[1] == 1);
	CHECK_EQ(store_parse_prefix("2001:db8::1", &ver, a, &plen), 0);
	CHECK(ver == 6 && plen == 128);
	store_prefix_range(6, a, 33, lo, hi);
	CHECK(lo[4] == 0 && hi[4] == 0x7f && hi[15] == 0xff);
	CHECK_EQ(store_parse_prefix("10.0.0.0/33", &ver, a, &plen), -1);
	CHECK_EQ(store_parse_prefix("example.com", &ver, a, &plen), -1);
	CHECK_EQ(store_parse_prefix("10.0.0.0/", &ver, a, &plen), -1);

	/* times: RFC 3339 with zones and fractions, dates, ages, now */
	int64_t t, now = 1705309200ll * 1000000;
	CHECK_EQ(store_parse_time("2024-01-15T09:00:00Z", now, &t), 0);
	CHECK_EQ(t, now);
	CHECK_EQ(store_parse_time("2024-01-15T18:00:00+09:00", now, &t), 0);
	CHECK_EQ(t, now);
	CHECK_EQ(store_parse_time("2024-01-15 04:30:00.25-04:30", now, &t), 0);
	CHECK_EQ(t, now + 250000);
	CHECK_EQ(store_parse_time("2024-01-15T09:00", now, &t), 0);
	CHECK_EQ(t, now);
	CHECK_EQ(store_parse_time("2024-01-15", now, &t), 0);
	CHECK_EQ(t, now - 9 * 3600ll * 1000000);
	CHECK_EQ(store_parse_time("7d", now, &t), 0);
	CHECK_EQ(t, now - 7 * 86400ll * 1000000);
	CHECK_EQ(store_parse_time("24h", now, &t), 0);
	CHECK_EQ(t, now - 86400ll * 1000000);
	CHECK_EQ(store_parse_time("30m", now, &t), 0);
	CHECK_EQ(t, now - 1800ll * 1000000);
	CHECK_EQ(store_parse_time("2w", now, &t), 0);
	CHECK_EQ(t, now - 14 * 86400ll * 1000000);
	CHECK_EQ(store_parse_time("now", now, &t), 0);
	CHECK_EQ(t, now);
	const char *bad[] = {"",
			     "7",
			     "7x",
			     "d",
			     "-7d",
			     "2024-13-01",
			     "2024-01-15T25:00:00Z",
			     "2024-01-15T09:00:00+9",
			     "2024-01-15X",
			     "2024-1-15",
			     "7dd",
			     "99999999999d",
			     "2024-01-15T09:00:00.Z"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = store_parse_time(bad[i], now, &t);
		if (r != -1)
			fprintf(stderr, "accepted bad time '%s'\n", bad[i]);
		CHECK_EQ(r, -1);
	}

	uint8_t x[16] = {10, 1, 2, 3};
	CHECK(hunt_internal(NULL, 4, x));
	x[0] = 192, x[1] = 168;
	CHECK(hunt_internal(NULL, 4, x));
	x[0] = 172, x[1] = 31;
	CHECK(hunt_internal(NULL, 4, x));
	x[1] = 32;
	CHECK(!hunt_internal(NULL, 4, x));
	x[0] = 8, x[1] = 8;
	CHECK(!hunt_internal(NULL, 4, x));
	uint8_t v6[16];
	inet_pton(AF_INET6, "fd00::5", v6);
	CHECK(hunt_internal(NULL, 6, v6));
	inet_pton(AF_INET6, "::1", v6);
	CHECK(hunt_internal(NULL, 6, v6));
	inet_pton(AF_INET6, "2001:db8::1", v6);
	CHECK(!hunt_internal(NULL, 6, v6));
}

/* ---- schema ---- */

static void test_schema(void)
{
	char p[256], err[256];
	struct store_opts o;
	opts(&o, 10);

	/* new: the whole schema */
	path_of(p, sizeof(p), "new.db");
	struct store *s = store_open(p, &o);
	CHECK(s != NULL);
	CHECK_EQ(store_finish(s), 0);
	store_free(s);
	CHECK_EQ(count_sql(p, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	CHECK_EQ(count_sql(
		     p, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name='tls_ja3'"),
		 1);
	CHECK(count_sql(p, "SELECT count(*) FROM sqlite_master WHERE type='table'") >= 12);
	sqlite3 *rdb = NULL;
	CHECK_EQ(store_open_reader(p, &rdb), 0);
	sqlite3_close(rdb);

	/* version 1 (tables, no indexes) with a record: migrated on open */
	path_of(p, sizeof(p), "v1.db");
	sqlite3 *db;
	CHECK_EQ(store_db_open(p, false, false, &db, err, sizeof(err)), 0);
	CHECK_EQ(store_db_migrate(db, 1, err, sizeof(err)), 0);
	CHECK_EQ(store_db_version(db), 1);
	CHECK_EQ(store_db_exec(db, "INSERT INTO flow(ts,src,dst) VALUES(1705309200000000,"
				   "x'0a000001',x'08080808')"),
		 SQLITE_OK);
	sqlite3_close(db);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM sqlite_master WHERE name='flow_src'"), 0);
	s = store_open(p, &o);
	CHECK(s != NULL);
	store_free(s);
	CHECK_EQ(count_sql(p, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM sqlite_master WHERE name='flow_src'"), 1);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM flow WHERE dst=x'08080808'"), 1);

	/* a version-1 store opened by a reader is brought up to date too */
	path_of(p, sizeof(p), "v1r.db");
	CHECK_EQ(store_db_open(p, false, false, &db, err, sizeof(err)), 0);
	CHECK_EQ(store_db_migrate(db, 1, err, sizeof(err)), 0);
	sqlite3_close(db);
	CHECK_EQ(store_open_reader(p, &rdb), 0);
	sqlite3_close(rdb);
	CHECK_EQ(count_sql(p, "PRAGMA user_version"), STORE_SCHEMA_VERSION);

	/* newer than this build: refused, untouched */
	path_of(p, sizeof(p), "future.db");
	CHECK_EQ(store_db_open(p, false, false, &db, err, sizeof(err)), 0);
	CHECK_EQ(store_db_exec(db, "PRAGMA user_version=99"), SQLITE_OK);
	sqlite3_close(db);
	CHECK(store_open(p, &o) == NULL);
	CHECK_EQ(store_open_reader(p, &rdb), -1);
	CHECK_EQ(count_sql(p, "PRAGMA user_version"), 99);

	/* not a store at all, no file */
	path_of(p, sizeof(p), "none.db");
	CHECK_EQ(store_open_reader(p, &rdb), -1);

	/* bulk: no indexes while loading, built by store_finish */
	path_of(p, sizeof(p), "bulk.db");
	o.bulk = true;
	s = store_open(p, &o);
	CHECK(s != NULL);
	CHECK_EQ(count_sql(p, "PRAGMA user_version"), 1);
	store_free(s);
	CHECK_EQ(count_sql(p, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	CHECK(store_open(p, &o) == NULL); /* bulk needs a new store */
}

/* ---- every kind through a batch ---- */

static void test_round_trip(void)
{
	char p[256];
	struct store_opts o;
	struct counters cnt;
	opts(&o, 3);
	memset(&cnt, 0, sizeof(cnt));
	path_of(p, sizeof(p), "rt.db");
	struct store *s = store_open(p, &o);
	struct store_out *out = store_out_new(s, &cnt);
	CHECK(out != NULL);
	struct store_rec r;

	uint64_t fid = add_flow(out, T0, "10.1.0.5", "198.51.100.7", 1000, 50000);

	conn(&r, STORE_DNS, T0 + 1000, "10.1.0.5", "10.1.0.53");
	uint8_t ans[] = {4, 198, 51, 100, 7, 16, 0x20, 0x01, 0x0d, 0xb8, 0,
			 0, 0,	 0,  0,	  0, 0,	 0,    0,    0,	   0,	 7};
	r.c.proto = 17;
	r.dns.response = true;
	r.dns.rrtype = 1;
	r.dns.rcode = 0;
	r.dns.qname = T("Files.Example.ORG.");
	r.dns.answers = (struct store_text){(const char *)ans, sizeof(ans)};
	store_out_add(out, &r);

	conn(&r, STORE_HTTP, T0 + 2000, "10.1.0.5", "198.51.100.7");
	r.c.flow_id = fid;
	r.http.host = T("files.example.org");
	r.http.url = T("/get/payload.bin");
	r.http.method = T("GET");
	r.http.ua = T("curl/8.0");
	r.http.status = 200;
	r.http.length = 1234;
	store_out_add(out, &r);

	conn(&r, STORE_TLS, T0 + 3000, "10.1.0.5", "198.51.100.7");
	r.c.flow_id = fid;
	r.tls.version = 0x0303;
	r.tls.sni = T("www.example.org");
	r.tls.ja3 = T("e66bd8b211386d2c064d554964cf5972");
	r.tls.ja4 = T("t13d1512h2_8daaf6152771_0988277d4e88");
	r.tls.fp = T("db:a7:e4:3e:6d:bb:21:ab:68:47:35:e8:0b:8f:15:df:db:c7:c9:6f");
	r.tls.subject = T("CN=www.example.org");
	r.tls.issuer = T("CN=Example CA");
	store_out_add(out, &r);

	conn(&r, STORE_FILEINFO, T0 + 4000, "10.1.0.5", "198.51.100.7");
	r.c.flow_id = fid;
	r.file.dir = 1;
	r.file.size = 1234;
	r.file.name = T("/get/payload.bin");
	r.file.host = T("files.example.org");
	r.file.md5 = T("d41d8cd98f00b204e9800998ecf8427e");
	r.file.sha1 = T("da39a3ee5e6b4b0d3255bfef95601890afd80709");
	r.file.sha256 = T("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	store_out_add(out, &r);

	conn(&r, STORE_ALERT, T0 + 5000, "198.51.100.7", "10.1.0.5");
	r.c.flow_id = fid;
	r.alert.gid = 1;
	r.alert.sid = 2000001;
	r.alert.rev = 3;
	r.alert.severity = 2;
	r.alert.msg = T("ET TEST payload");
	store_out_add(out, &r);

	/* a live intel hit as a worker hands it over, next to its EVE record */
	struct ioc_meta m = {"feed-a", "APT10", "Cloud Hopper", 80, TLP_AMBER, 0, 0};
	struct intel_sighting si;
	memset(&si, 0, sizeof(si));
	si.ts = T0 + 6000;
	si.flow_id = 77;
	si.ip_ver = 4;
	si.proto = 6;
	inet_pton(AF_INET, "10.1.0.5", si.src);
	inet_pton(AF_INET, "198.51.100.7", si.dst);
	si.sp = 40000;
	si.dp = 443;
	si.type = IOC_DOMAIN;
	si.indicator = "www.example.org";
	si.matched_field = "tls.sni";
	si.value = "www.example.org";
	si.meta = &m;
	si.n_meta = 1;
	store_out_intel(out, &si);

	/* a string over the cap is cut, and counted */
	char big[STORE_TEXT_MAX + 100];
	memset(big, 'a', sizeof(big));
	conn(&r, STORE_HTTP, T0 + 7000, "10.1.0.6", "198.51.100.8");
	r.http.url = (struct store_text){big, sizeof(big)};
	store_out_add(out, &r);

	store_out_stats(out, &cnt, true);
	store_out_free(out);
	CHECK_EQ(store_finish(s), 0);
	struct counters sum;
	memset(&sum, 0, sizeof(sum));
	store_counters(s, &sum);
	CHECK_EQ(sum.c[CNT_STORE_ROWS], 9);
	CHECK_EQ(sum.c[CNT_STORE_BATCHES], 3);
	CHECK_EQ(sum.c[CNT_STORE_WRITE_ERRORS], 0);
	CHECK_EQ(cnt.c[CNT_STORE_TRUNCATED], 1);
	store_free(s);

	CHECK_EQ(count_sql(p, "SELECT count(*) FROM flow WHERE src=x'0a010005' AND bytes_tc=50000"
			      " AND dur=2000000 AND ts=1705309200000000"),
		 1);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM dns d JOIN name n ON n.id=d.qname WHERE"
			      " n.rname='org.example.files' AND d.response=1 AND d.rcode=0"),
		 1);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM dns_answer"), 2);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM dns_answer WHERE length(addr)=16"), 1);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM http h JOIN name n ON n.id=h.host WHERE"
			      " n.rname='org.example.files' AND h.url='/get/payload.bin' AND"
			      " h.status=200"),
		 1);
	CHECK_EQ(count_sql(p, "SELECT max(length(url)) FROM http"), STORE_TEXT_MAX);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM tls t JOIN str s ON s.id=t.ja3 WHERE"
			      " s.v=x'e66bd8b211386d2c064d554964cf5972'"),
		 1);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM tls t JOIN cert c ON c.id=t.cert WHERE"
			      " c.sha1=x'dba7e43e6dbb21ab684735e80b8f15dfdbc7c96f' AND"
			      " c.subject='CN=www.example.org'"),
		 1);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM fileinfo WHERE length(md5)=16 AND"
			      " length(sha1)=20 AND length(sha256)=32 AND dir=1"),
		 1);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM alert a JOIN str s ON s.id=a.msg WHERE"
			      " a.sid=2000001 AND s.v='ET TEST payload'"),
		 1);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM intel WHERE indicator='www.example.org' AND"
			      " actor='APT10' AND tlp='amber' AND confidence=80 AND retro=0 AND"
			      " type='domain' AND field='tls.sni'"),
		 1);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM stats WHERE counters LIKE"
			      "'{\"store.truncated_strings\":1}'"),
		 1);
	CHECK_EQ(count_sql(p, "SELECT value FROM meta WHERE key='newest'"),
		 (T0 + 2000000000ull) / 1000);

	/* the query: a host (flow ends, DNS answers), a domain (and below), types */
	sqlite3 *db;
	CHECK_EQ(store_open_reader(p, &db), 0);
	struct store_query q = {
	    .host = "198.51.100.0/24", .since = INT64_MIN, .until = INT64_MAX, .limit = 100};
	FILE *devnull = fopen("/dev/null", "w");
	CHECK_EQ(store_query_run(db, &q, devnull), 7); /* all but the stats and the other http */
	q.host = "2001:db8::7";
	CHECK_EQ(store_query_run(db, &q, devnull), 1); /* the DNS answer */
	q.host = NULL;
	q.domain = "example.org";
	CHECK_EQ(store_query_run(db, &q, devnull),
		 6); /* dns, http, tls, file; the flow, its alert */
	q.domain = "files.example.org";
	q.types = 1u << STORE_DNS | 1u << STORE_HTTP;
	CHECK_EQ(store_query_run(db, &q, devnull), 2);
	q.domain = "xample.org";
	q.types = 0;
	CHECK_EQ(store_query_run(db, &q, devnull), 0);
	q.domain = NULL;
	q.since = (int64_t)(T0 + 2000) / 1000;
	q.until = (int64_t)(T0 + 5000) / 1000;
	CHECK_EQ(store_query_run(db, &q, devnull), 3);
	q.since = INT64_MIN;
	q.until = INT64_MAX;
	q.limit = 2;
	q.json = true;
	CHECK_EQ(store_query_run(db, &q, devnull), 2);
	q.host = "not-an-address";
	CHECK_EQ(store_query_run(db, &q, devnull), -1);
	fclose(devnull);
	sqlite3_close(db);
}

/* ---- retention ---- */

static void test_retention(void)
{
	char p[256];
	struct store_opts o;
	struct counters cnt;
	memset(&cnt, 0, sizeof(cnt));

	/* by age: 200 days before the newest record is past 180 days */
	opts(&o, 100);
	path_of(p, sizeof(p), "age.db");
	struct store *s = store_open(p, &o);
	struct store_out *out = store_out_new(s, &cnt);
	for (int i = 0; i < 50; i++)
		add_flow(out, T0 - 200 * DAY_NS + (uint64_t)i * 1000, "10.0.0.1", "192.0.2.1", 1,
			 1);
	for (int i = 0; i < 30; i++)
		add_flow(out, T0 + (uint64_t)i * 1000, "10.0.0.1", "192.0.2.1", 1, 1);
	struct store_rec r;
	conn(&r, STORE_DNS, T0 - 300 * DAY_NS, "10.0.0.1", "10.0.0.53");
	uint8_t ans[] = {4, 192, 0, 2, 1};
	r.dns.answers = (struct store_text){(const char *)ans, sizeof(ans)};
	store_out_add(out, &r);
	store_out_free(out);
	store_free(s);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM flow"), 80);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM dns_answer"), 1);
	o.retention_days = 180;
	s = store_open(p, &o);
	CHECK(s != NULL);
	struct counters sum;
	memset(&sum, 0, sizeof(sum));
	store_counters(s, &sum);
	CHECK_EQ(sum.c[CNT_STORE_PRUNED_ROWS], 51);
	store_free(s);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM flow"), 30);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM dns"), 0);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM dns_answer"), 0);

	/* by size: the oldest go until the store is under its cap */
	opts(&o, 1000);
	path_of(p, sizeof(p), "size.db");
	s = store_open(p, &o);
	out = store_out_new(s, &cnt);
	char src[32];
	for (int i = 0; i < 40000; i++) {
		snprintf(src, sizeof(src), "10.0.%d.%d", i / 250 % 250, i % 250 + 1);
		add_flow(out, T0 + (uint64_t)i * 1000000000ull, src, "192.0.2.1", (uint64_t)i, 1);
	}
	store_out_free(out);
	store_free(s);
	int64_t pages = count_sql(p, "PRAGMA page_count");
	CHECK(pages * 4096 > 2 * 1024 * 1024);
	o.retention_bytes = 1024 * 1024;
	s = store_open(p, &o);
	CHECK(s != NULL);
	store_free(s);
	int64_t used =
	    (count_sql(p, "PRAGMA page_count") - count_sql(p, "PRAGMA freelist_count")) * 4096;
	CHECK(used <= 1024 * 1024);
	int64_t left = count_sql(p, "SELECT count(*) FROM flow");
	CHECK(left > 1000 && left < 40000);
	/* the newest stayed, the oldest went */
	CHECK_EQ(count_sql(p, "SELECT max(bytes_ts) FROM flow"), 39999);
	CHECK_EQ(count_sql(p, "SELECT min(bytes_ts) FROM flow"), 40000 - left);
}

/* ---- a full disk ---- */

static void test_write_failure(void)
{
	char p[256];
	struct store_opts o;
	struct counters cnt;
	memset(&cnt, 0, sizeof(cnt));
	opts(&o, 500);
	o.max_pages = 120; /* a "disk" of 480 KB, the empty schema taking about 45 pages */
	path_of(p, sizeof(p), "full.db");
	struct store *s = store_open(p, &o);
	CHECK(s != NULL);
	struct store_out *out = store_out_new(s, &cnt);
	char src[32];
	for (int i = 0; i < 20000; i++) {
		snprintf(src, sizeof(src), "10.%d.%d.%d", i / 62500, i / 250 % 250, i % 250 + 1);
		add_flow(out, T0 + (uint64_t)i * 1000, src, "192.0.2.1", 1, 1);
	}
	store_out_free(out);
	CHECK_EQ(store_finish(s), -1);
	struct counters sum;
	memset(&sum, 0, sizeof(sum));
	store_counters(s, &sum);
	CHECK(sum.c[CNT_STORE_WRITE_ERRORS] > 0);
	CHECK(sum.c[CNT_STORE_BATCHES] > 0);
	CHECK_EQ(sum.c[CNT_STORE_ROWS] + sum.c[CNT_STORE_LOST_ROWS], 20000);
	store_free(s);
	/* what was committed is there and whole */
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM flow"), (int64_t)sum.c[CNT_STORE_ROWS]);
	sqlite3 *db;
	CHECK_EQ(sqlite3_open(p, &db), SQLITE_OK);
	sqlite3_stmt *st;
	CHECK_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW &&
	      !strcmp((const char *)sqlite3_column_text(st, 0), "ok"));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* ---- the queue's cap ---- */

struct unlocker {
	sqlite3 *db;
	unsigned ms;
};

static void *unlock_later(void *arg)
{
	struct unlocker *u = arg;
	usleep(u->ms * 1000);
	sqlite3_exec(u->db, "COMMIT", NULL, NULL, NULL);
	return NULL;
}

static void test_cap(void)
{
	char p[256];
	struct store_opts o;
	struct counters cnt;
	sqlite3 *blocker;
	opts(&o, 10);
	o.queue_len = 1;
	path_of(p, sizeof(p), "cap.db");

	/* live: the writer is held up by another writer; the queue fills, and
	 * further batches are dropped and counted */
	memset(&cnt, 0, sizeof(cnt));
	o.wait = false;
	struct store *s = store_open(p, &o);
	struct store_out *out = store_out_new(s, &cnt);
	CHECK_EQ(sqlite3_open(p, &blocker), SQLITE_OK);
	CHECK_EQ(sqlite3_exec(blocker, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	for (int i = 0; i < 100; i++) {
		add_flow(out, T0 + (uint64_t)i, "10.0.0.1", "192.0.2.1", 1, 1);
		if (i % 10 == 9) {
			store_out_flush(out);
			usleep(20000); /* the writer takes the first batch and waits on the lock */
		}
	}
	sqlite3_exec(blocker, "COMMIT", NULL, NULL, NULL);
	store_out_free(out);
	store_free(s);
	CHECK(cnt.c[CNT_STORE_DROPPED_BATCHES] >= 7);
	CHECK_EQ(cnt.c[CNT_STORE_DROPPED_ROWS], cnt.c[CNT_STORE_DROPPED_BATCHES] * 10);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM flow"),
		 100 - (int64_t)cnt.c[CNT_STORE_DROPPED_ROWS]);
	CHECK_EQ(cnt.c[CNT_STORE_QUEUE_WAITS], 0);

	/* files: the producer waits for room (counted); nothing is lost */
	memset(&cnt, 0, sizeof(cnt));
	o.wait = true;
	s = store_open(p, &o);
	out = store_out_new(s, &cnt);
	CHECK_EQ(sqlite3_exec(blocker, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	pthread_t thr;
	struct unlocker u = {blocker, 300};
	pthread_create(&thr, NULL, unlock_later, &u);
	for (int i = 0; i < 100; i++)
		add_flow(out, T0 + 1000 + (uint64_t)i, "10.0.0.1", "192.0.2.1", 1, 1);
	store_out_free(out);
	pthread_join(thr, NULL);
	store_free(s);
	sqlite3_close(blocker);
	CHECK(cnt.c[CNT_STORE_QUEUE_WAITS] >= 1);
	CHECK_EQ(cnt.c[CNT_STORE_DROPPED_ROWS], 0);
	CHECK_EQ(count_sql(p, "SELECT count(*) FROM flow WHERE ts >= 1705309200000001"), 100);
}

/* ---- the hunt ---- */

struct seen {
	int n;
	struct intel_sighting s[32];
	char ind[32][64], field[32][32], hosts[32][256];
};

static void on_sighting(void *ctx, const struct intel_sighting *s)
{
	struct seen *v = ctx;
	if (v->n == 32)
		return;
	v->s[v->n] = *s;
	snprintf(v->ind[v->n], sizeof(v->ind[0]), "%s", s->indicator);
	snprintf(v->field[v->n], sizeof(v->field[0]), "%s", s->matched_field);
	snprintf(v->hosts[v->n], sizeof(v->hosts[0]), "%s", s->hosts ? s->hosts : "");
	v->n++;
}

static int find(const struct seen *v, const char *ind, const char *field)
{
	for (int i = 0; i < v->n; i++)
		if (!strcmp(v->ind[i], ind) && !strcmp(v->field[i], field))
			return i;
	return -1;
}

static void test_hunt(void)
{
	char p[256];
	struct store_opts o;
	struct counters cnt;
	struct store_rec r;
	memset(&cnt, 0, sizeof(cnt));
	opts(&o, 50);
	path_of(p, sizeof(p), "hunt.db");
	struct store *s = store_open(p, &o);
	struct store_out *out = store_out_new(s, &cnt);
	/* two internal hosts talk to 203.0.113.9; an old flow is outside the window */
	uint64_t fid = add_flow(out, T0, "10.1.0.5", "203.0.113.9", 100, 2000);
	add_flow(out, T0 + 60 * 1000000000ull, "10.1.0.6", "203.0.113.9", 300, 4000);
	add_flow(out, T0 - 100 * DAY_NS, "10.1.0.7", "203.0.113.9", 1, 1);
	/* names: the suffix range must not take "badexample.com" or "example.com-cdn.net" */
	const char *names[] = {"example.com", "a.example.com", "b.c.example.com", "badexample.com",
			       "example.com-cdn.net"};
	for (int i = 0; i < 5; i++) {
		conn(&r, STORE_DNS, T0 + (uint64_t)i * 1000, "10.1.0.5", "10.1.0.53");
		r.c.proto = 17;
		r.c.flow_id = 0;
		r.dns.qname = T(names[i]);
		r.dns.rcode = -1;
		store_out_add(out, &r);
	}
	/* the TLS session of the first flow, with its JA3 */
	conn(&r, STORE_TLS, T0 + 5, "10.1.0.5", "203.0.113.9");
	r.c.flow_id = fid;
	r.tls.sni = T("b.c.example.com");
	r.tls.ja3 = T("e66bd8b211386d2c064d554964cf5972");
	store_out_add(out, &r);
	store_out_free(out);
	store_free(s);

	struct ioc_set *set = ioc_set_new();
	struct ioc_meta m = {"test", "actor", NULL, 50, TLP_GREEN, 0, 0};
	uint32_t mi = ioc_meta_add(set, &m);
	ioc_add(set, IOC_IPV4, "203.0.113.0/24", 14, mi);
	ioc_add(set, IOC_DOMAIN_SUFFIX, "example.com", 11, mi);
	ioc_add(set, IOC_DOMAIN, "a.example.com", 13, mi);
	ioc_add(set, IOC_JA3, "E66BD8B211386D2C064D554964CF5972", 32, mi);
	ioc_add(set, IOC_IPV4, "198.51.100.1", 12, mi);
	ioc_add(set, IOC_EMAIL, "x@example.com", 13, mi);
	sqlite3 *db;
	CHECK_EQ(store_open_reader(p, &db), 0);
	struct seen v;
	memset(&v, 0, sizeof(v));
	struct store_hunt_stats hs;
	CHECK_EQ(store_hunt(db, set, T0 - 30 * DAY_NS, NULL, on_sighting, &v, &hs), 0);
	CHECK_EQ(hs.indicators, 6);
	CHECK_EQ(hs.unchecked, 1);
	CHECK_EQ(hs.matched, 4);
	int i = find(&v, "203.0.113.0/24", "dest_ip");
	CHECK(i >= 0);
	if (i >= 0) {
		CHECK_EQ(v.s[i].count, 2);
		CHECK_EQ(v.s[i].first_seen, T0);
		CHECK_EQ(v.s[i].last_seen, T0 + 60 * 1000000000ull);
		CHECK_EQ(v.s[i].bytes_toserver, 400);
		CHECK_EQ(v.s[i].bytes_toclient, 6000);
		CHECK_STR(v.hosts[i], "10.1.0.5,10.1.0.6");
		CHECK(v.s[i].retro && v.s[i].meta && !strcmp(v.s[i].meta->source, "test"));
	}
	CHECK_EQ(find(&v, "203.0.113.0/24", "src_ip"), -1);
	i = find(&v, "example.com", "dns.rrname");
	CHECK(i >= 0 && v.s[i].count == 3);
	i = find(&v, "example.com", "tls.sni");
	/* the TLS record's bytes are its flow's */
	CHECK(i >= 0 && v.s[i].count == 1 && v.s[i].bytes_toclient == 2000);
	i = find(&v, "a.example.com", "dns.rrname");
	CHECK(i >= 0 && v.s[i].count == 1);
	i = find(&v, "e66bd8b211386d2c064d554964cf5972", "tls.ja3");
	CHECK(i >= 0 && v.s[i].count == 1);
	CHECK_EQ(v.n, 5);

	/* the window: from 120 days back the old flow is in */
	memset(&v, 0, sizeof(v));
	CHECK_EQ(store_hunt(db, set, T0 - 120 * DAY_NS, NULL, on_sighting, &v, &hs), 0);
	i = find(&v, "203.0.113.0/24", "dest_ip");
	CHECK(i >= 0 && v.s[i].count == 3);
	sqlite3_close(db);
	ioc_set_free(set);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_helpers();
	test_schema();
	test_round_trip();
	test_retention();
	test_write_failure();
	test_cap();
	test_hunt();
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_report("test_store");
}
