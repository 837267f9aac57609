/*
 * app_http — HTTP/1.x as an app-layer parser, on libhtp (the library
 * Suricata used for years): request and response lines, headers, chunked
 * and gzip/deflate bodies, URI normalisation, pipelining.
 *
 * Each libhtp transaction gets a struct http_txd (its user data) holding
 * what detection and EVE need beyond libhtp's own fields: the normalised
 * URI, the raw header blocks, the built header buffers and the bodies
 * (each capped; what is over is counted). Progress levels:
 *   1 request headers (to server)    2 request complete (body)
 *   3 response headers (to client)   4 response complete (body)
 * A transaction is logged (one `http` record) when its response completes,
 * or at flow end with what it has. Finished transactions are freed as soon
 * as they are logged, so a long keep-alive connection holds only the open
 * ones (capped: HTTP_MAX_OPEN, the oldest flushed and counted).
 *
 * Data libhtp cannot take yet (a response before its request was parsed) is
 * held, up to HTTP_HOLD_MAX bytes per direction, and offered again after
 * the other direction's next data.
 */
#include <htp/htp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/applayer.h"
#include "app/http.h"
#include "detect/buffers.h"
#include "flow/flow.h"

/* Not in libhtp's public headers, exported by the library: "path?query"
 * as the normalised URI Suricata inspects with http.uri. */
bstr *htp_unparse_uri_noencode(htp_uri_t *uri);

#define HTTP_HOLD_MAX (64 * 1024)
#define HTTP_HDR_MAX  (64 * 1024) /* each header block kept for detection */
#define HTTP_MAX_OPEN 64	  /* open transactions per flow */

struct http_state {
	htp_connp_t *connp;
	const struct app_call *call; /* set while libhtp runs our callbacks */
	struct app_ctx *ac;
	uint64_t next_tx;
	uint8_t *hold[2];
	uint32_t hold_len[2];
	bool dead[2];
};

static pthread_once_t cfg_once = PTHREAD_ONCE_INIT;
static htp_cfg_t *shared_cfg;
static uint32_t body_limit[2] = {100 * 1024, 100 * 1024};
static uint32_t decompress_layers = 2;

static bool buf_add(struct http_buf *b, const uint8_t *d, size_t n, uint32_t cap)
{
	if (n == 0)
		return true;
	if (b->len >= cap)
		return n == 0;
	size_t take = n < cap - b->len ? n : cap - b->len;
	if (b->len + take > b->cap) {
		uint32_t nc = b->cap ? b->cap : 1024;
		while (nc < b->len + take)
			nc *= 2;
		if (nc > cap)
			nc = cap;
		uint8_t *np = realloc(b->p, nc);
		if (!np)
			return false;
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, d, take);
	b->len += (uint32_t)take;
	return take == n;
}

