/*
 * defrag — trackers, overlap policies and datagram rebuilding.
 */
#include "decode/defrag.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <xxhash.h>

#include "decode/decode.h"

#define MAX_DATAGRAM   65535u
#define MAX_UNFRAG_HDR 1024u
#define NS             1000000000ull
#define OWNER_NONE     0xffffu
#define MAX_FRAGS_HARD 8192u /* fragments per datagram, whatever the config says */

struct frag {
	struct frag *next; /* sorted by offset */
	uint32_t off, len;
	uint16_t seq; /* arrival order */
	uint8_t data[];
};

struct tracker {
	struct tracker *hnext, *lprev, *lnext;
	uint32_t hash;
	/* key */
	struct addr src, dst;
	uint32_t id;
	uint16_t vlan[PKT_MAX_VLANS];
	uint8_t ip_ver, proto;
	/* state */
	uint64_t first_ts;
	uint32_t total;  /* datagram payload length, known from the last fragment */
	bool have_last;
	bool overlap; /* some fragments overlap: resolve byte by byte */
	uint16_t nfrags;
	uint32_t hdr_len; /* unfragmentable part copied from the first fragment */
	uint32_t nh_off;  /* IPv6: next-header byte to rewrite, relative to hdr */
	uint8_t nh;
	uint8_t *hdr;
	struct frag *frags;
	uint64_t mem;
};

struct defrag {
	const struct config *cfg;
	struct counters *cnt;
	uint64_t memcap, memuse;
	uint32_t ntrackers, mask;
	uint64_t seed; /* random: tracker placement cannot be predicted by senders */
	struct tracker **buckets;
	struct tracker *head, *tail; /* oldest first */
	uint8_t out[MAX_UNFRAG_HDR + MAX_DATAGRAM];
	uint16_t owner[MAX_DATAGRAM];
	struct frag *byseq[MAX_FRAGS_HARD];
};

struct defrag *defrag_new(const struct config *cfg, struct counters *cnt, uint64_t memcap)
{
	struct defrag *df = calloc(1, sizeof(*df));
	uint32_t n = 256;

	if (!df)
		return NULL;
	while (n < cfg->defrag_trackers && n < (1u << 20))
		n <<= 1;
	df->buckets = calloc(n, sizeof(*df->buckets));
	if (!df->buckets) {
		free(df);
		return NULL;
	}
	df->mask = n - 1;
	if (getrandom(&df->seed, sizeof(df->seed), 0) != sizeof(df->seed))
		df->seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)df;
	df->cfg = cfg;
	df->cnt = cnt;
	df->memcap = memcap;
	return df;
}

static void tracker_free(struct defrag *df, struct tracker *t)
{
	struct tracker **pp = &df->buckets[t->hash & df->mask];
	while (*pp && *pp != t)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = t->hnext;
	if (t->lprev)
		t->lprev->lnext = t->lnext;
	else
		df->head = t->lnext;
	if (t->lnext)
		t->lnext->lprev = t->lprev;
	else
		df->tail = t->lprev;
	while (t->frags) {
		struct frag *f = t->frags;
		t->frags = f->next;
		free(f);
	}
	free(t->hdr);
	df->memuse -= t->mem;
	df->ntrackers--;
	CNT_SET(df->cnt, DEFRAG_MEMUSE, df->memuse);
	free(t);
}

void defrag_free(struct defrag *df)
{
	if (!df)
		return;
	while (df->head)
		tracker_free(df, df->head);
	free(df->buckets);
	free(df);
}

void defrag_expire(struct defrag *df, uint64_t now)
{
	uint64_t to = (uint64_t)df->cfg->defrag_timeout * NS;
	while (df->head && now > df->head->first_ts + to) {
		CNT_INC(df->cnt, DEFRAG_TIMEOUTS);
		tracker_free(df, df->head);
	}
}

static bool key_eq(const struct tracker *t, const struct packet *p)
{
	return t->id == p->frag_id && t->ip_ver == p->ip_ver &&
	       (p->ip_ver == 6 || t->proto == p->proto) &&
	       memcmp(&t->src, &p->src, sizeof(t->src)) == 0 &&
	       memcmp(&t->dst, &p->dst, sizeof(t->dst)) == 0 &&
	       memcmp(t->vlan, p->vlan, sizeof(t->vlan)) == 0;
}

static uint32_t key_hash(const struct defrag *df, const struct packet *p)
{
	struct {
		struct addr s, d;
		uint32_t id;
		uint16_t vlan[PKT_MAX_VLANS];
		uint8_t v, proto, pad[2];
	} k;
	memset(&k, 0, sizeof(k));
	k.s = p->src;
	k.d = p->dst;
	k.id = p->frag_id;
	memcpy(k.vlan, p->vlan, sizeof(k.vlan));
	k.v = p->ip_ver;
	k.proto = p->ip_ver == 4 ? p->proto : 0;
	return (uint32_t)XXH3_64bits_withSeed(&k, sizeof(k), df->seed);
}

