/*
 * worker — a worker's side of the analytics: observations from flows,
 * transactions and alerts, and the per-flow state that carries a flow's
 * TLS SNI or HTTP host (and its personal-data scanners) to its end.
 *
 * Per-flow states come from chunks allocated on demand, at most
 * analytics.flow-states / workers of them, reused through a free list: no
 * allocation per packet, none per flow once the chunks exist. A flow that
 * finds none goes without (analytics.flow_state_full).
 */
#include <stdlib.h>
#include <string.h>

#include "analytics/hub_int.h"
#include "analytics/pii_worker.h"
#include "app/applayer.h"
#include "app/dns.h"
#include "detect/buffers.h"

#define CHUNK 1024

struct an_flow {
	struct an_flow *next; /* free list */
	uint16_t name_len;
	uint8_t name_flags; /* AN_F_NAME_SNI / AN_F_NAME_HOST */
	void *pii[3];	    /* scanners per direction, and a not-scanned mark (pii_worker.c) */
	char name[AN_NAME_MAX];
};

int an_worker_init(struct an_worker *w, unsigned share)
{
	const struct config *cfg = an_worker_config(w);
	w->cap_states = cfg->an_flow_states / (share ? share : 1);
	if (w->cap_states < CHUNK)
		w->cap_states = CHUNK;
	return pii_worker_init(w);
}

void an_worker_free(struct an_worker *w)
{
	pii_worker_free(w);
	for (uint32_t i = 0; i < w->n_chunks; i++)
		free(w->chunks[i]);
	free(w->chunks);
	w->chunks = NULL;
	w->n_chunks = 0;
}

static struct an_flow *state_get(struct an_worker *w)
{
	if (!w->free_list) {
		if (w->n_states + CHUNK > w->cap_states)
			return NULL;
		if (w->n_chunks == w->chunks_cap) {
			uint32_t cap = w->chunks_cap ? w->chunks_cap * 2 : 16;
			void **nc = realloc(w->chunks, cap * sizeof(*nc));
			if (!nc)
				return NULL;
			w->chunks = nc;
			w->chunks_cap = cap;
		}
		struct an_flow *c = calloc(CHUNK, sizeof(*c));
		if (!c)
			return NULL;
		w->chunks[w->n_chunks++] = c;
		w->n_states += CHUNK;
		for (int i = CHUNK - 1; i >= 0; i--) {
			c[i].next = w->free_list;
			w->free_list = &c[i];
		}
	}
	struct an_flow *s = w->free_list;
	w->free_list = s->next;
	s->next = NULL;
	s->name_len = 0;
	s->name_flags = 0;
	s->pii[0] = s->pii[1] = s->pii[2] = NULL;
	return s;
}

/* The flow's state, made when `make` (NULL: none, or none left). */
static struct an_flow *flow_state(struct an_worker *w, struct flow *f, bool make)
{
	if (f->an || !make)
		return f->an;
	if (!(f->an = state_get(w)))
		CNT_INC(w->cnt, AN_FLOW_STATE_FULL);
	return f->an;
}

void **an_flow_pii(struct an_worker *w, struct flow *f, bool make)
{
	struct an_flow *s = flow_state(w, f, make);
	return s ? s->pii : NULL;
}

struct an_obs *an_obs_of_flow(struct an_worker *w, const struct flow *f, uint8_t kind)
{
	struct an_obs *o = &w->scratch;
	memset(o, 0, offsetof(struct an_obs, name));
	o->kind = kind;
	o->flow_id = f->flow_id;
	o->ip_ver = f->ip_ver;
	o->proto = f->proto;
	o->src = f->src;
	o->dst = f->dst;
	o->sp = f->sp;
	o->dp = f->dp;
	o->app_proto = f->app_proto;
	if (an_worker_home(w, f->ip_ver, f->src.a))
		o->flags |= AN_F_SRC_HOME;
	if (an_worker_home(w, f->ip_ver, f->dst.a))
		o->flags |= AN_F_DST_HOME;
	o->icmp_type = f->icmp_type[0];
	o->icmp_code = f->icmp_code[0];
	return o;
}

void an_worker_flow_start(struct an_worker *w, const struct packet *p, struct flow *f)
{
	if (!w)
		return;
	struct an_obs *o = an_obs_of_flow(w, f, AN_OBS_FLOW_START);
	o->ts = p->ts;
	o->start_ts = p->ts;
	o->tcp_flags[0] = p->tcp_flags;
	o->icmp_type = p->icmp_type;
	o->icmp_code = p->icmp_code;
	an_worker_put(w, o);
}

