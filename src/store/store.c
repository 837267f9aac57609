/*
 * store — opening and closing the store, the bounded queue of batches
 * between producers and the writer thread, and the producers' batching
 * (store_out_add). The writer's SQL is in store_write.c, the schema in
 * store_schema.c, the pipeline's records in store_out.c.
 *
 * Batches are allocated when the store opens: one per producer, one for the
 * writer and queue_len for the queue, so a producer that finds room in the
 * queue always finds a free batch to go on with.
 */
#include "store/store_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "output/json.h"

#define ARENA_PER_REC 192	  /* string bytes per record, on average */
#define ARENA_MIN     (64 * 1024) /* room for the largest record's strings */
_Static_assert(ARENA_MIN >= STORE_STATS_MAX && ARENA_MIN >= 10 * STORE_TEXT_MAX,
	       "an empty batch holds any one record");

struct store_out {
	struct store *s;
	struct counters *cnt;
	struct store_batch *b;
	uint64_t since;	   /* packet time of the first tick that saw the batch not empty */
	double since_wall; /* and the monotonic clock then */
	double last_stats;
};

const char *store_kind_name(enum store_kind k)
{
	static const char *const names[STORE_KINDS] = {
	    "flow", "dns", "http", "tls", "fileinfo", "alert", "intel", "stats", "event", "daily"};
	return (unsigned)k < STORE_KINDS ? names[k] : "?";
}

void store_opts_from_config(struct store_opts *o, const struct config *cfg, uint32_t producers)
{
	memset(o, 0, sizeof(*o));
	o->batch_rows = cfg->store_batch_size;
	o->queue_len = cfg->store_queue_len;
	o->producers = producers;
	o->retention_days = cfg->store_retention_days;
	o->retention_bytes = (uint64_t)cfg->store_retention_max_mb * 1024 * 1024;
	o->stats_interval = cfg->store_stats_interval;
	o->cache_mb = cfg->store_cache_mb;
	o->wait = true;
}

