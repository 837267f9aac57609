/*
 * kw_byte — byte_test, byte_jump, byte_extract and byte_math: read a number
 * from the buffer (binary big/little endian, or text in hex/dec/oct) at an
 * offset (absolute, or relative to the previous match) and compare it, jump
 * by it, keep it in a rule variable, or compute with it. Variables made by
 * byte_extract / byte_math can feed later offsets, values and content
 * positions of the same rule.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/content.h"
#include "detect/keyword.h"
#include "detect/kw_inspect.h"

#define MAX_RULE_VARS 8

static int find_var(const struct rule *r, const char *name)
{
	for (int i = 0; i < r->n_vars; i++)
		if (!strcmp(r->vars[i], name))
			return i;
	return -1;
}

static int new_var(struct rule_ctx *rc, const char *name, uint8_t *out)
{
	struct rule *r = rc->r;
	if (!name[0] || strchr(name, ' '))
		return kw_fail(rc, KW_ERR, "invalid variable name '%s'", name);
	if (find_var(r, name) >= 0)
		return kw_fail(rc, KW_ERR, "variable '%s' defined twice", name);
	if (r->n_vars == MAX_RULE_VARS)
		return kw_fail(rc, KW_ERR, "more than %d variables in one rule", MAX_RULE_VARS);
	r->vars[r->n_vars] = strdup(name);
	if (!r->vars[r->n_vars])
		return kw_fail(rc, KW_ERR, "out of memory");
	*out = r->n_vars++;
	return KW_OK;
}

/* A number, or a variable defined earlier in the rule. */
static int num_or_var(struct rule_ctx *rc, const char *s, int64_t min, int64_t max, int64_t *num,
		      int8_t *var)
{
	if (kw_parse_int(s, min, max, num) == 0) {
		*var = CT_VAR_NONE;
		return KW_OK;
	}
	int v = find_var(rc->r, s);
	if (v < 0)
		return kw_fail(rc, KW_ERR, "'%s' is neither a number nor a variable", s);
	*var = (int8_t)v;
	*num = 0;
	return KW_OK;
}

static int base_of(const char *s)
{
	if (!strcmp(s, "hex"))
		return 16;
	if (!strcmp(s, "dec"))
		return 10;
	if (!strcmp(s, "oct"))
		return 8;
	return 0;
}

/* Options shared by all four: returns 1 when `opt` was one of them. */
static int common_opt(struct rule_ctx *rc, struct byte_common *b, const char *opt, int *rcode)
{
	*rcode = KW_OK;
	if (!strcmp(opt, "relative")) {
		b->relative = true;
	} else if (!strcmp(opt, "big") || !strcmp(opt, "endian big")) {
		b->endian = BYTE_BIG;
	} else if (!strcmp(opt, "little") || !strcmp(opt, "endian little")) {
		b->endian = BYTE_LITTLE;
	} else if (!strcmp(opt, "dce")) {
		b->endian = BYTE_DCE;
	} else if (!strcmp(opt, "string")) {
		if (!b->base)
			b->base = 10;
	} else if (!strncmp(opt, "string ", 7) && base_of(kw_trim((char *)opt + 7))) {
		b->base = (uint8_t)base_of(kw_trim((char *)opt + 7));
	} else if (base_of(opt)) {
		b->base = (uint8_t)base_of(opt);
	} else if (!strncmp(opt, "bitmask ", 8)) {
		int64_t m;
		if (kw_parse_int(opt + 8, 1, INT64_MAX, &m) < 0)
			*rcode = kw_fail(rc, KW_ERR, "invalid bitmask '%s'", opt + 8);
		b->bitmask = (uint64_t)m;
	} else {
		return 0;
	}
	return 1;
}

static int check_nbytes(struct rule_ctx *rc, struct byte_common *b)
{
	unsigned max = b->base ? 20 : 8;
	/* 0 with string: the digits up to the end of the buffer (Suricata 7) */
	if (b->nbytes == 0 && b->base)
		return KW_OK;
	if (b->nbytes < 1 || b->nbytes > max)
		return kw_fail(rc, KW_ERR, "can read 1 to %u bytes%s", max,
			       b->base ? " as text" : "");
	if (!b->base && b->nbytes > 4 && b->nbytes != 8 && b->endian == BYTE_DCE)
		return kw_fail(rc, KW_ERR, "dce reads 1, 2 or 4 bytes");
	return KW_OK;
}

