/*
 * counters — names, kinds and merging of the per-worker statistics.
 */
#include "core/counters.h"

#define C COUNTER_SUM
#define G COUNTER_GAUGE
#define M COUNTER_MAX_OF

static const struct {
	const char *name;
	enum counter_kind kind;
} counter_table[CNT_MAX] = {
#define CNT(id, name, kind) [CNT_##id] = {name, kind},
#include "core/counters.def"
#undef CNT
};

#undef C
#undef G
#undef M

const char *counter_name(enum counter_id id)
{
	return counter_table[id].name;
}

enum counter_kind counter_kind(enum counter_id id)
{
	return counter_table[id].kind;
}

void counters_merge(struct counters *dst, const struct counters *src)
{
	for (int i = 0; i < CNT_MAX; i++) {
		if (counter_table[i].kind == COUNTER_MAX_OF) {
			if (src->c[i] > dst->c[i])
				dst->c[i] = src->c[i];
		} else {
			dst->c[i] += src->c[i];
		}
	}
	for (int i = 0; i < EV_MAX; i++)
		dst->ev[i] += src->ev[i];
}
