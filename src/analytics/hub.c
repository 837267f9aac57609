/*
 * hub — the analytics stage's thread and the workers' side of it (see
 * analytics.h).
 *
 * Each worker's observations wait in a stage (a byte buffer of records, each
 * tagged with the epoch, the number of ticks its worker had passed when it
 * was made). Epoch e is complete when every worker has passed e + 1 ticks or
 * stopped; its observations are then sorted by time (ties broken by content)
 * and fed to every analytic, followed by the epoch's tick. The stages hold
 * at most analytics.pending-max bytes together; beyond, observations are
 * dropped and counted (a worker far behind the others).
 */
#include "analytics/analytics.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analytics/analytic.h"
#include "analytics/emit.h"
#include "analytics/hub_int.h"
#include "core/log.h"
#include "core/ring.h"
#include "detect/addrset.h"
#include "intel/enrich.h"
#include "store/store.h"

#define ANALYTIC(n) extern const struct analytic analytic_##n;
#include "analytics/analytics.def"
#undef ANALYTIC

static const struct analytic *const registry[] = {
#define ANALYTIC(n) &analytic_##n,
#include "analytics/analytics.def"
#undef ANALYTIC
};

#define N_ANALYTICS (sizeof(registry) / sizeof(registry[0]))

/* A staged observation: its epoch, its size, then the observation. */
struct staged {
	uint64_t epoch;
	uint32_t size; /* of the whole record, a multiple of 8 */
	uint32_t pad;
	struct an_obs o; /* only an_obs_size(&o) bytes are there */
};

#define STAGED_HEAD offsetof(struct staged, o)

struct stage {
	uint8_t *buf;
	size_t head, len, cap; /* records in [head, len) */
	uint64_t marks;	       /* ticks passed */
	bool done;
};

struct analytics {
	const struct config *cfg;
	struct an_env env;
	struct an_emit emit;
	struct counters cnt;
	pthread_mutex_t snap_lock;
	struct counters snap;
	struct ipset home;
	bool has_home;
	const struct enrich *enrich;
	void *st[N_ANALYTICS];
	struct an_worker *w;
	unsigned nw;
	bool threaded, live;
	struct stage *stage;
	uint64_t epochs_done;
	uint64_t *tick_ts; /* the tick that ends epoch epochs_done + i */
	size_t tick_cap;
	uint64_t pending;
	const struct an_obs **sortv;
	size_t sort_cap;
	uint64_t last_ts;
	struct store_out *so;
	pthread_t thr;
	bool started, finished;
};

bool an_is_home(const struct an_env *env, int ver, const uint8_t *addr)
{
	return env->home && ipset_match(env->home, addr, ver);
}

bool an_is_hosting(const struct an_env *env, int ver, const uint8_t *addr)
{
	struct enrich_info in;
	return env->enrich && enrich_lookup(env->enrich, ver, addr, &in) && in.hosting;
}

/* ---- stages ---- */

static void stage_put(struct analytics *a, unsigned wi, const struct an_obs *o)
{
	struct stage *s = &a->stage[wi];
	size_t need = (STAGED_HEAD + an_obs_size(o) + 7) & ~(size_t)7;
	if (a->pending + need > a->cfg->an_pending_max) {
		CNT_INC(&a->cnt, AN_OBS_DROPPED);
		return;
	}
	if (s->len + need > s->cap) {
		if (s->head) { /* move what is left to the front */
			memmove(s->buf, s->buf + s->head, s->len - s->head);
			s->len -= s->head;
			s->head = 0;
		}
		if (s->len + need > s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 1 << 16;
			while (cap < s->len + need)
				cap *= 2;
			uint8_t *nb = realloc(s->buf, cap);
			if (!nb) {
				CNT_INC(&a->cnt, AN_OBS_DROPPED);
				return;
			}
			s->buf = nb;
			s->cap = cap;
		}
	}
	struct staged *r = (struct staged *)(s->buf + s->len);
	r->epoch = s->marks;
	r->size = (uint32_t)need;
	r->pad = 0;
	memcpy(&r->o, o, an_obs_size(o));
	s->len += need;
	a->pending += need;
	if (a->pending > a->cnt.c[CNT_AN_PENDING_MAX])
		CNT_SET(&a->cnt, AN_PENDING_MAX, a->pending);
}

