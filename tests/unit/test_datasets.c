/*
 * test_datasets — the dataset, datarep and iprep keywords: every form and
 * error of their options, set/unset/isset/isnotset semantics on inspected
 * buffers, memcap and hashsize caps, file loading (errors naming file and
 * line), save/load round trips, datarep operators, shared sets and their
 * conflicts, concurrent adds, and IP reputation (sides, operators, longest
 * prefix per category, IPv4 and IPv6).
 */
#include <arpa/inet.h>
#include <ftw.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/config.h"
#include "core/counters.h"
#include "decode/packet.h"
#include "detect/buffers.h"
#include "detect/dataset.h"
#include "detect/inspect.h"
#include "detect/iprep.h"
#include "detect/keyword.h"
#include "detect/parse.h"
#include "detect/ruleset.h"

static char dir[64];

static const char *tmp_file(const char *name, const char *text)
{
	static char path[8][256];
	static int k;
	char *p = path[k++ % 8];
	snprintf(p, 256, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return p;
}

static char *read_all(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	return buf;
}

/* Parse a rule; NULL with *e on failure. */
static struct rule *parse(struct ruleset *rs, const char *text, struct rule_err *e)
{
	return rule_parse(rs, text, e);
}

/* The rule's error message (or "" when it parsed, the rule then freed). */
static const char *error_of(struct ruleset *rs, const char *text, int *code)
{
	static struct rule_err e;
	memset(&e, 0, sizeof(e));
	struct rule *r = parse(rs, text, &e);
	if (r) {
		rule_free(r);
		*code = 0;
		return "";
	}
	*code = e.code;
	return e.msg;
}

static bool err_has(struct ruleset *rs, const char *text, const char *want)
{
	int code;
	const char *m = error_of(rs, text, &code);
	if (code != KW_ERR || !strstr(m, want)) {
		fprintf(stderr, "  rule: %s\n  got (%d): %s\n  want: %s\n", text, code, m, want);
		return false;
	}
	return true;
}

static struct counters cnt;

/* Inspect buf against the one buffer of a rule. */
static int inspect_buf(const struct rule *r, const char *buf, size_t len)
{
	struct inspect in = {0};
	in.md = pcre2_match_data_create(4, NULL);
	in.cnt = &cnt;
	in.buf = (const uint8_t *)buf;
	in.len = (uint32_t)len;
	int m = inspect_list(&in, &r->bufs[0].sms) ? 1 : 0;
	pcre2_match_data_free(in.md);
	return m;
}

#define INS(r, s) inspect_buf(r, s, strlen(s))

static void test_store(void)
{
	char err[2048];
	struct dataset_reg *reg = dataset_reg_new(1 << 20, 64);
	struct dataset_decl d = {.type = DATASET_STRING, .origin = "test"};
	struct dataset *s = dataset_get(reg, "names", &d, err, sizeof(err));
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_EQ(dataset_add(s, (const uint8_t *)"abc", 3, 7), 1);
	CHECK_EQ(dataset_add(s, (const uint8_t *)"abc", 3, 9), 0);
	uint16_t rep = 0;
	CHECK(dataset_lookup(s, (const uint8_t *)"abc", 3, &rep));
	CHECK_EQ(rep, 7); /* the first add's */
	CHECK(!dataset_lookup(s, (const uint8_t *)"ab", 2, NULL));
	CHECK_EQ(dataset_add(s, (const uint8_t *)"", 0, 0), DATASET_BAD_VALUE);
	CHECK_EQ(dataset_remove(s, (const uint8_t *)"abc", 3), 1);
	CHECK_EQ(dataset_remove(s, (const uint8_t *)"abc", 3), 0);
	CHECK_EQ(dataset_count(s), 0);
	CHECK_EQ(dataset_memuse(s), 64 * sizeof(void *)); /* the buckets alone */
	/* names are shared case-insensitively, as Suricata's */
	d.type = DATASET_NOTSET;
	CHECK(dataset_get(reg, "NAMES", &d, err, sizeof(err)) == s);

	/* digests and addresses: only values of the type's length */
	struct dataset_decl dm = {.type = DATASET_MD5, .origin = "test"};
	struct dataset *m = dataset_get(reg, "md5s", &dm, err, sizeof(err));
	uint8_t h[32] = {1, 2, 3};
	CHECK_EQ(dataset_add(m, h, 15, 0), DATASET_BAD_VALUE);
	CHECK_EQ(dataset_add(m, h, 16, 0), 1);
	CHECK(dataset_lookup(m, h, 16, NULL));
	CHECK(!dataset_lookup(m, h, 32, NULL));
	struct dataset_decl di = {.type = DATASET_IP, .origin = "test"};
	struct dataset *ip = dataset_get(reg, "ips", &di, err, sizeof(err));
	uint8_t a4[4] = {10, 0, 0, 1}, a16[16] = {10, 0, 0, 1};
	CHECK_EQ(dataset_add(ip, a4, 4, 0), 1);
	CHECK(dataset_lookup(ip, a16, 16, NULL)); /* IPv4 in an ip set: 4 bytes and zeros */
	CHECK_EQ(dataset_add(ip, a16, 16, 0), 0);
	CHECK_EQ(dataset_add(ip, a4, 3, 0), DATASET_BAD_VALUE);
	struct dataset_decl d4 = {.type = DATASET_IPV4, .origin = "test"};
	struct dataset *v4 = dataset_get(reg, "v4", &d4, err, sizeof(err));
	CHECK_EQ(dataset_add(v4, a16, 16, 0), DATASET_BAD_VALUE);
	CHECK_EQ(dataset_add(v4, a4, 4, 0), 1);

	/* caps: the memcap counts buckets and values; at the cap, adds are refused */
	struct dataset_decl dc = {
	    .type = DATASET_STRING, .memcap = 1024, .hashsize = 16, .origin = "test"};
	struct dataset *small = dataset_get(reg, "small", &dc, err, sizeof(err));
	CHECK(small != NULL);
	int added = 0, full = 0;
	for (int i = 0; i < 100; i++) {
		char v[16];
		snprintf(v, sizeof(v), "value-%03d", i);
		int r = dataset_add(small, (const uint8_t *)v, (uint32_t)strlen(v), 0);
		added += r == 1;
		full += r == DATASET_FULL;
	}
	CHECK(added > 5 && added < 100);
	CHECK_EQ(added + full, 100);
	CHECK(dataset_memuse(small) <= 1024);
	CHECK_EQ(dataset_count(small), (uint32_t)added);
	CHECK_EQ(dataset_remove(small, (const uint8_t *)"value-000", 9), 1);
	CHECK_EQ(dataset_add(small, (const uint8_t *)"value-zzz", 9, 0), 1); /* room again */

	struct dataset_decl bad = {
	    .type = DATASET_STRING, .memcap = 100, .hashsize = 64, .origin = "test"};
	CHECK(dataset_get(reg, "nobuckets", &bad, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "more than the memcap") != NULL);
	bad.memcap = 0;
	bad.hashsize = DATASET_HASH_MAX + 1;
	CHECK(dataset_get(reg, "toobig", &bad, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "hashsize") != NULL);
	/* another type for a declared set names both declarations */
	struct dataset_decl other = {.type = DATASET_SHA256, .origin = "x.rules:9"};
	CHECK(dataset_get(reg, "names", &other, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "string") && strstr(err, "sha256") && strstr(err, "declared by test"));
	CHECK(dataset_get(reg, "undeclared", &(struct dataset_decl){.type = DATASET_NOTSET}, err,
			  sizeof(err)) == NULL);
	CHECK(strstr(err, "not declared") != NULL);
	CHECK_EQ(dataset_type_parse("ipv6"), DATASET_IP);
	CHECK_EQ(dataset_type_parse("ip"), DATASET_IP);
	CHECK_EQ(dataset_type_parse("sha1"), DATASET_NOTSET);
	dataset_reg_free(reg);
}

struct adder {
	struct dataset *s;
	int id, added;
};

static void *add_many(void *p)
{
	struct adder *a = p;
	for (int i = 0; i < 2000; i++) {
		char v[32];
		/* half the values are every thread's, half this thread's own */
		if (i % 2)
			snprintf(v, sizeof(v), "shared-%d", i);
		else
			snprintf(v, sizeof(v), "own-%d-%d", a->id, i);
		a->added += dataset_add(a->s, (const uint8_t *)v, (uint32_t)strlen(v), 0) == 1;
		dataset_lookup(a->s, (const uint8_t *)v, (uint32_t)strlen(v), NULL);
		if (i % 7 == 0)
			dataset_remove(a->s, (const uint8_t *)"never", 5);
	}
	return NULL;
}

static void test_threads(void)
{
	char err[512];
	struct dataset_reg *reg = dataset_reg_new(16 << 20, 256);
	struct dataset_decl d = {.type = DATASET_STRING, .origin = "test"};
	struct dataset *s = dataset_get(reg, "shared", &d, err, sizeof(err));
	dataset_mark_writable(s);
	pthread_t t[4];
	struct adder a[4];
	for (int i = 0; i < 4; i++) {
		a[i] = (struct adder){s, i, 0};
		pthread_create(&t[i], NULL, add_many, &a[i]);
	}
	int total = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		total += a[i].added;
	}
	/* each shared value added once, each own value once: 1000 + 4 * 1000 */
	CHECK_EQ(total, 5000);
	CHECK_EQ(dataset_count(s), 5000);
	dataset_reg_free(reg);
}

