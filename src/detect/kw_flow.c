/*
 * kw_flow — `flow:` options, which become rule flags the engine checks
 * before anything else: established, not_established, stateless,
 * to_server / from_client, to_client / from_server, only_stream, no_stream,
 * only_frag, no_frag.
 */
#include <string.h>

#include "detect/keyword.h"

static const struct {
	const char *name;
	uint32_t flag;
} opts[] = {
    {"established", RULE_ESTABLISHED}, {"not_established", RULE_NOT_EST},
    {"stateless", RULE_STATELESS},     {"to_server", RULE_TOSERVER},
    {"from_client", RULE_TOSERVER},    {"to_client", RULE_TOCLIENT},
    {"from_server", RULE_TOCLIENT},    {"only_stream", RULE_ONLY_STREAM},
    {"no_stream", RULE_NO_STREAM},     {"only_frag", RULE_FLOW_ONLY_FRAG},
    {"no_frag", RULE_FLOW_NO_FRAG},
};

static int setup_flow(struct rule_ctx *rc, const char *v)
{
	char buf[256], *p[8];
	int n = kw_split(v, buf, sizeof(buf), p, 8);
	if (n < 1)
		return kw_fail(rc, KW_ERR, "too many options");
	uint32_t f = 0;
	for (int i = 0; i < n; i++) {
		uint32_t one = 0;
		for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
			if (!strcmp(p[i], opts[k].name))
				one = opts[k].flag;
		if (!one)
			return kw_fail(rc, KW_ERR, "unknown option '%s'", p[i]);
		if (f & one)
			return kw_fail(rc, KW_ERR, "'%s' given twice", p[i]);
		f |= one;
	}
	if ((f & RULE_TOSERVER) && (f & RULE_TOCLIENT))
		return kw_fail(rc, KW_ERR, "to_server and to_client together");
	if ((f & RULE_ESTABLISHED) && (f & (RULE_NOT_EST | RULE_STATELESS)))
		return kw_fail(rc, KW_ERR, "established with not_established or stateless");
	if ((f & RULE_ONLY_STREAM) && (f & RULE_NO_STREAM))
		return kw_fail(rc, KW_ERR, "only_stream and no_stream together");
	if ((f & RULE_FLOW_ONLY_FRAG) && (f & RULE_FLOW_NO_FRAG))
		return kw_fail(rc, KW_ERR, "only_frag and no_frag together");
	rc->r->flags |= f;
	if (!(f & RULE_STATELESS))
		rc->r->flags |= RULE_NEED_FLOW;
	return KW_OK;
}

const struct kw_def kw_flow = {"flow", KWF_VALUE, setup_flow, NULL, NULL, NULL, 0, NULL, NULL};
