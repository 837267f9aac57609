/*
 * thresholdcfg — Suricata's threshold.config (`threshold-file`): thresholds
 * and event filters that override a rule's own `threshold`, and suppressions
 * (all alerts of a rule, or those from/to given addresses). Loaded once with
 * the rules; read-only afterwards.
 */
#ifndef MAMORI_DETECT_THRESHOLDCFG_H
#define MAMORI_DETECT_THRESHOLDCFG_H

#include <stdbool.h>
#include <stdio.h>

#include "decode/packet.h"
#include "detect/kw_threshold.h"
#include "detect/rule.h"
#include "detect/ruleset.h"

struct threshold_config;

/* Load; NULL after a message naming file and line. rs gives the variables. */
struct threshold_config *threshold_config_load(const char *path, const struct ruleset *rs);
/* The same from an open stream (borrowed); path names it in messages. */
struct threshold_config *threshold_config_read(FILE *f, const char *path, const struct ruleset *rs);
void threshold_config_free(struct threshold_config *tc);

/* The threshold the file sets for r (it replaces the rule's own), or NULL. */
const struct threshold_ctx *threshold_config_for(const struct threshold_config *tc,
						 const struct rule *r);
/* Does the file suppress r at all / for this packet? */
bool threshold_config_has_suppress(const struct threshold_config *tc, const struct rule *r);
bool threshold_config_suppressed(const struct threshold_config *tc, const struct rule *r,
				 const struct packet *p);

#endif