static void buf_free(struct http_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static struct http_state *state_of(htp_tx_t *tx)
{
	return htp_connp_get_user_data(tx->connp);
}

static struct http_txd *txd_of(htp_tx_t *tx)
{
	struct http_txd *t = htp_tx_get_user_data(tx);
	if (t)
		return t;
	struct http_state *st = state_of(tx);
	t = calloc(1, sizeof(*t));
	if (!t) {
		if (st && st->call)
			CNT_INC(st->call->ac->cnt, APP_ALLOC_FAIL);
		return NULL;
	}
	t->tx = tx;
	t->id = st ? st->next_tx++ : 0;
	htp_tx_set_user_data(tx, t);
	if (st && st->call)
		CNT_INC(st->call->ac->cnt, APP_TX_HTTP);
	return t;
}

static void txd_free(struct http_txd *t)
{
	if (!t)
		return;
	if (t->uri_norm)
		bstr_free(t->uri_norm);
	for (int d = 0; d < 2; d++) {
		app_file_free(&t->file[d]);
		buf_free(&t->body[d]);
		buf_free(&t->hdr_raw[d]);
		buf_free(&t->hdr[d]);
		buf_free(&t->names[d]);
		buf_free(&t->start[d]);
	}
	free(t);
}

/* Report tx up to `level` (each level once, in order). */
static void report(struct http_state *st, struct http_txd *t, uint8_t level)
{
	static const int8_t level_dir[5] = {-1, 0, 0, 1, 1};
	if (!st->call)
		return;
	while (t->level < level) {
		t->level++;
		struct app_tx atx = {ALPROTO_HTTP, t->id, t};
		app_report_tx(st->call, &atx, level_dir[t->level], t->level);
	}
}

/* The detection buffers of one side's headers: "Name: value\r\n" for each
 * (cookies left out, as Suricata's http.header), the names, and the start
 * line with the raw headers (http.start). */
static void build_headers(struct http_txd *t, int dir)
{
	htp_tx_t *tx = t->tx;
	htp_table_t *h = dir == 0 ? tx->request_headers : tx->response_headers;
	const char *cookie = dir == 0 ? "cookie" : "set-cookie";
	buf_add(&t->names[dir], (const uint8_t *)"\r\n", 2, HTTP_HDR_MAX);
	for (size_t i = 0; h && i < htp_table_size(h); i++) {
		htp_header_t *hd = htp_table_get_index(h, i, NULL);
		if (!hd)
			continue;
		buf_add(&t->names[dir], bstr_ptr(hd->name), bstr_len(hd->name), HTTP_HDR_MAX);
		buf_add(&t->names[dir], (const uint8_t *)"\r\n", 2, HTTP_HDR_MAX);
		if (bstr_len(hd->name) == strlen(cookie) &&
		    !strncasecmp((const char *)bstr_ptr(hd->name), cookie, strlen(cookie)))
			continue;
		buf_add(&t->hdr[dir], bstr_ptr(hd->name), bstr_len(hd->name), HTTP_HDR_MAX);
		buf_add(&t->hdr[dir], (const uint8_t *)": ", 2, HTTP_HDR_MAX);
		buf_add(&t->hdr[dir], bstr_ptr(hd->value), bstr_len(hd->value), HTTP_HDR_MAX);
		buf_add(&t->hdr[dir], (const uint8_t *)"\r\n", 2, HTTP_HDR_MAX);
	}
	buf_add(&t->names[dir], (const uint8_t *)"\r\n", 2, HTTP_HDR_MAX);
	bstr *line = dir == 0 ? tx->request_line : tx->response_line;
	if (line) {
		buf_add(&t->start[dir], bstr_ptr(line), bstr_len(line), HTTP_HDR_MAX);
		buf_add(&t->start[dir], (const uint8_t *)"\r\n", 2, HTTP_HDR_MAX);
	}
	buf_add(&t->start[dir], t->hdr_raw[dir].p, t->hdr_raw[dir].len, HTTP_HDR_MAX);
}

static int cb_req_header_data(htp_tx_data_t *d)
{
	struct http_txd *t = txd_of(d->tx);
	if (t && d->data)
		buf_add(&t->hdr_raw[0], d->data, d->len, HTTP_HDR_MAX);
	return HTP_OK;
}

static int cb_res_header_data(htp_tx_data_t *d)
{
	struct http_txd *t = txd_of(d->tx);
	if (t && d->data)
		buf_add(&t->hdr_raw[1], d->data, d->len, HTTP_HDR_MAX);
	return HTP_OK;
}

static int cb_req_headers(htp_tx_t *tx)
{
	struct http_txd *t = txd_of(tx);
	if (!t)
		return HTP_OK;
	if (tx->parsed_uri && !t->uri_norm)
		t->uri_norm = htp_unparse_uri_noencode(tx->parsed_uri);
	build_headers(t, 0);
	report(state_of(tx), t, 1);
	return HTP_OK;
}

/* The file name a side's Content-Disposition gives (filename=, quoted or
 * not), else the URI path, as Suricata names HTTP files. */
static void file_name(const htp_tx_t *tx, int dir, const uint8_t **p, uint32_t *n)
{
	htp_table_t *h = dir == 0 ? tx->request_headers : tx->response_headers;
	htp_header_t *cd = h ? htp_table_get_c(h, "content-disposition") : NULL;
	*p = NULL;
	*n = 0;
	if (cd && cd->value) {
		const uint8_t *v = bstr_ptr(cd->value);
		size_t len = bstr_len(cd->value);
		for (size_t i = 0; i + 9 <= len; i++) {
			if (strncasecmp((const char *)v + i, "filename=", 9))
				continue;
			size_t a = i + 9, z;
			if (a < len && v[a] == '"') {
				a++;
				for (z = a; z < len && v[z] != '"'; z++)
					;
			} else {
				for (z = a; z < len && v[z] != ';' && v[z] != ' '; z++)
					;
			}
			if (z > a) {
				*p = v + a;
				*n = (uint32_t)(z - a);
				return;
			}
		}
	}
	if (tx->parsed_uri && tx->parsed_uri->path) {
		*p = bstr_ptr(tx->parsed_uri->path);
		*n = (uint32_t)bstr_len(tx->parsed_uri->path);
	}
}

/* Finish a file (hashes, type, YARA), so that the level reported next sees
 * it whole; its record is asked for by file_record() after that level. */
static void file_close(struct http_state *st, struct http_txd *t, int dir,
		       enum app_file_state how)
{
	if (t->file[dir].state != FILE_OPEN || !st->call)
		return;
	app_file_yara(st->call->ac, &t->file[dir], t->body[dir].p, t->body[dir].len);
	app_file_close(st->call->ac, &t->file[dir], t->file[dir].gaps ? FILE_TRUNCATED : how);
	if (t->file[dir].gaps) /* hashes of a file with holes would name no real file */
		t->file[dir].md5[0] = t->file[dir].sha1[0] = t->file[dir].sha256[0] = '\0';
	if (st->call->ac->store)
		app_file_store(st->call->ac, &t->file[dir], t->body[dir].p, t->body[dir].len,
			       !t->body_truncated[dir]);
}

static void file_record(struct http_state *st, struct http_txd *t, int dir)
{
	if (t->file[dir].state == FILE_NONE || t->file[dir].state == FILE_OPEN || !st->call ||
	    t->file_logged[dir])
		return;
	t->file_logged[dir] = true;
	struct app_tx atx = {ALPROTO_HTTP, t->id, t};
	app_report_tx(st->call, &atx, dir, (uint8_t)(APP_LEVEL_FILE + dir));
}

static void body_data(htp_tx_data_t *d, int dir)
{
	struct http_txd *t = txd_of(d->tx);
	if (!t || !d->data || !d->len)
		return;
	struct http_state *st = state_of(d->tx);
	if (t->file[dir].state == FILE_NONE) {
		const uint8_t *np;
		uint32_t nl;
		file_name(d->tx, dir, &np, &nl);
		bool hashes = st && st->call ? st->call->ac->cfg->file_hashes : true;
		if (app_file_open(&t->file[dir], np, nl, hashes) < 0 && st && st->call)
			CNT_INC(st->call->ac->cnt, APP_ALLOC_FAIL);
		if (st && st->call)
			CNT_INC(st->call->ac->cnt, APP_FILES);
	}
	app_file_data(&t->file[dir], d->data, (uint32_t)d->len);
	t->body_seen[dir] += d->len;
	if (!buf_add(&t->body[dir], d->data, d->len, body_limit[dir])) {
		if (!t->body_truncated[dir] && st && st->call)
			CNT_INC(st->call->ac->cnt, APP_HTTP_BODY_LIMIT);
		t->body_truncated[dir] = true;
	}
}

static int cb_req_body(htp_tx_data_t *d)
{
	body_data(d, 0);
	return HTP_OK;
}

static int cb_res_body(htp_tx_data_t *d)
{
	body_data(d, 1);
	return HTP_OK;
}

static int cb_req_complete(htp_tx_t *tx)
{
	struct http_txd *t = txd_of(tx);
	if (t) {
		if (!t->uri_norm && tx->parsed_uri)
			t->uri_norm = htp_unparse_uri_noencode(tx->parsed_uri);
		if (t->level < 1)
			build_headers(t, 0);
		file_close(state_of(tx), t, 0, FILE_CLOSED);
		report(state_of(tx), t, 2);
		file_record(state_of(tx), t, 0);
	}
	return HTP_OK;
}

static int cb_res_headers(htp_tx_t *tx)
{
	struct http_txd *t = txd_of(tx);
	if (!t)
		return HTP_OK;
	report(state_of(tx), t, 2); /* a response implies its request is over */
	build_headers(t, 1);
	report(state_of(tx), t, 3);
	return HTP_OK;
}

static int cb_res_complete(htp_tx_t *tx)
{
	struct http_txd *t = txd_of(tx);
	if (!t)
		return HTP_OK;
	if (t->level < 3) {
		report(state_of(tx), t, 2);
		build_headers(t, 1);
	}
	file_close(state_of(tx), t, 1, FILE_CLOSED);
	report(state_of(tx), t, 4);
	file_record(state_of(tx), t, 1);
	t->done = true;
	/* a CONNECT the proxy accepted: the tunnel's own protocol follows (libhtp
	 * would only say so when the next data arrives, and swallow it) */
	struct http_state *st = state_of(tx);
	if (tx->request_method_number == HTP_M_CONNECT && tx->response_status_number >= 200 &&
	    tx->response_status_number <= 299 && st && st->call)
		app_change_protocol(st->call);
	return HTP_OK;
}

static void make_cfg(void)
{
	htp_cfg_t *c = htp_config_create();
	if (!c)
		return;
	htp_config_set_server_personality(c, HTP_SERVER_IDS);
	/* the IDS personality lower-cases the path; Suricata keeps its case */
	htp_config_set_convert_lowercase(c, HTP_DECODER_DEFAULTS, 0);
	htp_config_set_response_decompression(c, 1);
	htp_config_set_request_decompression(c, 1);
	htp_config_set_parse_request_cookies(c, 0);
	htp_config_set_tx_auto_destroy(c, 0);
	htp_config_set_log_level(c, HTP_LOG_NONE);
	htp_config_set_compression_bomb_limit(c, 1024 * 1024);
	htp_config_set_response_decompression_layer_limit(c, (int)decompress_layers);
	htp_config_set_compression_time_limit(c, 100000);
	htp_config_set_number_headers_limit(c, 1024);
	htp_config_register_request_header_data(c, cb_req_header_data);
	htp_config_register_response_header_data(c, cb_res_header_data);
	htp_config_register_request_headers(c, cb_req_headers);
	htp_config_register_request_body_data(c, cb_req_body);
	htp_config_register_request_complete(c, cb_req_complete);
	htp_config_register_response_headers(c, cb_res_headers);
	htp_config_register_response_body_data(c, cb_res_body);
	htp_config_register_response_complete(c, cb_res_complete);
	shared_cfg = c;
}

void http_set_decompress_layers(uint32_t layers)
{
	decompress_layers = layers;
}

void http_set_body_limits(uint32_t request, uint32_t response)
{
	body_limit[0] = request;
	body_limit[1] = response;
}

/* Request methods a client starts with (RFC 9110, WebDAV, and the ones
 * malware uses); the probe also accepts a response status line. */
static const char *const methods[] = {
    "GET",     "POST",  "HEAD",	    "PUT",   "DELETE",	"OPTIONS", "CONNECT",  "TRACE",
    "PATCH",   "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE",	   "LOCK",     "UNLOCK",
    "SEARCH",  "REPORT", "SUBSCRIBE", "NOTIFY", "MKCALENDAR", "POLL", "BPROPFIND",
};

static int http_probe(const uint8_t *d, uint32_t len, int dir, bool tcp, uint16_t sp, uint16_t dp)
{
	(void)sp;
	(void)dp;
	if (!tcp)
		return APP_PROBE_NO;
	/* leading blank lines are tolerated, as by servers */
	uint32_t o = 0;
	while (o < len && (d[o] == '\r' || d[o] == '\n'))
		o++;
	d += o;
	len -= o;
	if (len == 0)
		return APP_PROBE_MORE;
	if (dir == 1 || (len >= 1 && d[0] == 'H')) {
		static const char resp[] = "HTTP/";
		uint32_t n = len < 5 ? len : 5;
		if (!memcmp(d, resp, n))
			return n < 5 ? APP_PROBE_MORE : APP_PROBE_YES;
		if (dir == 1)
			return APP_PROBE_NO;
	}
	bool more = false;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t ml = strlen(methods[i]);
		if (len > ml) {
			if (!memcmp(d, methods[i], ml) && (d[ml] == ' ' || d[ml] == '\t'))
				return APP_PROBE_YES;
		} else if (!memcmp(d, methods[i], len)) {
			more = true;
		}
	}
	return more ? APP_PROBE_MORE : APP_PROBE_NO;
}

