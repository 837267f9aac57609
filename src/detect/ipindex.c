/*
 * ipindex — see ipindex.h.
 *
 * Each indexed rule contributes the ranges of one side (its narrower one).
 * All range ends cut the address line into elementary segments; each segment
 * lists the rules whose ranges cover it. A lookup is one binary search per
 * (family, side) and a walk of a short list.
 */
#include "detect/ipindex.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SEGS_PER_RANGE 256 /* a wider range sends its rule to the linear list */
#define SMALL_V4	   ((u128)1 << 20)
#define SMALL_V6	   ((u128)1 << 96)

struct seg_index {
	u128 *start;   /* segment i is [start[i], start[i+1]) */
	uint32_t *off; /* rules of segment i: lists[off[i] .. off[i+1]) */
	const struct rule **lists;
	uint32_t n;
};

struct ip_index {
	struct seg_index ix[2][2]; /* [family v4/v6][side src/dst] */
};

struct entry {
	u128 lo, hi;
	const struct rule *r;
};

struct pending {
	struct entry *e;
	uint32_t n, cap;
};

static int pend(struct pending *p, u128 lo, u128 hi, const struct rule *r)
{
	if (p->n == p->cap) {
		uint32_t nc = p->cap ? p->cap * 2 : 256;
		struct entry *ne = realloc(p->e, nc * sizeof(*ne));
		if (!ne)
			return -1;
		p->e = ne;
		p->cap = nc;
	}
	p->e[p->n++] = (struct entry){lo, hi, r};
	return 0;
}

static u128 total(const struct range128 *r, uint32_t n)
{
	u128 t = 0;
	for (uint32_t i = 0; i < n; i++)
		t += r[i].hi - r[i].lo + 1;
	return t;
}

static bool narrow(const struct ipset *s)
{
	if (s->any)
		return false;
	if (total(s->v4, s->n4) > SMALL_V4)
		return false;
	for (uint32_t i = 0; i < s->n6; i++)
		if (s->v6[i].hi - s->v6[i].lo >= SMALL_V6)
			return false;
	return true;
}

static int cmp_u128(const void *a, const void *b)
{
	u128 x = *(const u128 *)a, y = *(const u128 *)b;
	return x < y ? -1 : x > y;
}

/* Index of the segment holding x, or -1. */
static int64_t seg_find(const struct seg_index *ix, u128 x)
{
	if (ix->n == 0 || x < ix->start[0])
		return -1;
	uint32_t lo = 0, hi = ix->n;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (ix->start[mid] <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Build one index from its entries. Rules whose ranges span too many
 * segments are reported in `wide` (a flag per entry). 0 or -1. */
static int seg_build(struct seg_index *ix, struct pending *p, bool *wide)
{
	uint32_t nb = 0;
	u128 *b = malloc((size_t)p->n * 2 * sizeof(*b) + sizeof(*b));
	if (!b)
		return -1;
	for (uint32_t i = 0; i < p->n; i++) {
		b[nb++] = p->e[i].lo;
		if (p->e[i].hi != ~(u128)0)
			b[nb++] = p->e[i].hi + 1;
	}
	qsort(b, nb, sizeof(*b), cmp_u128);
	uint32_t u = 0;
	for (uint32_t i = 0; i < nb; i++)
		if (u == 0 || b[i] != b[u - 1])
			b[u++] = b[i];
	ix->start = b;
	ix->n = u;
	ix->off = calloc((size_t)u + 1, sizeof(uint32_t));
	if (!ix->off)
		return -1;
	/* pass 1: count, pass 2: fill */
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < p->n; i++) {
			if (wide[i])
				continue;
			int64_t a = seg_find(ix, p->e[i].lo), z = seg_find(ix, p->e[i].hi);
			if (a < 0 || z < a)
				continue;
			if (pass == 0 && z - a + 1 > MAX_SEGS_PER_RANGE) {
				wide[i] = true;
				continue;
			}
			for (int64_t s = a; s <= z; s++) {
				if (pass == 0)
					ix->off[s + 1]++;
				else
					ix->lists[ix->off[s]++] = p->e[i].r;
			}
		}
		if (pass == 0) {
			for (uint32_t s = 0; s < u; s++)
				ix->off[s + 1] += ix->off[s];
			ix->lists = malloc(((size_t)ix->off[u] + 1) * sizeof(*ix->lists));
			if (!ix->lists)
				return -1;
		} else {
			/* the fill advanced each off[s] to off[s+1]: shift back */
			memmove(ix->off + 1, ix->off, (size_t)u * sizeof(uint32_t));
			ix->off[0] = 0;
		}
	}
	return 0;
}

