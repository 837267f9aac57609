/*
 * detect — see detect.h.
 */
#include "detect/detect.h"

#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>

#include "app/alproto.h"
#include "core/log.h"
#include "detect/buffers.h"
#include "detect/content.h"
#include "detect/flowvars.h"
#include "detect/inspect.h"
#include "detect/keyword.h"
#include "detect/kw_pcre.h"
#include "detect/threshold.h"
#include "flow/flow.h"

enum { GRP_TCP, GRP_UDP, GRP_ICMP, GRP_OTHER, GRP_MAX };

/* Rules of one transport group. */
struct group {
	const struct rule **payload; /* rules with a payload fast pattern, by pattern id */
	uint32_t n_payload;
	hs_database_t *db;
	const struct rule **always; /* checked on every packet of the group */
	uint32_t n_always;
	const struct rule **iponly; /* checked on each direction's first packet */
	uint32_t n_iponly;
};

struct detect_engine {
	struct ruleset *rs;
	struct group g[GRP_MAX];
	uint32_t max_captures;
	uint64_t db_bytes;
	struct threshold_table *thr;
};

struct detect_thread {
	const struct detect_engine *de;
	struct counters *cnt;
	detect_alert_fn fn;
	void *fn_ctx;
	hs_scratch_t *scratch;
	struct inspect in;
	const struct packet *cur; /* the packet being processed */
	/* candidates from the prefilter: ids into group.payload */
	uint32_t *cand;
	uint32_t n_cand, cap_cand;
	uint32_t *seen; /* generation stamp per pattern id (largest group) */
	uint32_t gen;
	/* alerts raised for the current packet (one per rule) */
	uint32_t alerted[DETECT_MAX_ALERTS];
	uint32_t n_alerted;
};

static int group_of(uint8_t proto)
{
	switch (proto) {
	case 6:
		return GRP_TCP;
	case 17:
		return GRP_UDP;
	case 1:
	case 58:
		return GRP_ICMP;
	default:
		return GRP_OTHER;
	}
}

static bool rule_in_group(const struct rule *r, int g)
{
	if (r->proto.any)
		return true;
	switch (g) {
	case GRP_TCP:
		return r->proto.ipproto[0] & (1u << 6);
	case GRP_UDP:
		return r->proto.ipproto[2] & (1u << 1);
	case GRP_ICMP:
		return (r->proto.ipproto[0] & 2) || (r->proto.ipproto[7] & (1u << 2));
	default:
		return true; /* protocol checked per packet */
	}
}

static bool proto_match(const struct rule *r, uint8_t proto)
{
	return r->proto.any || (r->proto.ipproto[proto / 8] >> (proto % 8) & 1);
}

/* The payload entry of a rule, or NULL. */
static const struct rule_buf *payload_buf(const struct rule *r)
{
	for (int i = 0; i < r->n_bufs; i++)
		if (r->bufs[i].buf == BUF_PAYLOAD && r->bufs[i].n_xform == 0)
			return &r->bufs[i];
	return NULL;
}

static bool is_iponly(const struct rule *r)
{
	return r->n_bufs == 0 && r->pkt.n == 0 && !(r->flags & (RULE_NEED_FLOW | RULE_TOSERVER |
								RULE_TOCLIENT | RULE_ESTABLISHED |
								RULE_NOT_EST)) &&
	       r->proto.alproto == ALPROTO_UNKNOWN;
}

static int push(const struct rule ***arr, uint32_t *n, const struct rule *r)
{
	const struct rule **na = realloc(*arr, (*n + 1) * sizeof(*na));
	if (!na)
		return -1;
	na[(*n)++] = r;
	*arr = na;
	return 0;
}

