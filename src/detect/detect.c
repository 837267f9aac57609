/*
 * detect — see detect.h.
 */
#include "detect/detect.h"

#include <hs/hs.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/alproto.h"
#include "app/applayer.h"
#include "core/log.h"
#include "detect/buffers.h"
#include "detect/content.h"
#include "detect/dataset.h"
#include "detect/flowvars.h"
#include "detect/inspect.h"
#include "detect/ipindex.h"
#include "detect/prefilter.h"
#include "detect/profile.h"
#include "detect/keyword.h"
#include "detect/kw_pcre.h"
#include "detect/threshold.h"
#include "detect/thresholdcfg.h"
#include "detect/transform.h"
#include "flow/flow.h"

enum { GRP_TCP, GRP_UDP, GRP_ICMP, GRP_OTHER, GRP_MAX };

/* stream data up to this size is joined to the tail before scanning */
#define STREAM_JOIN_MAX 65536

/* rules that inspect packets, never the reassembled stream */
#define WANTS_PACKETS (RULE_NO_STREAM | RULE_NEED_PACKET | RULE_PKT_PROTO)

/* Rules of one transport group. */
struct group {
	const struct rule **payload; /* rules with a payload fast pattern */
	uint32_t n_payload;
	/* [0]: rules for the stream and packets; [1] (TCP only): rules that ask
	 * for packets, so a packet of a tracked session is not scanned twice */
	struct prefilter pf[2];
	const struct rule **always; /* checked on every packet of the group */
	uint32_t n_always;
	uint8_t *al_mask, *al_want; /* TCP flags an always-rule needs (mask 0: none) */
	/* IP-only rules, checked on each direction's first packet: indexed by
	 * address, plus the few that cannot be */
	const struct rule **iponly;
	uint32_t n_iponly;
	struct ip_index *ipx;
	const struct rule **iponly_rest;
	uint32_t n_iponly_rest;
};

/* App-layer rules whose fast pattern lies in one buffer (after the same
 * argument-less transforms): one prefilter database over that buffer. */
struct app_pf {
	uint16_t buf;
	uint8_t n_xform;
	uint8_t xform[RULE_MAX_TRANSFORMS];
	const struct rule **rules;
	uint32_t n;
	struct prefilter pf;
};

/* The rules of one app-layer protocol inspected at one progress level. */
struct app_group {
	struct app_pf *pfs;
	uint32_t n_pfs;
	const struct rule **always; /* no usable fast pattern: checked on every tx */
	uint32_t n_always;
};

/* transformed buffers are cut at this size */
#define XFORM_MAX (256 * 1024)

struct detect_engine {
	struct ruleset *rs;
	struct group g[GRP_MAX];
	struct app_group ag[ALPROTO_MAX][APP_MAX_LEVEL + 1];
	uint64_t load_ns;	  /* parse + build */
	bool brute;		  /* detect.prefilter=false */
	const struct pf_db **dbs; /* every prefilter database, by pf_db.id */
	uint32_t n_dbs;
	bool profile;
	uint32_t max_captures;
	uint64_t db_bytes;
	struct threshold_table *thr;
	struct threshold_config *tcfg;	       /* threshold-file, or NULL */
	const struct threshold_ctx **thr_over; /* per rule id: the file's threshold */
	uint8_t *suppress;		       /* per rule id: the file suppresses some alerts */
};

