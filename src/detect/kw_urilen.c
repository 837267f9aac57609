/*
 * kw_urilen — `urilen:N|<N|>N|N<>M[,norm|raw]`: the length of the HTTP
 * request URI (normalised by default), as a size check on http.uri or
 * http.uri.raw.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/buffers.h"
#include "detect/keyword.h"
#include "detect/kw_inspect.h"

static int setup_urilen(struct rule_ctx *rc, const char *v)
{
	char buf[64], *p[2];
	int n = kw_split(v, buf, sizeof(buf), p, 2);
	unsigned b = BUF_HTTP_URI;
	if (n == 2 && !strcmp(p[1], "raw"))
		b = BUF_HTTP_URI_RAW;
	else if (n == 2 && strcmp(p[1], "norm"))
		return kw_fail(rc, KW_ERR, "expected norm or raw, got '%s'", p[1]);
	if (n < 1)
		return kw_fail(rc, KW_ERR, "expected N, <N, >N or N<>M");
	struct bsize_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	if (ucmp_parse(p[0], UINT32_MAX, &c->cmp) < 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "expected N, <N, >N or N<>M, got '%s'", p[0]);
	}
	int rcode = rule_ctx_bind_buffer(rc, b);
	if (rcode) {
		free(c);
		return rcode;
	}
	int saved = rc->cur_buf;
	if (rule_ctx_select_buffer(rc, b) < 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "too many buffers in one rule");
	}
	/* the same check as bsize, on the URI buffer */
	int r = sm_list_add(&rc->r->bufs[rc->cur_buf].sms, KW_bsize, c);
	rc->cur_buf = saved;
	if (r < 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "out of memory");
	}
	return KW_OK;
}

const struct kw_def kw_urilen = {"urilen", KWF_VALUE, setup_urilen, NULL, NULL, NULL, 0, NULL, NULL};
