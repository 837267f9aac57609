/*
 * kw_flowint — named integers kept per flow: `flowint:NAME,=|+|-,VALUE`
 * change them when the rule matches; `flowint:NAME,==|!=|<|<=|>|>=,VALUE`
 * and `flowint:NAME,isset|notset` are conditions. VALUE is a number or the
 * name of another flowint.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/keyword.h"
#include "detect/kw_flowvars.h"
#include "detect/ruleset.h"

static int setup_flowint(struct rule_ctx *rc, const char *v)
{
	static const struct {
		const char *s;
		uint8_t op;
	} ops[] = {
	    {"=", FI_SET}, {"+", FI_ADD},	{"-", FI_SUB},	       {"==", FI_EQ},
	    {"!=", FI_NE}, {"<", FI_LT},	{"<=", FI_LE},	       {">", FI_GT},
	    {">=", FI_GE}, {"isset", FI_ISSET}, {"notset", FI_NOTSET}, {"isnotset", FI_NOTSET},
	};
	char buf[256], *p[3];
	int n = kw_split(v, buf, sizeof(buf), p, 3);
	if (n < 2)
		return kw_fail(rc, KW_ERR, "expected NAME,OP[,VALUE]");
	int op = -1;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(p[1], ops[i].s))
			op = ops[i].op;
	if (op < 0)
		return kw_fail(rc, KW_ERR, "unknown operator '%s'", p[1]);
	bool unary = op == FI_ISSET || op == FI_NOTSET;
	if (unary != (n == 2))
		return kw_fail(rc, KW_ERR,
			       unary ? "isset/notset take no value" : "the operator needs a value");
	struct flowint_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	c->op = (uint8_t)op;
	c->value_id = -1;
	int id = name_table_intern(&rc->rs->flowints, p[0]);
	if (id < 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "too many flowint names");
	}
	c->id = (uint32_t)id;
	if (!unary) {
		int64_t x;
		if (kw_parse_int(p[2], 0, UINT32_MAX, &x) == 0) {
			c->value = (uint32_t)x;
		} else {
			int vid = name_table_intern(&rc->rs->flowints, p[2]);
			if (vid < 0) {
				free(c);
				return kw_fail(rc, KW_ERR, "too many flowint names");
			}
			c->value_id = vid;
		}
	}
	rc->r->flags |= RULE_NEED_FLOW;
	if (op == FI_SET || op == FI_ADD || op == FI_SUB) {
		if (sm_list_add(&rc->r->post, KW_flowint, c) < 0) {
			free(c);
			return kw_fail(rc, KW_ERR, "out of memory or too many keywords");
		}
		return KW_OK;
	}
	return rule_ctx_add_pkt_sm(rc, KW_flowint, c);
}

const struct kw_def kw_flowint = {"flowint", KWF_VALUE, setup_flowint, free, flowint_match, NULL, 0, NULL, NULL};
