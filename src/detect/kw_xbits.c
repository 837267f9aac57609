/*
 * kw_xbits — named bits kept per host or host pair, across flows (and
 * workers): `xbits:set|unset|toggle|isset|isnotset,NAME,track
 * ip_src|ip_dst|ip_pair[,expire SECONDS]`. A bit set with an expiry lapses
 * that many seconds of packet time after it was set; without one it lasts
 * as long as the table keeps it. The table is shared, capped, behind a lock
 * (only rules with xbits touch it).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "decode/packet.h"
#include "detect/detect.h"
#include "detect/keyword.h"
#include "detect/ruleset.h"

enum { XB_SET, XB_UNSET, XB_TOGGLE, XB_ISSET, XB_ISNOTSET };
enum { XT_SRC, XT_DST, XT_PAIR };

struct xbits_ctx {
	uint8_t op, track;
	uint32_t id;
	uint32_t expire; /* seconds; 0 = none */
};

#define XB_SLOTS  65536 /* power of two */
#define XB_PROBES 32

struct xb_slot {
	uint64_t expires; /* ns of packet time; 0 = never */
	uint32_t id;
	uint8_t used, track; /* track: the store (0 host, 1 pair) */
	uint8_t key[32];
};

static struct xb_slot *table;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void table_init(void)
{
	table = calloc(XB_SLOTS, sizeof(*table));
}

static void make_key(uint8_t *key, const struct xbits_ctx *c, const struct packet *p)
{
	memset(key, 0, 32);
	if (c->track == XT_SRC) {
		memcpy(key, p->src.a, 16);
	} else if (c->track == XT_DST) {
		memcpy(key, p->dst.a, 16);
	} else if (memcmp(p->src.a, p->dst.a, 16) <= 0) { /* the pair, either way round */
		memcpy(key, p->src.a, 16);
		memcpy(key + 16, p->dst.a, 16);
	} else {
		memcpy(key, p->dst.a, 16);
		memcpy(key + 16, p->src.a, 16);
	}
}

/* ip_src and ip_dst name the same host storage (as in Suricata): only the
 * address taken from the packet differs; ip_pair is a store of its own. */
static uint8_t store_of(const struct xbits_ctx *c)
{
	return c->track == XT_PAIR ? 1 : 0;
}

/* The slot holding (c, p), or where it would go (NULL when the probe run is full). */
static struct xb_slot *find(const struct xbits_ctx *c, const struct packet *p, bool *found)
{
	uint8_t key[32];
	make_key(key, c, p);
	uint8_t store = store_of(c);
	uint64_t h = XXH3_64bits_withSeed(key, sizeof(key), (uint64_t)c->id << 2 | store);
	struct xb_slot *free_slot = NULL;
	*found = false;
	for (uint32_t i = 0; i < XB_PROBES; i++) {
		struct xb_slot *s = &table[(h + i) & (XB_SLOTS - 1)];
		bool live = s->used && (!s->expires || s->expires > p->ts);
		if (live && s->id == c->id && s->track == store && !memcmp(s->key, key, 32)) {
			*found = true;
			return s;
		}
		if (!live && !free_slot)
			free_slot = s;
	}
	if (free_slot) {
		free_slot->id = c->id;
		free_slot->track = store;
		memcpy(free_slot->key, key, 32);
	}
	return free_slot;
}

static bool match_xbits(const struct det_pkt *d, const void *ctx)
{
	const struct xbits_ctx *c = ctx;
	if (!table || !d->p->ip_ver)
		return c->op == XB_ISNOTSET;
	bool found;
	pthread_mutex_lock(&lock);
	find(c, d->p, &found);
	pthread_mutex_unlock(&lock);
	return (c->op == XB_ISSET) == found;
}

static int post_xbits(const struct det_pkt *d, const void *ctx)
{
	const struct xbits_ctx *c = ctx;
	if (!table || !d->p->ip_ver)
		return -1;
	bool found;
	int rc = 0;
	pthread_mutex_lock(&lock);
	struct xb_slot *s = find(c, d->p, &found);
	bool want = c->op == XB_SET || (c->op == XB_TOGGLE && !found);
	if (want) {
		if (s) {
			s->used = 1;
			s->expires = c->expire ? d->p->ts + (uint64_t)c->expire * 1000000000ull : 0;
		} else {
			rc = -1; /* the table is full around this key */
		}
	} else if (found) {
		s->used = 0;
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

static int setup_xbits(struct rule_ctx *rc, const char *v)
{
	static const char *const ops[] = {"set", "unset", "toggle", "isset", "isnotset"};
	static const char *const tracks[] = {"ip_src", "ip_dst", "ip_pair"};
	char buf[256], *p[4];
	int n = kw_split(v, buf, sizeof(buf), p, 4);
	if (n < 3)
		return kw_fail(rc, KW_ERR,
			       "expected OP,NAME,track ip_src|ip_dst|ip_pair[,expire N]");
	struct xbits_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	int op = -1, tr = -1;
	for (int i = 0; i < 5; i++)
		if (!strcmp(p[0], ops[i]))
			op = i;
	if (!strncmp(p[2], "track ", 6))
		for (int i = 0; i < 3; i++)
			if (!strcmp(kw_trim(p[2] + 6), tracks[i]))
				tr = i;
	int64_t e = 0;
	if (op < 0 || tr < 0 || !*p[1] ||
	    (n == 4 &&
	     (strncmp(p[3], "expire ", 7) || kw_parse_int(p[3] + 7, 1, 86400 * 365, &e) < 0))) {
		free(c);
		return kw_fail(rc, KW_ERR,
			       "expected OP,NAME,track ip_src|ip_dst|ip_pair[,expire N], got '%s'",
			       v);
	}
	int id =
	    name_table_intern(&rc->rs->flowbits, p[1]); /* a name space of its own is not needed */
	if (id < 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "too many names");
	}
	pthread_once(&once, table_init);
	c->op = (uint8_t)op;
	c->track = (uint8_t)tr;
	c->id = (uint32_t)id;
	c->expire = (uint32_t)e;
	if (op == XB_ISSET || op == XB_ISNOTSET)
		return rule_ctx_add_pkt_sm(rc, KW_xbits, c);
	if (sm_list_add(&rc->r->post, KW_xbits, c) < 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "out of memory");
	}
	return KW_OK;
}

const struct kw_def kw_xbits = {"xbits", KWF_VALUE, setup_xbits, free, match_xbits, post_xbits, 0, NULL, NULL};