static int build_db(struct detect_engine *de, struct group *g)
{
	if (g->n_payload == 0)
		return 0;
	const char **pats = malloc(g->n_payload * sizeof(*pats));
	size_t *lens = malloc(g->n_payload * sizeof(*lens));
	unsigned *flags = malloc(g->n_payload * sizeof(*flags));
	unsigned *ids = malloc(g->n_payload * sizeof(*ids));
	int rc = -1;
	if (!pats || !lens || !flags || !ids)
		goto out;
	for (uint32_t i = 0; i < g->n_payload; i++) {
		const struct content *c = g->payload[i]->fp;
		pats[i] = (const char *)c->pat + (c->flags & CT_FP_CHOP ? c->fp_off : 0);
		lens[i] = c->flags & CT_FP_CHOP ? c->fp_len : c->len;
		flags[i] = HS_FLAG_SINGLEMATCH | (c->flags & CT_NOCASE ? HS_FLAG_CASELESS : 0);
		ids[i] = i;
	}
	hs_compile_error_t *err = NULL;
	if (hs_compile_lit_multi(pats, flags, ids, lens, g->n_payload, HS_MODE_BLOCK, NULL, &g->db,
				 &err) != HS_SUCCESS) {
		log_error("rules: building the prefilter failed: %s (pattern %d)",
			  err ? err->message : "?", err ? err->expression : -1);
		hs_free_compile_error(err);
		goto out;
	}
	size_t sz = 0;
	hs_database_size(g->db, &sz);
	de->db_bytes += sz;
	rc = 0;
out:
	free(pats);
	free(lens);
	free(flags);
	free(ids);
	return rc;
}

struct detect_engine *detect_engine_build(struct ruleset *rs, const struct config *cfg)
{
	struct detect_engine *de = calloc(1, sizeof(*de));
	if (!de) {
		ruleset_free(rs);
		return NULL;
	}
	de->rs = rs;
	de->thr = threshold_table_new(cfg);
	if (!de->thr)
		goto fail;
	for (uint32_t i = 0; i < rs->n_rules; i++) {
		const struct rule *r = rs->rules[i];
		for (int b = 0; b < r->n_bufs; b++)
			for (int k = 0; k < r->bufs[b].sms.n; k++)
				if (r->bufs[b].sms.v[k].kw == KW_pcre) {
					const struct pcre_ctx *pc = r->bufs[b].sms.v[k].ctx;
					if (pc->captures > de->max_captures)
						de->max_captures = pc->captures;
				}
		if (r->flags & RULE_WAITING)
			continue; /* app-layer rules: nothing fills their buffers yet */
		for (int g = 0; g < GRP_MAX; g++) {
			if (!rule_in_group(r, g))
				continue;
			struct group *gr = &de->g[g];
			int rc;
			if (is_iponly(r))
				rc = push(&gr->iponly, &gr->n_iponly, r);
			else if (r->fp && r->bufs[r->fp_buf].buf == BUF_PAYLOAD &&
				 r->bufs[r->fp_buf].n_xform == 0 && !(r->fp->flags & CT_NEGATED))
				rc = push(&gr->payload, &gr->n_payload, r);
			else
				rc = push(&gr->always, &gr->n_always, r);
			if (rc < 0)
				goto fail;
		}
	}
	for (int g = 0; g < GRP_MAX; g++)
		if (build_db(de, &de->g[g]) < 0)
			goto fail;
	return de;
fail:
	detect_engine_free(de);
	return NULL;
}

void detect_engine_free(struct detect_engine *de)
{
	if (!de)
		return;
	for (int g = 0; g < GRP_MAX; g++) {
		free(de->g[g].payload);
		free(de->g[g].always);
		free(de->g[g].iponly);
		hs_free_database(de->g[g].db);
	}
	threshold_table_free(de->thr);
	ruleset_free(de->rs);
	free(de);
}

const struct ruleset *detect_engine_ruleset(const struct detect_engine *de)
{
	return de->rs;
}

uint64_t detect_engine_db_bytes(const struct detect_engine *de)
{
	return de->db_bytes;
}

struct detect_thread *detect_thread_new(const struct detect_engine *de, struct counters *cnt,
					detect_alert_fn fn, void *ctx)
{
	struct detect_thread *dt = calloc(1, sizeof(*dt));
	if (!dt)
		return NULL;
	dt->de = de;
	dt->cnt = cnt;
	dt->fn = fn;
	dt->fn_ctx = ctx;
	uint32_t maxp = 0;
	for (int g = 0; g < GRP_MAX; g++) {
		if (de->g[g].db && hs_alloc_scratch(de->g[g].db, &dt->scratch) != HS_SUCCESS)
			goto fail;
		if (de->g[g].n_payload > maxp)
			maxp = de->g[g].n_payload;
	}
	dt->seen = calloc(maxp + 1, sizeof(uint32_t));
	dt->cand = malloc((maxp + 1) * sizeof(uint32_t));
	dt->cap_cand = maxp + 1;
	dt->in.md = pcre2_match_data_create(de->max_captures + 1, NULL);
	if (!dt->seen || !dt->cand || !dt->in.md)
		goto fail;
	return dt;
fail:
	detect_thread_free(dt);
	return NULL;
}

