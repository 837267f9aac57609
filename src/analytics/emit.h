/*
 * emit — where the analytics' records go (the hub's side of analytic.h's
 * record functions): the shared EVE file, the store's event and daily
 * tables, and the daily counters. Hub thread only.
 */
#ifndef MAMORI_ANALYTICS_EMIT_H
#define MAMORI_ANALYTICS_EMIT_H

#include "analytics/analytic.h"
#include "output/eve.h"

struct store_out;

struct an_emit {
	struct eve_out out;   /* o.rec is the record being built */
	struct store_out *so; /* NULL: no store */
	struct counters *cnt; /* the hub's */
	bool eve_on;	      /* outputs.eve.analytics */
	void *daily;	      /* the daily analytic's state, or NULL */
	const char *type;     /* the record being built */
	uint64_t ts;
	uint8_t ver, proto;
	struct addr src, dst;
	bool has_addrs;
	uint16_t sp, dp;
	uint64_t flow_id;
};

int an_emit_init(struct an_emit *em, struct eve *eve, struct store_out *so,
		 const struct enrich *enrich, struct counters *cnt, bool eve_on);
void an_emit_flush(struct an_emit *em);
void an_emit_free(struct an_emit *em);

#endif
