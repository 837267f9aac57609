/*
 * flowvars — see flowvars.h; also the conditions of flowbits and flowint.
 */
#include "detect/flowvars.h"

#include <stdlib.h>
#include <string.h>

#include "detect/keyword.h"
#include "detect/kw_flowvars.h"
#include "flow/flow.h"

#define MAX_BIT_WORDS 1024 /* 65536 flowbit names */

static struct flowvars *get(struct flow *f)
{
	if (!f->vars)
		f->vars = calloc(1, sizeof(*f->vars));
	return f->vars;
}

bool flowvars_bit(const struct flow *f, uint32_t id)
{
	const struct flowvars *v = f->vars;
	if (!v || id / 64 >= v->n_words)
		return false;
	return v->bits[id / 64] >> (id % 64) & 1;
}

int flowvars_set_bit(struct flow *f, uint32_t id, int how)
{
	if (how == 0 && !flowvars_bit(f, id))
		return 0;
	struct flowvars *v = get(f);
	if (!v)
		return -1;
	uint32_t w = id / 64;
	if (w >= v->n_words) {
		if (w >= MAX_BIT_WORDS)
			return -1;
		uint32_t nw = w + 1;
		uint64_t *nb = realloc(v->bits, nw * sizeof(*nb));
		if (!nb)
			return -1;
		memset(nb + v->n_words, 0, (nw - v->n_words) * sizeof(*nb));
		v->bits = nb;
		v->n_words = nw;
	}
	uint64_t m = 1ull << (id % 64);
	if (how == 1)
		v->bits[w] |= m;
	else if (how == 0)
		v->bits[w] &= ~m;
	else
		v->bits[w] ^= m;
	return 0;
}

bool flowvars_int(const struct flow *f, uint32_t id, uint32_t *out)
{
	const struct flowvars *v = f->vars;
	if (!v)
		return false;
	for (uint32_t i = 0; i < v->n_ints; i++) {
		if (v->ints[i].id == id) {
			*out = v->ints[i].v;
			return true;
		}
	}
	return false;
}

int flowvars_set_int(struct flow *f, uint32_t id, uint32_t val)
{
	struct flowvars *v = get(f);
	if (!v)
		return -1;
	for (uint32_t i = 0; i < v->n_ints; i++) {
		if (v->ints[i].id == id) {
			v->ints[i].v = val;
			return 0;
		}
	}
	if (v->n_ints == FLOWVARS_MAX_INTS)
		return -1;
	if (v->n_ints == v->cap_ints) {
		uint32_t nc = v->cap_ints ? v->cap_ints * 2 : 4;
		struct flowint_val *ni = realloc(v->ints, nc * sizeof(*ni));
		if (!ni)
			return -1;
		v->ints = ni;
		v->cap_ints = nc;
	}
	v->ints[v->n_ints].id = id;
	v->ints[v->n_ints].v = val;
	v->n_ints++;
	return 0;
}

struct stream_tail *flowvars_tail(struct flow *f, int dir)
{
	struct flowvars *v = get(f);
	if (!v)
		return NULL;
	if (!v->tail[dir])
		v->tail[dir] = calloc(1, sizeof(struct stream_tail));
	return v->tail[dir];
}

void flowvars_free(struct flow *f)
{
	if (f->vars) {
		free(f->vars->bits);
		free(f->vars->ints);
		free(f->vars->tail[0]);
		free(f->vars->tail[1]);
		free(f->vars);
		f->vars = NULL;
	}
}

bool flowbits_match(const struct det_pkt *d, const void *ctx)
{
	const struct flowbits_ctx *c = ctx;
	if (!d->f)
		return c->op == FB_ISNOTSET;
	bool want = c->op == FB_ISSET;
	if (c->any) {
		for (uint8_t i = 0; i < c->n; i++)
			if (flowvars_bit(d->f, c->ids[i]) == want)
				return true;
		return false;
	}
	for (uint8_t i = 0; i < c->n; i++)
		if (flowvars_bit(d->f, c->ids[i]) != want)
			return false;
	return true;
}

bool flowint_match(const struct det_pkt *d, const void *ctx)
{
	const struct flowint_ctx *c = ctx;
	uint32_t a, b = c->value;
	bool set = d->f && flowvars_int(d->f, c->id, &a);
	if (c->op == FI_ISSET)
		return set;
	if (c->op == FI_NOTSET)
		return !set;
	if (!set)
		return false;
	if (c->value_id >= 0 && !flowvars_int(d->f, (uint32_t)c->value_id, &b))
		return false;
	switch (c->op) {
	case FI_EQ:
		return a == b;
	case FI_NE:
		return a != b;
	case FI_LT:
		return a < b;
	case FI_LE:
		return a <= b;
	case FI_GT:
		return a > b;
	default:
		return a >= b;
	}
}

int flowvars_apply(struct flow *f, const struct sm *sm)
{
	if (sm->kw == KW_flowbits) {
		const struct flowbits_ctx *c = sm->ctx;
		int how = c->op == FB_SET ? 1 : c->op == FB_UNSET ? 0 : 2;
		int rc = 0;
		for (uint8_t i = 0; i < c->n; i++)
			rc |= flowvars_set_bit(f, c->ids[i], how);
		return rc;
	}
	if (sm->kw == KW_flowint) {
		const struct flowint_ctx *c = sm->ctx;
		uint32_t cur = 0, val = c->value;
		bool set = flowvars_int(f, c->id, &cur);
		if (c->value_id >= 0 && !flowvars_int(f, (uint32_t)c->value_id, &val))
			return 0; /* the operand is not set: nothing to do */
		if (c->op == FI_SET)
			return flowvars_set_int(f, c->id, val);
		if (!set)
			cur = 0;
		return flowvars_set_int(f, c->id, c->op == FI_ADD ? cur + val : cur - val);
	}
	return 0;
}
