/*
 * keyword — the registry (keywords.def) and the helpers keyword setup
 * functions share.
 */
#include "detect/keyword.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/buffers.h"
#include "detect/uintcmp.h"

#define KW(name) extern const struct kw_def kw_##name;
#include "detect/keywords.def"
#undef KW

static const struct kw_def *const table[KW_MAX] = {
#define KW(name) &kw_##name,
#include "detect/keywords.def"
#undef KW
};

const struct kw_def *kw_get(unsigned id)
{
	return id < KW_MAX ? table[id] : NULL;
}

int kw_lookup(const char *name)
{
	for (int i = 0; i < KW_MAX; i++)
		if (!strcasecmp(table[i]->name, name))
			return i;
	return -1;
}

int kw_fail(struct rule_ctx *rc, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rc->err, sizeof(rc->err), fmt, ap);
	va_end(ap);
	return code;
}

int sm_list_add(struct sm_list *l, uint16_t kw, void *ctx)
{
	if (l->n == l->cap) {
		if (l->cap >= 1024)
			return -1;
		uint16_t nc = l->cap ? (uint16_t)(l->cap * 2) : 4;
		struct sm *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n].kw = kw;
	l->v[l->n].flags = 0;
	l->v[l->n].ctx = ctx;
	l->n++;
	return 0;
}

void sm_list_free(struct sm_list *l)
{
	for (uint16_t i = 0; i < l->n; i++) {
		const struct kw_def *k = kw_get(l->v[i].kw);
		if (k && k->free)
			k->free(l->v[i].ctx);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int rule_ctx_select_buffer(struct rule_ctx *rc, unsigned buf)
{
	struct rule *r = rc->r;
	/* A sticky buffer named again continues its list, as in Suricata. */
	for (int i = 0; i < r->n_bufs; i++) {
		if (r->bufs[i].buf == buf && r->bufs[i].n_xform == 0) {
			rc->cur_buf = i;
			return i;
		}
	}
	if (r->n_bufs == RULE_MAX_BUFS)
		return -1;
	memset(&r->bufs[r->n_bufs], 0, sizeof(r->bufs[0]));
	r->bufs[r->n_bufs].buf = (uint16_t)buf;
	rc->cur_buf = r->n_bufs++;
	return rc->cur_buf;
}

struct sm_list *rule_ctx_buffer_list(struct rule_ctx *rc)
{
	/* the payload entry is created on first use */
	if (rc->cur_buf < 0 && rule_ctx_select_buffer(rc, BUF_PAYLOAD) < 0)
		return NULL;
	return &rc->r->bufs[rc->cur_buf].sms;
}

int rule_ctx_add_pkt_sm(struct rule_ctx *rc, uint16_t kw, void *ctx)
{
	if (sm_list_add(&rc->r->pkt, kw, ctx) < 0) {
		const struct kw_def *k = kw_get(kw);
		if (k->free)
			k->free(ctx);
		return kw_fail(rc, KW_ERR, "out of memory or too many keywords");
	}
	return KW_OK;
}

int rule_ctx_add_buffer_sm(struct rule_ctx *rc, uint16_t kw, void *ctx)
{
	struct sm_list *l = rule_ctx_buffer_list(rc);
	if (!l || sm_list_add(l, kw, ctx) < 0)
		return -1;
	if (kw == KW_content || kw == KW_pcre) {
		rc->last_list = l;
		rc->last_idx = l->n - 1;
	}
	return 0;
}

struct sm *rule_ctx_last_content(struct rule_ctx *rc)
{
	if (!rc->last_list || rc->last_idx < 0 || rc->last_idx >= rc->last_list->n)
		return NULL;
	struct sm *sm = &rc->last_list->v[rc->last_idx];
	return sm->kw == KW_content ? sm : NULL;
}

struct sm *rule_ctx_last_in_list(struct rule_ctx *rc, const uint16_t *kws, unsigned n)
{
	const struct sm_list *l = NULL;
	if (rc->cur_buf >= 0) {
		l = &rc->r->bufs[rc->cur_buf].sms;
	} else {
		for (int i = 0; i < rc->r->n_bufs; i++)
			if (rc->r->bufs[i].buf == BUF_PAYLOAD)
				l = &rc->r->bufs[i].sms;
	}
	if (!l)
		return NULL;
	for (int i = l->n - 1; i >= 0; i--)
		for (unsigned k = 0; k < n; k++)
			if (l->v[i].kw == kws[k])
				return &l->v[i];
	return NULL;
}

int kw_setup_ucmp(struct rule_ctx *rc, const char *v, uint64_t max, uint16_t kw)
{
	struct ucmp *c = malloc(sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	if (ucmp_parse(v, max, c) < 0) {
		free(c);
		return kw_fail(rc, KW_ERR,
			       "expected N, <N, >N, <=N, >=N, !N or N<>M (up to %llu), got '%s'",
			       (unsigned long long)max, v);
	}
	return rule_ctx_add_pkt_sm(rc, kw, c);
}

int kw_parse_neg_num(struct rule_ctx *rc, const char *v, int64_t max, uint32_t *out, bool *neg)
{
	int64_t n;
	*neg = *v == '!';
	if (kw_parse_int(*neg ? v + 1 : v, 0, max, &n) < 0)
		return kw_fail(rc, KW_ERR, "expected [!]N from 0 to %lld, got '%s'", (long long)max,
			       v);
	*out = (uint32_t)n;
	return KW_OK;
}

int kw_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	errno = 0;
	long long v;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		v = strtoll(s + 2, &end, 16);
	else
		v = strtoll(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || *end || end == s || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

char *kw_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int kw_split(const char *s, char *buf, size_t buflen, char **parts, int n)
{
	size_t len = strlen(s);
	if (len >= buflen)
		return -1;
	memcpy(buf, s, len + 1);
	int count = 0;
	bool inq = false;
	char *start = buf;
	for (char *p = buf;; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '"')
			inq = !inq;
		if ((*p == ',' && !inq) || *p == '\0') {
			bool last = *p == '\0';
			*p = '\0';
			if (count == n)
				return -1;
			parts[count++] = kw_trim(start);
			if (last)
				break;
			start = p + 1;
		}
	}
	return count;
}