static void seg_free(struct seg_index *ix)
{
	free(ix->start);
	free(ix->off);
	free(ix->lists);
	memset(ix, 0, sizeof(*ix));
}

void ip_index_free(struct ip_index *x)
{
	if (!x)
		return;
	for (int f = 0; f < 2; f++)
		for (int s = 0; s < 2; s++)
			seg_free(&x->ix[f][s]);
	free(x);
}

static int push_rest(const struct rule ***rest, uint32_t *n, const struct rule *r)
{
	for (uint32_t i = 0; i < *n; i++)
		if ((*rest)[i] == r)
			return 0;
	const struct rule **nr = realloc(*rest, (*n + 1) * sizeof(*nr));
	if (!nr)
		return -1;
	nr[(*n)++] = r;
	*rest = nr;
	return 0;
}

struct ip_index *ip_index_build(const struct rule *const *rules, uint32_t n,
				const struct rule ***rest, uint32_t *n_rest)
{
	struct ip_index *x = calloc(1, sizeof(*x));
	struct pending p[2][2] = {{{0}}};
	bool *wide[2][2] = {{NULL}};
	if (!x)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		const struct rule *r = rules[i];
		bool sn = narrow(&r->src), dn = narrow(&r->dst);
		if ((!sn && !dn) || (r->flags & RULE_BIDIR)) {
			if (push_rest(rest, n_rest, r) < 0)
				goto fail;
			continue;
		}
		int side = sn && (!dn || total(r->src.v4, r->src.n4) <= total(r->dst.v4, r->dst.n4))
			       ? 0
			       : 1;
		const struct ipset *s = side == 0 ? &r->src : &r->dst;
		for (uint32_t k = 0; k < s->n4; k++)
			if (pend(&p[0][side], s->v4[k].lo, s->v4[k].hi, r) < 0)
				goto fail;
		for (uint32_t k = 0; k < s->n6; k++)
			if (pend(&p[1][side], s->v6[k].lo, s->v6[k].hi, r) < 0)
				goto fail;
	}
	for (int f = 0; f < 2; f++) {
		for (int s = 0; s < 2; s++) {
			wide[f][s] = calloc((size_t)p[f][s].n + 1, sizeof(bool));
			if (!wide[f][s] || seg_build(&x->ix[f][s], &p[f][s], wide[f][s]) < 0)
				goto fail;
			for (uint32_t i = 0; i < p[f][s].n; i++)
				if (wide[f][s][i] && push_rest(rest, n_rest, p[f][s].e[i].r) < 0)
					goto fail;
		}
	}
	/* A rule sent to the linear list must not also be found in the index. */
	for (int f = 0; f < 2; f++) {
		for (int s = 0; s < 2; s++) {
			struct seg_index *ix = &x->ix[f][s];
			uint32_t o = 0, from = 0;
			for (uint32_t seg = 0; seg < ix->n; seg++) {
				uint32_t to = ix->off[seg + 1];
				for (uint32_t k = from; k < to; k++) {
					bool gone = false;
					for (uint32_t j = 0; j < *n_rest && !gone; j++)
						gone = (*rest)[j] == ix->lists[k];
					if (!gone)
						ix->lists[o++] = ix->lists[k];
				}
				from = to;
				ix->off[seg + 1] = o;
			}
			free(p[f][s].e);
			free(wide[f][s]);
			p[f][s].e = NULL;
			wide[f][s] = NULL;
		}
	}
	return x;
fail:
	for (int f = 0; f < 2; f++) {
		for (int s = 0; s < 2; s++) {
			free(p[f][s].e);
			free(wide[f][s]);
		}
	}
	ip_index_free(x);
	return NULL;
}

void ip_index_lookup(const struct ip_index *x, const uint8_t *src, const uint8_t *dst, int ver,
		     ip_index_fn fn, void *ctx)
{
	int f = ver == 6 ? 1 : 0;
	const uint8_t *a[2] = {src, dst};
	for (int s = 0; s < 2; s++) {
		const struct seg_index *ix = &x->ix[f][s];
		if (!ix->n)
			continue;
		u128 v = 0;
		for (int i = 0; i < (f ? 16 : 4); i++)
			v = v << 8 | a[s][i];
		int64_t seg = seg_find(ix, v);
		if (seg < 0)
			continue;
		for (uint32_t k = ix->off[seg]; k < ix->off[seg + 1]; k++)
			fn(ctx, ix->lists[k]);
	}
}
