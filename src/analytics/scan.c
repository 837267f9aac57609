/*
 * scan — port scans and sweeps seen from the start of flows: one source
 * probing one port on many hosts (horizontal), many ports on one host
 * (vertical), ICMP echo to many hosts (sweep), and backscatter, the replies
 * of a victim of a spoofed-source flood (SYN-ACK, RST, ICMP replies and
 * errors as the first packet of a flow, to an address that asked nothing),
 * which is never counted as a probe. docs/analytics/scan.md has the method.
 *
 * A probe is a FLOW_START: TCP whose first packet has neither ACK nor RST
 * (SYN, and the FIN/NULL/XMAS probes), any UDP first packet, an ICMP echo
 * request. FLOW_END tells which probes were answered (SYN-ACK: open, RST:
 * closed, nothing: unanswered; UDP and ICMP: any reply is open).
 *
 * Tables, all allocated at init:
 *  - tracks: one per (source, kind, key) — kind horizontal (key: protocol
 *    and port), vertical (key: protocol and host), sweep, backscatter — with
 *    the distinct targets of the last window: an exact set of SET_N values
 *    with the second each was last seen (sliding window), beyond it a
 *    1024-bit linear-counting bitmap that counts since the set filled.
 *    Cap analytics.scan.max-sources tracks; at the cap the idlest track that
 *    has no open episode is evicted (analytics.scan.evicted).
 *  - episodes: a track that crossed its threshold, until it has been idle
 *    for the window and the flows of its last probes have ended. Each has
 *    the whole episode's distinct targets (ports: an exact 65536-bit map;
 *    hosts: an exact set of EP_SET_MAX values, then a 65536-bit
 *    linear-counting bitmap), answer counts and a sample of SAMPLE_N open
 *    ports or responsive hosts. Cap max(64, max-sources / 64); at the cap
 *    the idlest episode is closed early (its final record is written) and
 *    counted in analytics.scan.evicted.
 *  - initiators: two generations of a 2^20-bit filter of addresses that
 *    began flows in the last one or two windows; a reply-like first packet
 *    to one of them is an answer (an ICMP error for a UDP probe, a RST after
 *    a flow timed out), not backscatter. A flood saturates it: then
 *    backscatter goes uncounted rather than false.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "analytics/analytic.h"
#include "analytics/emit.h"
#include "core/log.h"

#define SET_N	    64
#define BM_WORDS    (1024 / 64)
#define EP_SET_SIZE 2048 /* slots of an episode's open-addressing set */
#define EP_SET_MAX  1536 /* values held exactly (75% load), then the bitmap */
#define EP_WORDS    (65536 / 64)
#define SAMPLE_N    16
#define FILT_BITS   20
#define NONE	    (-1)

enum kind { K_HORIZ, K_VERT, K_SWEEP, K_BACK };
static const char *const kind_name[] = {"horizontal", "vertical", "sweep", "backscatter"};
enum back_type { B_SYNACK, B_RST, B_ICMP_REPLY, B_ICMP_ERROR };

/* A track's identity: zeroed before filling, compared as bytes. */
struct tkey {
	uint8_t src[16];
	uint8_t host[16]; /* vertical: the target */
	uint16_t port;	  /* horizontal: the port */
	uint8_t ver, kind, proto, pad[3];
};

struct track {
	struct tkey k;
	struct addr first; /* the first target of the activity */
	uint64_t first_ns, last_ns;
	uint64_t probes;
	uint64_t open_mask; /* set slots answered open (before an episode) */
	uint32_t cnt[4]; /* before an episode: open, closed, unanswered; or backscatter by type */
	int32_t hnext, lprev, lnext;
	int32_t ep, old_ep; /* the open episode; one that ended and waits for its answers */
	uint8_t used, n, bitmap_on, src_home, first_home;
	uint32_t val[SET_N];
	uint16_t sec[SET_N]; /* seconds mod 65536 (the window is at most 30000 s) */
	uint64_t bm[BM_WORDS];
};

