/*
 * exfil — exfiltration: an internal host that sends one external peer far
 * more bytes within a window than it usually sends in a window, and far
 * more than it receives from that peer. Method, record and tuning:
 * docs/analytics/exfil.md.
 *
 * Input: FLOW_END of flows an internal host initiated to an external,
 * unicast address (any transport). The host's outbound bytes are what it
 * sent in those flows (bytes to server); what an internal server sends in
 * answer to external clients is not counted (it did not initiate them). A
 * flow's bytes count in the window (analytics.exfil.window seconds of packet
 * time, aligned on the epoch) in which the flow ended: a long upload lands
 * whole in its last window.
 *
 * Per host, an EWMA (weight 1/8 per window; windows without traffic count
 * as zero) of its outbound bytes per window is the baseline, taken from the
 * windows before the current one. A (host, peer) pair is tested on each of
 * its flows; the first time in a window that
 *   out >= min-bytes / w  and  out >= factor x max(baseline, 1 MiB) / w
 *   and  out >= ratio x in        (w = hosting-weight for hosting peers, else 1)
 * holds, one record is written for that (host, peer, window), with the
 * figures at that moment.
 *
 * Tables, allocated at init and indexed by an_lru:
 *   hosts: analytics.exfil.max-hosts entries (~90 bytes): baseline and the
 *          current window's bytes;
 *   pairs: 4 x max-hosts entries (~340 bytes): the current window's bytes
 *          each way, flows, ports, first name.
 * At either cap the idlest entry is evicted (analytics.exfil.evicted); an
 * evicted host starts again with no baseline (the 1 MiB floor holds).
 * analytics.exfil.pairs is the gauge.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "analytics/an_lru.h"
#include "analytics/analytic.h"

#define NS	    1000000000ull
#define EXFIL_FLOOR (1ull << 20) /* the least baseline: a quiet host */
#define EXFIL_ALPHA 0.125	 /* EWMA weight of one window */
#define EXFIL_PORTS 4		 /* destination ports kept per pair */

struct xhost {
	struct addr a;
	uint8_t ver;
	uint64_t window;  /* the current window (index since the epoch) */
	uint64_t cur;	  /* its outbound bytes in the current window */
	double base;	  /* EWMA of the windows before */
	uint64_t windows; /* windows in the EWMA */
	uint64_t touched; /* packet time of its last flow */
};

struct xpair {
	struct addr host, peer;
	uint8_t ver, proto, reported, n_ports, name_flags, ports_more;
	uint16_t sp, ports[EXFIL_PORTS], name_len;
	uint64_t window;
	uint64_t out, in, flows;
	uint64_t first, last; /* first flow start, last flow end */
	uint64_t other_names; /* flows with another name than `name` */
	uint64_t flow_id;
	char name[AN_NAME_MAX];
};

struct exfil {
	const struct an_env *env;
	const struct config *cfg;
	uint64_t win_ns;
	struct an_lru hidx, pidx;
	struct xhost *h;
	struct xpair *p;
};

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

static uint64_t key_hash(int ver, const struct addr *a, const struct addr *b)
{
	uint8_t k[33];
	k[0] = (uint8_t)ver;
	memcpy(k + 1, a->a, 16);
	if (!b)
		return XXH3_64bits(k, 17);
	memcpy(k + 17, b->a, 16);
	return XXH3_64bits(k, 33);
}

static struct xhost *host_get(struct exfil *x, int ver, const struct addr *a)
{
	uint64_t hv = key_hash(ver, a, NULL);
	for (uint32_t i = an_lru_find(&x->hidx, hv); i != AN_LRU_NONE;
	     i = an_lru_next(&x->hidx, i)) {
		struct xhost *h = &x->h[i];
		if (h->ver == ver && !memcmp(h->a.a, a->a, 16)) {
			an_lru_touch(&x->hidx, i);
			return h;
		}
	}
	bool evicted;
	struct xhost *h = &x->h[an_lru_add(&x->hidx, hv, &evicted)];
	if (evicted)
		CNT_INC(x->env->cnt, AN_EXFIL_EVICTED);
	memset(h, 0, sizeof(*h));
	h->a = *a;
	h->ver = (uint8_t)ver;
	h->window = UINT64_MAX; /* none yet */
	return h;
}