static int open_connp(const struct app_call *c, struct http_state *st)
{
	pthread_once(&cfg_once, make_cfg);
	if (!shared_cfg)
		return -1;
	st->connp = htp_connp_create(shared_cfg);
	if (!st->connp)
		return -1;
	htp_connp_set_user_data(st->connp, st);
	htp_time_t tv = {(time_t)(c->f->start_ts / 1000000000ull),
			 (suseconds_t)(c->f->start_ts % 1000000000ull / 1000)};
	htp_connp_open(st->connp, NULL, c->f->sp, NULL, c->f->dp, &tv);
	return 0;
}

/* Free every transaction that is finished and logged, from the oldest. */
static void cleanup(struct http_state *st, bool all)
{
	htp_conn_t *conn = htp_connp_get_connection(st->connp);
	if (!conn || !conn->transactions)
		return;
	size_t n = htp_list_size(conn->transactions), open = 0;
	for (size_t i = 0; i < n; i++) {
		htp_tx_t *tx = htp_list_get(conn->transactions, i);
		if (!tx)
			continue;
		struct http_txd *t = htp_tx_get_user_data(tx);
		/* libhtp frees only transactions complete on both sides */
		if (t && t->done && t->logged && !all && tx->request_progress == HTP_REQUEST_COMPLETE &&
		    tx->response_progress == HTP_RESPONSE_COMPLETE) {
			htp_tx_set_user_data(tx, NULL);
			txd_free(t);
			htp_tx_destroy(tx);
		} else {
			open++;
		}
	}
	(void)open;
}

