/*
 * store_out — the pipeline's records as store records: the same moments and
 * the same fields as their EVE records (output/eve*.c), copied into the
 * producer's batch. Runs on the worker threads: no allocation, no SQL.
 */
#include "store/store.h"

#include <arpa/inet.h>
#include <htp/htp.h>
#include <string.h>
#include <time.h>

#include "app/applayer.h"
#include "app/dns.h"
#include "app/file.h"
#include "app/http.h"
#include "app/tls.h"
#include "decode/packet.h"
#include "detect/detect.h"
#include "detect/ruleset.h"
#include "intel/sighting.h"
#include "output/json.h"

static struct store_text txt(const char *s)
{
	return (struct store_text){s, s ? (uint32_t)strlen(s) : 0};
}

static struct store_text bstr_text(const bstr *b)
{
	return b ? (struct store_text){(const char *)bstr_ptr(b), (uint32_t)bstr_len(b)}
		 : (struct store_text){NULL, 0};
}

/* The connection of flow f, client first, at time ts. */
static void conn_of_flow(struct store_conn *c, const struct flow *f, uint64_t ts)
{
	c->ts = ts;
	c->flow_id = f->flow_id;
	c->ip_ver = f->ip_ver;
	c->proto = f->proto;
	c->sp = f->sp;
	c->dp = f->dp;
	memcpy(c->src, f->src.a, 16);
	memcpy(c->dst, f->dst.a, 16);
}

void store_out_flow(struct store_out *o, const struct flow *f, enum flow_end_reason reason)
{
	struct store_rec r;
	if (!o)
		return;
	r.kind = STORE_FLOW;
	conn_of_flow(&r.c, f, f->start_ts);
	r.flow.end = f->last_ts;
	r.flow.pkts[0] = f->pkts[0];
	r.flow.pkts[1] = f->pkts[1];
	r.flow.bytes[0] = f->bytes[0];
	r.flow.bytes[1] = f->bytes[1];
	r.flow.app = txt(f->app_proto ? alproto_name(f->app_proto) : NULL);
	r.flow.state = f->state;
	r.flow.reason = (uint8_t)reason;
	store_out_add(o, &r);
}

static void put_dns(struct store_out *o, struct store_rec *r, const struct dns_msg *m)
{
	uint8_t ans[STORE_ANSWERS_MAX * 17];
	uint32_t n = 0, k = 0;
	r->kind = STORE_DNS;
	r->dns.response = m->response;
	r->dns.rcode = m->response ? m->rcode : -1;
	r->dns.qname = (struct store_text){NULL, 0};
	r->dns.rrtype = 0;
	if (m->n_queries) {
		r->dns.qname = (struct store_text){m->queries[0].name.s, m->queries[0].name.len};
		r->dns.rrtype = m->queries[0].type;
	}
	for (uint32_t i = 0; m->response && i < m->n_rrs && k < STORE_ANSWERS_MAX; i++) {
		const struct dns_rr *rr = &m->rrs[i];
		if (rr->section != DNS_SEC_ANSWER || !rr->has_text ||
		    (rr->type != DNS_A && rr->type != DNS_AAAA))
			continue;
		uint8_t len = rr->type == DNS_A ? 4 : 16;
		if (inet_pton(len == 4 ? AF_INET : AF_INET6, rr->text, ans + n + 1) != 1)
			continue;
		ans[n] = len;
		n += 1u + len;
		k++;
	}
	r->dns.answers = (struct store_text){(const char *)ans, n};
	store_out_add(o, r);
}

static const bstr *header(const htp_tx_t *tx, int dir, const char *name)
{
	htp_table_t *h = dir == 0 ? tx->request_headers : tx->response_headers;
	htp_header_t *hd = h ? htp_table_get_c(h, name) : NULL;
	return hd ? hd->value : NULL;
}

static void put_http(struct store_out *o, struct store_rec *r, const struct http_txd *t)
{
	const htp_tx_t *tx = t->tx;
	memset(&r->http, 0, sizeof(r->http));
	r->kind = STORE_HTTP;
	r->http.length = -1;
	if (tx) {
		r->http.host = bstr_text(tx->request_hostname);
		r->http.url = bstr_text(tx->request_uri);
		r->http.method = bstr_text(tx->request_method);
		r->http.ua = bstr_text(header(tx, 0, "user-agent"));
		struct store_text ct = bstr_text(header(tx, 1, "content-type"));
		uint32_t k = 0;
		while (k < ct.len && ct.p[k] != ';')
			k++;
		while (k > 0 && (ct.p[k - 1] == ' ' || ct.p[k - 1] == '\t'))
			k--;
		r->http.ctype = (struct store_text){ct.p, k};
		if (tx->response_status_number > 0 && tx->response_status_number < 1000)
			r->http.status = (uint16_t)tx->response_status_number;
		if (tx->response_line)
			r->http.length =
			    tx->response_message_len > 0 ? tx->response_message_len : 0;
	}
	store_out_add(o, r);
}

