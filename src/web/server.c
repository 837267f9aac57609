/*
 * server — `mamori serve`: libmicrohttpd with a thread per connection (a
 * live feed blocks its own thread, nobody else's), at most
 * serve.max-clients connections, each with a bounded header buffer
 * (WEB_HEADERS_MAX: longer request lines and headers are refused by the
 * library), an idle timeout and a bounded body. Requests become a web_req
 * for the router; the store is read through a small pool of read
 * connections (WAL: readers never block the writer of a running
 * `mamori read` or `mamori live`).
 */
#include "web/web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "incident/incident.h"
#include "store/query.h"
#include "store/store.h"
#include "store/store_util.h"
#include "web/web_int.h"

/* The dashboard's policy: its own scripts, styles and API only. */
#define DASHBOARD_CSP                                                                              \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "          \
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

/* What one connection's request gathers before it is answered. */
struct conn_state {
	char *body;
	size_t len, cap;
	bool refused;	  /* answered before its body was read */
	bool too_large;	  /* a body without a length grew over serve.max-body */
	uint64_t skipped; /* of it, bytes read and dropped */
};

/* Bytes of a too large body read and dropped before the connection is
 * closed without an answer. */
#define DISCARD_MAX (64ull << 20)

/* ---- the pool of read connections ---- */

struct sqlite3 *web_db_get(struct web_server *s, struct web_resp *rs)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WEB_POOL_WAIT_MS / 1000;
	pthread_mutex_lock(&s->pool_lock);
	bool waited = false;
	for (;;) {
		for (unsigned i = 0; i < s->pool_n; i++)
			if (!s->pool_busy[i]) {
				s->pool_busy[i] = true;
				pthread_mutex_unlock(&s->pool_lock);
				return s->pool[i];
			}
		if (!waited)
			atomic_fetch_add(&s->c.pool_waits, 1);
		waited = true;
		if (pthread_cond_timedwait(&s->pool_cond, &s->pool_lock, &until) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&s->pool_lock);
	atomic_fetch_add(&s->c.pool_timeouts, 1);
	if (rs)
		web_error(rs, 503, "the store is busy: try again");
	return NULL;
}

void web_db_put(struct web_server *s, struct sqlite3 *db)
{
	pthread_mutex_lock(&s->pool_lock);
	for (unsigned i = 0; i < s->pool_n; i++)
		if (s->pool[i] == db) {
			/* a statement left open would pin an old snapshot */
			sqlite3_stmt *st;
			while ((st = sqlite3_next_stmt(db, NULL)))
				sqlite3_finalize(st);
			s->pool_busy[i] = false;
		}
	pthread_cond_signal(&s->pool_cond);
	pthread_mutex_unlock(&s->pool_lock);
}

static int pool_open(struct web_server *s, unsigned n)
{
	s->pool = calloc(n, sizeof(*s->pool));
	s->pool_busy = calloc(n, sizeof(*s->pool_busy));
	if (!s->pool || !s->pool_busy)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		if (store_open_reader(s->store, &s->pool[i]) < 0)
			return -1;
		s->pool_n++;
	}
	return 0;
}

static void pool_close(struct web_server *s)
{
	for (unsigned i = 0; i < s->pool_n; i++)
		sqlite3_close(s->pool[i]);
	free(s->pool);
	free(s->pool_busy);
}

/* ---- libmicrohttpd ---- */

static enum MHD_Result arg_of(void *cls, enum MHD_ValueKind kind, const char *key,
			      const char *value)
{
	(void)kind;
	struct web_req *rq = cls;
	if (rq->n_args == WEB_ARGS_MAX) {
		rq->args_over = true;
		return MHD_NO;
	}
	rq->args[rq->n_args++] = (struct web_arg){key, value};
	return MHD_YES;
}

