/*
 * flow — the flow table: lookup, creation, timeouts, eviction, ending.
 * See flow.h for the model.
 */
#include "flow/flow.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
/* The header-only build of xxHash: inlined into the per-packet path. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#define NCLASS      (FPC_MAX * FLOW_STATE_MAX)
#define CHUNK_FLOWS 1024
#define NS          1000000000ull

struct flow_list {
	struct flow *head, *tail;
};

struct flow_chunk {
	struct flow_chunk *next;
	struct flow flows[];
};

struct flow_table {
	const struct config *cfg;
	struct counters *cnt;
	struct flow **buckets;
	uint32_t mask;
	uint64_t seed; /* random: bucket placement cannot be predicted by senders */
	struct flow_list lists[NCLASS];
	uint64_t timeout_ns[NCLASS];
	struct flow *free_list;
	struct flow_chunk *chunks;
	uint64_t max_flows, allocated, active;
	flow_end_fn end_fn;
	void *end_ctx;
	struct stream_ctx stream;
};

static int proto_class(uint8_t proto)
{
	switch (proto) {
	case 6:
		return FPC_TCP;
	case 17:
		return FPC_UDP;
	case 1:
	case 58:
		return FPC_ICMP;
	default:
		return FPC_DEFAULT;
	}
}

static void list_unlink(struct flow_list *l, struct flow *f)
{
	if (f->lprev)
		f->lprev->lnext = f->lnext;
	else
		l->head = f->lnext;
	if (f->lnext)
		f->lnext->lprev = f->lprev;
	else
		l->tail = f->lprev;
	f->lprev = f->lnext = NULL;
}

static void list_append(struct flow_list *l, struct flow *f)
{
	f->lnext = NULL;
	f->lprev = l->tail;
	if (l->tail)
		l->tail->lnext = f;
	else
		l->head = f;
	l->tail = f;
}

struct flow_table *flow_table_new(const struct config *cfg, struct counters *cnt,
				  uint64_t max_bytes, uint32_t buckets)
{
	struct flow_table *ft = calloc(1, sizeof(*ft));
	uint32_t n = 1024;

	if (!ft)
		return NULL;
	while (n < buckets && n < (1u << 30))
		n <<= 1;
	ft->buckets = calloc(n, sizeof(*ft->buckets));
	if (!ft->buckets) {
		free(ft);
		return NULL;
	}
	ft->mask = n - 1;
	if (getrandom(&ft->seed, sizeof(ft->seed), 0) != sizeof(ft->seed))
		ft->seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)ft;
	ft->cfg = cfg;
	ft->cnt = cnt;
	ft->max_flows = max_bytes / sizeof(struct flow);
	if (ft->max_flows < 16)
		ft->max_flows = 16;
	for (int c = 0; c < FPC_MAX; c++) {
		ft->timeout_ns[c * FLOW_STATE_MAX + FLOW_STATE_NEW] = cfg->timeout_new[c] * NS;
		ft->timeout_ns[c * FLOW_STATE_MAX + FLOW_STATE_ESTABLISHED] = cfg->timeout_est[c] * NS;
		ft->timeout_ns[c * FLOW_STATE_MAX + FLOW_STATE_CLOSED] =
			(c == FPC_TCP ? cfg->timeout_closed[FPC_TCP] : cfg->timeout_closed[FPC_DEFAULT]) * NS;
	}
	stream_ctx_init(&ft->stream, cfg, cnt, cfg->reassembly_memcap);
	return ft;
}

void flow_table_set_end_cb(struct flow_table *ft, flow_end_fn fn, void *ctx)
{
	ft->end_fn = fn;
	ft->end_ctx = ctx;
}

void flow_table_set_stream_sink(struct flow_table *ft, const struct stream_sink *sink)
{
	ft->stream.sink = *sink;
}

void flow_table_set_stream_memcap(struct flow_table *ft, uint64_t memcap)
{
	ft->stream.memcap = memcap;
}

uint64_t flow_table_active(const struct flow_table *ft)
{
	return ft->active;
}

