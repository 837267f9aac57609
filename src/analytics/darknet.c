/*
 * darknet — a network telescope over unused prefixes
 * (analytics.darknet.prefixes; empty: off). No one should ever reach a dark
 * address, so every flow whose responder is in one is counted: packets per
 * (UTC day, source, protocol, destination port — ICMP: type), with the
 * distinct dark addresses each entry reached, its first and last time, and
 * its class from the flow's first packet: scan (a TCP SYN or other packet
 * without ACK/RST, UDP, ICMP echo), backscatter (SYN-ACK, RST, ICMP
 * replies and errors: a spoofed-source flood's victim answering), other.
 *
 * Packets are known at FLOW_END (a dark flow ends at its timeout); the
 * class and first time come from FLOW_START. Scan packets also count as
 * potential attacks of category "darknet" in the daily counters.
 *
 * At each UTC day change (packet time) and at the end of input the day is
 * written: one EVE `darknet` record with the totals and the top sources and
 * ports, and one daily row in the store for every entry.
 *
 * Memory is fixed at init: the day's table holds
 * analytics.darknet.max-sources entries (open addressing, twice as many
 * slots); beyond the cap packets go to an "other" bucket and are counted in
 * analytics.darknet.overflow. Distinct addresses per entry are a 256-bit
 * linear-counting bitmap (exact enough to a few hundred, saturating near
 * 1400). The arrays the day's summary sorts are allocated at init as well.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "analytics/analytic.h"
#include "analytics/emit.h"
#include "core/log.h"
#include "detect/addrset.h"

#define DN_TOP	 20
#define DN_WORDS 4 /* 256 bits */

enum dn_class { C_SCAN, C_BACK, C_OTHER };
static const char *const class_name[] = {"scan", "backscatter", "other"};

struct dn_entry {
	struct addr src;
	uint64_t packets, first_ns, last_ns;
	uint64_t cls_pkts[3];
	uint64_t hosts[DN_WORDS];
	uint16_t port;
	uint8_t ver, proto, used, cls;
};

/* A source or a port summed over the day's entries. */
struct dn_sum {
	const struct dn_entry *e; /* the first entry of the group */
	uint64_t packets, cls_pkts[3];
	uint32_t n; /* ports of a source, sources of a port */
};

struct darknet {
	const struct an_env *env;
	struct ipset dark;
	uint32_t day;
	bool have_day;
	struct dn_entry *tab;
	uint32_t size, n, cap;
	uint32_t *slots; /* cap: the slots in use, in the order they were taken */
	uint64_t other_pkts, packets, by_proto[4], by_class[3];
	const struct dn_entry **v; /* cap: the day's entries, sorted */
	struct dn_sum *sum;	   /* cap */
};

static uint8_t classify(const struct an_obs *o)
{
	uint8_t f = o->tcp_flags[0], t = o->icmp_type;
	switch (o->proto) {
	case 6:
		if ((f & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) || (f & TH_RST))
			return C_BACK;
		return (f & TH_ACK) ? C_OTHER : C_SCAN;
	case 17:
		return C_SCAN;
	case 1:
		if (t == 8)
			return C_SCAN;
		if (t == 0 || t == 3 || t == 4 || t == 5 || t == 11 || t == 12 || t == 14 ||
		    t == 16 || t == 18)
			return C_BACK;
		return C_OTHER;
	case 58:
		if (t == 128)
			return C_SCAN;
		if (t == 129 || (t >= 1 && t <= 4))
			return C_BACK;
		return C_OTHER;
	default:
		return C_OTHER;
	}
}

static unsigned proto_idx(uint8_t proto)
{
	return proto == 6 ? 0 : proto == 17 ? 1 : (proto == 1 || proto == 58) ? 2 : 3;
}

/* Who sent what to the dark address. */
struct dn_view {
	const struct addr *sender;
	const struct addr *dark;
	uint16_t port; /* the dark side's port, or the ICMP type */
	uint8_t cls;
	uint64_t pkts; /* FLOW_END: packets toward the dark address */
};

/* The flow seen from the dark side; false when it is no darknet traffic. The
 * flow table makes a SYN-ACK seen first start a flow whose responder is the
 * SYN-ACK's sender, so a dark initiator that never spoke is a receiver. */
