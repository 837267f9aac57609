/*
 * match — live intel matching. An intel_db is an indicator set loaded from
 * intel files, shared read-only by every worker and reference-counted so a
 * reload can swap in a new one while workers finish with the old
 * (intel_live). Workers look up every new flow's endpoints and, as the app
 * layer reports transactions, DNS query names and answers, HTTP hosts and
 * URLs, TLS server names, JA3/JA3S/JA4 and certificate fingerprints, and the
 * hashes of every file; each match is handed to a callback as an
 * intel_sighting (sighting.h).
 */
#ifndef MAMORI_INTEL_MATCH_H
#define MAMORI_INTEL_MATCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "intel/ioc.h"
#include "intel/sighting.h"

struct flow;
struct app_tx;

struct intel_db {
	struct ioc_set *set;
	atomic_uint refs;
	uint32_t files;	    /* files loaded */
	uint64_t load_ns;   /* time to load them */
	uint64_t skipped;   /* values the importers did not take */
};

/*
 * Load intel files into a new db (one reference, the caller's). `paths` are
 * files or MISP feed folders; `dir` (may be NULL or "") adds every regular
 * file in that folder, in name order. Each file's outcome is logged (format,
 * loaded, duplicates, skipped); a file that cannot be read is an error: NULL
 * after a message naming it. `quiet`: per-file lines at debug level.
 */
struct intel_db *intel_db_load(char *const *paths, int n, const char *dir, bool quiet);
/* Drop a reference; the last one frees the db. NULL is ignored. */
void intel_db_release(struct intel_db *db);

/* The db in force, swapped by reload. */
struct intel_live {
	pthread_mutex_t lock;
	struct intel_db *cur;	  /* may be NULL: no intel */
	atomic_uint_fast64_t gen; /* bumped on each swap */
};
void intel_live_init(struct intel_live *l, struct intel_db *db); /* takes db's reference */
void intel_live_destroy(struct intel_live *l);
/* A new reference to the db in force (or NULL), and its generation. */
struct intel_db *intel_live_acquire(struct intel_live *l, uint64_t *gen);
/* Put db in force (its reference is taken over); the old one is released. */
void intel_live_publish(struct intel_live *l, struct intel_db *db);
/* Has the db changed since generation gen? (one atomic load) */
static inline bool intel_live_changed(struct intel_live *l, uint64_t gen)
{
	return atomic_load_explicit(&l->gen, memory_order_acquire) != gen;
}

typedef void (*intel_hit_fn)(void *ctx, const struct flow *f, const struct intel_sighting *s,
			     int dir);

/* Packet time `ts` (ns) decides validity: an indicator whose attributions
 * have all expired (or are not yet valid) does not match; *expired counts
 * them. Each returns the number of sightings reported. */

/* The endpoints of a new flow: "src_ip" / "dest_ip" (dir 0: as the flow). */
unsigned intel_match_flow(const struct intel_db *db, const struct flow *f, uint64_t ts,
			  intel_hit_fn fn, void *ctx, uint64_t *expired);

/* A transaction that reached `level` through data in direction dir. */
unsigned intel_match_tx(const struct intel_db *db, const struct flow *f, const struct app_tx *tx,
			int dir, uint8_t level, uint64_t ts, intel_hit_fn fn, void *ctx,
			uint64_t *expired);

#endif