/* Percent-decoding (URL and arguments): a decoded NUL becomes byte 0x01,
 * which the router refuses with every other control byte, so that text
 * after a NUL is never silently dropped. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	size_t n = MHD_http_unescape(s);
	for (size_t i = 0; i < n; i++)
		if (!s[i])
			s[i] = 1;
	return n;
}

static const char *header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static ssize_t live_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	for (;;) {
		long n = web_live_read(cls, buf, max);
		if (n < 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (n > 0)
			return (ssize_t)n;
	}
}

static void live_free(void *cls)
{
	web_live_free(cls);
}

static void count_status(struct web_server *s, int status)
{
	atomic_fetch_add(&s->c.requests, 1);
	if (status < 300)
		atomic_fetch_add(&s->c.status_2xx, 1);
	else if (status < 400)
		atomic_fetch_add(&s->c.status_3xx, 1);
	else if (status < 500)
		atomic_fetch_add(&s->c.status_4xx, 1);
	else
		atomic_fetch_add(&s->c.status_5xx, 1);
}

static enum MHD_Result send_resp(struct web_server *s, struct MHD_Connection *c,
				 struct web_resp *rs, bool api)
{
	struct MHD_Response *r;
	if (rs->live)
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, live_reader,
						      rs->live, live_free);
	else if (rs->static_body)
		r = MHD_create_response_from_buffer(rs->len, (void *)rs->static_body,
						    MHD_RESPMEM_PERSISTENT);
	else
		r = MHD_create_response_from_buffer(rs->len, rs->body ? rs->body : (void *)"",
						    rs->body ? MHD_RESPMEM_MUST_FREE
							     : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		if (rs->live)
			web_live_free(rs->live);
		free(rs->body);
		return MHD_NO;
	}
	rs->body = NULL;
	rs->live = NULL;
	if (rs->type && rs->status != 204 && rs->status != 304)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rs->type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Content-Security-Policy", rs->csp ? rs->csp : DASHBOARD_CSP);
	MHD_add_response_header(r, "Cache-Control", api || !rs->etag ? "no-store" : "no-cache");
	if (rs->etag)
		MHD_add_response_header(r, "ETag", rs->etag);
	if (rs->disposition[0])
		MHD_add_response_header(r, "Content-Disposition", rs->disposition);
	if (rs->cookie[0])
		MHD_add_response_header(r, "Set-Cookie", rs->cookie);
	if (rs->status == 405)
		MHD_add_response_header(r, "Allow", "GET, POST");
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)rs->status, r);
	MHD_destroy_response(r);
	count_status(s, rs->status);
	return ret;
}

/* Refuse a request before its body (too large, too long a URL). */
static enum MHD_Result refuse(struct web_server *s, struct MHD_Connection *c, struct conn_state *cs,
			      int status, const char *msg)
{
	struct web_resp rs;
	memset(&rs, 0, sizeof(rs));
	atomic_fetch_add(&s->c.too_large, 1);
	web_error(&rs, status, "%s", msg);
	cs->refused = true;
	return send_resp(s, c, &rs, true);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct web_server *s = cls;
	struct conn_state *cs = *con_cls;
	if (!cs) {
		if (!(cs = calloc(1, sizeof(*cs))))
			return MHD_NO;
		*con_cls = cs;
		if (strlen(url) > WEB_URL_MAX)
			return refuse(s, c, cs, 414, "the URL is too long");
		const char *cl = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > s->cfg->serve_max_body)
			return refuse(s, c, cs, 413, "the body is larger than serve.max-body");
		return MHD_YES;
	}
	if (cs->refused) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		if (cs->too_large || cs->len + n > s->cfg->serve_max_body) {
			/* no length said so: read to its end, answer 413 then */
			cs->too_large = true;
			cs->skipped += n;
			*upload_size = 0;
			return cs->skipped > DISCARD_MAX ? MHD_NO : MHD_YES;
		}
		if (cs->len + n + 1 > cs->cap) {
			size_t cap = cs->cap ? cs->cap : 65536;
			while (cap < cs->len + n + 1)
				cap *= 2;
			char *b = realloc(cs->body, cap);
			if (!b)
				return MHD_NO;
			cs->body = b;
			cs->cap = cap;
		}
		memcpy(cs->body + cs->len, upload, n);
		cs->len += n;
		cs->body[cs->len] = '\0';
		*upload_size = 0;
		return MHD_YES;
	}

	if (cs->too_large)
		return refuse(s, c, cs, 413, "the body is larger than serve.max-body");

	struct web_req rq;
	struct web_resp rs;
	memset(&rq, 0, sizeof(rq));
	rq.srv = s;
	rq.method = method;
	rq.path = url;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, arg_of, &rq);
	rq.authorization = header(c, MHD_HTTP_HEADER_AUTHORIZATION);
	rq.cookie = header(c, MHD_HTTP_HEADER_COOKIE);
	rq.origin = header(c, "Origin");
	rq.host = header(c, MHD_HTTP_HEADER_HOST);
	rq.csrf = header(c, "X-Mamori-CSRF");
	rq.if_none_match = header(c, MHD_HTTP_HEADER_IF_NONE_MATCH);
	rq.body = cs->body;
	rq.body_len = cs->len;
	web_handle(&rq, &rs);
	if (rs.status == 500)
		atomic_fetch_add(&s->c.store_errors, 1);
	return send_resp(s, c, &rs, !strncmp(url, "/api/", 5));
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct conn_state *cs = *con_cls;
	if (cs) {
		free(cs->body);
		free(cs);
	}
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("serve: %s", msg);
}

