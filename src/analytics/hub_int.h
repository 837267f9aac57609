/*
 * hub_int — what hub.c (the hub and the rings) and worker.c (observations
 * from flows, transactions and alerts) share. Nothing else includes it.
 */
#ifndef MAMORI_ANALYTICS_HUB_INT_H
#define MAMORI_ANALYTICS_HUB_INT_H

#include "analytics/analytic.h"
#include "analytics/analytics.h"
#include "core/ring.h"

struct an_flow; /* per-flow state (worker.c) */

struct an_worker {
	struct analytics *a;
	unsigned id;
	struct counters *cnt; /* the worker's */
	struct ring ring;     /* to the hub's thread (threaded only) */
	bool stopped;
	/* per-flow states: chunks allocated on demand up to the cap, reused
	 * through the free list */
	struct an_flow *free_list;
	void **chunks;
	uint32_t n_chunks, chunks_cap;
	uint32_t n_states, cap_states;
	struct an_obs scratch; /* the observation being built */
	void *pii;	       /* the personal-data side (pii_worker.c), or NULL */
};

/* Hand one observation to the hub. */
void an_worker_put(struct an_worker *w, const struct an_obs *o);
/* Is the address in HOME_NET? */
bool an_worker_home(const struct an_worker *w, int ver, const uint8_t *addr);
const struct config *an_worker_config(const struct an_worker *w);
/* The run's personal-data key (NULL: that analytic is off). */
const struct pii_key *an_worker_pii_key(const struct an_worker *w);

/* worker.c: the worker's scratch observation of `kind` about flow f: its
 * id, addresses, ports, protocols and HOME_NET flags filled, the rest zero. */
struct an_obs *an_obs_of_flow(struct an_worker *w, const struct flow *f, uint8_t kind);

/* worker.c: set up / free a worker's side (share: number of workers). */
int an_worker_init(struct an_worker *w, unsigned share);
void an_worker_free(struct an_worker *w);

#endif