static void flow_end(struct flow_table *ft, struct flow *f, enum flow_end_reason reason)
{
	if (f->proto == 6 && f->tcp.flags & TCPS_TRACKED)
		stream_flow_end(&ft->stream, f);
	if (ft->end_fn)
		ft->end_fn(ft->end_ctx, f, reason);

	list_unlink(&ft->lists[f->tclass], f);
	struct flow **pp = &ft->buckets[f->hash & ft->mask];
	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;

	switch (reason) {
	case FLOW_END_TIMEOUT:
		CNT_INC(ft->cnt, FLOW_END_TIMEOUT);
		break;
	case FLOW_END_SHUTDOWN:
		CNT_INC(ft->cnt, FLOW_END_SHUTDOWN);
		break;
	case FLOW_END_FORCED:
		break;
	}
	ft->active--;
	CNT_SET(ft->cnt, FLOW_ACTIVE, ft->active);
	f->hnext = ft->free_list;
	ft->free_list = f;
}

void flow_table_expire(struct flow_table *ft, uint64_t now)
{
	for (int c = 0; c < NCLASS; c++) {
		struct flow_list *l = &ft->lists[c];
		uint64_t to = ft->timeout_ns[c];
		while (l->head && now > l->head->queued_ts + to) {
			struct flow *h = l->head;
			if (now > h->last_ts + to) {
				flow_end(ft, h, FLOW_END_TIMEOUT);
			} else {
				/* Seen since it was queued: second chance at the tail. */
				list_unlink(l, h);
				h->queued_ts = h->last_ts;
				list_append(l, h);
			}
		}
	}
}

void flow_table_end_all(struct flow_table *ft, enum flow_end_reason reason)
{
	for (int c = 0; c < NCLASS; c++)
		while (ft->lists[c].head)
			flow_end(ft, ft->lists[c].head, reason);
}

void flow_table_free(struct flow_table *ft)
{
	if (!ft)
		return;
	flow_table_end_all(ft, FLOW_END_SHUTDOWN);
	while (ft->chunks) {
		struct flow_chunk *ch = ft->chunks;
		ft->chunks = ch->next;
		free(ch);
	}
	free(ft->buckets);
	free(ft);
}

/* A free flow: from the free list, a new chunk, or by evicting the idlest. */
static struct flow *flow_get(struct flow_table *ft, uint64_t now)
{
	if (!ft->free_list && ft->allocated < ft->max_flows) {
		uint64_t n = ft->max_flows - ft->allocated;
		if (n > CHUNK_FLOWS)
			n = CHUNK_FLOWS;
		struct flow_chunk *ch = malloc(sizeof(*ch) + n * sizeof(struct flow));
		if (ch) {
			ch->next = ft->chunks;
			ft->chunks = ch;
			for (uint64_t i = 0; i < n; i++) {
				ch->flows[i].hnext = ft->free_list;
				ft->free_list = &ch->flows[i];
			}
			ft->allocated += n;
			CNT_SET(ft->cnt, FLOW_MEMUSE, ft->allocated * sizeof(struct flow));
		} else {
			CNT_INC(ft->cnt, FLOW_ALLOC_FAIL);
		}
	}
	if (!ft->free_list)
		flow_table_expire(ft, now);
	if (!ft->free_list) {
		struct flow *victim = NULL;
		/* The oldest-queued head: the idlest flow, or close to it. */
		for (int c = 0; c < NCLASS; c++) {
			struct flow *h = ft->lists[c].head;
			if (h && (!victim || h->queued_ts < victim->queued_ts))
				victim = h;
		}
		if (!victim)
			return NULL;
		CNT_INC(ft->cnt, FLOW_EVICT_MEMCAP);
		flow_end(ft, victim, FLOW_END_FORCED);
	}
	struct flow *f = ft->free_list;
	ft->free_list = f->hnext;
	return f;
}

_Static_assert(sizeof(struct flow_key) % 8 == 0, "flow_key must be whole words");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "make_key assumes little-endian");

static inline bool key_eq(const struct flow_key *a, const struct flow_key *b)
{
	return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) | (a->w[2] ^ b->w[2]) |
		(a->w[3] ^ b->w[3]) | (a->w[4] ^ b->w[4]) | (a->w[5] ^ b->w[5])) == 0;
}