static int stage_mark(struct analytics *a, unsigned wi, uint64_t ts)
{
	struct stage *s = &a->stage[wi];
	uint64_t idx = s->marks - a->epochs_done; /* this tick ends epoch s->marks */
	if (idx >= a->tick_cap) {
		size_t cap = a->tick_cap ? a->tick_cap * 2 : 64;
		while (cap <= idx)
			cap *= 2;
		uint64_t *nt = realloc(a->tick_ts, cap * sizeof(*nt));
		if (!nt)
			return -1;
		a->tick_ts = nt;
		a->tick_cap = cap;
	}
	a->tick_ts[idx] = ts;
	s->marks++;
	return 0;
}

static int cmp_obs(const void *x, const void *y)
{
	const struct an_obs *a = *(const struct an_obs *const *)x,
			    *b = *(const struct an_obs *const *)y;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->flow_id != b->flow_id)
		return a->flow_id < b->flow_id ? -1 : 1;
	int c = memcmp(a->src.a, b->src.a, 16);
	if (c)
		return c;
	if ((c = memcmp(a->dst.a, b->dst.a, 16)))
		return c;
	if (a->sp != b->sp || a->dp != b->dp)
		return a->sp != b->sp ? (a->sp < b->sp ? -1 : 1) : (a->dp < b->dp ? -1 : 1);
	if (a->name_len != b->name_len)
		return a->name_len < b->name_len ? -1 : 1;
	return memcmp(a->name, b->name, a->name_len);
}

static void feed(struct analytics *a, const struct an_obs *o)
{
	CNT_INC(&a->cnt, AN_OBS);
	if (o->ts > a->last_ts)
		a->last_ts = o->ts;
	for (size_t i = 0; i < N_ANALYTICS; i++)
		if (a->st[i])
			registry[i]->obs(a->st[i], o);
}

/* Feed epoch a->epochs_done (every worker is past it, or `all`). */
static void run_epoch(struct analytics *a, bool has_tick)
{
	uint64_t e = a->epochs_done;
	size_t n = 0;
	for (unsigned i = 0; i < a->nw; i++) {
		struct stage *s = &a->stage[i];
		for (size_t off = s->head; off < s->len;) {
			const struct staged *r = (const struct staged *)(s->buf + off);
			if (r->epoch != e)
				break;
			if (n == a->sort_cap) {
				size_t cap = a->sort_cap ? a->sort_cap * 2 : 4096;
				const struct an_obs **nv = realloc(a->sortv, cap * sizeof(*nv));
				if (!nv)
					break; /* what does not fit waits for the next round */
				a->sortv = nv;
				a->sort_cap = cap;
			}
			a->sortv[n++] = &r->o;
			off += r->size;
		}
	}
	if (n)
		qsort(a->sortv, n, sizeof(*a->sortv), cmp_obs);
	for (size_t k = 0; k < n; k++)
		feed(a, a->sortv[k]);
	/* release what was fed */
	for (unsigned i = 0; i < a->nw; i++) {
		struct stage *s = &a->stage[i];
		while (s->head < s->len) {
			const struct staged *r = (const struct staged *)(s->buf + s->head);
			if (r->epoch != e)
				break;
			s->head += r->size;
			a->pending -= r->size;
		}
		if (s->head == s->len)
			s->head = s->len = 0;
	}
	if (has_tick) {
		uint64_t ts = a->tick_ts[0];
		if (ts > a->last_ts)
			a->last_ts = ts;
		for (size_t i = 0; i < N_ANALYTICS; i++)
			if (a->st[i] && registry[i]->tick)
				registry[i]->tick(a->st[i], ts);
		memmove(a->tick_ts, a->tick_ts + 1, (a->tick_cap - 1) * sizeof(*a->tick_ts));
	}
	a->epochs_done++;
}

static void publish(struct analytics *a)
{
	pthread_mutex_lock(&a->snap_lock);
	a->snap = a->cnt;
	pthread_mutex_unlock(&a->snap_lock);
}

