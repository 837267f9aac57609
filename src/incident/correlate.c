/*
 * correlate — the correlation pass (incident.h): signals since the last
 * pass, joined to incidents by their keys, in time order.
 */
#include "incident/incident.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/log.h"
#include "incident/doc_int.h"
#include "intel/enrich.h"
#include "output/eve.h"
#include "store/hunt.h"
#include "store/query.h"
#include "store/store_util.h"

#define SIG_KEYS	   24  /* keys one signal may carry (hosts of a retro sighting) */
#define KEY_MAX		   264 /* "d:" + a name + NUL */
#define KEY_BUCKETS	   4096u
#define BACKFILL_MAX_ADDRS 4096 /* addresses queued for backfill per pass */

enum { TBL_ALERT, TBL_INTEL, TBL_EVENT };

/* One signal, as the pass reads it. */
struct sig {
	int tbl;
	int64_t row, ts, first, last; /* µs; [first, last] the activity it stands for */
	bool opens;
	unsigned nkeys;
	char keys[SIG_KEYS][KEY_MAX];
};

struct keyent {
	struct keyent *next;
	int64_t inc;
	char key[];
};

struct inc {
	int64_t id, first, last, merged_into;
	bool touched;
};

struct pass {
	sqlite3 *db;
	const struct incident_ctx *x;
	struct incident_stats *st;
	struct keyent *bucket[KEY_BUCKETS];
	uint64_t nkeys;
	struct inc *inc; /* by id: inc[id] (0 unused) */
	int64_t ninc, cap;
	sqlite3_stmt *ins_sig, *up_key, *in_sig, *flow_src;
	/* addresses that became some incident's infrastructure this pass */
	struct {
		int64_t inc;
		char key[KEY_MAX];
	} * queue;
	unsigned nqueue;
	int64_t cursor[3]; /* the newest row of each table read before this pass */
};

/* ---- keys ---- */

static uint32_t key_hash(const char *k)
{
	return (uint32_t)XXH3_64bits(k, strlen(k)) & (KEY_BUCKETS - 1);
}

static int64_t inc_resolve(const struct pass *p, int64_t id)
{
	while (id > 0 && id < p->ninc && p->inc[id].merged_into)
		id = p->inc[id].merged_into;
	return id;
}

/* Remember that key belongs to incident inc. true when it is new to it. */
static bool key_add(struct pass *p, const char *key, int64_t inc)
{
	uint32_t h = key_hash(key);
	for (struct keyent *e = p->bucket[h]; e; e = e->next)
		if (!strcmp(e->key, key) && inc_resolve(p, e->inc) == inc)
			return false;
	if (p->nkeys >= p->x->max_keys) {
		p->st->keys_capped++;
		return false;
	}
	size_t n = strlen(key) + 1;
	struct keyent *e = malloc(sizeof(*e) + n);
	if (!e) {
		p->st->keys_capped++;
		return false;
	}
	memcpy(e->key, key, n);
	e->inc = inc;
	e->next = p->bucket[h];
	p->bucket[h] = e;
	p->nkeys++;
	return true;
}

static void keys_free(struct pass *p)
{
	for (unsigned i = 0; i < KEY_BUCKETS; i++)
		for (struct keyent *e = p->bucket[i], *n; e; e = n) {
			n = e->next;
			free(e);
		}
}

/* ---- incidents ---- */

static struct inc *inc_slot(struct pass *p, int64_t id)
{
	if (id <= 0)
		return NULL;
	if (id >= p->cap) {
		int64_t cap = p->cap ? p->cap : 64;
		while (cap <= id)
			cap *= 2;
		struct inc *n = realloc(p->inc, (size_t)cap * sizeof(*n));
		if (!n)
			return NULL;
		memset(n + p->cap, 0, (size_t)(cap - p->cap) * sizeof(*n));
		p->inc = n;
		p->cap = cap;
	}
	if (id >= p->ninc)
		p->ninc = id + 1;
	p->inc[id].id = id;
	return &p->inc[id];
}

