/*
 * analytics — the behaviour analytics stage as the engine sees it: a hub
 * (one thread with N workers, inline with one) that owns every analytic's
 * state (analytic.h), and each worker's side, which turns flows,
 * transactions and alerts into observations and hands them over.
 *
 * Workers put observations into their own bounded ring (file input waits for
 * room, live input drops and counts); a tick marks the end of each second of
 * packet time. The hub holds each worker's observations until every worker
 * has marked that second, sorts them by time, and feeds them to the
 * analytics, so the records do not depend on the number of workers.
 */
#ifndef MAMORI_ANALYTICS_ANALYTICS_H
#define MAMORI_ANALYTICS_ANALYTICS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/counters.h"
#include "flow/flow.h"

struct analytics;
struct an_worker;
struct eve;
struct store;
struct enrich;
struct packet;
struct app_tx;

/*
 * The hub for nworkers workers (threaded: a thread of its own, started by
 * analytics_start). Records go to eve (the shared EVE file) and db (may be
 * NULL). *out is NULL when analytics.enabled is off. 0, or -1 after a
 * message (a bad zone or darknet prefix, out of memory).
 */
int analytics_new(const struct config *cfg, struct eve *eve, struct store *db,
		  const struct enrich *enrich, unsigned nworkers, bool threaded,
		  struct analytics **out);
int analytics_start(struct analytics *a);

/* Worker i's side; cnt (the worker's counters) is borrowed. live: drop at
 * the ring's cap instead of waiting. */
struct an_worker *analytics_worker(struct analytics *a, unsigned i, struct counters *cnt);
void analytics_set_live(struct analytics *a, bool live);

/* What a worker tells its side (all on the worker's thread). */
void an_worker_flow_start(struct an_worker *w, const struct packet *p, struct flow *f);
void an_worker_flow_end(struct an_worker *w, struct flow *f);
void an_worker_tx(struct an_worker *w, const struct packet *p, struct flow *f,
		  const struct app_tx *tx, int dir, uint8_t level);
void an_worker_alert(struct an_worker *w, const struct packet *p, const struct flow *f,
		     uint32_t sid, uint8_t severity, const char *category);
/* Does the worker's side want payload bytes (personal data on)? When not,
 * the engine does not hand them over at all. */
bool an_worker_wants_data(const struct an_worker *w);
/* Reassembled TCP data or a UDP payload of direction dir (personal data). */
void an_worker_data(struct an_worker *w, struct flow *f, int dir, const uint8_t *d, uint32_t n);
/* The worker has handled every packet before packet time ts. */
void an_worker_tick(struct an_worker *w, uint64_t ts);
/* The worker's input is over (its flows have ended). */
void an_worker_stop(struct an_worker *w);

/* After every worker stopped: let the hub finish (records of what is
 * pending), wait for it. */
void analytics_finish(struct analytics *a);

/* Add the hub's counters to c (after analytics_finish, or a snapshot). */
void analytics_counters(struct analytics *a, struct counters *c);

void analytics_free(struct analytics *a);

#endif