struct episode {
	struct tkey k;
	struct addr first;
	uint64_t first_ns, last_ns, alert_ns;
	uint64_t probes, open, closed, unanswered;
	uint64_t back[4];
	uint64_t extra; /* distinct targets before the episode that only the track's bitmap saw */
	uint32_t n_set; /* distinct values held (exact), or set bits (bitmap) */
	int32_t track, next_free;
	uint16_t port_lo, port_hi;
	uint8_t used, bitmap_on, estimated, src_home, first_home, n_sample;
	struct addr sample[SAMPLE_N]; /* hosts (horizontal, sweep) */
	uint16_t sample_port[SAMPLE_N];
	union {
		uint32_t set[EP_SET_SIZE];
		uint64_t bits[EP_WORDS];
	} d;
};

struct scan {
	const struct an_env *env;
	uint64_t window_ns, close_ns;
	uint32_t window_s, th_hosts, th_ports, th_sweep;
	struct track *t;
	int32_t *bucket;
	uint32_t t_cap, t_n, mask;
	int32_t lru_head, lru_tail, t_free; /* head: most recent */
	struct episode *ep;
	uint32_t ep_cap, ep_n;
	int32_t ep_free;
	struct episode **order; /* ep_cap: episodes to close, sorted */
	uint64_t *filt[2];
	uint64_t filt_start;
	uint64_t now;
};

/* ---- small helpers ---- */

static uint32_t mix32(uint32_t v)
{
	v ^= v >> 16;
	v *= 0x7feb352du;
	v ^= v >> 15;
	v *= 0x846ca68bu;
	v ^= v >> 16;
	return v;
}

/* A host as a 32-bit value: IPv4 itself, IPv6 hashed. */
static uint32_t host_val(int ver, const struct addr *a)
{
	uint32_t v;
	if (ver == 4) {
		memcpy(&v, a->a, 4);
		return v;
	}
	return (uint32_t)XXH3_64bits(a->a, 16);
}

/* Linear counting: n = -m ln(zeros / m). */
static uint64_t lc_estimate(const uint64_t *w, unsigned words)
{
	unsigned m = words * 64, set = 0;
	for (unsigned i = 0; i < words; i++)
		set += (unsigned)__builtin_popcountll(w[i]);
	if (set >= m)
		set = m - 1; /* saturated: the largest figure it can give */
	return (uint64_t)(-(double)m * log((double)(m - set) / m) + 0.5);
}

static bool bit_set(uint64_t *w, uint32_t i)
{
	uint64_t b = 1ull << (i & 63);
	if (w[i >> 6] & b)
		return false;
	w[i >> 6] |= b;
	return true;
}

static bool is_echo(uint8_t proto, uint8_t type)
{
	return (proto == 1 && type == 8) || (proto == 58 && type == 128);
}