static struct tracker *tracker_get(struct defrag *df, struct packet *p)
{
	uint32_t h = key_hash(df, p);
	struct tracker *t;

	for (t = df->buckets[h & df->mask]; t; t = t->hnext) {
		if (t->hash == h && key_eq(t, p)) {
			if (p->ts <= t->first_ts + (uint64_t)df->cfg->defrag_timeout * NS)
				return t;
			/* Too old to complete: start over with this fragment. */
			CNT_INC(df->cnt, DEFRAG_TIMEOUTS);
			tracker_free(df, t);
			break;
		}
	}
	if (df->ntrackers >= df->cfg->defrag_trackers) {
		CNT_INC(df->cnt, DEFRAG_TRACKERS_FULL);
		if (!df->head)
			return NULL;
		tracker_free(df, df->head);
	}
	if (df->memuse + sizeof(*t) > df->memcap) {
		CNT_INC(df->cnt, DEFRAG_MEMCAP_DROPS);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		CNT_INC(df->cnt, DEFRAG_MEMCAP_DROPS);
		return NULL;
	}
	t->hash = h;
	t->src = p->src;
	t->dst = p->dst;
	t->id = p->frag_id;
	memcpy(t->vlan, p->vlan, sizeof(t->vlan));
	t->ip_ver = p->ip_ver;
	t->proto = p->proto;
	t->first_ts = p->ts;
	t->mem = sizeof(*t);
	df->memuse += t->mem;
	t->hnext = df->buckets[h & df->mask];
	df->buckets[h & df->mask] = t;
	t->lprev = df->tail;
	if (df->tail)
		df->tail->lnext = t;
	else
		df->head = t;
	df->tail = t;
	df->ntrackers++;
	return t;
}

/* Does the newer fragment's byte replace the older one's? */
static bool new_wins(int policy, const struct frag *nw, const struct frag *old)
{
	switch (policy) {
	case OVERLAP_LAST:
		return true;
	case OVERLAP_BSD:
		return nw->off < old->off;
	case OVERLAP_LINUX:
		return nw->off <= old->off;
	case OVERLAP_FIRST:
	default:
		return false;
	}
}

static const uint8_t *rebuild(struct defrag *df, struct tracker *t, uint32_t *len)
{
	struct frag **byseq = df->byseq;
	uint8_t *data = df->out + t->hdr_len;
	int policy = df->cfg->defrag_overlap;

	if (!t->overlap) {
		/* The common case: fragments tile the datagram exactly. */
		for (struct frag *f = t->frags; f; f = f->next) {
			uint32_t n = f->off + f->len <= t->total ? f->len : t->total - f->off;
			if (f->off < t->total)
				memcpy(data + f->off, f->data, n);
		}
		goto header;
	}
	for (uint32_t i = 0; i < t->total; i++)
		df->owner[i] = OWNER_NONE;
	for (struct frag *f = t->frags; f; f = f->next)
		byseq[f->seq] = f;
	for (uint32_t s = 0; s < t->nfrags; s++) {
		const struct frag *f = byseq[s];
		for (uint32_t i = 0; i < f->len && f->off + i < t->total; i++) {
			uint32_t b = f->off + i;
			if (df->owner[b] == OWNER_NONE || new_wins(policy, f, byseq[df->owner[b]])) {
				data[b] = f->data[i];
				df->owner[b] = (uint16_t)s;
			}
		}
	}
header:
	memcpy(df->out, t->hdr, t->hdr_len);
	if (t->ip_ver == 4) {
		uint32_t tot = t->hdr_len + t->total;
		df->out[2] = (uint8_t)(tot >> 8);
		df->out[3] = (uint8_t)tot;
		df->out[6] = 0; /* clear MF and the offset, keep nothing of DF */
		df->out[7] = 0;
		df->out[10] = 0;
		df->out[11] = 0;
		uint16_t c = ipv4_checksum(rd_make(df->out, t->hdr_len), t->hdr_len);
		df->out[10] = (uint8_t)(c >> 8);
		df->out[11] = (uint8_t)c;
	} else {
		uint32_t plen = t->hdr_len - 40 + t->total;
		df->out[4] = (uint8_t)(plen >> 8);
		df->out[5] = (uint8_t)plen;
		df->out[t->nh_off] = t->nh;
	}
	*len = t->hdr_len + t->total;
	return df->out;
}