/* Run every epoch all workers are past; with `final`, everything left. */
static void advance(struct analytics *a, bool final)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	bool all_done = true;
	for (unsigned i = 0; i < a->nw; i++) {
		const struct stage *s = &a->stage[i];
		if (s->marks > hi)
			hi = s->marks;
		if (!s->done) {
			all_done = false;
			if (s->marks < lo)
				lo = s->marks;
		}
	}
	if (all_done || final)
		lo = hi;
	bool ran = false;
	while (a->epochs_done < lo) {
		run_epoch(a, true);
		ran = true;
	}
	if (all_done || final) {
		/* what came after the last tick */
		run_epoch(a, false);
		ran = true;
	}
	if (ran)
		publish(a);
}

static void finish_all(struct analytics *a)
{
	if (a->finished)
		return;
	a->finished = true;
	advance(a, true);
	for (size_t i = 0; i < N_ANALYTICS; i++)
		if (a->st[i] && registry[i]->finish)
			registry[i]->finish(a->st[i], a->last_ts);
	an_emit_flush(&a->emit);
	publish(a);
}

/* ---- the hub's thread ---- */

static void *hub_main(void *arg)
{
	struct analytics *a = arg;
	unsigned idle = 0;
	for (;;) {
		bool progress = false, all_done = true;
		for (unsigned i = 0; i < a->nw; i++) {
			struct an_worker *w = &a->w[i];
			struct stage *s = &a->stage[i];
			for (int k = 0; k < 4096 && !s->done; k++) {
				const struct ring_rec *rec = ring_try_peek(&w->ring);
				if (!rec)
					break;
				progress = true;
				if (rec->kind == RING_PACKET)
					stage_put(a, i, (const struct an_obs *)rec->data);
				else if (rec->kind == RING_TICK)
					stage_mark(a, i, rec->ts);
				else if (rec->kind == RING_STOP)
					s->done = true;
				ring_pop(&w->ring, rec);
			}
			all_done &= s->done;
		}
		if (progress) {
			advance(a, false);
			idle = 0;
		}
		if (all_done)
			break;
		if (!progress) {
			if (++idle < 64) {
				sched_yield();
			} else {
				struct timespec t = {0, 200000};
				nanosleep(&t, NULL);
			}
		}
	}
	finish_all(a);
	return NULL;
}

/* ---- the workers' side ---- */

static void put(struct an_worker *w, uint16_t kind, uint64_t ts, const struct an_obs *o)
{
	struct analytics *a = w->a;
	if (!a->threaded) {
		if (kind == RING_PACKET) {
			stage_put(a, w->id, o);
		} else if (kind == RING_TICK) {
			if (stage_mark(a, w->id, ts) < 0)
				CNT_INC(&a->cnt, AN_OBS_DROPPED);
			advance(a, false);
		} else {
			a->stage[w->id].done = true;
		}
		return;
	}
	uint32_t len = o ? (uint32_t)an_obs_size(o) : 0;
	for (unsigned tries = 0;; tries++) {
		if (ring_put(&w->ring, kind, 0, ts, (const uint8_t *)o, len, len, 0) == 0)
			break;
		if (a->live && kind == RING_PACKET) {
			CNT_INC(w->cnt, AN_OBS_DROPPED);
			return;
		}
		if (tries == 0)
			CNT_INC(w->cnt, AN_OBS_WAITS);
		if (tries < 1000)
			sched_yield();
		else
			usleep(20);
	}
	if (kind != RING_PACKET)
		ring_flush(&w->ring);
}

void an_worker_put(struct an_worker *w, const struct an_obs *o)
{
	put(w, RING_PACKET, o->ts, o);
}

void an_worker_tick(struct an_worker *w, uint64_t ts)
{
	if (w)
		put(w, RING_TICK, ts, NULL);
}

void an_worker_stop(struct an_worker *w)
{
	if (w && !w->stopped) {
		w->stopped = true;
		put(w, RING_STOP, 0, NULL);
	}
}

struct an_worker *analytics_worker(struct analytics *a, unsigned i, struct counters *cnt)
{
	if (!a || i >= a->nw)
		return NULL;
	a->w[i].cnt = cnt;
	return &a->w[i];
}

void analytics_set_live(struct analytics *a, bool live)
{
	if (a)
		a->live = live;
}

bool an_worker_home(const struct an_worker *w, int ver, const uint8_t *addr)
{
	return an_is_home(&w->a->env, ver, addr);
}

const struct config *an_worker_config(const struct an_worker *w)
{
	return w->a->cfg;
}

/* ---- set-up ---- */

