/*
 * api_records — GET /api/events (the event search: store/query.c's
 * parameter-bound selects, newest first), GET /api/stats (sensor health
 * from the newest stats row, its history, the server's own counters) and
 * GET /api/zones (the zone compliance report of store/audit.c).
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/audit.h"
#include "store/query.h"
#include "store/store.h"
#include "store/store_util.h"
#include "web/web_int.h"

#define TEXT_ARG_MAX 256 /* a search text, a signature, a name */

static int types_arg(const char *s, unsigned *types, struct web_resp *rs)
{
	char buf[256];
	if (strlen(s) >= sizeof(buf)) {
		web_error(rs, 400, "type: too long");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned k;
		for (k = 0; k < STORE_KINDS && strcmp(t, store_kind_name(k)); k++)
			;
		/* stats and daily rows are /api/stats and /api/summary's */
		if (k == STORE_KINDS || k == STORE_STATS || k == STORE_DAILY) {
			web_error(
			    rs, 400,
			    "type: flow, dns, http, tls, fileinfo, alert, intel, stats, event "
			    "or daily, comma-separated");
			return -1;
		}
		*types |= 1u << k;
	}
	return 0;
}

static int text_arg(const struct web_req *rq, struct web_resp *rs, const char *key,
		    const char **out)
{
	*out = web_arg(rq, key);
	if (*out && !**out)
		*out = NULL;
	if (*out && strlen(*out) > TEXT_ARG_MAX) {
		web_error(rs, 400, "%s: at most %d bytes", key, TEXT_ARG_MAX);
		return -1;
	}
	return 0;
}

/* The lines of a search, each a NUL-terminated copy. */
struct lines {
	char **line;
	size_t n, cap;
	size_t len; /* bytes of all lines */
	bool oom;
};

static void add_line(void *ctx, const char *s, size_t n)
{
	struct lines *ls = ctx;
	if (ls->oom)
		return;
	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 128;
		char **v = realloc(ls->line, cap * sizeof(*v));
		if (!v) {
			ls->oom = true;
			return;
		}
		ls->line = v;
		ls->cap = cap;
	}
	char *c = malloc(n + 1);
	if (!c) {
		ls->oom = true;
		return;
	}
	memcpy(c, s, n);
	c[n] = '\0';
	ls->line[ls->n++] = c;
	ls->len += n;
}

static void lines_free(struct lines *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		free(ls->line[i]);
	free(ls->line);
}

/* Do two EVE lines have the same "timestamp"? */
static bool same_time(const char *a, const char *b)
{
	static const char key[] = "\"timestamp\":\"";
	const char *x = strstr(a, key), *y = strstr(b, key);
	if (!x || !y)
		return false;
	x += sizeof(key) - 1;
	y += sizeof(key) - 1;
	size_t n = strcspn(x, "\"");
	return n == strcspn(y, "\"") && !strncmp(x, y, n);
}

void api_events(struct web_req *rq, struct web_resp *rs)
{
	struct store_query q = {.since = INT64_MIN, .until = INT64_MAX, .json = true};
	int64_t limit;
	const char *types;
	if (web_time_arg(rq, rs, "since", INT64_MIN, &q.since) < 0 ||
	    web_time_arg(rq, rs, "until", INT64_MAX, &q.until) < 0 ||
	    web_int_arg(rq, rs, "limit", 1, WEB_EVENTS_MAX, 100, &limit) < 0 ||
	    text_arg(rq, rs, "host", &q.host) < 0 || text_arg(rq, rs, "domain", &q.domain) < 0 ||
	    text_arg(rq, rs, "signature", &q.signature) < 0 || text_arg(rq, rs, "q", &q.text) < 0 ||
	    text_arg(rq, rs, "type", &types) < 0)
		return;
	if (types_arg(types ? types : "alert,intel,event", &q.types, rs) < 0)
		return;
	int ver;
	uint8_t a[16];
	unsigned plen;
	char key[STORE_NAME_MAX];
	if (q.host && store_parse_prefix(q.host, &ver, a, &plen) < 0) {
		web_error(rs, 400, "host: an IPv4 or IPv6 address or CIDR");
		return;
	}
	if (q.domain && !store_name_key(q.domain, strlen(q.domain), key)) {
		web_error(rs, 400, "domain: a DNS name");
		return;
	}
	q.limit = (uint64_t)limit + 1; /* one more says whether there are more */
	struct lines ls = {0};
	int64_t n = store_query_each(rq->db, &q, add_line, &ls);
	if (n < 0) {
		lines_free(&ls);
		web_error(rs, 500, "store error: %s", sqlite3_errmsg(rq->db));
		return;
	}
	if (ls.oom) {
		lines_free(&ls);
		web_error(rs, 500, "out of memory");
		return;
	}
	/* lines come oldest first: answer newest first, without the extra one */
	size_t nl = ls.n;
	char **line = ls.line;
	bool more = (int64_t)nl > limit;
	size_t from = more ? 1 : 0, cap = ls.len + ls.n + 128; /* lines, commas, the rest */
	/* a page that would end inside a group of records of one time (the
	 * extra record has the oldest one's time) would lose the rest of the
	 * group (until is exclusive): the group goes to the next page whole,
	 * unless it is the whole page */
	if (more && same_time(line[0], line[1])) {
		size_t g = 1;
		while (g + 1 < nl && same_time(line[1], line[g + 1]))
			g++;
		if (g + 1 < nl)
			from = g + 1;
	}
	char *out = malloc(cap);
	if (!out) {
		lines_free(&ls);
		web_error(rs, 500, "out of memory");
		return;
	}
	size_t o = (size_t)snprintf(out, cap, "{\"events\":[");
	for (size_t i = nl; i > from; i--) {
		size_t l = strlen(line[i - 1]);
		if (i != nl)
			out[o++] = ',';
		memcpy(out + o, line[i - 1], l);
		o += l;
	}
	o +=
	    (size_t)snprintf(out + o, cap - o, "],\"count\":%zu,\"limit\":%" PRId64 ",\"more\":%s}",
			     nl - from, limit, more ? "true" : "false");
	lines_free(&ls);
	web_text(rs, 200, "application/json", out, o);
}

