/*
 * live — GET /api/live: server-sent events. Each client keeps a cursor per
 * record table (alert, intel, event: the last row id sent) and a copy of
 * the incidents' figures; once a second it reads what is new through a
 * pooled read connection (held only for the read) and sends it, oldest
 * first. At most LIVE_BATCH rows per table and poll: when more arrived,
 * the oldest are skipped (counted, and said in a comment line). A comment
 * every LIVE_KEEPALIVE_S seconds keeps proxies from closing the stream.
 * At most serve.max-live clients at once (503 beyond).
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "incident/incident_cmd.h"
#include "store/query.h"
#include "store/store.h"
#include "web/web_int.h"

#define LIVE_BATCH	 500  /* rows per table and poll */
#define LIVE_INCIDENTS	 4096 /* incidents followed (the newest ids) */
#define LIVE_POLL_MS	 1000
#define LIVE_KEEPALIVE_S 15

static const enum store_kind tables[] = {STORE_ALERT, STORE_INTEL, STORE_EVENT};
#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

struct inc_state {
	int64_t id, signals, score, last, merged;
};

struct web_live {
	struct web_server *srv;
	int64_t cursor[N_TABLES];
	struct inc_state *inc; /* sorted by id */
	size_t n_inc;
	char *out; /* pending bytes */
	size_t len, pos;
	FILE *mem; /* while a poll writes */
	time_t last_send;
	bool started;
};

