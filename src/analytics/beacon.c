/*
 * beacon — command-and-control beacons: an internal host that connects to
 * the same external peer again and again at a regular interval, with
 * connections of nearly the same size. Timing and sizes only, so it works on
 * encrypted traffic. Method, record and tuning: docs/analytics/beacon.md.
 *
 * Input: FLOW_END of flows an internal host initiated to an external,
 * unicast address that the peer answered; TCP, and UDP except DNS (port 53,
 * the dns_tunnel analytic's) and NTP (port 123, periodic by design). Each
 * flow joins two series: (host, peer address), and (host, name) when the
 * flow carried a TLS SNI or HTTP host, so rotating addresses behind one name
 * stay one series. Flows that start within 1 s of an event of the series
 * (retries, parallel connections) merge into that event.
 *
 * A series keeps its last BEACON_K events (start, bytes each way) in a ring
 * and whole-series totals (connections, events, bytes, first and last
 * start) beside it, so the final figures are exact beyond the ring. Once it
 * has analytics.beacon.min-count events it is tested on the ring: median
 * interval within [min-interval, max-interval], jitter (median absolute
 * deviation of the intervals / median) and size spread (the same for bytes
 * each way) under their limits. A series that first qualifies gives a
 * record with "final": false; when it goes idle (3 median intervals without
 * a flow), is evicted, or input ends, it gives its "final": true record and
 * is dropped. A name series that qualifies covers the address series of its
 * flows: those stay silent, so one beacon gives one pair of records.
 *
 * Table: the series, analytics.beacon.max-series entries of about 1 KiB
 * (ring, totals, up to BEACON_PEERS addresses, the name), allocated at init
 * and indexed by an_lru. At the cap the idlest series is evicted
 * (analytics.beacon.evicted; a series that had reported gives its final
 * record first). Series that never qualified expire after 2 x max-interval
 * without a flow. analytics.beacon.series is the gauge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "analytics/an_lru.h"
#include "analytics/analytic.h"
#include "app/alproto.h"

#define BEACON_K     32		   /* events kept per series */
#define BEACON_PEERS 8		   /* addresses kept per name series */
#define NS	     1000000000ull /* one second */
#define MERGE_NS     NS		   /* flows closer than this are one event */
#define SWEEP_NS     (60 * NS)	   /* how often idle series are looked for */
#define IDLE_FACTOR  3		   /* idle after this many median intervals */

enum { KEY_ADDR = 1, KEY_NAME = 2 };

enum { END_IDLE, END_INPUT, END_EVICTED };

struct event {
	uint64_t start;
	uint32_t up, down; /* bytes, saturated */
};

struct series {
	struct addr host, peer; /* peer: the key's address, or the last one of a name */
	uint8_t used, ver, kind, proto;
	uint8_t qualified; /* has passed the test once */
	uint8_t reported;  /* its first record is out */
	uint8_t covered;   /* address series: a qualifying name series holds its flows */
	uint8_t tls, name_flags, n_peers, peers_more;
	uint16_t name_len, sp, dp;
	uint32_t ring_n, ring_pos;
	uint64_t conns, events, bytes_up, bytes_down;
	uint64_t first, last; /* first and last event start */
	uint64_t touched;     /* packet time of its last flow's end */
	uint64_t median_ns;   /* the median interval at the last test */
	uint64_t flow_id;     /* its last flow's */
	struct event ring[BEACON_K];
	struct addr peers[BEACON_PEERS];
	char name[AN_NAME_MAX]; /* lower case */
};

/* What the test found on a series' ring. */
struct verdict {
	bool ok;
	uint32_t intervals;
	double median, mean, jitter; /* seconds, seconds, fraction */
	double spread;		     /* the larger size spread, fraction */
	uint64_t med_up, med_down;
	unsigned score;
};

