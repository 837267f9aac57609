/*
 * addrset — see addrset.h. Sets are built with plain interval arithmetic on
 * 128-bit values (IPv4 in the low 32 bits, ports in the low 16), which keeps
 * one algebra for all three domains.
 */
#include "detect/addrset.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH  16	 /* brackets and variables nested */
#define MAX_RANGES 65536 /* per set: a cap against hostile variable expansion */

struct rset {
	struct range128 *r;
	uint32_t n, cap;
};

static const u128 MAX4 = 0xffffffffu;
static const u128 MAX16 = 0xffffu;
#define MAX6 (~(u128)0)

struct pctx {
	const char *s;
	size_t pos;
	bool port;
	addrset_var_fn var;
	void *vctx;
	struct addrset_err *err;
	int depth;
};

/* A parsed value: ports use v4 only. */
struct val {
	struct rset v4, v6;
};

static void rset_free(struct rset *s)
{
	free(s->r);
	memset(s, 0, sizeof(*s));
}

static void val_free(struct val *v)
{
	rset_free(&v->v4);
	rset_free(&v->v6);
}

static int rset_push(struct rset *s, u128 lo, u128 hi)
{
	if (s->n == s->cap) {
		if (s->cap >= MAX_RANGES)
			return -1;
		uint32_t nc = s->cap ? s->cap * 2 : 4;
		struct range128 *nr = realloc(s->r, nc * sizeof(*nr));
		if (!nr)
			return -1;
		s->r = nr;
		s->cap = nc;
	}
	s->r[s->n].lo = lo;
	s->r[s->n].hi = hi;
	s->n++;
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct range128 *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort and merge overlapping or adjacent ranges. */
static void rset_normalise(struct rset *s)
{
	if (s->n < 2)
		return;
	qsort(s->r, s->n, sizeof(s->r[0]), cmp_range);
	uint32_t o = 0;
	for (uint32_t i = 1; i < s->n; i++) {
		struct range128 *cur = &s->r[o];
		if (s->r[i].lo <= cur->hi || (cur->hi != MAX6 && s->r[i].lo == cur->hi + 1)) {
			if (s->r[i].hi > cur->hi)
				cur->hi = s->r[i].hi;
		} else {
			s->r[++o] = s->r[i];
		}
	}
	s->n = o + 1;
}

static int rset_union(struct rset *d, const struct rset *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (rset_push(d, s->r[i].lo, s->r[i].hi) < 0)
			return -1;
	rset_normalise(d);
	return 0;
}

/* d = d minus s (both normalised). */
static int rset_subtract(struct rset *d, const struct rset *s)
{
	struct rset out = {0};
	uint32_t j = 0;
	for (uint32_t i = 0; i < d->n; i++) {
		u128 lo = d->r[i].lo, hi = d->r[i].hi;
		bool gone = false;
		while (j < s->n && s->r[j].hi < lo)
			j++;
		for (uint32_t k = j; k < s->n && s->r[k].lo <= hi; k++) {
			if (s->r[k].lo > lo && rset_push(&out, lo, s->r[k].lo - 1) < 0)
				goto oom;
			if (s->r[k].hi >= hi) {
				gone = true;
				break;
			}
			lo = s->r[k].hi + 1;
		}
		if (!gone && rset_push(&out, lo, hi) < 0)
			goto oom;
	}
	rset_free(d);
	*d = out;
	return 0;
oom:
	rset_free(&out);
	return -1;
}

static int fail(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct pctx *c, const char *fmt, ...)
{
	if (!c->err->msg[0]) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
		va_end(ap);
		c->err->col = (unsigned)c->pos;
	}
	return -1;
}

static void skip_ws(struct pctx *c)
{
	while (c->s[c->pos] == ' ' || c->s[c->pos] == '\t')
		c->pos++;
}

static int set_all(struct pctx *c, struct val *v)
{
	if (rset_push(&v->v4, 0, c->port ? MAX16 : MAX4) < 0)
		return -1;
	if (!c->port && rset_push(&v->v6, 0, MAX6) < 0)
		return -1;
	return 0;
}

static u128 v6_value(const struct in6_addr *a)
{
	u128 v = 0;
	for (int i = 0; i < 16; i++)
		v = v << 8 | a->s6_addr[i];
	return v;
}