int store_path_for(const struct config *cfg, const char *outdir, char *out, size_t outlen)
{
	int n = cfg->store_path[0] ? snprintf(out, outlen, "%s", cfg->store_path)
				   : snprintf(out, outlen, "%s/mamori.db", outdir);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int store_intel_dir(const struct config *cfg, const char *store_path, char *out, size_t outlen)
{
	int n;
	if (cfg->intel_dir[0]) {
		n = snprintf(out, outlen, "%s", cfg->intel_dir);
	} else {
		const char *slash = strrchr(store_path, '/');
		n = slash
			? snprintf(out, outlen, "%.*s/intel", (int)(slash - store_path), store_path)
			: snprintf(out, outlen, "intel");
	}
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

/* ---- batches ---- */

static int batch_init(struct store_batch *b, uint32_t rows)
{
	uint64_t arena = (uint64_t)rows * ARENA_PER_REC;
	b->acap = arena < ARENA_MIN ? ARENA_MIN : (uint32_t)arena;
	b->cap = rows;
	b->rec = malloc((size_t)rows * sizeof(*b->rec));
	b->arena = malloc(b->acap);
	return b->rec && b->arena ? 0 : -1;
}

/* ---- the writer thread ---- */

static void *writer_main(void *arg)
{
	struct store *s = arg;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->qlen && !s->stop)
			pthread_cond_wait(&s->not_empty, &s->lock);
		if (!s->qlen)
			break;
		struct store_batch *b = s->queue[s->qhead];
		s->qhead = (s->qhead + 1) % s->qcap;
		s->qlen--;
		pthread_mutex_unlock(&s->lock);

		store_write_batch(s, b);
		pthread_mutex_lock(&s->lock);
		b->n = 0;
		b->alen = 0;
		b->next = s->free;
		s->free = b;
		s->pending--;
		pthread_cond_broadcast(&s->room);
		if (!s->pending)
			pthread_cond_broadcast(&s->idle);
		pthread_mutex_unlock(&s->lock);

		/* retention: a chunk between batches while there is work, and a
		 * look every minute */
		if (s->prune_active)
			store_prune_step(s, false);
		else if (s->o.retention_days || s->o.retention_bytes) {
			struct timespec t;
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((double)t.tv_sec + (double)t.tv_nsec / 1e9 - s->last_prune >= 60.0)
				store_prune_step(s, true);
		}
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* ---- open, finish ---- */

static int64_t meta_newest(sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t v = 0;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='newest'", -1, &st, NULL) !=
	    SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

struct store *store_open(const char *path, const struct store_opts *o)
{
	struct store *s = calloc(1, sizeof(*s));
	char err[512];
	if (!s) {
		log_error("out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->cnt_lock, NULL);
	pthread_cond_init(&s->not_empty, NULL);
	pthread_cond_init(&s->room, NULL);
	pthread_cond_init(&s->idle, NULL);
	s->o = *o;
	s->wait = o->wait;
	if (s->o.batch_rows < 1 || s->o.batch_rows > 1000000 || s->o.queue_len < 1 ||
	    s->o.queue_len > 4096) {
		log_error("store: batch-size must be 1-1000000 and queue-length 1-4096");
		goto fail;
	}
	if ((size_t)snprintf(s->path, sizeof(s->path), "%s", path) >= sizeof(s->path)) {
		log_error("%s: store path too long", path);
		goto fail;
	}
	if (store_db_open(path, false, o->bulk, &s->db, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto fail;
	}
	if (o->bulk && store_db_version(s->db) != 0) {
		log_error("%s: a bulk load needs a new store", path);
		goto fail;
	}
	if (store_db_migrate(s->db, o->bulk ? 1 : STORE_SCHEMA_VERSION, err, sizeof(err)) < 0) {
		log_error("%s: %s", path, err);
		goto fail;
	}
	if (o->max_pages || o->cache_mb) {
		char sql[96];
		snprintf(sql, sizeof(sql), "PRAGMA max_page_count=%u; PRAGMA cache_size=%lld",
			 o->max_pages ? o->max_pages : 1073741823u,
			 o->cache_mb ? -(long long)o->cache_mb * 1024 : -2000ll);
		store_db_exec(s->db, sql);
	}
	s->newest = meta_newest(s->db);
	if (store_db_prepare(s) < 0 || store_intern_init(&s->names) < 0 ||
	    store_intern_init(&s->strs) < 0 || store_intern_init(&s->certs) < 0)
		goto oom;

	s->n_pool = s->o.queue_len + s->o.producers + 1;
	s->qcap = s->o.queue_len;
	s->queue = calloc(s->qcap, sizeof(*s->queue));
	s->pool = calloc(s->n_pool, sizeof(*s->pool));
	if (!s->queue || !s->pool)
		goto oom;
	for (uint32_t i = 0; i < s->n_pool; i++) {
		if (batch_init(&s->pool[i], s->o.batch_rows) < 0)
			goto oom;
		s->pool[i].next = s->free;
		s->free = &s->pool[i];
	}

	/* what retention says is too old goes now, before anything is added */
	if (s->o.retention_days || s->o.retention_bytes) {
		bool more = store_prune_step(s, true);
		while (more)
			more = store_prune_step(s, false);
	}
	if (pthread_create(&s->thr, NULL, writer_main, s) != 0) {
		log_error("store: cannot start the writer thread: %s", strerror(errno));
		goto fail;
	}
	s->started = true;
	s->loaded = true;
	return s;
oom:
	log_error("%s: out of memory opening the store", path);
fail:
	store_free(s);
	return NULL;
}

struct store *store_open_for_run(const struct config *cfg, const char *outdir, uint32_t producers)
{
	char path[4096];
	struct store_opts o;
	if (store_path_for(cfg, outdir, path, sizeof(path)) < 0) {
		log_error("%s: store path too long", outdir);
		return NULL;
	}
	store_opts_from_config(&o, cfg, producers);
	return store_open(path, &o);
}

void store_set_wait(struct store *s, bool wait)
{
	pthread_mutex_lock(&s->lock);
	s->wait = wait;
	pthread_mutex_unlock(&s->lock);
}

void store_drain(struct store *s)
{
	pthread_mutex_lock(&s->lock);
	while (s->pending)
		pthread_cond_wait(&s->idle, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

int store_finish(struct store *s)
{
	char err[512];
	if (s->finished)
		return s->failed ? -1 : 0;
	s->finished = true;
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_cond_signal(&s->not_empty);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thr, NULL);
		s->started = false;
	}
	if (s->db) {
		if (s->o.bulk && s->loaded) {
			/* a rollback journal while the indexes are built: their pages go
			 * to the file once, not through the WAL and a checkpoint */
			log_info("store: building the indexes");
			store_db_exec(s->db, "PRAGMA journal_mode=DELETE");
			if (store_db_migrate(s->db, STORE_SCHEMA_VERSION, err, sizeof(err)) < 0) {
				log_error("%s: %s", s->path, err);
				s->failed = true;
			}
			store_db_exec(s->db, "PRAGMA journal_mode=WAL");
		}
		if (s->loaded)
			store_note_size(s);
		store_db_finalize(s);
		if (sqlite3_close(s->db) != SQLITE_OK) {
			log_error("%s: closing the store failed: %s", s->path,
				  sqlite3_errmsg(s->db));
			s->failed = true;
		}
		s->db = NULL;
	}
	return s->failed ? -1 : 0;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	store_finish(s);
	for (uint32_t i = 0; s->pool && i < s->n_pool; i++) {
		free(s->pool[i].rec);
		free(s->pool[i].arena);
	}
	free(s->pool);
	free(s->queue);
	store_intern_free(&s->names);
	store_intern_free(&s->strs);
	store_intern_free(&s->certs);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->cnt_lock);
	pthread_cond_destroy(&s->not_empty);
	pthread_cond_destroy(&s->room);
	pthread_cond_destroy(&s->idle);
	free(s);
}

void store_counters(struct store *s, struct counters *c)
{
	pthread_mutex_lock(&s->cnt_lock);
	counters_merge(c, &s->cnt);
	pthread_mutex_unlock(&s->cnt_lock);
}

void store_summary(struct store *s, const struct counters *t)
{
	if (!log_enabled(LOG_INFO))
		return;
	fprintf(stderr,
		"mamori: store: %" PRIu64 " records in %" PRIu64 " transactions to %s; %" PRIu64
		" waits for the writer, %" PRIu64 " records dropped, %" PRIu64
		" lost to write errors, %" PRIu64 " pruned\n",
		t->c[CNT_STORE_ROWS], t->c[CNT_STORE_BATCHES], s->path, t->c[CNT_STORE_QUEUE_WAITS],
		t->c[CNT_STORE_DROPPED_ROWS], t->c[CNT_STORE_LOST_ROWS],
		t->c[CNT_STORE_PRUNED_ROWS]);
}

/* ---- producers ---- */

struct store_out *store_out_new(struct store *s, struct counters *cnt)
{
	struct store_out *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->s = s;
	o->cnt = cnt;
	pthread_mutex_lock(&s->lock);
	o->b = s->free;
	if (o->b)
		s->free = o->b->next;
	pthread_mutex_unlock(&s->lock);
	if (!o->b) {
		log_error("store: more producers than the store was opened for");
		free(o);
		return NULL;
	}
	return o;
}

/* Give the batch to the writer and take a free one. At the cap a waiting
 * store waits for room; a dropping one drops the batch. */
static void handoff(struct store_out *o)
{
	struct store *s = o->s;
	struct store_batch *b = o->b;
	o->since = 0;
	if (!b->n)
		return;
	pthread_mutex_lock(&s->lock);
	bool waited = false;
	while (!s->stop && (s->qlen == s->qcap || !s->free)) {
		if (!s->wait)
			break;
		if (!waited)
			CNT_INC(o->cnt, STORE_QUEUE_WAITS);
		waited = true;
		pthread_cond_wait(&s->room, &s->lock);
	}
	if (s->stop || s->qlen == s->qcap || !s->free) {
		pthread_mutex_unlock(&s->lock);
		CNT_INC(o->cnt, STORE_DROPPED_BATCHES);
		CNT_ADD(o->cnt, STORE_DROPPED_ROWS, b->n);
		b->n = 0;
		b->alen = 0;
		return;
	}
	s->queue[(s->qhead + s->qlen) % s->qcap] = b;
	s->qlen++;
	s->pending++;
	o->b = s->free;
	s->free = o->b->next;
	pthread_cond_signal(&s->not_empty);
	pthread_mutex_unlock(&s->lock);
}

void store_out_flush(struct store_out *o)
{
	if (o)
		handoff(o);
}

void store_out_free(struct store_out *o)
{
	if (!o)
		return;
	handoff(o);
	struct store *s = o->s;
	pthread_mutex_lock(&s->lock);
	o->b->next = s->free;
	s->free = o->b;
	pthread_cond_broadcast(&s->room);
	pthread_mutex_unlock(&s->lock);
	free(o);
}

static double mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A batch goes when it is a second old in packet time and in wall time: live
 * the two agree; a file is read far faster than its packet time passes, and
 * a transaction per second of packet time would cost more than the records. */
void store_out_tick(struct store_out *o, uint64_t ts)
{
	if (!o || !o->b->n)
		return;
	if (!o->since) {
		o->since = ts ? ts : 1;
		o->since_wall = mono_s();
	} else if (ts >= o->since + 1000000000ull && mono_s() >= o->since_wall + 1.0) {
		handoff(o);
	}
}

/* The string fields of a record, for copying them into the arena. */
static unsigned texts(struct store_rec *r, struct store_text **t)
{
	unsigned n = 0;
	switch (r->kind) {
	case STORE_FLOW:
		t[n++] = &r->flow.app;
		break;
	case STORE_DNS:
		t[n++] = &r->dns.qname;
		t[n++] = &r->dns.answers;
		break;
	case STORE_HTTP:
		t[n++] = &r->http.host;
		t[n++] = &r->http.url;
		t[n++] = &r->http.method;
		t[n++] = &r->http.ua;
		t[n++] = &r->http.ctype;
		break;
	case STORE_TLS:
		t[n++] = &r->tls.sni;
		t[n++] = &r->tls.ja3;
		t[n++] = &r->tls.ja3s;
		t[n++] = &r->tls.ja4;
		t[n++] = &r->tls.fp;
		t[n++] = &r->tls.subject;
		t[n++] = &r->tls.issuer;
		t[n++] = &r->tls.serial;
		t[n++] = &r->tls.not_before;
		t[n++] = &r->tls.not_after;
		break;
	case STORE_FILEINFO:
		t[n++] = &r->file.host;
		t[n++] = &r->file.name;
		t[n++] = &r->file.magic;
		t[n++] = &r->file.md5;
		t[n++] = &r->file.sha1;
		t[n++] = &r->file.sha256;
		break;
	case STORE_ALERT:
		t[n++] = &r->alert.msg;
		t[n++] = &r->alert.category;
		t[n++] = &r->alert.attack;
		break;
	case STORE_INTEL:
		t[n++] = &r->intel.indicator;
		t[n++] = &r->intel.field;
		t[n++] = &r->intel.value;
		t[n++] = &r->intel.source;
		t[n++] = &r->intel.actor;
		t[n++] = &r->intel.campaign;
		t[n++] = &r->intel.tlp;
		t[n++] = &r->intel.hosts;
		break;
	case STORE_STATS:
		t[n++] = &r->stats.json;
		break;
	case STORE_EVENT:
		t[n++] = &r->event.type;
		t[n++] = &r->event.json;
		break;
	case STORE_DAILY:
		t[n++] = &r->daily.kind;
		t[n++] = &r->daily.key;
		t[n++] = &r->daily.json;
		break;
	}
	return n;
}

#define TEXTS_MAX 10 /* string fields of one record, at most */

void store_out_add(struct store_out *o, const struct store_rec *r)
{
	struct store_text *t[TEXTS_MAX];
	struct store_rec tmp = *r;
	unsigned n = texts(&tmp, t);
	uint32_t need = 0;
	if (tmp.kind >= STORE_KINDS)
		return;
	/* a stats record's one string may be longer than the others */
	const struct store_text *big = tmp.kind == STORE_STATS	 ? &tmp.stats.json
				       : tmp.kind == STORE_EVENT ? &tmp.event.json
				       : tmp.kind == STORE_DAILY ? &tmp.daily.json
								 : NULL;
	for (unsigned i = 0; i < n; i++) {
		uint32_t cap = t[i] == big ? STORE_STATS_MAX : STORE_TEXT_MAX;
		if (!t[i]->p)
			t[i]->len = 0;
		if (t[i]->len > cap) {
			t[i]->len = cap;
			CNT_INC(o->cnt, STORE_TRUNCATED);
		}
		need += t[i]->len;
	}
	struct store_batch *b = o->b;
	if (b->n == b->cap || b->alen + need > b->acap) {
		handoff(o);
		b = o->b;
	}
	struct store_rec *d = &b->rec[b->n++];
	*d = tmp;
	n = texts(d, t);
	for (unsigned i = 0; i < n; i++) {
		if (!t[i]->len) {
			t[i]->p = NULL;
			continue;
		}
		memcpy(b->arena + b->alen, t[i]->p, t[i]->len);
		t[i]->p = b->arena + b->alen;
		b->alen += t[i]->len;
	}
}

void store_out_stats(struct store_out *o, const struct counters *c, bool final)
{
	struct jbuf jb;
	if (!o)
		return;
	double t = mono_s();
	if (!final && o->last_stats > 0 && t - o->last_stats < o->s->o.stats_interval)
		return;
	o->last_stats = t;
	if (jb_init(&jb, 8192, STORE_STATS_MAX) < 0)
		return;
	/* the counters that are not zero, by their dotted names */
	jb_open(&jb, NULL);
	for (int i = 0; i < CNT_MAX; i++)
		if (c->c[i])
			jb_u64(&jb, counter_name((enum counter_id)i), c->c[i]);
	for (int i = 0; i < EV_MAX; i++) {
		char name[128];
		if (!c->ev[i])
			continue;
		snprintf(name, sizeof(name), "decoder.event.%s", event_name((enum event_id)i));
		jb_u64(&jb, name, c->ev[i]);
	}
	jb_close(&jb);
	if (!jb.overflow) {
		struct store_rec r;
		struct timespec wall;
		clock_gettime(CLOCK_REALTIME, &wall);
		memset(&r, 0, sizeof(r));
		r.kind = STORE_STATS;
		r.c.ts = (uint64_t)wall.tv_sec * 1000000000ull + (uint64_t)wall.tv_nsec;
		r.stats.json = (struct store_text){jb.p, (uint32_t)jb.len};
		store_out_add(o, &r);
	}
	jb_free(&jb);
}
