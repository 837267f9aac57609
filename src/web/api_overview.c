/*
 * api_overview — GET /api/summary (the overview: potential attacks per day
 * and category, the window's totals, top sources, destinations and
 * signatures) and GET /api/darknet (the telescope's days, sources, ports).
 *
 * The days are UTC days ending at the store's newest; the daily figures are
 * the `daily` rows analytics/daily.c and analytics/darknet.c write (several
 * runs into one store add up), the rest counted from the record tables.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/query.h"
#include "web/web_int.h"

#define DAY_US 86400000000ll

/* The window: `days` days ending at the store's newest day. */
struct window {
	int64_t first_day, last_day;
	int64_t from, until; /* µs, [from, until) */
};

static int64_t one_int(sqlite3 *db, const char *sql, const struct window *w, int *err)
{
	sqlite3_stmt *st;
	int64_t v = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		*err = 1;
		return 0;
	}
	if (w) {
		sqlite3_bind_int64(st, 1, w->from);
		sqlite3_bind_int64(st, 2, w->until);
	}
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		*err = 1;
	sqlite3_finalize(st);
	return v;
}

/* A statement over the window: ?1 from, ?2 until, ?3 (when used) the
 * length of a top list. NULL on a store error. */
static sqlite3_stmt *window_stmt(sqlite3 *db, const char *sql, const struct window *w)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, w->from);
	sqlite3_bind_int64(st, 2, w->until);
	if (sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_int(st, 3, WEB_TOP_MAX);
	return st;
}

/* Finalize after the last step: 0, or -1 when it was not SQLITE_DONE. */
static int stmt_done(sqlite3_stmt *st, int rc)
{
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int window_of(struct web_req *rq, struct web_resp *rs, struct window *w)
{
	int64_t days;
	if (web_int_arg(rq, rs, "days", 1, WEB_DAYS_MAX, 30, &days) < 0)
		return -1;
	int err = 0;
	int64_t clock = store_reader_clock(rq->db);
	int64_t newest = one_int(rq->db, "SELECT max(ts) FROM daily", NULL, &err);
	if (newest > clock)
		clock = newest;
	w->last_day = clock > 0 ? clock / DAY_US : 0;
	w->first_day = w->last_day - days + 1;
	w->from = w->first_day * DAY_US;
	w->until = (w->last_day + 1) * DAY_US;
	return 0;
}

static void window_json(json_t *o, const struct window *w)
{
	char d[11];
	web_day_text(w->first_day, d);
	json_object_set_new(o, "from", json_string(d));
	web_day_text(w->last_day, d);
	json_object_set_new(o, "to", json_string(d));
}

static void add_int(json_t *o, const char *key, int64_t v)
{
	json_t *old = json_object_get(o, key);
	json_object_set_new(o, key, json_integer(json_integer_value(old) + v));
}

/* A string column as JSON (stored text may not be UTF-8). */
static json_t *col_string(sqlite3_stmt *st, int col)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	json_t *j = json_string(v ? v : "");
	return j ? j : json_string("(not UTF-8)");
}

/* The day object for `day` at the end of arr (appended when new). */
static json_t *day_obj(json_t *arr, int64_t day)
{
	char d[11];
	web_day_text(day, d);
	json_t *last = json_array_get(arr, json_array_size(arr) - 1);
	if (last && !strcmp(json_string_value(json_object_get(last, "date")), d))
		return last;
	json_t *o = json_object();
	json_object_set_new(o, "date", json_string(d));
	json_object_set_new(o, "attacks", json_integer(0));
	json_object_set_new(o, "sources", json_integer(0));
	json_object_set_new(o, "darknet", json_integer(0));
	json_object_set_new(o, "by_category", json_object());
	json_array_append_new(arr, o);
	return o;
}

