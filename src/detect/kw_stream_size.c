/*
 * kw_stream_size — `stream_size:<server|client|both|either>,<op>,<N>`:
 * bytes the server or client has sent so far in a tracked TCP session
 * (sequence space from the initial sequence number), compared with
 * >, <, =, !=, >=, <=.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/packet.h"
#include "detect/keyword.h"
#include "detect/uintcmp.h"
#include "flow/flow.h"

enum { SS_SERVER, SS_CLIENT, SS_BOTH, SS_EITHER };

struct stream_size_ctx {
	uint8_t which;
	struct ucmp cmp;
};

static uint64_t sent(const struct tcp_stream *s)
{
	if (!(s->flags & TS_BASE_SET))
		return 0;
	return (uint32_t)(s->next_seq - s->isn);
}

static bool match_stream_size(const struct det_pkt *d, const void *ctx)
{
	const struct stream_size_ctx *c = ctx;
	if (!d->f || d->f->proto != 6 || !(d->f->tcp.flags & TCPS_TRACKED))
		return false;
	bool cl = ucmp_match(&c->cmp, sent(&d->f->tcp.s[0]));
	bool sv = ucmp_match(&c->cmp, sent(&d->f->tcp.s[1]));
	switch (c->which) {
	case SS_SERVER:
		return sv;
	case SS_CLIENT:
		return cl;
	case SS_BOTH:
		return sv && cl;
	default:
		return sv || cl;
	}
}

static int setup_stream_size(struct rule_ctx *rc, const char *v)
{
	static const char *const names[] = {"server", "client", "both", "either"};
	char buf[128], *p[3], expr[64];
	if (kw_split(v, buf, sizeof(buf), p, 3) != 3)
		return kw_fail(rc, KW_ERR, "expected <server|client|both|either>,<op>,<N>");
	struct stream_size_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	int w = -1;
	for (int i = 0; i < 4; i++)
		if (!strcmp(p[0], names[i]))
			w = i;
	const char *op = p[1];
	if (!strcmp(op, "!="))
		op = "!";
	else if (!strcmp(op, "=") || !strcmp(op, "=="))
		op = "";
	snprintf(expr, sizeof(expr), "%s%s", op, p[2]);
	if (w < 0 || ucmp_parse(expr, UINT32_MAX, &c->cmp) < 0 ||
	    (p[1][0] != '<' && p[1][0] != '>' && p[1][0] != '=' && strcmp(p[1], "!="))) {
		free(c);
		return kw_fail(rc, KW_ERR,
			       "expected <server|client|both|either>,<op>,<N>, got '%s'", v);
	}
	c->which = (uint8_t)w;
	rc->r->flags |= RULE_NEED_FLOW;
	return rule_ctx_add_pkt_sm(rc, KW_stream_size, c);
}

const struct kw_def kw_stream_size = {"stream_size", KWF_VALUE,		setup_stream_size,
				      free,	     match_stream_size, NULL, 0, NULL, NULL};
