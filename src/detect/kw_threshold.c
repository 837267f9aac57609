/*
 * kw_threshold — `threshold:type limit|threshold|both, track
 * by_src|by_dst|by_rule|by_both, count N, seconds N` and
 * `detection_filter:track ..., count N, seconds N` (also by_flow). The
 * settings go to the rule's post-match list; the engine keeps the counts.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/keyword.h"
#include "detect/kw_threshold.h"

static int parse(struct rule_ctx *rc, const char *v, bool filter)
{
	static const char *const types[] = {"limit", "threshold", "both"};
	static const char *const tracks[] = {"by_src", "by_dst", "by_rule", "by_both", "by_flow"};
	char buf[256], *p[4];
	int n = kw_split(v, buf, sizeof(buf), p, 4);
	if (n != (filter ? 3 : 4))
		return kw_fail(rc, KW_ERR,
			       filter ? "expected track X, count N, seconds N"
				      : "expected type X, track X, count N, seconds N");
	struct threshold_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	int have = 0, type = filter ? THR_DETECTION_FILTER : -1, track = -1;
	for (int i = 0; i < n; i++) {
		char *sp = strpbrk(p[i], " \t");
		if (!sp)
			goto bad;
		*sp = '\0';
		char *val = kw_trim(sp + 1);
		int64_t x;
		if (!strcmp(p[i], "type") && !filter) {
			for (int k = 0; k < 3; k++)
				if (!strcmp(val, types[k]))
					type = k;
			have |= 1;
		} else if (!strcmp(p[i], "track")) {
			for (int k = 0; k < (filter ? 5 : 4); k++)
				if (!strcmp(val, tracks[k]))
					track = k;
			have |= 2;
		} else if (!strcmp(p[i], "count") && kw_parse_int(val, 1, UINT32_MAX, &x) == 0) {
			c->count = (uint32_t)x;
			have |= 4;
		} else if (!strcmp(p[i], "seconds") && kw_parse_int(val, 1, UINT32_MAX, &x) == 0) {
			c->seconds = (uint32_t)x;
			have |= 8;
		} else {
			goto bad;
		}
	}
	if (type < 0 || track < 0 || (have & 14) != 14)
		goto bad;
	c->type = (uint8_t)type;
	c->track = (uint8_t)track;
	for (uint16_t i = 0; i < rc->r->post.n; i++) {
		const struct threshold_ctx *o = rc->r->post.v[i].ctx;
		if ((rc->r->post.v[i].kw == KW_threshold ||
		     rc->r->post.v[i].kw == KW_detection_filter) &&
		    (o->type == THR_DETECTION_FILTER) == filter) {
			free(c);
			return kw_fail(rc, KW_ERR, "given twice in one rule");
		}
	}
	if (sm_list_add(&rc->r->post, filter ? KW_detection_filter : KW_threshold, c) < 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "out of memory");
	}
	return KW_OK;
bad:
	free(c);
	return kw_fail(rc, KW_ERR, "invalid settings '%s'", v);
}

static int setup_threshold(struct rule_ctx *rc, const char *v)
{
	return parse(rc, v, false);
}

static int setup_detection_filter(struct rule_ctx *rc, const char *v)
{
	return parse(rc, v, true);
}

const struct kw_def kw_threshold = {"threshold", KWF_VALUE, setup_threshold, free, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_detection_filter = {
    "detection_filter", KWF_VALUE, setup_detection_filter, free, NULL, NULL, 0, NULL, NULL};
