/*
 * enrich — who an external address belongs to: its autonomous system (number
 * and organisation) and country from the ip-location-db data (the
 * `@ip-location-db/asn` CSV files and the `geo-whois-asn-country` MaxMind
 * database, fetched by scripts/deps), and whether that AS is a hosting or VPS
 * provider (a list of AS numbers, data/hosting-asns.tsv). Addresses in
 * HOME_NET and special-purpose ranges (private, documentation, loopback,
 * link-local, multicast ...) are not enriched.
 *
 * Built once, then only read: lookups from any thread, no locks, no
 * allocation.
 */
#ifndef MAMORI_INTEL_ENRICH_H
#define MAMORI_INTEL_ENRICH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"

struct enrich;

struct enrich_info {
	uint32_t asn;	    /* 0 = unknown */
	const char *as_org; /* in the enrich data; NULL = unknown */
	char country[3];    /* ISO 3166 alpha-2; "" = unknown */
	bool hosting;	    /* the AS is a hosting/VPS provider's */
};

/*
 * Load what the configuration names (enrich.dir: asn-ipv4.csv, asn-ipv6.csv,
 * geo-whois-asn-country.mmdb; enrich.hosting-asns) and HOME_NET. *out is NULL
 * when nothing is configured. 0, or -1 after a message naming the file and
 * line.
 */
int enrich_open(const struct config *cfg, struct enrich **out);
void enrich_free(struct enrich *e);

/* Is the address internal (in HOME_NET)? ver 4 or 6. */
bool enrich_is_home(const struct enrich *e, int ver, const uint8_t *addr);

/* What is known of an address; false when nothing is (or it is internal). */
bool enrich_lookup(const struct enrich *e, int ver, const uint8_t *addr, struct enrich_info *out);

/* Sizes, for the start-up line. */
struct enrich_stats {
	uint32_t v4_ranges, v6_ranges, orgs, hosting_asns;
	bool country;
};
void enrich_get_stats(const struct enrich *e, struct enrich_stats *st);

#endif