/* Per day: attacks by category, distinct sources, darknet packets. */
static int days_json(sqlite3 *db, const struct window *w, json_t *days, json_t *by_cat,
		     int64_t *attacks, int64_t *darknet)
{
	sqlite3_stmt *st;
	static const char sql[] =
	    "SELECT ts / 86400000000, kind, CASE WHEN kind = 'darknet' THEN '' ELSE key END,"
	    " sum(value) FROM daily WHERE ts >= ?1 AND ts < ?2 AND kind IN ('attacks',"
	    " 'attack_sources', 'darknet') GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";
	if (!(st = window_stmt(db, sql, w)))
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *d = day_obj(days, sqlite3_column_int64(st, 0));
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		const char *key = (const char *)sqlite3_column_text(st, 2);
		int64_t v = sqlite3_column_int64(st, 3);
		if (!kind || !key)
			continue;
		if (!strcmp(kind, "darknet")) {
			add_int(d, "darknet", v);
			*darknet += v;
		} else if (!strcmp(kind, "attack_sources")) {
			add_int(d, "sources", v);
		} else if (!strcmp(key, "total")) {
			add_int(d, "attacks", v);
			*attacks += v;
		} else {
			/* a category (a name from rule files; one that is not UTF-8
			 * is refused as a key by jansson and left out) */
			add_int(json_object_get(d, "by_category"), key, v);
			add_int(by_cat, key, v);
		}
	}
	return stmt_done(st, rc);
}

/* The top rows of an address query (?1 from, ?2 until): address, count. */
static int top_addrs(sqlite3 *db, const char *sql, const struct window *w, json_t *arr)
{
	sqlite3_stmt *st;
	if (!(st = window_stmt(db, sql, w)))
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char a[64];
		web_addr_text(sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0), a,
			      sizeof(a));
		json_t *o = json_object();
		json_object_set_new(o, "ip", json_string(a));
		json_object_set_new(o, "count", json_integer(sqlite3_column_int64(st, 1)));
		json_array_append_new(arr, o);
	}
	return stmt_done(st, rc);
}

#define SIGNAL_ENDS(col)                                                                           \
	"SELECT " col ", count(*) AS n FROM (SELECT " col " FROM alert WHERE ts >= ?1 AND ts < ?2" \
	" UNION ALL SELECT " col " FROM intel WHERE ts >= ?1 AND ts < ?2"                          \
	" UNION ALL SELECT " col " FROM event WHERE ts >= ?1 AND ts < ?2) WHERE " col              \
	" IS NOT NULL GROUP BY " col " ORDER BY n DESC, " col " LIMIT ?3"

static int top_signatures(sqlite3 *db, const struct window *w, json_t *arr)
{
	sqlite3_stmt *st;
	static const char sql[] =
	    "SELECT sid, (SELECT v FROM str WHERE id = m), n FROM (SELECT gid, sid, max(msg) AS m,"
	    " count(*) AS n FROM alert WHERE ts >= ?1 AND ts < ?2 GROUP BY gid, sid)"
	    " ORDER BY n DESC, sid LIMIT ?3";
	if (!(st = window_stmt(db, sql, w)))
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();
		json_object_set_new(o, "sid", json_integer(sqlite3_column_int64(st, 0)));
		json_object_set_new(o, "msg", col_string(st, 1));
		json_object_set_new(o, "count", json_integer(sqlite3_column_int64(st, 2)));
		json_array_append_new(arr, o);
	}
	return stmt_done(st, rc);
}

