/*
 * kw_meta — the rule's identity and description: msg, sid, rev, gid,
 * classtype, priority, reference, metadata, target. None of them inspects
 * traffic; they shape the alert record.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/keyword.h"
#include "detect/ruleset.h"

static int setup_msg(struct rule_ctx *rc, const char *v)
{
	char *m = strdup(v);
	if (!m)
		return kw_fail(rc, KW_ERR, "out of memory");
	free(rc->r->msg);
	rc->r->msg = m;
	return KW_OK;
}

static int set_u32(struct rule_ctx *rc, const char *v, uint32_t min, uint32_t *out)
{
	int64_t n;
	if (kw_parse_int(v, min, UINT32_MAX, &n) < 0)
		return kw_fail(rc, KW_ERR, "expected a number from %u to 4294967295, got '%s'", min,
			       v);
	*out = (uint32_t)n;
	return KW_OK;
}

static int setup_sid(struct rule_ctx *rc, const char *v)
{
	return set_u32(rc, v, 1, &rc->r->sid);
}

static int setup_rev(struct rule_ctx *rc, const char *v)
{
	return set_u32(rc, v, 0, &rc->r->rev);
}

static int setup_gid(struct rule_ctx *rc, const char *v)
{
	return set_u32(rc, v, 0, &rc->r->gid);
}

static int setup_classtype(struct rule_ctx *rc, const char *v)
{
	uint16_t c = ruleset_classtype(rc->rs, v);
	if (!c)
		return kw_fail(rc, KW_ERR, "unknown classtype '%s'", v);
	rc->r->classtype = c;
	return KW_OK;
}

static int setup_priority(struct rule_ctx *rc, const char *v)
{
	int64_t n;
	if (kw_parse_int(v, 1, 255, &n) < 0)
		return kw_fail(rc, KW_ERR, "expected a priority from 1 to 255, got '%s'", v);
	rc->r->priority = (uint8_t)n;
	return KW_OK;
}

static int setup_reference(struct rule_ctx *rc, const char *v)
{
	struct rule *r = rc->r;
	const char *comma = strchr(v, ',');
	if (!comma || comma == v || !comma[1])
		return kw_fail(rc, KW_ERR, "expected 'system,id', got '%s'", v);
	if (r->n_refs >= 64)
		return kw_fail(rc, KW_ERR, "more than 64 references");
	struct rule_ref *nr = realloc(r->refs, (r->n_refs + 1u) * sizeof(*nr));
	if (!nr)
		return kw_fail(rc, KW_ERR, "out of memory");
	r->refs = nr;
	char *sys = strndup(v, (size_t)(comma - v));
	char *val = strdup(comma + 1);
	if (!sys || !val) {
		free(sys);
		free(val);
		return kw_fail(rc, KW_ERR, "out of memory");
	}
	char *t = kw_trim(sys);
	memmove(sys, t, strlen(t) + 1);
	nr[r->n_refs].system = sys;
	nr[r->n_refs].value = val;
	r->n_refs++;
	/* Suricata rejects unknown systems; mamori keeps the rule and counts them */
	if (!ruleset_refsys_known(rc->rs, sys))
		rc->rs->n_unknown_refs++;
	return KW_OK;
}

/* metadata: key value, key value, ... (a value may hold blanks). */
static int setup_metadata(struct rule_ctx *rc, const char *v)
{
	struct rule *r = rc->r;
	char *copy = strdup(v);
	if (!copy)
		return kw_fail(rc, KW_ERR, "out of memory");
	int rcode = KW_OK;
	char *save = NULL;
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		item = kw_trim(item);
		if (!*item)
			continue;
		char *sp = item;
		while (*sp && *sp != ' ' && *sp != '\t')
			sp++;
		char *val = *sp ? kw_trim(sp + 1) : sp;
		*sp = '\0';
		if (r->n_meta >= 256) {
			rcode = kw_fail(rc, KW_ERR, "more than 256 metadata entries");
			break;
		}
		struct rule_meta *nm = realloc(r->meta, (r->n_meta + 1u) * sizeof(*nm));
		if (!nm) {
			rcode = kw_fail(rc, KW_ERR, "out of memory");
			break;
		}
		r->meta = nm;
		nm[r->n_meta].key = strdup(item);
		nm[r->n_meta].value = strdup(val);
		if (!nm[r->n_meta].key || !nm[r->n_meta].value) {
			free(nm[r->n_meta].key);
			free(nm[r->n_meta].value);
			rcode = kw_fail(rc, KW_ERR, "out of memory");
			break;
		}
		r->n_meta++;
	}
	free(copy);
	return rcode;
}

static int setup_target(struct rule_ctx *rc, const char *v)
{
	if (!strcmp(v, "src_ip"))
		rc->r->target = 1;
	else if (!strcmp(v, "dest_ip"))
		rc->r->target = 2;
	else
		return kw_fail(rc, KW_ERR, "expected src_ip or dest_ip, got '%s'", v);
	return KW_OK;
}

const struct kw_def kw_msg = {"msg", KWF_VALUE | KWF_STRIP_Q, setup_msg, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_sid = {"sid", KWF_VALUE, setup_sid, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_rev = {"rev", KWF_VALUE, setup_rev, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_gid = {"gid", KWF_VALUE, setup_gid, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_classtype = {
    "classtype", KWF_VALUE | KWF_STRIP_Q, setup_classtype, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_priority = {"priority", KWF_VALUE, setup_priority, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_reference = {
    "reference", KWF_VALUE | KWF_STRIP_Q, setup_reference, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_metadata = {"metadata", KWF_VALUE, setup_metadata, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_target = {"target", KWF_VALUE, setup_target, NULL, NULL, NULL, 0, NULL, NULL};
