/*
 * test_intel — the indicator store (normalising, longest prefix, domain
 * suffixes, attributions) and the text importers (plain lists, iprep,
 * datasets, CSV with a header) with their reports. The JSON importers are
 * tested in test_intel_json.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "intel/import.h"
#include "intel/ioc.h"

static bool ip4(const struct ioc_set *s, const char *a, struct ioc_hit *h)
{
	uint8_t b[4];
	return inet_pton(AF_INET, a, b) == 1 && ioc_match_ip(s, 4, b, h);
}

static bool ip6(const struct ioc_set *s, const char *a, struct ioc_hit *h)
{
	uint8_t b[16];
	return inet_pton(AF_INET6, a, b) == 1 && ioc_match_ip(s, 6, b, h);
}

static int add(struct ioc_set *s, enum ioc_type t, const char *v, uint32_t m)
{
	return ioc_add(s, t, v, strlen(v), m);
}

static void test_store(void)
{
	struct ioc_set *s = ioc_set_new();
	struct ioc_meta a = {"feed-a", "APT10", "Operation Cloud Hopper", 80, TLP_AMBER, 0, 0};
	struct ioc_meta b = {"feed-b", NULL, NULL, -1, TLP_CLEAR, 0, 0};
	uint32_t ma = ioc_meta_add(s, &a), mb = ioc_meta_add(s, &b);
	CHECK(ma != mb);
	CHECK_EQ(ioc_meta_add(s, &a), ma); /* interned */
	CHECK_STR(ioc_meta_get(s, ma)->actor, "APT10");

	/* addresses: longest prefix wins, host bits of a CIDR cleared */
	CHECK_EQ(add(s, IOC_IPV4, "203.0.113.0/24", ma), 1);
	CHECK_EQ(add(s, IOC_IPV4, "203.0.113.77/25", mb), 1); /* = 203.0.113.0/25 */
	CHECK_EQ(add(s, IOC_IPV4, "203.0.113.200", mb), 1);
	CHECK_EQ(add(s, IOC_IPV4, "10.0.0.0/8", ma), 1);
	CHECK_EQ(add(s, IOC_IPV4, "10.0.0.0/33", ma), -1);
	CHECK_EQ(add(s, IOC_IPV4, "300.1.1.1", ma), -1);
	CHECK_EQ(add(s, IOC_IPV4, "10.0.0.0/", ma), -1);
	struct ioc_hit h;
	CHECK(ip4(s, "203.0.113.200", &h) && !strcmp(h.indicator, "203.0.113.200"));
	CHECK(ip4(s, "203.0.113.5", &h) && !strcmp(h.indicator, "203.0.113.0/25"));
	CHECK(ip4(s, "203.0.113.130", &h) && !strcmp(h.indicator, "203.0.113.0/24"));
	CHECK_EQ(ioc_hit_meta(s, &h, 0), ma);
	CHECK(ip4(s, "10.255.1.2", &h) && !strcmp(h.indicator, "10.0.0.0/8"));
	CHECK(!ip4(s, "198.51.100.1", &h));
	CHECK(!ip4(s, "11.0.0.0", &h) && !ip4(s, "9.255.255.255", &h)); /* just outside 10/8 */
	CHECK(!ip4(s, "203.0.112.255", &h) && !ip4(s, "203.0.114.0", &h));
	CHECK_EQ(add(s, IOC_IPV4, "0.0.0.0/0", mb), 1); /* everything, the shortest prefix */
	CHECK(ip4(s, "198.51.100.1", &h) && !strcmp(h.indicator, "0.0.0.0/0"));
	CHECK(ip4(s, "10.9.9.9", &h) && !strcmp(h.indicator, "10.0.0.0/8"));
	CHECK_EQ(add(s, IOC_IPV6, "2001:db8:abcd::/48", ma), 1);
	CHECK_EQ(add(s, IOC_IPV6, "2001:DB8:ABCD::1", mb), 1);
	CHECK(ip6(s, "2001:db8:abcd::1", &h) && !strcmp(h.indicator, "2001:db8:abcd::1"));
	CHECK(ip6(s, "2001:db8:abcd:ff::9", &h) && !strcmp(h.indicator, "2001:db8:abcd::/48"));
	CHECK(!ip6(s, "2001:db8:abce::1", &h));
	CHECK(ioc_match(s, IOC_IPV4, "10.1.2.3", 8, &h) && h.type == IOC_IPV4);

	/* domains: exact, and a name with everything below it */
	CHECK_EQ(add(s, IOC_DOMAIN, "Evil.Example.COM.", ma), 1);
	CHECK_EQ(add(s, IOC_DOMAIN_SUFFIX, "bad-cdn.net", mb), 1);
	CHECK_EQ(add(s, IOC_DOMAIN, "exa mple.com", ma), -1);
	CHECK_EQ(add(s, IOC_DOMAIN, "a..b", ma), -1);
	CHECK_EQ(add(s, IOC_DOMAIN, "192.0.2.1", ma), -1); /* an address */
	CHECK_EQ(add(s, IOC_DOMAIN, "3com.com", ma), 1);
	CHECK(ioc_match_domain(s, "evil.example.com", 16, &h) && h.type == IOC_DOMAIN);
	CHECK(!ioc_match_domain(s, "www.evil.example.com", 20, &h)); /* exact only */
	CHECK(ioc_match_domain(s, "x.y.BAD-CDN.net.", 16, &h) && h.type == IOC_DOMAIN_SUFFIX &&
	      !strcmp(h.indicator, "bad-cdn.net"));
	CHECK(ioc_match_domain(s, "bad-cdn.net", 11, &h));
	CHECK(!ioc_match_domain(s, "notbad-cdn.net", 14, &h));

	/* hashes, fingerprints: case and separators do not matter */
	CHECK_EQ(add(s, IOC_SHA256, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
		     ma), 1);
	CHECK(ioc_match(s, IOC_SHA256,
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 64, &h));
	CHECK_EQ(add(s, IOC_MD5, "d41d8cd98f00b204e9800998ecf8427", ma), -1); /* 31 digits */
	CHECK_EQ(add(s, IOC_CERT, "DB:A7:E4:3E:6D:BB:21:AB:68:47:35:E8:0B:8F:15:DF:DB:C7:C9:6F", ma),
		 1);
	CHECK(ioc_match(s, IOC_CERT, "dba7e43e6dbb21ab684735e80b8f15dfdbc7c96f", 40, &h));
	CHECK_EQ(add(s, IOC_JA4, "T13D1516H2_8daaf6152771_e5627efa2ab1", ma), 1);
	CHECK(ioc_match(s, IOC_JA4, "t13d1516h2_8daaf6152771_e5627efa2ab1", 36, &h));
	CHECK_EQ(add(s, IOC_JA4, "t13d1516h2-8daaf6152771_e5627efa2ab1", ma), -1);

	/* URLs: scheme and host in lower case, the path as written */
	CHECK_EQ(add(s, IOC_URL, "HTTP://Update.Example.NET/Get/Payload.bin?x=1", ma), 1);
	const char *u = "http://update.example.net/Get/Payload.bin?x=1";
	CHECK(ioc_match(s, IOC_URL, u, strlen(u), &h) && !strcmp(h.indicator, u));
	const char *u2 = "http://update.example.net/get/payload.bin?x=1";
	CHECK(!ioc_match(s, IOC_URL, u2, strlen(u2), &h));
	CHECK_EQ(add(s, IOC_URL, "not a url", ma), -1);
	CHECK_EQ(add(s, IOC_EMAIL, "Spear@Phish.example", ma), 1);
	CHECK(ioc_match(s, IOC_EMAIL, "spear@phish.example", 19, &h));
	CHECK_EQ(add(s, IOC_EMAIL, "a@b@c", ma), -1);

	/* the same indicator from a second feed: one entry, both attributions */
	CHECK_EQ(add(s, IOC_DOMAIN, "evil.example.com", mb), 0);
	CHECK_EQ(add(s, IOC_DOMAIN, "evil.example.com", mb), 0);
	CHECK(ioc_match_domain(s, "evil.example.com", 16, &h) && h.n_meta == 2);
	uint32_t m0 = ioc_hit_meta(s, &h, 0), m1 = ioc_hit_meta(s, &h, 1);
	CHECK((m0 == ma && m1 == mb) || (m0 == mb && m1 == ma));
	CHECK_EQ(ioc_hit_meta(s, &h, 2), UINT32_MAX);

	struct ioc_stats st;
	ioc_set_stats(s, &st);
	CHECK_EQ(st.count[IOC_IPV4], 5);
	CHECK_EQ(st.count[IOC_IPV6], 2);
	CHECK_EQ(st.metas, 2);

	/* iteration: every indicator once; address prefixes come back */
	uint32_t n_ip = 0;
	for (uint32_t i = 0; ioc_at(s, i, &h); i++) {
		int ver;
		uint8_t pa[16];
		unsigned pl;
		if (ioc_hit_prefix(&h, &ver, pa, &pl)) {
			n_ip++;
			if (!strcmp(h.indicator, "203.0.113.0/24"))
				CHECK(ver == 4 && pl == 24 && pa[0] == 203 && pa[3] == 0);
		}
	}
	CHECK_EQ(n_ip, 7);
	CHECK_EQ(ioc_at(s, ioc_size(s), &h), false);

	/* many: the table grows, everything still found */
	char v[32];
	for (int i = 0; i < 100000; i++) {
		snprintf(v, sizeof(v), "host%d.example.org", i);
		CHECK_EQ(add(s, IOC_DOMAIN, v, i % 2 ? ma : mb), 1);
	}
	int found = 0;
	for (int i = 0; i < 100000; i += 7) {
		snprintf(v, sizeof(v), "HOST%d.example.org", i);
		found += ioc_match_domain(s, v, strlen(v), &h);
	}
	CHECK_EQ(found, (100000 + 6) / 7);
	ioc_set_free(s);
}