void detect_thread_free(struct detect_thread *dt)
{
	if (!dt)
		return;
	hs_free_scratch(dt->scratch);
	pcre2_match_data_free(dt->in.md);
	free(dt->seen);
	free(dt->cand);
	free(dt);
}

void detect_begin_packet(struct detect_thread *dt, const struct packet *p)
{
	dt->cur = p;
	dt->n_alerted = 0;
}

void detect_flow_end(struct detect_thread *dt, struct flow *f)
{
	(void)dt;
	flowvars_free(f);
}

/* The addresses and ports rules see: the packet's, or for stream data the
 * flow's in the data's direction. */
struct view {
	const uint8_t *src, *dst;
	int ver;
	uint16_t sp, dp;
	uint8_t proto;
	int dir; /* 0 to server, 1 to client, -1 no flow */
};

static bool header_match(const struct rule *r, const struct view *v)
{
	if (!proto_match(r, v->proto))
		return false;
	bool ports = v->proto == 6 || v->proto == 17 || v->proto == 132;
	if (ipset_match(&r->src, v->src, v->ver) && ipset_match(&r->dst, v->dst, v->ver) &&
	    (!ports || (portset_match(&r->sp, v->sp) && portset_match(&r->dp, v->dp))))
		return true;
	if (r->flags & RULE_BIDIR)
		return ipset_match(&r->src, v->dst, v->ver) && ipset_match(&r->dst, v->src, v->ver) &&
		       (!ports || (portset_match(&r->sp, v->dp) && portset_match(&r->dp, v->sp)));
	return false;
}

static bool flow_flags_match(const struct rule *r, const struct flow *f, int dir, uint32_t pflags)
{
	bool est = pflags & PKT_FLOW_EST;
	if ((r->flags & RULE_FLOW_ONLY_FRAG) && !(pflags & PKT_REASSEMBLED))
		return false;
	if ((r->flags & RULE_FLOW_NO_FRAG) && (pflags & PKT_REASSEMBLED))
		return false;
	if (!(r->flags & (RULE_TOSERVER | RULE_TOCLIENT | RULE_ESTABLISHED | RULE_NOT_EST)))
		return true;
	if (!f)
		return false;
	if ((r->flags & RULE_TOSERVER) && dir != 0)
		return false;
	if ((r->flags & RULE_TOCLIENT) && dir != 1)
		return false;
	if ((r->flags & RULE_ESTABLISHED) && !est)
		return false;
	if ((r->flags & RULE_NOT_EST) && est)
		return false;
	return true;
}

static void raise_alert(struct detect_thread *dt, const struct packet *p, struct flow *f,
			const struct rule *r, bool stream, const uint8_t *data, uint32_t len, int dir)
{
	for (uint32_t i = 0; i < dt->n_alerted; i++)
		if (dt->alerted[i] == r->id)
			return; /* one alert per rule per packet */
	/* post-match actions run whether or not the rule alerts */
	bool suppressed = false;
	for (uint16_t i = 0; i < r->post.n; i++) {
		const struct sm *sm = &r->post.v[i];
		if (sm->kw == KW_threshold || sm->kw == KW_detection_filter) {
			if (!threshold_check(dt->de->thr, r, sm->ctx, p, f, dt->cnt))
				suppressed = true;
		} else if (f && flowvars_apply(f, sm) < 0) {
			CNT_INC(dt->cnt, DET_FLOWVAR_FAIL);
		}
	}
	if (dt->n_alerted == DETECT_MAX_ALERTS) {
		CNT_INC(dt->cnt, DET_ALERTS_OVER_CAP);
		return;
	}
	dt->alerted[dt->n_alerted++] = r->id;
	if (suppressed) {
		CNT_INC(dt->cnt, DET_ALERTS_SUPPRESSED);
		return;
	}
	if (r->flags & RULE_NOALERT || r->action == ACTION_PASS)
		return;
	if (f)
		f->alerted = true;
	CNT_INC(dt->cnt, DET_ALERTS);
	struct detect_alert a = {r, stream, data, len, (uint8_t)(dir < 0 ? 0 : dir)};
	if (dt->fn)
		dt->fn(dt->fn_ctx, p, f, &a);
}