static int parse_ip_literal(struct pctx *c, const char *tok, struct val *v)
{
	char buf[128];
	const char *slash = strchr(tok, '/');
	const char *dash = strchr(tok, '-');
	struct in_addr a4, b4;
	struct in6_addr a6, b6;

	if (strlen(tok) >= sizeof(buf))
		return fail(c, "address too long: '%s'", tok);
	if (dash && !slash) {
		size_t n = (size_t)(dash - tok);
		memcpy(buf, tok, n);
		buf[n] = '\0';
		const char *hi = dash + 1;
		if (inet_pton(AF_INET, buf, &a4) == 1 && inet_pton(AF_INET, hi, &b4) == 1) {
			u128 lo = ntohl(a4.s_addr), h = ntohl(b4.s_addr);
			if (lo > h)
				return fail(c, "address range ends before it starts: '%s'", tok);
			return rset_push(&v->v4, lo, h);
		}
		if (inet_pton(AF_INET6, buf, &a6) == 1 && inet_pton(AF_INET6, hi, &b6) == 1) {
			u128 lo = v6_value(&a6), h = v6_value(&b6);
			if (lo > h)
				return fail(c, "address range ends before it starts: '%s'", tok);
			return rset_push(&v->v6, lo, h);
		}
		return fail(c, "invalid address range '%s'", tok);
	}
	size_t n = slash ? (size_t)(slash - tok) : strlen(tok);
	memcpy(buf, tok, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &a4) == 1) {
		u128 base = ntohl(a4.s_addr);
		unsigned bits = 32;
		if (slash) {
			char *end;
			if (strchr(slash + 1, '.')) {
				/* a dotted netmask */
				struct in_addr m;
				if (inet_pton(AF_INET, slash + 1, &m) != 1)
					return fail(c, "invalid netmask in '%s'", tok);
				uint32_t mask = ntohl(m.s_addr);
				bits = (unsigned)__builtin_popcount(mask);
				if (bits < 32 && mask != ~((1u << (32 - bits)) - 1) && mask)
					return fail(c, "netmask is not contiguous in '%s'", tok);
			} else {
				if (!isdigit((unsigned char)slash[1]))
					return fail(c, "invalid prefix length in '%s'", tok);
				unsigned long b = strtoul(slash + 1, &end, 10);
				if (*end || b > 32)
					return fail(c, "invalid prefix length in '%s'", tok);
				bits = (unsigned)b;
			}
		}
		u128 size = bits == 0 ? MAX4 + 1 : (u128)1 << (32 - bits);
		base &= ~(size - 1) & MAX4;
		return rset_push(&v->v4, base, base + size - 1);
	}
	if (inet_pton(AF_INET6, buf, &a6) == 1) {
		u128 base = v6_value(&a6);
		unsigned bits = 128;
		if (slash) {
			char *end;
			if (!isdigit((unsigned char)slash[1]))
				return fail(c, "invalid prefix length in '%s'", tok);
			unsigned long b = strtoul(slash + 1, &end, 10);
			if (*end || b > 128)
				return fail(c, "invalid prefix length in '%s'", tok);
			bits = (unsigned)b;
		}
		u128 mask = bits == 0 ? 0 : MAX6 << (128 - bits);
		base &= mask;
		return rset_push(&v->v6, base, base | ~mask);
	}
	return fail(c, "invalid address '%s'", tok);
}

static int parse_port_num(const char *s, const char *end, u128 *out)
{
	unsigned long v = 0;
	if (s == end)
		return -1;
	for (const char *p = s; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 65535)
			return -1;
	}
	*out = v;
	return 0;
}

static int parse_port_literal(struct pctx *c, const char *tok, struct val *v)
{
	const char *colon = strchr(tok, ':');
	const char *end = tok + strlen(tok);
	u128 lo, hi;
	if (!colon) {
		if (parse_port_num(tok, end, &lo) < 0)
			return fail(c, "invalid port '%s'", tok);
		return rset_push(&v->v4, lo, lo);
	}
	if (colon == tok)
		lo = 0;
	else if (parse_port_num(tok, colon, &lo) < 0)
		return fail(c, "invalid port range '%s'", tok);
	if (colon + 1 == end)
		hi = 65535;
	else if (parse_port_num(colon + 1, end, &hi) < 0)
		return fail(c, "invalid port range '%s'", tok);
	if (lo > hi)
		return fail(c, "port range ends before it starts: '%s'", tok);
	return rset_push(&v->v4, lo, hi);
}

static int parse_elem(struct pctx *c, struct val *v, bool *negated);

static int parse_expr_string(struct pctx *c, const char *s, struct val *v, const char *name);