/* A first packet that is itself a reply: its type, or -1. */
static int reply_type(const struct an_obs *o)
{
	uint8_t f = o->tcp_flags[0], t = o->icmp_type;
	if (o->proto == 6) {
		if ((f & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
			return B_SYNACK;
		if (f & TH_RST)
			return B_RST;
		return -1;
	}
	if (o->proto == 1) {
		if (t == 0 || t == 14 || t == 16 || t == 18)
			return B_ICMP_REPLY;
		if (t == 3 || t == 4 || t == 5 || t == 11 || t == 12)
			return B_ICMP_ERROR;
	}
	if (o->proto == 58) {
		if (t == 129)
			return B_ICMP_REPLY;
		if (t >= 1 && t <= 4)
			return B_ICMP_ERROR;
	}
	return -1;
}

/* ---- initiators ---- */

static uint32_t filt_idx(int ver, const struct addr *a)
{
	return (uint32_t)(XXH3_64bits(a->a, ver == 6 ? 16 : 4) >> (64 - FILT_BITS));
}

static void filt_add(struct scan *s, int ver, const struct addr *a)
{
	uint32_t i = filt_idx(ver, a);
	s->filt[0][i >> 6] |= 1ull << (i & 63);
}

static bool filt_has(const struct scan *s, int ver, const struct addr *a)
{
	uint32_t i = filt_idx(ver, a);
	uint64_t b = 1ull << (i & 63);
	return (s->filt[0][i >> 6] | s->filt[1][i >> 6]) & b;
}

/* ---- tracks ---- */

static uint32_t key_hash(const struct scan *s, const struct tkey *k)
{
	return (uint32_t)XXH3_64bits(k, sizeof(*k)) & s->mask;
}

static void lru_unlink(struct scan *s, int32_t i)
{
	struct track *t = &s->t[i];
	if (t->lprev != NONE)
		s->t[t->lprev].lnext = t->lnext;
	else
		s->lru_head = t->lnext;
	if (t->lnext != NONE)
		s->t[t->lnext].lprev = t->lprev;
	else
		s->lru_tail = t->lprev;
	t->lprev = t->lnext = NONE;
}

static void lru_push(struct scan *s, int32_t i)
{
	struct track *t = &s->t[i];
	t->lprev = NONE;
	t->lnext = s->lru_head;
	if (s->lru_head != NONE)
		s->t[s->lru_head].lprev = i;
	s->lru_head = i;
	if (s->lru_tail == NONE)
		s->lru_tail = i;
}

static void track_remove(struct scan *s, int32_t i)
{
	struct track *t = &s->t[i];
	int32_t *pp = &s->bucket[key_hash(s, &t->k)];
	while (*pp != i)
		pp = &s->t[*pp].hnext;
	*pp = t->hnext;
	lru_unlink(s, i);
	t->used = 0;
	t->hnext = s->t_free;
	s->t_free = i;
	s->t_n--;
}

static int32_t track_find(const struct scan *s, const struct tkey *k)
{
	for (int32_t i = s->bucket[key_hash(s, k)]; i != NONE; i = s->t[i].hnext)
		if (!memcmp(&s->t[i].k, k, sizeof(*k)))
			return i;
	return NONE;
}

/* The track of k, made (evicting the idlest without an episode) when missing. */
static int32_t track_get(struct scan *s, const struct tkey *k)
{
	int32_t i = track_find(s, k);
	if (i != NONE) {
		lru_unlink(s, i);
		lru_push(s, i);
		return i;
	}
	if (s->t_free == NONE) {
		int32_t v = s->lru_tail;
		while (v != NONE && (s->t[v].ep != NONE || s->t[v].old_ep != NONE))
			v = s->t[v].lprev;
		if (v == NONE)
			return NONE; /* every track has an episode: cannot happen (ep_cap < t_cap)
				      */
		track_remove(s, v);
		CNT_INC(s->env->cnt, AN_SCAN_EVICTED);
	}
	i = s->t_free;
	struct track *t = &s->t[i];
	s->t_free = t->hnext;
	memset(t, 0, offsetof(struct track, val));
	t->k = *k;
	t->used = 1;
	t->ep = t->old_ep = NONE;
	uint32_t h = key_hash(s, k);
	t->hnext = s->bucket[h];
	s->bucket[h] = i;
	lru_push(s, i);
	s->t_n++;
	return i;
}

/* Add a target seen at now; returns the distinct targets of the window. */
static uint64_t track_add(struct scan *s, struct track *t, uint32_t v, uint64_t now)
{
	uint16_t sec = (uint16_t)(now / 1000000000ull);
	if (!t->bitmap_on) {
		unsigned j = 0;
		bool found = false;
		uint64_t mask = 0;
		for (unsigned i = 0; i < t->n; i++) {
			if ((uint16_t)(sec - t->sec[i]) >= s->window_s)
				continue; /* out of the window: dropped */
			if (t->val[i] == v) {
				t->sec[i] = sec;
				found = true;
			}
			if (t->open_mask >> i & 1)
				mask |= 1ull << j;
			t->val[j] = t->val[i];
			t->sec[j++] = t->sec[i];
		}
		t->n = (uint8_t)j;
		t->open_mask = mask;
		if (found)
			return t->n;
		if (t->n < SET_N) {
			t->val[t->n] = v;
			t->sec[t->n++] = sec;
			return t->n;
		}
		/* SET_N distinct in the window: count on in the bitmap */
		t->bitmap_on = 1;
		memset(t->bm, 0, sizeof(t->bm));
		for (unsigned i = 0; i < t->n; i++)
			bit_set(t->bm, mix32(t->val[i]) & 1023);
	}
	bit_set(t->bm, mix32(v) & 1023);
	return lc_estimate(t->bm, BM_WORDS);
}

/* ---- episodes ---- */

static bool ep_add(struct episode *e, uint32_t v)
{
	if (e->k.kind == K_VERT) {
		uint16_t p = (uint16_t)v;
		if (!bit_set(e->d.bits, p))
			return false;
		e->n_set++;
		if (p < e->port_lo)
			e->port_lo = p;
		if (p > e->port_hi)
			e->port_hi = p;
		return true;
	}
	if (e->bitmap_on) {
		if (!bit_set(e->d.bits, mix32(v) & 65535))
			return false;
		e->n_set++;
		return true;
	}
	uint32_t x = v ? v : 0xffffffffu; /* 0 marks an empty slot */
	uint32_t i = mix32(x) & (EP_SET_SIZE - 1);
	for (; e->d.set[i]; i = (i + 1) & (EP_SET_SIZE - 1))
		if (e->d.set[i] == x)
			return false;
	e->d.set[i] = x;
	if (++e->n_set < EP_SET_MAX)
		return true;
	/* too many to hold exactly: a linear-counting bitmap from here on */
	uint32_t *tmp = e->d.set, vals[EP_SET_MAX];
	unsigned n = 0;
	for (unsigned k = 0; k < EP_SET_SIZE; k++)
		if (tmp[k])
			vals[n++] = tmp[k];
	memset(e->d.bits, 0, sizeof(e->d.bits));
	e->n_set = 0;
	e->bitmap_on = 1;
	e->estimated = 1;
	for (unsigned k = 0; k < n; k++)
		e->n_set += bit_set(e->d.bits, mix32(vals[k]) & 65535);
	return true;
}

static uint64_t ep_distinct(const struct episode *e)
{
	if (e->bitmap_on)
		return lc_estimate(e->d.bits, EP_WORDS) + e->extra;
	return e->n_set + e->extra;
}

static int cmp_u16(const void *x, const void *y)
{
	uint16_t a = *(const uint16_t *)x, b = *(const uint16_t *)y;
	return (a > b) - (a < b);
}

static int cmp_addr(const void *x, const void *y)
{
	return memcmp(x, y, 16);
}

static uint32_t threshold(const struct scan *s, uint8_t kind)
{
	return kind == K_VERT ? s->th_ports : kind == K_SWEEP ? s->th_sweep : s->th_hosts;
}

/* Write the episode's record: early (final false) or its whole figures. */
static void ep_record(struct scan *s, struct episode *e, uint64_t ts, bool final)
{
	struct an_emit *em = s->env->emit;
	const struct tkey *k = &e->k;
	struct addr src, dst;
	memcpy(src.a, k->src, 16);
	if (k->kind == K_VERT)
		memcpy(dst.a, k->host, 16);
	else
		dst = e->first;
	uint16_t dp = k->kind == K_HORIZ ? k->port : 0;
	if (k->kind == K_VERT)
		dp = e->port_lo;
	struct jbuf *jb = an_begin(em, ts, "scan", k->ver, &src, &dst, 0, dp, k->proto, 0);
	jb_str_plain(jb, "kind", kind_name[k->kind]);
	jb_bool(jb, "final", final);
	jb_bool(jb, "internal_source", e->src_home);
	if (k->kind == K_HORIZ)
		jb_u64(jb, "port", k->port);
	uint64_t distinct = ep_distinct(e);
	jb_u64(jb, k->kind == K_VERT ? "distinct_ports" : "distinct_hosts", distinct);
	jb_bool(jb, "estimated", e->estimated);
	if (k->kind == K_VERT) {
		jb_u64(jb, "port_low", e->port_lo);
		jb_u64(jb, "port_high", e->port_hi);
	}
	jb_u64(jb, k->kind == K_BACK ? "packets" : "probes", e->probes);
	jb_u64(jb, "threshold", threshold(s, k->kind));
	jb_u64(jb, "window", s->window_s);
	an_put_ts(jb, "first_seen", e->first_ns);
	an_put_ts(jb, "last_seen", e->last_ns);
	if (final)
		an_put_ts(jb, "alerted_at", e->alert_ns);
	if (k->kind == K_BACK) {
		jb_open(jb, "by_type");
		jb_u64(jb, "syn_ack", e->back[B_SYNACK]);
		jb_u64(jb, "rst", e->back[B_RST]);
		jb_u64(jb, "icmp_reply", e->back[B_ICMP_REPLY]);
		jb_u64(jb, "icmp_error", e->back[B_ICMP_ERROR]);
		jb_close(jb);
		an_commit(em, 3, NULL, k->ver, &src);
		CNT_INC(s->env->cnt, AN_SCAN_RECORDS);
		return;
	}
	jb_open(jb, "answers");
	jb_u64(jb, "open", e->open);
	jb_u64(jb, "closed", e->closed);
	jb_u64(jb, "unanswered", e->unanswered);
	jb_close(jb);
	if (k->kind == K_VERT) {
		uint16_t p[SAMPLE_N];
		memcpy(p, e->sample_port, e->n_sample * sizeof(*p));
		qsort(p, e->n_sample, sizeof(*p), cmp_u16);
		jb_open_array(jb, "open_ports");
		for (unsigned i = 0; i < e->n_sample; i++)
			jb_u64(jb, NULL, p[i]);
		jb_close_array(jb);
	} else {
		struct addr a[SAMPLE_N];
		memcpy(a, e->sample, e->n_sample * sizeof(*a));
		qsort(a, e->n_sample, sizeof(*a), cmp_addr);
		jb_open_array(jb, "responsive_hosts");
		char t[46];
		for (unsigned i = 0; i < e->n_sample; i++) {
			eve_addr_str(&a[i], k->ver, t, sizeof(t));
			jb_str_plain(jb, NULL, t);
		}
		jb_close_array(jb);
	}
	bool inside = e->src_home && e->first_home;
	if (!e->src_home)
		an_put_mitre(jb, "T1595", "Active Scanning", "reconnaissance");
	else if (k->kind == K_SWEEP)
		an_put_mitre(jb, "T1018", "Remote System Discovery", "discovery");
	else
		an_put_mitre(jb, "T1046", "Network Service Discovery", "discovery");
	uint8_t sev = !e->src_home ? 3 : inside ? 1 : 2;
	/* one attack per episode: counted by the early record */
	if (final)
		jb_str_plain(jb, "category", "scan");
	an_commit(em, sev, final ? NULL : "scan", k->ver, &src);
	CNT_INC(s->env->cnt, AN_SCAN_RECORDS);
}

static void ep_close(struct scan *s, int32_t i)
{
	struct episode *e = &s->ep[i];
	ep_record(s, e, e->last_ns, true);
	if (e->track != NONE) {
		struct track *t = &s->t[e->track];
		if (t->ep == i)
			t->ep = NONE;
		if (t->old_ep == i)
			t->old_ep = NONE;
	}
	e->used = 0;
	e->next_free = s->ep_free;
	s->ep_free = i;
	s->ep_n--;
}

/* Open an episode for track ti that crossed its threshold at now. */
static void ep_open(struct scan *s, int32_t ti, uint64_t distinct, uint64_t now)
{
	struct track *t = &s->t[ti];
	if (s->ep_free == NONE) {
		/* the idlest episode ends early */
		int32_t v = NONE;
		for (uint32_t i = 0; i < s->ep_cap; i++)
			if (s->ep[i].used && (v == NONE || s->ep[i].last_ns < s->ep[v].last_ns))
				v = (int32_t)i;
		if (v == NONE)
			return;
		ep_close(s, v);
		CNT_INC(s->env->cnt, AN_SCAN_EVICTED);
	}
	int32_t i = s->ep_free;
	struct episode *e = &s->ep[i];
	s->ep_free = e->next_free;
	memset(e, 0, sizeof(*e));
	e->used = 1;
	e->k = t->k;
	e->first = t->first;
	e->first_ns = t->first_ns;
	e->last_ns = now;
	e->alert_ns = now;
	e->probes = t->probes;
	e->track = ti;
	e->src_home = t->src_home;
	e->first_home = t->first_home;
	e->port_lo = 65535;
	for (unsigned j = 0; j < t->n; j++)
		ep_add(e, t->val[j]);
	if (t->bitmap_on) {
		/* the track counted past its exact set: carry its estimate */
		e->estimated = 1;
		if (distinct > t->n)
			e->extra = distinct - t->n;
	}
	if (t->k.kind == K_BACK) {
		for (int j = 0; j < 4; j++)
			e->back[j] = t->cnt[j];
	} else {
		e->open = t->cnt[0];
		e->closed = t->cnt[1];
		e->unanswered = t->cnt[2];
		/* the open ones the set remembers (IPv6 hosts are hashes: not kept) */
		for (unsigned j = 0; j < t->n && e->n_sample < SAMPLE_N; j++) {
			if (!(t->open_mask >> j & 1))
				continue;
			if (t->k.kind == K_VERT) {
				e->sample_port[e->n_sample++] = (uint16_t)t->val[j];
			} else if (t->k.ver == 4) {
				memset(&e->sample[e->n_sample], 0, sizeof(e->sample[0]));
				memcpy(e->sample[e->n_sample++].a, &t->val[j], 4);
			}
		}
	}
	t->ep = i;
	s->ep_n++;
	ep_record(s, e, now, false);
}

/* ---- observations ---- */

/* One probe (rt -1) or backscatter packet (rt its type) of track key k to target value v. */
static void touch(struct scan *s, const struct tkey *k, const struct an_obs *o, uint32_t v,
		  const struct addr *target, bool target_home, int rt)
{
	int32_t ti = track_get(s, k);
	if (ti == NONE)
		return;
	struct track *t = &s->t[ti];
	uint64_t now = o->ts;
	if (!t->probes || (now > t->last_ns && now - t->last_ns >= s->window_ns)) {
		/* new activity after a full idle window: the episode has ended,
		 * it waits on for the answers of its probes */
		if (t->ep != NONE) {
			if (t->old_ep != NONE)
				ep_close(s, t->old_ep);
			t->old_ep = t->ep;
			t->ep = NONE;
		}
		t->n = 0;
		t->bitmap_on = 0;
		t->probes = 0;
		t->open_mask = 0;
		memset(t->cnt, 0, sizeof(t->cnt));
		t->first_ns = now;
		t->first = *target;
		t->first_home = target_home;
		t->src_home = (o->flags & AN_F_SRC_HOME) != 0;
	}
	t->probes++;
	if (now > t->last_ns)
		t->last_ns = now;
	uint64_t distinct = track_add(s, t, v, now);
	if (t->ep != NONE) {
		struct episode *e = &s->ep[t->ep];
		e->probes++;
		if (now > e->last_ns)
			e->last_ns = now;
		ep_add(e, v);
		if (rt >= 0)
			e->back[rt]++;
		return;
	}
	if (rt >= 0)
		t->cnt[rt]++;
	if (distinct >= threshold(s, k->kind))
		ep_open(s, ti, distinct, now);
}

static void key_init(struct tkey *k, const struct an_obs *o, uint8_t kind)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src, o->src.a, 16);
	k->ver = o->ip_ver;
	k->kind = kind;
	k->proto = kind == K_BACK ? 0 : o->proto;
}