/* Everything but the prefilter: header, flow, packet keywords, buffers. */
static bool rule_match(struct detect_thread *dt, const struct rule *r, const struct packet *p,
		       struct flow *f, const struct view *v, const uint8_t *data, uint32_t len,
		       bool stream)
{
	if (!header_match(r, v) || !flow_flags_match(r, f, v->dir, p->flags))
		return false;
	if (r->proto.alproto && (!f || f->app_proto != r->proto.alproto))
		return false;
	struct det_pkt d = {p, f, dt};
	for (uint16_t i = 0; i < r->pkt.n; i++) {
		const struct kw_def *k = kw_get(r->pkt.v[i].kw);
		if (k->match && !k->match(&d, r->pkt.v[i].ctx))
			return false;
	}
	for (int b = 0; b < r->n_bufs; b++) {
		const struct rule_buf *rb = &r->bufs[b];
		if (rb->buf != BUF_PAYLOAD || rb->n_xform)
			return false; /* app-layer buffers are not produced yet */
		if (!data)
			return false;
		dt->in.buf = data;
		dt->in.len = len;
		bool m = inspect_list(&dt->in, &rb->sms);
		if (dt->in.capped)
			CNT_INC(dt->cnt, DET_INSPECT_CAPPED);
		if (!m)
			return false;
	}
	(void)stream;
	return true;
}

