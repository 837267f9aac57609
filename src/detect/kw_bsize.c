/*
 * kw_bsize — `bsize:N|<N|>N|N<>M ...`: the length of the current sticky
 * buffer.
 */
#include <stdlib.h>

#include "detect/keyword.h"
#include "detect/kw_inspect.h"

static int setup_bsize(struct rule_ctx *rc, const char *v)
{
	struct bsize_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	if (ucmp_parse(v, UINT32_MAX, &c->cmp) < 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "expected N, <N, >N, <=N, >=N, !N or N<>M, got '%s'", v);
	}
	if (rule_ctx_add_buffer_sm(rc, KW_bsize, c) < 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "out of memory or too many keywords");
	}
	return KW_OK;
}

const struct kw_def kw_bsize = {"bsize", KWF_VALUE, setup_bsize, free, NULL, NULL, 0, NULL, NULL};