/* Ask for the record of a transaction (once). */
static void log_tx(struct http_state *st, struct http_txd *t)
{
	if (t->logged || !st->call)
		return;
	t->logged = true;
	struct app_tx atx = {ALPROTO_HTTP, t->id, t};
	app_report_tx(st->call, &atx, 0, APP_LEVEL_LOG);
}

static void log_done(struct http_state *st)
{
	htp_conn_t *conn = htp_connp_get_connection(st->connp);
	if (!conn || !conn->transactions)
		return;
	for (size_t i = 0; i < htp_list_size(conn->transactions); i++) {
		htp_tx_t *tx = htp_list_get(conn->transactions, i);
		struct http_txd *t = tx ? htp_tx_get_user_data(tx) : NULL;
		if (t && t->done)
			log_tx(st, t);
	}
}

/* Feed one direction; returns false when libhtp gave up on the stream. */
static bool feed(struct http_state *st, const struct app_call *c, int dir, const uint8_t *d,
		 uint32_t len, uint32_t *consumed)
{
	htp_time_t tv = {(time_t)(c->f->last_ts / 1000000000ull),
			 (suseconds_t)(c->f->last_ts % 1000000000ull / 1000)};
	int rc = dir == 0 ? htp_connp_req_data(st->connp, &tv, d, len)
			  : htp_connp_res_data(st->connp, &tv, d, len);
	*consumed = len;
	if (rc == HTP_STREAM_TUNNEL) {
		/* a CONNECT the server accepted: what follows is another protocol */
		app_change_protocol(c);
		return true;
	}
	if (rc == HTP_STREAM_DATA_OTHER)
		*consumed = (uint32_t)(dir == 0 ? htp_connp_req_data_consumed(st->connp)
						: htp_connp_res_data_consumed(st->connp));
	return rc != HTP_STREAM_ERROR;
}

