/*
 * kw_tcp — TCP header keywords: flags, seq, ack, window, tcp.mss.
 *
 * flags:[!|*|+]<FSRPAUCE0 12>[,<ignored>]: without a modifier the flags
 * (minus the ignored ones) must be exactly those listed; '+' all of them and
 * maybe others; '*' any of them; '!' not all of them (Suricata's reading).
 * '0' is no flag; '1'/'C' is CWR and '2'/'E' ECE.
 */
#include <stdlib.h>
#include <string.h>

#include "decode/packet.h"
#include "detect/keyword.h"
#include "detect/uintcmp.h"

struct flags_ctx {
	uint8_t flags, ignore;
	char mod;
};

static int flag_bits(const char *s, uint8_t *out, bool *zero)
{
	*out = 0;
	for (; *s; s++) {
		switch (*s) {
		case 'F':
		case 'f':
			*out |= TH_FIN;
			break;
		case 'S':
		case 's':
			*out |= TH_SYN;
			break;
		case 'R':
		case 'r':
			*out |= TH_RST;
			break;
		case 'P':
		case 'p':
			*out |= TH_PSH;
			break;
		case 'A':
		case 'a':
			*out |= TH_ACK;
			break;
		case 'U':
		case 'u':
			*out |= TH_URG;
			break;
		case 'C':
		case 'c':
		case '1':
			*out |= TH_CWR;
			break;
		case 'E':
		case 'e':
		case '2':
			*out |= TH_ECE;
			break;
		case '0':
			if (zero)
				*zero = true;
			break;
		case ' ':
			break;
		default:
			return -1;
		}
	}
	return 0;
}

static bool match_flags(const struct det_pkt *d, const void *ctx)
{
	const struct flags_ctx *c = ctx;
	if (d->p->proto != 6 || !(d->p->flags & PKT_L4_OK))
		return false;
	uint8_t f = d->p->tcp_flags & (uint8_t)~c->ignore;
	switch (c->mod) {
	case '+':
		return (f & c->flags) == c->flags;
	case '*':
		return (f & c->flags) != 0;
	case '!':
		return (f & c->flags) != c->flags;
	default:
		return f == c->flags;
	}
}

static int setup_flags(struct rule_ctx *rc, const char *v)
{
	char buf[64], *p[2];
	int n = kw_split(v, buf, sizeof(buf), p, 2);
	struct flags_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	char *s = n >= 1 ? p[0] : NULL;
	bool zero = false;
	/* the modifier may come first or last ("S+" is accepted as in Snort) */
	if (s && (*s == '!' || *s == '*' || *s == '+'))
		c->mod = *s++;
	size_t l = s ? strlen(s) : 0;
	if (l && (s[l - 1] == '*' || s[l - 1] == '+' || s[l - 1] == '!') && !c->mod) {
		c->mod = s[l - 1];
		s[l - 1] = '\0';
	}
	if (!s || !*s || flag_bits(s, &c->flags, &zero) < 0 || (zero && c->flags) ||
	    (n == 2 && flag_bits(p[1], &c->ignore, NULL) < 0)) {
		free(c);
		return kw_fail(rc, KW_ERR,
			       "expected [!*+]<FSRPAUCE12 or 0>[,ignored flags], got '%s'", v);
	}
	return rule_ctx_add_pkt_sm(rc, KW_flags, c);
}

struct u32eq_ctx {
	uint32_t v;
	bool negated;
};

static int setup_u32eq(struct rule_ctx *rc, const char *v, uint16_t kw, int64_t max)
{
	uint32_t n;
	bool neg;
	if (kw_parse_neg_num(rc, v, max, &n, &neg))
		return KW_ERR;
	struct u32eq_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	c->v = n;
	c->negated = neg;
	return rule_ctx_add_pkt_sm(rc, kw, c);
}

static bool is_tcp(const struct packet *p)
{
	return p->proto == 6 && (p->flags & PKT_L4_OK);
}

static bool match_seq(const struct det_pkt *d, const void *ctx)
{
	const struct u32eq_ctx *c = ctx;
	return is_tcp(d->p) && (d->p->tcp_seq == c->v) != c->negated;
}

static bool match_ack(const struct det_pkt *d, const void *ctx)
{
	const struct u32eq_ctx *c = ctx;
	return is_tcp(d->p) && (d->p->tcp_ack == c->v) != c->negated;
}

static bool match_window(const struct det_pkt *d, const void *ctx)
{
	const struct u32eq_ctx *c = ctx;
	return is_tcp(d->p) && (d->p->tcp_win == c->v) != c->negated;
}

static int setup_seq(struct rule_ctx *rc, const char *v)
{
	return setup_u32eq(rc, v, KW_seq, UINT32_MAX);
}

static int setup_ack(struct rule_ctx *rc, const char *v)
{
	return setup_u32eq(rc, v, KW_ack, UINT32_MAX);
}

static int setup_window(struct rule_ctx *rc, const char *v)
{
	return setup_u32eq(rc, v, KW_window, 65535);
}

static bool match_mss(const struct det_pkt *d, const void *ctx)
{
	return is_tcp(d->p) && d->p->tcpo.has_mss && ucmp_match(ctx, d->p->tcpo.mss);
}

static int setup_mss(struct rule_ctx *rc, const char *v)
{
	return kw_setup_ucmp(rc, v, 65535, KW_tcp_mss);
}

bool flags_required(const void *ctx, uint8_t *mask, uint8_t *want)
{
	const struct flags_ctx *c = ctx;
	if (c->mod == '+') {
		*mask = c->flags;
		*want = c->flags;
		return true;
	}
	if (c->mod == 0) {
		*mask = (uint8_t)~c->ignore;
		*want = c->flags;
		return true;
	}
	return false;
}

const struct kw_def kw_flags = {"flags", KWF_VALUE, setup_flags, free, match_flags, NULL, 0, NULL, NULL};
const struct kw_def kw_seq = {"seq", KWF_VALUE, setup_seq, free, match_seq, NULL, 0, NULL, NULL};
const struct kw_def kw_ack = {"ack", KWF_VALUE, setup_ack, free, match_ack, NULL, 0, NULL, NULL};
const struct kw_def kw_window = {"window", KWF_VALUE, setup_window, free, match_window, NULL, 0, NULL, NULL};
const struct kw_def kw_tcp_mss = {"tcp.mss", KWF_VALUE, setup_mss, free, match_mss, NULL, 0, NULL, NULL};