/* ---- the command ---- */

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: mamori serve [options]\n"
	    "The dashboard and JSON API over a store (docs/web.md), until SIGINT or SIGTERM.\n\n"
	    "options:\n"
	    "      --store PATH     the store (default: mamori.db)\n"
	    "  -d, --dir DIR        the store DIR/mamori.db, as 'mamori read -o DIR' writes it\n"
	    "  -c, --config FILE    YAML configuration (HOME_NET, zones, enrichment, share.*,\n"
	    "                       serve.*)\n"
	    "      --set KEY=VALUE  override one setting (repeatable)\n"
	    "      --listen ADDR    the address to bind (default 127.0.0.1; beyond loopback a\n"
	    "                       token is required)\n"
	    "      --port N         the port (default 8470; 0: any free port)\n"
	    "      --port-file F    write the port bound to F once connections are taken\n"
	    "      --token-file F   the access token: the first line of F\n"
	    "  -q, --quiet          errors only\n"
	    "  -v, --verbose        more messages\n\n"
	    "exit status: 0 stopped by a signal; 1 the store or the port could not be\n"
	    "opened; 2 usage or configuration.\n");
}

static bool parse_listen(const char *a, struct sockaddr_storage *ss, socklen_t *len, bool *v6,
			 bool *loopback)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		*len = sizeof(*s4);
		*v6 = false;
		*loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
		return true;
	}
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		*len = sizeof(*s6);
		*v6 = true;
		*loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
		return true;
	}
	return false;
}