/* ---- sensor health ---- */

enum check_group { G_DROPS, G_MEMCAP, G_CAPS };
static const char *const group_name[] = {"drops", "memcap", "caps"};

/* The counters that say something was lost, and what. */
static const struct check {
	const char *counter;
	enum check_group group;
	const char *what;
} checks[] = {
    {"capture.kernel_drops", G_DROPS, "packets the kernel dropped (capture buffer full)"},
    {"capture.kernel_ifdrops", G_DROPS, "packets the interface dropped"},
    {"capture.ring_drops", G_DROPS, "packets dropped at a full worker ring"},
    {"analytics.obs_dropped", G_DROPS, "observations the analytics could not take"},
    {"detect.alert_queue_overflow", G_DROPS, "alerts beyond a packet's alert queue"},
    {"store.dropped_rows", G_DROPS, "records the store dropped at its queue's cap"},
    {"store.lost_rows", G_DROPS, "records the store could not write"},
    {"flow.memcap_evictions", G_MEMCAP, "flows evicted at flow.memcap"},
    {"tcp.segment_memcap_drops", G_MEMCAP, "TCP segments not reassembled at the stream memcap"},
    {"defrag.memcap_drops", G_MEMCAP, "fragments dropped at defrag.memcap"},
    {"tcp.segment_limit_drops", G_CAPS, "TCP segments beyond a stream's segment limit"},
    {"defrag.max_frags_drops", G_CAPS, "fragments beyond a datagram's limit"},
    {"defrag.trackers_full", G_CAPS, "datagrams not reassembled: tracker table full"},
    {"app_layer.file_store.cap_reached", G_CAPS, "files not hashed whole: file cap"},
    {"app_layer.http.held_data_over_cap", G_CAPS, "HTTP data beyond the held-data cap"},
    {"app_layer.dns.tx_evicted", G_CAPS, "DNS transactions evicted unanswered"},
    {"app_layer.tls.store_full", G_CAPS, "TLS handshakes beyond the buffer"},
    {"detect.threshold_table_full", G_CAPS, "threshold entries not kept: table full"},
    {"detect.datasets.full", G_CAPS, "dataset values not added: set full"},
    {"analytics.flow_state_full", G_CAPS, "flows the analytics could not follow"},
    {"analytics.scan.evicted", G_CAPS, "scan sources evicted"},
    {"analytics.beacon.evicted", G_CAPS, "beacon series evicted"},
    {"analytics.dns_tunnel.evicted", G_CAPS, "DNS tunnel candidates evicted"},
    {"analytics.exfil.evicted", G_CAPS, "exfiltration pairs evicted"},
    {"analytics.darknet.overflow", G_CAPS, "darknet entries beyond the day's cap"},
    {"analytics.daily.overflow", G_CAPS, "monitored addresses beyond the day's cap"},
    {"store.truncated_strings", G_CAPS, "strings cut at the store's length cap"},
};

static int64_t counter(json_t *c, const char *name)
{
	return json_integer_value(json_object_get(c, name));
}