/* list := elem (',' elem)*  ; the caller consumed '[' (or none at top). */
static int parse_list(struct pctx *c, struct val *out, char close)
{
	struct val pos = {0}, neg = {0};
	bool any_pos = false;
	int rc = -1;

	for (;;) {
		struct val e = {0};
		bool negated = false;
		skip_ws(c);
		if (parse_elem(c, &e, &negated) < 0) {
			val_free(&e);
			goto out;
		}
		struct val *dst = negated ? &neg : &pos;
		any_pos |= !negated;
		if (rset_union(&dst->v4, &e.v4) < 0 || rset_union(&dst->v6, &e.v6) < 0) {
			val_free(&e);
			fail(c, "%s", "address or port set too large");
			goto out;
		}
		val_free(&e);
		skip_ws(c);
		char ch = c->s[c->pos];
		if (ch == ',') {
			c->pos++;
			continue;
		}
		if (ch == close) {
			if (close)
				c->pos++;
			break;
		}
		if (close)
			fail(c, "expected ',' or ']' in '%s'", c->s);
		else
			fail(c, "unexpected text in '%s'", c->s);
		goto out;
	}
	if (!any_pos && set_all(c, &pos) < 0)
		goto out;
	if (rset_subtract(&pos.v4, &neg.v4) < 0 || rset_subtract(&pos.v6, &neg.v6) < 0)
		goto out;
	*out = pos;
	memset(&pos, 0, sizeof(pos));
	rc = 0;
out:
	val_free(&pos);
	val_free(&neg);
	return rc;
}

static int parse_elem(struct pctx *c, struct val *v, bool *negated)
{
	if (c->s[c->pos] == '!') {
		c->pos++;
		skip_ws(c);
		bool inner_neg = false;
		struct val in = {0};
		if (parse_elem(c, &in, &inner_neg) < 0) {
			val_free(&in);
			return -1;
		}
		/* !E means the complement of what E means: keep the set, flip the sign. */
		*v = in;
		*negated = !inner_neg;
		return 0;
	}
	if (c->s[c->pos] == '[') {
		if (++c->depth > MAX_DEPTH)
			return fail(c, "%s", "lists nested too deeply");
		c->pos++;
		int rc = parse_list(c, v, ']');
		c->depth--;
		return rc;
	}
	/* a token: up to ',', ']' or whitespace */
	size_t start = c->pos;
	while (c->s[c->pos] && c->s[c->pos] != ',' && c->s[c->pos] != ']' && c->s[c->pos] != '[' &&
	       c->s[c->pos] != ' ' && c->s[c->pos] != '\t')
		c->pos++;
	size_t n = c->pos - start;
	char tok[256];
	if (n == 0)
		return fail(c, "%s", "empty element");
	if (n >= sizeof(tok))
		return fail(c, "%s", "element too long");
	memcpy(tok, c->s + start, n);
	tok[n] = '\0';
	if (!strcasecmp(tok, "any"))
		return set_all(c, v);
	if (tok[0] == '$') {
		const char *val = c->var ? c->var(c->vctx, tok + 1, c->port) : NULL;
		if (!val) {
			c->pos = start;
			return fail(c, "unknown %s variable '%s'", c->port ? "port" : "address",
				    tok);
		}
		if (++c->depth > MAX_DEPTH) {
			c->pos = start;
			return fail(c, "variable '%s' nests too deeply (a loop?)", tok);
		}
		int rc = parse_expr_string(c, val, v, tok);
		c->depth--;
		return rc;
	}
	return c->port ? parse_port_literal(c, tok, v) : parse_ip_literal(c, tok, v);
}

/* A variable's value is parsed as an expression of its own; errors name it. */
static int parse_expr_string(struct pctx *c, const char *s, struct val *v, const char *name)
{
	struct pctx sub = *c;
	sub.s = s;
	sub.pos = 0;
	struct addrset_err e = {0};
	sub.err = &e;
	int rc = parse_list(&sub, v, '\0');
	if (rc < 0 && !c->err->msg[0]) {
		snprintf(c->err->msg, sizeof(c->err->msg), "in %s = \"%.60s\": %.80s", name, s,
			 e.msg);
		c->err->col = (unsigned)c->pos;
	}
	return rc;
}

static int parse_top(struct pctx *c, struct val *v)
{
	skip_ws(c);
	if (!c->s[c->pos])
		return fail(c, "%s", "empty expression");
	return parse_list(c, v, '\0');
}

static bool is_any_expr(const char *e)
{
	return !strcasecmp(e, "any");
}