static bool view(const struct darknet *d, const struct an_obs *o, struct dn_view *v)
{
	bool ports = o->proto == 6 || o->proto == 17 || o->proto == 132;
	bool icmp = o->proto == 1 || o->proto == 58;
	if (ipset_match(&d->dark, o->dst.a, o->ip_ver)) {
		v->sender = &o->src;
		v->dark = &o->dst;
		v->port = icmp ? o->icmp_type : ports ? o->dp : 0;
		v->cls = classify(o);
		v->pkts = o->pkts[0];
		return true;
	}
	if (!ipset_match(&d->dark, o->src.a, o->ip_ver))
		return false;
	if (o->kind == AN_OBS_FLOW_START
		? !(o->proto == 6 && (o->tcp_flags[0] & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
		: o->pkts[0] != 0)
		return false; /* the dark address spoke first: not telescope traffic */
	v->sender = &o->dst;
	v->dark = &o->src;
	v->port = ports ? o->sp : 0;
	v->cls = C_BACK;
	v->pkts = o->pkts[1];
	return true;
}

/* The entry of (sender, protocol, port), made when there is room (NULL: none). */
static struct dn_entry *entry(struct darknet *d, const struct an_obs *o, const struct dn_view *w)
{
	struct {
		uint8_t a[16];
		uint16_t port;
		uint8_t ver, proto;
	} k;
	memset(&k, 0, sizeof(k));
	memcpy(k.a, w->sender->a, 16);
	k.port = w->port;
	k.ver = o->ip_ver;
	k.proto = o->proto;
	uint32_t mask = d->size - 1, i = (uint32_t)XXH3_64bits(&k, sizeof(k)) & mask;
	for (;; i = (i + 1) & mask) {
		struct dn_entry *e = &d->tab[i];
		if (!e->used) {
			if (d->n >= d->cap)
				return NULL;
			memset(e, 0, sizeof(*e));
			e->used = 1;
			e->src = *w->sender;
			e->port = w->port;
			e->ver = o->ip_ver;
			e->proto = o->proto;
			e->cls = w->cls;
			e->first_ns = o->kind == AN_OBS_FLOW_END ? o->start_ts : o->ts;
			e->last_ns = o->ts;
			d->slots[d->n++] = i;
			return e;
		}
		if (e->port == w->port && e->ver == o->ip_ver && e->proto == o->proto &&
		    !memcmp(e->src.a, w->sender->a, 16))
			return e;
	}
}

static uint64_t hosts_estimate(const uint64_t *w)
{
	unsigned m = DN_WORDS * 64, set = 0;
	for (unsigned i = 0; i < DN_WORDS; i++)
		set += (unsigned)__builtin_popcountll(w[i]);
	if (set >= m)
		set = m - 1;
	return (uint64_t)(-(double)m * log((double)(m - set) / m) + 0.5);
}

static int by_src(const void *x, const void *y)
{
	const struct dn_entry *a = *(const struct dn_entry *const *)x,
			      *b = *(const struct dn_entry *const *)y;
	if (a->ver != b->ver)
		return a->ver < b->ver ? -1 : 1;
	int c = memcmp(a->src.a, b->src.a, 16);
	if (c)
		return c;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return (a->port > b->port) - (a->port < b->port);
}

static int by_port(const void *x, const void *y)
{
	const struct dn_entry *a = *(const struct dn_entry *const *)x,
			      *b = *(const struct dn_entry *const *)y;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->ver != b->ver)
		return a->ver < b->ver ? -1 : 1;
	return memcmp(a->src.a, b->src.a, 16);
}

/* Most packets first; ties by source (sources) or by port (ports). */
static int src_by_packets(const void *x, const void *y)
{
	const struct dn_sum *a = x, *b = y;
	if (a->packets != b->packets)
		return a->packets > b->packets ? -1 : 1;
	return by_src(&a->e, &b->e);
}

static int port_by_packets(const void *x, const void *y)
{
	const struct dn_sum *a = x, *b = y;
	if (a->packets != b->packets)
		return a->packets > b->packets ? -1 : 1;
	return by_port(&a->e, &b->e);
}

static uint8_t main_class(const uint64_t *c)
{
	uint8_t m = C_SCAN;
	for (uint8_t i = 1; i < 3; i++)
		if (c[i] > c[m])
			m = i;
	return m;
}

/* Group the sorted entries v[0..n) by src (or by port); sums sorted by packets. */
static uint32_t group(struct darknet *d, uint32_t n, bool ports)
{
	uint32_t g = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct dn_entry *e = d->v[i], *h = g ? d->sum[g - 1].e : NULL;
		bool same = h && (ports ? (h->proto == e->proto && h->port == e->port)
					: (h->ver == e->ver && !memcmp(h->src.a, e->src.a, 16)));
		if (!same) {
			memset(&d->sum[g], 0, sizeof(d->sum[g]));
			d->sum[g++].e = e;
		}
		struct dn_sum *s = &d->sum[g - 1];
		s->packets += e->packets;
		for (int c = 0; c < 3; c++)
			s->cls_pkts[c] += e->cls_pkts[c];
		s->n++; /* entries are unique per (src, proto, port) */
	}
	qsort(d->sum, g, sizeof(*d->sum), ports ? port_by_packets : src_by_packets);
	return g;
}