static int add(struct rule_ctx *rc, uint16_t kw, void *c, bool relative)
{
	if (rule_ctx_add_buffer_sm(rc, kw, c) < 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "out of memory or too many keywords");
	}
	if (relative) {
		struct sm_list *l = rule_ctx_buffer_list(rc);
		l->v[l->n - 1].flags |= SM_RELATIVE;
	}
	return KW_OK;
}

/* The two leading values all but byte_math share: byte count and offset (a
 * number, or a variable when `var_ok`). */
static int lead(struct rule_ctx *rc, struct byte_common *b, char **p, bool var_ok)
{
	int64_t x;
	if (kw_parse_int(p[0], 0, 20, &x) < 0)
		return kw_fail(rc, KW_ERR, "invalid byte count '%s'", p[0]);
	b->nbytes = (uint8_t)x;
	b->offset_var = CT_VAR_NONE;
	if (var_ok) {
		int rcode = num_or_var(rc, p[1], -65535, 65535, &x, &b->offset_var);
		if (rcode)
			return rcode;
	} else if (kw_parse_int(p[1], -65535, 65535, &x) < 0) {
		return kw_fail(rc, KW_ERR, "invalid offset '%s'", p[1]);
	}
	b->offset = (int32_t)x;
	return KW_OK;
}

/* Register a setup's result, or free it on failure. */
static int finish(struct rule_ctx *rc, uint16_t kw, void *c, struct byte_common *b, int rcode)
{
	if (rcode == KW_OK)
		rcode = check_nbytes(rc, b);
	if (rcode != KW_OK) {
		free(c);
		return rcode;
	}
	return add(rc, kw, c, b->relative);
}

static int setup_byte_test(struct rule_ctx *rc, const char *v)
{
	static const struct {
		const char *s;
		uint8_t op;
	} ops[] = {{"<", BOP_LT},  {">", BOP_GT},  {"=", BOP_EQ},  {"<=", BOP_LE},
		   {">=", BOP_GE}, {"&", BOP_AND}, {"^", BOP_XOR}, {"", BOP_EQ}};
	char buf[512], *p[12], *lp[2];
	int n = kw_split(v, buf, sizeof(buf), p, 12);
	if (n < 4)
		return kw_fail(rc, KW_ERR, "expected bytes,[!]op,value,offset[,options]");
	struct byte_test_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	lp[0] = p[0];
	lp[1] = p[3];
	int rcode = lead(rc, &c->b, lp, true);
	char *op = p[1];
	if (*op == '!') {
		c->negated = true;
		op = kw_trim(op + 1);
	}
	int found = -1;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(op, ops[i].s))
			found = ops[i].op;
	if (!rcode && (found < 0 || (!*op && !c->negated)))
		rcode = kw_fail(rc, KW_ERR, "unknown operator '%s'", p[1]);
	c->op = (uint8_t)found;
	int64_t val = 0;
	if (!rcode)
		rcode = num_or_var(rc, p[2], 0, INT64_MAX, &val, &c->value_var);
	c->value = (uint64_t)val;
	for (int i = 4; i < n && !rcode; i++)
		if (!common_opt(rc, &c->b, p[i], &rcode))
			rcode = kw_fail(rc, KW_ERR, "unknown option '%s'", p[i]);
	return finish(rc, KW_byte_test, c, &c->b, rcode);
}

static int setup_byte_jump(struct rule_ctx *rc, const char *v)
{
	char buf[512], *p[16];
	int n = kw_split(v, buf, sizeof(buf), p, 16);
	if (n < 2)
		return kw_fail(rc, KW_ERR, "expected bytes,offset[,options]");
	struct byte_jump_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	c->multiplier = 1;
	int rcode = lead(rc, &c->b, p, true);
	int64_t x;
	for (int i = 2; i < n && !rcode; i++) {
		if (common_opt(rc, &c->b, p[i], &rcode))
			continue;
		if (!strcmp(p[i], "align"))
			c->align = true;
		else if (!strcmp(p[i], "from_beginning"))
			c->from_beginning = true;
		else if (!strcmp(p[i], "from_end"))
			c->from_end = true;
		else if (!strncmp(p[i], "multiplier ", 11) &&
			 kw_parse_int(p[i] + 11, 1, 65535, &x) == 0)
			c->multiplier = (uint32_t)x;
		else if (!strncmp(p[i], "post_offset ", 12) &&
			 kw_parse_int(p[i] + 12, -65535, 65535, &x) == 0)
			c->post_offset = (int32_t)x;
		else
			rcode = kw_fail(rc, KW_ERR, "unknown option '%s'", p[i]);
	}
	if (!rcode && c->from_beginning && c->from_end)
		rcode = kw_fail(rc, KW_ERR, "from_beginning and from_end together");
	return finish(rc, KW_byte_jump, c, &c->b, rcode);
}

