/*
 * stix_pattern — a recursive-descent parser of STIX patterns (see
 * stix_pattern.h). Strings are unescaped into one arena allocated up front
 * (every string is copied from a distinct part of the pattern, so twice its
 * length always holds them); comparisons and values grow in arrays up to
 * STIX_PATTERN_TERMS_MAX together.
 */
#include "intel/stix_pattern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct parser {
	const char *s;
	size_t n, i;
	struct stix_pattern *p;
	unsigned depth;
	const char *err; /* set with the first failure */
	bool oom;
};

const char *stix_op_name(enum stix_op op)
{
	static const char *const names[] = {
	    [STIX_OP_EQ] = "=",
	    [STIX_OP_NEQ] = "!=",
	    [STIX_OP_LT] = "<",
	    [STIX_OP_LE] = "<=",
	    [STIX_OP_GT] = ">",
	    [STIX_OP_GE] = ">=",
	    [STIX_OP_IN] = "IN",
	    [STIX_OP_LIKE] = "LIKE",
	    [STIX_OP_MATCHES] = "MATCHES",
	    [STIX_OP_ISSUBSET] = "ISSUBSET",
	    [STIX_OP_ISSUPERSET] = "ISSUPERSET",
	    [STIX_OP_EXISTS] = "EXISTS",
	};
	return (unsigned)op <= STIX_OP_EXISTS ? names[op] : "?";
}

static int fail(struct parser *ps, const char *why)
{
	if (!ps->err) {
		ps->err = why;
		ps->p->err_at = ps->i;
	}
	return -1;
}

static void ws(struct parser *ps)
{
	while (ps->i < ps->n && (ps->s[ps->i] == ' ' || ps->s[ps->i] == '\t' ||
				 ps->s[ps->i] == '\r' || ps->s[ps->i] == '\n'))
		ps->i++;
}

static bool ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool ident_char(char c)
{
	return ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

static bool hex_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool b64_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '+' || c == '/' || c == '=';
}

/* The keyword kw (any case) next, as a whole word: consumed, true. */
static bool keyword(struct parser *ps, const char *kw)
{
	ws(ps);
	size_t l = strlen(kw);
	if (ps->n - ps->i < l || strncasecmp(ps->s + ps->i, kw, l) ||
	    (ps->i + l < ps->n && ident_char(ps->s[ps->i + l])))
		return false;
	ps->i += l;
	return true;
}

static bool punct(struct parser *ps, char c)
{
	ws(ps);
	if (ps->i < ps->n && ps->s[ps->i] == c) {
		ps->i++;
		return true;
	}
	return false;
}

/* A copy of s[0..len) in the arena (with a NUL after it). */
static char *keep(struct parser *ps, const char *s, size_t len)
{
	struct stix_pattern *p = ps->p;
	if (p->arena_cap - p->arena_len < len + 1) {
		fail(ps, "pattern too large"); /* cannot happen: the arena is sized for it */
		return NULL;
	}
	char *d = p->arena + p->arena_len;
	memcpy(d, s, len);
	d[len] = '\0';
	p->arena_len += len + 1;
	return d;
}

static bool room(struct parser *ps)
{
	if (ps->p->n_cmp + ps->p->n_lit >= STIX_PATTERN_TERMS_MAX) {
		fail(ps, "too many comparisons and values");
		return false;
	}
	return true;
}

static struct stix_literal *new_lit(struct parser *ps)
{
	struct stix_pattern *p = ps->p;
	if (!room(ps))
		return NULL;
	if (p->n_lit == p->cap_lit) {
		uint32_t nc = p->cap_lit ? p->cap_lit * 2 : 8;
		struct stix_literal *nl = realloc(p->lit, nc * sizeof(*nl));
		if (!nl) {
			ps->oom = true;
			fail(ps, "out of memory");
			return NULL;
		}
		p->lit = nl;
		p->cap_lit = nc;
	}
	return &p->lit[p->n_lit++];
}

