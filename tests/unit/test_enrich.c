/*
 * test_enrich — AS data from ip-location-db CSV files (quoted organisation
 * names, IPv4 and IPv6 ranges, addresses between ranges), the hosting list,
 * HOME_NET addresses left alone, and bad lines named by file and line.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "intel/enrich.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static bool look4(const struct enrich *e, const char *a, struct enrich_info *in)
{
	uint8_t b[4];
	inet_pton(AF_INET, a, b);
	return enrich_lookup(e, 4, b, in);
}

int main(void)
{
	char dir[] = "/tmp/test_enrich_XXXXXX", p[256];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(p, sizeof(p), "%s/asn-ipv4.csv", dir);
	/* out of order on purpose: the loader sorts */
	write_file(p, "45.76.1.0,45.76.1.255,64501,\"Rent-A-Box, Inc.\"\n"
		      "8.8.8.0,8.8.8.255,15169,Google LLC\n"
		      "10.0.0.0,10.255.255.255,64512,Private\n"
		      "81.2.69.0,81.2.69.127,64502,\"Say \"\"Hi\"\" Ltd\"\n"
		      "203.0.113.0,203.0.113.255,64503,Documentation\n");
	snprintf(p, sizeof(p), "%s/asn-ipv6.csv", dir);
	write_file(p, "2a01:4f8::,2a01:4f8:ffff:ffff:ffff:ffff:ffff:ffff,64501,\"Rent-A-Box, Inc.\"\n"
		      "2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,64501,\"Rent-A-Box, Inc.\"\n");
	char hosting[300];
	snprintf(hosting, sizeof(hosting), "%s/hosting.tsv", dir);
	write_file(hosting, "# hosting\n64501\tRent-A-Box\nAS64503\tother\n");

	struct config cfg;
	config_defaults(&cfg);
	struct enrich *e = NULL;
	CHECK_EQ(enrich_open(&cfg, &e), 0); /* nothing configured: off */
	CHECK(e == NULL);
	snprintf(cfg.enrich_dir, sizeof(cfg.enrich_dir), "%s", dir);
	snprintf(cfg.enrich_hosting, sizeof(cfg.enrich_hosting), "%s", hosting);
	CHECK_EQ(enrich_open(&cfg, &e), 0);
	CHECK(e != NULL);

	struct enrich_info in;
	CHECK(look4(e, "45.76.1.7", &in));
	CHECK_EQ(in.asn, 64501);
	CHECK_STR(in.as_org, "Rent-A-Box, Inc.");
	CHECK(in.hosting);
	CHECK_STR(in.country, ""); /* no country database here */
	CHECK(look4(e, "8.8.8.8", &in) && in.asn == 15169 && !in.hosting);
	CHECK(look4(e, "81.2.69.127", &in));
	CHECK_STR(in.as_org, "Say \"Hi\" Ltd");
	CHECK(!look4(e, "81.2.69.128", &in)); /* between ranges */
	CHECK(!look4(e, "1.1.1.1", &in));	 /* before the first range from 8.x */
	CHECK(!look4(e, "255.255.255.255", &in));
	/* special-purpose ranges are never enriched, whatever the data says */
	CHECK(!look4(e, "203.0.113.5", &in));
	/* HOME_NET (10/8 by default) is internal: not enriched */
	uint8_t a[16];
	inet_pton(AF_INET, "10.1.2.3", a);
	CHECK(enrich_is_home(e, 4, a));
	CHECK(!enrich_lookup(e, 4, a, &in));
	inet_pton(AF_INET6, "2a01:4f8::42", a);
	CHECK(enrich_lookup(e, 6, a, &in) && in.asn == 64501 && in.hosting);
	inet_pton(AF_INET6, "2a01:4f9::1", a);
	CHECK(!enrich_lookup(e, 6, a, &in));
	inet_pton(AF_INET6, "2001:db8::42", a); /* documentation: never enriched */
	CHECK(!enrich_lookup(e, 6, a, &in));
	struct enrich_stats st;
	enrich_get_stats(e, &st);
	CHECK_EQ(st.v4_ranges, 5);
	CHECK_EQ(st.v6_ranges, 2);
	CHECK_EQ(st.orgs, 5);
	CHECK_EQ(st.hosting_asns, 2);
	enrich_free(e);

	/* a damaged line: an error, and no enrichment */
	snprintf(p, sizeof(p), "%s/asn-ipv4.csv", dir);
	write_file(p, "8.8.8.0,8.8.8.255,15169,Google LLC\n8.8.9.0,nonsense,1,x\n");
	CHECK_EQ(enrich_open(&cfg, &e), -1);
	CHECK(e == NULL);
	snprintf(cfg.enrich_dir, sizeof(cfg.enrich_dir), "%s/missing", dir);
	CHECK_EQ(enrich_open(&cfg, &e), -1);

	unlink(hosting);
	snprintf(p, sizeof(p), "%s/asn-ipv4.csv", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/asn-ipv6.csv", dir);
	unlink(p);
	rmdir(dir);
	return check_report("test_enrich");
}