struct detect_thread {
	const struct detect_engine *de;
	struct counters *cnt;
	detect_alert_fn fn;
	void *fn_ctx;
	hs_scratch_t *scratch;
	struct inspect in;
	const struct packet *cur; /* the packet being processed */
	/* candidates from the prefilter: a bit per pattern id of the database
	 * scanned, walked in id (= rule) order */
	uint64_t *bits;
	uint32_t n_words;
	uint32_t lo_word, hi_word;  /* the words touched by the last scan */
	unsigned long long min_end; /* prefilter matches must end past this (stream tail) */
	uint8_t *sbuf;		    /* stream tail + new data */
	/* --profile-rules: per rule and per database (NULL when off) */
	struct detect_profile *prof;
	uint8_t *xbuf[2]; /* transform output (ping-pong), XFORM_MAX each */
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
	default: {
		/* any protocol but TCP, UDP and ICMP */
		for (int b = 0; b < 32; b++) {
			uint8_t m = r->proto.ipproto[b];
			if (b == 0)
				m &= (uint8_t) ~((1u << 6) | (1u << 1));
			if (b == 2)
				m &= (uint8_t) ~(1u << 1);
			if (b == 7)
				m &= (uint8_t) ~(1u << 2);
			if (m)
				return true;
		}
		return false;
	}
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

/* Addresses and ports only (iprep, post-match flowbits set and thresholds
 * allowed), as Suricata's IP-only rules. */
static bool is_iponly(const struct rule *r)
{
	for (uint16_t i = 0; i < r->pkt.n; i++)
		if (r->pkt.v[i].kw != KW_iprep)
			return false;
	return r->n_bufs == 0 &&
	       !(r->flags & (RULE_TOSERVER | RULE_TOCLIENT | RULE_ESTABLISHED | RULE_NOT_EST |
			     RULE_FLOW_ONLY_FRAG | RULE_FLOW_NO_FRAG)) &&
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

/* Can the prefilter look for this rule's fast pattern? */
static bool prefilterable(const struct rule *r)
{
	if (!r->fp || r->bufs[r->fp_buf].buf != BUF_PAYLOAD || r->bufs[r->fp_buf].n_xform ||
	    (r->fp->flags & CT_NEGATED))
		return false;
	const uint8_t *p;
	uint32_t n;
	prefilter_literal(r->fp, &p, &n);
	return n > 0;
}

static int register_db(struct detect_engine *de, struct pf_db *d, const char *name)
{
	const struct pf_db **nd = realloc(de->dbs, (de->n_dbs + 1) * sizeof(*nd));
	if (!nd)
		return -1;
	de->dbs = nd;
	d->id = de->n_dbs;
	snprintf(d->name, sizeof(d->name), "%s", name);
	nd[de->n_dbs++] = d;
	return 0;
}

static int register_dbs(struct detect_engine *de, struct prefilter *pf, const char *proto)
{
	char name[32];
	snprintf(name, sizeof(name), "%s any port", proto);
	if (register_db(de, &pf->any, name) < 0)
		return -1;
	for (uint32_t d = 0; d < pf->n_dbs; d++) {
		/* name it by its first port */
		int port = -1;
		bool dst = true;
		for (uint32_t p = 0; p < 65536 && port < 0; p++) {
			if (pf->dp_map && pf->dp_map[p] == d + 1)
				port = (int)p;
			else if (pf->sp_map && pf->sp_map[p] == d + 1) {
				port = (int)p;
				dst = false;
			}
		}
		snprintf(name, sizeof(name), "%s %s %d%s", proto, dst ? "dport" : "sport", port,
			 "");
		if (register_db(de, &pf->dbs[d], name) < 0)
			return -1;
	}
	return 0;
}

/* The app-layer protocol a rule inspects buffers of, or 0 (a packet rule). */
static uint16_t rule_app_proto(const struct rule *r)
{
	bool app = false;
	for (uint16_t i = 0; i < r->pkt.n; i++) {
		uint16_t ap = kw_get(r->pkt.v[i].kw)->tx_alproto;
		if (ap)
			return ap == ALPROTO_HTTP1 ? ALPROTO_HTTP : ap;
	}
	for (int b = 0; b < r->n_bufs; b++) {
		const struct buffer_info *bi = buffer_info(r->bufs[b].buf);
		if (r->bufs[b].buf == BUF_PAYLOAD || buffer_is_address(r->bufs[b].buf))
			continue;
		if (bi->alproto)
			return bi->alproto == ALPROTO_HTTP1 ? ALPROTO_HTTP : bi->alproto;
		app = true; /* file.data: the header's protocol, else HTTP */
	}
	if (!app)
		return 0;
	if (r->proto.alproto)
		return r->proto.alproto == ALPROTO_HTTP1 ? ALPROTO_HTTP : r->proto.alproto;
	return ALPROTO_HTTP;
}

/* The direction of a rule's transactions: flow:to_server/to_client, else
 * the buffers' own (a response buffer makes it a to-client rule), else -1. */
static int rule_app_dir(const struct rule *r)
{
	if (r->flags & RULE_TOSERVER)
		return 0;
	if (r->flags & RULE_TOCLIENT)
		return 1;
	int d = -1;
	for (int b = 0; b < r->n_bufs; b++) {
		uint8_t bd = buffer_info(r->bufs[b].buf)->dir;
		if (r->bufs[b].buf == BUF_PAYLOAD || bd == 3)
			continue;
		if (bd == BUF_DIR_TOCLIENT)
			return 1;
		d = 0;
	}
	return d;
}

/* The level at which a rule in direction rdir can inspect all its app
 * buffers (0: some buffer is not the protocol's). */
static uint8_t rule_app_level(const struct app_parser *ap, const struct rule *r, int rdir)
{
	uint8_t lv = 0;
	for (uint16_t i = 0; i < r->pkt.n; i++) {
		const struct kw_def *k = kw_get(r->pkt.v[i].kw);
		if (!k->tx_level)
			continue;
		uint8_t l = k->tx_level(rdir);
		if (!l)
			return 0;
		if (l > lv)
			lv = l;
	}
	for (int b = 0; b < r->n_bufs; b++) {
		if (r->bufs[b].buf == BUF_PAYLOAD || buffer_is_address(r->bufs[b].buf))
			continue;
		uint8_t l = ap->buffer_level(r->bufs[b].buf, rdir);
		if (!l)
			return 0;
		if (l > lv)
			lv = l;
	}
	return lv;
}

static bool xforms_plain(const struct rule_buf *rb)
{
	for (int i = 0; i < rb->n_xform; i++)
		if (rb->xform_arg[i])
			return false;
	return true;
}

static int app_group_add(struct app_group *ag, const struct rule *r)
{
	const struct rule_buf *rb = r->fp ? &r->bufs[r->fp_buf] : NULL;
	const uint8_t *lit;
	uint32_t n = 0;
	if (rb)
		prefilter_literal(r->fp, &lit, &n);
	if (!rb || rb->buf == BUF_PAYLOAD || buffer_is_address(rb->buf) ||
	    (r->fp->flags & CT_NEGATED) || !n || !xforms_plain(rb))
		return push(&ag->always, &ag->n_always, r);
	struct app_pf *apf = NULL;
	for (uint32_t i = 0; i < ag->n_pfs && !apf; i++) {
		struct app_pf *c = &ag->pfs[i];
		if (c->buf == rb->buf && c->n_xform == rb->n_xform &&
		    !memcmp(c->xform, rb->xform, rb->n_xform))
			apf = c;
	}
	if (!apf) {
		struct app_pf *np = realloc(ag->pfs, (ag->n_pfs + 1) * sizeof(*np));
		if (!np)
			return -1;
		ag->pfs = np;
		apf = &np[ag->n_pfs++];
		memset(apf, 0, sizeof(*apf));
		apf->buf = rb->buf;
		apf->n_xform = rb->n_xform;
		memcpy(apf->xform, rb->xform, rb->n_xform);
	}
	return push(&apf->rules, &apf->n, r);
}

/* File an app-layer rule under its protocol and level(s): 1 when filed, 0
 * when r is not an app-layer rule, -1 on OOM. */
static int app_rule_add(struct detect_engine *de, const struct rule *r)
{
	uint16_t ap = rule_app_proto(r);
	if (!ap)
		return 0;
	const struct app_parser *parser = app_parser_for(ap);
	if (!parser)
		return 1; /* no parser: its buffers are never filled */
	int rdir = rule_app_dir(r);
	uint8_t lv[2] = {0, 0};
	if (rdir >= 0) {
		lv[0] = rule_app_level(parser, r, rdir);
	} else {
		lv[0] = rule_app_level(parser, r, 0);
		lv[1] = rule_app_level(parser, r, 1);
		if (lv[1] == lv[0])
			lv[1] = 0;
	}
	for (int i = 0; i < 2; i++)
		if (lv[i] && app_group_add(&de->ag[ap][lv[i]], r) < 0)
			return -1;
	return 1;
}

static int app_build(struct detect_engine *de)
{
	for (int a = 0; a < ALPROTO_MAX; a++) {
		for (int l = 1; l <= APP_MAX_LEVEL; l++) {
			struct app_group *ag = &de->ag[a][l];
			for (uint32_t i = 0; i < ag->n_pfs; i++) {
				struct app_pf *apf = &ag->pfs[i];
				char name[32];
				if (prefilter_build(&apf->pf, apf->rules, apf->n, false) < 0)
					return -1;
				de->db_bytes += apf->pf.bytes;
				snprintf(name, sizeof(name), "%s/%d %s%s", alproto_name((uint16_t)a), l,
					 buffer_info(apf->buf)->name, apf->n_xform ? "+" : "");
				if (register_db(de, &apf->pf.any, name) < 0)
					return -1;
			}
			if (ag->n_pfs || ag->n_always)
				log_debug("rules: %s level %d: %u prefilter buffers, %u always",
					  alproto_name((uint16_t)a), l, ag->n_pfs, ag->n_always);
		}
	}
	return 0;
}

struct detect_engine *detect_engine_build(struct ruleset *rs, const struct config *cfg)
{
	static const char *const gnames[GRP_MAX] = {"tcp", "udp", "icmp", "other"};
	struct detect_engine *de = calloc(1, sizeof(*de));
	if (!de) {
		ruleset_free(rs);
		return NULL;
	}
	de->rs = rs;
	de->profile = cfg->profile_rules;
	de->brute = !cfg->detect_prefilter;
	uint64_t t0 = profile_now();
	de->thr = threshold_table_new(cfg);
	if (!de->thr)
		goto fail;
	if (cfg->threshold_file[0]) {
		de->tcfg = threshold_config_load(cfg->threshold_file, rs);
		de->thr_over = calloc(rs->n_rules + 1, sizeof(*de->thr_over));
		de->suppress = calloc(rs->n_rules + 1, 1);
		if (!de->tcfg || !de->thr_over || !de->suppress)
			goto fail;
		for (uint32_t i = 0; i < rs->n_rules; i++) {
			de->thr_over[i] = threshold_config_for(de->tcfg, rs->rules[i]);
			de->suppress[i] = threshold_config_has_suppress(de->tcfg, rs->rules[i]);
		}
	}
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
		int ar = app_rule_add(de, r);
		if (ar < 0)
			goto fail;
		if (ar)
			continue;
		for (int g = 0; g < GRP_MAX; g++) {
			if (!rule_in_group(r, g))
				continue;
			struct group *gr = &de->g[g];
			int rc;
			if (is_iponly(r))
				rc = push(&gr->iponly, &gr->n_iponly, r);
			else if (prefilterable(r))
				rc = push(&gr->payload, &gr->n_payload, r);
			else
				rc = push(&gr->always, &gr->n_always, r);
			if (rc < 0)
				goto fail;
		}
	}
	for (int g = 0; g < GRP_MAX; g++) {
		struct group *gr = &de->g[g];
		/* split TCP rules by whether they want packets or the stream */
		const struct rule **part[2];
		uint32_t np[2] = {0, 0};
		part[0] = malloc((gr->n_payload + 1) * sizeof(*part[0]));
		part[1] = malloc((gr->n_payload + 1) * sizeof(*part[1]));
		if (!part[0] || !part[1]) {
			free(part[0]);
			free(part[1]);
			goto fail;
		}
		for (uint32_t i = 0; i < gr->n_payload; i++) {
			int k = g == GRP_TCP && (gr->payload[i]->flags & WANTS_PACKETS) ? 1 : 0;
			part[k][np[k]++] = gr->payload[i];
		}
		bool ports = g == GRP_TCP || g == GRP_UDP;
		int brc = 0;
		for (int k = 0; k < 2 && !brc; k++)
			brc = prefilter_build(&gr->pf[k], part[k], np[k], ports);
		free(part[0]);
		free(part[1]);
		if (brc < 0)
			goto fail;
		for (int k = 0; k < 2; k++) {
			char nm[16];
			snprintf(nm, sizeof(nm), "%s%s", gnames[g], k ? " pkt" : "");
			de->db_bytes += gr->pf[k].bytes;
			if (register_dbs(de, &gr->pf[k], nm) < 0)
				goto fail;
		}
		gr->ipx = ip_index_build(gr->iponly, de->brute ? 0 : gr->n_iponly, &gr->iponly_rest,
					 &gr->n_iponly_rest);
		for (uint32_t i = 0; de->brute && i < gr->n_iponly; i++)
			if (push(&gr->iponly_rest, &gr->n_iponly_rest, gr->iponly[i]) < 0)
				goto fail;
		if (!gr->ipx)
			goto fail;
		gr->al_mask = calloc(gr->n_always + 1, 1);
		gr->al_want = calloc(gr->n_always + 1, 1);
		if (!gr->al_mask || !gr->al_want)
			goto fail;
		for (uint32_t i = 0; g == GRP_TCP && i < gr->n_always; i++) {
			const struct rule *r = gr->always[i];
			for (uint16_t k = 0; k < r->pkt.n; k++)
				if (r->pkt.v[k].kw == KW_flags &&
				    flags_required(r->pkt.v[k].ctx, &gr->al_mask[i],
						   &gr->al_want[i]))
					break;
		}
		log_debug("rules: group %d: %u payload, %u always, %u ip-only (%u not indexed)", g,
			  gr->n_payload, gr->n_always, gr->n_iponly, gr->n_iponly_rest);
	}
	if (app_build(de) < 0)
		goto fail;
	/* compiling leaves much freed memory in the heap: give it back */
	malloc_trim(0);
	de->load_ns = rs->load_ns + (profile_now() - t0);
	log_info("rules: engine built in %.2f s (parse %.2f s), prefilter %.1f MB in %u databases",
		 de->load_ns / 1e9, rs->load_ns / 1e9, de->db_bytes / 1048576.0, de->n_dbs);
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
		free(de->g[g].al_mask);
		free(de->g[g].al_want);
		free(de->g[g].iponly);
		free(de->g[g].iponly_rest);
		ip_index_free(de->g[g].ipx);
		prefilter_free(&de->g[g].pf[0]);
		prefilter_free(&de->g[g].pf[1]);
	}
	for (int a = 0; a < ALPROTO_MAX; a++) {
		for (int l = 0; l <= APP_MAX_LEVEL; l++) {
			struct app_group *ag = &de->ag[a][l];
			for (uint32_t i = 0; i < ag->n_pfs; i++) {
				free(ag->pfs[i].rules);
				prefilter_free(&ag->pfs[i].pf);
			}
			free(ag->pfs);
			free(ag->always);
		}
	}
	threshold_table_free(de->thr);
	threshold_config_free(de->tcfg);
	free(de->thr_over);
	free(de->suppress);
	free(de->dbs);
	ruleset_free(de->rs);
	free(de);
}

