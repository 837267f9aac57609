/*
 * uintcmp — see uintcmp.h.
 */
#include "detect/uintcmp.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int num(const char **s, uint64_t max, uint64_t *out)
{
	const char *p = *s;
	char *end;
	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	unsigned long long v;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		v = strtoull(p + 2, &end, 16);
	else
		v = strtoull(p, &end, 10);
	if (errno || v > max)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	*out = v;
	*s = end;
	return 0;
}

int ucmp_parse(const char *s, uint64_t max, struct ucmp *out)
{
	memset(out, 0, sizeof(*out));
	while (isspace((unsigned char)*s))
		s++;
	bool neg = false;
	if (*s == '!') {
		neg = true;
		s++;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (s[0] == '<' || s[0] == '>') {
		if (neg)
			return -1;
		bool lt = s[0] == '<';
		bool eq = s[1] == '=';
		s += eq ? 2 : 1;
		if (num(&s, max, &out->a) < 0 || *s)
			return -1;
		out->mode = lt ? (eq ? UCMP_LE : UCMP_LT) : (eq ? UCMP_GE : UCMP_GT);
		return 0;
	}
	if (s[0] == '=')
		s++;
	if (num(&s, max, &out->a) < 0)
		return -1;
	if (!*s) {
		out->mode = neg ? UCMP_NE : UCMP_EQ;
		return 0;
	}
	if (s[0] == '<' && s[1] == '>')
		s += 2;
	else if (s[0] == '-')
		s++;
	else
		return -1;
	if (num(&s, max, &out->b) < 0 || *s || out->b <= out->a)
		return -1;
	out->mode = neg ? UCMP_NRANGE : UCMP_RANGE;
	return 0;
}

bool ucmp_match(const struct ucmp *c, uint64_t v)
{
	switch (c->mode) {
	case UCMP_EQ:
		return v == c->a;
	case UCMP_NE:
		return v != c->a;
	case UCMP_LT:
		return v < c->a;
	case UCMP_LE:
		return v <= c->a;
	case UCMP_GT:
		return v > c->a;
	case UCMP_GE:
		return v >= c->a;
	case UCMP_RANGE:
		return v > c->a && v < c->b;
	default:
		return !(v > c->a && v < c->b);
	}
}