static void hold(struct http_state *st, const struct app_call *c, int dir, const uint8_t *d,
		 uint32_t len)
{
	if (!len)
		return;
	if (st->hold_len[dir] + len > HTTP_HOLD_MAX) {
		CNT_INC(c->ac->cnt, APP_HTTP_HOLD_OVER);
		st->dead[dir] = true;
		return;
	}
	uint8_t *nb = realloc(st->hold[dir], st->hold_len[dir] + len);
	if (!nb) {
		CNT_INC(c->ac->cnt, APP_ALLOC_FAIL);
		st->dead[dir] = true;
		return;
	}
	memcpy(nb + st->hold_len[dir], d, len);
	st->hold[dir] = nb;
	st->hold_len[dir] += len;
}

/* Offer direction dir's held data again. */
static void retry(struct http_state *st, const struct app_call *c, int dir)
{
	if (!st->hold_len[dir] || st->dead[dir])
		return;
	uint8_t *b = st->hold[dir];
	uint32_t n = st->hold_len[dir], used = 0;
	st->hold[dir] = NULL;
	st->hold_len[dir] = 0;
	if (!feed(st, c, dir, b, n, &used))
		st->dead[dir] = true;
	else if (used < n)
		hold(st, c, dir, b + used, n - used);
	free(b);
}

