/*
 * kw_isdataat — `isdataat:[!]N[,relative][,rawbytes]`: is there data at
 * byte N of the buffer (or N bytes past the previous match)?
 */
#include <stdlib.h>
#include <string.h>

#include "detect/content.h"
#include "detect/keyword.h"
#include "detect/kw_inspect.h"

static int setup_isdataat(struct rule_ctx *rc, const char *v)
{
	char buf[128], *p[3];
	int n = kw_split(v, buf, sizeof(buf), p, 3);
	if (n < 1)
		return kw_fail(rc, KW_ERR, "expected [!]N[,relative][,rawbytes]");
	struct isdataat_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	char *num = p[0];
	if (*num == '!') {
		c->negated = true;
		num = kw_trim(num + 1);
	}
	int64_t x;
	c->var = CT_VAR_NONE;
	if (kw_parse_int(num, 0, 65535, &x) == 0) {
		c->n = (uint32_t)x;
	} else {
		for (int i = 0; i < rc->r->n_vars; i++)
			if (!strcmp(rc->r->vars[i], num))
				c->var = (int8_t)i;
		if (c->var == CT_VAR_NONE) {
			free(c);
			return kw_fail(rc, KW_ERR,
				       "expected a number or a byte_extract variable, got '%s'",
				       num);
		}
	}
	for (int i = 1; i < n; i++) {
		if (!strcmp(p[i], "relative")) {
			c->relative = true;
		} else if (!strcmp(p[i], "rawbytes")) {
			/* the payload is always raw here */
		} else {
			free(c);
			return kw_fail(rc, KW_ERR, "unknown option '%s'", p[i]);
		}
	}
	if (rule_ctx_add_buffer_sm(rc, KW_isdataat, c) < 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "out of memory or too many keywords");
	}
	if (c->relative) {
		struct sm_list *l = rule_ctx_buffer_list(rc);
		l->v[l->n - 1].flags |= SM_RELATIVE;
	}
	return KW_OK;
}

const struct kw_def kw_isdataat = {"isdataat", KWF_VALUE, setup_isdataat, free, NULL, NULL, 0, NULL, NULL};
