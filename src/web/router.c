/*
 * router — one request to its handler: the route table (one line per
 * endpoint), the checks every route asks for (Host, token, CSRF), a read
 * connection for the routes that query the store, and the helpers the
 * handlers answer with.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/json.h"
#include "store/query.h"
#include "store/store_util.h"
#include "web/web_int.h"

enum {
	R_AUTH = 1, /* the token, when one is configured */
	R_DB = 2,   /* a read connection for the handler */
	R_CSRF = 4, /* a state-changing request: the CSRF header and origin */
};

static const struct route {
	const char *method;
	const char *path;
	bool prefix; /* path and anything below it */
	unsigned flags;
	void (*fn)(struct web_req *rq, struct web_resp *rs);
} routes[] = {
    {"GET", "/api/session", false, 0, api_session},
    {"POST", "/api/login", false, 0, api_login},
    {"GET", "/api/summary", false, R_AUTH | R_DB, api_summary},
    {"GET", "/api/darknet", false, R_AUTH | R_DB, api_darknet},
    {"GET", "/api/events", false, R_AUTH | R_DB, api_events},
    {"GET", "/api/stats", false, R_AUTH | R_DB, api_stats},
    {"GET", "/api/zones", false, R_AUTH | R_DB, api_zones},
    {"GET", "/api/incidents", false, R_AUTH | R_DB, api_incidents},
    {"GET", "/api/incidents/", true, R_AUTH | R_DB, api_incident},
    {"POST", "/api/intel", false, R_AUTH | R_CSRF, api_intel},
    {"GET", "/api/live", false, R_AUTH, api_live},
};

const char *web_arg(const struct web_req *rq, const char *key)
{
	for (unsigned i = 0; i < rq->n_args; i++)
		if (!strcmp(rq->args[i].key, key))
			return rq->args[i].value ? rq->args[i].value : "";
	return NULL;
}

void web_text(struct web_resp *rs, int status, const char *type, char *body, size_t len)
{
	free(rs->body);
	rs->status = status;
	rs->type = type;
	rs->body = body;
	rs->len = body ? len : 0;
	rs->static_body = NULL;
}

void web_json(struct web_resp *rs, int status, json_t *j)
{
	char *s =
	    j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(16)) : NULL;
	json_decref(j);
	if (!s) {
		web_error(rs, 500, "out of memory");
		return;
	}
	web_text(rs, status, "application/json", s, strlen(s));
}

void web_error(struct web_resp *rs, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_t *o = json_object();
	json_t *m = json_string(msg);
	json_object_set_new(o, "error", m ? m : json_string("(message not UTF-8)"));
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	static const char oom[] = "{\"error\":\"out of memory\"}";
	if (!s) {
		web_text(rs, 500, "application/json", NULL, 0);
		rs->static_body = oom;
		rs->len = sizeof(oom) - 1;
		return;
	}
	web_text(rs, status, "application/json", s, strlen(s));
}

int web_time_arg(const struct web_req *rq, struct web_resp *rs, const char *key, int64_t def,
		 int64_t *out)
{
	const char *v = web_arg(rq, key);
	*out = def;
	if (!v || !*v)
		return 0;
	int64_t now = rq->db ? store_reader_clock(rq->db) : 0;
	if (strlen(v) > 64 || store_parse_time(v, now, out) < 0) {
		web_error(rs, 400,
			  "%s: a time is RFC 3339, a date (YYYY-MM-DD), 'now' or an age (7d, 24h, "
			  "30m, 90s)",
			  key);
		return -1;
	}
	return 0;
}

int web_int_arg(const struct web_req *rq, struct web_resp *rs, const char *key, int64_t lo,
		int64_t hi, int64_t def, int64_t *out)
{
	const char *v = web_arg(rq, key);
	*out = def;
	if (!v || !*v)
		return 0;
	char *end;
	long long n = strtoll(v, &end, 10);
	if (*end || strlen(v) > 19 || n < lo || n > hi) {
		web_error(rs, 400, "%s: a whole number from %" PRId64 " to %" PRId64, key, lo, hi);
		return -1;
	}
	*out = n;
	return 0;
}

void web_addr_text(const void *blob, int len, char *out, size_t outlen)
{
	if (!blob || (len != 4 && len != 16) ||
	    !inet_ntop(len == 4 ? AF_INET : AF_INET6, blob, out, (socklen_t)outlen))
		snprintf(out, outlen, "%s", "");
}

void web_time_text(int64_t us, char *out, size_t outlen)
{
	json_format_ts((uint64_t)(us > 0 ? us : 0) * 1000, out, outlen);
}

void web_day_text(int64_t day, char out[11])
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, 11, "%04d-%02d-%02d", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
		 tm.tm_mday % 100);
}

static bool has_control(const char *p)
{
	for (; *p; p++)
		if ((unsigned char)*p < 32 || *p == 127)
			return true;
	return false;
}

void web_handle(struct web_req *rq, struct web_resp *rs)
{
	struct web_server *s = rq->srv;
	memset(rs, 0, sizeof(*rs));
	rs->status = 500;
	if (!web_host_ok(rq)) {
		atomic_fetch_add(&s->c.forbidden, 1);
		web_error(rs, 403, "the Host header does not name this server");
		return;
	}
	if (rq->args_over) {
		atomic_fetch_add(&s->c.too_large, 1);
		web_error(rs, 400, "more than %d query arguments", WEB_ARGS_MAX);
		return;
	}
	if (has_control(rq->path)) {
		web_error(rs, 400, "a control byte (or NUL) in the path");
		return;
	}
	for (unsigned i = 0; i < rq->n_args; i++)
		if (has_control(rq->args[i].key) ||
		    (rq->args[i].value && has_control(rq->args[i].value))) {
			web_error(rs, 400, "a control byte (or NUL) in a query argument");
			return;
		}
	if (strncmp(rq->path, "/api/", 5) != 0 && strcmp(rq->path, "/api")) {
		if (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD")) {
			web_error(rs, 405, "%s: only GET", rq->path);
			return;
		}
		web_static(rq, rs);
		return;
	}
	const struct route *r = NULL;
	bool path_known = false;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *t = &routes[i];
		size_t n = strlen(t->path);
		bool hit = t->prefix ? !strncmp(rq->path, t->path, n) && rq->path[n]
				     : !strcmp(rq->path, t->path);
		if (!hit)
			continue;
		path_known = true;
		if (!strcmp(rq->method, t->method)) {
			r = t;
			break;
		}
	}
	/* without the token nothing tells which endpoints exist */
	if ((!r || (r->flags & R_AUTH)) && strcmp(rq->path, "/api/session") &&
	    strcmp(rq->path, "/api/login") && !web_auth_ok(rq, rs))
		return;
	if (!r) {
		if (path_known)
			web_error(rs, 405, "%s: method %s not allowed", rq->path, rq->method);
		else
			web_error(rs, 404, "%s: no such API endpoint (docs/web.md)", rq->path);
		return;
	}
	if ((r->flags & R_CSRF) && !web_csrf_ok(rq)) {
		atomic_fetch_add(&s->c.forbidden, 1);
		web_error(rs, 403,
			  "a state-changing request needs the X-Mamori-CSRF header (GET "
			  "/api/session) and this server's origin");
		return;
	}
	if (r->flags & R_DB) {
		rq->db = web_db_get(s, rs);
		if (!rq->db)
			return;
	}
	r->fn(rq, rs);
	if (rq->db) {
		web_db_put(s, rq->db);
		rq->db = NULL;
	}
}