static int http_parse(const struct app_call *c, void *state, void *scratch, bool tcp, int dir,
		      const uint8_t *d, uint32_t len)
{
	struct http_state *st = state;
	(void)scratch;
	(void)tcp;
	if (!st->connp && open_connp(c, st) < 0) {
		CNT_INC(c->ac->cnt, APP_ALLOC_FAIL);
		return -1;
	}
	if (st->dead[dir])
		return 0;
	st->call = c;
	if (st->hold_len[dir]) {
		hold(st, c, dir, d, len); /* keep the order: behind what waits */
	} else {
		uint32_t used = 0;
		if (!feed(st, c, dir, d, len, &used))
			st->dead[dir] = true;
		else if (used < len)
			hold(st, c, dir, d + used, len - used);
	}
	retry(st, c, 1 - dir);
	log_done(st);
	cleanup(st, false);
	st->call = NULL;
	return st->dead[dir] ? -1 : 0;
}

/*
 * A gap: inside a body libhtp takes it as missing body bytes (data NULL)
 * and goes on; the open file of that direction is marked as having gaps
 * (it ends TRUNCATED). Anywhere else the direction cannot be resynchronised
 * and parsing it ends.
 */
static void http_gap(const struct app_call *c, void *state, int dir, uint64_t len)
{
	struct http_state *st = state;
	if (!st->connp || st->dead[dir] || st->hold_len[dir] || len > UINT32_MAX) {
		st->dead[dir] = true;
		return;
	}
	htp_conn_t *conn = htp_connp_get_connection(st->connp);
	struct http_txd *open = NULL;
	for (size_t i = 0; conn && conn->transactions && i < htp_list_size(conn->transactions);
	     i++) {
		htp_tx_t *tx = htp_list_get(conn->transactions, i);
		struct http_txd *t = tx ? htp_tx_get_user_data(tx) : NULL;
		bool in_body = dir == 0 ? tx && tx->request_progress == HTP_REQUEST_BODY
					: tx && tx->response_progress == HTP_RESPONSE_BODY;
		if (t && in_body)
			open = t;
	}
	if (!open) {
		st->dead[dir] = true;
		return;
	}
	open->file[dir].gaps = true;
	open->file[dir].size += len; /* the size counts the missing bytes, as Suricata */
	open->body_truncated[dir] = true;
	st->call = c;
	uint32_t used = 0;
	if (!feed(st, c, dir, NULL, (uint32_t)len, &used))
		st->dead[dir] = true;
	log_done(st);
	st->call = NULL;
}

