/*
 * audit — `mamori audit`: a compliance report of the zone policies
 * (analytics/zone.c) from the store: per zone its networks and policy, the
 * flows and packets checked (the store's daily rows of kind "zone"), each
 * violation (the `zone` records of the event table), and for a zone without
 * any an attestation line. Reads the store only; every value reaches SQLite
 * as a bound parameter.
 */
#ifndef MAMORI_STORE_AUDIT_H
#define MAMORI_STORE_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "core/config.h"

struct sqlite3;

/* `mamori audit` (argv[0] is "audit"). Exit status 0 (every zone
 * compliant), 1 (violations), 2 (no store, no zone figures in it, a store
 * error, usage). */
int audit_cmd(int argc, char **argv);

/* The report `mamori audit --json` prints, without "store": {"from", "to",
 * "compliant", "zones": [...]} for the window (µs; INT64_MIN/INT64_MAX
 * open), every zone or only `zone`; policies from cfg where it names the
 * zone (cfg may be NULL). NULL on a store error. */
json_t *audit_report(struct sqlite3 *db, const struct config *cfg, int64_t since, int64_t until,
		     const char *zone);

#endif
