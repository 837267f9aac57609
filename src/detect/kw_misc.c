/*
 * kw_misc — keywords that only set a rule property: noalert, tag (accepted
 * and counted; tagging packets after an alert is not done).
 */
#include "detect/keyword.h"
#include "detect/ruleset.h"

static int setup_noalert(struct rule_ctx *rc, const char *v)
{
	(void)v;
	rc->r->flags |= RULE_NOALERT;
	return KW_OK;
}

static int setup_tag(struct rule_ctx *rc, const char *v)
{
	(void)v;
	rc->rs->n_tagged++;
	return KW_OK;
}

const struct kw_def kw_noalert = {"noalert", KWF_NOVALUE, setup_noalert, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_tag = {"tag", KWF_VALUE, setup_tag, NULL, NULL, NULL, 0, NULL, NULL};
