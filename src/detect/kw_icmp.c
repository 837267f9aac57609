/*
 * kw_icmp — ICMP keywords: itype, icode (comparisons), icmp_id and icmp_seq
 * (the identifier and sequence of echo and the other query messages, for
 * ICMPv4 and ICMPv6).
 */
#include <stdlib.h>

#include "decode/packet.h"
#include "detect/keyword.h"
#include "detect/uintcmp.h"

static bool is_icmp(const struct packet *p)
{
	return (p->proto == 1 || p->proto == 58) && (p->flags & PKT_L4_OK);
}

static bool match_itype(const struct det_pkt *d, const void *ctx)
{
	return is_icmp(d->p) && ucmp_match(ctx, d->p->icmp_type);
}

static bool match_icode(const struct det_pkt *d, const void *ctx)
{
	return is_icmp(d->p) && ucmp_match(ctx, d->p->icmp_code);
}

static int setup_itype(struct rule_ctx *rc, const char *v)
{
	return kw_setup_ucmp(rc, v, 255, KW_itype);
}

static int setup_icode(struct rule_ctx *rc, const char *v)
{
	return kw_setup_ucmp(rc, v, 255, KW_icode);
}

/* Messages that carry an identifier and a sequence number. */
static bool has_id_seq(const struct packet *p)
{
	uint8_t t = p->icmp_type;
	if (p->proto == 1)
		return t == 0 || t == 8 || t == 13 || t == 14 || t == 15 || t == 16 || t == 17 ||
		       t == 18;
	return t == 128 || t == 129;
}

struct icmp_field_ctx {
	uint16_t v;
	bool negated;
};

static bool match_field(const struct det_pkt *d, const void *ctx, uint32_t off)
{
	const struct icmp_field_ctx *c = ctx;
	const struct packet *p = d->p;
	if (!is_icmp(p) || !has_id_seq(p) || !rd_has(p->raw, p->l4_off + off, 2))
		return false;
	return (rd_be16(p->raw, p->l4_off + off) == c->v) != c->negated;
}

static bool match_icmp_id(const struct det_pkt *d, const void *ctx)
{
	return match_field(d, ctx, 4);
}

static bool match_icmp_seq(const struct det_pkt *d, const void *ctx)
{
	return match_field(d, ctx, 6);
}

static int setup_field(struct rule_ctx *rc, const char *v, uint16_t kw)
{
	uint32_t n;
	bool neg;
	if (kw_parse_neg_num(rc, v, 65535, &n, &neg))
		return KW_ERR;
	struct icmp_field_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	c->v = (uint16_t)n;
	c->negated = neg;
	return rule_ctx_add_pkt_sm(rc, kw, c);
}

static int setup_icmp_id(struct rule_ctx *rc, const char *v)
{
	return setup_field(rc, v, KW_icmp_id);
}

static int setup_icmp_seq(struct rule_ctx *rc, const char *v)
{
	return setup_field(rc, v, KW_icmp_seq);
}

const struct kw_def kw_itype = {"itype", KWF_VALUE, setup_itype, free, match_itype, NULL, 0, NULL, NULL};
const struct kw_def kw_icode = {"icode", KWF_VALUE, setup_icode, free, match_icode, NULL, 0, NULL, NULL};
const struct kw_def kw_icmp_id = {"icmp_id", KWF_VALUE, setup_icmp_id, free, match_icmp_id, NULL, 0, NULL, NULL};
const struct kw_def kw_icmp_seq = {"icmp_seq", KWF_VALUE,      setup_icmp_seq,
				   free,       match_icmp_seq, NULL, 0, NULL, NULL};
