/*
 * kw_dsize — `dsize:N|<N|>N|N<>M ...`: the payload size of the packet. A
 * rule with dsize inspects packets, not the reassembled stream.
 */
#include <stdlib.h>

#include "decode/packet.h"
#include "detect/keyword.h"
#include "detect/uintcmp.h"

static bool match_dsize(const struct det_pkt *d, const void *ctx)
{
	const struct ucmp *c = ctx;
	/* Suricata requires a payload for `dsize:!N` (its rule masks treat every
	 * form but < and <= as needing one), so !N never matches an empty packet. */
	if (c->mode == UCMP_NE && d->p->payload_len == 0)
		return false;
	return ucmp_match(c, d->p->payload_len);
}

static int setup_dsize(struct rule_ctx *rc, const char *v)
{
	rc->r->flags |= RULE_NEED_PACKET;
	return kw_setup_ucmp(rc, v, 65535, KW_dsize);
}

const struct kw_def kw_dsize = {"dsize", KWF_VALUE, setup_dsize, free, match_dsize, NULL, 0, NULL, NULL};