static int setup_byte_extract(struct rule_ctx *rc, const char *v)
{
	char buf[512], *p[14];
	int n = kw_split(v, buf, sizeof(buf), p, 14);
	if (n < 3)
		return kw_fail(rc, KW_ERR, "expected bytes,offset,name[,options]");
	struct byte_extract_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	c->multiplier = 1;
	int rcode = lead(rc, &c->b, p, false);
	int64_t x;
	for (int i = 3; i < n && !rcode; i++) {
		if (common_opt(rc, &c->b, p[i], &rcode))
			continue;
		if (!strncmp(p[i], "multiplier ", 11) && kw_parse_int(p[i] + 11, 1, 65535, &x) == 0)
			c->multiplier = (uint32_t)x;
		else if (!strncmp(p[i], "align ", 6) && kw_parse_int(p[i] + 6, 2, 4, &x) == 0 &&
			 x != 3)
			c->align = (uint8_t)x;
		else
			rcode = kw_fail(rc, KW_ERR, "unknown option '%s'", p[i]);
	}
	/* the variable last: nothing to undo when the checks above fail */
	if (!rcode)
		rcode = check_nbytes(rc, &c->b);
	if (!rcode)
		rcode = new_var(rc, p[2], &c->var);
	return finish(rc, KW_byte_extract, c, &c->b, rcode);
}

static int setup_byte_math(struct rule_ctx *rc, const char *v)
{
	char buf[512], *p[14];
	int n = kw_split(v, buf, sizeof(buf), p, 14);
	struct byte_math_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	int have = 0, rcode;
	const char *result = NULL;
	int64_t x;
	for (int i = 0; i < n; i++) {
		char *sp = strchr(p[i], ' ');
		char *val = sp ? kw_trim(sp + 1) : NULL;
		if (common_opt(rc, &c->b, p[i], &rcode)) {
			if (rcode) {
				free(c);
				return rcode;
			}
			continue;
		}
		if (!val)
			goto bad;
		*sp = '\0';
		if (!strcmp(p[i], "bytes") && kw_parse_int(val, 1, 10, &x) == 0) {
			c->b.nbytes = (uint8_t)x;
			have |= 1;
		} else if (!strcmp(p[i], "offset")) {
			if ((rcode = num_or_var(rc, val, -65535, 65535, &x, &c->b.offset_var)) !=
			    KW_OK) {
				free(c);
				return rcode;
			}
			c->b.offset = (int32_t)x;
			have |= 2;
		} else if (!strcmp(p[i], "oper")) {
			static const char *const ops[] = {"+", "-", "*", "/", "<<", ">>"};
			int op = -1;
			for (int k = 0; k < 6; k++)
				if (!strcmp(val, ops[k]))
					op = k;
			if (op < 0)
				goto bad;
			c->op = (uint8_t)op;
			have |= 4;
		} else if (!strcmp(p[i], "rvalue")) {
			if ((rcode = num_or_var(rc, val, 0, UINT32_MAX, &x, &c->rvalue_var)) !=
			    KW_OK) {
				free(c);
				return rcode;
			}
			c->rvalue = (uint64_t)x;
			have |= 8;
		} else if (!strcmp(p[i], "result")) {
			result = val;
			have |= 16;
		} else {
			goto bad;
		}
	}
	if (have != 31)
		goto bad;
	if (c->op == BM_DIV && c->rvalue_var == CT_VAR_NONE && c->rvalue == 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "division by zero");
	}
	rcode = check_nbytes(rc, &c->b);
	if (!rcode)
		rcode = new_var(rc, result, &c->var);
	return finish(rc, KW_byte_math, c, &c->b, rcode);
bad:
	free(c);
	return kw_fail(rc, KW_ERR,
		       "expected bytes N,offset N,oper OP,rvalue N,result NAME[,options]");
}

const struct kw_def kw_byte_test = {"byte_test", KWF_VALUE, setup_byte_test, free, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_byte_jump = {"byte_jump", KWF_VALUE, setup_byte_jump, free, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_byte_extract = {"byte_extract", KWF_VALUE, setup_byte_extract,
				       free,	       NULL,	  NULL, 0, NULL, NULL};
const struct kw_def kw_byte_math = {"byte_math", KWF_VALUE, setup_byte_math, free, NULL, NULL, 0, NULL, NULL};