void api_summary(struct web_req *rq, struct web_resp *rs)
{
	struct window w;
	if (window_of(rq, rs, &w) < 0)
		return;
	sqlite3 *db = rq->db;
	json_t *o = json_object(), *days = json_array(), *by_cat = json_object();
	json_t *tot = json_object(), *top = json_object();
	json_t *srcs = json_array(), *dsts = json_array(), *sigs = json_array();
	int64_t attacks = 0, darknet = 0;
	int err = 0;
	char clock[48];
	web_time_text(store_reader_clock(db), clock, sizeof(clock));
	json_t *p = json_string(rq->srv->store);
	json_object_set_new(o, "store", p ? p : json_string(""));
	json_object_set_new(o, "clock", json_string(clock));
	window_json(o, &w);
	if (days_json(db, &w, days, by_cat, &attacks, &darknet) < 0 ||
	    top_addrs(db, SIGNAL_ENDS("src"), &w, srcs) < 0 ||
	    top_addrs(db, SIGNAL_ENDS("dst"), &w, dsts) < 0 || top_signatures(db, &w, sigs) < 0)
		err = 1;
	json_object_set_new(tot, "attacks", json_integer(attacks));
	json_object_set_new(tot, "by_category", by_cat);
	json_object_set_new(
	    tot, "alerts",
	    json_integer(
		one_int(db, "SELECT count(*) FROM alert WHERE ts >= ?1 AND ts < ?2", &w, &err)));
	json_object_set_new(
	    tot, "intel",
	    json_integer(
		one_int(db, "SELECT count(*) FROM intel WHERE ts >= ?1 AND ts < ?2", &w, &err)));
	json_object_set_new(
	    tot, "events",
	    json_integer(
		one_int(db, "SELECT count(*) FROM event WHERE ts >= ?1 AND ts < ?2", &w, &err)));
	json_object_set_new(
	    tot, "incidents",
	    json_integer(one_int(db, "SELECT count(*) FROM incident WHERE merged_into IS NULL",
				 NULL, &err)));
	json_object_set_new(tot, "incidents_open",
			    json_integer(one_int(db,
						 "SELECT count(*) FROM incident WHERE merged_into"
						 " IS NULL AND status = 'open'",
						 NULL, &err)));
	json_object_set_new(tot, "darknet_packets", json_integer(darknet));
	json_object_set_new(
	    tot, "zone_violations",
	    json_integer(one_int(db,
				 "SELECT coalesce(sum(value), 0) FROM daily WHERE ts >= ?1 AND"
				 " ts < ?2 AND kind = 'zone' AND key LIKE '%|violations'",
				 &w, &err)));
	/* the newest day (zero when it has no figures) */
	json_t *today = json_object(), *last = json_array_get(days, json_array_size(days) - 1);
	char d[11];
	web_day_text(w.last_day, d);
	bool is_last = last && !strcmp(json_string_value(json_object_get(last, "date")), d);
	json_object_set_new(today, "date", json_string(d));
	json_object_set_new(
	    today, "attacks",
	    json_integer(is_last ? json_integer_value(json_object_get(last, "attacks")) : 0));
	json_object_set_new(
	    today, "sources",
	    json_integer(is_last ? json_integer_value(json_object_get(last, "sources")) : 0));
	json_object_set_new(o, "days", days);
	json_object_set_new(o, "totals", tot);
	json_object_set_new(o, "today", today);
	json_object_set_new(top, "sources", srcs);
	json_object_set_new(top, "destinations", dsts);
	json_object_set_new(top, "signatures", sigs);
	json_object_set_new(o, "top", top);
	if (err) {
		json_decref(o);
		web_error(rs, 500, "store error: %s", sqlite3_errmsg(db));
		return;
	}
	web_json(rs, 200, o);
}

/* The darknet rows of the window: key "<src>|<proto>|<port or type>". */
#define DARKNET_ROWS                                                                               \
	"WITH r AS (SELECT ts, value, json, substr(key, 1, instr(key, '|') - 1) AS src,"           \
	" substr(key, instr(key, '|') + 1) AS rest FROM daily WHERE kind = 'darknet' AND"          \
	" ts >= ?1 AND ts < ?2) "

static int darknet_days(sqlite3 *db, const struct window *w, json_t *arr, int64_t *packets)
{
	sqlite3_stmt *st;
	static const char sql[] =
	    DARKNET_ROWS "SELECT ts / 86400000000, sum(value), count(*), count(DISTINCT src) FROM r"
			 " GROUP BY 1 ORDER BY 1";
	if (!(st = window_stmt(db, sql, w)))
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char d[11];
		web_day_text(sqlite3_column_int64(st, 0), d);
		json_t *o = json_object();
		json_object_set_new(o, "date", json_string(d));
		json_object_set_new(o, "packets", json_integer(sqlite3_column_int64(st, 1)));
		json_object_set_new(o, "entries", json_integer(sqlite3_column_int64(st, 2)));
		json_object_set_new(o, "sources", json_integer(sqlite3_column_int64(st, 3)));
		*packets += sqlite3_column_int64(st, 1);
		json_array_append_new(arr, o);
	}
	return stmt_done(st, rc);
}

