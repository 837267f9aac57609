/*
 * kw_ip — IP header keywords: ttl, tos, id, ipopts, sameip, ip_proto,
 * fragbits, fragoffset. IPv4 fields are read from the header through the
 * bounds-checked reader; on IPv6, ttl is the hop limit and tos the traffic
 * class.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netdb.h>

#include "decode/packet.h"
#include "detect/keyword.h"
#include "detect/uintcmp.h"

static bool match_ttl(const struct det_pkt *d, const void *ctx)
{
	return d->p->ip_ver && ucmp_match(ctx, d->p->ttl);
}

static int setup_ttl(struct rule_ctx *rc, const char *v)
{
	return kw_setup_ucmp(rc, v, 255, KW_ttl);
}

static uint8_t tos_of(const struct packet *p)
{
	if (p->ip_ver == 4)
		return rd_u8(p->raw, p->l3_off + 1);
	/* IPv6: traffic class spans the first two bytes */
	return (uint8_t)(rd_be16(p->raw, p->l3_off) >> 4);
}

struct tos_ctx {
	uint8_t tos;
	bool negated;
};

static bool match_tos(const struct det_pkt *d, const void *ctx)
{
	const struct tos_ctx *c = ctx;
	if (!d->p->ip_ver)
		return false;
	return (tos_of(d->p) == c->tos) != c->negated;
}

static int setup_tos(struct rule_ctx *rc, const char *v)
{
	uint32_t n;
	bool neg;
	if (kw_parse_neg_num(rc, v, 255, &n, &neg))
		return KW_ERR;
	struct tos_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	c->tos = (uint8_t)n;
	c->negated = neg;
	return rule_ctx_add_pkt_sm(rc, KW_tos, c);
}

static bool match_id(const struct det_pkt *d, const void *ctx)
{
	return d->p->ip_ver == 4 && ucmp_match(ctx, rd_be16(d->p->raw, d->p->l3_off + 4));
}

static int setup_id(struct rule_ctx *rc, const char *v)
{
	return kw_setup_ucmp(rc, v, 65535, KW_id);
}

/* ipopts: one option name; `any` = the header has options. */
static const struct {
	const char *name;
	uint8_t type;
} ipopt_names[] = {
    {"eol", 0},	   {"nop", 1},	  {"rr", 7},	 {"ts", 68},	 {"sec", 130},
    {"esec", 133}, {"lsrr", 131}, {"ssrr", 137}, {"satid", 136}, {"any", 255},
};

static bool match_ipopts(const struct det_pkt *d, const void *ctx)
{
	const struct packet *p = d->p;
	uint8_t want = *(const uint8_t *)ctx;
	if (p->ip_ver != 4)
		return false;
	uint32_t ihl = (uint32_t)(rd_u8(p->raw, p->l3_off) & 15) * 4;
	if (ihl <= 20)
		return false;
	if (want == 255)
		return true;
	for (uint32_t o = 20; o < ihl;) {
		uint8_t t = rd_u8(p->raw, p->l3_off + o);
		if (t == want)
			return true;
		if (t == 0)
			break;
		if (t == 1) {
			o++;
			continue;
		}
		uint8_t l = rd_u8(p->raw, p->l3_off + o + 1);
		if (l < 2)
			break;
		o += l;
	}
	return false;
}

static int setup_ipopts(struct rule_ctx *rc, const char *v)
{
	for (size_t i = 0; i < sizeof(ipopt_names) / sizeof(ipopt_names[0]); i++) {
		if (!strcmp(v, ipopt_names[i].name)) {
			uint8_t *c = malloc(1);
			if (!c)
				return kw_fail(rc, KW_ERR, "out of memory");
			*c = ipopt_names[i].type;
			return rule_ctx_add_pkt_sm(rc, KW_ipopts, c);
		}
	}
	return kw_fail(rc, KW_ERR,
		       "unknown option '%s' (rr eol nop ts sec esec lsrr ssrr satid any)", v);
}

static bool match_sameip(const struct det_pkt *d, const void *ctx)
{
	(void)ctx;
	return d->p->ip_ver && !memcmp(&d->p->src, &d->p->dst, sizeof(d->p->src));
}

static int setup_sameip(struct rule_ctx *rc, const char *v)
{
	(void)v;
	return rule_ctx_add_pkt_sm(rc, KW_sameip, NULL);
}

static bool match_ip_proto(const struct det_pkt *d, const void *ctx)
{
	return d->p->ip_ver && ucmp_match(ctx, d->p->proto);
}