static void put_day(struct darknet *d)
{
	struct an_emit *em = d->env->emit;
	char day[11], ip[46], key[96], js[256], t1[48], t2[48];
	an_day_text(d->day, day);
	uint32_t n = 0;
	for (uint32_t i = 0; i < d->n; i++)
		d->v[n++] = &d->tab[d->slots[i]];
	qsort(d->v, n, sizeof(*d->v), by_src);
	/* distinct sources: the groups of the entries sorted by source */
	uint32_t sources = 0;
	for (uint32_t i = 0; i < n; i++)
		sources += !i || d->v[i]->ver != d->v[i - 1]->ver ||
			   memcmp(d->v[i]->src.a, d->v[i - 1]->src.a, 16);

	struct jbuf *jb = an_begin(em, (uint64_t)(d->day + 1) * 86400000000000ull - 1000, "darknet",
				   0, NULL, NULL, 0, 0, 0, 0);
	jb_str_plain(jb, "date", day);
	jb_u64(jb, "packets", d->packets);
	jb_u64(jb, "sources", sources);
	jb_u64(jb, "entries", n);
	jb_u64(jb, "other_packets", d->other_pkts);
	jb_open(jb, "by_proto");
	jb_u64(jb, "tcp", d->by_proto[0]);
	jb_u64(jb, "udp", d->by_proto[1]);
	jb_u64(jb, "icmp", d->by_proto[2]);
	jb_u64(jb, "other", d->by_proto[3]);
	jb_close(jb);
	jb_open(jb, "by_class");
	for (int c = 0; c < 3; c++)
		jb_u64(jb, class_name[c], d->by_class[c]);
	jb_close(jb);

	uint32_t g = group(d, n, false);
	jb_open_array(jb, "top_sources");
	for (uint32_t i = 0; i < g && i < DN_TOP; i++) {
		const struct dn_sum *s = &d->sum[i];
		jb_open(jb, NULL);
		an_put_addr(jb, "ip", s->e->ver, &s->e->src);
		jb_u64(jb, "packets", s->packets);
		jb_u64(jb, "ports", s->n);
		jb_str_plain(jb, "class", class_name[main_class(s->cls_pkts)]);
		jb_close(jb);
	}
	jb_close_array(jb);

	qsort(d->v, n, sizeof(*d->v), by_port);
	g = group(d, n, true);
	jb_open_array(jb, "top_ports");
	for (uint32_t i = 0; i < g && i < DN_TOP; i++) {
		const struct dn_sum *s = &d->sum[i];
		char pn[8];
		jb_open(jb, NULL);
		jb_str_plain(jb, "proto", eve_proto_name(s->e->proto, pn, sizeof(pn)));
		jb_u64(jb, (s->e->proto == 1 || s->e->proto == 58) ? "icmp_type" : "port",
		       s->e->port);
		jb_u64(jb, "packets", s->packets);
		jb_u64(jb, "sources", s->n);
		jb_str_plain(jb, "class", class_name[main_class(s->cls_pkts)]);
		jb_close(jb);
	}
	jb_close_array(jb);
	an_put_mitre(jb, "T1595", "Active Scanning", "reconnaissance");
	an_commit(em, 3, NULL, 0, NULL);

	/* every entry in the store, sorted by source */
	qsort(d->v, n, sizeof(*d->v), by_src);
	for (uint32_t i = 0; i < n; i++) {
		const struct dn_entry *e = d->v[i];
		eve_addr_str(&e->src, e->ver, ip, sizeof(ip));
		snprintf(key, sizeof(key), "%s|%u|%u", ip, e->proto, e->port);
		json_format_ts(e->first_ns, t1, sizeof(t1));
		json_format_ts(e->last_ns, t2, sizeof(t2));
		int len = snprintf(js, sizeof(js),
				   "{\"class\":\"%s\",\"hosts\":%llu,\"first_seen\":\"%s\","
				   "\"last_seen\":\"%s\"}",
				   class_name[e->cls], (unsigned long long)hosts_estimate(e->hosts),
				   t1, t2);
		an_store_daily(em, d->day, "darknet", key, e->packets, js,
			       len > 0 && (size_t)len < sizeof(js) ? (size_t)len : 0);
	}
	if (d->other_pkts)
		an_store_daily(em, d->day, "darknet", "other", d->other_pkts, NULL, 0);
}

static void reset_day(struct darknet *d, uint32_t day)
{
	d->day = day;
	d->have_day = true;
	for (uint32_t i = 0; i < d->n; i++) /* only what the day used: no tombstones */
		d->tab[d->slots[i]].used = 0;
	d->n = 0;
	d->other_pkts = d->packets = 0;
	memset(d->by_proto, 0, sizeof(d->by_proto));
	memset(d->by_class, 0, sizeof(d->by_class));
}