struct beacon {
	const struct an_env *env;
	const struct config *cfg;
	struct an_lru idx;
	struct series *s;  /* idx.cap entries */
	uint32_t *scratch; /* idx.cap indices, for sorted sweeps */
	uint64_t next_sweep;
	double max_jitter, max_spread;
};

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint32_t sat32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Sort up to BEACON_K numbers in place (insertion sort: small, stable). */
static void sort_u64(uint64_t *v, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		uint64_t x = v[i];
		uint32_t j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Median of sorted v (n > 0), as a double. */
static double median_sorted(const uint64_t *v, uint32_t n)
{
	return n & 1 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
}

/* Median absolute deviation of v around m, over median m (1 when m is 0 and v varies). */
static double spread_of(const uint64_t *v, uint32_t n, double m)
{
	double d[BEACON_K];
	for (uint32_t i = 0; i < n; i++)
		d[i] = (double)v[i] > m ? (double)v[i] - m : m - (double)v[i];
	for (uint32_t i = 1; i < n; i++) {
		double x = d[i];
		uint32_t j = i;
		for (; j > 0 && d[j - 1] > x; j--)
			d[j] = d[j - 1];
		d[j] = x;
	}
	double mad = n & 1 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
	if (m <= 0)
		return mad > 0 ? 1 : 0;
	return mad / m;
}

/* The test on the ring of s. */
static void judge(const struct beacon *b, const struct series *s, struct verdict *v)
{
	uint64_t st[BEACON_K], iv[BEACON_K], up[BEACON_K], down[BEACON_K];
	uint32_t n = s->ring_n, ni = 0;
	memset(v, 0, sizeof(*v));
	for (uint32_t i = 0; i < n; i++) {
		st[i] = s->ring[i].start;
		up[i] = s->ring[i].up;
		down[i] = s->ring[i].down;
	}
	sort_u64(st, n);
	for (uint32_t i = 1; i < n; i++)
		if (st[i] - st[i - 1] >= MERGE_NS)
			iv[ni++] = st[i] - st[i - 1];
	v->intervals = ni;
	if (s->events > 1)
		v->mean = (double)(s->last - s->first) / 1e9 / (double)(s->events - 1);
	if (n) {
		sort_u64(up, n);
		sort_u64(down, n);
		double mu = median_sorted(up, n), md = median_sorted(down, n);
		double su = spread_of(up, n, mu), sd = spread_of(down, n, md);
		v->med_up = (uint64_t)(mu + 0.5);
		v->med_down = (uint64_t)(md + 0.5);
		v->spread = su > sd ? su : sd;
	}
	if (!ni) {
		v->jitter = 1;
		return;
	}
	sort_u64(iv, ni);
	double m = median_sorted(iv, ni);
	v->median = m / 1e9;
	v->jitter = spread_of(iv, ni, m);

	const struct config *c = b->cfg;
	uint32_t need = c->an_beacon_min_count < BEACON_K ? c->an_beacon_min_count : BEACON_K;
	v->ok = s->events >= c->an_beacon_min_count && ni + 1 >= need &&
		v->median >= (double)c->an_beacon_min_interval &&
		v->median <= (double)c->an_beacon_max_interval && v->jitter <= b->max_jitter &&
		v->spread <= b->max_spread;

	/* 0..100: half timing, 0.3 sizes, 0.2 how long the series is */
	double tj = b->max_jitter > 0 ? 1 - v->jitter / b->max_jitter : v->jitter == 0;
	double ts = b->max_spread > 0 ? 1 - v->spread / b->max_spread : v->spread == 0;
	double tn =
	    (double)s->events / (3.0 * (c->an_beacon_min_count ? c->an_beacon_min_count : 1));
	tj = tj < 0 ? 0 : tj;
	ts = ts < 0 ? 0 : ts;
	tn = tn > 1 ? 1 : tn;
	v->score = (unsigned)(100 * (0.5 * tj + 0.3 * ts + 0.2 * tn) + 0.5);
}

static void put_record(struct beacon *b, struct series *s, uint64_t ts, bool final, int why)
{
	const struct config *c = b->cfg;
	struct an_emit *em = b->env->emit;
	struct verdict v;
	judge(b, s, &v);
	bool hosting = an_is_hosting(b->env, s->ver, s->peer.a);
	bool web = s->name_len || s->tls || s->dp == 80 || s->dp == 443;

	struct jbuf *jb = an_begin(em, ts, "beacon", s->ver, &s->host, &s->peer, s->sp, s->dp,
				   s->proto, final ? 0 : s->flow_id);
	jb_bool(jb, "final", final);
	if (final)
		jb_str_plain(jb, "end",
			     why == END_IDLE	  ? "idle"
			     : why == END_EVICTED ? "evicted"
						  : "end_of_input");
	jb_str_plain(jb, "key", s->kind == KEY_NAME ? "name" : "address");
	if (s->name_len)
		jb_strn(jb, s->name_flags & AN_F_NAME_SNI ? "sni" : "http_host",
			(const uint8_t *)s->name, s->name_len);
	if (s->kind == KEY_NAME) {
		jb_open_array(jb, "dest_ips");
		for (unsigned i = 0; i < s->n_peers; i++)
			an_put_addr(jb, NULL, s->ver, &s->peers[i]);
		jb_close_array(jb);
		if (s->peers_more)
			jb_bool(jb, "dest_ips_truncated", true);
	}
	jb_u64(jb, "count", s->conns);
	jb_u64(jb, "events", s->events);
	an_put_ts(jb, "first_seen", s->first);
	an_put_ts(jb, "last_seen", s->last);
	an_put_f64(jb, "interval_median", v.median, 3);
	an_put_f64(jb, "interval_mean", v.mean, 3);
	an_put_f64(jb, "jitter", v.jitter, 4);
	jb_u64(jb, "bytes_toserver", s->bytes_up);
	jb_u64(jb, "bytes_toclient", s->bytes_down);
	jb_u64(jb, "bytes_toserver_median", v.med_up);
	jb_u64(jb, "bytes_toclient_median", v.med_down);
	an_put_f64(jb, "size_spread", v.spread, 4);
	jb_u64(jb, "window_events", s->ring_n);
	jb_u64(jb, "score", v.score);
	jb_bool(jb, "hosting", hosting);
	jb_open(jb, "thresholds");
	jb_u64(jb, "min_count", c->an_beacon_min_count);
	jb_u64(jb, "min_interval", c->an_beacon_min_interval);
	jb_u64(jb, "max_interval", c->an_beacon_max_interval);
	an_put_f64(jb, "max_jitter", b->max_jitter, 2);
	an_put_f64(jb, "max_size_spread", b->max_spread, 2);
	jb_close(jb);
	if (web)
		an_put_mitre(jb, "T1071.001", "Application Layer Protocol: Web Protocols",
			     "command-and-control");
	else
		an_put_mitre(jb, "T1071", "Application Layer Protocol", "command-and-control");
	if (s->tls) {
		jb_open_array(jb, "mitre_also");
		jb_open(jb, NULL);
		jb_str_plain(jb, "technique_id", "T1573");
		jb_str_plain(jb, "technique", "Encrypted Channel");
		jb_str_plain(jb, "tactic", "command-and-control");
		jb_close(jb);
		jb_close_array(jb);
	}
	/* one beacon is one potential attack: counted on its first record */
	an_commit(em, hosting ? 1 : 2, final ? NULL : "beacon", s->ver, &s->peer);
	CNT_INC(b->env->cnt, AN_BEACON_RECORDS);
}

/* Key bytes of a series (for the hash): version, kind, host, then the peer or the name. */
static size_t key_bytes(uint8_t *k, int ver, int kind, const struct addr *host,
			const struct addr *peer, const char *name, size_t name_len)
{
	k[0] = (uint8_t)ver;
	k[1] = (uint8_t)kind;
	memcpy(k + 2, host->a, 16);
	if (kind == KEY_ADDR) {
		memcpy(k + 18, peer->a, 16);
		return 34;
	}
	memcpy(k + 18, name, name_len);
	return 18 + name_len;
}

static bool same_key(const struct series *s, int ver, int kind, const struct addr *host,
		     const struct addr *peer, const char *name, size_t name_len)
{
	if (s->ver != ver || s->kind != kind || memcmp(s->host.a, host->a, 16))
		return false;
	if (kind == KEY_ADDR)
		return !memcmp(s->peer.a, peer->a, 16);
	return s->name_len == name_len && !memcmp(s->name, name, name_len);
}

/* The series of a key, made when new (the idlest one evicted at the cap). */
static struct series *series_get(struct beacon *b, uint64_t now, int ver, int kind,
				 const struct addr *host, const struct addr *peer, const char *name,
				 size_t name_len)
{
	uint8_t k[18 + AN_NAME_MAX];
	uint64_t h = XXH3_64bits(k, key_bytes(k, ver, kind, host, peer, name, name_len));
	for (uint32_t i = an_lru_find(&b->idx, h); i != AN_LRU_NONE; i = an_lru_next(&b->idx, i))
		if (same_key(&b->s[i], ver, kind, host, peer, name, name_len)) {
			an_lru_touch(&b->idx, i);
			return &b->s[i];
		}
	bool evicted;
	uint32_t i = an_lru_add(&b->idx, h, &evicted);
	struct series *s = &b->s[i];
	if (evicted) {
		CNT_INC(b->env->cnt, AN_BEACON_EVICTED);
		if (s->reported)
			put_record(b, s, now, true, END_EVICTED);
	}
	memset(s, 0, offsetof(struct series, ring));
	s->used = 1;
	s->ver = (uint8_t)ver;
	s->kind = (uint8_t)kind;
	s->host = *host;
	s->peer = *peer;
	if (kind == KEY_NAME) {
		memcpy(s->name, name, name_len);
		s->name_len = (uint16_t)name_len;
	}
	return s;
}

static void add_peer(struct series *s, const struct addr *a)
{
	for (unsigned i = 0; i < s->n_peers; i++)
		if (!memcmp(s->peers[i].a, a->a, 16))
			return;
	if (s->n_peers < BEACON_PEERS)
		s->peers[s->n_peers++] = *a;
	else
		s->peers_more = 1;
}

/* One flow joins series s; the first record when it first qualifies. */
static void series_add(struct beacon *b, struct series *s, const struct an_obs *o, bool tls,
		       const char *name, size_t name_len, uint8_t name_flags)
{
	uint64_t start = o->start_ts ? o->start_ts : o->ts;
	s->conns++;
	s->bytes_up = sat_add(s->bytes_up, o->bytes[0]);
	s->bytes_down = sat_add(s->bytes_down, o->bytes[1]);
	s->sp = o->sp;
	s->dp = o->dp;
	s->proto = o->proto;
	s->flow_id = o->flow_id;
	s->touched = o->ts;
	s->tls |= tls;
	if (s->kind == KEY_NAME) {
		s->peer = o->dst;
		add_peer(s, &o->dst);
		s->name_flags = name_flags;
	} else if (name_len && !s->name_len) {
		memcpy(s->name, name, name_len); /* the first name seen, for the record */
		s->name_len = (uint16_t)name_len;
		s->name_flags = name_flags;
	}

	for (uint32_t i = 0; i < s->ring_n; i++) {
		struct event *e = &s->ring[i];
		uint64_t d = e->start > start ? e->start - start : start - e->start;
		if (d < MERGE_NS) {
			e->up = sat32((uint64_t)e->up + o->bytes[0]);
			e->down = sat32((uint64_t)e->down + o->bytes[1]);
			return;
		}
	}
	struct event *e = &s->ring[s->ring_pos];
	s->ring_pos = (s->ring_pos + 1) % BEACON_K;
	if (s->ring_n < BEACON_K)
		s->ring_n++;
	e->start = start;
	e->up = sat32(o->bytes[0]);
	e->down = sat32(o->bytes[1]);
	if (!s->events++) {
		s->first = s->last = start;
	} else {
		s->first = start < s->first ? start : s->first;
		s->last = start > s->last ? start : s->last;
	}
	if (s->events < b->cfg->an_beacon_min_count)
		return;
	struct verdict v;
	judge(b, s, &v);
	s->median_ns = (uint64_t)(v.median * 1e9);
	if (!v.ok)
		return;
	s->qualified = 1;
	if (!s->reported && !s->covered) {
		s->reported = 1;
		put_record(b, s, o->ts, false, 0);
	}
}

static bool in_scope(const struct an_obs *o)
{
	if (o->kind != AN_OBS_FLOW_END ||
	    (o->flags & (AN_F_SRC_HOME | AN_F_DST_HOME)) != AN_F_SRC_HOME ||
	    !(o->flags & AN_F_ANSWERED))
		return false;
	if (o->ip_ver == 4) {
		if (o->dst.a[0] >= 224) /* multicast, broadcast */
			return false;
	} else if (o->ip_ver != 6 || o->dst.a[0] == 0xff) {
		return false;
	}
	if (o->proto == 6)
		return true;
	return o->proto == 17 && o->dp != 53 && o->dp != 123 && o->sp != 123;
}

static void beacon_obs(void *st, const struct an_obs *o)
{
	struct beacon *b = st;
	if (!in_scope(o))
		return;
	bool tls = o->app_proto == ALPROTO_TLS || (o->flags & AN_F_NAME_SNI);
	char name[AN_NAME_MAX];
	size_t nl = 0;
	uint8_t nf = o->flags & (AN_F_NAME_SNI | AN_F_NAME_HOST);
	if (nf && o->name_len) {
		nl = o->name_len < AN_NAME_MAX ? o->name_len : AN_NAME_MAX;
		for (size_t i = 0; i < nl; i++) {
			char ch = o->name[i];
			name[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
		}
	}
	bool covered = false;
	if (nl) {
		struct series *s =
		    series_get(b, o->ts, o->ip_ver, KEY_NAME, &o->src, &o->dst, name, nl);
		series_add(b, s, o, tls, name, nl, nf);
		covered = s->qualified;
	}
	struct series *a = series_get(b, o->ts, o->ip_ver, KEY_ADDR, &o->src, &o->dst, NULL, 0);
	if (covered)
		a->covered = 1;
	series_add(b, a, o, tls, name, nl, nf);
}

/* Order of final records: first seen, then the key. */
static int by_first(const void *x, const void *y, void *ctx)
{
	const struct beacon *b = ctx;
	const struct series *p = &b->s[*(const uint32_t *)x], *q = &b->s[*(const uint32_t *)y];
	if (p->first != q->first)
		return p->first < q->first ? -1 : 1;
	int c = memcmp(p->host.a, q->host.a, 16);
	if (c)
		return c;
	if (p->kind != q->kind)
		return p->kind < q->kind ? -1 : 1;
	if ((c = memcmp(p->peer.a, q->peer.a, 16)))
		return c;
	size_t n = p->name_len < q->name_len ? p->name_len : q->name_len;
	if ((c = memcmp(p->name, q->name, n)))
		return c;
	return p->name_len < q->name_len ? -1 : p->name_len > q->name_len;
}

/* Final records of the series that ended (all reported ones when `all`), in order; drop them. */
static void sweep(struct beacon *b, uint64_t now, bool all)
{
	uint32_t n = 0;
	uint64_t expire = 2ull * b->cfg->an_beacon_max_interval * NS;
	for (uint32_t i = 0; i < b->idx.used; i++) {
		struct series *s = &b->s[i];
		if (!s->used)
			continue;
		uint64_t idle = now > s->touched ? now - s->touched : 0;
		if (s->reported) {
			if (all || (s->median_ns && idle > IDLE_FACTOR * s->median_ns))
				b->scratch[n++] = i;
		} else if (idle > expire && !all) {
			s->used = 0;
			an_lru_del(&b->idx, i);
		}
	}
	qsort_r(b->scratch, n, sizeof(*b->scratch), by_first, b);
	for (uint32_t k = 0; k < n; k++) {
		struct series *s = &b->s[b->scratch[k]];
		put_record(b, s, now, true, all ? END_INPUT : END_IDLE);
		s->used = 0;
		an_lru_del(&b->idx, b->scratch[k]);
	}
	CNT_SET(b->env->cnt, AN_BEACON_TRACKED, b->idx.n);
}

static void beacon_tick(void *st, uint64_t now)
{
	struct beacon *b = st;
	if (now < b->next_sweep)
		return;
	b->next_sweep = now + SWEEP_NS;
	sweep(b, now, false);
}

static void beacon_finish(void *st, uint64_t now)
{
	sweep(st, now, true);
}

static void beacon_free(void *st)
{
	struct beacon *b = st;
	if (!b)
		return;
	an_lru_free(&b->idx);
	free(b->s);
	free(b->scratch);
	free(b);
}

static int beacon_init(const struct an_env *env, void **st)
{
	const struct config *cfg = env->cfg;
	*st = NULL;
	if (!cfg->an_beacon)
		return 0;
	struct beacon *b = calloc(1, sizeof(*b));
	if (!b)
		return -1;
	b->env = env;
	b->cfg = cfg;
	b->max_jitter = cfg->an_beacon_jitter_pct / 100.0;
	b->max_spread = cfg->an_beacon_size_pct / 100.0;
	uint32_t cap = cfg->an_beacon_max_series ? cfg->an_beacon_max_series : 1;
	if (an_lru_init(&b->idx, cap) < 0 || !(b->s = calloc(cap, sizeof(*b->s))) ||
	    !(b->scratch = calloc(cap, sizeof(*b->scratch)))) {
		beacon_free(b);
		return -1;
	}
	*st = b;
	return 0;
}

const struct analytic analytic_beacon = {
    .name = "beacon",
    .init = beacon_init,
    .obs = beacon_obs,
    .tick = beacon_tick,
    .finish = beacon_finish,
    .free = beacon_free,
};