uint64_t detect_engine_load_ns(const struct detect_engine *de)
{
	return de->load_ns;
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
		for (int k = 0; k < 2; k++) {
			if (prefilter_alloc_scratch(&de->g[g].pf[k], &dt->scratch) < 0)
				goto fail;
			if (prefilter_max_rules(&de->g[g].pf[k]) > maxp)
				maxp = prefilter_max_rules(&de->g[g].pf[k]);
		}
	}
	for (int a = 0; a < ALPROTO_MAX; a++)
		for (int l = 0; l <= APP_MAX_LEVEL; l++)
			for (uint32_t i = 0; i < de->ag[a][l].n_pfs; i++) {
				const struct prefilter *pf = &de->ag[a][l].pfs[i].pf;
				if (prefilter_alloc_scratch(pf, &dt->scratch) < 0)
					goto fail;
				if (prefilter_max_rules(pf) > maxp)
					maxp = prefilter_max_rules(pf);
			}
	dt->xbuf[0] = malloc(XFORM_MAX);
	dt->xbuf[1] = malloc(XFORM_MAX);
	if (!dt->xbuf[0] || !dt->xbuf[1])
		goto fail;
	if (de->profile) {
		dt->prof = profile_new(de->rs->n_rules, de->n_dbs);
		if (!dt->prof)
			goto fail;
	}
	dt->sbuf = malloc(STREAM_TAIL + STREAM_JOIN_MAX);
	dt->bits = calloc(maxp / 64 + 1, sizeof(uint64_t));
	dt->n_words = maxp / 64 + 1;
	dt->in.md = pcre2_match_data_create(de->max_captures + 1, NULL);
	dt->in.cnt = cnt;
	if (!dt->bits || !dt->in.md || !dt->sbuf)
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
	profile_free(dt->prof);
	pcre2_match_data_free(dt->in.md);
	free(dt->bits);
	free(dt->sbuf);
	free(dt->xbuf[0]);
	free(dt->xbuf[1]);
	free(dt);
}

