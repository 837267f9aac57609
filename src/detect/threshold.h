/*
 * threshold — counts behind `threshold` (limit, threshold, both) and
 * `detection_filter`, per rule and tracked key (source, destination, both,
 * rule, flow), in packet time. One table for the whole engine, behind a
 * lock, so N workers count exactly as one does; only matches of rules with
 * these keywords touch it. Capped: when full, expired entries are reused,
 * else the match is let through and counted.
 */
#ifndef MAMORI_DETECT_THRESHOLD_H
#define MAMORI_DETECT_THRESHOLD_H

#include <stdbool.h>

#include "core/config.h"
#include "core/counters.h"
#include "decode/packet.h"
#include "detect/kw_threshold.h"
#include "detect/rule.h"

struct threshold_table;
struct flow;

struct threshold_table *threshold_table_new(const struct config *cfg);
void threshold_table_free(struct threshold_table *t);

/* Count one match; true when the rule may alert. Thread-safe. */
bool threshold_check(struct threshold_table *t, const struct rule *r, const struct threshold_ctx *c,
		     const struct packet *p, const struct flow *f, struct counters *cnt);

#endif
