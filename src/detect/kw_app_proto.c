/*
 * kw_app_proto — `app-layer-protocol:[!]NAME`: the flow's detected
 * application protocol (Suricata's names; `failed` = detection gave up).
 */
#include <stdlib.h>

#include "app/alproto.h"
#include "decode/packet.h"
#include "detect/keyword.h"
#include "flow/flow.h"

struct app_proto_ctx {
	uint16_t alproto;
	bool negated;
};

static bool match_app_proto(const struct det_pkt *d, const void *ctx)
{
	const struct app_proto_ctx *c = ctx;
	if (!d->f)
		return false;
	uint16_t ap = d->f->app_proto == ALPROTO_HTTP1 ? ALPROTO_HTTP : d->f->app_proto;
	return (ap == c->alproto) != c->negated;
}

static int setup_app_proto(struct rule_ctx *rc, const char *v)
{
	struct app_proto_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	if (*v == '!') {
		c->negated = true;
		v++;
	}
	c->alproto = alproto_by_name(v);
	if (c->alproto == ALPROTO_UNKNOWN) {
		free(c);
		return kw_fail(rc, KW_ERR, "unknown protocol '%s'", v);
	}
	if (c->alproto == ALPROTO_HTTP1)
		c->alproto = ALPROTO_HTTP;
	rc->r->flags |= RULE_NEED_FLOW;
	return rule_ctx_add_pkt_sm(rc, KW_app_layer_protocol, c);
}

const struct kw_def kw_app_layer_protocol = {"app-layer-protocol", KWF_VALUE, setup_app_proto, free,
					     match_app_proto,	   NULL, 0, NULL, NULL};