/* A quoted string at s[i] == '\'': unescaped into the arena. */
static char *quoted(struct parser *ps, size_t *len)
{
	struct stix_pattern *p = ps->p;
	size_t i = ps->i + 1;
	char *d = p->arena + p->arena_len, *o = d;
	for (; i < ps->n && ps->s[i] != '\''; i++) {
		char c = ps->s[i];
		if (c == '\\') {
			if (i + 1 >= ps->n || (ps->s[i + 1] != '\'' && ps->s[i + 1] != '\\')) {
				ps->i = i;
				fail(ps, "an escape other than \\' or \\\\ in a string");
				return NULL;
			}
			c = ps->s[++i];
		}
		*o++ = c;
	}
	if (i >= ps->n) {
		fail(ps, "unterminated string");
		return NULL;
	}
	*o = '\0';
	*len = (size_t)(o - d);
	p->arena_len += *len + 1;
	ps->i = i + 1;
	return d;
}

static int literal(struct parser *ps)
{
	ws(ps);
	if (ps->i >= ps->n)
		return fail(ps, "expected a value");
	const char *s = ps->s + ps->i;
	char c = *s;
	size_t left = ps->n - ps->i, len;
	struct stix_literal *l;
	if (c == '\'' || (left > 1 && s[1] == '\'' && (c == 'h' || c == 'b' || c == 't'))) {
		enum stix_lit type = c == 'h'	? STIX_LIT_HEX
				     : c == 'b' ? STIX_LIT_BINARY
				     : c == 't' ? STIX_LIT_TIME
						: STIX_LIT_STRING;
		if (c != '\'')
			ps->i++;
		char *text = quoted(ps, &len);
		if (!text)
			return -1;
		if (type == STIX_LIT_HEX && len % 2)
			return fail(ps, "a hex value that is not pairs of hex digits");
		for (size_t k = 0; k < len; k++) {
			if (type == STIX_LIT_HEX && !hex_char(text[k]))
				return fail(ps, "a hex value that is not pairs of hex digits");
			if (type == STIX_LIT_BINARY && !b64_char(text[k]))
				return fail(ps, "a binary value that is not base64");
		}
		if (!(l = new_lit(ps)))
			return -1;
		*l = (struct stix_literal){type, text, len};
		return 0;
	}
	if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
		size_t k = c == '+' || c == '-' ? 1 : 0, digits = 0;
		bool dot = false;
		for (; k < left; k++) {
			if (s[k] >= '0' && s[k] <= '9')
				digits++;
			else if (s[k] == '.' && !dot && digits)
				dot = true;
			else
				break;
		}
		if (!digits || s[k - 1] == '.')
			return fail(ps, "expected a value");
		char *text = keep(ps, s, k);
		if (!text || !(l = new_lit(ps)))
			return -1;
		*l = (struct stix_literal){dot ? STIX_LIT_FLOAT : STIX_LIT_INT, text, k};
		ps->i += k;
		return 0;
	}
	bool t = keyword(ps, "true");
	if (t || keyword(ps, "false")) {
		if (!(l = new_lit(ps)))
			return -1;
		*l = (struct stix_literal){STIX_LIT_BOOL, t ? "true" : "false", t ? 4 : 5};
		return 0;
	}
	return fail(ps, "expected a value");
}