/* Move host h to window w: the windows it leaves go into its baseline. */
static void host_roll(struct xhost *h, uint64_t w)
{
	if (h->window == UINT64_MAX) {
		h->window = w;
		return;
	}
	if (w <= h->window)
		return; /* the same window (or a flow that ended out of order: counted now) */
	h->base += EXFIL_ALPHA * ((double)h->cur - h->base);
	uint64_t gap = w - h->window - 1; /* silent windows */
	h->base = gap > 400 ? 0 : h->base * pow(1 - EXFIL_ALPHA, (double)gap);
	h->windows = sat_add(h->windows, gap + 1);
	h->window = w;
	h->cur = 0;
}

static struct xpair *pair_get(struct exfil *x, int ver, const struct addr *host,
			      const struct addr *peer)
{
	uint64_t hv = key_hash(ver, host, peer);
	for (uint32_t i = an_lru_find(&x->pidx, hv); i != AN_LRU_NONE;
	     i = an_lru_next(&x->pidx, i)) {
		struct xpair *p = &x->p[i];
		if (p->ver == ver && !memcmp(p->host.a, host->a, 16) &&
		    !memcmp(p->peer.a, peer->a, 16)) {
			an_lru_touch(&x->pidx, i);
			return p;
		}
	}
	bool evicted;
	struct xpair *p = &x->p[an_lru_add(&x->pidx, hv, &evicted)];
	if (evicted)
		CNT_INC(x->env->cnt, AN_EXFIL_EVICTED);
	memset(p, 0, offsetof(struct xpair, name));
	p->host = *host;
	p->peer = *peer;
	p->ver = (uint8_t)ver;
	p->window = UINT64_MAX;
	return p;
}

static void put_record(struct exfil *x, const struct xpair *p, const struct xhost *h, uint64_t ts,
		       bool hosting, uint64_t need)
{
	const struct config *c = x->cfg;
	struct an_emit *em = x->env->emit;
	struct jbuf *jb = an_begin(em, ts, "exfil", p->ver, &p->host, &p->peer, p->sp,
				   p->ports[p->n_ports ? p->n_ports - 1 : 0], p->proto, p->flow_id);
	jb_u64(jb, "bytes_out", p->out);
	jb_u64(jb, "bytes_in", p->in);
	if (p->in) { /* none: no ratio (every ratio holds) */
		double r = (double)p->out / (double)p->in;
		an_put_f64(jb, "ratio", r < 1e15 ? r : 1e15, 1);
	}
	jb_u64(jb, "flows", p->flows);
	jb_open_array(jb, "dest_ports");
	for (unsigned i = 0; i < p->n_ports; i++)
		jb_u64(jb, NULL, p->ports[i]);
	jb_close_array(jb);
	if (p->name_len)
		jb_strn(jb, p->name_flags & AN_F_NAME_SNI ? "sni" : "http_host",
			(const uint8_t *)p->name, p->name_len);
	if (p->other_names)
		jb_u64(jb, "flows_other_names", p->other_names);
	an_put_ts(jb, "first_seen", p->first);
	an_put_ts(jb, "last_seen", p->last);
	an_put_ts(jb, "window_start", p->window * x->win_ns);
	an_put_ts(jb, "window_end", (p->window + 1) * x->win_ns);
	jb_u64(jb, "host_bytes_out", h->cur);
	jb_u64(jb, "baseline", (uint64_t)(h->base + 0.5));
	jb_u64(jb, "baseline_windows", h->windows);
	jb_bool(jb, "hosting", hosting);
	jb_open(jb, "thresholds");
	jb_u64(jb, "bytes_needed", need);
	jb_u64(jb, "min_bytes", c->an_exfil_min_bytes);
	jb_u64(jb, "baseline_factor", c->an_exfil_baseline_factor);
	jb_u64(jb, "baseline_floor", EXFIL_FLOOR);
	jb_u64(jb, "ratio", c->an_exfil_ratio);
	jb_u64(jb, "hosting_weight", c->an_exfil_hosting_weight);
	jb_close(jb);
	an_put_mitre(jb, "T1048", "Exfiltration Over Alternative Protocol", "exfiltration");
	an_commit(em, 1, "exfil", p->ver, &p->peer);
	CNT_INC(x->env->cnt, AN_EXFIL_RECORDS);
}

static bool in_scope(const struct an_obs *o)
{
	if (o->kind != AN_OBS_FLOW_END ||
	    (o->flags & (AN_F_SRC_HOME | AN_F_DST_HOME)) != AN_F_SRC_HOME)
		return false;
	if (o->ip_ver == 4)
		return o->dst.a[0] < 224; /* not multicast, broadcast */
	return o->ip_ver == 6 && o->dst.a[0] != 0xff;
}

