/*
 * kw_iprep — `iprep:<side>,<category>,<op>,<score>` and
 * `iprep:<side>,<category>,isset|isnotset`, as Suricata defines them: the
 * reputation (iprep.h) of the packet's source, destination, either (any) or
 * both addresses in a category named by reputation-categories-file; ops
 * < <= > >= = on scores 0-127. isset is ">= 0"; isnotset matches when the
 * side's address (any: one of them; both: neither) has no score in the
 * category. An address not listed in the category never matches an op.
 * Rules with only addresses, ports and iprep stay IP-only (checked on the
 * first packet of each direction of a flow), as in Suricata.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode/packet.h"
#include "detect/iprep.h"
#include "detect/keyword.h"
#include "detect/ruleset.h"

enum { SIDE_ANY, SIDE_SRC, SIDE_DST, SIDE_BOTH };
enum { OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_ISSET, OP_ISNOTSET };

struct iprep_ctx {
	const struct iprep *rep; /* the ruleset's, borrowed */
	uint8_t side, cat, op, value;
};

static bool holds(const struct iprep_ctx *c, int score)
{
	if (score < 0)
		return false;
	switch (c->op) {
	case OP_LT:
		return score < c->value;
	case OP_LE:
		return score <= c->value;
	case OP_GT:
		return score > c->value;
	case OP_GE:
		return score >= c->value;
	case OP_EQ:
		return score == c->value;
	default: /* isset */
		return true;
	}
}

static bool match_iprep(const struct det_pkt *d, const void *ctx)
{
	const struct iprep_ctx *c = ctx;
	const struct packet *p = d->p;
	if (p->ip_ver != 4 && p->ip_ver != 6)
		return false;
	const uint8_t *src = d->src ? d->src : p->src.a;
	const uint8_t *dst = d->dst ? d->dst : p->dst.a;
	int s = c->side == SIDE_DST ? -1 : iprep_score(c->rep, c->cat, src, p->ip_ver);
	int t = c->side == SIDE_SRC ? -1 : iprep_score(c->rep, c->cat, dst, p->ip_ver);
	if (c->op == OP_ISNOTSET) {
		switch (c->side) {
		case SIDE_SRC:
			return s < 0;
		case SIDE_DST:
			return t < 0;
		case SIDE_BOTH:
			return s < 0 && t < 0;
		default:
			return s < 0 || t < 0;
		}
	}
	switch (c->side) {
	case SIDE_SRC:
		return holds(c, s);
	case SIDE_DST:
		return holds(c, t);
	case SIDE_BOTH:
		return holds(c, s) && holds(c, t);
	default:
		return holds(c, s) || holds(c, t);
	}
}

static int setup_iprep(struct rule_ctx *rc, const char *v)
{
	static const char *const sides[] = {"any", "src", "dst", "both"};
	static const char *const ops[] = {"<", "<=", ">", ">=", "=", "isset", "isnotset"};
	char buf[256], *p[4];
	int n = kw_split(v, buf, sizeof(buf), p, 4);
	if (n < 3)
		return kw_fail(rc, KW_ERR,
			       "expected <any|src|dst|both>,<category>,<op>,<score> or "
			       "<side>,<category>,<isset|isnotset>");
	struct iprep_ctx c = {0};
	int side = -1, op = -1;
	for (int i = 0; i < 4; i++)
		if (!strcasecmp(p[0], sides[i]))
			side = i;
	if (side < 0)
		return kw_fail(rc, KW_ERR, "unknown side '%s' (any, src, dst, both)", p[0]);
	for (int i = 0; i < 7; i++)
		if (!strcmp(p[2], ops[i]))
			op = i;
	if (op < 0)
		return kw_fail(rc, KW_ERR,
			       "unknown operator '%s' (<, <=, >, >=, =, isset, isnotset)", p[2]);
	if (op >= OP_ISSET && n != 3)
		return kw_fail(rc, KW_ERR, "%s takes no score", p[2]);
	if (op < OP_ISSET) {
		int64_t score;
		if (n != 4 || kw_parse_int(p[3], 0, IPREP_MAX_SCORE, &score) < 0)
			return kw_fail(rc, KW_ERR, "a score from 0 to %d expected after '%s'",
				       IPREP_MAX_SCORE, p[2]);
		c.value = (uint8_t)score;
	}
	const struct iprep *rep = rc->rs ? rc->rs->iprep : NULL;
	int cat = iprep_category(rep, p[1]);
	if (cat < 0) {
		char names[512];
		iprep_category_names(rep, names, sizeof(names));
		if (!rep)
			return kw_fail(rc, KW_ERR,
				       "unknown category '%s': no IP reputation is loaded "
				       "(reputation-categories-file, reputation-files)",
				       p[1]);
		return kw_fail(rc, KW_ERR, "unknown category '%s' (%s)", p[1], names);
	}
	struct iprep_ctx *h = malloc(sizeof(*h));
	if (!h)
		return kw_fail(rc, KW_ERR, "out of memory");
	*h = c;
	h->rep = rep;
	h->side = (uint8_t)side;
	h->cat = (uint8_t)cat;
	h->op = (uint8_t)op;
	return rule_ctx_add_pkt_sm(rc, KW_iprep, h);
}

const struct kw_def kw_iprep = {"iprep", KWF_VALUE, setup_iprep, free, match_iprep,
				NULL,	 0,	    NULL,	 NULL};
