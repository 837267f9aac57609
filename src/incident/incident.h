/*
 * incident — incidents from what the store holds (docs/incidents.md).
 *
 * A signal is one stored alert, intel sighting (live or retro-hunt) or
 * behaviour record. Each names an internal host and, when there is one, the
 * external infrastructure: an address ("a:185.243.115.84"), a name
 * ("d:update.cdn-sync.net"); internal hosts are keys too ("h:10.10.1.23").
 * The correlation (correlate.c) joins a signal to every incident holding one
 * of its keys with activity within incident.gap of it, merges incidents a
 * signal joins together, and opens a new incident for a signal that joins
 * none when the signal is strong enough alone: an internal host beaconing,
 * tunnelling, exfiltrating, leaking personal data, scanning, breaking a zone
 * policy, matching intel, or an outbound or internal alert of severity
 * incident.alert-severity or higher. Other signals (an inbound scan, an
 * inbound alert) only join. When an address becomes an incident's
 * infrastructure, its earlier records that joined nothing are looked up and
 * joined (reconnaissance before the compromise, a retro-hunt's sightings).
 *
 * Each pass reads the signals added since the last one (a cursor per table
 * in the store's meta table), in time order, in one transaction; the
 * incidents it changed get their document rebuilt (doc.c) and their summary
 * row rewritten. Incident numbers are stable: a merge keeps the lowest.
 */
#ifndef MAMORI_INCIDENT_INCIDENT_H
#define MAMORI_INCIDENT_INCIDENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "detect/addrset.h"

struct sqlite3;
struct enrich;

/* What a pass and the documents need, from the configuration. */
struct incident_ctx {
	const struct config *cfg;
	struct ipset home; /* HOME_NET */
	bool has_home;
	struct enrich *enrich; /* NULL: no enrichment data configured */
	bool own_enrich;       /* loaded by incident_ctx_init (else borrowed) */
	int64_t gap_us;
	uint32_t alert_severity;
	bool inbound_alerts;
	uint32_t max_keys;
	uint32_t backfill_rows;
};

/* 0, or -1 after a message (HOME_NET, enrichment data). `enrich` (may be
 * NULL): enrichment data already loaded, borrowed; NULL loads what the
 * configuration names. */
int incident_ctx_init(struct incident_ctx *x, const struct config *cfg, struct enrich *enrich);
void incident_ctx_free(struct incident_ctx *x);

/* Is an address internal: HOME_NET, private, loopback, link-local, ULA? */
bool incident_internal(const struct incident_ctx *x, int ver, const uint8_t *a);

struct incident_stats {
	uint64_t signals;     /* read this pass */
	uint64_t joined;      /* joined an incident (opened ones included) */
	uint64_t opened;      /* incidents opened */
	uint64_t merged;      /* incidents merged into another */
	uint64_t alone;	      /* too weak to open one, joined none */
	uint64_t backfilled;  /* earlier records joined through a new address */
	uint64_t keys_capped; /* keys not held: incident.max-keys reached */
	uint64_t rebuilt;     /* documents rebuilt */
};

/*
 * One correlation pass over the store db (open for writing, schema 4 or
 * newer). 0, or -1 after a message (nothing of the pass is kept).
 */
int incident_update(struct sqlite3 *db, const struct incident_ctx *x, struct incident_stats *st);

/*
 * Open the store at path, run a pass, close it; log a line when something
 * changed. For `mamori read` at the end of input and `mamori hunt` after
 * its sightings are written; enrich as incident_ctx_init. 0, or -1 after a
 * message.
 */
int incident_update_path(const char *path, const struct config *cfg, struct enrich *enrich);

/*
 * The incident document of incident id (docs/incidents.md), built from the
 * store: NULL when there is no such incident (*missing set) or after a
 * message. A merged incident's number gives the one it was merged into.
 */
json_t *incident_doc(struct sqlite3 *db, const struct incident_ctx *x, int64_t id, bool *missing);

#endif