static void exfil_obs(void *st, const struct an_obs *o)
{
	struct exfil *x = st;
	if (!in_scope(o))
		return;
	uint64_t w = o->ts / x->win_ns;
	struct xhost *h = host_get(x, o->ip_ver, &o->src);
	host_roll(h, w);
	h->cur = sat_add(h->cur, o->bytes[0]);
	h->touched = o->ts;

	struct xpair *p = pair_get(x, o->ip_ver, &o->src, &o->dst);
	if (p->window != w && (p->window == UINT64_MAX || w > p->window)) {
		memset(p, 0, offsetof(struct xpair, name));
		p->host = o->src;
		p->peer = o->dst;
		p->ver = o->ip_ver;
		p->window = w;
		p->first = o->start_ts ? o->start_ts : o->ts;
	}
	p->out = sat_add(p->out, o->bytes[0]);
	p->in = sat_add(p->in, o->bytes[1]);
	p->flows++;
	uint64_t start = o->start_ts ? o->start_ts : o->ts;
	p->first = start < p->first ? start : p->first;
	p->last = o->ts > p->last ? o->ts : p->last;
	p->sp = o->sp;
	p->proto = o->proto;
	p->flow_id = o->flow_id;
	unsigned k;
	for (k = 0; k < p->n_ports && p->ports[k] != o->dp; k++)
		;
	if (k == p->n_ports && k < EXFIL_PORTS)
		p->ports[p->n_ports++] = o->dp;
	uint8_t nf = o->flags & (AN_F_NAME_SNI | AN_F_NAME_HOST);
	size_t nl = o->name_len < AN_NAME_MAX ? o->name_len : AN_NAME_MAX;
	if (nf && nl) {
		if (!p->name_len) {
			memcpy(p->name, o->name, nl);
			p->name_len = (uint16_t)nl;
			p->name_flags = nf;
		} else if (p->name_len != nl || memcmp(p->name, o->name, nl)) {
			p->other_names++;
		}
	}
	if (p->reported)
		return;

	const struct config *c = x->cfg;
	bool hosting = an_is_hosting(x->env, o->ip_ver, o->dst.a);
	uint64_t wt = hosting && c->an_exfil_hosting_weight ? c->an_exfil_hosting_weight : 1;
	uint64_t base = h->base > (double)EXFIL_FLOOR ? (uint64_t)h->base : EXFIL_FLOOR;
	uint64_t need = sat_mul(base, c->an_exfil_baseline_factor) / wt;
	if (c->an_exfil_min_bytes / wt > need)
		need = c->an_exfil_min_bytes / wt;
	if (p->out < need || p->out < sat_mul(p->in, c->an_exfil_ratio))
		return;
	p->reported = 1;
	put_record(x, p, h, o->ts, hosting, need);
}

static void exfil_tick(void *st, uint64_t now)
{
	struct exfil *x = st;
	(void)now;
	CNT_SET(x->env->cnt, AN_EXFIL_TRACKED, x->pidx.n);
}

static void exfil_free(void *st)
{
	struct exfil *x = st;
	if (!x)
		return;
	an_lru_free(&x->hidx);
	an_lru_free(&x->pidx);
	free(x->h);
	free(x->p);
	free(x);
}

static int exfil_init(const struct an_env *env, void **st)
{
	const struct config *cfg = env->cfg;
	*st = NULL;
	if (!cfg->an_exfil)
		return 0;
	struct exfil *x = calloc(1, sizeof(*x));
	if (!x)
		return -1;
	x->env = env;
	x->cfg = cfg;
	x->win_ns = (uint64_t)(cfg->an_exfil_window ? cfg->an_exfil_window : 1) * NS;
	uint32_t hc = cfg->an_exfil_max_hosts ? cfg->an_exfil_max_hosts : 1;
	uint32_t pc = hc > UINT32_MAX / 4 ? UINT32_MAX : hc * 4;
	if (an_lru_init(&x->hidx, hc) < 0 || an_lru_init(&x->pidx, pc) < 0 ||
	    !(x->h = calloc(hc, sizeof(*x->h))) || !(x->p = calloc(pc, sizeof(*x->p)))) {
		exfil_free(x);
		return -1;
	}
	*st = x;
	return 0;
}

const struct analytic analytic_exfil = {
    .name = "exfil",
    .init = exfil_init,
    .obs = exfil_obs,
    .tick = exfil_tick,
    .finish = NULL,
    .free = exfil_free,
};
