/*
 * pii_worker — see pii_worker.h.
 */
#include "analytics/pii_worker.h"

#include "analytics/hub_int.h"

int pii_worker_init(struct an_worker *w)
{
	w->pii = NULL;
	return 0;
}

void pii_worker_free(struct an_worker *w)
{
	(void)w;
}

void pii_worker_data(struct an_worker *w, struct flow *f, int dir, const uint8_t *d, uint32_t n)
{
	(void)w;
	(void)f;
	(void)dir;
	(void)d;
	(void)n;
}

void pii_worker_flow_end(struct an_worker *w, struct flow *f, void **pii)
{
	(void)w;
	(void)f;
	(void)pii;
}
