/*
 * hunt — retro-hunting: each indicator of a set checked against the store's
 * records over a window, through the indexes only (no table scan):
 *
 *   addresses, CIDRs    flow ends (src_ip, dest_ip) and DNS answers (dns.answer)
 *   domains             DNS questions (dns.rrname), HTTP hosts (http.hostname),
 *   (exact, and below)  TLS server names (tls.sni); "and below" is one range of
 *                       the name table's reversed keys
 *   URLs                HTTP host and url (http.url)
 *   JA3 / JA4           tls.ja3, tls.ja3s / tls.ja4
 *   certificates        tls.fingerprint
 *   file hashes         fileinfo.md5, fileinfo.sha1, fileinfo.sha256 (an MD5 also
 *                       as tls.ja3 and tls.ja3s, a SHA-1 as tls.fingerprint: plain
 *                       lists cannot tell them apart)
 *   e-mail addresses    nothing stored holds them: counted, not checked
 *
 * One sighting per indicator and matched field: first and last time, the
 * number of records, the internal hosts involved (for an address the flow's
 * other end, for DNS the client, else either end; each when it is in
 * HOME_NET or a private, shared, loopback, link-local or ULA range; up to
 * HUNT_HOSTS_MAX listed), the bytes each way
 * of the flows that carried the records (each flow once), and the last
 * record's flow. Thread-safe over distinct connections.
 */
#ifndef MAMORI_STORE_HUNT_H
#define MAMORI_STORE_HUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/addrset.h"
#include "intel/ioc.h"
#include "intel/sighting.h"
#include "output/json.h"

#define HUNT_HOSTS_MAX 64

struct sqlite3;
struct sqlite3_stmt;

struct store_hunt_stats {
	uint64_t indicators;		   /* in the set */
	uint64_t unchecked;		   /* kinds nothing stored holds (e-mail) */
	uint64_t sightings;		   /* reported */
	uint64_t matched;		   /* indicators with at least one sighting */
	uint64_t records;		   /* stored records that matched */
	uint64_t by_type[IOC_TYPE_MAX];	   /* indicators checked per type */
	uint64_t found_type[IOC_TYPE_MAX]; /* of them with a sighting */
};

/* Called once per sighting; s and what it points to are borrowed for the
 * call. */
typedef void (*store_hunt_fn)(void *ctx, const struct intel_sighting *s);

/*
 * Check every indicator of set against the records of db (a store open for
 * reading) from since_ns on. `home` (may be NULL) adds internal addresses
 * to the private ranges. 0, or -1 after a message (SQLite error; the
 * sightings reported so far stand).
 */
int store_hunt(struct sqlite3 *db, const struct ioc_set *set, uint64_t since_ns,
	       const struct ipset *home, store_hunt_fn fn, void *ctx, struct store_hunt_stats *st);

/* Is this address internal: private, loopback, link-local, ULA, or in home? */
bool hunt_internal(const struct ipset *home, int ver, const uint8_t *a);

/* An EVE intel record of a sighting ("timestamp" ... "intel":{...}). */
void hunt_write_record(struct jbuf *jb, const struct intel_sighting *s);

/* A sighting from a row of the intel table whose columns from `col` are:
 * type, indicator, field, value, source, actor, campaign, confidence, tlp,
 * retro, first_seen, last_seen, count, bytes_ts, bytes_tc, hosts (as
 * query.c selects them). Strings are borrowed from the row. */
void hunt_sighting_from_row(struct sqlite3_stmt *st, int col, struct intel_sighting *s,
			    struct ioc_meta *m);

#endif