static void test_files(void)
{
	char err[2048];
	struct dataset_reg *reg = dataset_reg_new(1 << 20, 64);
	/* strings are base64 ("abc", "a,b" and a value with a reputation) */
	struct dataset_decl d = {.type = DATASET_STRING, .origin = "test"};
	snprintf(d.load, sizeof(d.load), "%s",
		 tmp_file("s.lst", "YWJj\n\n# comment\nYSxi\nd3d3LmV4YW1wbGUuY29t,200\n"));
	struct dataset *s = dataset_get(reg, "s", &d, err, sizeof(err));
	CHECK(s != NULL);
	uint16_t rep = 1;
	CHECK(s && dataset_lookup(s, (const uint8_t *)"abc", 3, &rep) && rep == 0);
	CHECK(s && dataset_lookup(s, (const uint8_t *)"a,b", 3, NULL));
	CHECK(s && dataset_lookup(s, (const uint8_t *)"www.example.com", 15, &rep) && rep == 200);
	CHECK_EQ(s ? dataset_count(s) : 0, 3);

	/* a bad line names the file and the line */
	static const struct {
		int type;
		const char *text, *want;
	} bad[] = {
	    {DATASET_STRING, "YWJj\nnot base64!\n", ":2: not a base64 string"},
	    {DATASET_STRING, "YWJ\n", ":1: not a base64 string"},
	    {DATASET_STRING, "YWJj,x\n", ":1: 'x' is not a reputation"},
	    {DATASET_STRING, "YWJj,70000\n", ":1: '70000' is not a reputation"},
	    {DATASET_MD5, "0123456789abcdef0123456789abcdef\n0123\n", ":2: not 32 hex digits"},
	    {DATASET_MD5, "0123456789abcdef0123456789abcdeg\n", ":1: not 32 hex digits"},
	    {DATASET_SHA256, "0123456789abcdef0123456789abcdef\n", ":1: not 64 hex digits"},
	    {DATASET_IPV4, "10.0.0.1\n10.0.0.256\n", ":2: not an IPv4 address"},
	    {DATASET_IPV4, "2001:db8::1\n", ":1: not an IPv4 address"},
	    {DATASET_IP, "2001:db8::1\n10.0.0.1\nfoo\n", ":3: not an IP address"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dataset_decl b = {.type = bad[i].type, .origin = "test"};
		snprintf(b.load, sizeof(b.load), "%s", tmp_file("bad.lst", bad[i].text));
		char name[16];
		snprintf(name, sizeof(name), "bad%zu", i);
		CHECK(dataset_get(reg, name, &b, err, sizeof(err)) == NULL);
		if (!strstr(err, bad[i].want) || !strstr(err, "bad.lst"))
			fprintf(stderr, "  got '%s', want '%s'\n", err, bad[i].want);
		CHECK(strstr(err, bad[i].want) && strstr(err, "bad.lst"));
	}
	/* a set too large for its memcap does not load */
	struct dataset_decl big = {
	    .type = DATASET_STRING, .memcap = 300, .hashsize = 4, .origin = "test"};
	snprintf(big.load, sizeof(big.load), "%s",
		 tmp_file("big.lst",
			  "YQ==\nYg==\nYw==\nZA==\nZQ==\nZg==\nZw==\naA==\naQ==\nag==\n"
			  "aw==\nbA==\nbQ==\nbg==\nbw==\ncA==\ncQ==\ncg==\ncw==\ndA==\n"));
	CHECK(dataset_get(reg, "big", &big, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "is full") != NULL);
	/* a missing load file is an error; a missing state file an empty set */
	struct dataset_decl miss = {.type = DATASET_MD5, .origin = "test"};
	snprintf(miss.load, sizeof(miss.load), "%s/none.lst", dir);
	CHECK(dataset_get(reg, "miss", &miss, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "cannot open") != NULL);
	miss.state = true;
	memcpy(miss.save, miss.load, sizeof(miss.save));
	struct dataset *st = dataset_get(reg, "miss", &miss, err, sizeof(err));
	CHECK(st != NULL && dataset_count(st) == 0);
	/* a later declaration naming other files conflicts */
	struct dataset_decl again = {.type = DATASET_STRING, .origin = "y.rules:3"};
	snprintf(again.load, sizeof(again.load), "%s/other.lst", dir);
	CHECK(dataset_get(reg, "s", &again, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "declared by test") && strstr(err, "other.lst"));

	/* save and load again: the same values, sorted, with reputations */
	char path[300];
	snprintf(path, sizeof(path), "%s/saved.lst", dir);
	CHECK_EQ(dataset_save(s, path, err, sizeof(err)), 0);
	CHECK_STR(read_all(path), "YSxi,0\nYWJj,0\nd3d3LmV4YW1wbGUuY29t,200\n");
	char tmp[320];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CHECK(access(tmp, F_OK) != 0);
	struct dataset_reg *reg2 = dataset_reg_new(1 << 20, 64);
	struct dataset_decl d2 = {.type = DATASET_STRING, .origin = "test"};
	memcpy(d2.load, path, strlen(path) + 1);
	struct dataset *s2 = dataset_get(reg2, "s", &d2, err, sizeof(err));
	CHECK(s2 && dataset_count(s2) == 3);
	CHECK(s2 && dataset_lookup(s2, (const uint8_t *)"www.example.com", 15, &rep) && rep == 200);

	/* each type writes its own text form */
	struct dataset_decl dip = {.type = DATASET_IP, .origin = "test"};
	snprintf(dip.load, sizeof(dip.load), "%s",
		 tmp_file("ip.lst", "2001:db8::1\n10.0.0.1\n::ffff:192.0.2.1\n"));
	struct dataset *ips = dataset_get(reg2, "ips", &dip, err, sizeof(err));
	uint8_t v4[4] = {192, 0, 2, 1};
	CHECK(ips && dataset_lookup(ips, v4, 4, NULL)); /* the mapped form is the IPv4 address */
	CHECK_EQ(ips ? dataset_save(ips, path, err, sizeof(err)) : -1, 0);
	CHECK_STR(read_all(path), "10.0.0.1\n2001:db8::1\n192.0.2.1\n"); /* by their bytes */
	struct dataset_decl dsha = {.type = DATASET_SHA256, .origin = "test"};
	snprintf(dsha.load, sizeof(dsha.load), "%s",
		 tmp_file("sha.lst", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852"
				     "B855\n"));
	struct dataset *sha = dataset_get(reg2, "sha", &dsha, err, sizeof(err));
	CHECK_EQ(sha ? dataset_save(sha, path, err, sizeof(err)) : -1, 0);
	CHECK_STR(read_all(path),
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
	/* a save into a folder that does not exist fails, naming it */
	snprintf(path, sizeof(path), "%s/no/such/dir.lst", dir);
	CHECK(dataset_save(sha, path, err, sizeof(err)) < 0);
	CHECK(strstr(err, "no/such") != NULL);
	dataset_reg_free(reg2);
	dataset_reg_free(reg);
}

static void test_keywords(void)
{
	struct config cfg;
	config_defaults(&cfg);
	struct ruleset *rs = ruleset_new(&cfg);
	if (!rs)
		return;
	char text[1024];
	const char *list = tmp_file("bad.lst", "YmFkLmV4YW1wbGU=\nZXZpbC5leGFtcGxl\n");
	const char *reps = tmp_file("rep.lst", "YQ==,10\nYg==,20\nYw==,30\n");

	/* parse errors, each naming what is wrong */
	CHECK(err_has(rs, "alert tcp any any -> any any (dataset:isset,a,type string; sid:1;)",
		      "needs a sticky buffer"));
	CHECK(err_has(
	    rs, "alert tcp any any -> any any (pkt_data; dataset:isset,a,type string; sid:1;)",
	    "needs a sticky buffer"));
	CHECK(err_has(rs, "alert dns any any -> any any (dns.query; dataset:isset; sid:1;)",
		      "expected <set|unset|isset|isnotset>,<name>"));
	CHECK(err_has(rs, "alert dns any any -> any any (dns.query; dataset:test,a; sid:1;)",
		      "unknown command 'test'"));
	CHECK(err_has(rs, "alert dns any any -> any any (dns.query; dataset:isset,a b; sid:1;)",
		      "invalid set name"));
	CHECK(err_has(rs,
		      "alert dns any any -> any any (dns.query; dataset:isset,"
		      "a234567890123456789012345678901234567890123456789012345678901234,type "
		      "string; sid:1;)",
		      "invalid set name"));
	CHECK(err_has(rs, "alert dns any any -> any any (dns.query; dataset:isset,a; sid:1;)",
		      "set 'a' is not declared: give its type"));
	CHECK(err_has(rs,
		      "alert dns any any -> any any (dns.query; dataset:isset,a,type sha1; sid:1;)",
		      "unknown type 'sha1'"));
	CHECK(err_has(rs, "alert dns any any -> any any (dns.query; dataset:isset,a,type; sid:1;)",
		      "option 'type' needs a value"));
	CHECK(err_has(rs,
		      "alert dns any any -> any any (dns.query; dataset:isset,a,type string,"
		      "colour blue; sid:1;)",
		      "unknown option 'colour'"));
	CHECK(err_has(rs,
		      "alert dns any any -> any any (dns.query; dataset:isset,a,type string,"
		      "memcap lots; sid:1;)",
		      "invalid memcap 'lots'"));
	CHECK(err_has(rs,
		      "alert dns any any -> any any (dns.query; dataset:isset,a,type string,"
		      "hashsize 0; sid:1;)",
		      "invalid hashsize '0'"));
	CHECK(err_has(rs,
		      "alert dns any any -> any any (dns.query; dataset:set,a,type string,"
		      "state a.lst,save b.lst; sid:1;)",
		      "'state' cannot be mixed"));
	CHECK(err_has(rs,
		      "alert dns any any -> any any (dns.query; dataset:set,a,type string,"
		      "save a.lst,save b.lst; sid:1;)",
		      "'save' can appear only once"));
	CHECK(err_has(rs,
		      "alert dns any any -> any any (dns.query; dataset:set,a,type string,"
		      "save /tmp/x.lst; sid:1;)",
		      "need datasets.rules.allow-absolute-filenames"));
	CHECK(err_has(rs,
		      "alert dns any any -> any any (dns.query; dataset:set,a,type string,"
		      "state ../x.lst; sid:1;)",
		      "need datasets.rules.allow-absolute-filenames"));
	CHECK(err_has(rs,
		      "alert dns any any -> any any (dns.query; dataset:isset,a,type string,"
		      "format xml; sid:1;)",
		      "unknown format 'xml'"));
	int code;
	error_of(rs,
		 "alert dns any any -> any any (dns.query; dataset:isset,a,type string,format "
		 "json; sid:1;)",
		 &code);
	CHECK_EQ(code, KW_UNSUPPORTED); /* JSON datasets: skipped, not an error */
	snprintf(text, sizeof(text),
		 "alert dns any any -> any any (dns.query; dataset:isset,a,type md5,load "
		 "%s/none.lst; sid:1;)",
		 dir);
	CHECK(err_has(rs, text, "none.lst: cannot open"));
	CHECK(err_has(rs, "alert dns any any -> any any (dns.query; datarep:r,>; sid:1;)",
		      "expected <name>,<op>,<value>"));
	CHECK(err_has(rs, "alert dns any any -> any any (dns.query; datarep:r,=>,5; sid:1;)",
		      "unknown operator '=>'"));
	CHECK(err_has(rs,
		      "alert dns any any -> any any (dns.query; datarep:r,>,65536,type string; "
		      "sid:1;)",
		      "not a number from 0 to 65535"));
	snprintf(text, sizeof(text),
		 "alert dns any any -> any any (dns.query; datarep:r,>,5,load %s; sid:1;)", reps);
	CHECK(err_has(rs, text, "'load' needs 'type'"));
	CHECK(err_has(rs,
		      "alert dns any any -> any any (dns.query; datarep:r,>,5,type string,state "
		      "r.lst; sid:1;)",
		      "datarep sets are read only"));

	/* isset / isnotset against a loaded list; later rules name the set alone */
	snprintf(text, sizeof(text),
		 "alert dns any any -> any any (dns.query; dataset:isset,bad,type string,load "
		 "%s; sid:10;)",
		 list);
	struct rule_err e;
	struct rule *isset = parse(rs, text, &e);
	struct rule *isnotset = parse(
	    rs, "alert dns any any -> any any (dns.query; dataset:isnotset,bad; sid:11;)", &e);
	CHECK(isset && isnotset);
	if (isset && isnotset) {
		CHECK_EQ(INS(isset, "bad.example"), 1);
		CHECK_EQ(INS(isset, "good.example"), 0);
		CHECK_EQ(INS(isnotset, "good.example"), 1);
		CHECK_EQ(INS(isnotset, "evil.example"), 0);
		CHECK_EQ(INS(isset, ""), 0); /* an empty buffer never matches */
		CHECK_EQ(INS(isnotset, ""), 0);
	}
	/* the same name with another type names both declarations */
	CHECK(err_has(rs,
		      "alert dns any any -> any any (dns.query; dataset:isset,bad,type md5; "
		      "sid:12;)",
		      "is of type string (declared by a rule), not md5"));

	/* set matches when the value is new; unset when it was there */
	struct rule *set = parse(
	    rs,
	    "alert http any any -> any any (http.user_agent; dataset:set,ua,type string,memcap "
	    "64kb,hashsize 64; sid:20;)",
	    &e);
	struct rule *unset = parse(
	    rs, "alert http any any -> any any (http.user_agent; dataset:unset,ua; sid:21;)", &e);
	struct rule *seen = parse(
	    rs, "alert http any any -> any any (http.user_agent; dataset:isset,ua; sid:22;)", &e);
	CHECK(set && unset && seen);
	if (set && unset && seen) {
		memset(&cnt, 0, sizeof(cnt));
		CHECK_EQ(INS(seen, "curl/8"), 0);
		CHECK_EQ(INS(set, "curl/8"), 1);
		CHECK_EQ(INS(set, "curl/8"), 0);
		CHECK_EQ(INS(set, "Wget/1"), 1);
		CHECK_EQ(INS(seen, "curl/8"), 1);
		CHECK_EQ(INS(unset, "curl/8"), 1);
		CHECK_EQ(INS(unset, "curl/8"), 0);
		CHECK_EQ(INS(seen, "curl/8"), 0);
		CHECK_EQ(INS(set, "curl/8"), 1);
		CHECK_EQ(cnt.c[CNT_DET_DATASET_ADDED], 3);
		CHECK_EQ(cnt.c[CNT_DET_DATASET_REMOVED], 1);
		CHECK_EQ(cnt.c[CNT_DET_DATASET_FULL], 0);
	}
	/* at the memcap a set adds nothing, counted */
	struct rule *tiny = parse(
	    rs,
	    "alert http any any -> any any (http.user_agent; dataset:set,tiny,type string,memcap "
	    "1kb,hashsize 8; sid:23;)",
	    &e);
	CHECK(tiny != NULL);
	if (tiny) {
		memset(&cnt, 0, sizeof(cnt));
		int matched = 0;
		for (int i = 0; i < 200; i++) {
			char ua[32];
			snprintf(ua, sizeof(ua), "agent/%d", i);
			matched += INS(tiny, ua);
		}
		CHECK(matched > 0 && matched < 200);
		CHECK_EQ(cnt.c[CNT_DET_DATASET_ADDED], (uint64_t)matched);
		CHECK_EQ(cnt.c[CNT_DET_DATASET_FULL], (uint64_t)(200 - matched));
	}
	/* transforms come first: to_md5 gives the 16 bytes an md5 set holds */
	const char *md5s = tmp_file("md5.lst", "5d41402abc4b2a76b9719d911017c592\n"); /* "hello" */
	snprintf(text, sizeof(text),
		 "alert dns any any -> any any (dns.query; to_md5; dataset:isset,h,type md5,load "
		 "%s; sid:24;)",
		 md5s);
	struct rule *md5 = parse(rs, text, &e);
	CHECK(md5 != NULL);
	if (md5) {
		CHECK_EQ(md5->bufs[0].n_xform, 1);
		/* inspect_list sees the transformed buffer: the digest itself */
		CHECK_EQ(inspect_buf(md5,
				     "\x5d\x41\x40\x2a\xbc\x4b\x2a\x76\xb9\x71\x9d\x91\x10\x17\xc5"
				     "\x92",
				     16),
			 1);
		CHECK_EQ(INS(md5, "hello"), 0);
	}

	/* datarep: every operator on a value's reputation; absent values never match */
	static const struct {
		const char *op;
		int value, a, b, c, absent;
	} ops[] = {
	    {">", 20, 0, 0, 1, 0},  {"<", 20, 1, 0, 0, 0},  {">=", 20, 0, 1, 1, 0},
	    {"<=", 20, 1, 1, 0, 0}, {"==", 20, 0, 1, 0, 0}, {"!=", 20, 1, 0, 1, 0},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		snprintf(text, sizeof(text),
			 "alert dns any any -> any any (dns.query; datarep:rep,%s,%d,type "
			 "string,load %s; sid:%zu;)",
			 ops[i].op, ops[i].value, reps, 30 + i);
		struct rule *r = parse(rs, text, &e);
		CHECK(r != NULL);
		if (!r) {
			fprintf(stderr, "  %s: %s\n", text, e.msg);
			continue;
		}
		CHECK_EQ(INS(r, "a"), ops[i].a);
		CHECK_EQ(INS(r, "b"), ops[i].b);
		CHECK_EQ(INS(r, "c"), ops[i].c);
		CHECK_EQ(INS(r, "d"), ops[i].absent);
		rule_free(r);
	}
	/* ip.src / ip.dst are sticky buffers of 4 or 16 bytes */
	const char *ips = tmp_file("ips.lst", "10.0.0.1\n2001:db8::1\n");
	snprintf(text, sizeof(text),
		 "alert ip any any -> any any (ip.dst; dataset:isset,ips,type ip,load %s; sid:41;)",
		 ips);
	struct rule *ipr = parse(rs, text, &e);
	CHECK(ipr && ipr->bufs[0].buf == BUF_IP_DST && !(ipr->flags & RULE_WAITING));
	if (ipr) {
		CHECK_EQ(inspect_buf(ipr, "\x0a\x00\x00\x01", 4), 1);
		CHECK_EQ(inspect_buf(ipr, "\x0a\x00\x00\x02", 4), 0);
		CHECK_EQ(inspect_buf(ipr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16), 1);
	}
	rule_free(ipr);
	/* a dataset rule may name a datarep set: its values without reputations */
	struct rule *inrep =
	    parse(rs, "alert dns any any -> any any (dns.query; dataset:isset,rep; sid:40;)", &e);
	CHECK(inrep && INS(inrep, "b") == 1);
	rule_free(inrep);

	rule_free(isset);
	rule_free(isnotset);
	rule_free(set);
	rule_free(unset);
	rule_free(seen);
	rule_free(tiny);
	rule_free(md5);
	ruleset_free(rs);
}

/* load and state beside the rule file; save at the end; the configuration's sets */
static void test_rule_files(void)
{
	struct config cfg;
	config_defaults(&cfg);
	char sub[128];
	snprintf(sub, sizeof(sub), "%s/rules", dir);
	mkdir(sub, 0700);
	char path[300];
	snprintf(path, sizeof(path), "%s/rules/names.lst", dir);
	FILE *f = fopen(path, "w");
	fputs("Y2RuLmV4YW1wbGUubmV0\n", f); /* cdn.example.net */
	fclose(f);
	snprintf(path, sizeof(path), "%s/rules/t.rules", dir);
	f = fopen(path, "w");
	fputs("alert dns any any -> any any (dns.query; dataset:isset,names,type string,load "
	      "names.lst; sid:1;)\n"
	      "alert http any any -> any any (http.user_agent; dataset:set,seen,type string,state "
	      "seen.lst; sid:2;)\n"
	      "alert http any any -> any any (http.host; dataset:set,hosts; sid:3;)\n",
	      f);
	fclose(f);
	/* hosts is the configuration's, with its own state file in default-data-dir */
	char kv[400];
	snprintf(kv, sizeof(kv), "default-data-dir=%s", dir);
	CHECK_EQ(config_set_kv(&cfg, kv), 0);
	CHECK_EQ(config_set_kv(&cfg, "datasets.hosts.type=string"), 0);
	CHECK_EQ(config_set_kv(&cfg, "datasets.hosts.state=hosts.lst"), 0);
	struct ruleset *rs = ruleset_new(&cfg);
	CHECK(rs != NULL);
	if (!rs)
		return;
	CHECK_EQ(ruleset_load_file(rs, path), 0);
	CHECK_EQ(rs->n_loaded, 3);
	CHECK_EQ(rs->n_errors, 0);
	struct dataset *names = dataset_find(rs->datasets, "names");
	struct dataset *seenset = dataset_find(rs->datasets, "seen");
	struct dataset *hosts = dataset_find(rs->datasets, "hosts");
	CHECK(names && dataset_count(names) == 1);
	CHECK(seenset && hosts);
	if (seenset && hosts) {
		dataset_add(seenset, (const uint8_t *)"curl/8", 6, 0);
		dataset_add(hosts, (const uint8_t *)"example.com", 11, 0);
	}
	CHECK_EQ(dataset_reg_save(rs->datasets), 0);
	/* both state files in default-data-dir */
	snprintf(path, sizeof(path), "%s/seen.lst", dir);
	CHECK_STR(read_all(path), "Y3VybC84\n");
	snprintf(path, sizeof(path), "%s/hosts.lst", dir);
	CHECK_STR(read_all(path), "ZXhhbXBsZS5jb20=\n");
	ruleset_free(rs);

	/* the next start loads the state back */
	rs = ruleset_new(&cfg);
	hosts = rs ? dataset_find(rs->datasets, "hosts") : NULL;
	CHECK(hosts && dataset_count(hosts) == 1);
	ruleset_free(rs);

	/* without default-data-dir, a rule's state lies beside its rule file */
	config_defaults(&cfg);
	rs = ruleset_new(&cfg);
	snprintf(path, sizeof(path), "%s/rules/t.rules", dir);
	CHECK_EQ(ruleset_load_file(rs, path), 0);
	CHECK_EQ(rs->n_errors, 1); /* hosts is not declared here */
	seenset = dataset_find(rs->datasets, "seen");
	CHECK(seenset != NULL);
	if (seenset)
		dataset_add(seenset, (const uint8_t *)"x", 1, 0);
	CHECK_EQ(dataset_reg_save(rs->datasets), 0);
	snprintf(path, sizeof(path), "%s/rules/seen.lst", dir);
	CHECK_STR(read_all(path), "eA==\n");
	ruleset_free(rs);

	/* allow-write off: no save or state in rules */
	config_defaults(&cfg);
	CHECK_EQ(config_set_kv(&cfg, "datasets.rules.allow-write=false"), 0);
	rs = ruleset_new(&cfg);
	CHECK(err_has(rs,
		      "alert dns any any -> any any (dns.query; dataset:set,w,type string,save "
		      "w.lst; sid:1;)",
		      "datasets.rules.allow-write"));
	ruleset_free(rs);
	/* allow-absolute-filenames on: an absolute save path is taken as it is */
	config_defaults(&cfg);
	CHECK_EQ(config_set_kv(&cfg, "datasets.rules.allow-absolute-filenames=true"), 0);
	rs = ruleset_new(&cfg);
	char text[600];
	snprintf(text, sizeof(text),
		 "alert dns any any -> any any (dns.query; dataset:set,w,type string,save "
		 "%s/abs.lst; sid:1;)",
		 dir);
	int code;
	error_of(rs, text, &code);
	CHECK_EQ(code, 0);
	ruleset_free(rs);

	/* the configuration's sets: a bad file stops the start */
	config_defaults(&cfg);
	CHECK_EQ(config_set_kv(&cfg, "datasets.broken.type=md5"), 0);
	snprintf(kv, sizeof(kv), "datasets.broken.load=%s", tmp_file("broken.lst", "xyz\n"));
	CHECK_EQ(config_set_kv(&cfg, kv), 0);
	CHECK(ruleset_new(&cfg) == NULL);
	config_defaults(&cfg);
	CHECK(config_set_kv(&cfg, "datasets.x.type=sha1") < 0);
	CHECK(config_set_kv(&cfg, "datasets.x.memcap=big") < 0);
	CHECK(config_set_kv(&cfg, "datasets.x y.type=md5") < 0);
	CHECK_EQ(config_set_kv(&cfg, "datasets.x.memcap=1mb"), 0);
	CHECK_EQ(config_set_kv(&cfg, "datasets.x.hashsize=128"), 0);
	CHECK(config_dataset(&cfg, "x") && config_dataset(&cfg, "x")->memcap == 1 << 20);
}

static const char *categories = "# id,shortname,description\n"
				"1,CnC,Command and control, with a comma\n"
				"2,Cloud,Cloud hosts\n"
				"59,Internal,Office\n";

static const char *reputation = "ip,category,score\n"
				"203.0.113.0/24,1,50\n"
				"203.0.113.44,1,100\n"
				"203.0.113.128/25,1,20\n"
				"203.0.113.200/29,1,0\n"
				"0.0.0.0/0,2,5\n"
				"198.51.100.10,2,30\n"
				"198.51.100.10,2,31\n" /* listed again: the later wins */
				"2001:db8::/32,1,40\n"
				"2001:db8:1::/48,1,70\n"
				"::/0,59,1\n"
				"10.1.0.0/16,59,10\n";

static void test_iprep_tables(void)
{
	char err[600];
	const char *cats = tmp_file("categories.txt", categories);
	const char *reps = tmp_file("reputation.list", reputation);
	struct iprep *r = iprep_load(cats, "reputation.list", dir, err, sizeof(err));
	CHECK(r != NULL);
	if (!r) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	(void)reps;
	CHECK_EQ(iprep_category(r, "CnC"), 1);
	CHECK_EQ(iprep_category(r, "Internal"), 59);
	CHECK_EQ(iprep_category(r, "cnc"), -1);
	CHECK_EQ(iprep_entries(r), 11);
	static const struct {
		const char *addr;
		int cat, score;
	} want[] = {
	    {"203.0.113.44", 1, 100}, /* the host, not its /24 */
	    {"203.0.113.43", 1, 50},  {"203.0.113.45", 1, 50},	 {"203.0.113.127", 1, 50},
	    {"203.0.113.128", 1, 20}, {"203.0.113.199", 1, 20},	 {"203.0.113.200", 1, 0},
	    {"203.0.113.207", 1, 0},  {"203.0.113.208", 1, 20},	 {"203.0.113.255", 1, 20},
	    {"203.0.114.0", 1, -1},   {"203.0.112.255", 1, -1},	 {"198.51.100.10", 2, 31},
	    {"198.51.100.11", 2, 5},  {"255.255.255.255", 2, 5}, {"0.0.0.0", 2, 5},
	    {"10.1.2.3", 59, 10},     {"10.2.0.1", 59, -1},	 {"198.51.100.10", 1, -1},
	    {"2001:db8::1", 1, 40},   {"2001:db8:1::5", 1, 70},	 {"2001:db8:2::", 1, 40},
	    {"2001:db9::", 1, -1},    {"ffff::1", 59, 1},	 {"::", 59, 1},
	    {"10.1.2.3", 3, -1},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		uint8_t a[16];
		int ver = strchr(want[i].addr, ':') ? 6 : 4;
		inet_pton(ver == 4 ? AF_INET : AF_INET6, want[i].addr, a);
		int got = iprep_score(r, (unsigned)want[i].cat, a, ver);
		if (got != want[i].score)
			fprintf(stderr, "  %s cat %d: %d, want %d\n", want[i].addr, want[i].cat,
				got, want[i].score);
		CHECK_EQ(got, want[i].score);
	}
	iprep_free(r);

	/* bad lines name the file and the line */
	static const struct {
		const char *cats, *reps, *want;
	} bad[] = {
	    {"1,A,a\nx,B,b\n", "", "categories.txt:2: expected id,shortname"},
	    {"1,A,a\n60,B,b\n", "", "categories.txt:2: expected id,shortname"},
	    {"1,A,a\n1,B,b\n", "", "categories.txt:2: category 1 is already named A"},
	    {"1,A,a\n2,A,b\n", "", "categories.txt:2: category name A is already used"},
	    {"1,A\n", "10.0.0.1,1,5\n10.0.0.2,1\n", "reputation.list:2: expected address"},
	    {"1,A\n", "10.0.0.1,1,128\n", "reputation.list:1: score '128'"},
	    {"1,A\n", "10.0.0.1,60,1\n", "reputation.list:1: category '60'"},
	    {"1,A\n", "10.0.0.0/33,1,1\n", "reputation.list:1: '10.0.0.0/33' is not an address"},
	    {"1,A\n", "host.example,1,1\n", "reputation.list:1: 'host.example' is not"},
	    {"1,A\n", "10.0.0.1,1,1,1\n", "reputation.list:1: expected address"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tmp_file("categories.txt", bad[i].cats);
		tmp_file("reputation.list", bad[i].reps);
		r = iprep_load(cats, "reputation.list", dir, err, sizeof(err));
		CHECK(r == NULL);
		if (r || !strstr(err, bad[i].want))
			fprintf(stderr, "  got '%s', want '%s'\n", r ? "(loaded)" : err,
				bad[i].want);
		CHECK(!r && strstr(err, bad[i].want));
		iprep_free(r);
	}
	r = iprep_load(cats, "none.list", dir, err, sizeof(err));
	CHECK(r == NULL && strstr(err, "none.list: cannot open"));
}

static bool iprep_match(const struct rule *r, const char *src, const char *dst)
{
	struct packet p;
	memset(&p, 0, sizeof(p));
	p.ip_ver = strchr(src, ':') ? 6 : 4;
	int af = p.ip_ver == 4 ? AF_INET : AF_INET6;
	inet_pton(af, src, p.src.a);
	inet_pton(af, dst, p.dst.a);
	struct det_pkt d = {&p, NULL, NULL, NULL, NULL};
	const struct kw_def *k = kw_get(r->pkt.v[0].kw);
	return k->match(&d, r->pkt.v[0].ctx);
}

static void test_iprep_keyword(void)
{
	struct config cfg;
	config_defaults(&cfg);
	tmp_file("categories.txt", categories);
	tmp_file("reputation.list", reputation);
	char kv[300];
	snprintf(kv, sizeof(kv), "reputation-categories-file=%s/categories.txt", dir);
	CHECK_EQ(config_set_kv(&cfg, kv), 0);
	/* a list key: comma-separated (a YAML sequence is joined the same way) */
	CHECK_EQ(config_set_kv(&cfg, "reputation-files=reputation.list, reputation.list"), 0);
	snprintf(kv, sizeof(kv), "default-reputation-path=%s", dir);
	CHECK_EQ(config_set_kv(&cfg, kv), 0);
	struct ruleset *rs = ruleset_new(&cfg);
	CHECK(rs != NULL && rs->iprep != NULL);
	if (!rs)
		return;
	CHECK(err_has(rs, "alert ip any any -> any any (iprep:dst,CnC; sid:1;)", "expected"));
	CHECK(err_has(rs, "alert ip any any -> any any (iprep:left,CnC,>,1; sid:1;)",
		      "unknown side 'left'"));
	CHECK(err_has(rs, "alert ip any any -> any any (iprep:dst,Spam,>,1; sid:1;)",
		      "unknown category 'Spam' (CnC, Cloud, Internal)"));
	CHECK(err_has(rs, "alert ip any any -> any any (iprep:dst,CnC,!=,1; sid:1;)",
		      "unknown operator '!='"));
	CHECK(err_has(rs, "alert ip any any -> any any (iprep:dst,CnC,>,128; sid:1;)",
		      "a score from 0 to 127"));
	CHECK(err_has(rs, "alert ip any any -> any any (iprep:dst,CnC,>; sid:1;)",
		      "a score from 0 to 127"));
	CHECK(err_has(rs, "alert ip any any -> any any (iprep:dst,CnC,isset,1; sid:1;)",
		      "isset takes no score"));
	CHECK(err_has(rs, "alert ip any any -> any any (iprep:dst,CnC,>,1,2; sid:1;)", "expected"));

	static const struct {
		const char *opt, *src, *dst;
		bool want;
	} cases[] = {
	    {"dst,CnC,>,60", "10.1.0.5", "203.0.113.44", true},
	    {"dst,CnC,>,60", "10.1.0.5", "203.0.113.45", false},
	    {"dst,CnC,<,60", "10.1.0.5", "203.0.113.44", false}, /* the host's 100 wins */
	    {"dst,CnC,<,60", "10.1.0.5", "203.0.113.45", true},
	    {"dst,CnC,<,60", "10.1.0.5", "8.8.8.8", false}, /* not listed: no score */
	    {"src,CnC,>,60", "10.1.0.5", "203.0.113.44", false},
	    {"src,CnC,>,60", "203.0.113.44", "10.1.0.5", true},
	    {"any,CnC,>,60", "203.0.113.44", "10.1.0.5", true},
	    {"any,CnC,>,60", "10.1.0.5", "203.0.113.44", true},
	    {"any,CnC,>,60", "10.1.0.5", "10.1.0.6", false},
	    {"both,CnC,>=,50", "203.0.113.1", "203.0.113.44", true},
	    {"both,CnC,>=,50", "203.0.113.1", "203.0.113.129", false},
	    {"dst,CnC,=,0", "10.1.0.5", "203.0.113.201", true},
	    {"dst,CnC,<=,20", "10.1.0.5", "203.0.113.201", true},
	    {"dst,CnC,>=,21", "10.1.0.5", "203.0.113.201", false},
	    {"dst,CnC,isset", "10.1.0.5", "203.0.113.201", true}, /* a score of 0 is set */
	    {"dst,CnC,isset", "10.1.0.5", "8.8.8.8", false},
	    {"dst,CnC,isnotset", "10.1.0.5", "8.8.8.8", true},
	    {"dst,CnC,isnotset", "10.1.0.5", "203.0.113.9", false},
	    {"src,Internal,isnotset", "8.8.8.8", "10.1.0.5", true},
	    {"any,CnC,isnotset", "203.0.113.9", "10.1.0.5", true},
	    {"any,CnC,isnotset", "203.0.113.9", "203.0.113.10", false},
	    {"both,CnC,isnotset", "203.0.113.9", "10.1.0.5", false},
	    {"both,CnC,isnotset", "8.8.4.4", "10.1.0.5", true},
	    {"dst,CnC,>,50", "2001:db8:9::1", "2001:db8:1::80", true},
	    {"dst,CnC,>,50", "2001:db8:1::80", "2001:db8:9::1", false},
	    {"any,Internal,=,1", "2001:db8::1", "fe80::1", true},
	    {"any,Internal,=,1", "10.1.0.5", "10.1.0.6", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), "alert ip any any -> any any (iprep:%s; sid:5;)",
			 cases[i].opt);
		struct rule_err e;
		struct rule *r = parse(rs, text, &e);
		CHECK(r != NULL);
		if (!r) {
			fprintf(stderr, "  %s: %s\n", text, e.msg);
			continue;
		}
		bool got = iprep_match(r, cases[i].src, cases[i].dst);
		if (got != cases[i].want)
			fprintf(stderr, "  iprep:%s %s -> %s: %d\n", cases[i].opt, cases[i].src,
				cases[i].dst, got);
		CHECK(got == cases[i].want);
		rule_free(r);
	}
	ruleset_free(rs);

	/* without reputation files, every category is unknown */
	config_defaults(&cfg);
	rs = ruleset_new(&cfg);
	CHECK(err_has(rs, "alert ip any any -> any any (iprep:dst,CnC,>,1; sid:1;)",
		      "no IP reputation is loaded"));
	ruleset_free(rs);
	/* one of the two files alone, or a bad file, stops the start */
	CHECK_EQ(config_set_kv(&cfg, "reputation-files=reputation.list"), 0);
	CHECK(ruleset_new(&cfg) == NULL);
	snprintf(kv, sizeof(kv), "reputation-categories-file=%s/categories.txt", dir);
	CHECK_EQ(config_set_kv(&cfg, kv), 0);
	CHECK(ruleset_new(&cfg) == NULL); /* reputation.list is not in the current folder */
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/mamori-sets-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_store();
	test_threads();
	test_files();
	test_keywords();
	test_rule_files();
	test_iprep_tables();
	test_iprep_keyword();
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	return check_report("test_datasets");
}