int ipset_parse(struct ipset *s, const char *expr, addrset_var_fn var, void *vctx,
		struct addrset_err *err)
{
	struct pctx c = {.s = expr, .var = var, .vctx = vctx, .err = err};
	struct val v = {0};
	memset(s, 0, sizeof(*s));
	memset(err, 0, sizeof(*err));
	if (is_any_expr(expr)) {
		s->any = true;
		return 0;
	}
	if (parse_top(&c, &v) < 0) {
		val_free(&v);
		if (!err->msg[0])
			snprintf(err->msg, sizeof(err->msg), "address set too large");
		return -1;
	}
	if (v.v4.n == 0 && v.v6.n == 0) {
		val_free(&v);
		snprintf(err->msg, sizeof(err->msg), "address expression matches nothing");
		return -1;
	}
	s->any = v.v4.n == 1 && v.v4.r[0].lo == 0 && v.v4.r[0].hi == MAX4 && v.v6.n == 1 &&
		 v.v6.r[0].lo == 0 && v.v6.r[0].hi == MAX6;
	s->v4 = v.v4.r;
	s->n4 = v.v4.n;
	s->v6 = v.v6.r;
	s->n6 = v.v6.n;
	return 0;
}

int portset_parse(struct portset *s, const char *expr, addrset_var_fn var, void *vctx,
		  struct addrset_err *err)
{
	struct pctx c = {.s = expr, .port = true, .var = var, .vctx = vctx, .err = err};
	struct val v = {0};
	memset(s, 0, sizeof(*s));
	memset(err, 0, sizeof(*err));
	if (is_any_expr(expr)) {
		s->any = true;
		return 0;
	}
	if (parse_top(&c, &v) < 0) {
		val_free(&v);
		if (!err->msg[0])
			snprintf(err->msg, sizeof(err->msg), "port set too large");
		return -1;
	}
	if (v.v4.n == 0) {
		val_free(&v);
		snprintf(err->msg, sizeof(err->msg), "port expression matches nothing");
		return -1;
	}
	s->any = v.v4.n == 1 && v.v4.r[0].lo == 0 && v.v4.r[0].hi == MAX16;
	s->r = malloc(v.v4.n * sizeof(*s->r));
	if (!s->r) {
		val_free(&v);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	for (uint32_t i = 0; i < v.v4.n; i++) {
		s->r[i].lo = (uint16_t)v.v4.r[i].lo;
		s->r[i].hi = (uint16_t)v.v4.r[i].hi;
	}
	s->n = v.v4.n;
	val_free(&v);
	return 0;
}

void ipset_free(struct ipset *s)
{
	free(s->v4);
	free(s->v6);
	memset(s, 0, sizeof(*s));
}

void portset_free(struct portset *s)
{
	free(s->r);
	memset(s, 0, sizeof(*s));
}

static bool in_ranges(const struct range128 *r, uint32_t n, u128 x)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (x < r[mid].lo)
			hi = mid;
		else if (x > r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

bool ipset_match(const struct ipset *s, const uint8_t *a, int ver)
{
	if (s->any)
		return true;
	if (ver == 4) {
		u128 x = (u128)a[0] << 24 | (u128)a[1] << 16 | (u128)a[2] << 8 | a[3];
		return in_ranges(s->v4, s->n4, x);
	}
	u128 x = 0;
	for (int i = 0; i < 16; i++)
		x = x << 8 | a[i];
	return in_ranges(s->v6, s->n6, x);
}

bool portset_match(const struct portset *s, uint16_t port)
{
	if (s->any)
		return true;
	uint32_t lo = 0, hi = s->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (port < s->r[mid].lo)
			hi = mid;
		else if (port > s->r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

void ipset_format(const struct ipset *s, char *out, size_t outlen)
{
	size_t n = 0;
	if (outlen == 0)
		return;
	out[0] = '\0';
	if (s->any) {
		snprintf(out, outlen, "any");
		return;
	}
	for (uint32_t i = 0; i < s->n4 && n < outlen; i++) {
		uint32_t lo = (uint32_t)s->v4[i].lo, hi = (uint32_t)s->v4[i].hi;
		n += (size_t)snprintf(out + n, outlen - n, "%s%u.%u.%u.%u-%u.%u.%u.%u",
				      n ? ", " : "", lo >> 24, lo >> 16 & 255, lo >> 8 & 255,
				      lo & 255, hi >> 24, hi >> 16 & 255, hi >> 8 & 255, hi & 255);
	}
	if (s->n6 && n < outlen)
		snprintf(out + n, outlen - n, "%s%u IPv6 range(s)", n ? ", " : "", s->n6);
}