static void http_end(const struct app_call *c, void *state, void *scratch)
{
	struct http_state *st = state;
	(void)scratch;
	if (!st->connp)
		return;
	st->call = c;
	htp_time_t tv = {(time_t)(c->f->last_ts / 1000000000ull),
			 (suseconds_t)(c->f->last_ts % 1000000000ull / 1000)};
	htp_connp_close(st->connp, &tv);
	/* what never completed is inspected and logged with what it has */
	htp_conn_t *conn = htp_connp_get_connection(st->connp);
	for (size_t i = 0; conn && conn->transactions && i < htp_list_size(conn->transactions);
	     i++) {
		htp_tx_t *tx = htp_list_get(conn->transactions, i);
		struct http_txd *t = tx ? htp_tx_get_user_data(tx) : NULL;
		if (!t || t->logged)
			continue;
		if (t->level < 1 && tx->request_line) {
			if (!t->uri_norm && tx->parsed_uri)
				t->uri_norm = htp_unparse_uri_noencode(tx->parsed_uri);
			build_headers(t, 0);
		}
		if (t->level < 3 && tx->response_line)
			build_headers(t, 1);
		for (int d = 0; d < 2; d++) {
			t->file[d].gaps = t->file[d].gaps || st->dead[d];
			file_close(st, t, d, FILE_TRUNCATED);
		}
		report(st, t, tx->response_line ? 4 : 2);
		file_record(st, t, 0);
		file_record(st, t, 1);
		log_tx(st, t);
	}
	for (size_t i = 0; conn && conn->transactions && i < htp_list_size(conn->transactions);
	     i++) {
		htp_tx_t *tx = htp_list_get(conn->transactions, i);
		if (tx) {
			txd_free(htp_tx_get_user_data(tx));
			htp_tx_set_user_data(tx, NULL);
		}
	}
	st->call = NULL;
	htp_connp_destroy_all(st->connp);
	st->connp = NULL;
	free(st->hold[0]);
	free(st->hold[1]);
	st->hold[0] = st->hold[1] = NULL;
}

static bool from_bstr(const void *b, const uint8_t **p, uint32_t *len)
{
	const bstr *s = b;
	if (!s)
		return false;
	*p = bstr_ptr(s);
	*len = (uint32_t)bstr_len(s);
	return true;
}

static bool from_buf(const struct http_buf *b, const uint8_t **p, uint32_t *len)
{
	if (!b->len)
		return false;
	*p = b->p;
	*len = b->len;
	return true;
}

static bool header(const htp_tx_t *tx, int dir, const char *name, const uint8_t **p,
		   uint32_t *len)
{
	htp_table_t *h = dir == 0 ? tx->request_headers : tx->response_headers;
	htp_header_t *hd = h ? htp_table_get_c(h, name) : NULL;
	return hd && from_bstr(hd->value, p, len);
}