static void put_file(struct store_out *o, struct store_rec *r, const struct http_txd *t, int dir)
{
	const struct app_file *fl = &t->file[dir & 1];
	memset(&r->file, 0, sizeof(r->file));
	r->kind = STORE_FILEINFO;
	r->file.dir = (uint8_t)(dir & 1);
	r->file.state = fl->state;
	r->file.size = fl->size;
	if (t->tx)
		r->file.host = bstr_text(t->tx->request_hostname);
	r->file.name = (struct store_text){fl->name, fl->name_len};
	r->file.magic = txt(fl->magic[0] ? fl->magic : NULL);
	if (fl->md5[0]) {
		r->file.md5 = txt(fl->md5);
		r->file.sha1 = txt(fl->sha1);
		r->file.sha256 = txt(fl->sha256);
	}
	store_out_add(o, r);
}

static struct store_text tls_text(const struct tls_state *st, struct tls_ref ref)
{
	const uint8_t *p;
	uint32_t n;
	if (!tls_get(st, ref, &p, &n))
		return (struct store_text){NULL, 0};
	return (struct store_text){(const char *)p, n};
}

static void put_tls(struct store_out *o, struct store_rec *r, const struct tls_state *st)
{
	r->kind = STORE_TLS;
	r->tls.version = st->server_version;
	r->tls.sni = tls_text(st, st->sni);
	r->tls.ja3 = txt(st->ja3_hash[0] ? st->ja3_hash : NULL);
	r->tls.ja3s = txt(st->ja3s_hash[0] ? st->ja3s_hash : NULL);
	r->tls.ja4 = txt(st->ja4[0] ? st->ja4 : NULL);
	r->tls.fp = tls_text(st, st->fingerprint);
	r->tls.subject = tls_text(st, st->subject);
	r->tls.issuer = tls_text(st, st->issuer);
	r->tls.serial = tls_text(st, st->serial);
	r->tls.not_before = txt(st->notbefore[0] ? st->notbefore : NULL);
	r->tls.not_after = txt(st->notafter[0] ? st->notafter : NULL);
	store_out_add(o, r);
}

void store_out_tx(struct store_out *o, const struct packet *p, const struct flow *f,
		  const struct app_tx *tx, int dir, uint8_t level)
{
	struct store_rec r;
	if (!o)
		return;
	conn_of_flow(&r.c, f, p ? p->ts : f->last_ts);
	switch (tx->alproto) {
	case ALPROTO_DNS:
		put_dns(o, &r, tx->data);
		break;
	case ALPROTO_HTTP:
		if (level >= APP_LEVEL_FILE)
			put_file(o, &r, tx->data, level - APP_LEVEL_FILE);
		else if (level == APP_LEVEL_LOG)
			put_http(o, &r, tx->data);
		break;
	case ALPROTO_TLS:
		if (level == 3)
			put_tls(o, &r, tx->data);
		break;
	default:
		break;
	}
	(void)dir;
}

/* A rule's ATT&CK metadata (mitre_tactic_id, mitre_tactic_name,
 * mitre_technique_id, mitre_technique_name; the first value of each) as
 * {"tactic_id":..,"tactic":..,"technique_id":..,"technique":..}: what the
 * incident correlation orders into a kill chain. Values keep letters,
 * digits, '.', '-' and '_' (the rest become '_'). 0 when none. */
static size_t attack_json(const struct rule *ru, char *out, size_t outlen)
{
	static const char *const keys[][2] = {{"mitre_tactic_id", "tactic_id"},
					      {"mitre_tactic_name", "tactic"},
					      {"mitre_technique_id", "technique_id"},
					      {"mitre_technique_name", "technique"}};
	size_t n = 0;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		const char *v = NULL;
		for (uint16_t i = 0; i < ru->n_meta && !v; i++)
			if (!strcmp(ru->meta[i].key, keys[k][0]))
				v = ru->meta[i].value;
		if (!v || !*v)
			continue;
		int w = snprintf(out + n, outlen - n, "%s\"%s\":\"", n ? "," : "{", keys[k][1]);
		if (w < 0 || (size_t)w >= outlen - n)
			return 0;
		n += (size_t)w;
		for (; *v && n + 4 < outlen; v++) {
			char ch = *v;
			bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				  (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_';
			out[n++] = ok ? ch : '_';
		}
		if (n + 3 >= outlen)
			return 0;
		out[n++] = '"';
	}
	if (!n)
		return 0;
	out[n++] = '}';
	out[n] = '\0';
	return n;
}

