/*
 * web_int.h — what the server's parts share: the server, a request as the
 * handlers see it (no libmicrohttpd types: the router and the handlers run
 * the same under the fuzzer), a response, and the handlers.
 */
#ifndef MAMORI_WEB_WEB_INT_H
#define MAMORI_WEB_WEB_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "incident/incident.h"

struct sqlite3;

#define WEB_ARGS_MAX	 32	    /* query arguments read; more: 400 */
#define WEB_EVENTS_MAX	 1000	    /* events one search returns */
#define WEB_DAYS_MAX	 366	    /* days an overview covers */
#define WEB_TOP_MAX	 10	    /* rows of each top list */
#define WEB_HISTORY_MAX	 500	    /* stats rows of the health history */
#define WEB_NAME_MAX	 100	    /* an uploaded feed's file name */
#define WEB_POOL_WAIT_MS 10000	    /* waiting for a read connection; then 503 */
#define WEB_URL_MAX	 4096	    /* longer: 414 */
#define WEB_HEADERS_MAX	 (32 << 10) /* libmicrohttpd's memory per connection */

/* The server's counters (atomic: every connection has its own thread). */
#define WEB_COUNTERS(X)                                                                            \
	X(requests, "requests answered")                                                           \
	X(status_2xx, "answered 2xx")                                                              \
	X(status_3xx, "answered 3xx (not modified)")                                               \
	X(status_4xx, "answered 4xx")                                                              \
	X(status_5xx, "answered 5xx")                                                              \
	X(unauthorized, "refused: no or wrong token")                                              \
	X(forbidden, "refused: CSRF header, origin or host")                                       \
	X(too_large, "refused: body, URL or arguments over their limit")                           \
	X(live_clients, "live-feed clients now")                                                   \
	X(live_refused, "live-feed clients refused at serve.max-live")                             \
	X(live_sent, "live-feed records sent")                                                     \
	X(live_skipped, "live-feed records skipped (more than a poll sends)")                      \
	X(pool_waits, "requests that waited for a read connection")                                \
	X(pool_timeouts, "requests refused: no read connection in time (503)")                     \
	X(uploads, "intel uploads imported")                                                       \
	X(store_errors, "requests that met a store error (500)")

struct web_counters {
#define X(name, what) atomic_uint_fast64_t name;
	WEB_COUNTERS(X)
#undef X
};

struct web_server {
	const struct config *cfg;
	char store[4096];	/* the store's path */
	struct incident_ctx ix; /* documents of incidents */
	bool token;		/* a token is required */
	uint8_t token_hash[32]; /* SHA-256 of the token */
	char session[65];	/* the session cookie's value (hex) */
	char csrf[33];		/* the CSRF value (hex) */
	char listen[256];	/* the address bound, as text */
	bool loopback;		/* bound to a loopback address */
	uint16_t port;		/* the port bound */
	const char *static_dir; /* NULL: the embedded files */
	char static_real[4096]; /* static_dir, resolved */
	struct web_counters c;
	atomic_bool stop;
	pthread_mutex_t upload_lock; /* one intel upload at a time */
	/* read connections to the store */
	pthread_mutex_t pool_lock;
	pthread_cond_t pool_cond;
	struct sqlite3 **pool;
	bool *pool_busy;
	unsigned pool_n;
};

struct web_arg {
	const char *key, *value;
};

struct web_req {
	struct web_server *srv;
	const char *method; /* "GET", "POST", ... */
	const char *path;   /* decoded, without the query */
	struct web_arg args[WEB_ARGS_MAX];
	unsigned n_args;
	bool args_over; /* more than WEB_ARGS_MAX */
	/* headers (NULL when absent) */
	const char *authorization, *cookie, *origin, *host, *csrf, *if_none_match;
	const char *body; /* the body (POST), body_len bytes */
	size_t body_len;
	struct sqlite3 *db; /* a read connection, while the handler runs (routes with db) */
};