static bool http_buffer(const void *txdata, unsigned buf, int dir, uint32_t idx, const uint8_t **p,
			uint32_t *len)
{
	const struct http_txd *t = txdata;
	const htp_tx_t *tx = t->tx;
	if (idx > 0 || !tx)
		return false; /* no multi-buffers */
	switch (buf) {
	case BUF_HTTP_URI:
		return from_bstr(t->uri_norm, p, len);
	case BUF_HTTP_URI_RAW:
		return from_bstr(tx->request_uri, p, len);
	case BUF_HTTP_METHOD:
		return from_bstr(tx->request_method, p, len);
	case BUF_HTTP_PROTOCOL:
		return from_bstr(dir == 0 ? tx->request_protocol : tx->response_protocol, p, len);
	case BUF_HTTP_REQUEST_LINE:
		return from_bstr(tx->request_line, p, len);
	case BUF_HTTP_RESPONSE_LINE:
		return from_bstr(tx->response_line, p, len);
	case BUF_HTTP_HOST:
		return from_bstr(tx->request_hostname, p, len);
	case BUF_HTTP_HOST_RAW:
		return header(tx, 0, "host", p, len);
	case BUF_HTTP_USER_AGENT:
		return header(tx, 0, "user-agent", p, len);
	case BUF_HTTP_COOKIE:
		return header(tx, dir, dir == 0 ? "cookie" : "set-cookie", p, len);
	case BUF_HTTP_REFERER:
		return header(tx, 0, "referer", p, len);
	case BUF_HTTP_ACCEPT:
		return header(tx, 0, "accept", p, len);
	case BUF_HTTP_ACCEPT_ENC:
		return header(tx, 0, "accept-encoding", p, len);
	case BUF_HTTP_ACCEPT_LANG:
		return header(tx, 0, "accept-language", p, len);
	case BUF_HTTP_CONNECTION:
		return header(tx, dir, "connection", p, len);
	case BUF_HTTP_CONTENT_TYPE:
		return header(tx, dir, "content-type", p, len);
	case BUF_HTTP_CONTENT_LEN:
		return header(tx, dir, "content-length", p, len);
	case BUF_HTTP_SERVER:
		return header(tx, 1, "server", p, len);
	case BUF_HTTP_LOCATION:
		return header(tx, 1, "location", p, len);
	case BUF_HTTP_HEADER:
		return from_buf(&t->hdr[dir], p, len);
	case BUF_HTTP_HEADER_RAW:
		return from_buf(&t->hdr_raw[dir], p, len);
	case BUF_HTTP_HEADER_NAMES:
		return from_buf(&t->names[dir], p, len);
	case BUF_HTTP_START:
		return from_buf(&t->start[dir], p, len);
	case BUF_HTTP_STAT_CODE:
		return from_bstr(tx->response_status, p, len);
	case BUF_HTTP_STAT_MSG:
		return from_bstr(tx->response_message, p, len);
	case BUF_HTTP_REQUEST_BODY:
		return from_buf(&t->body[0], p, len);
	case BUF_HTTP_RESPONSE_BODY:
		return from_buf(&t->body[1], p, len);
	case BUF_FILE_DATA:
		return from_buf(&t->body[dir], p, len);
	default:
		return false;
	}
}

static uint8_t http_buffer_level(unsigned buf, int rdir)
{
	switch (buf) {
	case BUF_HTTP_URI:
	case BUF_HTTP_URI_RAW:
	case BUF_HTTP_METHOD:
	case BUF_HTTP_REQUEST_LINE:
	case BUF_HTTP_HOST:
	case BUF_HTTP_HOST_RAW:
	case BUF_HTTP_USER_AGENT:
	case BUF_HTTP_REFERER:
	case BUF_HTTP_ACCEPT:
	case BUF_HTTP_ACCEPT_ENC:
	case BUF_HTTP_ACCEPT_LANG:
		return 1;
	case BUF_HTTP_PROTOCOL:
	case BUF_HTTP_COOKIE:
	case BUF_HTTP_CONNECTION:
	case BUF_HTTP_CONTENT_TYPE:
	case BUF_HTTP_CONTENT_LEN:
	case BUF_HTTP_HEADER:
	case BUF_HTTP_HEADER_RAW:
	case BUF_HTTP_HEADER_NAMES:
	case BUF_HTTP_START:
		return rdir == 1 ? 3 : 1;
	case BUF_HTTP_REQUEST_BODY:
		return 2;
	case BUF_HTTP_STAT_CODE:
	case BUF_HTTP_STAT_MSG:
	case BUF_HTTP_RESPONSE_LINE:
	case BUF_HTTP_SERVER:
	case BUF_HTTP_LOCATION:
		return 3;
	case BUF_HTTP_RESPONSE_BODY:
		return 4;
	case BUF_FILE_DATA:
		return rdir == 0 ? 2 : 4;
	default:
		return 0;
	}
}

static const struct app_file *http_file(const void *txdata, int dir)
{
	const struct http_txd *t = txdata;
	const struct app_file *f = &t->file[dir & 1];
	return f->state == FILE_NONE ? NULL : f;
}

const struct app_parser app_parser_http = {
    .alproto = ALPROTO_HTTP,
    .tcp = true,
    .udp = false,
    .ports = {80, 8080, 8000, 3128},
    .probe = http_probe,
    .state_size = sizeof(struct http_state),
    .parse = http_parse,
    .gap = http_gap,
    .end = http_end,
    .buffer = http_buffer,
    .buffer_level = http_buffer_level,
    .file = http_file,
    .file_level = {2, 4},
    .level_dir = {-1, 0, 0, 1, 1},
};