/* object-type ':' name { '.' name | '[' index ']' } */
static int path(struct parser *ps, struct stix_comparison *c)
{
	ws(ps);
	size_t st = ps->i;
	while (ps->i < ps->n && ident_char(ps->s[ps->i]))
		ps->i++;
	if (st == ps->i || !ident_start(ps->s[st]))
		return fail(ps, "expected an object path");
	if (!(c->object = keep(ps, ps->s + st, ps->i - st)))
		return -1;
	if (ps->i >= ps->n || ps->s[ps->i] != ':') /* no space allowed around ':' */
		return fail(ps, "expected ':' after the object type");
	ps->i++;
	c->n_comp = 0;
	c->index_mask = 0;
	for (bool first = true;; first = false) {
		size_t len;
		char ch = ps->i < ps->n ? ps->s[ps->i] : '\0';
		const char *name = NULL;
		bool index = false;
		if (!first && ch == '.') {
			ps->i++;
			ch = ps->i < ps->n ? ps->s[ps->i] : '\0';
		} else if (!first && ch == '[') {
			st = ps->i++;
			ws(ps);
			if (ps->i < ps->n && ps->s[ps->i] == '*') {
				ps->i++;
			} else {
				if (ps->i < ps->n && ps->s[ps->i] == '-')
					ps->i++;
				size_t d0 = ps->i;
				while (ps->i < ps->n && ps->s[ps->i] >= '0' && ps->s[ps->i] <= '9')
					ps->i++;
				if (d0 == ps->i)
					return fail(ps, "expected an index or '*'");
			}
			if (!punct(ps, ']'))
				return fail(ps, "expected ']' after an index");
			/* kept as written without spaces: "[*]", "[0]" */
			char buf[24];
			size_t bl = 0;
			for (size_t k = st; k < ps->i && bl < sizeof(buf); k++)
				if (ps->s[k] != ' ' && ps->s[k] != '\t')
					buf[bl++] = ps->s[k];
			if (!(name = keep(ps, buf, bl)))
				return -1;
			index = true;
		} else if (!first) {
			return 0;
		}
		if (!index) {
			if (ch == '\'') {
				if (!(name = quoted(ps, &len)))
					return -1;
			} else if (ident_start(ch)) {
				st = ps->i;
				while (ps->i < ps->n && ident_char(ps->s[ps->i]))
					ps->i++;
				if (!(name = keep(ps, ps->s + st, ps->i - st)))
					return -1;
			} else {
				return fail(ps, "expected a property name");
			}
		}
		if (c->n_comp == STIX_PATH_MAX)
			return fail(ps, "an object path of too many components");
		if (index)
			c->index_mask |= 1u << c->n_comp;
		c->comp[c->n_comp++] = name;
	}
}

static int comparisons(struct parser *ps);

static int test(struct parser *ps)
{
	if (punct(ps, '(')) {
		if (++ps->depth > STIX_PATTERN_DEPTH_MAX)
			return fail(ps, "nested too deeply");
		if (comparisons(ps) < 0)
			return -1;
		ps->depth--;
		return punct(ps, ')') ? 0 : fail(ps, "expected ')'");
	}
	struct stix_comparison c = {0};
	size_t save = ps->i;
	if (keyword(ps, "EXISTS")) {
		ws(ps);
		if (ps->i < ps->n && ps->s[ps->i] == ':')
			ps->i = save; /* an object type named "exists" */
		else
			c.op = STIX_OP_EXISTS;
	}
	if (path(ps, &c) < 0)
		return -1;
	c.first = ps->p->n_lit;
	if (c.op != STIX_OP_EXISTS) {
		c.negated = keyword(ps, "NOT");
		ws(ps);
		const char *s = ps->s + ps->i;
		size_t left = ps->n - ps->i;
		if (left >= 2 && (!memcmp(s, "!=", 2) || !memcmp(s, "<>", 2)))
			c.op = STIX_OP_NEQ, ps->i += 2;
		else if (left >= 2 && !memcmp(s, "<=", 2))
			c.op = STIX_OP_LE, ps->i += 2;
		else if (left >= 2 && !memcmp(s, ">=", 2))
			c.op = STIX_OP_GE, ps->i += 2;
		else if (left >= 1 && *s == '=')
			c.op = STIX_OP_EQ, ps->i++;
		else if (left >= 1 && *s == '<')
			c.op = STIX_OP_LT, ps->i++;
		else if (left >= 1 && *s == '>')
			c.op = STIX_OP_GT, ps->i++;
		else if (keyword(ps, "IN"))
			c.op = STIX_OP_IN;
		else if (keyword(ps, "LIKE"))
			c.op = STIX_OP_LIKE;
		else if (keyword(ps, "MATCHES"))
			c.op = STIX_OP_MATCHES;
		else if (keyword(ps, "ISSUBSET"))
			c.op = STIX_OP_ISSUBSET;
		else if (keyword(ps, "ISSUPERSET"))
			c.op = STIX_OP_ISSUPERSET;
		else
			return fail(ps, "expected an operator");
		if (c.op == STIX_OP_IN) {
			if (!punct(ps, '('))
				return fail(ps, "expected '(' after IN");
			if (!punct(ps, ')')) {
				do {
					if (literal(ps) < 0)
						return -1;
				} while (punct(ps, ','));
				if (!punct(ps, ')'))
					return fail(ps, "expected ')' after the IN set");
			}
		} else if (literal(ps) < 0) {
			return -1;
		}
	}
	c.n = ps->p->n_lit - c.first;
	struct stix_pattern *p = ps->p;
	if (!room(ps))
		return -1;
	if (p->n_cmp == p->cap_cmp) {
		uint32_t nc = p->cap_cmp ? p->cap_cmp * 2 : 4;
		struct stix_comparison *n = realloc(p->cmp, nc * sizeof(*n));
		if (!n) {
			ps->oom = true;
			return fail(ps, "out of memory");
		}
		p->cmp = n;
		p->cap_cmp = nc;
	}
	p->cmp[p->n_cmp++] = c;
	return 0;
}

