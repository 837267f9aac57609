/*
 * pii_worker — the workers' side of the personal-data analytic: scanners
 * over each flow direction's cleartext bytes, whose counts travel to the
 * hub as an observation when the flow ends (pii.c writes the record).
 */
#ifndef MAMORI_ANALYTICS_PII_WORKER_H
#define MAMORI_ANALYTICS_PII_WORKER_H

#include <stdint.h>

#include "analytics/pii_scan.h"
#include "core/config.h"
#include "flow/flow.h"

/* What travels to the hub for one flow direction (an_obs.name, AN_OBS_PII). */
struct an_pii {
	uint32_t distinct[PII_TYPES], total[PII_TYPES], rejected[PII_TYPES];
	uint64_t bytes_scanned;
	uint8_t dir; /* 0: to the server */
	bool overflow, truncated;
	char sample[PII_TYPES][PII_SAMPLE_LEN];
	char sample_hash[PII_TYPES][17];
};

/* The keyed hash's key from analytics.pii.key (hex), or a random one when it
 * is empty. NULL after a message. */
struct pii_key *pii_key_from_config(const struct config *cfg);

struct an_worker;

/* Set up w->pii (left NULL when analytics.pii.enabled is off). 0 or -1. */
int pii_worker_init(struct an_worker *w);
void pii_worker_free(struct an_worker *w);
/* Bytes of direction dir of flow f. */
void pii_worker_data(struct an_worker *w, struct flow *f, int dir, const uint8_t *d, uint32_t n);
/* The flow ends: report and release its scanners (pii: the flow's two slots). */
void pii_worker_flow_end(struct an_worker *w, struct flow *f, void **pii);

/* The flow's scanner slots (worker.c): [0] and [1] the directions', [2]
 * which directions are not scanned (pii_worker.c); made when `make`; NULL when
 * the flow has no state (none left). */
void **an_flow_pii(struct an_worker *w, struct flow *f, bool make);

#endif
