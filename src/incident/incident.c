/*
 * incident — the correlation's context from the configuration, and a pass
 * over a store named by its path (incident.h).
 */
#include "incident/incident.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <string.h>

#include "core/log.h"
#include "intel/enrich.h"
#include "store/hunt.h"
#include "store/query.h"

static const char *var(void *ctx, const char *name, bool port)
{
	return config_var(ctx, name, port);
}

int incident_ctx_init(struct incident_ctx *x, const struct config *cfg, struct enrich *enrich)
{
	memset(x, 0, sizeof(*x));
	x->cfg = cfg;
	x->gap_us = (int64_t)cfg->inc_gap * 1000000;
	x->alert_severity = cfg->inc_alert_severity;
	x->inbound_alerts = cfg->inc_inbound_alerts;
	x->max_keys = cfg->inc_max_keys;
	x->backfill_rows = cfg->inc_backfill_rows;
	const char *hn = config_var(cfg, "HOME_NET", false);
	struct addrset_err err;
	if (hn) {
		if (ipset_parse(&x->home, hn, var, (void *)cfg, &err) < 0) {
			log_error("HOME_NET: %s", err.msg);
			return -1;
		}
		x->has_home = true;
	}
	x->enrich = enrich;
	if (!enrich) {
		x->own_enrich = true;
		if (enrich_open(cfg, &x->enrich) < 0) {
			incident_ctx_free(x);
			return -1;
		}
	}
	return 0;
}

void incident_ctx_free(struct incident_ctx *x)
{
	if (x->has_home)
		ipset_free(&x->home);
	x->has_home = false;
	if (x->own_enrich)
		enrich_free(x->enrich);
	x->enrich = NULL;
	x->own_enrich = false;
}

bool incident_internal(const struct incident_ctx *x, int ver, const uint8_t *a)
{
	return hunt_internal(x->has_home ? &x->home : NULL, ver, a);
}

int incident_update_path(const char *path, const struct config *cfg, struct enrich *enrich)
{
	struct incident_ctx x;
	struct incident_stats st;
	sqlite3 *db = NULL;
	int rc = -1;
	if (incident_ctx_init(&x, cfg, enrich) < 0)
		return -1;
	if (store_open_writer(path, &db) < 0)
		goto out;
	sqlite3_busy_timeout(db, 10000);
	if (incident_update(db, &x, &st) < 0)
		goto out;
	if (st.opened || st.merged || st.rebuilt)
		log_info("incidents: %" PRIu64 " signals read, %" PRIu64
			 " joined incidents (%" PRIu64 " opened, %" PRIu64 " merged, %" PRIu64
			 " earlier records joined); 'mamori incidents' lists them",
			 st.signals, st.joined, st.opened, st.merged, st.backfilled);
	if (st.keys_capped)
		log_warn("incidents: incident.max-keys reached: %" PRIu64 " keys not held",
			 st.keys_capped);
	rc = 0;
out:
	sqlite3_close(db);
	incident_ctx_free(&x);
	return rc;
}