/* test { AND test } { OR ... }: AND binds tighter, but only the shape is
 * kept, so both are read in one loop. */
static int comparisons(struct parser *ps)
{
	do {
		if (test(ps) < 0)
			return -1;
		if (keyword(ps, "AND"))
			ps->p->flags |= STIX_PAT_AND;
		else if (keyword(ps, "OR"))
			ps->p->flags |= STIX_PAT_OR;
		else
			return 0;
	} while (1);
}

static int observations(struct parser *ps);

static int qualifiers(struct parser *ps)
{
	for (;;) {
		if (keyword(ps, "WITHIN")) {
			if (literal(ps) < 0)
				return -1;
			ps->p->n_lit--; /* the number is not a value of a comparison */
			if (!keyword(ps, "SECONDS"))
				return fail(ps, "expected SECONDS");
		} else if (keyword(ps, "REPEATS")) {
			if (literal(ps) < 0)
				return -1;
			ps->p->n_lit--;
			if (!keyword(ps, "TIMES"))
				return fail(ps, "expected TIMES");
		} else if (keyword(ps, "START")) {
			if (literal(ps) < 0)
				return -1;
			ps->p->n_lit--;
			if (!keyword(ps, "STOP"))
				return fail(ps, "expected STOP");
			if (literal(ps) < 0)
				return -1;
			ps->p->n_lit--;
		} else {
			return 0;
		}
		ps->p->flags |= STIX_PAT_QUALIFIER;
	}
}

static int observation(struct parser *ps)
{
	if (punct(ps, '[')) {
		if (comparisons(ps) < 0)
			return -1;
		if (!punct(ps, ']'))
			return fail(ps, "expected ']'");
	} else if (punct(ps, '(')) {
		if (++ps->depth > STIX_PATTERN_DEPTH_MAX)
			return fail(ps, "nested too deeply");
		if (observations(ps) < 0)
			return -1;
		ps->depth--;
		if (!punct(ps, ')'))
			return fail(ps, "expected ')'");
	} else {
		return fail(ps, "expected '['");
	}
	return qualifiers(ps);
}

static int observations(struct parser *ps)
{
	do {
		if (observation(ps) < 0)
			return -1;
		if (keyword(ps, "AND"))
			ps->p->flags |= STIX_PAT_AND;
		else if (keyword(ps, "OR"))
			ps->p->flags |= STIX_PAT_OR;
		else if (keyword(ps, "FOLLOWEDBY"))
			ps->p->flags |= STIX_PAT_FOLLOWEDBY;
		else
			return 0;
	} while (1);
}

int stix_pattern_parse(struct stix_pattern *p, const char *text, size_t len, char *err,
		       size_t errlen)
{
	memset(p, 0, sizeof(*p));
	struct parser ps = {.s = text, .n = len, .p = p};
	if (len > STIX_PATTERN_LEN_MAX) {
		snprintf(err, errlen, "longer than %d characters", STIX_PATTERN_LEN_MAX);
		return -1;
	}
	p->arena_cap = 2 * len + 16;
	if (!(p->arena = malloc(p->arena_cap))) {
		snprintf(err, errlen, "out of memory");
		return -2;
	}
	int rc = observations(&ps);
	ws(&ps);
	if (rc == 0 && ps.i < ps.n)
		rc = fail(&ps, "unexpected text after the pattern");
	if (rc < 0) {
		snprintf(err, errlen, "%s", ps.err ? ps.err : "does not parse");
		return ps.oom ? -2 : -1;
	}
	return 0;
}

void stix_pattern_free(struct stix_pattern *p)
{
	free(p->cmp);
	free(p->lit);
	free(p->arena);
	memset(p, 0, sizeof(*p));
}
