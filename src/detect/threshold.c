/*
 * threshold — see threshold.h.
 */
#include "detect/threshold.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "flow/flow.h"

#define THR_MAX_ENTRIES 65536

struct thr_entry {
	uint32_t rule_id;
	uint8_t kind; /* threshold or detection_filter */
	uint8_t used;
	uint8_t key[33];
	uint64_t first_ns;
	uint32_t count;
};

struct threshold_table {
	pthread_mutex_t lock;
	struct thr_entry *e;
	uint32_t cap;
};

struct threshold_table *threshold_table_new(const struct config *cfg)
{
	(void)cfg;
	struct threshold_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cap = THR_MAX_ENTRIES;
	t->e = calloc(t->cap, sizeof(*t->e));
	if (!t->e) {
		free(t);
		return NULL;
	}
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

void threshold_table_free(struct threshold_table *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t->e);
	free(t);
}

static void make_key(uint8_t *key, const struct threshold_ctx *c, const struct packet *p,
		     const struct flow *f)
{
	memset(key, 0, 33);
	key[0] = c->track;
	switch (c->track) {
	case TRACK_SRC:
		memcpy(key + 1, p->src.a, 16);
		break;
	case TRACK_DST:
		memcpy(key + 1, p->dst.a, 16);
		break;
	case TRACK_BOTH: /* the pair, in either order */
		if (memcmp(p->src.a, p->dst.a, 16) <= 0) {
			memcpy(key + 1, p->src.a, 16);
			memcpy(key + 17, p->dst.a, 16);
		} else {
			memcpy(key + 1, p->dst.a, 16);
			memcpy(key + 17, p->src.a, 16);
		}
		break;
	case TRACK_FLOW:
		if (f)
			memcpy(key + 1, &f->flow_id, sizeof(f->flow_id));
		break;
	default: /* by_rule */
		break;
	}
}

bool threshold_check(struct threshold_table *t, const struct rule *r, const struct threshold_ctx *c,
		     const struct packet *p, const struct flow *f, struct counters *cnt)
{
	uint8_t key[33];
	make_key(key, c, p, f);
	uint8_t kind = c->type == THR_DETECTION_FILTER;
	uint64_t h = XXH3_64bits_withSeed(key, sizeof(key), (uint64_t)r->id << 1 | kind);
	uint64_t now = p->ts, window = (uint64_t)c->seconds * 1000000000ull;
	bool allow = true;

	pthread_mutex_lock(&t->lock);
	struct thr_entry *e = NULL, *reuse = NULL;
	for (uint32_t i = 0; i < 64; i++) { /* linear probing, bounded */
		struct thr_entry *x = &t->e[(h + i) & (t->cap - 1)];
		if (!x->used) {
			if (!reuse)
				reuse = x;
			break;
		}
		if (x->rule_id == r->id && x->kind == kind && !memcmp(x->key, key, sizeof(key))) {
			e = x;
			break;
		}
		if (!reuse && now - x->first_ns > window && now >= x->first_ns)
			reuse = x; /* expired: may be taken over */
	}
	if (!e) {
		if (!reuse) {
			CNT_INC(cnt, DET_THRESHOLD_FULL);
			pthread_mutex_unlock(&t->lock);
			return true;
		}
		e = reuse;
		e->used = 1;
		e->rule_id = r->id;
		e->kind = kind;
		memcpy(e->key, key, sizeof(key));
		e->first_ns = now;
		e->count = 0;
	}
	if (now > e->first_ns && now - e->first_ns > window) {
		e->first_ns = now;
		e->count = 0;
	}
	e->count++;
	switch (c->type) {
	case THR_LIMIT:
		allow = e->count <= c->count;
		break;
	case THR_THRESHOLD:
		allow = e->count >= c->count;
		if (allow)
			e->count = 0;
		break;
	case THR_BOTH:
		allow = e->count == c->count;
		break;
	default: /* detection_filter */
		allow = e->count > c->count;
		break;
	}
	pthread_mutex_unlock(&t->lock);
	return allow;
}