static int setup_ip_proto(struct rule_ctx *rc, const char *v)
{
	/* a protocol name (tcp, udp, ...) stands for its number */
	const char *name = v[0] == '!' ? v + 1 : v;
	if (name[0] && (name[0] < '0' || name[0] > '9') && name[0] != '<' && name[0] != '>') {
		struct protoent pe, *res = NULL;
		char buf[1024];
		if (getprotobyname_r(name, &pe, buf, sizeof(buf), &res) != 0 || !res)
			return kw_fail(rc, KW_ERR, "unknown protocol '%s'", name);
		char num[16];
		snprintf(num, sizeof(num), "%s%d", v[0] == '!' ? "!" : "", res->p_proto);
		return kw_setup_ucmp(rc, num, 255, KW_ip_proto);
	}
	return kw_setup_ucmp(rc, v, 255, KW_ip_proto);
}

/* fragbits:[+*!]<MDR>[,mask] */
struct fragbits_ctx {
	uint8_t bits, mask;
	char mod;
};

static bool match_fragbits(const struct det_pkt *d, const void *ctx)
{
	const struct fragbits_ctx *c = ctx;
	if (d->p->ip_ver != 4)
		return false;
	uint8_t f = (uint8_t)(rd_u8(d->p->raw, d->p->l3_off + 6) >> 5) & (uint8_t)~c->mask;
	switch (c->mod) {
	case '+':
		return (f & c->bits) == c->bits;
	case '*':
		return (f & c->bits) != 0;
	case '!':
		return (f & c->bits) == 0;
	default:
		return f == c->bits;
	}
}

static int frag_letters(const char *s, uint8_t *out)
{
	*out = 0;
	for (; *s; s++) {
		switch (*s) {
		case 'M':
			*out |= 1;
			break; /* more fragments */
		case 'D':
			*out |= 2;
			break; /* don't fragment */
		case 'R':
			*out |= 4;
			break; /* reserved */
		case ' ':
			break;
		default:
			return -1;
		}
	}
	return 0;
}

static int setup_fragbits(struct rule_ctx *rc, const char *v)
{
	char buf[64], *p[2];
	int n = kw_split(v, buf, sizeof(buf), p, 2);
	struct fragbits_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	char *b = n >= 1 ? p[0] : NULL;
	if (b && (*b == '+' || *b == '*' || *b == '!'))
		c->mod = *b++;
	size_t bl = b ? strlen(b) : 0;
	if (bl > 1 && !c->mod && (b[bl - 1] == '+' || b[bl - 1] == '*' || b[bl - 1] == '!')) {
		c->mod = b[bl - 1]; /* Snort style: "M+" */
		b[bl - 1] = '\0';
	}
	if (!b || !*b || frag_letters(b, &c->bits) < 0 ||
	    (n == 2 && frag_letters(p[1], &c->mask) < 0)) {
		free(c);
		return kw_fail(rc, KW_ERR, "expected [+*!]<M|D|R...>[,mask], got '%s'", v);
	}
	return rule_ctx_add_pkt_sm(rc, KW_fragbits, c);
}

static bool match_fragoffset(const struct det_pkt *d, const void *ctx)
{
	if (d->p->ip_ver != 4)
		return false;
	uint16_t off = (uint16_t)((rd_be16(d->p->raw, d->p->l3_off + 6) & 0x1fff) * 8);
	return ucmp_match(ctx, off);
}

static int setup_fragoffset(struct rule_ctx *rc, const char *v)
{
	return kw_setup_ucmp(rc, v, 65535, KW_fragoffset);
}

const struct kw_def kw_ttl = {"ttl", KWF_VALUE, setup_ttl, free, match_ttl, NULL, 0, NULL, NULL};
const struct kw_def kw_tos = {"tos", KWF_VALUE, setup_tos, free, match_tos, NULL, 0, NULL, NULL};
const struct kw_def kw_id = {"id", KWF_VALUE, setup_id, free, match_id, NULL, 0, NULL, NULL};
const struct kw_def kw_ipopts = {"ipopts", KWF_VALUE, setup_ipopts, free, match_ipopts, NULL, 0, NULL, NULL};
const struct kw_def kw_sameip = {"sameip", KWF_NOVALUE, setup_sameip, NULL, match_sameip, NULL, 0, NULL, NULL};
const struct kw_def kw_ip_proto = {"ip_proto", KWF_VALUE,      setup_ip_proto,
				   free,       match_ip_proto, NULL, 0, NULL, NULL};
const struct kw_def kw_fragbits = {"fragbits", KWF_VALUE,      setup_fragbits,
				   free,       match_fragbits, NULL, 0, NULL, NULL};
const struct kw_def kw_fragoffset = {"fragoffset", KWF_VALUE,	     setup_fragoffset,
				     free,	   match_fragoffset, NULL, 0, NULL, NULL};