/* Fill k; returns true when the packet's source is the key's lower end. */
static bool make_key(const struct packet *p, struct flow_key *k)
{
	uint64_t s0, s1, d0, d1;
	uint16_t sp = p->flags & PKT_HAS_PORTS ? p->sp : 0;
	uint16_t dp = p->flags & PKT_HAS_PORTS ? p->dp : 0;
	bool src_lo;

	memcpy(&s0, p->src.a, 8);
	memcpy(&s1, p->src.a + 8, 8);
	memcpy(&d0, p->dst.a, 8);
	memcpy(&d1, p->dst.a + 8, 8);
	/* Addresses compare as big-endian numbers (memcmp order), then ports. */
	if (s0 != d0)
		src_lo = __builtin_bswap64(s0) < __builtin_bswap64(d0);
	else if (s1 != d1)
		src_lo = __builtin_bswap64(s1) < __builtin_bswap64(d1);
	else
		src_lo = sp <= dp;
	k->w[0] = src_lo ? s0 : d0;
	k->w[1] = src_lo ? s1 : d1;
	k->w[2] = src_lo ? d0 : s0;
	k->w[3] = src_lo ? d1 : s1;
	k->w[4] = (uint64_t)(src_lo ? sp : dp) | (uint64_t)(src_lo ? dp : sp) << 16 |
		  (uint64_t)p->vlan[0] << 32 | (uint64_t)p->vlan[1] << 48;
	k->w[5] = (uint64_t)p->vlan[2] | (uint64_t)p->proto << 16 | (uint64_t)p->ip_ver << 24;
	return src_lo;
}

static void flow_init(struct flow_table *ft, struct flow *f, const struct flow_key *k,
		      uint32_t hash, const struct packet *p, bool src_lo)
{
	memset(f, 0, sizeof(*f));
	f->key = *k;
	f->hash = hash;
	f->start_ts = f->last_ts = f->queued_ts = p->ts;
	f->proto = p->proto;
	f->ip_ver = p->ip_ver;
	f->vlan_n = p->vlan_n;
	memcpy(f->vlan, p->vlan, sizeof(f->vlan));
	uint16_t sp = p->flags & PKT_HAS_PORTS ? p->sp : 0;
	uint16_t dp = p->flags & PKT_HAS_PORTS ? p->dp : 0;
	/* A SYN/ACK seen first answers a SYN we missed: its sender is the server. */
	if (p->proto == 6 && (p->tcp_flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK)) {
		f->src = p->dst;
		f->dst = p->src;
		f->sp = dp;
		f->dp = sp;
		f->lo_is_client = !src_lo;
	} else {
		f->src = p->src;
		f->dst = p->dst;
		f->sp = sp;
		f->dp = dp;
		f->lo_is_client = src_lo;
	}
	f->flow_id = XXH64(k, sizeof(*k), p->ts) & ((1ull << 51) - 1);
	if (f->flow_id == 0)
		f->flow_id = 1;

	f->hnext = ft->buckets[hash & ft->mask];
	ft->buckets[hash & ft->mask] = f;
	f->tclass = (uint8_t)(proto_class(p->proto) * FLOW_STATE_MAX + FLOW_STATE_NEW);
	list_append(&ft->lists[f->tclass], f);
	ft->active++;
	CNT_SET(ft->cnt, FLOW_ACTIVE, ft->active);
	CNT_INC(ft->cnt, FLOW_TOTAL);
	switch (p->proto) {
	case 6:
		CNT_INC(ft->cnt, FLOW_TCP);
		break;
	case 17:
		CNT_INC(ft->cnt, FLOW_UDP);
		break;
	case 1:
		CNT_INC(ft->cnt, FLOW_ICMPV4);
		break;
	case 58:
		CNT_INC(ft->cnt, FLOW_ICMPV6);
		break;
	default:
		CNT_INC(ft->cnt, FLOW_OTHER);
		break;
	}
}