static int hs_on_match(unsigned id, unsigned long long from, unsigned long long to,
		       unsigned flags, void *ctx)
{
	struct detect_thread *dt = ctx;
	(void)from;
	(void)to;
	(void)flags;
	if (dt->seen[id] != dt->gen) {
		dt->seen[id] = dt->gen;
		dt->cand[dt->n_cand++] = id;
	}
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

enum { FOR_PACKET, FOR_TRACKED_PACKET, FOR_STREAM };

#define WANTS_PACKETS (RULE_NO_STREAM | RULE_NEED_PACKET | RULE_PKT_PROTO)

/* Which payload rules look at this data: a packet outside a tracked TCP
 * session (all but stream-only rules), a packet of a tracked session (only
 * the rules that want packets), or reassembled stream data (the others). */
static bool wants(const struct rule *r, int mode)
{
	switch (mode) {
	case FOR_PACKET:
		return !(r->flags & RULE_ONLY_STREAM);
	case FOR_TRACKED_PACKET:
		return r->flags & WANTS_PACKETS;
	default:
		return !(r->flags & WANTS_PACKETS);
	}
}

/* Run the payload rules of group g over data. */
static void payload_rules(struct detect_thread *dt, const struct group *g, const struct packet *p,
			  struct flow *f, const struct view *v, const uint8_t *data, uint32_t len,
			  int mode)
{
	bool stream = mode == FOR_STREAM;
	if (!g->db || len == 0)
		return;
	if (++dt->gen == 0) {
		memset(dt->seen, 0, dt->cap_cand * sizeof(uint32_t));
		dt->gen = 1;
	}
	dt->n_cand = 0;
	if (hs_scan(g->db, (const char *)data, len, 0, dt->scratch, hs_on_match, dt) != HS_SUCCESS)
		CNT_INC(dt->cnt, DET_PREFILTER_ERRORS);
	if (dt->n_cand > 1)
		qsort(dt->cand, dt->n_cand, sizeof(uint32_t), cmp_u32);
	for (uint32_t i = 0; i < dt->n_cand; i++) {
		const struct rule *r = g->payload[dt->cand[i]];
		if (!wants(r, mode))
			continue;
		CNT_INC(dt->cnt, DET_RULE_CHECKS);
		if (rule_match(dt, r, p, f, v, data, len, stream))
			raise_alert(dt, p, f, r, stream, data, len, v->dir);
	}
}

static bool stream_tracked(const struct flow *f)
{
	return f && f->proto == 6 && (f->tcp.flags & TCPS_TRACKED);
}

void detect_packet(struct detect_thread *dt, struct packet *p)
{
	const struct detect_engine *de = dt->de;
	if (!p->ip_ver)
		return;
	const struct group *g = &de->g[group_of(p->proto)];
	struct flow *f = p->flow;
	struct view v = {p->src.a, p->dst.a, p->ip_ver, p->sp, p->dp, p->proto, f ? p->dir : -1};
	if (!(p->flags & PKT_HAS_PORTS))
		v.sp = v.dp = 0;
	const uint8_t *pl = p->payload_len ? packet_payload(p) : NULL;
	bool tracked = stream_tracked(f);

	/* IP-only rules: once per flow direction */
	if (g->n_iponly && (!f || !(f->detect_flags & (1u << p->dir)))) {
		if (f)
			f->detect_flags |= (uint8_t)(1u << p->dir);
		for (uint32_t i = 0; i < g->n_iponly; i++) {
			const struct rule *r = g->iponly[i];
			if (header_match(r, &v) && flow_flags_match(r, f, v.dir, p->flags))
				raise_alert(dt, p, f, r, false, pl, p->payload_len, v.dir);
		}
	}
	for (uint32_t i = 0; i < g->n_always; i++) {
		const struct rule *r = g->always[i];
		/* payload rules on tracked TCP see the stream (detect_stream) */
		if (payload_buf(r) && !wants(r, tracked ? FOR_TRACKED_PACKET : FOR_PACKET))
			continue;
		CNT_INC(dt->cnt, DET_RULE_CHECKS);
		if (rule_match(dt, r, p, f, &v, pl, p->payload_len, false))
			raise_alert(dt, p, f, r, false, pl, p->payload_len, v.dir);
	}
	if (pl)
		payload_rules(dt, g, p, f, &v, pl, p->payload_len,
			      tracked ? FOR_TRACKED_PACKET : FOR_PACKET);
	dt->cur = NULL;
}

/* Data delivered when a flow ends (timeout, shutdown) has no packet: make one
 * from the flow, as Suricata's flow-timeout pseudo packets. */
static void pseudo_packet(struct packet *pp, const struct flow *f, int dir)
{
	memset(pp, 0, sizeof(*pp));
	pp->ts = f->last_ts;
	pp->ip_ver = f->ip_ver;
	pp->proto = f->proto;
	pp->src = dir == 0 ? f->src : f->dst;
	pp->dst = dir == 0 ? f->dst : f->src;
	pp->sp = dir == 0 ? f->sp : f->dp;
	pp->dp = dir == 0 ? f->dp : f->sp;
	pp->vlan_n = f->vlan_n;
	memcpy(pp->vlan, f->vlan, sizeof(pp->vlan));
	pp->flags = PKT_PSEUDO | PKT_FLOW_EST | PKT_HAS_PORTS | PKT_L4_OK;
	pp->flow = (struct flow *)f;
	pp->dir = (uint8_t)dir;
}

void detect_stream(struct detect_thread *dt, struct flow *f, int dir, const uint8_t *data,
		   uint32_t len)
{
	const struct detect_engine *de = dt->de;
	const struct packet *p = dt->cur;
	struct packet pp;
	if (!len)
		return;
	/* no packet, or one of another flow (this one timed out on its arrival) */
	if (!p || p->flow != f) {
		pseudo_packet(&pp, f, dir);
		p = &pp;
		dt->n_alerted = 0;
	}
	const struct group *g = &de->g[GRP_TCP];
	struct view v;
	/* the flow's tuple oriented in the data's direction */
	v.src = dir == 0 ? f->src.a : f->dst.a;
	v.dst = dir == 0 ? f->dst.a : f->src.a;
	v.sp = dir == 0 ? f->sp : f->dp;
	v.dp = dir == 0 ? f->dp : f->sp;
	v.ver = f->ip_ver;
	v.proto = 6;
	v.dir = dir;
	for (uint32_t i = 0; i < g->n_always; i++) {
		const struct rule *r = g->always[i];
		if (!payload_buf(r) || !wants(r, FOR_STREAM))
			continue;
		CNT_INC(dt->cnt, DET_RULE_CHECKS);
		if (rule_match(dt, r, p, f, &v, data, len, true))
			raise_alert(dt, p, f, r, true, data, len, dir);
	}
	payload_rules(dt, g, p, f, &v, data, len, FOR_STREAM);
	if (p == &pp)
		dt->n_alerted = 0;
}
