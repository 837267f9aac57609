/*
 * store_write — the writer thread's work: one transaction per batch with
 * the prepared statements (store_schema.c), names and strings interned
 * through a cache, and retention: records older than the age limit, or the
 * oldest ones while the store is over its size cap, deleted in chunks
 * between batches.
 */
#include "store/store_int.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#include "core/log.h"
#include "intel/ioc.h"
#include "store/store_util.h"

#define INTERN_SLOTS (1u << 15)
#define INTERN_ARENA (1u << 20)

/* ---- the intern cache ---- */

int store_intern_init(struct store_intern *t)
{
	memset(t, 0, sizeof(*t));
	t->slot = calloc(INTERN_SLOTS, sizeof(*t->slot));
	t->arena = malloc(INTERN_ARENA);
	if (!t->slot || !t->arena) {
		store_intern_free(t);
		return -1;
	}
	t->mask = INTERN_SLOTS - 1;
	t->acap = INTERN_ARENA;
	return 0;
}

void store_intern_clear(struct store_intern *t)
{
	if (t->slot && t->used)
		memset(t->slot, 0, (size_t)(t->mask + 1) * sizeof(*t->slot));
	t->used = 0;
	t->alen = 0;
}

void store_intern_free(struct store_intern *t)
{
	free(t->slot);
	free(t->arena);
	memset(t, 0, sizeof(*t));
}

/* The id cached for key k (tag byte first), or -1. *slot receives where it
 * belongs. */
static int64_t intern_find(struct store_intern *t, uint64_t h, const uint8_t *k, uint32_t n,
			   uint32_t *slot)
{
	uint32_t i = (uint32_t)h & t->mask;
	for (;; i = (i + 1) & t->mask) {
		struct store_intern_slot *sl = &t->slot[i];
		if (!sl->len) {
			*slot = i;
			return -1;
		}
		if (sl->h == h && sl->len == n && !memcmp(t->arena + sl->off, k, n))
			return sl->id;
	}
}

static void intern_add(struct store_intern *t, uint32_t slot, uint64_t h, const uint8_t *k,
		       uint32_t n, int64_t id)
{
	if (t->used >= (t->mask + 1) / 4 * 3 || t->alen + n > t->acap) {
		store_intern_clear(t);
		intern_find(t, h, k, n, &slot);
	}
	memcpy(t->arena + t->alen, k, n);
	t->slot[slot] = (struct store_intern_slot){h, id, t->alen, n};
	t->alen += n;
	t->used++;
}

/* ---- binding ---- */

static int64_t us(uint64_t ns)
{
	return (int64_t)(ns / 1000);
}