static void flow_start(struct scan *s, const struct an_obs *o)
{
	struct tkey k;
	struct an_obs r;
	bool dst_home = (o->flags & AN_F_DST_HOME) != 0;
	int rt = reply_type(o);
	if (rt == B_SYNACK) {
		/* the flow table made the SYN-ACK's sender the responder (the
		 * server of a SYN it missed): turn it back to who sent what */
		r = *o;
		r.src = o->dst;
		r.dst = o->src;
		r.flags = (uint8_t)((o->flags & ~(AN_F_SRC_HOME | AN_F_DST_HOME)) |
				    (o->flags & AN_F_SRC_HOME ? AN_F_DST_HOME : 0) |
				    (o->flags & AN_F_DST_HOME ? AN_F_SRC_HOME : 0));
		dst_home = (r.flags & AN_F_DST_HOME) != 0;
		o = &r;
	}
	if (rt >= 0) {
		if (filt_has(s, o->ip_ver, &o->dst))
			return; /* an answer to someone who asked */
		CNT_INC(s->env->cnt, AN_SCAN_BACKSCATTER);
		key_init(&k, o, K_BACK);
		touch(s, &k, o, host_val(o->ip_ver, &o->dst), &o->dst, dst_home, rt);
		return;
	}
	filt_add(s, o->ip_ver, &o->src);
	if (o->proto == 6 || o->proto == 17) {
		if (o->proto == 6 && (o->tcp_flags[0] & (TH_ACK | TH_RST)))
			return; /* picked up mid-stream: no probe */
		key_init(&k, o, K_HORIZ);
		k.port = o->dp;
		touch(s, &k, o, host_val(o->ip_ver, &o->dst), &o->dst, dst_home, -1);
		key_init(&k, o, K_VERT);
		memcpy(k.host, o->dst.a, 16);
		touch(s, &k, o, o->dp, &o->dst, dst_home, -1);
	} else if (is_echo(o->proto, o->icmp_type)) {
		key_init(&k, o, K_SWEEP);
		touch(s, &k, o, host_val(o->ip_ver, &o->dst), &o->dst, dst_home, -1);
	}
}