/* Should this TCP packet start a new session on an old flow (port reuse)? */
static bool tcp_reuse(const struct flow *f, const struct packet *p, int dir)
{
	if (p->proto != 6 || (p->tcp_flags & (TH_SYN | TH_ACK | TH_RST)) != TH_SYN)
		return false;
	if (!(f->tcp.flags & TCPS_TRACKED) || f->tcp.state < TCP_FIN_WAIT1)
		return false;
	return f->tcp.state == TCP_CLOSED || p->tcp_seq != f->tcp.s[dir].isn;
}

static uint8_t flow_state_of(const struct flow *f)
{
	if (f->proto == 6 && f->tcp.flags & TCPS_TRACKED) {
		if (f->tcp.state == TCP_CLOSED)
			return FLOW_STATE_CLOSED;
		return f->tcp.state >= TCP_ESTABLISHED ? FLOW_STATE_ESTABLISHED : FLOW_STATE_NEW;
	}
	return f->seen_dir[0] && f->seen_dir[1] ? FLOW_STATE_ESTABLISHED : FLOW_STATE_NEW;
}

void flow_handle_packet(struct flow_table *ft, struct packet *p)
{
	struct flow_key k;
	struct flow *f;
	int dir;

	bool src_lo = make_key(p, &k);
	uint32_t hash = (uint32_t)XXH3_64bits_withSeed(&k, sizeof(k), ft->seed);

	for (f = ft->buckets[hash & ft->mask]; f; f = f->hnext)
		if (f->hash == hash && key_eq(&f->key, &k))
			break;
	if (f) {
		/* When both ends are equal (a packet to itself) this is direction 0. */
		dir = src_lo == f->lo_is_client ? 0 : 1;
		if (p->ts > f->last_ts + ft->timeout_ns[f->tclass]) {
			flow_end(ft, f, FLOW_END_TIMEOUT);
			f = NULL;
		} else if (tcp_reuse(f, p, dir)) {
			CNT_INC(ft->cnt, FLOW_END_REUSE);
			flow_end(ft, f, FLOW_END_FORCED);
			f = NULL;
		}
	}
	if (!f) {
		f = flow_get(ft, p->ts);
		if (!f)
			return;
		flow_init(ft, f, &k, hash, p, src_lo);
		dir = src_lo == f->lo_is_client ? 0 : 1;
	}

	p->flow = f;
	p->dir = (uint8_t)dir;
	f->seen_dir[dir] = true;
	f->pkts[dir]++;
	f->bytes[dir] += p->raw.len;
	if (p->ts > f->last_ts)
		f->last_ts = p->ts;
	/* As Suricata: a TCP packet belongs to an established flow when the
	 * handshake completed before it (the handshake's last ACK does not). */
	if (flow_state_of(f) == FLOW_STATE_ESTABLISHED)
		p->flags |= PKT_FLOW_EST;
	if (p->proto == 6 && p->flags & PKT_HAS_PORTS) {
		f->tcp_flags[dir] |= p->tcp_flags;
		stream_handle(&ft->stream, f, p);
	} else if (p->proto == 1 || p->proto == 58) {
		if (f->pkts[dir] == 1) {
			f->icmp_type[dir] = p->icmp_type;
			f->icmp_code[dir] = p->icmp_code;
		}
	}

	uint8_t tclass = (uint8_t)(proto_class(p->proto) * FLOW_STATE_MAX + flow_state_of(f));
	if (tclass != f->tclass) {
		f->state = tclass % FLOW_STATE_MAX;
		list_unlink(&ft->lists[f->tclass], f);
		f->tclass = tclass;
		f->queued_ts = f->last_ts;
		list_append(&ft->lists[tclass], f);
	}
}

const char *flow_state_name(const struct flow *f)
{
	static const char *const names[] = {"new", "established", "closed"};
	return names[f->state % FLOW_STATE_MAX];
}

const char *flow_reason_name(enum flow_end_reason r)
{
	switch (r) {
	case FLOW_END_TIMEOUT:
		return "timeout";
	case FLOW_END_FORCED:
		return "forced";
	case FLOW_END_SHUTDOWN:
		return "shutdown";
	}
	return "unknown";
}