static void test_guess(void)
{
	static const struct {
		const char *v;
		bool ok;
		enum ioc_type t;
		size_t skip;
	} cases[] = {
	    {"192.0.2.1", true, IOC_IPV4, 0},
	    {"192.0.2.0/24", true, IOC_IPV4, 0},
	    {"2001:db8::/32", true, IOC_IPV6, 0},
	    {"d41d8cd98f00b204e9800998ecf8427e", true, IOC_MD5, 0},
	    {"da39a3ee5e6b4b0d3255bfef95601890afd80709", true, IOC_SHA1, 0},
	    {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true, IOC_SHA256, 0},
	    {"t13d1516h2_8daaf6152771_e5627efa2ab1", true, IOC_JA4, 0},
	    {"https://evil.example/x", true, IOC_URL, 0},
	    {"user@evil.example", true, IOC_EMAIL, 0},
	    {"evil.example", true, IOC_DOMAIN, 0},
	    {"*.evil.example", true, IOC_DOMAIN_SUFFIX, 2},
	    {".evil.example", true, IOC_DOMAIN_SUFFIX, 1},
	    {"1.2.3", false, IOC_DOMAIN, 0},
	    {"localhost", false, IOC_DOMAIN, 0},
	    {"not valid!", false, IOC_DOMAIN, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum ioc_type t = IOC_TYPE_MAX;
		size_t skip = 99;
		bool ok = ioc_guess_type(cases[i].v, strlen(cases[i].v), &t, &skip);
		CHECK_EQ(ok, cases[i].ok);
		if (ok && cases[i].ok) {
			CHECK_EQ(t, cases[i].t);
			CHECK_EQ(skip, cases[i].skip);
		}
	}
}

static void test_list(void)
{
	char path[] = "/tmp/mamori-test-intel-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	static const char text[] = "# a partner's list\n"
				   "198.51.100.7\n"
				   "198.51.100.0/24, the whole net\n"
				   "\n"
				   "  *.c2.example   # and below\n"
				   "d41d8cd98f00b204e9800998ecf8427e\n"
				   "198.51.100.7\n"
				   "this is not an indicator\n"
				   "; another comment\n"
				   "999.1.1.1\n"
				   "x@@y\n";
	CHECK_EQ(write(fd, text, sizeof(text) - 1), (long)sizeof(text) - 1);
	close(fd);
	struct ioc_set *s = ioc_set_new();
	struct ioc_report r;
	char err[256] = "";
	CHECK_EQ(ioc_import_file(s, path, NULL, NULL, &r, err, sizeof(err)), 0);
	CHECK_STR(r.format, "list");
	CHECK_EQ(r.loaded, 4);
	CHECK_EQ(r.duplicates, 1);
	CHECK_EQ(r.skipped, 3);
	CHECK_EQ(r.n_skip, 1);
	CHECK_STR(r.skip[0].reason, "not a recognisable indicator");
	CHECK_EQ(r.skip[0].where, 8);
	struct ioc_hit h;
	CHECK(ioc_match_domain(s, "a.b.c2.example", 14, &h));
	const struct ioc_meta *m = ioc_meta_get(s, ioc_hit_meta(s, &h, 0));
	CHECK(m && m->source && !strcmp(m->source, strrchr(path, '/') + 1));
	/* errors name the file */
	CHECK_EQ(ioc_import_file(s, "/nonexistent/intel.txt", NULL, NULL, &r, err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/intel.txt") != NULL);
	CHECK_EQ(ioc_import_file(s, path, "no-such-format", NULL, &r, err, sizeof(err)), -1);
	unlink(path);
	ioc_set_free(s);
}

static int write_file(char *path, const char *text)
{
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static void test_iprep_dataset(void)
{
	struct ioc_set *s = ioc_set_new();
	struct ioc_report r;
	char err[256];
	struct ioc_hit h;
	/* Suricata iprep: recognised by content; one attribution per category */
	char p1[] = "/tmp/mamori-test-iprep-XXXXXX";
	CHECK_EQ(write_file(p1, "# reputation\n192.0.2.1,1,127\n198.51.100.0/24,2,50\n"
				"2001:db8::1,1,127\nbad line\n203.0.113.9,3,200\n"),
		 0);
	CHECK_EQ(ioc_import_file(s, p1, NULL, NULL, &r, err, sizeof(err)), 0);
	CHECK_STR(r.format, "iprep");
	CHECK_EQ(r.loaded, 3);
	CHECK_EQ(r.skipped, 2); /* no score; a score over 127 */
	CHECK(ip4(s, "198.51.100.20", &h));
	const struct ioc_meta *m = ioc_meta_get(s, ioc_hit_meta(s, &h, 0));
	CHECK(m && strstr(m->source, "category 2") && m->confidence == 39);
	CHECK(ip4(s, "192.0.2.1", &h));
	m = ioc_meta_get(s, ioc_hit_meta(s, &h, 0));
	CHECK(m && strstr(m->source, "category 1") && m->confidence == 100);
	unlink(p1);
	/* a dataset file: named; base64 strings decoded, datarep values dropped */
	char p2[] = "/tmp/mamori-test-dataset-XXXXXX";
	CHECK_EQ(write_file(p2, "ZXZpbC5leGFtcGxl\naHR0cDovL2JhZC5leGFtcGxlL3g=,5\n"
				"d41d8cd98f00b204e9800998ecf8427e\n!!!\naGVsbG8=\n"),
		 0);
	CHECK_EQ(ioc_import_file(s, p2, "dataset", NULL, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.loaded, 3);
	CHECK_EQ(r.skipped, 2);
	CHECK(ioc_match_domain(s, "evil.example", 12, &h));
	CHECK(ioc_match(s, IOC_URL, "http://bad.example/x", 20, &h));
	/* without --format it is a plain list: the base64 lines are not indicators */
	struct ioc_set *s2 = ioc_set_new();
	CHECK_EQ(ioc_import_file(s2, p2, NULL, NULL, &r, err, sizeof(err)), 0);
	CHECK_STR(r.format, "list");
	CHECK_EQ(r.loaded, 1);
	ioc_set_free(s2);
	unlink(p2);
	ioc_set_free(s);
}

static void test_csv(void)
{
	struct ioc_set *s = ioc_set_new();
	struct ioc_report r;
	char err[256];
	struct ioc_hit h;
	/* JPCERT/CC's phishing URL lists: date,URL,description; quoted fields */
	char p1[] = "/tmp/mamori-test-csv-XXXXXX";
	CHECK_EQ(write_file(p1, "\xef\xbb\xbf" "date,URL,description\n"
				"2025/08/01 10:21:00,https://info-monex.example.com/s/?a=b,brand\n"
				"2025/08/01 10:22:00,\"https://a.example/x,y\",\"say \"\"hi\"\"\"\r\n"
				"2025/08/01 10:23:00,,empty\n"
				"2025/08/01 10:24:00,www.example.com/no-scheme,x\n"
				"2025/08/01 10:25:00,https://info-monex.example.com/s/?a=b,again\n"),
		 0);
	CHECK_EQ(ioc_import_file(s, p1, NULL, NULL, &r, err, sizeof(err)), 0);
	CHECK_STR(r.format, "csv");
	CHECK_EQ(r.loaded, 2);
	CHECK_EQ(r.duplicates, 1);
	CHECK_EQ(r.skipped, 1);
	CHECK_STR(r.skip[0].reason, "URL column: not a valid url");
	CHECK_EQ(r.skip[0].where, 5);
	CHECK(ioc_match(s, IOC_URL, "https://a.example/x,y", 21, &h));
	unlink(p1);
	/* typed and guessed columns; a data line first is not a header */
	char p2[] = "/tmp/mamori-test-csv-XXXXXX";
	CHECK_EQ(write_file(p2, "IP Address,Domain,sha-256,note,indicator\n"
				"198.51.100.7,c2.example,"
				"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,"
				"free text,x@c2.example\n"
				"c2.example,198.51.100.8,,,\n"),
		 0);
	CHECK_EQ(ioc_import_file(s, p2, NULL, NULL, &r, err, sizeof(err)), 0);
	CHECK_STR(r.format, "csv");
	CHECK_EQ(r.loaded, 4);
	CHECK_EQ(r.skipped, 2); /* the columns swapped on line 3 */
	CHECK(ioc_match(s, IOC_EMAIL, "x@c2.example", 12, &h));
	unlink(p2);
	char p3[] = "/tmp/mamori-test-csv-XXXXXX";
	CHECK_EQ(write_file(p3, "198.51.100.9,ip\nc3.example,domain\n"), 0);
	CHECK_EQ(ioc_import_file(s, p3, NULL, NULL, &r, err, sizeof(err)), 0);
	CHECK_STR(r.format, "list");
	CHECK_EQ(r.loaded, 2);
	unlink(p3);
	ioc_set_free(s);
}

int main(void)
{
	test_store();
	test_guess();
	test_list();
	test_iprep_dataset();
	test_csv();
	return check_report("test_intel");
}