/* A probe's flow ended: its answer goes to the episode it belongs to, or
 * to its track until one opens. */
static void answer(struct scan *s, const struct tkey *k, const struct an_obs *o, uint32_t v)
{
	int32_t ti = track_find(s, k);
	if (ti == NONE)
		return;
	struct track *t = &s->t[ti];
	struct episode *e = t->ep != NONE ? &s->ep[t->ep] : NULL;
	if (o->start_ts < (e ? e->first_ns : t->first_ns)) {
		/* a probe of the episode that ended? */
		e = t->old_ep != NONE ? &s->ep[t->old_ep] : NULL;
		if (!e || o->start_ts < e->first_ns || o->start_ts > e->last_ns)
			return;
	}
	int res; /* 0 open, 1 closed, 2 unanswered */
	if (o->proto == 6)
		res = (o->tcp_flags[1] & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) ? 0
		      : (o->tcp_flags[1] & TH_RST)				 ? 1
										 : 2;
	else
		res = o->pkts[1] > 0 ? 0 : 2;
	if (!e) {
		t->cnt[res]++;
		if (res == 0 && !t->bitmap_on)
			for (unsigned i = 0; i < t->n; i++)
				if (t->val[i] == v)
					t->open_mask |= 1ull << i;
		return;
	}
	if (res == 1) {
		e->closed++;
		return;
	}
	if (res == 2) {
		e->unanswered++;
		return;
	}
	e->open++;
	if (e->n_sample == SAMPLE_N)
		return;
	for (unsigned i = 0; i < e->n_sample; i++)
		if (k->kind == K_VERT ? e->sample_port[i] == o->dp
				      : !memcmp(e->sample[i].a, o->dst.a, 16))
			return;
	e->sample_port[e->n_sample] = o->dp;
	e->sample[e->n_sample++] = o->dst;
}