/* Packet time is at ts: write the day before when ts is in a later one. */
static void roll(struct darknet *d, uint64_t ts)
{
	uint32_t day = an_day(ts);
	if (!d->have_day) {
		reset_day(d, day);
		return;
	}
	if (day <= d->day)
		return;
	put_day(d);
	reset_day(d, day);
}

static void darknet_obs(void *st, const struct an_obs *o)
{
	struct darknet *d = st;
	if (o->kind != AN_OBS_FLOW_START && o->kind != AN_OBS_FLOW_END)
		return;
	struct dn_view w;
	if ((o->ip_ver != 4 && o->ip_ver != 6) || !view(d, o, &w))
		return;
	roll(d, o->ts);
	struct dn_entry *e = entry(d, o, &w);
	if (o->kind == AN_OBS_FLOW_START) {
		if (e) {
			uint32_t h =
			    (uint32_t)XXH3_64bits(w.dark->a, o->ip_ver == 6 ? 16 : 4) & 255;
			e->hosts[h >> 6] |= 1ull << (h & 63);
			if (o->ts > e->last_ns)
				e->last_ns = o->ts;
			if (o->ts < e->first_ns)
				e->first_ns = o->ts;
		}
		return;
	}
	uint64_t pk = w.pkts;
	if (!pk)
		return;
	/* the flow's class: its first packet's, as the entry's when it has one */
	uint8_t cls = e ? e->cls : w.cls;
	CNT_ADD(d->env->cnt, AN_DARKNET_PACKETS, pk);
	d->packets += pk;
	d->by_proto[proto_idx(o->proto)] += pk;
	d->by_class[cls] += pk;
	if (e) {
		e->packets += pk;
		e->cls_pkts[cls] += pk;
		if (o->ts > e->last_ns)
			e->last_ns = o->ts;
	} else {
		d->other_pkts += pk;
		CNT_ADD(d->env->cnt, AN_DARKNET_OVERFLOW, pk);
	}
	if (cls == C_SCAN)
		an_count_attack(d->env->emit, o->ts, "darknet", o->ip_ver, w.sender, pk);
}

static void darknet_tick(void *st, uint64_t now)
{
	struct darknet *d = st;
	if (d->have_day)
		roll(d, now);
	CNT_SET(d->env->cnt, AN_DARKNET_ENTRIES, d->n);
}

static void darknet_finish(void *st, uint64_t now)
{
	struct darknet *d = st;
	(void)now;
	if (d->have_day)
		put_day(d);
	d->have_day = false;
	CNT_SET(d->env->cnt, AN_DARKNET_ENTRIES, d->n);
}

static void darknet_free(void *st)
{
	struct darknet *d = st;
	if (!d)
		return;
	ipset_free(&d->dark);
	free(d->tab);
	free(d->slots);
	free(d->v);
	free(d->sum);
	free(d);
}

static int darknet_init(const struct an_env *env, void **st)
{
	const struct config *cfg = env->cfg;
	*st = NULL;
	if (!cfg->an_darknet || !cfg->an_darknet_prefixes[0])
		return 0;
	struct darknet *d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	d->env = env;
	/* a comma-separated (or YAML) list: one bracketed address list */
	char expr[CONFIG_LIST_MAXLEN + 2];
	snprintf(expr, sizeof(expr), "[%s]", cfg->an_darknet_prefixes);
	struct addrset_err err;
	if (ipset_parse(&d->dark, expr, NULL, NULL, &err) < 0) {
		log_error("analytics.darknet.prefixes: %s (at %u)", err.msg, err.col);
		free(d);
		return -1;
	}
	d->cap = cfg->an_darknet_max_sources ? cfg->an_darknet_max_sources : 1;
	for (d->size = 16; d->size < 2 * d->cap; d->size *= 2)
		;
	d->tab = calloc(d->size, sizeof(*d->tab));
	d->slots = calloc(d->cap ? d->cap : 1, sizeof(*d->slots));
	d->v = calloc(d->cap, sizeof(*d->v));
	d->sum = calloc(d->cap, sizeof(*d->sum));
	if (!d->tab || !d->slots || !d->v || !d->sum) {
		log_error("analytics.darknet: out of memory for %u entries", d->cap);
		darknet_free(d);
		return -1;
	}
	*st = d;
	return 0;
}

const struct analytic analytic_darknet = {
    .name = "darknet",
    .init = darknet_init,
    .obs = darknet_obs,
    .tick = darknet_tick,
    .finish = darknet_finish,
    .free = darknet_free,
};