void store_out_alert(struct store_out *o, const struct ruleset *rs, const struct packet *p,
		     const struct flow *f, const struct detect_alert *a)
{
	char attack[512];
	struct store_rec r;
	const struct rule *ru = a->r;
	if (!o)
		return;
	/* addresses as the alert record: the packet's, or the flow's in the
	 * direction of the matched stream or transaction data */
	r.kind = STORE_ALERT;
	r.c.ts = p->ts;
	r.c.flow_id = f ? f->flow_id : 0;
	r.c.ip_ver = p->ip_ver;
	r.c.proto = f ? f->proto : p->proto;
	r.c.sp = p->sp;
	r.c.dp = p->dp;
	memcpy(r.c.src, p->src.a, 16);
	memcpy(r.c.dst, p->dst.a, 16);
	if ((a->stream || a->tx) && f) {
		const struct addr *src = a->dir == 0 ? &f->src : &f->dst;
		const struct addr *dst = a->dir == 0 ? &f->dst : &f->src;
		memcpy(r.c.src, src->a, 16);
		memcpy(r.c.dst, dst->a, 16);
		r.c.sp = a->dir == 0 ? f->sp : f->dp;
		r.c.dp = a->dir == 0 ? f->dp : f->sp;
		r.c.ip_ver = f->ip_ver;
	}
	const struct classtype *ct = ru->classtype ? &rs->classes[ru->classtype] : NULL;
	r.alert.gid = ru->gid;
	r.alert.sid = ru->sid;
	r.alert.rev = ru->rev;
	r.alert.severity = ru->priority ? ru->priority : ct ? ct->priority : 3;
	r.alert.action = 0;
	r.alert.msg = txt(ru->msg);
	r.alert.category = txt(ct ? ct->desc : NULL);
	r.alert.attack.len = (uint32_t)attack_json(ru, attack, sizeof(attack));
	r.alert.attack.p = r.alert.attack.len ? attack : NULL;
	store_out_add(o, &r);
}

void store_out_intel(struct store_out *o, const struct intel_sighting *s)
{
	struct store_rec r;
	if (!o)
		return;
	memset(&r, 0, sizeof(r));
	r.kind = STORE_INTEL;
	r.c.ts = s->ts;
	r.c.flow_id = s->flow_id;
	r.c.ip_ver = s->ip_ver;
	r.c.proto = s->proto;
	r.c.sp = s->sp;
	r.c.dp = s->dp;
	memcpy(r.c.src, s->src, 16);
	memcpy(r.c.dst, s->dst, 16);
	r.intel.type = (uint8_t)s->type;
	r.intel.retro = s->retro;
	r.intel.first_seen = s->first_seen;
	r.intel.last_seen = s->last_seen;
	r.intel.count = s->count;
	r.intel.bytes_toserver = s->bytes_toserver;
	r.intel.bytes_toclient = s->bytes_toclient;
	r.intel.indicator = txt(s->indicator);
	r.intel.field = txt(s->matched_field);
	r.intel.value = txt(s->value);
	r.intel.hosts = txt(s->hosts);
	r.intel.confidence = -1;
	if (s->meta) {
		r.intel.source = txt(s->meta->source);
		r.intel.actor = txt(s->meta->actor);
		r.intel.campaign = txt(s->meta->campaign);
		r.intel.confidence = (int16_t)s->meta->confidence;
		r.intel.tlp = txt(s->meta->tlp != TLP_NONE ? ioc_tlp_name(s->meta->tlp) : NULL);
	}
	store_out_add(o, &r);
}

void store_out_event(struct store_out *o, const struct store_conn *c, const char *type,
		     uint8_t severity, const char *json, size_t len)
{
	struct store_rec r;
	if (!o)
		return;
	memset(&r, 0, sizeof(r));
	r.kind = STORE_EVENT;
	r.c = *c;
	r.event.severity = severity;
	r.event.type = txt(type);
	r.event.json = (struct store_text){json, (uint32_t)len};
	store_out_add(o, &r);
}

void store_out_daily(struct store_out *o, uint64_t day_ts, const char *kind, const char *key,
		     uint64_t value, const char *json, size_t len)
{
	struct store_rec r;
	if (!o)
		return;
	memset(&r, 0, sizeof(r));
	r.kind = STORE_DAILY;
	r.c.ts = day_ts;
	r.daily.value = value;
	r.daily.kind = txt(kind);
	r.daily.key = txt(key);
	r.daily.json = (struct store_text){json, (uint32_t)len};
	store_out_add(o, &r);
}