static void flow_end(struct scan *s, const struct an_obs *o)
{
	struct tkey k;
	if (o->proto == 6 || o->proto == 17) {
		key_init(&k, o, K_HORIZ);
		k.port = o->dp;
		answer(s, &k, o, host_val(o->ip_ver, &o->dst));
		key_init(&k, o, K_VERT);
		memcpy(k.host, o->dst.a, 16);
		answer(s, &k, o, o->dp);
	} else if (is_echo(o->proto, o->icmp_type)) {
		key_init(&k, o, K_SWEEP);
		answer(s, &k, o, host_val(o->ip_ver, &o->dst));
	}
}

static void scan_obs(void *st, const struct an_obs *o)
{
	struct scan *s = st;
	if (o->ip_ver != 4 && o->ip_ver != 6)
		return;
	if (o->ts > s->now)
		s->now = o->ts;
	if (o->kind == AN_OBS_FLOW_START)
		flow_start(s, o);
	else if (o->kind == AN_OBS_FLOW_END)
		flow_end(s, o);
}

static int cmp_ep(const void *x, const void *y)
{
	const struct episode *a = *(const struct episode *const *)x,
			     *b = *(const struct episode *const *)y;
	if (a->last_ns != b->last_ns)
		return a->last_ns < b->last_ns ? -1 : 1;
	if (a->first_ns != b->first_ns)
		return a->first_ns < b->first_ns ? -1 : 1;
	return memcmp(&a->k, &b->k, sizeof(a->k));
}