static int write_port_file(const char *path, unsigned port)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 || rename(tmp, path) < 0) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int serve_cmd(int argc, char **argv)
{
	enum { O_STORE = 256, O_SET, O_LISTEN, O_PORT, O_PORT_FILE, O_TOKEN };
	static const struct option opts[] = {
	    {"store", required_argument, NULL, O_STORE},
	    {"dir", required_argument, NULL, 'd'},
	    {"config", required_argument, NULL, 'c'},
	    {"set", required_argument, NULL, O_SET},
	    {"listen", required_argument, NULL, O_LISTEN},
	    {"port", required_argument, NULL, O_PORT},
	    {"port-file", required_argument, NULL, O_PORT_FILE},
	    {"token-file", required_argument, NULL, O_TOKEN},
	    {"quiet", no_argument, NULL, 'q'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *store = NULL, *dir = NULL, *cfgfile = NULL, *port_file = NULL;
	const char *listen_opt = NULL, *port_opt = NULL, *token_opt = NULL;
	struct config *cfg = calloc(1, sizeof(*cfg));
	struct web_server *s = calloc(1, sizeof(*s));
	char **sets = calloc((size_t)argc + 1, sizeof(char *));
	struct MHD_Daemon *d = NULL;
	int nsets = 0, c, rc = 2;
	bool ix = false, locks = false;
	if (!cfg || !s || !sets) {
		free(cfg);
		free(s);
		free(sets);
		return 1;
	}
	config_defaults(cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:c:qvh", opts, NULL)) != -1) {
		switch (c) {
		case O_STORE:
			store = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'c':
			cfgfile = optarg;
			break;
		case O_SET:
			sets[nsets++] = optarg;
			break;
		case O_LISTEN:
			listen_opt = optarg;
			break;
		case O_PORT:
			port_opt = optarg;
			break;
		case O_TOKEN:
			token_opt = optarg;
			break;
		case O_PORT_FILE:
			port_file = optarg;
			break;
		case 'q':
			log_set_level(LOG_ERROR);
			break;
		case 'v':
			log_set_level(LOG_DEBUG);
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind < argc) {
		usage(stderr);
		goto out;
	}
	if (cfgfile && config_load_file(cfg, cfgfile) < 0)
		goto out;
	for (int i = 0; i < nsets; i++)
		if (config_set_kv(cfg, sets[i]) < 0)
			goto out;
	if ((listen_opt && config_set(cfg, "serve.listen", listen_opt, "--listen") < 0) ||
	    (port_opt && config_set(cfg, "serve.port", port_opt, "--port") < 0) ||
	    (token_opt && config_set(cfg, "serve.token-file", token_opt, "--token-file") < 0))
		goto out;
	if (cfg->serve_port > 65535 || !cfg->serve_readers || !cfg->serve_max_clients ||
	    !cfg->serve_max_body) {
		log_error("serve: serve.port is 0-65535; serve.readers, serve.max-clients and "
			  "serve.max-body at least 1");
		goto out;
	}
	s->cfg = cfg;
	store_path_arg(store, dir, s->store, sizeof(s->store));

	struct sockaddr_storage ss;
	socklen_t sslen;
	bool v6;
	snprintf(s->listen, sizeof(s->listen), "%s", cfg->serve_listen);
	if (!parse_listen(s->listen, &ss, &sslen, &v6, &s->loopback)) {
		log_error("serve: serve.listen '%s' is not an IPv4 or IPv6 address", s->listen);
		goto out;
	}
	if (web_auth_init(s, cfg->serve_token_file) < 0)
		goto out;
	if (!s->loopback && !s->token) {
		log_error(
		    "serve: listening on %s (beyond loopback) needs a token: --token-file FILE "
		    "(serve.token-file)",
		    s->listen);
		goto out;
	}
	if (cfg->serve_static_dir[0]) {
		if (!realpath(cfg->serve_static_dir, s->static_real)) {
			log_error("%s: %s", cfg->serve_static_dir, strerror(errno));
			goto out;
		}
		s->static_dir = cfg->serve_static_dir;
	}
	rc = 1;
	if (access(s->store, F_OK) != 0) {
		log_error("serve: no store at %s ('mamori read -o DIR' writes DIR/mamori.db)",
			  s->store);
		goto out;
	}
	if (incident_ctx_init(&s->ix, cfg, NULL) < 0)
		goto out;
	ix = true;
	/* incidents up to date with what the store holds */
	incident_update_path(s->store, cfg, s->ix.enrich);
	pthread_mutex_init(&s->pool_lock, NULL);
	pthread_cond_init(&s->pool_cond, NULL);
	pthread_mutex_init(&s->upload_lock, NULL);
	locks = true;
	if (pool_open(s, cfg->serve_readers) < 0) {
		log_error("serve: cannot open the store %s for reading", s->store);
		goto out;
	}

	/* signals are taken by sigwait below; every thread started from here
	 * inherits the mask */
	sigset_t sig;
	sigemptyset(&sig);
	sigaddset(&sig, SIGINT);
	sigaddset(&sig, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sig, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (v6)
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)cfg->serve_port);
	else
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)cfg->serve_port);
	(void)sslen;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_POLL | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
	d = MHD_start_daemon(
	    flags, (uint16_t)cfg->serve_port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->serve_max_clients,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->serve_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_HEADERS_MAX,
	    MHD_OPTION_THREAD_STACK_SIZE, (size_t)(4u << 20), MHD_OPTION_UNESCAPE_CALLBACK,
	    unescape, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_EXTERNAL_LOGGER,
	    mhd_log, s, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
	if (!d) {
		log_error("serve: cannot listen on %s port %u: %s", s->listen, cfg->serve_port,
			  strerror(errno));
		goto out;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : (uint16_t)cfg->serve_port;
	if (port_file && write_port_file(port_file, s->port) < 0)
		goto out;
	log_info("serve: dashboard at http://%s%s%s:%u/ (store %s%s)", v6 ? "[" : "", s->listen,
		 v6 ? "]" : "", s->port, s->store, s->token ? "; token required" : "");
	int signo = 0;
	sigwait(&sig, &signo);
	log_info("serve: %s: stopping", signo == SIGINT ? "SIGINT" : "SIGTERM");
	rc = 0;
out:
	atomic_store(&s->stop, true);
	if (d)
		MHD_stop_daemon(d);
	if (port_file && rc == 0)
		unlink(port_file);
	pool_close(s);
	if (locks) {
		pthread_mutex_destroy(&s->pool_lock);
		pthread_cond_destroy(&s->pool_cond);
		pthread_mutex_destroy(&s->upload_lock);
	}
	if (ix)
		incident_ctx_free(&s->ix);
	free(s);
	free(cfg);
	free(sets);
	return rc;
}