static const char *home_var(void *ctx, const char *name, bool port)
{
	return config_var(ctx, name, port);
}

int analytics_new(const struct config *cfg, struct eve *eve, struct store *db,
		  const struct enrich *enrich, unsigned nworkers, bool threaded,
		  struct analytics **out)
{
	*out = NULL;
	if (!cfg->an_enabled)
		return 0;
	struct analytics *a = calloc(1, sizeof(*a));
	if (!a)
		goto oom;
	a->cfg = cfg;
	a->nw = nworkers;
	a->threaded = threaded;
	a->enrich = enrich;
	pthread_mutex_init(&a->snap_lock, NULL);
	const char *home = config_var(cfg, "HOME_NET", false);
	if (home) {
		struct addrset_err err;
		if (ipset_parse(&a->home, home, home_var, (void *)cfg, &err) < 0) {
			log_error("HOME_NET: %s", err.msg);
			analytics_free(a);
			return -1;
		}
		a->has_home = true;
	}
	if (db && !(a->so = store_out_new(db, &a->cnt)))
		goto oom;
	if (an_emit_init(&a->emit, eve, a->so, enrich, &a->cnt, cfg->eve_analytics) < 0)
		goto oom;
	a->env = (struct an_env){.cfg = cfg,
				 .emit = &a->emit,
				 .cnt = &a->cnt,
				 .enrich = enrich,
				 .home = a->has_home ? &a->home : NULL};
	a->w = calloc(nworkers, sizeof(*a->w));
	a->stage = calloc(nworkers, sizeof(*a->stage));
	if (!a->w || !a->stage)
		goto oom;
	for (unsigned i = 0; i < nworkers; i++) {
		a->w[i].a = a;
		a->w[i].id = i;
		a->w[i].cnt = &a->cnt;
		if (an_worker_init(&a->w[i], nworkers) < 0)
			goto oom;
		if (threaded && ring_init(&a->w[i].ring, cfg->an_ring_size) < 0)
			goto oom;
	}
	for (size_t i = 0; i < N_ANALYTICS; i++) {
		if (registry[i]->init(&a->env, &a->st[i]) < 0) {
			analytics_free(a);
			return -1;
		}
		if (a->st[i] && !strcmp(registry[i]->name, "daily"))
			a->emit.daily = a->st[i];
	}
	*out = a;
	return 0;
oom:
	log_error("out of memory setting up the analytics");
	analytics_free(a);
	return -1;
}

int analytics_start(struct analytics *a)
{
	if (!a || !a->threaded)
		return 0;
	if (pthread_create(&a->thr, NULL, hub_main, a) != 0) {
		log_error("cannot start the analytics thread: %s", strerror(errno));
		return -1;
	}
	a->started = true;
	return 0;
}

void analytics_finish(struct analytics *a)
{
	if (!a)
		return;
	for (unsigned i = 0; i < a->nw; i++)
		an_worker_stop(&a->w[i]);
	if (a->started) {
		pthread_join(a->thr, NULL);
		a->started = false;
	} else {
		finish_all(a);
	}
	store_out_flush(a->so);
}

void analytics_counters(struct analytics *a, struct counters *c)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->snap_lock);
	counters_merge(c, a->started ? &a->snap : &a->cnt);
	pthread_mutex_unlock(&a->snap_lock);
}

void analytics_free(struct analytics *a)
{
	if (!a)
		return;
	if (a->started) {
		for (unsigned i = 0; i < a->nw; i++)
			an_worker_stop(&a->w[i]);
		pthread_join(a->thr, NULL);
	}
	for (size_t i = 0; i < N_ANALYTICS; i++)
		if (a->st[i])
			registry[i]->free(a->st[i]);
	for (unsigned i = 0; a->w && i < a->nw; i++) {
		an_worker_free(&a->w[i]);
		if (a->w[i].ring.buf)
			ring_destroy(&a->w[i].ring);
	}
	for (unsigned i = 0; a->stage && i < a->nw; i++)
		free(a->stage[i].buf);
	free(a->stage);
	free(a->w);
	free(a->tick_ts);
	free(a->sortv);
	an_emit_free(&a->emit);
	store_out_free(a->so);
	if (a->has_home)
		ipset_free(&a->home);
	pthread_mutex_destroy(&a->snap_lock);
	free(a);
}
