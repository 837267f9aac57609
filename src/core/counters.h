/*
 * counters — per-worker statistics. Each worker owns a `struct counters` and
 * increments plain integers (no atomics on the packet path); the stats writer
 * sums snapshots that workers publish. Names come from counters.def and
 * decode/events.def.
 */
#ifndef MAMORI_CORE_COUNTERS_H
#define MAMORI_CORE_COUNTERS_H

#include <stdint.h>

#include "decode/events.h"

enum counter_id {
#define CNT(id, name, kind) CNT_##id,
#include "core/counters.def"
#undef CNT
	CNT_MAX
};

enum counter_kind { COUNTER_SUM, COUNTER_GAUGE, COUNTER_MAX_OF };

struct counters {
	uint64_t c[CNT_MAX];
	uint64_t ev[EV_MAX]; /* decoder/stream anomaly events */
};

#define CNT_INC(cs, id)    ((cs)->c[CNT_##id]++)
#define CNT_ADD(cs, id, n) ((cs)->c[CNT_##id] += (n))
#define CNT_SET(cs, id, n) ((cs)->c[CNT_##id] = (n))

const char *counter_name(enum counter_id id);
enum counter_kind counter_kind(enum counter_id id);

/* dst += src, honouring each counter's kind. */
void counters_merge(struct counters *dst, const struct counters *src);

#endif