static int load(struct pass *p)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(p->db, "SELECT id, first, last, merged_into FROM incident", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct inc *in = inc_slot(p, sqlite3_column_int64(st, 0));
		if (!in)
			break;
		in->first = sqlite3_column_int64(st, 1);
		in->last = sqlite3_column_int64(st, 2);
		in->merged_into = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (sqlite3_prepare_v2(p->db,
			       "SELECT k.key, k.incident FROM incident_key k JOIN incident i ON "
			       "i.id = k.incident WHERE i.merged_into IS NULL",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		if (k && strlen(k) < KEY_MAX)
			key_add(p, k, sqlite3_column_int64(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	static const char *const cur[3] = {"incident.cursor.alert", "incident.cursor.intel",
					   "incident.cursor.event"};
	for (int t = 0; t < 3; t++) {
		if (sqlite3_prepare_v2(p->db, "SELECT value FROM meta WHERE key = ?1", -1, &st,
				       NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_text(st, 1, cur[t], -1, SQLITE_STATIC);
		p->cursor[t] = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		sqlite3_finalize(st);
	}
	return 0;
}

static int64_t inc_open(struct pass *p, const struct sig *s)
{
	sqlite3_stmt *st;
	int64_t id = -1;
	if (sqlite3_prepare_v2(
		p->db,
		"INSERT INTO incident(first, last, updated, score, severity, status, "
		"title) VALUES(?1, ?2, ?2, 0, 'low', 'open', '')",
		-1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, s->first);
	sqlite3_bind_int64(st, 2, s->last);
	if (sqlite3_step(st) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(p->db);
	sqlite3_finalize(st);
	struct inc *in = id > 0 ? inc_slot(p, id) : NULL;
	if (!in)
		return -1;
	in->first = s->first;
	in->last = s->last;
	in->merged_into = 0;
	p->st->opened++;
	return id;
}

/* Move incident `from` into `to` (to < from). */
static int inc_merge(struct pass *p, int64_t from, int64_t to)
{
	static const char *const sql[] = {
	    "INSERT OR IGNORE INTO incident_signal(incident, tbl, row, ts) SELECT ?2, tbl, row, ts "
	    "FROM incident_signal WHERE incident = ?1",
	    "DELETE FROM incident_signal WHERE incident = ?1",
	    "INSERT INTO incident_key(key, incident, first, last) SELECT key, ?2, first, last FROM "
	    "incident_key WHERE incident = ?1 ON CONFLICT(key, incident) DO UPDATE SET first = "
	    "min(first, excluded.first), last = max(last, excluded.last)",
	    "DELETE FROM incident_key WHERE incident = ?1",
	    "UPDATE incident SET merged_into = ?2 WHERE id = ?1",
	};
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(p->db, sql[i], -1, &st, NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_int64(st, 1, from);
		sqlite3_bind_int64(st, 2, to);
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return -1;
	}
	struct inc *f = &p->inc[from], *t = &p->inc[to];
	if (f->first < t->first)
		t->first = f->first;
	if (f->last > t->last)
		t->last = f->last;
	f->merged_into = to;
	f->touched = false;
	t->touched = true;
	p->st->merged++;
	return 0;
}

/* ---- signals from rows ---- */

static void sig_key(struct sig *s, char kind, const char *v)
{
	if (!v || !*v || s->nkeys == SIG_KEYS || strlen(v) + 3 > KEY_MAX)
		return;
	char k[KEY_MAX];
	snprintf(k, sizeof(k), "%c:%s", kind, v);
	if (kind == 'd')
		for (char *c = k + 2; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
	for (unsigned i = 0; i < s->nkeys; i++)
		if (!strcmp(s->keys[i], k))
			return;
	memcpy(s->keys[s->nkeys++], k, strlen(k) + 1);
}

/* An address column: its text and whether it is internal. false when absent. */
static bool col_addr(const struct pass *p, sqlite3_stmt *st, int col, char *out, size_t outlen,
		     bool *internal)
{
	int n = sqlite3_column_bytes(st, col);
	const void *b = sqlite3_column_blob(st, col);
	struct addr a;
	if (!b || (n != 4 && n != 16))
		return false;
	memset(&a, 0, sizeof(a));
	memcpy(a.a, b, (size_t)n);
	eve_addr_str(&a, n == 4 ? 4 : 6, out, outlen);
	*internal = incident_internal(p->x, n == 4 ? 4 : 6, a.a);
	return true;
}

/* Who started the alert's flow: true when it is `addr` (the flow record's
 * source); unknown (no flow record yet) counts as the alert's source. */
static bool flow_started_by(struct pass *p, int64_t flow_id, sqlite3_stmt *row, int col)
{
	if (!flow_id)
		return true;
	sqlite3_reset(p->flow_src);
	sqlite3_bind_int64(p->flow_src, 1, flow_id);
	if (sqlite3_step(p->flow_src) != SQLITE_ROW)
		return true;
	int n = sqlite3_column_bytes(p->flow_src, 0);
	return n == sqlite3_column_bytes(row, col) &&
	       !memcmp(sqlite3_column_blob(p->flow_src, 0), sqlite3_column_blob(row, col),
		       (size_t)n);
}

/* An event row's keys: its internal host and its infrastructure. */
static void event_sig(struct sig *s, const char *type, const char *text, const char *src,
		      bool src_in, const char *dst, bool dst_in)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	json_t *o = json_object_get(j, type);
	if (!o)
		goto out;
	s->first = doc_json_time(o, "first_seen", s->ts);
	s->last = doc_json_time(o, "last_seen", s->ts);
	if (!strcmp(type, "scan")) {
		if (json_is_true(json_object_get(o, "internal_source")) && src && src_in) {
			sig_key(s, 'h', src);
			s->opens = true;
		} else if (src && !src_in) {
			sig_key(s, 'a', src);
		}
	} else if (!strcmp(type, "beacon") || !strcmp(type, "exfil")) {
		if (!src || !src_in)
			goto out;
		sig_key(s, 'h', src);
		json_t *ips = json_object_get(o, "dest_ips");
		size_t i;
		json_t *v;
		json_array_foreach(ips, i, v) {
			const char *ip = json_string_value(v);
			if (ip && strcmp(ip, src))
				sig_key(s, 'a', ip);
		}
		if (dst && !dst_in)
			sig_key(s, 'a', dst);
		sig_key(s, 'd', json_string_value(json_object_get(o, "sni")));
		s->opens = true;
	} else if (!strcmp(type, "dns_tunnel")) {
		const char *client = json_string_value(json_object_get(o, "client"));
		if (!client || !src || strcmp(client, src) || !src_in)
			goto out;
		sig_key(s, 'h', client);
		sig_key(s, 'd', json_string_value(json_object_get(o, "domain")));
		s->opens = true;
	} else if (!strcmp(type, "pii")) {
		s->first = doc_json_time(o, "flow_start", s->ts);
		s->last = s->ts;
		bool up =
		    !strcmp(json_string_value(json_object_get(o, "direction")) ?: "", "to_server");
		const char *host = up ? src : dst, *peer = up ? dst : src;
		bool host_in = up ? src_in : dst_in, peer_in = up ? dst_in : src_in;
		if (!host || !host_in)
			goto out;
		sig_key(s, 'h', host);
		if (peer && !peer_in)
			sig_key(s, 'a', peer);
		s->opens = json_is_true(json_object_get(o, "leaves_home_net"));
	} else if (!strcmp(type, "zone")) {
		s->first = doc_json_time(o, "start", s->ts);
		s->last = doc_json_time(o, "end", s->ts);
		if (!src || !src_in)
			goto out;
		sig_key(s, 'h', src);
		if (dst && !dst_in)
			sig_key(s, 'a', dst);
		s->opens = true;
	}
out:
	json_decref(j);
}

/* The domain an intel sighting's indicator names, for domain and URL
 * indicators: the value matched (a DNS name, an SNI, an HTTP host) or the
 * indicator's host part. */
static void intel_domain(struct sig *s, const char *type, const char *value)
{
	char d[KEY_MAX];
	size_t n = 0;
	if (!type || !value)
		return;
	if (!strcmp(type, "url")) {
		const char *p = strstr(value, "://");
		p = p ? p + 3 : value;
		while (p[n] && p[n] != '/' && p[n] != ':' && p[n] != '?' && n + 1 < sizeof(d))
			n++;
		memcpy(d, p, n);
		d[n] = '\0';
		sig_key(s, 'd', d);
	} else if (!strncmp(type, "domain", 6)) {
		sig_key(s, 'd', value);
	}
}

/*
 * A row of the signal query (columns: tbl, id, ts, src, dst, severity or
 * confidence, then per table: alert attack, -, -, flow_id; intel type,
 * value, hosts, first_seen, last_seen; event type, json) as a signal.
 */
static void row_sig(struct pass *p, sqlite3_stmt *st, struct sig *s)
{
	char src[64], dst[64];
	bool src_in = false, dst_in = false;
	bool has_src = col_addr(p, st, 3, src, sizeof(src), &src_in);
	bool has_dst = col_addr(p, st, 4, dst, sizeof(dst), &dst_in);
	memset(s, 0, offsetof(struct sig, keys));
	s->tbl = sqlite3_column_int(st, 0);
	s->row = sqlite3_column_int64(st, 1);
	s->ts = s->first = s->last = sqlite3_column_int64(st, 2);
	switch (s->tbl) {
	case TBL_ALERT: {
		if (!(has_src && has_dst) || (!src_in && !dst_in))
			break;
		int sev = sqlite3_column_int(st, 5);
		const char *attack = (const char *)sqlite3_column_text(st, 6);
		if (src_in && dst_in) {
			sig_key(s, 'h', src);
			/* lateral movement and staging: both ends are the intrusion's */
			if (attack && (strstr(attack, "TA0008") || strstr(attack, "TA0009") ||
				       strstr(attack, "Lateral") || strstr(attack, "Collection")))
				sig_key(s, 'h', dst);
			s->opens = sev >= 1 && (uint32_t)sev <= p->x->alert_severity;
		} else {
			const char *host = src_in ? src : dst, *peer = src_in ? dst : src;
			sig_key(s, 'h', host);
			sig_key(s, 'a', peer);
			/* inbound: the external end started the flow */
			bool inbound =
			    flow_started_by(p, sqlite3_column_int64(st, 9), st, src_in ? 4 : 3);
			s->opens = sev >= 1 && (uint32_t)sev <= p->x->alert_severity &&
				   (!inbound || p->x->inbound_alerts);
		}
		break;
	}
	case TBL_INTEL: {
		const char *type = (const char *)sqlite3_column_text(st, 6);
		const char *value = (const char *)sqlite3_column_text(st, 7);
		const char *hosts = (const char *)sqlite3_column_text(st, 8);
		if (sqlite3_column_type(st, 9) != SQLITE_NULL)
			s->first = sqlite3_column_int64(st, 9);
		if (sqlite3_column_type(st, 10) != SQLITE_NULL)
			s->last = sqlite3_column_int64(st, 10);
		if (s->first <= 0 || s->last < s->first)
			s->first = s->last = s->ts;
		/* the internal end that asked (a DNS client, not its resolver) */
		if (has_src && src_in)
			sig_key(s, 'h', src);
		else if (has_dst && dst_in)
			sig_key(s, 'h', dst);
		for (const char *h = hosts; h && *h;) {
			size_t n = strcspn(h, ", ");
			char one[64];
			if (n && n < sizeof(one)) {
				memcpy(one, h, n);
				one[n] = '\0';
				sig_key(s, 'h', one);
			}
			h += n;
			h += strspn(h, ", ");
		}
		if (!s->nkeys)
			break; /* no internal host: nothing of ours was seen */
		if (has_src && !src_in)
			sig_key(s, 'a', src);
		if (has_dst && !dst_in)
			sig_key(s, 'a', dst);
		intel_domain(s, type, value);
		s->opens = true;
		break;
	}
	case TBL_EVENT:
		event_sig(s, (const char *)sqlite3_column_text(st, 6),
			  (const char *)sqlite3_column_text(st, 7), has_src ? src : NULL, src_in,
			  has_dst ? dst : NULL, dst_in);
		break;
	}
	/* a signal naming no internal host is never an incident's by itself */
	bool host = false;
	for (unsigned i = 0; i < s->nkeys; i++)
		host |= s->keys[i][0] == 'h';
	if (!host)
		s->opens = false;
	if (s->last < s->first)
		s->last = s->first;
}

/* ---- joining ---- */

static int attach(struct pass *p, const struct sig *s, int64_t id)
{
	struct inc *in = &p->inc[id];
	sqlite3_reset(p->ins_sig);
	sqlite3_bind_int64(p->ins_sig, 1, id);
	sqlite3_bind_int(p->ins_sig, 2, s->tbl);
	sqlite3_bind_int64(p->ins_sig, 3, s->row);
	sqlite3_bind_int64(p->ins_sig, 4, s->ts);
	if (sqlite3_step(p->ins_sig) != SQLITE_DONE)
		return -1;
	for (unsigned i = 0; i < s->nkeys; i++) {
		sqlite3_reset(p->up_key);
		sqlite3_bind_text(p->up_key, 1, s->keys[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(p->up_key, 2, id);
		sqlite3_bind_int64(p->up_key, 3, s->first);
		sqlite3_bind_int64(p->up_key, 4, s->last);
		if (sqlite3_step(p->up_key) != SQLITE_DONE)
			return -1;
		if (key_add(p, s->keys[i], id) && s->keys[i][0] == 'a' &&
		    p->nqueue < BACKFILL_MAX_ADDRS) {
			p->queue[p->nqueue].inc = id;
			memcpy(p->queue[p->nqueue].key, s->keys[i], strlen(s->keys[i]) + 1);
			p->nqueue++;
		}
	}
	if (s->first < in->first)
		in->first = s->first;
	if (s->last > in->last)
		in->last = s->last;
	in->touched = true;
	p->st->joined++;
	return 0;
}

static int process(struct pass *p, const struct sig *s, bool backfill)
{
	int64_t found[64];
	unsigned nfound = 0;
	for (unsigned i = 0; i < s->nkeys; i++) {
		for (struct keyent *e = p->bucket[key_hash(s->keys[i])]; e; e = e->next) {
			if (strcmp(e->key, s->keys[i]))
				continue;
			int64_t id = inc_resolve(p, e->inc);
			const struct inc *in = &p->inc[id];
			if (in->last + p->x->gap_us < s->first ||
			    in->first - p->x->gap_us > s->last)
				continue;
			bool dup = false;
			for (unsigned k = 0; k < nfound; k++)
				dup |= found[k] == id;
			if (!dup && nfound < sizeof(found) / sizeof(found[0]))
				found[nfound++] = id;
		}
	}
	if (!nfound) {
		if (!s->opens || backfill) {
			p->st->alone += !backfill;
			return 0;
		}
		int64_t id = inc_open(p, s);
		if (id < 0)
			return -1;
		return attach(p, s, id);
	}
	int64_t to = found[0];
	for (unsigned k = 1; k < nfound; k++)
		if (found[k] < to)
			to = found[k];
	for (unsigned k = 0; k < nfound; k++)
		if (found[k] != to && inc_merge(p, found[k], to) < 0)
			return -1;
	p->st->backfilled += backfill;
	return attach(p, s, to);
}

#define ALERT_SEL                                                                                  \
	"SELECT 0, a.id, a.ts, a.src, a.dst, a.severity, s.v, NULL, NULL, a.flow_id, NULL FROM "   \
	"alert a LEFT JOIN str s ON s.id = a.attack"
#define INTEL_SEL                                                                                  \
	"SELECT 1, id, ts, src, dst, confidence, type, value, hosts, first_seen, last_seen FROM "  \
	"intel"
#define EVENT_SEL   "SELECT 2, id, ts, src, dst, severity, type, json, NULL, NULL, NULL FROM event"
#define EVENT_TYPES "type IN ('scan', 'beacon', 'dns_tunnel', 'exfil', 'pii', 'zone')"

/* Earlier rows of an address that joined no incident, joined now. */
static int backfill(struct pass *p, unsigned qi)
{
	const char *key = p->queue[qi].key;
	int ver;
	uint8_t a[16];
	unsigned plen;
	if (store_parse_prefix(key + 2, &ver, a, &plen) < 0)
		return 0;
	int64_t id = inc_resolve(p, p->queue[qi].inc);
	const struct inc *in = &p->inc[id];
	static const char *const sql[] = {
	    ALERT_SEL
	    " WHERE a.src = ?1 AND a.id <= ?4 AND a.ts BETWEEN ?2 AND ?3 AND NOT "
	    "EXISTS (SELECT 1 FROM incident_signal WHERE tbl = 0 AND row = a.id) LIMIT ?5",
	    ALERT_SEL
	    " WHERE a.dst = ?1 AND a.id <= ?4 AND a.ts BETWEEN ?2 AND ?3 AND NOT "
	    "EXISTS (SELECT 1 FROM incident_signal WHERE tbl = 0 AND row = a.id) LIMIT ?5",
	    EVENT_SEL " WHERE src = ?1 AND id <= ?4 AND ts BETWEEN ?2 AND ?3 AND " EVENT_TYPES
		      " AND NOT EXISTS (SELECT 1 FROM incident_signal WHERE tbl = 2 AND row = "
		      "event.id) LIMIT ?5",
	    EVENT_SEL " WHERE dst = ?1 AND id <= ?4 AND ts BETWEEN ?2 AND ?3 AND " EVENT_TYPES
		      " AND NOT EXISTS (SELECT 1 FROM incident_signal WHERE tbl = 2 AND row = "
		      "event.id) LIMIT ?5",
	};
	static const int tbl[] = {TBL_ALERT, TBL_ALERT, TBL_EVENT, TBL_EVENT};
	for (size_t q = 0; q < sizeof(sql) / sizeof(sql[0]); q++) {
		sqlite3_stmt *st;
		int rc;
		if (sqlite3_prepare_v2(p->db, sql[q], -1, &st, NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_blob(st, 1, a, ver == 4 ? 4 : 16, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, in->first - p->x->gap_us);
		sqlite3_bind_int64(st, 3, in->last + p->x->gap_us);
		sqlite3_bind_int64(st, 4, p->cursor[tbl[q]]);
		sqlite3_bind_int64(st, 5, p->x->backfill_rows);
		struct sig *s = malloc(sizeof(*s));
		if (!s) {
			sqlite3_finalize(st);
			return -1;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			row_sig(p, st, s);
			if (process(p, s, true) < 0) {
				rc = SQLITE_ERROR;
				break;
			}
		}
		free(s);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

static int set_cursor(sqlite3 *db, const char *key, int64_t v)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, v);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The incidents this pass changed: their documents and summary rows. */
static int rebuild(struct pass *p)
{
	int64_t clock = store_reader_clock(p->db);
	for (int64_t id = 1; id < p->ninc; id++) {
		struct inc *in = &p->inc[id];
		if (!in->touched || in->merged_into)
			continue;
		bool missing = false;
		json_t *doc = incident_doc(p->db, p->x, id, &missing);
		if (!doc)
			return -1;
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(
			p->db,
			"UPDATE incident SET first = ?2, last = ?3, updated = ?4, "
			"score = ?5, severity = ?6, status = ?7, title = ?8, hosts = "
			"?9, infra = ?10, signals = ?11, bytes_out = ?12 WHERE id = ?1",
			-1, &st, NULL) != SQLITE_OK) {
			json_decref(doc);
			return -1;
		}
		int64_t first =
		    (int64_t)(json_real_value(json_object_get(doc, "first_seen_epoch")) * 1e6 +
			      0.5);
		int64_t last =
		    (int64_t)(json_real_value(json_object_get(doc, "last_seen_epoch")) * 1e6 + 0.5);
		json_t *sig = json_object_get(doc, "signals");
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, first);
		sqlite3_bind_int64(st, 3, last);
		sqlite3_bind_int64(st, 4, clock);
		sqlite3_bind_int64(st, 5, json_integer_value(json_object_get(doc, "score")));
		sqlite3_bind_text(st, 6, json_string_value(json_object_get(doc, "severity")), -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 7, last + p->x->gap_us >= clock ? "open" : "closed", -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(st, 8, json_string_value(json_object_get(doc, "title")), -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 9, (int64_t)json_array_size(json_object_get(doc, "hosts")));
		sqlite3_bind_int64(
		    st, 10, (int64_t)json_array_size(json_object_get(doc, "infrastructure")));
		sqlite3_bind_int64(st, 11,
				   json_integer_value(json_object_get(sig, "alerts")) +
				       json_integer_value(json_object_get(sig, "intel")) +
				       json_integer_value(json_object_get(sig, "events")));
		sqlite3_bind_int64(
		    st, 12,
		    json_integer_value(json_object_get(
			json_object_get(json_object_get(doc, "damage"), "bytes_out"), "total")));
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		json_decref(doc);
		if (rc != SQLITE_DONE)
			return -1;
		in->first = first;
		in->last = last;
		p->st->rebuilt++;
	}
	return 0;
}

static int run_pass(struct pass *p)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (load(p) < 0)
		return -1;
	if (sqlite3_prepare_v2(p->db,
			       "INSERT OR IGNORE INTO incident_signal(incident, tbl, row, ts) "
			       "VALUES(?1, ?2, ?3, ?4)",
			       -1, &p->ins_sig, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(
		p->db,
		"INSERT INTO incident_key(key, incident, first, last) VALUES(?1, ?2, "
		"?3, ?4) ON CONFLICT(key, incident) DO UPDATE SET first = "
		"min(first, excluded.first), last = max(last, excluded.last)",
		-1, &p->up_key, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(p->db, "SELECT src FROM flow WHERE flow_id = ?1 LIMIT 1", -1,
			       &p->flow_src, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(p->db,
			       ALERT_SEL " WHERE a.id > ?1 UNION ALL " INTEL_SEL
					 " WHERE id > ?2 UNION ALL " EVENT_SEL
					 " WHERE id > ?3 AND " EVENT_TYPES " ORDER BY 3, 1, 2",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (int t = 0; t < 3; t++)
		sqlite3_bind_int64(st, t + 1, p->cursor[t]);
	int64_t newest[3] = {p->cursor[0], p->cursor[1], p->cursor[2]};
	struct sig *s = malloc(sizeof(*s));
	rc = s ? SQLITE_ROW : SQLITE_NOMEM;
	while (s && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_sig(p, st, s);
		p->st->signals++;
		if (s->row > newest[s->tbl])
			newest[s->tbl] = s->row;
		if (process(p, s, false) < 0) {
			rc = SQLITE_ERROR;
			break;
		}
		/* earlier records of the addresses that became infrastructure */
		for (unsigned i = 0; i < p->nqueue; i++)
			if (backfill(p, i) < 0) {
				rc = SQLITE_ERROR;
				break;
			}
		p->nqueue = 0;
	}
	free(s);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (set_cursor(p->db, "incident.cursor.alert", newest[0]) < 0 ||
	    set_cursor(p->db, "incident.cursor.intel", newest[1]) < 0 ||
	    set_cursor(p->db, "incident.cursor.event", newest[2]) < 0)
		return -1;
	return rebuild(p);
}

int incident_update(sqlite3 *db, const struct incident_ctx *x, struct incident_stats *st)
{
	struct pass *p = calloc(1, sizeof(*p));
	int rc = -1;
	memset(st, 0, sizeof(*st));
	if (!p || !(p->queue = calloc(BACKFILL_MAX_ADDRS, sizeof(*p->queue)))) {
		log_error("incidents: out of memory");
		free(p);
		return -1;
	}
	p->db = db;
	p->x = x;
	p->st = st;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		log_error("incidents: %s", sqlite3_errmsg(db));
		goto out;
	}
	if (run_pass(p) < 0) {
		log_error("incidents: %s", sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		log_error("incidents: %s", sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(p->ins_sig);
	sqlite3_finalize(p->up_key);
	sqlite3_finalize(p->flow_src);
	keys_free(p);
	free(p->inc);
	free(p->queue);
	free(p);
	return rc;
}