static int64_t max_id(sqlite3 *db, enum store_kind k)
{
	char sql[64];
	sqlite3_stmt *st;
	int64_t v = 0;
	snprintf(sql, sizeof(sql), "SELECT max(id) FROM %s", store_kind_name(k));
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The incidents' figures now, into *out (sorted by id). */
static int incidents_now(sqlite3 *db, struct inc_state **out, size_t *n)
{
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db,
			       "SELECT id, signals, score, last, merged_into FROM (SELECT * FROM"
			       " incident ORDER BY id DESC LIMIT ?1) ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int(st, 1, LIVE_INCIDENTS);
	struct inc_state *v = calloc(LIVE_INCIDENTS, sizeof(*v));
	if (!v) {
		sqlite3_finalize(st);
		return -1;
	}
	while (*n < LIVE_INCIDENTS && sqlite3_step(st) == SQLITE_ROW)
		v[(*n)++] =
		    (struct inc_state){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
				       sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
				       sqlite3_column_int64(st, 4)};
	sqlite3_finalize(st);
	*out = v;
	return 0;
}

static const struct inc_state *inc_find(const struct web_live *l, int64_t id)
{
	size_t lo = 0, hi = l->n_inc;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (l->inc[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->n_inc && l->inc[lo].id == id ? &l->inc[lo] : NULL;
}

/* Incidents new or changed since the last poll, as `incident` events. */
static void send_incidents(struct web_live *l, sqlite3 *db)
{
	struct inc_state *now;
	size_t n;
	if (incidents_now(db, &now, &n) < 0)
		return;
	sqlite3_stmt *st = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct inc_state *was = inc_find(l, now[i].id);
		if (was && !memcmp(was, &now[i], sizeof(*was)))
			continue;
		if (!st && sqlite3_prepare_v2(
			       db, "SELECT " INCIDENT_LIST_COLUMNS " FROM incident WHERE id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
			break;
		sqlite3_bind_int64(st, 1, now[i].id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			json_t *o = incident_list_item(st);
			char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
						    JSON_REAL_PRECISION(16));
			if (s)
				fprintf(l->mem,
					"event: incident\nid: incident:%" PRId64 "\ndata: %s\n\n",
					now[i].id, s);
			free(s);
			json_decref(o);
			atomic_fetch_add(&l->srv->c.live_sent, 1);
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	free(l->inc);
	l->inc = now;
	l->n_inc = n;
}

struct row_out {
	FILE *f;
	const char *event; /* the event's name: the table's */
};

static void send_row(void *ctx, const char *line, size_t len)
{
	const struct row_out *o = ctx;
	fprintf(o->f, "event: %s\ndata: %.*s\n\n", o->event, (int)len, line);
}

/* New rows of one table, as events named after it (EVE lines as data). */
static void send_rows(struct web_live *l, sqlite3 *db, size_t t)
{
	enum store_kind k = tables[t];
	int64_t top = max_id(db, k);
	if (top <= l->cursor[t])
		return;
	if (top - l->cursor[t] > LIVE_BATCH) {
		int64_t skip = top - l->cursor[t] - LIVE_BATCH;
		atomic_fetch_add(&l->srv->c.live_skipped, (uint64_t)skip);
		fprintf(l->mem, ": %" PRId64 " %s records skipped\n\n", skip, store_kind_name(k));
		l->cursor[t] = top - LIVE_BATCH;
	}
	struct store_query q = {.types = 1u << k,
				.since = INT64_MIN,
				.until = INT64_MAX,
				.json = true,
				.after_id = l->cursor[t],
				.upto_id = top};
	struct row_out o = {l->mem, store_kind_name(k)};
	int64_t n = store_query_each(db, &q, send_row, &o);
	if (n >= 0) {
		atomic_fetch_add(&l->srv->c.live_sent, (uint64_t)n);
		fprintf(l->mem, ": %s up to %" PRId64 "\n\n", store_kind_name(k), top);
		l->cursor[t] = top;
	}
}

/* One poll: what is new, appended to the pending bytes. */
static void poll_store(struct web_live *l)
{
	sqlite3 *db = web_db_get(l->srv, NULL);
	if (!db)
		return;
	char *buf = NULL;
	size_t len = 0;
	l->mem = open_memstream(&buf, &len);
	if (l->mem) {
		if (!l->started) {
			for (size_t t = 0; t < N_TABLES; t++)
				l->cursor[t] = max_id(db, tables[t]);
			free(l->inc);
			incidents_now(db, &l->inc, &l->n_inc);
			fprintf(l->mem, "retry: 3000\n: mamori live feed\n\n");
			l->started = true;
		} else {
			for (size_t t = 0; t < N_TABLES; t++)
				send_rows(l, db, t);
			send_incidents(l, db);
		}
		fclose(l->mem);
		l->mem = NULL;
	}
	web_db_put(l->srv, db);
	if (buf && len) {
		free(l->out);
		l->out = buf;
		l->len = len;
		l->pos = 0;
	} else {
		free(buf);
	}
}

long web_live_read(struct web_live *l, char *buf, size_t max)
{
	if (atomic_load(&l->srv->stop))
		return -1;
	if (l->pos < l->len) {
		size_t n = l->len - l->pos < max ? l->len - l->pos : max;
		memcpy(buf, l->out + l->pos, n);
		l->pos += n;
		l->last_send = time(NULL);
		return (long)n;
	}
	if (l->started) {
		for (int i = 0; i < LIVE_POLL_MS / 100; i++) {
			if (atomic_load(&l->srv->stop))
				return -1;
			usleep(100000);
		}
	}
	poll_store(l);
	if (l->pos < l->len)
		return 0;
	if (time(NULL) - l->last_send >= LIVE_KEEPALIVE_S) {
		static const char ka[] = ": keepalive\n\n";
		size_t n = sizeof(ka) - 1 < max ? sizeof(ka) - 1 : max;
		memcpy(buf, ka, n);
		l->last_send = time(NULL);
		return (long)n;
	}
	return 0;
}

void web_live_free(struct web_live *l)
{
	if (!l)
		return;
	atomic_fetch_sub(&l->srv->c.live_clients, 1);
	free(l->inc);
	free(l->out);
	free(l);
}

void api_live(struct web_req *rq, struct web_resp *rs)
{
	struct web_server *s = rq->srv;
	uint64_t now = atomic_fetch_add(&s->c.live_clients, 1);
	if (now >= s->cfg->serve_max_live) {
		atomic_fetch_sub(&s->c.live_clients, 1);
		atomic_fetch_add(&s->c.live_refused, 1);
		web_error(rs, 503, "%" PRIu64 " live-feed clients already (serve.max-live)", now);
		return;
	}
	struct web_live *l = calloc(1, sizeof(*l));
	if (!l) {
		atomic_fetch_sub(&s->c.live_clients, 1);
		web_error(rs, 500, "out of memory");
		return;
	}
	l->srv = s;
	l->last_send = time(NULL);
	rs->status = 200;
	rs->type = "text/event-stream";
	rs->live = l;
}
