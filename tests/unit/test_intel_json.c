/*
 * test_intel_json — the JSON intel importers: STIX 2.1 and 2.0 bundles
 * (patterns, attribution through relationships and markings, what is
 * counted and why), the STIX pattern parser on its own, MISP events, API
 * responses, feeds and galaxies, and broken or hostile files. Fixtures are
 * written with ` for " so that they read as the JSON they become.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "intel/import.h"
#include "intel/intel_json.h"
#include "intel/ioc.h"
#include "intel/stix_pattern.h"

/* `-quoted text as a file in dir (a temporary one when dir is NULL); the
 * path goes into path. */
static int fixture(char *path, size_t cap, const char *dir, const char *name, const char *text)
{
	if (dir) {
		snprintf(path, cap, "%s/%s", dir, name);
	} else {
		snprintf(path, cap, "/tmp/mamori-test-%s-XXXXXX", name);
		int fd = mkstemp(path);
		if (fd < 0)
			return -1;
		close(fd);
	}
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	for (const char *p = text; *p; p++)
		fputc(*p == '`' ? '"' : *p, f);
	return fclose(f);
}

/* Load text as a file (format NULL: sniffed); the report into r. */
static int load(struct ioc_set *s, const char *format, const char *text, struct ioc_report *r,
		char *err, size_t errlen)
{
	char path[256];
	if (fixture(path, sizeof(path), NULL, "json", text) < 0)
		return -9;
	int rc = ioc_import_file(s, path, format, NULL, r, err, errlen);
	unlink(path);
	return rc;
}

/* The count of a reason in a report (notes when note), 0 when absent. */
static uint64_t reason(const struct ioc_report *r, const char *text, bool note)
{
	for (unsigned i = 0; i < r->n_skip; i++)
		if (r->skip[i].note == note && !strcmp(r->skip[i].reason, text))
			return r->skip[i].n;
	return 0;
}

/* The first attribution of an indicator, or NULL when it is not there. */
static const struct ioc_meta *meta_of(const struct ioc_set *s, enum ioc_type t, const char *v)
{
	struct ioc_hit h;
	if (t == IOC_DOMAIN ? !ioc_match_domain(s, v, strlen(v), &h)
			    : !ioc_match(s, t, v, strlen(v), &h))
		return NULL;
	return ioc_meta_get(s, ioc_hit_meta(s, &h, 0));
}

static bool has(const struct ioc_set *s, enum ioc_type t, const char *v)
{
	return meta_of(s, t, v) != NULL;
}

/* ---- STIX ---- */

/* Relationships first, identity and markings last: order must not matter. */
static const char stix21[] =
    "{`type`: `bundle`, `id`: `bundle--1`, `objects`: [\n"
    " {`type`: `relationship`, `spec_version`: `2.1`, `id`: `relationship--1`,\n"
    "  `source_ref`: `indicator--1`, `relationship_type`: `indicates`,\n"
    "  `target_ref`: `intrusion-set--1`},\n"
    " {`type`: `relationship`, `id`: `relationship--2`, `source_ref`: `indicator--2`,\n"
    "  `relationship_type`: `indicates`, `target_ref`: `campaign--1`},\n"
    " {`type`: `relationship`, `id`: `relationship--3`, `source_ref`: `campaign--1`,\n"
    "  `relationship_type`: `attributed-to`, `target_ref`: `threat-actor--1`},\n"
    " {`type`: `relationship`, `id`: `relationship--4`, `source_ref`: `indicator--3`,\n"
    "  `relationship_type`: `indicates`, `target_ref`: `malware--1`},\n"
    " {`type`: `relationship`, `id`: `relationship--5`, `source_ref`: `intrusion-set--1`,\n"
    "  `relationship_type`: `uses`, `target_ref`: `malware--1`},\n"
    " {`type`: `relationship`, `id`: `relationship--6`, `source_ref`: `intrusion-set--2`,\n"
    "  `relationship_type`: `uses`, `target_ref`: `malware--1`},\n"
    " {`type`: `indicator`, `spec_version`: `2.1`, `id`: `indicator--1`,\n"
    "  `pattern_type`: `stix`, `confidence`: 80, `created_by_ref`: `identity--1`,\n"
    "  `valid_from`: `2024-01-15T09:00:00Z`, `valid_until`: `2025-01-15T09:00:00+09:00`,\n"
    "  `object_marking_refs`: [`marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da`,\n"
    "                          `marking-definition--tlp2-as`],\n"
    "  `pattern`: `[ipv4-addr:value = '198.51.100.7' OR domain-name:value IN ('c2.example', "
    "'*.cdn.example')]`},\n"
    " {`type`: `indicator`, `spec_version`: `2.1`, `id`: `indicator--2`, `pattern_type`: `stix`,\n"
    "  `object_marking_refs`: [`marking-definition--tlp1-red`],\n"
    "  `pattern`: `[file:hashes.'SHA-256' = "
    "'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855']`},\n"
    " {`type`: `indicator`, `spec_version`: `2.1`, `id`: `indicator--3`, `pattern_type`: `stix`,\n"
    "  `pattern`: `[url:value = 'http://c2.example/it\\\\'s/a\\\\\\\\b']`},\n"
    " {`type`: `indicator`, `spec_version`: `2.1`, `id`: `indicator--4`,\n"
    "  `pattern_type`: `sigma`, `pattern`: `title: x`},\n"
    " {`type`: `attack-pattern`, `id`: `attack-pattern--1`, `name`: `Phishing`},\n"
    " {`type`: `attack-pattern`, `id`: `attack-pattern--2`, `name`: `Exfiltration`},\n"
    " {`type`: `x-mitre-tactic`, `id`: `x-mitre-tactic--1`},\n"
    " {`type`: `ipv4-addr`, `spec_version`: `2.1`, `id`: `ipv4-addr--1`, `value`: `192.0.2.1`},\n"
    " {`type`: `intrusion-set`, `id`: `intrusion-set--1`, `name`: `APT-Example`},\n"
    " {`type`: `intrusion-set`, `id`: `intrusion-set--2`, `name`: `Another Set`},\n"
    " {`type`: `threat-actor`, `id`: `threat-actor--1`, `name`: `Example Actor`},\n"
    " {`type`: `campaign`, `id`: `campaign--1`, `name`: `Operation Example`},\n"
    " {`type`: `malware`, `id`: `malware--1`, `name`: `ExampleRAT`},\n"
    " {`type`: `identity`, `id`: `identity--1`, `name`: `Example CERT`},\n"
    " {`type`: `marking-definition`, `id`: `marking-definition--tlp2-as`,\n"
    "  `name`: `TLP:AMBER+STRICT`, `extensions`: {`extension-definition--60a3c5c5-0d10-413e-"
    "aab3-9e08dde9e88d`: {`extension_type`: `property-extension`, `tlp_2_0`: `amber+strict`}}},\n"
    " {`type`: `marking-definition`, `id`: `marking-definition--tlp1-red`,\n"
    "  `definition_type`: `tlp`, `definition`: {`tlp`: `red`}}\n"
    "]}\n";