/* Is [0, total) covered by the (offset-sorted) fragments? */
static bool complete(const struct tracker *t)
{
	uint32_t edge = 0;
	if (!t->have_last || !t->hdr)
		return false;
	for (const struct frag *f = t->frags; f; f = f->next) {
		if (f->off > edge)
			return false;
		if (f->off + f->len > edge)
			edge = f->off + f->len;
	}
	return edge >= t->total;
}

const uint8_t *defrag_add(struct defrag *df, struct packet *p, uint32_t *len)
{
	bool v4 = p->ip_ver == 4;
	struct rd raw = p->raw;

	df->cnt->c[v4 ? CNT_DEFRAG_V4_FRAGS : CNT_DEFRAG_V6_FRAGS]++;
	if (!rd_has(raw, p->frag_data, p->frag_len))
		return NULL;
	struct tracker *t = tracker_get(df, p);
	if (!t)
		return NULL;
	if (t->nfrags >= df->cfg->defrag_max_frags || t->nfrags >= MAX_FRAGS_HARD) {
		CNT_INC(df->cnt, DEFRAG_MAX_FRAGS_DROPS);
		tracker_free(df, t);
		return NULL;
	}
	if (p->frag_off + p->frag_len > MAX_DATAGRAM) {
		packet_event(df->cnt, p, v4 ? EV_IPV4_FRAG_PKT_TOO_LARGE : EV_IPV6_FRAG_PKT_TOO_LARGE);
		return NULL;
	}
	uint64_t need = sizeof(struct frag) + p->frag_len;
	if (p->frag_off == 0 && !t->hdr)
		need += p->frag_hdr_len;
	if (df->memuse + need > df->memcap) {
		CNT_INC(df->cnt, DEFRAG_MEMCAP_DROPS);
		return NULL;
	}
	if (p->frag_off == 0 && !t->hdr) {
		if (p->frag_hdr_len > MAX_UNFRAG_HDR) {
			packet_event(df->cnt, p, v4 ? EV_IPV4_FRAG_IGNORED : EV_IPV6_FRAG_IGNORED);
			return NULL;
		}
		t->hdr = malloc(p->frag_hdr_len);
		if (!t->hdr) {
			CNT_INC(df->cnt, DEFRAG_MEMCAP_DROPS);
			return NULL;
		}
		memcpy(t->hdr, raw.p + p->l3_off, p->frag_hdr_len);
		t->hdr_len = p->frag_hdr_len;
		t->nh_off = p->frag_nh_off - p->l3_off;
		t->nh = p->frag_nh;
		t->mem += p->frag_hdr_len;
		df->memuse += p->frag_hdr_len;
	}
	if (!p->frag_more) {
		uint32_t total = p->frag_off + p->frag_len;
		if (t->have_last && total != t->total) {
			packet_event(df->cnt, p, v4 ? EV_IPV4_FRAG_OVERLAP : EV_IPV6_FRAG_OVERLAP);
			CNT_INC(df->cnt, DEFRAG_OVERLAPS);
			return NULL;
		}
		t->have_last = true;
		t->total = total;
	}

	struct frag *nf = malloc(sizeof(*nf) + p->frag_len);
	if (!nf) {
		CNT_INC(df->cnt, DEFRAG_MEMCAP_DROPS);
		return NULL;
	}
	nf->off = p->frag_off;
	nf->len = p->frag_len;
	nf->seq = t->nfrags++;
	memcpy(nf->data, raw.p + p->frag_data, p->frag_len);
	t->mem += sizeof(*nf) + p->frag_len;
	df->memuse += sizeof(*nf) + p->frag_len;
	CNT_SET(df->cnt, DEFRAG_MEMUSE, df->memuse);

	bool overlap = false;
	struct frag **link = &t->frags;
	while (*link && (*link)->off <= nf->off) {
		if ((*link)->off + (*link)->len > nf->off)
			overlap = true;
		link = &(*link)->next;
	}
	if (*link && nf->off + nf->len > (*link)->off)
		overlap = true;
	nf->next = *link;
	*link = nf;
	if (overlap) {
		t->overlap = true;
		packet_event(df->cnt, p, v4 ? EV_IPV4_FRAG_OVERLAP : EV_IPV6_FRAG_OVERLAP);
		CNT_INC(df->cnt, DEFRAG_OVERLAPS);
	}

	if (!complete(t))
		return NULL;
	/* Data past the end given by the last fragment is ignored. */
	const uint8_t *out = rebuild(df, t, len);
	df->cnt->c[v4 ? CNT_DEFRAG_V4_DONE : CNT_DEFRAG_V6_DONE]++;
	tracker_free(df, t);
	return out;
}
