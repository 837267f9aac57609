/*
 * pii_worker — the workers' side of the personal-data analytic: scanners
 * over each flow direction's cleartext bytes, whose counts travel to the
 * hub as an observation when the flow ends (pii.c writes the record).
 */
#ifndef MAMORI_ANALYTICS_PII_WORKER_H
#define MAMORI_ANALYTICS_PII_WORKER_H

#include <stdint.h>

#include "flow/flow.h"

struct an_worker;

/* Set up w->pii (left NULL when analytics.pii.enabled is off). 0 or -1. */
int pii_worker_init(struct an_worker *w);
void pii_worker_free(struct an_worker *w);
/* Bytes of direction dir of flow f. */
void pii_worker_data(struct an_worker *w, struct flow *f, int dir, const uint8_t *d, uint32_t n);
/* The flow ends: report and release its scanners (pii: the flow's two slots). */
void pii_worker_flow_end(struct an_worker *w, struct flow *f, void **pii);

/* The flow's two scanner slots (worker.c), made when `make`; NULL when the
 * flow has no state (none left). */
void **an_flow_pii(struct an_worker *w, struct flow *f, bool make);

#endif