/* Close the episodes that ended by now (all of them with `all`), in an
 * order that does not depend on where they sit in the pool. */
static void close_idle(struct scan *s, uint64_t now, bool all)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->ep_cap; i++) {
		struct episode *e = &s->ep[i];
		if (e->used && (all || (now > e->last_ns && now - e->last_ns >= s->close_ns)))
			s->order[n++] = e;
	}
	qsort(s->order, n, sizeof(*s->order), cmp_ep);
	for (uint32_t i = 0; i < n; i++)
		ep_close(s, (int32_t)(s->order[i] - s->ep));
}

static void scan_tick(void *st, uint64_t now)
{
	struct scan *s = st;
	if (now > s->now)
		s->now = now;
	if (s->ep_n)
		close_idle(s, s->now, false);
	if (!s->filt_start)
		s->filt_start = s->now;
	if (s->now - s->filt_start >= s->window_ns) {
		uint64_t *t = s->filt[1];
		s->filt[1] = s->filt[0];
		s->filt[0] = t;
		memset(t, 0, (1u << FILT_BITS) / 8);
		s->filt_start = s->now;
	}
	CNT_SET(s->env->cnt, AN_SCAN_TRACKED, s->t_n);
}

static void scan_finish(void *st, uint64_t now)
{
	struct scan *s = st;
	(void)now;
	close_idle(s, s->now, true);
	CNT_SET(s->env->cnt, AN_SCAN_TRACKED, s->t_n);
}

