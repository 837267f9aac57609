/*
 * detect — the signature engine at run time.
 *
 * detect_engine_build() turns a loaded ruleset into an immutable engine
 * shared by all workers: rules are grouped by transport (TCP, UDP, ICMP,
 * other); each group has a Vectorscan database of the fast patterns of its
 * payload rules and a list of rules with no usable pattern, checked on every
 * packet. IP-only rules (addresses and ports only) are checked on the first
 * packet of each direction of a flow, as Suricata does.
 *
 * Each worker has a detect_thread: Vectorscan scratch, PCRE2 match data, the
 * candidate list and the alerts of the current packet. Payload rules inspect
 * the reassembled stream of tracked TCP sessions (each chunk as the stream
 * engine delivers it) and the packet payload otherwise, or when the rule asks
 * for packets (dsize, flow:no_stream, tcp-pkt).
 *
 * Thread safety: the engine is read-only after build, except for the
 * threshold table, which has its own lock, and the values of datasets
 * (dataset.h), which have theirs.
 */
#ifndef MAMORI_DETECT_DETECT_H
#define MAMORI_DETECT_DETECT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/counters.h"
#include "decode/packet.h"
#include "detect/rule.h"
#include "detect/ruleset.h"

struct detect_engine;
struct detect_thread;
struct flow;

#define DETECT_MAX_ALERTS 15 /* per packet, as Suricata's packet-alert-max */

struct detect_alert {
	const struct rule *r;
	bool stream;		/* matched in reassembled stream data */
	const uint8_t *payload; /* what matched (borrowed for the packet) */
	uint32_t payload_len;
	uint8_t dir; /* flow direction of the data: 0 to server */
	const struct app_tx *tx; /* the app-layer transaction inspected, or NULL */
};

/* Called for each alert as it is raised (the worker writes the EVE record). */
typedef void (*detect_alert_fn)(void *ctx, const struct packet *p, struct flow *f,
				const struct detect_alert *a);

/*
 * Build an engine from rs (takes ownership of it; freed with the engine).
 * NULL after a message on failure (out of memory, Vectorscan error).
 */
struct detect_engine *detect_engine_build(struct ruleset *rs, const struct config *cfg);
void detect_engine_free(struct detect_engine *de);
const struct ruleset *detect_engine_ruleset(const struct detect_engine *de);
/* Time to parse the rules and build the engine, in ns. */
uint64_t detect_engine_load_ns(const struct detect_engine *de);
/* Bytes of compiled databases (for stats). */
uint64_t detect_engine_db_bytes(const struct detect_engine *de);

struct detect_thread *detect_thread_new(const struct detect_engine *de, struct counters *cnt,
					detect_alert_fn fn, void *ctx);
void detect_thread_free(struct detect_thread *dt);

/* The packet the next stream data belongs to (set before flow handling). */
void detect_begin_packet(struct detect_thread *dt, const struct packet *p);

/* Inspect one packet after flow handling (p->flow, p->dir set). */
void detect_packet(struct detect_thread *dt, struct packet *p);

/* Inspect reassembled stream data of flow f in direction dir. */
void detect_stream(struct detect_thread *dt, struct flow *f, int dir, const uint8_t *data,
		   uint32_t len);

struct detect_profile;
/* The thread's --profile-rules counts (NULL when profiling is off). */
const struct detect_profile *detect_thread_profile(const struct detect_thread *dt);
uint32_t detect_engine_n_dbs(const struct detect_engine *de);
const char *detect_engine_db_name(const struct detect_engine *de, uint32_t id);

struct app_tx;
/* Inspect the app-layer rules of tx's protocol bound to progress `level`,
 * reached through data in direction dir (0 to server). */
void detect_tx(struct detect_thread *dt, struct flow *f, const struct app_tx *tx, int dir,
	       uint8_t level);

/* A gap in flow f's stream in direction dir (data is missing). */
void detect_stream_gap(struct detect_thread *dt, struct flow *f, int dir);

/* Does any loaded rule use keyword `name`? */
bool detect_engine_uses_keyword(const struct detect_engine *de, const char *name);

/* Write back the datasets that have a save or state file (at the end of a
 * run, or while workers run). 0, or -1 after a message for each failure. */
int detect_engine_save_datasets(const struct detect_engine *de);

/* A flow ends: release its detection state (flowbits ...). */
void detect_flow_end(struct detect_thread *dt, struct flow *f);

#endif
