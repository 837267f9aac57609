/*
 * fuzz_web — the API's router and handlers (src/web/) with any request,
 * over a small store made at start (daily counters, darknet and zone rows,
 * an incident, events, a stats row). The input is
 *
 *	METHOD PATH\n
 *	?key=value\n	(query arguments, any number)
 *	Name: value\n	(headers: Authorization, Cookie, Origin, Host,
 *			 X-Mamori-CSRF, If-None-Match)
 *	\n
 *	body
 *
 * and a first byte 'T' asks for a server with a token. Every answer must
 * carry a known status, and a JSON answer must be valid JSON.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/log.h"
#include "store/query.h"
#include "store/store.h"
#include "web/web_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct web_server *srv;
static struct config cfg;
static sqlite3 *pool_db;
static bool pool_busy;

static const char seed_sql[] =
    "INSERT INTO daily(ts, kind, key, value, json) VALUES"
    " (1705276800000000, 'attacks', 'total', 12, NULL),"
    " (1705276800000000, 'attacks', 'scan', 5, NULL),"
    " (1705276800000000, 'attacks', 'darknet', 7, NULL),"
    " (1705276800000000, 'attack_sources', 'distinct', 3, NULL),"
    " (1705276800000000, 'darknet', '203.0.113.5|6|23', 7, '{\"class\":\"scan\"}'),"
    " (1705276800000000, 'zone', 'ot|flows', 4, '{\"networks\":\"10.50.0.0/24\","
    "\"internet\":\"deny\",\"allow\":\"ot\"}'),"
    " (1705276800000000, 'zone', 'ot|violations', 1, NULL);"
    "INSERT INTO event(ts, flow_id, proto, src, dst, sp, dp, type, severity, json) VALUES"
    " (1705309500000000, 1, 6, x'0a0a0117', x'b9f37354', 40000, 443, 'beacon', 2,"
    " '{\"timestamp\":\"2024-01-15T09:05:00.000000+0000\",\"event_type\":\"beacon\"}');"
    "INSERT INTO stats(ts, counters) VALUES (1705309500000000,"
    " '{\"capture.packets\":100,\"capture.kernel_drops\":2}');"
    "INSERT INTO incident(id, first, last, updated, score, severity, status, title, hosts,"
    " infra, signals, bytes_out) VALUES (1, 1705309500000000, 1705310000000000,"
    " 1705310000000000, 50, 'medium', 'open', 'Command and control', 1, 1, 1, 100);"
    "INSERT INTO incident_key(key, incident, first, last) VALUES"
    " ('h:10.10.1.23', 1, 1705309500000000, 1705310000000000);"
    "INSERT INTO incident_signal(incident, tbl, row, ts) VALUES (1, 2, 1, 1705309500000000);";

static int setup(void)
{
	char dir[] = "/tmp/mamori-fuzz-web-XXXXXX", path[128];
	log_set_level(LOG_ERROR);
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/mamori.db", dir);
	config_defaults(&cfg);
	struct store_opts o;
	store_opts_from_config(&o, &cfg, 1);
	struct store *st = store_open(path, &o);
	if (!st || store_finish(st) < 0)
		return -1;
	store_free(st);
	sqlite3 *w;
	if (store_open_writer(path, &w) < 0 || sqlite3_exec(w, seed_sql, NULL, NULL, NULL))
		return -1;
	sqlite3_close(w);
	if (store_open_reader(path, &pool_db) < 0)
		return -1;
	srv = calloc(1, sizeof(*srv));
	srv->cfg = &cfg;
	snprintf(srv->store, sizeof(srv->store), "%s", path);
	snprintf(srv->listen, sizeof(srv->listen), "127.0.0.1");
	srv->loopback = true;
	if (incident_ctx_init(&srv->ix, &cfg, NULL) < 0 || web_auth_init(srv, NULL) < 0)
		return -1;
	pthread_mutex_init(&srv->pool_lock, NULL);
	pthread_cond_init(&srv->pool_cond, NULL);
	pthread_mutex_init(&srv->upload_lock, NULL);
	srv->pool = &pool_db;
	srv->pool_busy = &pool_busy;
	srv->pool_n = 1;
	return 0;
}

/* The next line of [*p, end) as a NUL-terminated copy in buf. */
static bool next_line(const char **p, const char *end, char *buf, size_t len)
{
	if (*p >= end)
		return false;
	const char *e = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = (size_t)((e ? e : end) - *p);
	if (n >= len)
		n = len - 1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p = e ? e + 1 : end;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready = 0;
	if (!ready)
		ready = setup() == 0 ? 1 : -1;
	if (ready < 0)
		abort();
	if (size > 65536)
		return 0;
	const char *p = (const char *)data, *end = p + size;
	srv->token = size && *p == 'T';
	if (srv->token) {
		memset(srv->token_hash, 0x5a, sizeof(srv->token_hash));
		snprintf(srv->session, sizeof(srv->session), "%064d", 0);
		p++;
	}
	static char lines[64][512];
	unsigned nl = 0;
	struct web_req rq;
	memset(&rq, 0, sizeof(rq));
	rq.srv = srv;
	if (!next_line(&p, end, lines[nl], sizeof(lines[0])))
		return 0;
	char *sp = strchr(lines[nl], ' ');
	if (!sp)
		return 0;
	*sp = '\0';
	rq.method = lines[nl];
	rq.path = sp + 1;
	nl++;
	while (nl < 64 && next_line(&p, end, lines[nl], sizeof(lines[0])) && lines[nl][0]) {
		char *l = lines[nl++];
		if (l[0] == '?') {
			char *eq = strchr(l, '=');
			if (eq)
				*eq = '\0';
			if (rq.n_args == WEB_ARGS_MAX)
				rq.args_over = true;
			else
				rq.args[rq.n_args++] = (struct web_arg){l + 1, eq ? eq + 1 : NULL};
			continue;
		}
		char *colon = strchr(l, ':');
		if (!colon)
			continue;
		*colon = '\0';
		const char *v = colon[1] == ' ' ? colon + 2 : colon + 1;
		if (!strcasecmp(l, "Authorization"))
			rq.authorization = v;
		else if (!strcasecmp(l, "Cookie"))
			rq.cookie = v;
		else if (!strcasecmp(l, "Origin"))
			rq.origin = v;
		else if (!strcasecmp(l, "Host"))
			rq.host = v;
		else if (!strcasecmp(l, "X-Mamori-CSRF"))
			rq.csrf = v;
		else if (!strcasecmp(l, "If-None-Match"))
			rq.if_none_match = v;
	}
	rq.body = p;
	rq.body_len = (size_t)(end - p);
	/* an upload would import files: the CSRF value is random, so it is
	 * refused before that; a live feed is only set up, not read */
	struct web_resp rs;
	web_handle(&rq, &rs);
	static const int known[] = {200, 204, 304, 400, 401, 403, 404, 405, 409, 413, 500, 503};
	bool ok = false;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ok |= rs.status == known[i];
	if (!ok || rs.status == 500)
		abort();
	const char *body = rs.body ? rs.body : rs.static_body;
	if (rs.type && !strcmp(rs.type, "application/json") && !rs.live) {
		json_error_t je;
		json_t *j = json_loadb(body, rs.len, 0, &je);
		if (!j)
			abort();
		json_decref(j);
	}
	if (rs.live)
		web_live_free(rs.live);
	free(rs.body);
	return 0;
}