static void health_json(json_t *counters, json_t *o)
{
	int64_t sum[3] = {0, 0, 0};
	json_t *list = json_array();
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		int64_t v = counter(counters, checks[i].counter);
		sum[checks[i].group] += v;
		json_t *c = json_object();
		json_object_set_new(c, "counter", json_string(checks[i].counter));
		json_object_set_new(c, "group", json_string(group_name[checks[i].group]));
		json_object_set_new(c, "value", json_integer(v));
		json_object_set_new(c, "what", json_string(checks[i].what));
		json_array_append_new(list, c);
	}
	json_object_set_new(o, "status",
			    json_string(sum[G_DROPS] || sum[G_MEMCAP] ? "degraded" : "ok"));
	json_object_set_new(o, "drops", json_integer(sum[G_DROPS]));
	json_object_set_new(o, "memcap", json_integer(sum[G_MEMCAP]));
	json_object_set_new(o, "caps", json_integer(sum[G_CAPS]));
	json_object_set_new(o, "checks", list);
}

static int64_t group_sum(json_t *counters, enum check_group g)
{
	int64_t v = 0;
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (checks[i].group == g)
			v += counter(counters, checks[i].counter);
	return v;
}

void api_stats(struct web_req *rq, struct web_resp *rs)
{
	sqlite3_stmt *st;
	json_t *o = json_object(), *hist = json_array(), *health = json_object();
	json_t *newest = NULL;
	int64_t newest_ts = 0;
	/* the newest rows, oldest first */
	static const char sql[] = "SELECT ts, counters FROM (SELECT ts, counters, id FROM stats"
				  " ORDER BY ts DESC, id DESC LIMIT ?1) ORDER BY ts, id";
	if (sqlite3_prepare_v2(rq->db, sql, -1, &st, NULL) != SQLITE_OK) {
		json_decref(o);
		json_decref(hist);
		json_decref(health);
		web_error(rs, 500, "store error: %s", sqlite3_errmsg(rq->db));
		return;
	}
	sqlite3_bind_int(st, 1, WEB_HISTORY_MAX);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_error_t je;
		const char *text = (const char *)sqlite3_column_text(st, 1);
		json_t *c = text ? json_loads(text, 0, &je) : NULL;
		if (!json_is_object(c)) {
			json_decref(c);
			continue;
		}
		char ts[48];
		int64_t t = sqlite3_column_int64(st, 0);
		web_time_text(t, ts, sizeof(ts));
		json_t *h = json_object();
		json_object_set_new(h, "ts", json_string(ts));
		json_object_set_new(h, "packets", json_integer(counter(c, "capture.packets")));
		json_object_set_new(h, "drops", json_integer(group_sum(c, G_DROPS)));
		json_object_set_new(h, "memcap", json_integer(group_sum(c, G_MEMCAP)));
		json_array_append_new(hist, h);
		json_decref(newest);
		newest = c;
		newest_ts = t;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(newest);
		json_decref(o);
		json_decref(hist);
		json_decref(health);
		web_error(rs, 500, "store error: %s", sqlite3_errmsg(rq->db));
		return;
	}
	if (!newest)
		newest = json_object();
	char ts[48];
	web_time_text(newest_ts, ts, sizeof(ts));
	json_object_set_new(o, "ts", newest_ts ? json_string(ts) : json_null());
	health_json(newest, health);
	json_object_set_new(o, "counters", newest);
	json_object_set_new(o, "health", health);
	json_object_set_new(o, "history", hist);
	json_t *srv = json_object();
	const struct web_counters *c = &rq->srv->c;
#define X(name, what)                                                                              \
	json_object_set_new(srv, #name, json_integer((json_int_t)atomic_load(&c->name)));
	WEB_COUNTERS(X)
#undef X
	json_object_set_new(
	    srv, "errors",
	    json_integer((json_int_t)(atomic_load(&c->status_4xx) + atomic_load(&c->status_5xx))));
	json_object_set_new(o, "serve", srv);
	web_json(rs, 200, o);
}

void api_zones(struct web_req *rq, struct web_resp *rs)
{
	int64_t since, until;
	const char *zone;
	if (web_time_arg(rq, rs, "since", INT64_MIN, &since) < 0 ||
	    web_time_arg(rq, rs, "until", INT64_MAX, &until) < 0 ||
	    text_arg(rq, rs, "zone", &zone) < 0)
		return;
	json_t *r = audit_report(rq->db, rq->srv->cfg, since, until, zone);
	if (!r) {
		web_error(rs, 500, "store error: %s", sqlite3_errmsg(rq->db));
		return;
	}
	web_json(rs, 200, r);
}