static int darknet_sources(sqlite3 *db, const struct window *w, json_t *arr, int64_t *n)
{
	sqlite3_stmt *st;
	static const char sql[] =
	    DARKNET_ROWS "SELECT src, sum(value) AS p, count(DISTINCT rest),"
			 " max(json_extract(json, '$.class')), count(*) OVER () FROM r"
			 " GROUP BY src ORDER BY p DESC, src LIMIT 20";
	if (!(st = window_stmt(db, sql, w)))
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();
		json_object_set_new(o, "ip", col_string(st, 0));
		json_object_set_new(o, "packets", json_integer(sqlite3_column_int64(st, 1)));
		json_object_set_new(o, "ports", json_integer(sqlite3_column_int64(st, 2)));
		json_object_set_new(o, "class", col_string(st, 3));
		*n = sqlite3_column_int64(st, 4);
		json_array_append_new(arr, o);
	}
	return stmt_done(st, rc);
}

static int darknet_ports(sqlite3 *db, const struct window *w, json_t *arr)
{
	sqlite3_stmt *st;
	static const char sql[] = DARKNET_ROWS
	    "SELECT CAST(substr(rest, 1, instr(rest, '|') - 1) AS INTEGER),"
	    " substr(rest, instr(rest, '|') + 1), sum(value) AS p, count(DISTINCT src) FROM r"
	    " GROUP BY rest ORDER BY p DESC, rest LIMIT 20";
	if (!(st = window_stmt(db, sql, w)))
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int proto = sqlite3_column_int(st, 0);
		char pn[16];
		snprintf(pn, sizeof(pn), "%s",
			 proto == 6	? "tcp"
			 : proto == 17	? "udp"
			 : proto == 1	? "icmp"
			 : proto == 58	? "ipv6-icmp"
			 : proto == 132 ? "sctp"
					: "");
		if (!pn[0])
			snprintf(pn, sizeof(pn), "%d", proto);
		json_t *o = json_object();
		json_object_set_new(o, "proto", json_string(pn));
		const char *port = (const char *)sqlite3_column_text(st, 1);
		char *end;
		long v = port ? strtol(port, &end, 10) : 0;
		if (port && *port && !*end)
			json_object_set_new(o, "port", json_integer(v));
		else
			json_object_set_new(o, "port", col_string(st, 1));
		json_object_set_new(o, "packets", json_integer(sqlite3_column_int64(st, 2)));
		json_object_set_new(o, "sources", json_integer(sqlite3_column_int64(st, 3)));
		json_array_append_new(arr, o);
	}
	return stmt_done(st, rc);
}

void api_darknet(struct web_req *rq, struct web_resp *rs)
{
	struct window w;
	if (window_of(rq, rs, &w) < 0)
		return;
	sqlite3 *db = rq->db;
	json_t *o = json_object(), *days = json_array(), *srcs = json_array();
	json_t *ports = json_array(), *tot = json_object();
	int64_t packets = 0, sources = 0;
	window_json(o, &w);
	int err = darknet_days(db, &w, days, &packets) < 0 ||
		  darknet_sources(db, &w, srcs, &sources) < 0 || darknet_ports(db, &w, ports) < 0;
	json_object_set_new(tot, "packets", json_integer(packets));
	json_object_set_new(tot, "sources", json_integer(sources));
	json_object_set_new(o, "days", days);
	json_object_set_new(o, "totals", tot);
	json_object_set_new(o, "top_sources", srcs);
	json_object_set_new(o, "top_ports", ports);
	if (err) {
		json_decref(o);
		web_error(rs, 500, "store error: %s", sqlite3_errmsg(db));
		return;
	}
	web_json(rs, 200, o);
}