static void scan_free(void *st)
{
	struct scan *s = st;
	if (!s)
		return;
	free(s->t);
	free(s->bucket);
	free(s->ep);
	free(s->order);
	free(s->filt[0]);
	free(s->filt[1]);
	free(s);
}

static int scan_init(const struct an_env *env, void **st)
{
	const struct config *cfg = env->cfg;
	*st = NULL;
	if (!cfg->an_scan)
		return 0;
	struct scan *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	s->env = env;
	s->window_s = cfg->an_scan_window ? cfg->an_scan_window : 1;
	if (s->window_s > 30000)
		s->window_s = 30000;
	s->window_ns = (uint64_t)s->window_s * 1000000000ull;
	/* an episode ends when idle for the window and the flows of its last
	 * probes have timed out (their answers are known at flow end) */
	const uint32_t tmo[] = {cfg->timeout_new[FPC_TCP],  cfg->timeout_closed[FPC_TCP],
				cfg->timeout_new[FPC_UDP],  cfg->timeout_est[FPC_UDP],
				cfg->timeout_new[FPC_ICMP], cfg->timeout_est[FPC_ICMP]};
	uint32_t wait = 0;
	for (size_t i = 0; i < sizeof(tmo) / sizeof(tmo[0]); i++)
		if (tmo[i] > wait && tmo[i] < 86400)
			wait = tmo[i];
	wait += 10;
	s->close_ns = (uint64_t)(wait > s->window_s ? wait : s->window_s) * 1000000000ull;
	s->th_hosts = cfg->an_scan_hosts ? cfg->an_scan_hosts : 1;
	s->th_ports = cfg->an_scan_ports ? cfg->an_scan_ports : 1;
	s->th_sweep = cfg->an_scan_sweep ? cfg->an_scan_sweep : 1;
	s->t_cap = cfg->an_scan_max_sources < 128 ? 128 : cfg->an_scan_max_sources;
	s->ep_cap = s->t_cap / 64 < 64 ? 64 : s->t_cap / 64;
	uint32_t nb = 16;
	while (nb < s->t_cap)
		nb *= 2;
	s->mask = nb - 1;
	s->t = calloc(s->t_cap, sizeof(*s->t));
	s->bucket = malloc(nb * sizeof(*s->bucket));
	s->ep = calloc(s->ep_cap, sizeof(*s->ep));
	s->order = calloc(s->ep_cap, sizeof(*s->order));
	s->filt[0] = calloc(1, (1u << FILT_BITS) / 8);
	s->filt[1] = calloc(1, (1u << FILT_BITS) / 8);
	if (!s->t || !s->bucket || !s->ep || !s->order || !s->filt[0] || !s->filt[1]) {
		log_error("analytics.scan: out of memory for %u sources", s->t_cap);
		scan_free(s);
		return -1;
	}
	for (uint32_t i = 0; i < nb; i++)
		s->bucket[i] = NONE;
	for (uint32_t i = 0; i < s->t_cap; i++)
		s->t[i].hnext = i + 1 < s->t_cap ? (int32_t)(i + 1) : NONE;
	s->t_free = 0;
	s->lru_head = s->lru_tail = NONE;
	for (uint32_t i = 0; i < s->ep_cap; i++)
		s->ep[i].next_free = i + 1 < s->ep_cap ? (int32_t)(i + 1) : NONE;
	s->ep_free = 0;
	*st = s;
	return 0;
}

const struct analytic analytic_scan = {
    .name = "scan",
    .init = scan_init,
    .obs = scan_obs,
    .tick = scan_tick,
    .finish = scan_finish,
    .free = scan_free,
};