static void bind_text(sqlite3_stmt *st, int i, struct store_text t)
{
	if (t.p && t.len)
		sqlite3_bind_text(st, i, t.p, (int)t.len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_id(sqlite3_stmt *st, int i, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(st, i, id);
	else
		sqlite3_bind_null(st, i);
}

/* ts, flow_id, [proto,] src, dst, sp, dp from index 1; returns the next index. */
static int bind_conn(sqlite3_stmt *st, const struct store_conn *c, bool proto)
{
	int i = 1;
	unsigned n = c->ip_ver == 6 ? 16 : 4;
	sqlite3_bind_int64(st, i++, us(c->ts));
	bind_id(st, i++, (int64_t)c->flow_id);
	if (proto)
		sqlite3_bind_int(st, i++, c->proto);
	if (c->ip_ver) {
		sqlite3_bind_blob(st, i++, c->src, (int)n, SQLITE_STATIC);
		sqlite3_bind_blob(st, i++, c->dst, (int)n, SQLITE_STATIC);
		sqlite3_bind_int(st, i++, c->sp);
		sqlite3_bind_int(st, i++, c->dp);
	} else {
		for (int k = 0; k < 4; k++)
			sqlite3_bind_null(st, i++);
	}
	return i;
}

static int step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Look a key up with get (bound at 1), else insert it with put (already
 * bound); *id receives the row id. */
static int get_or_put(struct store *s, sqlite3_stmt *get, sqlite3_stmt *put, int64_t *id)
{
	int rc = sqlite3_step(get);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(get, 0);
		sqlite3_reset(get);
		sqlite3_clear_bindings(get);
		sqlite3_clear_bindings(put);
		return SQLITE_OK;
	}
	sqlite3_reset(get);
	sqlite3_clear_bindings(get);
	if (rc != SQLITE_DONE)
		return rc;
	rc = step(put);
	*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

/* The name id of a domain name (0 when absent). */
static int name_id(struct store *s, struct store_text t, int64_t *id)
{
	uint8_t key[STORE_NAME_MAX + 1];
	*id = 0;
	if (!t.p || !t.len)
		return SQLITE_OK;
	size_t n = store_name_key(t.p, t.len, (char *)key);
	if (!n)
		return SQLITE_OK;
	uint64_t h = XXH3_64bits(key, n);
	uint32_t slot;
	if ((*id = intern_find(&s->names, h, key, (uint32_t)n, &slot)) > 0)
		return SQLITE_OK;
	sqlite3_bind_text(s->name_get, 1, (const char *)key, (int)n, SQLITE_STATIC);
	sqlite3_bind_text(s->name_put, 1, (const char *)key, (int)n, SQLITE_STATIC);
	int rc = get_or_put(s, s->name_get, s->name_put, id);
	if (rc == SQLITE_OK)
		intern_add(&s->names, slot, h, key, (uint32_t)n, *id);
	return rc;
}

/* The str id of a text, or of bytes when blob (0 when absent). */
static int str_id(struct store *s, const void *p, uint32_t len, bool blob, int64_t *id)
{
	uint8_t key[STORE_TEXT_MAX + 1];
	*id = 0;
	if (!p || !len || len > STORE_TEXT_MAX)
		return SQLITE_OK;
	key[0] = blob;
	memcpy(key + 1, p, len);
	uint64_t h = XXH3_64bits(key, len + 1u);
	uint32_t slot;
	if ((*id = intern_find(&s->strs, h, key, len + 1u, &slot)) > 0)
		return SQLITE_OK;
	if (blob) {
		sqlite3_bind_blob(s->str_get, 1, p, (int)len, SQLITE_STATIC);
		sqlite3_bind_blob(s->str_put, 1, p, (int)len, SQLITE_STATIC);
	} else {
		sqlite3_bind_text(s->str_get, 1, p, (int)len, SQLITE_STATIC);
		sqlite3_bind_text(s->str_put, 1, p, (int)len, SQLITE_STATIC);
	}
	int rc = get_or_put(s, s->str_get, s->str_put, id);
	if (rc == SQLITE_OK)
		intern_add(&s->strs, slot, h, key, len + 1u, *id);
	return rc;
}

static int text_id(struct store *s, struct store_text t, int64_t *id)
{
	return str_id(s, t.p, t.len, false, id);
}

/* An MD5 hex text (JA3) as a 16-byte str; text when it is not hex. */
static int md5_id(struct store *s, struct store_text t, int64_t *id)
{
	uint8_t b[16];
	if (t.p && store_unhex(t.p, t.len, b, 16) == 0)
		return str_id(s, b, 16, true, id);
	return text_id(s, t, id);
}

static int cert_id(struct store *s, const struct store_rec *r, int64_t *id)
{
	uint8_t sha1[20];
	*id = 0;
	if (!r->tls.fp.p || store_unhex(r->tls.fp.p, r->tls.fp.len, sha1, 20) < 0)
		return SQLITE_OK;
	uint64_t h = XXH3_64bits(sha1, 20);
	uint32_t slot;
	if ((*id = intern_find(&s->certs, h, sha1, 20, &slot)) > 0)
		return SQLITE_OK;
	sqlite3_bind_blob(s->cert_get, 1, sha1, 20, SQLITE_STATIC);
	sqlite3_bind_blob(s->cert_put, 1, sha1, 20, SQLITE_STATIC);
	bind_text(s->cert_put, 2, r->tls.subject);
	bind_text(s->cert_put, 3, r->tls.issuer);
	bind_text(s->cert_put, 4, r->tls.serial);
	bind_text(s->cert_put, 5, r->tls.not_before);
	bind_text(s->cert_put, 6, r->tls.not_after);
	int rc = get_or_put(s, s->cert_get, s->cert_put, id);
	if (rc == SQLITE_OK)
		intern_add(&s->certs, slot, h, sha1, 20, *id);
	return rc;
}

static void bind_hash(sqlite3_stmt *st, int i, struct store_text t, size_t n)
{
	uint8_t b[32];
	if (t.p && store_unhex(t.p, t.len, b, n) == 0)
		sqlite3_bind_blob(st, i, b, (int)n, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* ---- records ---- */

static int write_dns(struct store *s, const struct store_rec *r)
{
	sqlite3_stmt *st = s->ins[STORE_DNS];
	int64_t q;
	int rc = name_id(s, r->dns.qname, &q);
	if (rc != SQLITE_OK)
		return rc;
	int i = bind_conn(st, &r->c, true);
	sqlite3_bind_int(st, i++, r->dns.response);
	bind_id(st, i++, q);
	sqlite3_bind_int(st, i++, r->dns.rrtype);
	if (r->dns.rcode >= 0)
		sqlite3_bind_int(st, i, r->dns.rcode);
	if ((rc = step(st)) != SQLITE_OK)
		return rc;
	int64_t id = sqlite3_last_insert_rowid(s->db);
	const uint8_t *a = (const uint8_t *)r->dns.answers.p;
	for (uint32_t k = 0; a && k < r->dns.answers.len;) {
		uint8_t n = a[k];
		if ((n != 4 && n != 16) || k + 1u + n > r->dns.answers.len)
			break;
		sqlite3_bind_int64(s->ins_answer, 1, id);
		sqlite3_bind_blob(s->ins_answer, 2, a + k + 1, n, SQLITE_STATIC);
		if ((rc = step(s->ins_answer)) != SQLITE_OK)
			return rc;
		k += 1u + n;
	}
	return SQLITE_OK;
}

static int write_intel(struct store *s, const struct store_rec *r)
{
	sqlite3_stmt *st = s->ins[STORE_INTEL];
	const char *type = ioc_type_name((enum ioc_type)r->intel.type);
	int i = bind_conn(st, &r->c, true);
	sqlite3_bind_text(st, i++, type, -1, SQLITE_STATIC);
	bind_text(st, i++, r->intel.indicator);
	bind_text(st, i++, r->intel.field);
	bind_text(st, i++, r->intel.value);
	bind_text(st, i++, r->intel.source);
	bind_text(st, i++, r->intel.actor);
	bind_text(st, i++, r->intel.campaign);
	if (r->intel.confidence >= 0)
		sqlite3_bind_int(st, i, r->intel.confidence);
	i++;
	bind_text(st, i++, r->intel.tlp);
	sqlite3_bind_int(st, i++, r->intel.retro);
	if (r->intel.retro) {
		sqlite3_bind_int64(st, i++, us(r->intel.first_seen));
		sqlite3_bind_int64(st, i++, us(r->intel.last_seen));
		sqlite3_bind_int64(st, i++, (int64_t)r->intel.count);
	} else {
		i += 3;
	}
	sqlite3_bind_int64(st, i++, (int64_t)r->intel.bytes_toserver);
	sqlite3_bind_int64(st, i++, (int64_t)r->intel.bytes_toclient);
	bind_text(st, i, r->intel.hosts);
	return step(st);
}

static int write_rec(struct store *s, const struct store_rec *r)
{
	sqlite3_stmt *st = s->ins[r->kind];
	int64_t a, b, c, d, f;
	int rc, i;
	if (!st)
		return SQLITE_MISUSE;
	switch (r->kind) {
	case STORE_FLOW:
		if ((rc = text_id(s, r->flow.app, &a)) != SQLITE_OK)
			return rc;
		i = bind_conn(st, &r->c, true);
		sqlite3_bind_int64(st, i++,
				   r->flow.end > r->c.ts ? us(r->flow.end) - us(r->c.ts) : 0);
		bind_id(st, i++, a);
		sqlite3_bind_int64(st, i++, (int64_t)r->flow.pkts[0]);
		sqlite3_bind_int64(st, i++, (int64_t)r->flow.pkts[1]);
		sqlite3_bind_int64(st, i++, (int64_t)r->flow.bytes[0]);
		sqlite3_bind_int64(st, i++, (int64_t)r->flow.bytes[1]);
		sqlite3_bind_int(st, i++, r->flow.state);
		sqlite3_bind_int(st, i, r->flow.reason);
		return step(st);
	case STORE_DNS:
		return write_dns(s, r);
	case STORE_HTTP:
		if ((rc = name_id(s, r->http.host, &a)) != SQLITE_OK ||
		    (rc = text_id(s, r->http.method, &b)) != SQLITE_OK ||
		    (rc = text_id(s, r->http.ua, &c)) != SQLITE_OK ||
		    (rc = text_id(s, r->http.ctype, &d)) != SQLITE_OK)
			return rc;
		i = bind_conn(st, &r->c, false);
		bind_id(st, i++, a);
		bind_text(st, i++, r->http.url);
		bind_id(st, i++, b);
		bind_id(st, i++, r->http.status);
		bind_id(st, i++, c);
		bind_id(st, i++, d);
		if (r->http.length >= 0)
			sqlite3_bind_int64(st, i, r->http.length);
		return step(st);
	case STORE_TLS:
		if ((rc = name_id(s, r->tls.sni, &a)) != SQLITE_OK ||
		    (rc = md5_id(s, r->tls.ja3, &b)) != SQLITE_OK ||
		    (rc = md5_id(s, r->tls.ja3s, &c)) != SQLITE_OK ||
		    (rc = text_id(s, r->tls.ja4, &d)) != SQLITE_OK ||
		    (rc = cert_id(s, r, &f)) != SQLITE_OK)
			return rc;
		i = bind_conn(st, &r->c, false);
		bind_id(st, i++, a);
		bind_id(st, i++, r->tls.version);
		bind_id(st, i++, b);
		bind_id(st, i++, c);
		bind_id(st, i++, d);
		bind_id(st, i, f);
		return step(st);
	case STORE_FILEINFO:
		if ((rc = name_id(s, r->file.host, &a)) != SQLITE_OK ||
		    (rc = text_id(s, r->file.magic, &b)) != SQLITE_OK)
			return rc;
		i = bind_conn(st, &r->c, false);
		sqlite3_bind_int(st, i++, r->file.dir);
		bind_id(st, i++, a);
		bind_text(st, i++, r->file.name);
		sqlite3_bind_int64(st, i++, (int64_t)r->file.size);
		sqlite3_bind_int(st, i++, r->file.state);
		bind_hash(st, i++, r->file.md5, 16);
		bind_hash(st, i++, r->file.sha1, 20);
		bind_hash(st, i++, r->file.sha256, 32);
		bind_id(st, i, b);
		return step(st);
	case STORE_ALERT:
		if ((rc = text_id(s, r->alert.msg, &a)) != SQLITE_OK ||
		    (rc = text_id(s, r->alert.category, &b)) != SQLITE_OK ||
		    (rc = text_id(s, r->alert.attack, &c)) != SQLITE_OK)
			return rc;
		i = bind_conn(st, &r->c, true);
		sqlite3_bind_int64(st, i++, r->alert.gid);
		sqlite3_bind_int64(st, i++, r->alert.sid);
		sqlite3_bind_int64(st, i++, r->alert.rev);
		bind_id(st, i++, a);
		bind_id(st, i++, b);
		sqlite3_bind_int(st, i++, r->alert.severity);
		sqlite3_bind_int(st, i++, r->alert.action);
		bind_id(st, i, c);
		return step(st);
	case STORE_INTEL:
		return write_intel(s, r);
	case STORE_STATS:
		sqlite3_bind_int64(st, 1, us(r->c.ts));
		bind_text(st, 2, r->stats.json);
		return step(st);
	case STORE_EVENT:
		i = bind_conn(st, &r->c, true);
		bind_text(st, i++, r->event.type);
		sqlite3_bind_int(st, i++, r->event.severity);
		bind_text(st, i, r->event.json);
		return step(st);
	case STORE_DAILY:
		sqlite3_bind_int64(st, 1, us(r->c.ts));
		bind_text(st, 2, r->daily.kind);
		bind_text(st, 3, r->daily.key);
		sqlite3_bind_int64(st, 4, (int64_t)r->daily.value);
		bind_text(st, 5, r->daily.json);
		return step(st);
	}
	return SQLITE_MISUSE;
}

/* Records that move the store's clock: traffic, not stats or retro-hunts. */
static uint64_t traffic_time(const struct store_rec *r)
{
	switch (r->kind) {
	case STORE_FLOW:
		return r->flow.end > r->c.ts ? r->flow.end : r->c.ts;
	case STORE_STATS:
	case STORE_DAILY:
	case STORE_EVENT: /* analytics records are about traffic already stored */
		return 0;
	case STORE_INTEL:
		return r->intel.retro ? 0 : r->c.ts;
	default:
		return r->c.ts;
	}
}

static void count(struct store *s, enum counter_id id, uint64_t n)
{
	pthread_mutex_lock(&s->cnt_lock);
	s->cnt.c[id] += n;
	pthread_mutex_unlock(&s->cnt_lock);
}

static void failed(struct store *s, const char *what, uint32_t rows, int rc)
{
	pthread_mutex_lock(&s->cnt_lock);
	s->cnt.c[CNT_STORE_WRITE_ERRORS]++;
	s->cnt.c[CNT_STORE_LOST_ROWS] += rows;
	pthread_mutex_unlock(&s->cnt_lock);
	s->failed = true;
	/* the first few, then one in a thousand: a full disk fails every batch */
	if (s->errors_logged < 5 || s->errors_logged % 1000 == 0)
		log_warn("store: %s: %s (%s)%s", s->path, what, sqlite3_errstr(rc),
			 s->errors_logged == 4 ? "; further errors are counted (store.write_errors)"
					       : "");
	s->errors_logged++;
}

void store_write_batch(struct store *s, const struct store_batch *b)
{
	int64_t newest = s->newest;
	int rc = store_db_exec(s->db, "BEGIN IMMEDIATE");
	for (uint32_t i = 0; rc == SQLITE_OK && i < b->n; i++) {
		rc = write_rec(s, &b->rec[i]);
		int64_t t = us(traffic_time(&b->rec[i]));
		if (t > newest)
			newest = t;
	}
	if (rc == SQLITE_OK && newest != s->newest) {
		sqlite3_bind_text(s->meta_put, 1, "newest", -1, SQLITE_STATIC);
		sqlite3_bind_int64(s->meta_put, 2, newest);
		rc = step(s->meta_put);
	}
	if (rc == SQLITE_OK)
		rc = store_db_exec(s->db, "COMMIT");
	if (rc != SQLITE_OK) {
		char what[96];
		snprintf(what, sizeof(what), "a batch of %u records could not be written", b->n);
		store_db_exec(s->db, "ROLLBACK");
		/* ids interned in the rolled-back transaction are gone */
		store_intern_clear(&s->names);
		store_intern_clear(&s->strs);
		store_intern_clear(&s->certs);
		failed(s, what, b->n, rc);
		return;
	}
	s->newest = newest;
	s->batch_no++;
	pthread_mutex_lock(&s->cnt_lock);
	s->cnt.c[CNT_STORE_BATCHES]++;
	s->cnt.c[CNT_STORE_ROWS] += b->n;
	pthread_mutex_unlock(&s->cnt_lock);
	/* one line per commit with -v: what a crash test counts on (stderr is
	 * unbuffered) */
	log_debug("store: committed batch %" PRIu64 ", %u rows", s->batch_no, b->n);
}

/* ---- retention ---- */

static double mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int64_t store_clock(const struct store *s)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	int64_t now = (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
	return s->newest > 0 && s->newest < now ? s->newest : now;
}

static const char *const record_tables[] = {"flow",  "dns",   "http",  "tls",	"fileinfo",
					    "alert", "intel", "stats", "event", "daily"};

static int64_t pragma_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Bytes of pages in use (the file less its free pages). */
static int64_t used_bytes(struct store *s)
{
	int64_t pages = pragma_int(s->db, "PRAGMA page_count");
	int64_t free_pages = pragma_int(s->db, "PRAGMA freelist_count");
	int64_t psz = pragma_int(s->db, "PRAGMA page_size");
	pthread_mutex_lock(&s->cnt_lock);
	s->cnt.c[CNT_STORE_BYTES] = pages > 0 && psz > 0 ? (uint64_t)(pages * psz) : 0;
	pthread_mutex_unlock(&s->cnt_lock);
	return pages < 0 || free_pages < 0 || psz < 0 ? 0 : (pages - free_pages) * psz;
}

void store_note_size(struct store *s)
{
	used_bytes(s);
}

/* While the store is over its size cap: the oldest share of the time span,
 * as much as the excess over 90% of the cap (records come at a roughly even
 * rate). INT64_MIN when under the cap or without records. */
static int64_t size_cutoff(struct store *s)
{
	int64_t used = used_bytes(s), oldest = INT64_MAX, clock = store_clock(s);
	if (!s->o.retention_bytes || used <= (int64_t)s->o.retention_bytes)
		return INT64_MIN;
	for (size_t i = 0; i < sizeof(record_tables) / sizeof(record_tables[0]); i++) {
		char sql[64];
		snprintf(sql, sizeof(sql), "SELECT min(ts) FROM %s", record_tables[i]);
		int64_t t = pragma_int(s->db, sql);
		if (t >= 0 && t < oldest)
			oldest = t;
	}
	if (oldest == INT64_MAX)
		return INT64_MIN;
	double f = (double)(used - (int64_t)(s->o.retention_bytes / 10 * 9)) / (double)used;
	int64_t span = clock > oldest ? clock - oldest : 0;
	return oldest + 1 + (int64_t)(f * (double)span);
}

/* Everything before the returned time goes (INT64_MIN: nothing). */
static int64_t cutoff(struct store *s)
{
	int64_t cut = INT64_MIN, size = size_cutoff(s);
	if (s->o.retention_days)
		cut = store_clock(s) - (int64_t)s->o.retention_days * 86400 * 1000000;
	return size > cut ? size : cut;
}

/* Delete up to a chunk of each table's records older than cut, in one
 * transaction. Rows deleted, or -1 on error. */
static int64_t delete_chunk(struct store *s, int64_t cut)
{
	int64_t n = 0;
	if (store_db_exec(s->db, "BEGIN IMMEDIATE") != SQLITE_OK)
		return -1;
	for (size_t i = 0; i < sizeof(record_tables) / sizeof(record_tables[0]); i++) {
		const char *t = record_tables[i];
		char sub[160], sql[320];
		snprintf(sub, sizeof(sub),
			 "SELECT id FROM %s WHERE ts < ?1 ORDER BY ts, id LIMIT %d", t,
			 STORE_PRUNE_CHUNK);
		for (int pass = !!strcmp(t, "dns"); pass < 2; pass++) {
			/* a DNS record's answers first */
			snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s IN (%s)",
				 pass ? t : "dns_answer", pass ? "id" : "dns", sub);
			sqlite3_stmt *st;
			int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
			if (rc == SQLITE_OK) {
				sqlite3_bind_int64(st, 1, cut);
				rc = sqlite3_step(st);
				sqlite3_finalize(st);
			}
			if (rc != SQLITE_DONE && rc != SQLITE_OK) {
				store_db_exec(s->db, "ROLLBACK");
				return -1;
			}
			if (pass)
				n += sqlite3_changes(s->db);
		}
	}
	if (store_db_exec(s->db, "COMMIT") != SQLITE_OK) {
		store_db_exec(s->db, "ROLLBACK");
		return -1;
	}
	return n;
}

bool store_prune_step(struct store *s, bool force)
{
	if (force || !s->prune_active) {
		s->last_prune = mono_s();
		s->prune_cutoff = cutoff(s);
		s->prune_active = s->prune_cutoff != INT64_MIN;
		if (!s->prune_active)
			return false;
	}
	int64_t n = delete_chunk(s, s->prune_cutoff);
	if (n < 0) {
		failed(s, "pruning old records failed", 0, sqlite3_errcode(s->db));
		s->prune_active = false;
		return false;
	}
	count(s, CNT_STORE_PRUNED_ROWS, (uint64_t)n);
	if (n > 0)
		return true;
	/* everything below the cutoff is gone: still over the size cap? */
	int64_t prev = s->prune_cutoff;
	s->prune_cutoff = size_cutoff(s);
	s->prune_active = s->prune_cutoff > prev;
	return s->prune_active;
}