void an_worker_flow_end(struct an_worker *w, struct flow *f)
{
	if (!w)
		return;
	struct an_flow *s = f->an;
	if (s)
		pii_worker_flow_end(w, f, s->pii);
	struct an_obs *o = an_obs_of_flow(w, f, AN_OBS_FLOW_END);
	o->ts = f->last_ts;
	o->start_ts = f->start_ts;
	o->pkts[0] = f->pkts[0];
	o->pkts[1] = f->pkts[1];
	o->bytes[0] = f->bytes[0];
	o->bytes[1] = f->bytes[1];
	o->tcp_flags[0] = f->tcp_flags[0];
	o->tcp_flags[1] = f->tcp_flags[1];
	o->state = f->state;
	if (f->pkts[1])
		o->flags |= AN_F_ANSWERED;
	if (s && s->name_len) {
		memcpy(o->name, s->name, s->name_len);
		o->name_len = s->name_len;
		o->flags |= s->name_flags;
	}
	an_worker_put(w, o);
	if (s) {
		s->next = w->free_list;
		w->free_list = s;
		f->an = NULL;
	}
}

static void keep_name(struct an_worker *w, struct flow *f, const uint8_t *p, uint32_t len,
		      uint8_t flag)
{
	struct an_flow *s = flow_state(w, f, true);
	if (!s || s->name_len || !len)
		return;
	if (len > AN_NAME_MAX)
		len = AN_NAME_MAX;
	memcpy(s->name, p, len);
	s->name_len = (uint16_t)len;
	s->name_flags = flag;
}

static void dns_obs(struct an_worker *w, const struct packet *p, struct flow *f,
		    const struct dns_msg *m)
{
	struct an_obs *o = an_obs_of_flow(w, f, AN_OBS_DNS);
	o->ts = p ? p->ts : f->last_ts;
	if (m->response)
		o->flags |= AN_F_RESPONSE;
	o->rcode = m->rcode;
	if (m->n_queries) {
		const struct dns_name *n = &m->queries[0].name;
		o->name_len = n->len < AN_NAME_MAX ? n->len : AN_NAME_MAX;
		memcpy(o->name, n->s, o->name_len);
		o->qtype = m->queries[0].type;
	}
	for (unsigned i = 0; i < m->n_rrs; i++) {
		if (m->rrs[i].section != DNS_SEC_ANSWER)
			continue;
		o->n_answers++;
		o->rdata_bytes += m->rrs[i].rdlength;
	}
	o->msg_bytes = p ? p->payload_len : 0;
	an_worker_put(w, o);
}

void an_worker_tx(struct an_worker *w, const struct packet *p, struct flow *f,
		  const struct app_tx *tx, int dir, uint8_t level)
{
	if (!w)
		return;
	const struct app_parser *ap = app_parser_for(tx->alproto);
	const uint8_t *v;
	uint32_t len;
	(void)dir;
	if (!ap)
		return;
	switch (tx->alproto) {
	case ALPROTO_DNS:
		dns_obs(w, p, f, tx->data);
		break;
	case ALPROTO_TLS:
		if (level == 1 && ap->buffer && ap->buffer(tx->data, BUF_TLS_SNI, 0, 0, &v, &len))
			keep_name(w, f, v, len, AN_F_NAME_SNI);
		break;
	case ALPROTO_HTTP:
		if (level == APP_LEVEL_LOG && ap->buffer &&
		    ap->buffer(tx->data, BUF_HTTP_HOST, 0, 0, &v, &len))
			keep_name(w, f, v, len, AN_F_NAME_HOST);
		break;
	default:
		break;
	}
}

void an_worker_alert(struct an_worker *w, const struct packet *p, const struct flow *f,
		     uint32_t sid, uint8_t severity, const char *category)
{
	if (!w)
		return;
	struct an_obs *o = &w->scratch;
	memset(o, 0, offsetof(struct an_obs, name));
	o->kind = AN_OBS_ALERT;
	o->ts = p->ts;
	o->flow_id = f ? f->flow_id : 0;
	o->ip_ver = p->ip_ver;
	o->proto = p->proto;
	o->src = p->src;
	o->dst = p->dst;
	o->sp = p->sp;
	o->dp = p->dp;
	o->sid = sid;
	o->severity = severity;
	size_t n = category ? strlen(category) : 0;
	o->name_len = (uint16_t)(n < AN_NAME_MAX ? n : AN_NAME_MAX);
	memcpy(o->name, category ? category : "", o->name_len);
	an_worker_put(w, o);
}

bool an_worker_wants_data(const struct an_worker *w)
{
	return w && w->pii;
}

void an_worker_data(struct an_worker *w, struct flow *f, int dir, const uint8_t *d, uint32_t n)
{
	if (w && w->pii)
		pii_worker_data(w, f, dir, d, n);
}