static void test_stix21(void)
{
	struct ioc_set *s = ioc_set_new();
	struct ioc_report r;
	char err[512] = "";
	CHECK_EQ(load(s, NULL, stix21, &r, err, sizeof(err)), 0);
	CHECK_STR(r.format, "stix");
	CHECK_EQ(r.loaded, 5);
	CHECK_EQ(r.duplicates, 0);
	CHECK_EQ(r.skipped, 5);
	CHECK_EQ(reason(&r, "object type attack-pattern (not an indicator)", false), 2);
	CHECK_EQ(reason(&r, "object type x-mitre-tactic (not an indicator)", false), 1);
	CHECK_EQ(reason(&r, "observable ipv4-addr (an observation, not an indicator)", false), 1);
	CHECK_EQ(reason(&r, "pattern_type sigma (not STIX patterning)", false), 1);
	CHECK_EQ(r.notes, 0);

	/* a direct intrusion set; confidence, validity, the stricter TLP, the identity */
	const struct ioc_meta *m = meta_of(s, IOC_IPV4, "198.51.100.7");
	CHECK(m != NULL);
	if (m) {
		CHECK_STR(m->actor, "APT-Example");
		CHECK(m->campaign == NULL);
		CHECK_STR(m->source, "Example CERT");
		CHECK_EQ(m->confidence, 80);
		CHECK_EQ(m->tlp, TLP_AMBER_STRICT);
		CHECK_EQ(m->valid_from, 1705309200);
		CHECK_EQ(m->valid_until, 1736899200); /* 2025-01-15T00:00:00Z */
	}
	CHECK(has(s, IOC_DOMAIN, "c2.example"));
	CHECK(has(s, IOC_DOMAIN, "x.cdn.example")); /* '*.cdn.example': and below */
	/* a campaign, and its actor through attributed-to; the file's name as source */
	m = meta_of(s, IOC_SHA256,
		    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK(m != NULL);
	if (m) {
		CHECK_STR(m->campaign, "Operation Example");
		CHECK_STR(m->actor, "Example Actor");
		CHECK(m->source && !strncmp(m->source, "mamori-test-json-", 17));
		CHECK_EQ(m->tlp, TLP_RED);
		CHECK_EQ(m->confidence, -1);
	}
	/* malware used by two intrusion sets: both, sorted; escapes in the value */
	m = meta_of(s, IOC_URL, "http://c2.example/it's/a\\b");
	CHECK(m != NULL);
	if (m)
		CHECK_STR(m->actor, "APT-Example, Another Set");
	ioc_set_free(s);
}

/* STIX 2.0 as Unit 42 playbooks write it. */
static const char stix20[] =
    "{`type`: `bundle`, `id`: `bundle--2`, `spec_version`: `2.0`, `objects`: [\n"
    " {`type`: `indicator`, `id`: `indicator--a`, `labels`: [`malicious-activity`],\n"
    "  `valid_from`: `2019-01-08T16:40:53.572Z`, `object_marking_refs`: "
    "[`marking-definition--a`],\n"
    "  `pattern`: `[domain-name:value = 'www.example-c2.com']`},\n"
    " {`type`: `indicator`, `id`: `indicator--b`, `labels`: [`malicious-activity`],\n"
    "  `pattern`: `[file:hashes.'SHA-256' = "
    "'64cc899ec85f612270fcfb120a4c80d52d78e68b05caf1014d2fe06522f1e2d0' AND file:name = "
    "'x.dat']`},\n"
    " {`type`: `indicator`, `id`: `indicator--c`,\n"
    "  `pattern`: `[windows-registry-key:key = 'HKCU\\\\\\\\Run' AND "
    "windows-registry-key:values[*].data = 'x']`},\n"
    " {`type`: `indicator`, `id`: `indicator--d`, `pattern`: `[network-traffic:dst_port = 80]`},\n"
    " {`type`: `indicator`, `id`: `indicator--e`, `pattern`: `[url:value = "
    "'example.com/x.asp']`},\n"
    " {`type`: `observed-data`, `id`: `observed-data--a`, `objects`: {`0`: {`type`: `ipv4-addr`,\n"
    "  `value`: `203.0.113.9`}}},\n"
    " {`type`: `course-of-action`, `id`: `course-of-action--a`, `name`: `Block`},\n"
    " {`type`: `marking-definition`, `id`: `marking-definition--a`, `definition_type`: `tlp`,\n"
    "  `definition`: {`tlp`: `amber`}},\n"
    " {`type`: `campaign`, `id`: `campaign--a`, `name`: `Taurus`},\n"
    " {`type`: `intrusion-set`, `id`: `intrusion-set--a`, `name`: `Granite Taurus`},\n"
    " {`type`: `relationship`, `id`: `relationship--a`, `source_ref`: `indicator--a`,\n"
    "  `relationship_type`: `indicates`, `target_ref`: `campaign--a`},\n"
    " {`type`: `relationship`, `id`: `relationship--b`, `source_ref`: `campaign--a`,\n"
    "  `relationship_type`: `attributed-to`, `target_ref`: `intrusion-set--a`}\n"
    "]}\n";

static void test_stix20(void)
{
	struct ioc_set *s = ioc_set_new();
	struct ioc_report r;
	char err[512] = "";
	CHECK_EQ(load(s, NULL, stix20, &r, err, sizeof(err)), 0);
	CHECK_STR(r.format, "stix");
	CHECK_EQ(r.loaded, 2);
	CHECK_EQ(r.skipped, 5);
	CHECK_EQ(r.notes, 1);
	CHECK_EQ(reason(&r, "AND pattern kept as its separate terms", true), 1);
	CHECK_EQ(
	    reason(&r, "comparison on windows-registry-key:key (not an indicator type)", false),
	    1); /* one indicator: all its terms are unsupported */
	CHECK_EQ(
	    reason(&r, "comparison on network-traffic:dst_port (not an indicator type)", false), 1);
	CHECK_EQ(reason(&r, "url:value without a scheme (not a URL)", false), 1);
	CHECK_EQ(reason(&r, "observed-data (observations, not indicators)", false), 1);
	CHECK_EQ(reason(&r, "object type course-of-action (not an indicator)", false), 1);
	const struct ioc_meta *m = meta_of(s, IOC_DOMAIN, "www.example-c2.com");
	CHECK(m != NULL);
	if (m) {
		CHECK_STR(m->campaign, "Taurus");
		CHECK_STR(m->actor, "Granite Taurus");
		CHECK_EQ(m->tlp, TLP_AMBER);
		CHECK_EQ(m->valid_from, 1546965653);
	}
	CHECK(
	    has(s, IOC_SHA256, "64cc899ec85f612270fcfb120a4c80d52d78e68b05caf1014d2fe06522f1e2d0"));
	ioc_set_free(s);
}

static const char stix_patterns[] =
    "{`type`: `bundle`, `id`: `bundle--3`, `objects`: [\n"
    " {`type`: `indicator`, `id`: `indicator--1`, `pattern`: `[ipv4-addr:value ISSUBSET "
    "'203.0.113.0/24'] OR [ipv6-addr:value = '2001:db8::/32']`},\n"
    " {`type`: `indicator`, `id`: `indicator--2`, `pattern`: `([domain-name:value = 'a.example'] "
    "AND [email-addr:value = 'X@A.example']) FOLLOWEDBY [url:value = 'https://a.example/x'] "
    "WITHIN 300 SECONDS`},\n"
    " {`type`: `indicator`, `id`: `indicator--3`, `pattern`: `[file:hashes.md5 = "
    "'d41d8cd98f00b204e9800998ecf8427e' OR file:hashes.SHA1 = "
    "'da39a3ee5e6b4b0d3255bfef95601890afd80709' OR file:hashes.'sha_256' = "
    "h'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' OR file:name = 'x']`},\n"
    " {`type`: `indicator`, `id`: `indicator--4`, `pattern`: `[x509-certificate:hashes.'SHA-1' = "
    "'DB:A7:E4:3E:6D:BB:21:AB:68:47:35:E8:0B:8F:15:DF:DB:C7:C9:6F']`},\n"
    " {`type`: `indicator`, `id`: `indicator--5`, `pattern`: `[network-traffic:dst_ref.value = "
    "'192.0.2.44' OR network-traffic:src_ref.value = 'bad.example' OR "
    "network-traffic:dst_ref.value = 'not an address']`},\n"
    " {`type`: `indicator`, `id`: `indicator--6`, `pattern`: `[network-traffic:extensions."
    "'x-ja3'.hash = 'E7D705A3286E19EA42F587B344EE6865'] OR [x-ja4:value = "
    "'t13d1516h2_8daaf6152771_e5627efa2ab1']`},\n"
    " {`type`: `indicator`, `id`: `indicator--7`, `pattern`: `[domain-name:value LIKE "
    "'%.evil.example' OR domain-name:value != 'good.example']`},\n"
    " {`type`: `indicator`, `id`: `indicator--8`, `pattern`: `[ipv4-addr:value NOT = "
    "'10.0.0.1']`},\n"
    " {`type`: `indicator`, `id`: `indicator--9`, `pattern`: `[domain-name:value = 'ok.example' OR "
    "process:name MATCHES '^x']`},\n"
    " {`type`: `indicator`, `id`: `indicator--10`, `pattern`: `[ipv4-addr:value = '192.0.2.1'`}\n"
    "]}\n";

static void test_stix_patterns(void)
{
	struct ioc_set *s = ioc_set_new();
	struct ioc_report r;
	char err[512] = "";
	CHECK_EQ(load(s, "stix", stix_patterns, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.loaded, 14);
	struct ioc_hit h;
	uint8_t a[4] = {203, 0, 113, 77};
	CHECK(ioc_match_ip(s, 4, a, &h) && !strcmp(h.indicator, "203.0.113.0/24"));
	CHECK(has(s, IOC_IPV6, "2001:db8::1"));
	CHECK(has(s, IOC_EMAIL, "x@a.example"));
	CHECK(has(s, IOC_URL, "https://a.example/x"));
	CHECK(has(s, IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e"));
	CHECK(has(s, IOC_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"));
	CHECK(
	    has(s, IOC_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	CHECK(has(s, IOC_CERT, "dba7e43e6dbb21ab684735e80b8f15dfdbc7c96f"));
	CHECK(has(s, IOC_IPV4, "192.0.2.44"));
	CHECK(has(s, IOC_DOMAIN, "bad.example"));
	CHECK(has(s, IOC_JA3, "e7d705a3286e19ea42f587b344ee6865"));
	CHECK(has(s, IOC_JA4, "t13d1516h2_8daaf6152771_e5627efa2ab1"));
	CHECK(has(s, IOC_DOMAIN, "ok.example"));
	/* the AND and FOLLOWEDBY of indicator 2 is one note; its qualifier another */
	CHECK_EQ(reason(&r, "FOLLOWEDBY pattern kept as its separate terms", true), 1);
	CHECK_EQ(reason(&r, "qualifiers (WITHIN, REPEATS, START/STOP) not kept", true), 1);
	/* OR alternatives that cannot be kept are skipped one by one */
	CHECK_EQ(reason(&r, "comparison on file:name (not an indicator type)", false), 1);
	CHECK_EQ(reason(&r, "comparison on process:name (not an indicator type)", false), 1);
	CHECK_EQ(
	    reason(&r, "network-traffic:dst_ref.value that is not an address or domain", false), 1);
	/* patterns with nothing to keep: one skip each, under the first term's reason */
	CHECK_EQ(reason(&r, "operator LIKE (not an exact value)", false), 1);
	CHECK_EQ(reason(&r, "NOT = (a negated comparison)", false), 1);
	CHECK_EQ(reason(&r, "pattern that does not parse (expected ']')", false), 1);
	CHECK_EQ(r.skipped, 6);
	CHECK(!has(s, IOC_IPV4, "10.0.0.1"));
	ioc_set_free(s);
}

static void test_pattern_parser(void)
{
	struct stix_pattern p;
	char err[64];
	const char *t =
	    "[file:hashes.'SHA-256' = 'a\\'b\\\\c' AND (x-y:z[*].'q r' IN ('1', 2, "
	    "-3.5, true, h'00ff', b'aGk=', t'2020-01-01T00:00:00Z') OR a:b NOT LIKE 'c')] "
	    "REPEATS 2 TIMES OR [a:b = 1] START t'2020-01-01T00:00:00Z' STOP "
	    "t'2021-01-01T00:00:00Z' FOLLOWEDBY ([c:d != 'e'] within 5 seconds)";
	CHECK_EQ(stix_pattern_parse(&p, t, strlen(t), err, sizeof(err)), 0);
	CHECK_EQ(p.n_cmp, 5);
	CHECK_EQ(p.flags, STIX_PAT_AND | STIX_PAT_OR | STIX_PAT_FOLLOWEDBY | STIX_PAT_QUALIFIER);
	if (p.n_cmp == 5) {
		CHECK_STR(p.cmp[0].object, "file");
		CHECK_EQ(p.cmp[0].n_comp, 2);
		CHECK_STR(p.cmp[0].comp[1], "SHA-256");
		CHECK_STR(p.lit[p.cmp[0].first].text, "a'b\\c");
		CHECK_STR(p.cmp[1].object, "x-y");
		CHECK_EQ(p.cmp[1].n_comp, 3);
		CHECK_EQ(p.cmp[1].index_mask, 2);
		CHECK_STR(p.cmp[1].comp[1], "[*]");
		CHECK_STR(p.cmp[1].comp[2], "q r");
		CHECK_EQ(p.cmp[1].op, STIX_OP_IN);
		CHECK_EQ(p.cmp[1].n, 7);
		CHECK_EQ(p.lit[p.cmp[1].first + 2].type, STIX_LIT_FLOAT);
		CHECK_EQ(p.lit[p.cmp[1].first + 4].type, STIX_LIT_HEX);
		CHECK_STR(p.lit[p.cmp[1].first + 4].text, "00ff");
		CHECK_EQ(p.lit[p.cmp[1].first + 5].type, STIX_LIT_BINARY);
		CHECK_EQ(p.cmp[2].op, STIX_OP_LIKE);
		CHECK(p.cmp[2].negated);
		CHECK_EQ(p.cmp[3].op, STIX_OP_EQ);
		CHECK_EQ(p.lit[p.cmp[3].first].type, STIX_LIT_INT);
		CHECK_EQ(p.cmp[4].op, STIX_OP_NEQ);
	}
	stix_pattern_free(&p);
	static const struct {
		const char *pattern, *err;
	} bad[] = {
	    {"[a:b = 'x'", "expected ']'"},
	    {"[a:b = 'x]", "unterminated string"},
	    {"[a:b = 'x\\n']", "an escape other than \\' or \\\\ in a string"},
	    {"[a:b]", "expected an operator"},
	    {"[a:b =]", "expected a value"},
	    {"[a : b = 1]", "expected ':' after the object type"},
	    {"[a:b = h'abc']", "a hex value that is not pairs of hex digits"},
	    {"[a:b = b'a*']", "a binary value that is not base64"},
	    {"[a:b = 1] junk", "unexpected text after the pattern"},
	    {"a:b = 1", "expected '['"},
	    {"[a:b = 1] WITHIN 5", "expected SECONDS"},
	    {"", "expected '['"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK_EQ(stix_pattern_parse(&p, bad[i].pattern, strlen(bad[i].pattern), err,
					    sizeof(err)),
			 -1);
		CHECK_STR(err, bad[i].err);
		stix_pattern_free(&p);
	}
	/* bounded: nesting, terms, length */
	char *deep = malloc(300);
	memset(deep, '(', 100);
	strcpy(deep + 100, "[a:b = 1]");
	CHECK_EQ(stix_pattern_parse(&p, deep, strlen(deep), err, sizeof(err)), -1);
	CHECK_STR(err, "nested too deeply");
	stix_pattern_free(&p);
	free(deep);
	size_t cap = 16 + 6 * 5000;
	char *many = malloc(cap);
	size_t o = (size_t)snprintf(many, cap, "[a:b IN (");
	for (int i = 0; i < 5000; i++)
		o += (size_t)snprintf(many + o, cap - o, "%s%d", i ? "," : "", i % 10);
	snprintf(many + o, cap - o, ")]");
	CHECK_EQ(stix_pattern_parse(&p, many, strlen(many), err, sizeof(err)), -1);
	CHECK_STR(err, "too many comparisons and values");
	stix_pattern_free(&p);
	free(many);
	char *longp = malloc(STIX_PATTERN_LEN_MAX + 32);
	memset(longp, ' ', STIX_PATTERN_LEN_MAX + 31);
	memcpy(longp, "[a:b = 1]", 9);
	CHECK_EQ(stix_pattern_parse(&p, longp, STIX_PATTERN_LEN_MAX + 31, err, sizeof(err)), -1);
	stix_pattern_free(&p);
	free(longp);
}

static void test_stix_forms(void)
{
	struct ioc_set *s = ioc_set_new();
	struct ioc_report r;
	char err[512] = "";
	/* one object, no bundle; a TAXII envelope; an ATT&CK-like bundle */
	CHECK_EQ(
	    load(s, NULL,
		 "{`type`: `indicator`, `spec_version`: `2.1`, `id`: `indicator--1`, "
		 "`pattern_type`: `stix`, `pattern`: `[domain-name:value = 'single.example']`}",
		 &r, err, sizeof(err)),
	    0);
	CHECK_STR(r.format, "stix");
	CHECK_EQ(r.loaded, 1);
	CHECK_EQ(load(s, NULL,
		      "{`more`: false, `objects`: [{`type`: `indicator`, `id`: `indicator--2`, "
		      "`pattern`: `[ipv4-addr:value = '192.0.2.99']`}]}",
		      &r, err, sizeof(err)),
		 0);
	CHECK_STR(r.format, "stix");
	CHECK_EQ(r.loaded, 1);
	/* an indicator without an id is still read */
	CHECK_EQ(load(s, "stix",
		      "{`type`: `bundle`, `objects`: [{`type`: `indicator`, "
		      "`pattern`: `[ipv4-addr:value = '192.0.2.98']`}]}",
		      &r, err, sizeof(err)),
		 0);
	CHECK_EQ(r.loaded, 1);
	CHECK_EQ(load(s, NULL,
		      "{`type`: `bundle`, `id`: `bundle--4`, `objects`: [{`type`: `intrusion-set`, "
		      "`id`: `intrusion-set--1`, `name`: `menuPass`}, {`type`: `relationship`, "
		      "`id`: `relationship--1`, `relationship_type`: `uses`, `source_ref`: "
		      "`intrusion-set--1`, `target_ref`: `attack-pattern--1`}, {`type`: "
		      "`attack-pattern`, `id`: `attack-pattern--1`}]}",
		      &r, err, sizeof(err)),
		 0);
	CHECK_EQ(r.loaded, 0);
	CHECK_EQ(r.skipped, 3); /* nothing to attribute: every object counted */
	CHECK_EQ(reason(&r, "object type intrusion-set (not an indicator)", false), 1);
	CHECK_EQ(reason(&r, "object type relationship (not an indicator)", false), 1);
	/* many indicators of one malware: each finds the intrusion set that uses it,
	 * given first in the file */
	size_t cap = 600 + 400 * 200;
	char *many = malloc(cap);
	size_t o = (size_t)snprintf(
	    many, cap,
	    "{`type`: `bundle`, `objects`: [{`type`: `relationship`, `id`: `relationship--0`, "
	    "`source_ref`: `intrusion-set--1`, `relationship_type`: `uses`, `target_ref`: "
	    "`malware--1`}, {`type`: `intrusion-set`, `id`: `intrusion-set--1`, `name`: `User`}, "
	    "{`type`: `malware`, `id`: `malware--1`, `name`: `RAT`}");
	for (int i = 1; i <= 200; i++)
		o += (size_t)snprintf(many + o, cap - o,
				      ", {`type`: `indicator`, `id`: `indicator--%d`, `pattern`: "
				      "`[ipv4-addr:value = '10.1.%d.%d']`}, {`type`: `relationship`, "
				      "`id`: `relationship--%d`, `source_ref`: `indicator--%d`, "
				      "`relationship_type`: `indicates`, `target_ref`: `malware--1`}",
				      i, i / 256, i % 256, i, i);
	snprintf(many + o, cap - o, "]}");
	CHECK_EQ(load(s, NULL, many, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.loaded, 200);
	const struct ioc_meta *m = meta_of(s, IOC_IPV4, "10.1.0.1");
	CHECK(m && m->actor && !strcmp(m->actor, "User"));
	m = meta_of(s, IOC_IPV4, "10.1.0.200");
	CHECK(m && m->actor && !strcmp(m->actor, "User"));
	free(many);
	ioc_set_free(s);
}

/* ---- MISP ---- */

static const char misp_event[] =
    "{`Event`: {`info`: `Operation Example`, `uuid`: `5a610659-d718-4a1f-b020-04d80a016219`,\n"
    " `Orgc`: {`name`: `Example CERT`},\n"
    " `Tag`: [{`name`: `tlp:amber`}, {`name`: `misp:confidence-level=\\`usually-confident\\``}],\n"
    " `Galaxy`: [{`type`: `threat-actor`, `GalaxyCluster`: [{`type`: `threat-actor`,\n"
    "   `value`: `APT-Example`}]}],\n"
    " `Attribute`: [\n"
    "  {`type`: `ip-dst`, `value`: `198.51.100.7`, `to_ids`: true},\n"
    "  {`type`: `ip-src`, `value`: `2001:db8::/32`, `to_ids`: true},\n"
    "  {`type`: `ip-dst|port`, `value`: `203.0.113.5|443`, `to_ids`: true},\n"
    "  {`type`: `domain|ip`, `value`: `c2.example|203.0.113.6`, `to_ids`: true},\n"
    "  {`type`: `url`, `value`: `http://c2.example/gate.php`, `to_ids`: true},\n"
    "  {`type`: `uri`, `value`: `/gate.php`, `to_ids`: true},\n"
    "  {`type`: `filename|sha256`, `value`: "
    "`x.exe|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`, `to_ids`: true},\n"
    "  {`type`: `email-src`, `value`: `Boss@Phish.example`, `to_ids`: `1`},\n"
    "  {`type`: `ja3-fingerprint-md5`, `value`: `e7d705a3286e19ea42f587b344ee6865`, `to_ids`: "
    "true},\n"
    "  {`type`: `x509-fingerprint-sha1`, `value`: `dba7e43e6dbb21ab684735e80b8f15dfdbc7c96f`},\n"
    "  {`type`: `jarm-fingerprint`, `value`: `29d29d00029d29d00041d41d00041d2a`, `to_ids`: true},\n"
    "  {`type`: `hassh-md5`, `value`: `ec7378c1a92f5a8dde7e8b7a1ddf33d1`, `to_ids`: true},\n"
    "  {`type`: `text`, `value`: `a note`, `to_ids`: false},\n"
    "  {`type`: `link`, `value`: `https://blog.example/post`, `to_ids`: false},\n"
    "  {`type`: `domain`, `value`: `context.example`, `to_ids`: false},\n"
    "  {`type`: `domain`, `value`: `gone.example`, `to_ids`: true, `deleted`: true},\n"
    "  {`type`: `sha1`, `value`: `da39a3ee5e6b4b0d3255bfef95601890afd80709`, `to_ids`: true,\n"
    "   `first_seen`: `2024-01-01T00:00:00.000000+00:00`, `last_seen`: "
    "`2024-02-01T09:00:00.000000+09:00`,\n"
    "   `Tag`: [{`name`: `tlp:red`}, {`name`: `misp-galaxy:threat-actor=\\`Other Actor\\``}]}],\n"
    " `Object`: [\n"
    "  {`name`: `file`, `first_seen`: `2024-01-02T00:00:00Z`, `Attribute`: [\n"
    "   {`type`: `md5`, `value`: `d41d8cd98f00b204e9800998ecf8427e`, `to_ids`: true},\n"
    "   {`type`: `filename`, `value`: `x.exe`, `to_ids`: false}]},\n"
    "  {`name`: `domain-ip`, `deleted`: true, `Attribute`: [\n"
    "   {`type`: `domain`, `value`: `deleted-object.example`, `to_ids`: true}]}]\n"
    "}}\n";

static void test_misp_event(void)
{
	struct ioc_set *s = ioc_set_new();
	struct ioc_report r;
	char err[512] = "";
	CHECK_EQ(load(s, NULL, misp_event, &r, err, sizeof(err)), 0);
	CHECK_STR(r.format, "misp");
	CHECK_EQ(r.loaded, 12);
	CHECK_EQ(r.duplicates, 0);
	CHECK_EQ(r.skipped, 9);
	CHECK_EQ(reason(&r, "attribute type uri (a path without a host to match)", false), 1);
	CHECK_EQ(reason(&r, "attribute type jarm-fingerprint (JARM is not kept)", false), 1);
	CHECK_EQ(reason(&r, "attribute type hassh-md5 (HASSH is not kept)", false), 1);
	CHECK_EQ(reason(&r, "attribute type text (not an indicator type)", false), 1);
	CHECK_EQ(reason(&r, "attribute type link (not an indicator type)", false), 1);
	CHECK_EQ(reason(&r, "attribute type filename (not an indicator type)", false), 1);
	CHECK_EQ(reason(&r, "attribute not marked to_ids (context, not for detection)", false), 1);
	CHECK_EQ(reason(&r, "deleted attribute", false), 2);
	CHECK_EQ(reason(&r, "ip-dst|port: the address kept, the port dropped", true), 1);
	const struct ioc_meta *m = meta_of(s, IOC_IPV4, "198.51.100.7");
	CHECK(m != NULL);
	if (m) {
		CHECK_STR(m->source, "Example CERT");
		CHECK_STR(m->campaign, "Operation Example");
		CHECK_STR(m->actor, "APT-Example");
		CHECK_EQ(m->tlp, TLP_AMBER);
		CHECK_EQ(m->confidence, 75);
		CHECK_EQ(m->valid_from, 0);
	}
	CHECK(has(s, IOC_IPV4, "203.0.113.5"));
	CHECK(has(s, IOC_IPV4, "203.0.113.6"));
	CHECK(has(s, IOC_DOMAIN, "c2.example"));
	CHECK(has(s, IOC_IPV6, "2001:db8::1"));
	CHECK(has(s, IOC_EMAIL, "boss@phish.example"));
	CHECK(has(s, IOC_JA3, "e7d705a3286e19ea42f587b344ee6865"));
	CHECK(has(s, IOC_CERT, "dba7e43e6dbb21ab684735e80b8f15dfdbc7c96f")); /* to_ids absent */
	CHECK(!has(s, IOC_DOMAIN, "context.example"));
	CHECK(!has(s, IOC_DOMAIN, "gone.example"));
	CHECK(!has(s, IOC_DOMAIN, "deleted-object.example"));
	/* the attribute's own tags and times */
	m = meta_of(s, IOC_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	CHECK(m != NULL);
	if (m) {
		CHECK_EQ(m->tlp, TLP_RED);
		CHECK_STR(m->actor, "Other Actor");
		CHECK_EQ(m->valid_from, 1704067200);
		CHECK_EQ(m->valid_until, 1706745600);
	}
	m = meta_of(s, IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e");
	CHECK(m && m->valid_from == 1704153600); /* its object's first_seen */
	ioc_set_free(s);

	/* misp-all: the context attribute too */
	s = ioc_set_new();
	CHECK_EQ(load(s, "misp-all", misp_event, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.loaded, 13);
	CHECK(has(s, IOC_DOMAIN, "context.example"));
	ioc_set_free(s);
}

static void test_misp_forms(void)
{
	struct ioc_set *s = ioc_set_new();
	struct ioc_report r;
	char err[512] = "";
	/* the REST API's response; admiralty scale; an ATT&CK group as the actor */
	CHECK_EQ(
	    load(s, NULL,
		 "{`response`: [{`Event`: {`info`: `first`, `Attribute`: [{`type`: `ip-dst`, "
		 "`value`: `192.0.2.60`, `to_ids`: true}]}}, {`Event`: {`info`: `second`, "
		 "`Tag`: [{`name`: `admiralty-scale:information-credibility=\\`2\\``}, "
		 "{`name`: `tlp:white`}], `Galaxy`: [{`type`: `mitre-intrusion-set`, "
		 "`GalaxyCluster`: [{`type`: `mitre-intrusion-set`, `value`: `APT32 - G0050`}]}], "
		 "`Attribute`: [{`type`: `email-dst`, `value`: `drop@exfil.example`, "
		 "`to_ids`: true}]}}]}",
		 &r, err, sizeof(err)),
	    0);
	CHECK_STR(r.format, "misp");
	CHECK_EQ(r.loaded, 2);
	const struct ioc_meta *m = meta_of(s, IOC_EMAIL, "drop@exfil.example");
	CHECK(m != NULL);
	if (m) {
		CHECK_EQ(m->confidence, 75);
		CHECK_EQ(m->tlp, TLP_CLEAR);
		CHECK_STR(m->actor, "APT32");
		CHECK_STR(m->campaign, "second");
	}
	/* a bare event, attributes first */
	CHECK_EQ(
	    load(s, NULL,
		 "{`Attribute`: [{`type`: `hostname`, `value`: `bare.example`, `to_ids`: true}], "
		 "`Galaxy`: [], `info`: `bare`}",
		 &r, err, sizeof(err)),
	    0);
	CHECK_STR(r.format, "misp");
	CHECK_EQ(r.loaded, 1);
	/* galaxy clusters and a galaxy definition: counted, not indicators */
	CHECK_EQ(load(s, NULL,
		      "{`name`: `Threat Actor`, `type`: `threat-actor`, `uuid`: `x`, `values`: "
		      "[{`value`: `APT1`}, {`value`: `APT10`}, {`value`: `Tick`}]}",
		      &r, err, sizeof(err)),
		 0);
	CHECK_STR(r.format, "misp");
	CHECK_EQ(r.skipped, 3);
	CHECK_EQ(reason(&r, "galaxy cluster (not an indicator)", false), 3);
	CHECK_EQ(load(s, NULL,
		      "{`description`: `d`, `icon`: `user-secret`, `name`: `Threat Actor`, "
		      "`namespace`: `misp`, `type`: `threat-actor`, `uuid`: `x`, `version`: 3}",
		      &r, err, sizeof(err)),
		 0);
	CHECK_EQ(reason(&r, "galaxy definition (not indicators)", false), 1);
	ioc_set_free(s);
}

static void test_misp_feed(void)
{
	char dir[] = "/tmp/mamori-test-feed-XXXXXX", path[512], p2[512];
	CHECK(mkdtemp(dir) != NULL);
	const char *u1 = "5a610659-d718-4a1f-b020-04d80a016219";
	const char *u2 = "7a1f92cb-dba7-425f-aacd-85b80ff5cb9a"; /* not in the directory */
	const char *u3 = "0b1c2d3e-0000-4000-8000-000000000003"; /* not JSON */
	snprintf(p2, sizeof(p2),
		 "{`%s`: {`info`: `one`}, `%s`: {`info`: `two`}, `%s`: {`info`: `three`}, "
		 "`../escape`: {`info`: `no`}}",
		 u1, u2, u3);
	CHECK_EQ(fixture(path, sizeof(path), dir, "manifest.json", p2), 0);
	snprintf(p2, sizeof(p2), "%s.json", u1);
	CHECK_EQ(fixture(path, sizeof(path), dir, p2,
			 "{`Event`: {`info`: `one`, `Attribute`: [{`type`: `domain`, `value`: "
			 "`feed.example`, `to_ids`: true}, {`type`: `ip-dst`, `value`: "
			 "`192.0.2.8`, `to_ids`: false}]}}"),
		 0);
	snprintf(p2, sizeof(p2), "%s.json", u3);
	CHECK_EQ(fixture(path, sizeof(path), dir, p2, "{`Event`: "), 0);
	struct ioc_set *s = ioc_set_new();
	struct ioc_report r;
	char err[512] = "";
	/* the directory */
	CHECK_EQ(ioc_import_file(s, dir, NULL, NULL, &r, err, sizeof(err)), 0);
	CHECK_STR(r.format, "misp");
	CHECK_EQ(r.loaded, 1);
	CHECK_EQ(reason(&r, "event file missing from the feed", false), 1);
	CHECK_EQ(reason(&r, "event file that is not valid JSON", false), 1);
	CHECK_EQ(reason(&r, "manifest entry that is not an event UUID", false), 1);
	CHECK_EQ(reason(&r, "attribute not marked to_ids (context, not for detection)", false), 1);
	const struct ioc_meta *m = meta_of(s, IOC_DOMAIN, "feed.example");
	CHECK(m && m->source && !strcmp(m->source, strrchr(dir, '/') + 1));
	CHECK(m && m->campaign && !strcmp(m->campaign, "one"));
	/* the manifest named; misp-all */
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	CHECK_EQ(ioc_import_file(s, path, "misp-all", NULL, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.loaded, 1);
	CHECK_EQ(r.duplicates, 1);
	unlink(path);
	/* a directory without a manifest */
	CHECK_EQ(ioc_import_file(s, dir, NULL, NULL, &r, err, sizeof(err)), -1);
	CHECK(strstr(err, "manifest.json") != NULL);
	snprintf(path, sizeof(path), "%s/%s.json", dir, u1);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s.json", dir, u3);
	unlink(path);
	CHECK_EQ(rmdir(dir), 0);
	ioc_set_free(s);
}

/* ---- broken and hostile files ---- */

static void test_bad_files(void)
{
	struct ioc_set *s = ioc_set_new();
	struct ioc_report r;
	char err[512] = "", path[256];
	/* malformed: the file, and jansson's line and column */
	CHECK_EQ(
	    fixture(path, sizeof(path), NULL, "bad", "{`type`: `bundle`,\n `objects`: [\n  {,}]}"),
	    0);
	CHECK_EQ(ioc_import_file(s, path, NULL, NULL, &r, err, sizeof(err)), -1);
	CHECK(strstr(err, path) == err);
	CHECK(strstr(err, "line 3, column 4") != NULL);
	unlink(path);
	/* truncated */
	CHECK_EQ(fixture(path, sizeof(path), NULL, "trunc",
			 "{`Event`: {`info`: `x`, `Attribute`: [{`type`: `ip-dst`, `val"),
		 0);
	CHECK_EQ(ioc_import_file(s, path, NULL, NULL, &r, err, sizeof(err)), -1);
	CHECK(strstr(err, path) == err && strstr(err, "line 1, column") != NULL);
	unlink(path);
	/* JSON that is neither STIX nor MISP (a JSON schema) */
	CHECK_EQ(fixture(path, sizeof(path), NULL, "schema",
			 "{`$id`: `x`, `$schema`: `http://json-schema.org/draft/2020-12/schema`, "
			 "`title`: `indicator`, `type`: `object`}"),
		 0);
	CHECK_EQ(ioc_import_file(s, path, NULL, NULL, &r, err, sizeof(err)), -1);
	CHECK(strstr(err, "not a format mamori reads") != NULL);
	CHECK_EQ(ioc_import_file(s, path, "stix", NULL, &r, err, sizeof(err)), -1);
	CHECK(strstr(err, "not a STIX bundle") != NULL);
	CHECK_EQ(ioc_import_file(s, path, "misp", NULL, &r, err, sizeof(err)), -1);
	CHECK(strstr(err, "not a MISP event") != NULL);
	unlink(path);
	/* deep nesting is refused before it is parsed */
	char *deep = malloc(20000);
	size_t o = (size_t)snprintf(deep, 20000, "{`type`: `bundle`, `objects`: ");
	for (int i = 0; i < 5000; i++)
		deep[o++] = '[';
	deep[o] = '\0';
	CHECK_EQ(load(s, "stix", deep, &r, err, sizeof(err)), -1);
	CHECK(strstr(err, "nested deeper than 128 levels") != NULL);
	free(deep);
	/* huge arrays: refused on their count, before jansson builds them */
	size_t huge_n = INTEL_JSON_OBJECTS_MAX + 1, huge_len = 40 + 3 * huge_n;
	char *huge = malloc(huge_len);
	o = (size_t)snprintf(huge, huge_len, "{`type`: `bundle`, `objects`: [");
	for (size_t i = 0; i < huge_n; i++, o += 3)
		memcpy(huge + o, i + 1 < huge_n ? "{}," : "{}]", 3);
	snprintf(huge + o, huge_len - o, "}");
	CHECK_EQ(load(s, NULL, huge, &r, err, sizeof(err)), -1);
	CHECK(strstr(err, "JSON of more than 2000000 objects") != NULL);
	free(huge);
	/* a large event: every attribute read, in bounded time */
	size_t cap = 100 + 80 * 20000;
	char *big = malloc(cap);
	o = (size_t)snprintf(big, cap, "{`Event`: {`info`: `big`, `Attribute`: [");
	for (int i = 0; i < 20000; i++)
		o +=
		    (size_t)snprintf(big + o, cap - o,
				     "%s{`type`: `ip-dst`, `value`: `10.%d.%d.%d`, `to_ids`: true}",
				     i ? "," : "", i >> 16, (i >> 8) & 255, i & 255);
	snprintf(big + o, cap - o, "]}}");
	CHECK_EQ(load(s, NULL, big, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.loaded, 20000);
	free(big);
	/* wrong shapes inside valid JSON are counted, not fatal */
	CHECK_EQ(load(s, "stix",
		      "{`type`: `bundle`, `objects`: [1, `x`, {`type`: 5}, {`type`: `indicator`, "
		      "`id`: `indicator--1`, `pattern`: 7}, {`type`: `indicator`, `id`: "
		      "`indicator--2`, `pattern`: `[ipv4-addr:value = 5]`}]}",
		      &r, err, sizeof(err)),
		 0);
	CHECK_EQ(r.skipped, 5);
	CHECK_EQ(reason(&r, "ipv4-addr:value compared with a value that is not a string", false),
		 1);
	CHECK_EQ(load(s, "misp",
		      "{`Event`: {`Attribute`: [1, {`type`: 5}, {`type`: `ip-dst`, `value`: `x`}, "
		      "{`type`: `ip-dst|port`, `value`: `192.0.2.1`}], `Object`: `x`}}",
		      &r, err, sizeof(err)),
		 0);
	CHECK_EQ(r.skipped, 4);
	CHECK_EQ(reason(&r, "ip-dst value that is not an address or CIDR", false), 1);
	ioc_set_free(s);
}

static void test_time_tlp(void)
{
	int64_t t = 0;
	CHECK(intel_json_time("1970-01-01T00:00:00Z", &t) && t == 0);
	CHECK(intel_json_time("2016-04-06T20:03:48.000Z", &t) && t == 1459973028);
	CHECK(intel_json_time("2021-06-07T00:00:00.000000+00:00", &t) && t == 1623024000);
	CHECK(intel_json_time("2021-06-07T09:00:00+0900", &t) && t == 1623024000);
	CHECK(intel_json_time("2021-06-06T19:00:00-05:00", &t) && t == 1623024000);
	CHECK(intel_json_time("2024-02-29", &t) && t == 1709164800);
	CHECK(intel_json_time("1969-12-31T23:59:59Z", &t) && t == -1);
	CHECK(!intel_json_time("2023-02-29T00:00:00Z", &t));
	CHECK(!intel_json_time("2021-13-01T00:00:00Z", &t));
	CHECK(!intel_json_time("2021-06-07T24:00:00Z", &t));
	CHECK(!intel_json_time("2021-06-07T00:00:00.Z", &t));
	CHECK(!intel_json_time("2021-06-07T00:00:00+25:00", &t));
	CHECK(!intel_json_time("2021-06-07T00:00:00Zjunk", &t));
	CHECK(!intel_json_time("yesterday", &t));
	CHECK_EQ(intel_json_tlp("TLP:AMBER+STRICT"), TLP_AMBER_STRICT);
	CHECK_EQ(intel_json_tlp("white"), TLP_CLEAR);
	CHECK_EQ(intel_json_tlp("tlp:Red"), TLP_RED);
	CHECK_EQ(intel_json_tlp("tlp:ex:chr"), TLP_NONE);
	char buf[8];
	CHECK_STR(intel_json_printable(buf, sizeof(buf), "ab\ncd"), "ab?cd");
	CHECK_STR(intel_json_printable(buf, sizeof(buf), "abcdefghij"), "abcd...");
}

int main(void)
{
	test_stix21();
	test_stix20();
	test_stix_patterns();
	test_pattern_parser();
	test_stix_forms();
	test_misp_event();
	test_misp_forms();
	test_misp_feed();
	test_bad_files();
	test_time_tlp();
	return check_report("test_intel_json");
}
