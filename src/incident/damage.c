/*
 * damage — what an incident cost (docs/incidents.md "damage"): the flows
 * between its hosts and its infrastructure (bytes per host and channel,
 * first and last activity), the files they carried (out, in, and between
 * the incident's own hosts), the personal data the analytics counted, and
 * for each figure how sure it is and what could not be seen.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/file.h"
#include "incident/doc_int.h"
#include "output/eve.h"
#include "store/store_util.h"

#define DAMAGE_MAX_FLOWS 200000 /* flows looked at per incident (files, names) */
#define DAMAGE_MAX_PAIRS 32	/* hosts checked pairwise for staged files */

static const char *const ch_name[CH_N] = {"http", "tls", "dns-tunnel", "other"};

struct dflow {
	int64_t flow_id;
	unsigned host, infra; /* indexes; infra = UINT32_MAX: between hosts */
	unsigned other;	      /* between hosts: the server's index */
	bool host_client;     /* the host started it */
	int ch;
};

struct damage {
	struct doc *d;
	struct dflow *f;
	size_t nf, cap;
	uint64_t flows_skipped;
	uint64_t enc_flows, enc_out, enc_in, other_out, lateral_unseen, lateral_flows;
	json_t *out, *in, *staged;
};

static int channel(const char *app, int dp)
{
	if (app && !strcmp(app, "http"))
		return CH_HTTP;
	if (app && !strcmp(app, "tls"))
		return CH_TLS;
	if (!app && (dp == 80 || dp == 8080))
		return CH_HTTP;
	if (!app && dp == 443)
		return CH_TLS;
	return CH_OTHER;
}

static void flow_add(struct damage *m, const struct dflow *f)
{
	if (m->nf == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		if (cap > DAMAGE_MAX_FLOWS)
			cap = DAMAGE_MAX_FLOWS;
		struct dflow *n = m->nf < cap ? realloc(m->f, cap * sizeof(*n)) : NULL;
		if (!n) {
			m->flows_skipped++;
			return;
		}
		m->f = n;
		m->cap = cap;
	}
	m->f[m->nf++] = *f;
}

/* The flows of host h with address infra i (both directions), or between
 * hosts h and i (infra < 0). */
