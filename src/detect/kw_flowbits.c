/*
 * kw_flowbits — named bits kept per flow: `flowbits:set|unset|toggle,NAME`
 * act when the rule matches; `flowbits:isset|isnotset,NAME` are conditions
 * (NAME may be `a|b` — any of — or `a&b` — all of); `flowbits:noalert`.
 * Names are interned to ids shared by the whole ruleset.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/keyword.h"
#include "detect/kw_flowvars.h"
#include "detect/ruleset.h"

static int setup_flowbits(struct rule_ctx *rc, const char *v)
{
	static const char *const ops[] = {"set", "unset", "toggle", "isset", "isnotset"};
	char buf[512], *p[2];
	int n = kw_split(v, buf, sizeof(buf), p, 2);
	if (n == 1 && !strcmp(p[0], "noalert")) {
		rc->r->flags |= RULE_NOALERT;
		return KW_OK;
	}
	if (n != 2)
		return kw_fail(rc, KW_ERR,
			       "expected <set|unset|toggle|isset|isnotset>,NAME or noalert");
	int op = -1;
	for (int i = 0; i < 5; i++)
		if (!strcmp(p[0], ops[i]))
			op = i;
	if (op < 0)
		return kw_fail(rc, KW_ERR, "unknown operation '%s'", p[0]);
	struct flowbits_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	c->op = (uint8_t)op;
	char *names = p[1];
	bool has_or = strchr(names, '|') != NULL, has_and = strchr(names, '&') != NULL;
	if (has_or && has_and) {
		free(c);
		return kw_fail(rc, KW_ERR, "'|' and '&' cannot be mixed");
	}
	if ((has_or || has_and) && op != FB_ISSET && op != FB_ISNOTSET && !has_and) {
		free(c);
		return kw_fail(rc, KW_ERR, "'|' only works with isset and isnotset");
	}
	c->any = has_or;
	char *save = NULL;
	for (char *t = strtok_r(names, "|&", &save); t; t = strtok_r(NULL, "|&", &save)) {
		t = kw_trim(t);
		if (!*t || strchr(t, ' ')) {
			free(c);
			return kw_fail(rc, KW_ERR, "invalid flowbit name '%s'", t);
		}
		if (c->n == FLOWBITS_MAX_NAMES) {
			free(c);
			return kw_fail(rc, KW_ERR, "more than %d names", FLOWBITS_MAX_NAMES);
		}
		int id = name_table_intern(&rc->rs->flowbits, t);
		if (id < 0) {
			free(c);
			return kw_fail(rc, KW_ERR, "too many flowbit names");
		}
		c->ids[c->n++] = (uint32_t)id;
	}
	if (c->n == 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "no flowbit name");
	}
	rc->r->flags |= RULE_NEED_FLOW;
	if (op == FB_ISSET || op == FB_ISNOTSET)
		return rule_ctx_add_pkt_sm(rc, KW_flowbits, c);
	if (sm_list_add(&rc->r->post, KW_flowbits, c) < 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "out of memory or too many keywords");
	}
	return KW_OK;
}

const struct kw_def kw_flowbits = {"flowbits", KWF_VALUE,      setup_flowbits,
				   free,       flowbits_match, NULL, 0, NULL, NULL};