void detect_begin_packet(struct detect_thread *dt, const struct packet *p)
{
	dt->cur = p;
	dt->n_alerted = 0;
}

const struct detect_profile *detect_thread_profile(const struct detect_thread *dt)
{
	return dt->prof;
}

const char *detect_engine_db_name(const struct detect_engine *de, uint32_t id)
{
	return id < de->n_dbs ? de->dbs[id]->name : "?";
}

uint32_t detect_engine_n_dbs(const struct detect_engine *de)
{
	return de->n_dbs;
}

bool detect_engine_uses_keyword(const struct detect_engine *de, const char *name)
{
	int kw = kw_lookup(name);
	if (kw < 0)
		return false;
	for (uint32_t i = 0; i < de->rs->n_rules; i++) {
		const struct rule *r = de->rs->rules[i];
		for (uint16_t k = 0; k < r->pkt.n; k++)
			if (r->pkt.v[k].kw == kw)
				return true;
	}
	return false;
}

int detect_engine_save_datasets(const struct detect_engine *de)
{
	return dataset_reg_save(de->rs->datasets);
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

/* Cheapest tests first: ports, then addresses. */
static bool header_match(const struct rule *r, const struct view *v)
{
	if (!proto_match(r, v->proto))
		return false;
	if ((r->flags & RULE_IPV4_ONLY && v->ver != 4) ||
	    (r->flags & RULE_IPV6_ONLY && v->ver != 6))
		return false;
	bool ports = v->proto == 6 || v->proto == 17 || v->proto == 132;
	if ((!ports || (portset_match(&r->sp, v->sp) && portset_match(&r->dp, v->dp))) &&
	    ipset_match(&r->src, v->src, v->ver) && ipset_match(&r->dst, v->dst, v->ver))
		return true;
	if (r->flags & RULE_BIDIR)
		return (!ports || (portset_match(&r->sp, v->dp) && portset_match(&r->dp, v->sp))) &&
		       ipset_match(&r->src, v->dst, v->ver) && ipset_match(&r->dst, v->src, v->ver);
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
			const struct rule *r, bool stream, const uint8_t *data, uint32_t len,
			int dir, const struct app_tx *tx)
{
	/* one alert per rule per packet; transactions are inspected once per
	 * level, and each of them may alert */
	for (uint32_t i = 0; !tx && i < dt->n_alerted; i++)
		if (dt->alerted[i] == r->id)
			return;
	/* post-match actions run whether or not the rule alerts */
	bool suppressed = false;
	const struct detect_engine *de = dt->de;
	const struct threshold_ctx *over = de->thr_over ? de->thr_over[r->id] : NULL;
	if (over && !threshold_check(de->thr, r, over, p, f, dt->cnt))
		suppressed = true;
	if (de->suppress && de->suppress[r->id] && threshold_config_suppressed(de->tcfg, r, p))
		suppressed = true;
	for (uint16_t i = 0; i < r->post.n; i++) {
		const struct sm *sm = &r->post.v[i];
		if (sm->kw == KW_threshold && over)
			continue; /* the threshold file's setting replaces the rule's */
		if (sm->kw == KW_threshold || sm->kw == KW_detection_filter) {
			if (!threshold_check(de->thr, r, sm->ctx, p, f, dt->cnt))
				suppressed = true;
		} else if (kw_get(sm->kw)->post) {
			struct det_pkt d = {p, f, dt, NULL, NULL};
			if (kw_get(sm->kw)->post(&d, sm->ctx) < 0)
				CNT_INC(dt->cnt, DET_FLOWVAR_FAIL);
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
	struct detect_alert a = {r, stream, data, len, (uint8_t)(dir < 0 ? 0 : dir), tx};
	if (dt->fn)
		dt->fn(dt->fn_ctx, p, f, &a);
}

/* The rule buffer's transforms, in the worker's ping-pong buffers. */
static void apply_xforms(struct detect_thread *dt, const struct rule_buf *rb, const uint8_t **p,
			 uint32_t *len)
{
	for (int i = 0; i < rb->n_xform; i++) {
		uint8_t *out = dt->xbuf[i & 1];
		uint32_t in_len = *len < XFORM_MAX ? *len : XFORM_MAX;
		*len = xform_apply(rb->xform[i], rb->xform_arg[i], *p, in_len, out, XFORM_MAX);
		*p = out;
	}
}

/* ip.src / ip.dst: the view's address (4 or 16 bytes) after the transforms. */
static bool inspect_address(struct detect_thread *dt, const struct rule_buf *rb,
			    const struct view *v)
{
	const uint8_t *p = rb->buf == BUF_IP_SRC ? v->src : v->dst;
	uint32_t len = v->ver == 4 ? 4 : 16;
	apply_xforms(dt, rb, &p, &len);
	dt->in.buf = p;
	dt->in.len = len;
	return inspect_list(&dt->in, &rb->sms);
}

/* Everything but the prefilter: header, flow, packet keywords, buffers. */
static bool rule_match(struct detect_thread *dt, const struct rule *r, const struct packet *p,
		       struct flow *f, const struct view *v, const uint8_t *data, uint32_t len,
		       bool stream)
{
	/* flow and packet keywords are cheap and often decisive (flags:S):
	 * before the addresses */
	if (!proto_match(r, v->proto) || !flow_flags_match(r, f, v->dir, p->flags))
		return false;
	if (r->proto.alproto && (!f || f->app_proto != r->proto.alproto))
		return false;
	struct det_pkt d = {p, f, dt, v->src, v->dst};
	for (uint16_t i = 0; i < r->pkt.n; i++) {
		const struct kw_def *k = kw_get(r->pkt.v[i].kw);
		if (k->match && !k->match(&d, r->pkt.v[i].ctx))
			return false;
	}
	if (!header_match(r, v))
		return false;
	for (int b = 0; b < r->n_bufs; b++) {
		const struct rule_buf *rb = &r->bufs[b];
		bool m;
		if (buffer_is_address(rb->buf)) {
			m = inspect_address(dt, rb, v);
		} else {
			if (rb->buf != BUF_PAYLOAD || rb->n_xform || !data)
				return false; /* app-layer buffers are inspected per tx */
			dt->in.buf = data;
			dt->in.len = len;
			m = inspect_list(&dt->in, &rb->sms);
		}
		if (dt->in.capped)
			CNT_INC(dt->cnt, DET_INSPECT_CAPPED);
		if (!m)
			return false;
	}
	(void)stream;
	return true;
}

/* Check one rule and alert when it matches; profiled when asked. */
static void check_rule(struct detect_thread *dt, const struct rule *r, const struct packet *p,
		       struct flow *f, const struct view *v, const uint8_t *data, uint32_t len,
		       bool stream)
{
	CNT_INC(dt->cnt, DET_RULE_CHECKS);
	if (!dt->prof) {
		if (rule_match(dt, r, p, f, v, data, len, stream))
			raise_alert(dt, p, f, r, stream, data, len, v->dir, NULL);
		return;
	}
	uint64_t t0 = profile_now();
	bool m = rule_match(dt, r, p, f, v, data, len, stream);
	profile_rule(dt->prof, r->id, m, profile_now() - t0);
	if (m)
		raise_alert(dt, p, f, r, stream, data, len, v->dir, NULL);
}

static int hs_on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		       void *ctx)
{
	struct detect_thread *dt = ctx;
	(void)from;
	(void)flags;
	if (to <= dt->min_end)
		return 0; /* inside the tail already inspected with the earlier data */
	uint32_t w = id / 64;
	dt->bits[w] |= 1ull << (id % 64);
	if (w < dt->lo_word)
		dt->lo_word = w;
	if (w + 1 > dt->hi_word)
		dt->hi_word = w + 1;
	return 0;
}

enum { FOR_PACKET, FOR_TRACKED_PACKET, FOR_STREAM };

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

/* detect.prefilter=false: what the prefilter does, by brute force over every
 * payload rule of the group (no port groups, no Vectorscan), to test them:
 * a rule is a candidate when its prefilter literal occurs ending past the
 * stream tail. */
static void brute_rules(struct detect_thread *dt, const struct group *g, const struct packet *p,
			struct flow *f, const struct view *v, const uint8_t *data, uint32_t len,
			int mode)
{
	for (uint32_t i = 0; i < g->n_payload; i++) {
		const struct rule *r = g->payload[i];
		if (!wants(r, mode))
			continue;
		const uint8_t *lit;
		uint32_t n;
		prefilter_literal(r->fp, &lit, &n);
		uint32_t from = dt->min_end >= n ? (uint32_t)dt->min_end - n + 1 : 0;
		if (from >= len ||
		    !inspect_find(data + from, len - from, lit, n, r->fp->flags & CT_NOCASE))
			continue;
		check_rule(dt, r, p, f, v, data, len, mode == FOR_STREAM);
	}
}

/* Run the payload rules of group g over data: scan the databases for the
 * data's ports, then check each candidate in rule order. */
static void payload_rules(struct detect_thread *dt, const struct group *g, const struct packet *p,
			  struct flow *f, const struct view *v, const uint8_t *data, uint32_t len,
			  int mode)
{
	bool stream = mode == FOR_STREAM;
	const struct pf_db *dbs[6];
	if (len == 0)
		return;
	if (dt->de->brute) {
		brute_rules(dt, g, p, f, v, data, len, mode);
		return;
	}
	int n = 0;
	if (mode != FOR_TRACKED_PACKET)
		n += prefilter_select(&g->pf[0], v->sp, v->dp, dbs + n);
	if (mode != FOR_STREAM)
		n += prefilter_select(&g->pf[1], v->sp, v->dp, dbs + n);
	for (int d = 0; d < n; d++) {
		dt->lo_word = UINT32_MAX;
		dt->hi_word = 0;
		uint64_t t0 = dt->prof ? profile_now() : 0;
		if (hs_scan(dbs[d]->db, (const char *)data, len, 0, dt->scratch, hs_on_match, dt) !=
		    HS_SUCCESS)
			CNT_INC(dt->cnt, DET_PREFILTER_ERRORS);
		if (dt->prof) {
			uint32_t nc = 0;
			for (uint32_t w = dt->lo_word; w < dt->hi_word; w++)
				nc += (uint32_t)__builtin_popcountll(dt->bits[w]);
			profile_db(dt->prof, dbs[d]->id, len, nc, profile_now() - t0);
		}
		for (uint32_t w = dt->lo_word; w < dt->hi_word; w++) {
			uint64_t m = dt->bits[w];
			dt->bits[w] = 0;
			while (m) {
				uint32_t id = w * 64 + (uint32_t)__builtin_ctzll(m);
				m &= m - 1;
				const struct rule *r = dbs[d]->rules[id];
				if (wants(r, mode))
					check_rule(dt, r, p, f, v, data, len, stream);
			}
		}
	}
}

static bool stream_tracked(const struct flow *f)
{
	return f && f->proto == 6 && (f->tcp.flags & TCPS_TRACKED);
}

struct iponly_ctx {
	struct detect_thread *dt;
	const struct packet *p;
	struct flow *f;
	const struct view *v;
	const uint8_t *pl;
};

static void iponly_check(void *ctx, const struct rule *r)
{
	struct iponly_ctx *c = ctx;
	check_rule(c->dt, r, c->p, c->f, c->v, c->pl, c->p->payload_len, false);
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
	/* encrypted (TLS encryption-handling): raw content is not inspected */
	bool nopayload = f && (f->detect_flags & FLOW_D_NOPAYLOAD);

	/* IP-only rules: once per flow direction */
	if (g->n_iponly && (!f || !(f->detect_flags & (1u << p->dir)))) {
		if (f)
			f->detect_flags |= (uint8_t)(1u << p->dir);
		struct iponly_ctx ic = {dt, p, f, &v, pl};
		ip_index_lookup(g->ipx, v.src, v.dst, v.ver, iponly_check, &ic);
		for (uint32_t i = 0; i < g->n_iponly_rest; i++)
			iponly_check(&ic, g->iponly_rest[i]);
	}
	for (uint32_t i = 0; i < g->n_always; i++) {
		const struct rule *r = g->always[i];
		if ((p->tcp_flags & g->al_mask[i]) != g->al_want[i])
			continue; /* cannot match: its flags keyword says no */
		/* payload rules on tracked TCP see the stream (detect_stream) */
		if (payload_buf(r) &&
		    (nopayload || !wants(r, tracked ? FOR_TRACKED_PACKET : FOR_PACKET)))
			continue;
		check_rule(dt, r, p, f, &v, pl, p->payload_len, false);
	}
	if (pl && !nopayload)
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
	if (!len || (f->detect_flags & FLOW_D_NOPAYLOAD))
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
		check_rule(dt, r, p, f, &v, data, len, true);
	}
	/* The prefilter sees the end of the earlier data too, so a pattern
	 * split between two deliveries is found; matches wholly inside that
	 * tail were seen before and are ignored. */
	struct stream_tail *t = flowvars_tail(f, dir);
	const uint8_t *buf = data;
	uint32_t blen = len;
	if (!t)
		CNT_INC(dt->cnt, DET_FLOWVAR_FAIL);
	if (t && t->len && len <= STREAM_JOIN_MAX) {
		memcpy(dt->sbuf, t->b, t->len);
		memcpy(dt->sbuf + t->len, data, len);
		buf = dt->sbuf;
		blen = t->len + len;
		dt->min_end = t->len;
	}
	payload_rules(dt, g, p, f, &v, buf, blen, FOR_STREAM);
	dt->min_end = 0;
	if (t) {
		uint32_t keep = blen < STREAM_TAIL ? blen : STREAM_TAIL;
		memmove(t->b, buf + blen - keep, keep);
		t->len = keep;
	}
	if (p == &pp)
		dt->n_alerted = 0;
}

void detect_stream_gap(struct detect_thread *dt, struct flow *f, int dir)
{
	(void)dt;
	if (f->vars && f->vars->tail[dir])
		f->vars->tail[dir]->len = 0; /* the data is no longer contiguous */
}

/* ---- application-layer transactions ---- */

/* Buffer instance idx of a tx after the rule buffer's transforms; false when absent. */
static bool tx_buffer(struct detect_thread *dt, const struct app_parser *ap,
		      const struct app_tx *tx, const struct rule_buf *rb, int dir, uint32_t idx,
		      const uint8_t **p, uint32_t *len)
{
	if (!ap->buffer(tx->data, rb->buf, dir, idx, p, len))
		return false;
	apply_xforms(dt, rb, p, len);
	return true;
}

#define TX_MAX_INSTANCES 1024 /* instances of a multi-buffer inspected per tx */

static bool tx_rule_match(struct detect_thread *dt, const struct rule *r, const struct packet *p,
			  struct flow *f, const struct view *v, const struct app_parser *ap,
			  const struct app_tx *tx, int dir)
{
	if (!proto_match(r, v->proto) || !flow_flags_match(r, f, dir, p->flags))
		return false;
	struct det_pkt d = {p, f, dt, v->src, v->dst};
	for (uint16_t i = 0; i < r->pkt.n; i++) {
		const struct kw_def *k = kw_get(r->pkt.v[i].kw);
		if (k->tx_match) {
			if (k->tx_alproto != tx->alproto || !k->tx_match(tx, dir, r->pkt.v[i].ctx))
				return false;
		} else if (k->match && !k->match(&d, r->pkt.v[i].ctx)) {
			return false;
		}
	}
	if (!header_match(r, v))
		return false;
	for (int b = 0; b < r->n_bufs; b++) {
		const struct rule_buf *rb = &r->bufs[b];
		bool m = false;
		if (buffer_is_address(rb->buf)) {
			m = inspect_address(dt, rb, v);
		} else if (rb->buf == BUF_PAYLOAD) {
			if (rb->n_xform || (p->flags & PKT_PSEUDO) || !p->payload_len)
				return false;
			dt->in.buf = packet_payload(p);
			dt->in.len = p->payload_len;
			m = inspect_list(&dt->in, &rb->sms);
		} else {
			const uint8_t *bp;
			uint32_t bl;
			for (uint32_t idx = 0; !m && idx < TX_MAX_INSTANCES &&
					       tx_buffer(dt, ap, tx, rb, dir, idx, &bp, &bl);
			     idx++) {
				dt->in.buf = bp;
				dt->in.len = bl;
				m = inspect_list(&dt->in, &rb->sms);
			}
		}
		if (dt->in.capped)
			CNT_INC(dt->cnt, DET_INSPECT_CAPPED);
		if (!m)
			return false;
	}
	return true;
}

static void check_tx_rule(struct detect_thread *dt, const struct rule *r, const struct packet *p,
			  struct flow *f, const struct view *v, const struct app_parser *ap,
			  const struct app_tx *tx, int dir)
{
	CNT_INC(dt->cnt, DET_RULE_CHECKS);
	uint64_t t0 = dt->prof ? profile_now() : 0;
	bool m = tx_rule_match(dt, r, p, f, v, ap, tx, dir);
	if (dt->prof)
		profile_rule(dt->prof, r->id, m, profile_now() - t0);
	if (m)
		raise_alert(dt, p, f, r, true, NULL, 0, dir, tx);
}

void detect_tx(struct detect_thread *dt, struct flow *f, const struct app_tx *tx, int dir,
	       uint8_t level)
{
	const struct detect_engine *de = dt->de;
	if (tx->alproto >= ALPROTO_MAX || level > APP_MAX_LEVEL || (dir != 0 && dir != 1))
		return;
	const struct app_group *ag = &de->ag[tx->alproto][level];
	if (!ag->n_pfs && !ag->n_always)
		return;
	const struct app_parser *ap = app_parser_for(tx->alproto);
	if (!ap)
		return;
	const struct packet *p = dt->cur;
	struct packet pp;
	uint32_t saved_alerted = dt->n_alerted;
	if (!p || p->flow != f) {
		pseudo_packet(&pp, f, dir);
		p = &pp;
		dt->n_alerted = 0;
	}
	struct view v;
	v.src = dir == 0 ? f->src.a : f->dst.a;
	v.dst = dir == 0 ? f->dst.a : f->src.a;
	v.sp = dir == 0 ? f->sp : f->dp;
	v.dp = dir == 0 ? f->dp : f->sp;
	v.ver = f->ip_ver;
	v.proto = f->proto;
	v.dir = dir;
	for (uint32_t i = 0; i < ag->n_pfs; i++) {
		const struct app_pf *apf = &ag->pfs[i];
		const struct pf_db *db = &apf->pf.any;
		if (!db->db)
			continue;
		struct rule_buf rb = {.buf = apf->buf, .n_xform = apf->n_xform};
		memcpy(rb.xform, apf->xform, apf->n_xform);
		dt->lo_word = UINT32_MAX;
		dt->hi_word = 0;
		const uint8_t *bp;
		uint32_t bl;
		for (uint32_t idx = 0;
		     idx < TX_MAX_INSTANCES && tx_buffer(dt, ap, tx, &rb, dir, idx, &bp, &bl); idx++) {
			if (!bl)
				continue;
			uint64_t t0 = dt->prof ? profile_now() : 0;
			if (hs_scan(db->db, (const char *)bp, bl, 0, dt->scratch, hs_on_match, dt) !=
			    HS_SUCCESS)
				CNT_INC(dt->cnt, DET_PREFILTER_ERRORS);
			if (dt->prof)
				profile_db(dt->prof, db->id, bl, 0, profile_now() - t0);
		}
		for (uint32_t w = dt->lo_word; w < dt->hi_word; w++) {
			uint64_t m = dt->bits[w];
			dt->bits[w] = 0;
			while (m) {
				uint32_t id = w * 64 + (uint32_t)__builtin_ctzll(m);
				m &= m - 1;
				check_tx_rule(dt, db->rules[id], p, f, &v, ap, tx, dir);
			}
		}
	}
	for (uint32_t i = 0; i < ag->n_always; i++)
		check_tx_rule(dt, ag->always[i], p, f, &v, ap, tx, dir);
	if (p == &pp)
		dt->n_alerted = saved_alerted;
}