static int flows_of(struct damage *m, unsigned h, int i, bool outbound)
{
	struct doc *d = m->d;
	struct doc_host *ho = &d->host[h];
	const uint8_t *peer;
	int plen;
	if (i >= 0) {
		peer = d->infra[i].a;
		plen = d->infra[i].ver == 6 ? 16 : 4;
	} else {
		struct doc_host *o = &d->host[-i - 1];
		peer = o->a;
		plen = o->ver == 6 ? 16 : 4;
	}
	/* through the index of the rarer end: the peer's */
	const char *sql = outbound ? "SELECT f.ts, f.dur, f.flow_id, s.v, f.bytes_ts, f.bytes_tc, "
				     "f.dp FROM flow f INDEXED BY flow_dst LEFT JOIN str s ON s.id "
				     "= f.app WHERE f.dst = ?1 AND f.src = ?2 AND f.ts BETWEEN ?3 "
				     "AND ?4"
				   : "SELECT f.ts, f.dur, f.flow_id, s.v, f.bytes_tc, f.bytes_ts, "
				     "f.dp FROM flow f INDEXED BY flow_src LEFT JOIN str s ON s.id "
				     "= f.app WHERE f.src = ?1 AND f.dst = ?2 AND f.ts BETWEEN ?3 "
				     "AND ?4";
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(st, 1, peer, plen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, ho->a, ho->ver == 6 ? 16 : 4, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, d->first - d->x->gap_us);
	sqlite3_bind_int64(st, 4, d->last + d->x->gap_us);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t ts = sqlite3_column_int64(st, 0), end = ts + sqlite3_column_int64(st, 1);
		const char *app = (const char *)sqlite3_column_text(st, 3);
		uint64_t out = (uint64_t)sqlite3_column_int64(st, 4); /* host to peer */
		uint64_t in = (uint64_t)sqlite3_column_int64(st, 5);
		struct dflow f = {sqlite3_column_int64(st, 2),
				  h,
				  i >= 0 ? (unsigned)i : UINT32_MAX,
				  i < 0 ? (unsigned)(-i - 1) : 0,
				  outbound,
				  channel(app, sqlite3_column_int(st, 6))};
		if (i < 0) {
			/* between two of the incident's hosts: files only */
			m->lateral_flows++;
			if (f.ch != CH_HTTP)
				m->lateral_unseen += out + in;
			flow_add(m, &f);
			continue;
		}
		struct doc_infra *fi = &d->infra[i];
		doc_widen(&ho->first, &ho->last, ts, end);
		doc_widen(&fi->first, &fi->last, ts, end);
		doc_widen(&d->first, &d->last, ts, end);
		ho->out[f.ch] += out;
		ho->in[f.ch] += in;
		fi->flows++;
		fi->out += out;
		fi->in += in;
		if (f.ch == CH_TLS) {
			m->enc_flows++;
			m->enc_out += out;
			m->enc_in += in;
		} else if (f.ch == CH_OTHER) {
			m->other_out += out;
		}
		flow_add(m, &f);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Names the flows carried (TLS server names, HTTP hosts): the address's. */
static int names_of(struct damage *m, sqlite3_stmt *st, const struct dflow *f)
{
	int rc;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, f->flow_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *rk = (const char *)sqlite3_column_text(st, 0);
		char name[STORE_NAME_MAX];
		if (rk && store_name_key(rk, strlen(rk), name))
			doc_strset_add(m->d->infra[f->infra].domains, name);
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The addresses a name of the incident resolved to. */
static int answers_of(struct doc *d, struct doc_infra *fi)
{
	char key[STORE_NAME_MAX];
	sqlite3_stmt *st;
	int rc;
	if (!store_name_key(fi->value, strlen(fi->value), key))
		return 0;
	if (sqlite3_prepare_v2(
		d->db,
		"SELECT DISTINCT da.addr FROM dns q JOIN dns_answer da ON da.dns = "
		"q.id WHERE q.qname = (SELECT id FROM name WHERE rname = ?1) LIMIT 16",
		-1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = sqlite3_column_bytes(st, 0);
		const void *b = sqlite3_column_blob(st, 0);
		struct addr a;
		char text[64];
		if (!b || (n != 4 && n != 16))
			continue;
		memset(&a, 0, sizeof(a));
		memcpy(a.a, b, (size_t)n);
		eve_addr_str(&a, n == 4 ? 4 : 6, text, sizeof(text));
		doc_strset_add(fi->addresses, text);
		for (unsigned i = 0; i < d->ninfra; i++)
			if (!d->infra[i].domain && !strcmp(d->infra[i].value, text))
				doc_strset_add(d->infra[i].domains, fi->value);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void hex_col(json_t *o, const char *key, sqlite3_stmt *st, int col)
{
	const uint8_t *b = sqlite3_column_blob(st, col);
	int n = sqlite3_column_bytes(st, col);
	char hex[129];
	if (!b || n <= 0 || n > 64)
		return;
	for (int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
	json_object_set_new(o, key, json_string(hex));
}

/* The files of one flow, each into out, in or staged. */
static int files_of(struct damage *m, sqlite3_stmt *st, sqlite3_stmt *http, const struct dflow *f)
{
	struct doc *d = m->d;
	int rc;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, f->flow_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();
		int64_t ts = sqlite3_column_int64(st, 0);
		int dir = sqlite3_column_int(st, 1); /* 0: to the server */
		const char *name = (const char *)sqlite3_column_text(st, 2);
		const char *magic = (const char *)sqlite3_column_text(st, 8);
		const char *hk = (const char *)sqlite3_column_text(st, 9);
		char hostname[STORE_NAME_MAX] = "";
		if (hk)
			store_name_key(hk, strlen(hk), hostname);
		json_object_set_new(o, "name", json_string(name ? name : ""));
		json_object_set_new(o, "size", json_integer(sqlite3_column_int64(st, 3)));
		hex_col(o, "md5", st, 5);
		hex_col(o, "sha1", st, 6);
		hex_col(o, "sha256", st, 7);
		doc_put_time(o, "ts", ts);
		/* who sent it: the client for uploads */
		bool host_sent = (dir == 0) == f->host_client;
		const char *host = d->host[f->host].ip;
		const char *peer =
		    f->infra != UINT32_MAX ? d->infra[f->infra].value : d->host[f->other].ip;
		if (f->infra == UINT32_MAX && !host_sent) {
			/* between hosts: "host" is the one that sent it */
			const char *t = host;
			host = peer;
			peer = t;
		}
		json_object_set_new(o, "host", json_string(host));
		json_object_set_new(o, "peer", json_string(peer));
		/* the HTTP transaction that carried it: the flow's nearest in time */
		const char *method = NULL;
		sqlite3_reset(http);
		sqlite3_bind_int64(http, 1, f->flow_id);
		sqlite3_bind_int64(http, 2, ts);
		if (sqlite3_step(http) == SQLITE_ROW) {
			method = (const char *)sqlite3_column_text(http, 2);
			const char *url = (const char *)sqlite3_column_text(http, 0);
			const char *rk = (const char *)sqlite3_column_text(http, 1);
			char h[STORE_NAME_MAX] = "", full[STORE_NAME_MAX + 4200];
			if (rk)
				store_name_key(rk, strlen(rk), h);
			if (url) {
				snprintf(full, sizeof(full), "http://%s%s", h[0] ? h : hostname,
					 url);
				json_object_set_new(o, "url", json_string(full));
			}
		}
		if (magic)
			json_object_set_new(o, "magic", json_string(magic));
		json_object_set_new(
		    o, "state",
		    json_string(app_file_state_name((uint8_t)sqlite3_column_int(st, 4))));
		/* a server's answer to an upload is neither a tool nor data taken */
		if (!host_sent && f->infra != UINT32_MAX && method && strcmp(method, "GET")) {
			json_decref(o);
			continue;
		}
		json_array_append_new(f->infra == UINT32_MAX ? m->staged
				      : host_sent	     ? m->out
							     : m->in,
				      o);
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

static json_t *channels(const uint64_t *v)
{
	json_t *o = json_object();
	for (int c = 0; c < CH_N; c++)
		json_object_set_new(o, ch_name[c], json_integer((json_int_t)v[c]));
	return o;
}

static json_t *figure(const char *confidence, json_t *unseen)
{
	json_t *o = json_object();
	json_object_set_new(o, "confidence", json_string(confidence));
	json_object_set_new(o, "unseen", unseen);
	return o;
}

static void unseen(json_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void unseen(json_t *a, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	json_array_append_new(a, json_string(line));
}

/* Loss counters over the runs that wrote the store (stats rows). */
struct loss {
	uint64_t drops, gaps, depth, lost, evicted;
	bool have;
};

static void losses(struct doc *d, struct loss *l)
{
	static const char *const drops[] = {"capture.kernel_drops", "capture.kernel_ifdrops",
					    "capture.ring_drops"};
	sqlite3_stmt *st;
	memset(l, 0, sizeof(*l));
	if (sqlite3_prepare_v2(d->db, "SELECT counters FROM stats ORDER BY id DESC LIMIT 1000", -1,
			       &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *c = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
		uint64_t v = 0;
		if (!c)
			continue;
		l->have = true;
		for (size_t i = 0; i < sizeof(drops) / sizeof(drops[0]); i++)
			v += (uint64_t)json_integer_value(json_object_get(c, drops[i]));
#define MAXC(field, expr)                                                                          \
	do {                                                                                       \
		uint64_t x_ = (expr);                                                              \
		if (x_ > l->field)                                                                 \
			l->field = x_;                                                             \
	} while (0)
		MAXC(drops, v);
		MAXC(gaps, (uint64_t)json_integer_value(json_object_get(c, "tcp.reassembly_gaps")));
		MAXC(depth, (uint64_t)json_integer_value(
				json_object_get(c, "tcp.reassembly_depth_reached")));
		MAXC(lost,
		     (uint64_t)json_integer_value(json_object_get(c, "store.dropped_rows")) +
			 (uint64_t)json_integer_value(json_object_get(c, "store.lost_rows")) +
			 (uint64_t)json_integer_value(json_object_get(c, "analytics.obs_dropped")));
		MAXC(evicted,
		     (uint64_t)json_integer_value(json_object_get(c, "flow.memcap_evictions")));
#undef MAXC
		json_decref(c);
	}
	sqlite3_finalize(st);
}

static void assemble(struct damage *m)
{
	struct doc *d = m->d;
	struct loss l;
	uint64_t out[CH_N] = {0}, in[CH_N] = {0};
	losses(d, &l);
	json_t *dm = json_object();
	/* bytes out, per host (largest first) */
	json_t *by_host = json_array();
	unsigned order[DOC_MAX_HOSTS];
	uint64_t tot[DOC_MAX_HOSTS];
	for (unsigned i = 0; i < d->nhost; i++) {
		order[i] = i;
		tot[i] = 0;
		for (int c = 0; c < CH_N; c++) {
			tot[i] += d->host[i].out[c];
			out[c] += d->host[i].out[c];
			in[c] += d->host[i].in[c];
		}
	}
	for (unsigned i = 1; i < d->nhost; i++)
		for (unsigned k = i; k > 0 && tot[order[k]] > tot[order[k - 1]]; k--) {
			unsigned t = order[k];
			order[k] = order[k - 1];
			order[k - 1] = t;
		}
	for (unsigned i = 0; i < d->nhost; i++) {
		struct doc_host *h = &d->host[order[i]];
		if (!tot[order[i]])
			continue;
		json_t *o = json_object();
		json_object_set_new(o, "host", json_string(h->ip));
		json_object_set_new(o, "total", json_integer((json_int_t)tot[order[i]]));
		json_object_set_new(o, "channels", channels(h->out));
		json_array_append_new(by_host, o);
	}
	uint64_t total_out = 0, total_in = 0;
	for (int c = 0; c < CH_N; c++) {
		total_out += out[c];
		total_in += in[c];
	}
	d->bytes_out_total = total_out;
	d->enc_bytes_out = m->enc_out;

	json_t *u_out = json_array(), *u_in = json_array();
	const char *conf_out = "high";
	if (out[CH_DNS_TUNNEL]) {
		unseen(u_out,
		       "%" PRIu64 " bytes through a DNS tunnel are estimated from the query names "
		       "(the encoding's overhead included)",
		       out[CH_DNS_TUNNEL]);
		conf_out = "medium";
	}
	if (m->enc_out)
		unseen(u_out,
		       "%" PRIu64
		       " bytes out over TLS: the volume is exact, the content is not visible",
		       m->enc_out);
	if (m->enc_in)
		unseen(u_in, "%" PRIu64 " bytes in over TLS: the content is not visible",
		       m->enc_in);
	if (l.drops || l.lost || l.evicted) {
		unseen(u_out,
		       "the capture dropped %" PRIu64 " packets, %" PRIu64
		       " records were lost and %" PRIu64
		       " flows evicted early in the runs that wrote the store: figures may be low",
		       l.drops, l.lost, l.evicted);
		conf_out = "low";
	}
	if (l.gaps)
		unseen(u_out, "%" PRIu64 " gaps in reassembled TCP streams in those runs", l.gaps);
	if (m->flows_skipped)
		unseen(u_out, "%" PRIu64 " flows beyond the report's cap were not looked at",
		       m->flows_skipped);
	json_t *bo = figure(conf_out, u_out);
	json_object_set_new(bo, "total", json_integer((json_int_t)total_out));
	json_object_set_new(bo, "channels", channels(out));
	json_object_set_new(bo, "by_host", by_host);
	json_object_set_new(dm, "bytes_out", bo);
	json_t *bi = figure(l.drops || l.lost ? "low" : "high", u_in);
	json_object_set_new(bi, "total", json_integer((json_int_t)total_in));
	json_object_set_new(bi, "channels", channels(in));
	json_object_set_new(dm, "bytes_in", bi);

	/* files */
	json_t *uf = json_array();
	const char *conf_f = "high";
	if (m->enc_out) {
		unseen(uf,
		       "files inside the %" PRIu64 " bytes sent over TLS cannot be named or hashed",
		       m->enc_out);
		conf_f = m->enc_out > 1048576 ? "low" : "medium";
	}
	if (m->other_out) {
		unseen(uf, "%" PRIu64 " bytes out over protocols without file extraction",
		       m->other_out);
		if (!strcmp(conf_f, "high"))
			conf_f = "medium";
	}
	if (l.depth)
		unseen(uf,
		       "%" PRIu64 " streams went past the reassembly depth in those runs: "
		       "files may be cut",
		       l.depth);
	json_t *fo = figure(conf_f, uf);
	json_object_set_new(fo, "files", m->out);
	m->out = NULL;
	json_object_set_new(dm, "files_out", fo);
	json_t *ui = json_array();
	if (m->enc_in)
		unseen(ui, "tools inside the %" PRIu64 " bytes received over TLS cannot be seen",
		       m->enc_in);
	json_t *ti = figure(m->enc_in ? "medium" : "high", ui);
	json_object_set_new(ti, "files", m->in);
	m->in = NULL;
	json_object_set_new(dm, "tools_in", ti);
	json_t *us = json_array();
	if (m->lateral_unseen)
		unseen(us,
		       "%" PRIu64 " bytes between the incident's hosts over protocols without file "
		       "extraction (SMB, encrypted sessions)",
		       m->lateral_unseen);
	json_t *sg = figure(m->lateral_unseen ? "medium" : "high", us);
	json_object_set_new(sg, "files", m->staged);
	m->staged = NULL;
	json_object_set_new(dm, "staged", sg);

	/* personal data */
	json_t *up = json_array();
	const char *conf_p = "high";
	if (m->enc_out) {
		unseen(up,
		       "personal data inside the %" PRIu64 " bytes sent over TLS cannot be counted",
		       m->enc_out);
		conf_p = "medium";
	}
	if (d->pii_at_least) {
		unseen(up, "a scan stopped at its byte limit: counts are lower bounds");
		conf_p = "medium";
	}
	json_t *pd = figure(conf_p, up);
	json_object_set_new(pd, "records", json_integer((json_int_t)d->pii_records));
	json_object_set_new(pd, "identifiers", json_integer((json_int_t)d->pii_identifiers));
	json_object_set(pd, "by_type", d->pii);
	json_object_set_new(pd, "uploads", json_integer((json_int_t)d->pii_uploads));
	json_object_set_new(dm, "personal_data", pd);

	/* visibility */
	json_t *vis = json_object(), *notes = json_array();
	uint64_t nflows = 0;
	for (unsigned i = 0; i < d->ninfra; i++)
		nflows += d->infra[i].flows;
	json_object_set_new(vis, "flows", json_integer((json_int_t)nflows));
	json_object_set_new(vis, "encrypted_flows", json_integer((json_int_t)m->enc_flows));
	json_object_set_new(vis, "encrypted_bytes",
			    json_integer((json_int_t)(m->enc_out + m->enc_in)));
	json_object_set_new(vis, "capture_drops", json_integer((json_int_t)l.drops));
	json_object_set_new(vis, "tcp_gaps", json_integer((json_int_t)l.gaps));
	json_object_set_new(vis, "truncated_streams", json_integer((json_int_t)l.depth));
	json_object_set_new(vis, "lost_records", json_integer((json_int_t)l.lost));
	if (!l.have)
		unseen(notes, "no stats rows in the store: losses unknown");
	else
		unseen(notes, "loss counters are the largest of the runs that wrote the store");
	if (d->hosts_skipped || d->infra_skipped)
		unseen(notes, "%" PRIu64 " hosts and %" PRIu64 " addresses beyond the report's cap",
		       d->hosts_skipped, d->infra_skipped);
	json_object_set_new(vis, "notes", notes);
	json_object_set_new(dm, "visibility", vis);
	d->damage = dm;
}

int doc_damage(struct doc *d)
{
	struct damage m;
	sqlite3_stmt *sni = NULL, *hh = NULL, *files = NULL, *http = NULL;
	int ret = -1;
	memset(&m, 0, sizeof(m));
	m.d = d;
	m.out = json_array();
	m.in = json_array();
	m.staged = json_array();
	if (!d->first) {
		/* no signal left in the store: the keys' own times */
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(d->db,
				       "SELECT min(first), max(last) FROM incident_key WHERE "
				       "incident = ?1",
				       -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, d->id);
			if (sqlite3_step(st) == SQLITE_ROW)
				doc_widen(&d->first, &d->last, sqlite3_column_int64(st, 0),
					  sqlite3_column_int64(st, 1));
			sqlite3_finalize(st);
		}
	}
	for (unsigned i = 0; i < d->ninfra; i++)
		if (d->infra[i].domain && answers_of(d, &d->infra[i]) < 0)
			goto out;
	for (unsigned h = 0; h < d->nhost; h++)
		for (unsigned i = 0; i < d->ninfra; i++)
			if (!d->infra[i].domain && (flows_of(&m, h, (int)i, true) < 0 ||
						    flows_of(&m, h, (int)i, false) < 0))
				goto out;
	for (unsigned h = 0; h < d->nhost && h < DAMAGE_MAX_PAIRS; h++)
		for (unsigned o = 0; o < d->nhost && o < DAMAGE_MAX_PAIRS; o++)
			if (o != h && flows_of(&m, h, -(int)o - 1, true) < 0)
				goto out;
	if (sqlite3_prepare_v2(d->db,
			       "SELECT DISTINCT n.rname FROM tls t JOIN name n ON n.id = t.sni "
			       "WHERE t.flow_id = ?1",
			       -1, &sni, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->db,
			       "SELECT DISTINCT n.rname FROM http h JOIN name n ON n.id = h.host "
			       "WHERE h.flow_id = ?1",
			       -1, &hh, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->db,
			       "SELECT fi.ts, fi.dir, fi.name, fi.size, fi.state, fi.md5, fi.sha1, "
			       "fi.sha256, m.v, n.rname FROM fileinfo fi LEFT JOIN str m ON m.id = "
			       "fi.magic LEFT JOIN name n ON n.id = fi.host WHERE fi.flow_id = ?1 "
			       "ORDER BY fi.ts, fi.id",
			       -1, &files, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->db,
			       "SELECT h.url, n.rname, m.v FROM http h LEFT JOIN name n ON n.id = "
			       "h.host LEFT JOIN str m ON m.id = h.method WHERE h.flow_id = ?1 "
			       "ORDER BY abs(h.ts - ?2), h.id LIMIT 1",
			       -1, &http, NULL) != SQLITE_OK)
		goto out;
	for (size_t i = 0; i < m.nf; i++) {
		const struct dflow *f = &m.f[i];
		if (!f->flow_id)
			continue;
		if (f->infra != UINT32_MAX && (names_of(&m, sni, f) < 0 || names_of(&m, hh, f) < 0))
			goto out;
		if (files_of(&m, files, http, f) < 0)
			goto out;
	}
	assemble(&m);
	ret = 0;
out:
	sqlite3_finalize(sni);
	sqlite3_finalize(hh);
	sqlite3_finalize(files);
	sqlite3_finalize(http);
	json_decref(m.out);
	json_decref(m.in);
	json_decref(m.staged);
	free(m.f);
	return ret;
}