struct web_live;

struct web_resp {
	int status;
	const char *type; /* Content-Type */
	char *body;	  /* malloc'ed (owned), or static_body */
	const void *static_body;
	size_t len;
	char disposition[160]; /* Content-Disposition, or "" */
	char cookie[192];      /* Set-Cookie, or "" */
	const char *csp;       /* NULL: the dashboard's policy */
	const char *etag;      /* a static file's validator, or NULL */
	struct web_live *live; /* a live feed: the body is streamed */
};

/* ---- router.c ---- */

/* Answer one request (auth, CSRF, the route's handler). Fills rs. */
void web_handle(struct web_req *rq, struct web_resp *rs);

/* The argument's value, or NULL. */
const char *web_arg(const struct web_req *rq, const char *key);

/* Responses: JSON (takes the reference), an error {"error": msg}, text. */
void web_json(struct web_resp *rs, int status, json_t *j);
void web_error(struct web_resp *rs, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void web_text(struct web_resp *rs, int status, const char *type, char *body, size_t len);

/* Parameters: a time (RFC 3339, date, "now", age) in µs, def when absent;
 * a number in [lo, hi], def when absent. -1 after web_error. */
int web_time_arg(const struct web_req *rq, struct web_resp *rs, const char *key, int64_t def,
		 int64_t *out);
int web_int_arg(const struct web_req *rq, struct web_resp *rs, const char *key, int64_t lo,
		int64_t hi, int64_t def, int64_t *out);

/* An address column (4 or 16 bytes) as text; "" when neither. */
void web_addr_text(const void *blob, int len, char *out, size_t outlen);

/* A µs time as EVE's RFC 3339 text; a UTC day (days since the epoch) as
 * YYYY-MM-DD. */
void web_time_text(int64_t us, char *out, size_t outlen);
void web_day_text(int64_t day, char out[11]);

/* ---- auth.c ---- */

/* Set up the token (file, may be NULL), session and CSRF values. -1 after
 * a message. */
int web_auth_init(struct web_server *s, const char *token_file);
/* May this request use the API? Answers 401/403 itself when not. */
bool web_auth_ok(struct web_req *rq, struct web_resp *rs);
/* Does the Host header name this server (DNS rebinding)? */
bool web_host_ok(const struct web_req *rq);
/* CSRF: the header and the origin of a state-changing request. */
bool web_csrf_ok(const struct web_req *rq);
/* Constant-time comparison of two strings. */
bool web_same(const char *a, const char *b);

/* ---- handlers ---- */
void api_session(struct web_req *rq, struct web_resp *rs);
void api_login(struct web_req *rq, struct web_resp *rs);
void api_summary(struct web_req *rq, struct web_resp *rs);
void api_darknet(struct web_req *rq, struct web_resp *rs);
void api_events(struct web_req *rq, struct web_resp *rs);
void api_stats(struct web_req *rq, struct web_resp *rs);
void api_zones(struct web_req *rq, struct web_resp *rs);
void api_incidents(struct web_req *rq, struct web_resp *rs);
void api_incident(struct web_req *rq, struct web_resp *rs);
void api_intel(struct web_req *rq, struct web_resp *rs);
void api_live(struct web_req *rq, struct web_resp *rs);
void web_static(struct web_req *rq, struct web_resp *rs);

/* ---- live.c ---- */

/* The next bytes of a live feed into buf (at most max): > 0 bytes, 0 when
 * nothing yet (call again), -1 at its end. Blocks up to about a second. */
long web_live_read(struct web_live *l, char *buf, size_t max);
void web_live_free(struct web_live *l);

/* ---- server.c ---- */

/* A read connection from the pool (NULL after 503 in rs), and back. */
struct sqlite3 *web_db_get(struct web_server *s, struct web_resp *rs);
void web_db_put(struct web_server *s, struct sqlite3 *db);

#endif
