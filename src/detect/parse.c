/*
 * parse — see parse.h.
 *
 *   action proto src sport (->|<>) dst dport (keyword[:value]; ...)
 *
 * Header tokens are separated by blanks; brackets may hold blanks. An
 * option's value runs to the first ';' not escaped with a backslash (quotes
 * do not protect ';', as in Suricata).
 */
#include "detect/parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/alproto.h"
#include "app/applayer.h"
#include "detect/buffers.h"
#include "detect/content.h"
#include "detect/keyword.h"
#include "detect/ruleset.h"

#define MAX_RULE_LEN (64 * 1024)

static const char *const action_names[] = {
    [ACTION_ALERT] = "alert",
    [ACTION_PASS] = "pass",
    [ACTION_DROP] = "drop",
    [ACTION_REJECT] = "reject",
    [ACTION_REJECTSRC] = "rejectsrc",
    [ACTION_REJECTDST] = "rejectdst",
    [ACTION_REJECTBOTH] = "rejectboth",
};

const char *rule_action_name(int action)
{
	if (action < 0 || action > ACTION_REJECTBOTH)
		return "alert";
	return action_names[action];
}

static struct rule *fail(struct rule_err *e, int code, unsigned col, const char *kw,
			 const char *msg)
{
	e->code = code;
	e->col = col + 1;
	snprintf(e->kw, sizeof(e->kw), "%s", kw);
	snprintf(e->msg, sizeof(e->msg), "%s", msg);
	return NULL;
}

static void proto_set(struct rule_proto *p, uint8_t n)
{
	p->ipproto[n / 8] |= (uint8_t)(1u << (n % 8));
}

static bool proto_has(const struct rule_proto *p, uint8_t n)
{
	return p->ipproto[n / 8] & (1u << (n % 8));
}

/* Returns 0, or a KW_* code with msg filled. */
static int parse_proto(struct rule *r, const char *s, char *msg, size_t msglen)
{
	struct rule_proto *p = &r->proto;
	if (!strcasecmp(s, "ip") || !strcasecmp(s, "pkthdr") || !strcasecmp(s, "ipv4") ||
	    !strcasecmp(s, "ip4") || !strcasecmp(s, "ipv6") || !strcasecmp(s, "ip6")) {
		p->any = true;
		memset(p->ipproto, 0xff, sizeof(p->ipproto));
		if (s[2] == '4' || s[3] == '4')
			r->flags |= RULE_IPV4_ONLY;
		else if (s[2] == '6' || s[3] == '6')
			r->flags |= RULE_IPV6_ONLY;
	} else if (!strcasecmp(s, "tcp")) {
		proto_set(p, 6);
	} else if (!strcasecmp(s, "tcp-pkt")) {
		proto_set(p, 6);
		r->flags |= RULE_PKT_PROTO;
	} else if (!strcasecmp(s, "tcp-stream")) {
		proto_set(p, 6);
		r->flags |= RULE_STREAM_PROTO;
	} else if (!strcasecmp(s, "udp")) {
		proto_set(p, 17);
	} else if (!strcasecmp(s, "icmp")) {
		proto_set(p, 1);
		proto_set(p, 58);
	} else if (!strcasecmp(s, "icmpv4")) {
		proto_set(p, 1);
	} else if (!strcasecmp(s, "icmpv6")) {
		proto_set(p, 58);
	} else if (!strcasecmp(s, "sctp")) {
		proto_set(p, 132);
	} else {
		uint16_t al = alproto_by_name(s);
		if (al == ALPROTO_UNKNOWN || al == ALPROTO_FAILED) {
			snprintf(msg, msglen, "unknown protocol '%s'", s);
			return KW_ERR;
		}
		if (!alproto_analysed(al)) {
			snprintf(msg, msglen, "app-layer protocol '%s' is not analysed", s);
			return KW_UNSUPPORTED;
		}
		if (al == ALPROTO_HTTP1)
			al = ALPROTO_HTTP;
		p->alproto = al;
		if (alproto_over_tcp(al))
			proto_set(p, 6);
		if (alproto_over_udp(al))
			proto_set(p, 17);
	}
	return 0;
}

struct tok {
	unsigned start;
	char *s;
};

/* Split the header into blank-separated tokens (brackets may hold blanks). */
static int header_tokens(const char *text, unsigned end, struct tok *t, int max, char *buf)
{
	int n = 0;
	unsigned i = 0;
	char *o = buf;
	while (i < end) {
		while (i < end && isspace((unsigned char)text[i]))
			i++;
		if (i >= end)
			break;
		if (n == max)
			return -1;
		t[n].start = i;
		t[n].s = o;
		int depth = 0;
		while (i < end && (depth > 0 || !isspace((unsigned char)text[i]))) {
			if (text[i] == '[')
				depth++;
			else if (text[i] == ']' && depth > 0)
				depth--;
			*o++ = text[i++];
		}
		*o++ = '\0';
		n++;
	}
	return n;
}

/* Value with surrounding quotes removed and backslash escapes resolved. */
static void unquote(char *v)
{
	size_t n = strlen(v);
	char *src = v, *dst = v;
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v[n - 1] = '\0';
		src = v + 1;
	}
	while (*src) {
		if (*src == '\\' && src[1])
			src++;
		*dst++ = *src++;
	}
	*dst = '\0';
}

static void rule_err_unsupported(struct rule_err *e, const char *reason)
{
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
}

/* A sticky buffer or legacy modifier bound to an app-layer protocol must agree
 * with the rule's header. */
/* Bind the rule to app-layer protocol alproto, for `what` (a buffer or
 * keyword name): 0, or KW_ERR with a message. */
static int bind_proto(struct rule *r, uint16_t alproto, const char *what, char *msg, size_t msglen)
{
	if (alproto == ALPROTO_UNKNOWN)
		return 0;
	if (r->proto.alproto == ALPROTO_UNKNOWN) {
		bool tcp = proto_has(&r->proto, 6), udp = proto_has(&r->proto, 17);
		if (!r->proto.any && !(tcp && alproto_over_tcp(alproto)) &&
		    !(udp && alproto_over_udp(alproto))) {
			snprintf(msg, msglen,
				 "%s is for %s, which does not run over this rule's protocol", what,
				 alproto_name(alproto));
			return KW_ERR;
		}
		r->proto.alproto = alproto;
		return 0;
	}
	if (r->proto.alproto != alproto) {
		snprintf(msg, msglen, "%s is for %s, the rule is for %s", what,
			 alproto_name(alproto), alproto_name(r->proto.alproto));
		return KW_ERR;
	}
	return 0;
}

int rule_ctx_bind_buffer(struct rule_ctx *rc, unsigned buf)
{
	char msg[200], what[64];
	const struct buffer_info *bi = buffer_info(buf);
	snprintf(what, sizeof(what), "buffer %s", bi->name);
	int rcode = bind_proto(rc->r, bi->alproto, what, msg, sizeof(msg));
	return rcode ? kw_fail(rc, rcode, "%s", msg) : KW_OK;
}

const char *rule_ctx_rule_dir(struct rule_ctx *rc)
{
	const char *f = rc->rs ? rc->rs->cur_file : NULL;
	if (!f)
		return NULL;
	const char *slash = strrchr(f, '/');
	if (!slash)
		return ".";
	snprintf(rc->dir, sizeof(rc->dir), "%.*s", (int)(slash - f), f);
	return rc->dir;
}

int rule_ctx_bind_app(struct rule_ctx *rc, uint16_t alproto)
{
	char msg[200], what[64];
	snprintf(what, sizeof(what), "keyword %s", rc->kw_name ? rc->kw_name : "?");
	int rcode = bind_proto(rc->r, alproto, what, msg, sizeof(msg));
	return rcode ? kw_fail(rc, rcode, "%s", msg) : KW_OK;
}

/* Legacy content modifier (http_uri ...): move the last content to the buffer. */
static int legacy_modifier(struct rule_ctx *rc, int buf)
{
	struct sm *sm = rule_ctx_last_content(rc);
	if (!sm)
		/* Snort 3 uses these names as sticky buffers, before the content */
		return kw_fail(rc, KW_UNSUPPORTED,
			       "no content before this modifier (a Snort 3 sticky buffer)");
	struct rule *r = rc->r;
	int from = -1;
	for (int i = 0; i < r->n_bufs; i++)
		if (&r->bufs[i].sms == rc->last_list)
			from = i;
	if (from < 0 || r->bufs[from].buf != BUF_PAYLOAD)
		return kw_fail(rc, KW_ERR, "the content is already bound to a buffer");
	struct sm moved = *sm;
	struct sm_list *fl = &r->bufs[from].sms;
	memmove(&fl->v[rc->last_idx], &fl->v[rc->last_idx + 1],
		(size_t)(fl->n - rc->last_idx - 1) * sizeof(struct sm));
	fl->n--;
	int saved = rc->cur_buf;
	int to = rule_ctx_select_buffer(rc, (unsigned)buf);
	if (to < 0)
		return kw_fail(rc, KW_ERR, "too many buffers in one rule");
	struct sm_list *tl = &r->bufs[to].sms;
	if (sm_list_add(tl, moved.kw, moved.ctx) < 0)
		return kw_fail(rc, KW_ERR, "out of memory");
	rc->last_list = tl;
	rc->last_idx = tl->n - 1;
	/* Legacy modifiers do not change the sticky buffer. The payload entry
	 * may have moved only if `from` was removed; it was not. */
	rc->cur_buf = saved;
	return 0;
}

static int setup_option(struct rule_ctx *rc, char *name, char *value, struct rule_err *e)
{
	int k = kw_lookup(name);
	rc->kw_name = name;
	rc->err[0] = '\0';
	if (k >= 0) {
		const struct kw_def *d = kw_get((unsigned)k);
		if ((d->flags & KWF_NOVALUE) && value && *value)
			return kw_fail(rc, KW_ERR, "takes no value");
		if ((d->flags & KWF_VALUE) && (!value || !*value))
			return kw_fail(rc, KW_ERR, "needs a value");
		if (value && (d->flags & KWF_STRIP_Q))
			unquote(value);
		int rcode = d->setup(rc, value ? value : "");
		if (rcode == KW_UNSUPPORTED && !e->reason[0])
			snprintf(e->reason, sizeof(e->reason), "%s: %.100s", name, rc->err);
		return rcode;
	}
	int b = buffer_by_sticky(name);
	if (b >= 0) {
		if (value && *value)
			return kw_fail(rc, KW_ERR, "a sticky buffer takes no value");
		int rcode = rule_ctx_bind_buffer(rc, (unsigned)b);
		if (rcode)
			return rcode;
		if (rule_ctx_select_buffer(rc, (unsigned)b) < 0)
			return kw_fail(rc, KW_ERR, "too many buffers in one rule");
		if (b == BUF_PAYLOAD)
			rc->cur_buf = -1;
		return 0;
	}
	b = buffer_by_modifier(name);
	if (b >= 0) {
		if (value && *value)
			return kw_fail(rc, KW_ERR, "a content modifier takes no value");
		int rcode = rule_ctx_bind_buffer(rc, (unsigned)b);
		if (rcode)
			return rcode;
		rcode = legacy_modifier(rc, b);
		if (rcode == KW_UNSUPPORTED)
			snprintf(e->reason, sizeof(e->reason), "Snort 3 sticky buffer %s", name);
		return rcode;
	}
	snprintf(e->reason, sizeof(e->reason), "%s", name);
	return kw_fail(rc, KW_UNSUPPORTED, "unsupported keyword");
}

/* Suricata's choice: an explicit fast_pattern wins; otherwise the longest
 * non-negated content (ties: the first one). Rules whose only contents are
 * negated, or that have none, are checked for every packet of their group. */
static void choose_fast_pattern(struct rule *r)
{
	const struct content *best = NULL;
	int best_buf = 0;
	uint32_t best_len = 0;
	for (int pass = 0; pass < 2 && !best; pass++) {
		for (int b = 0; b < r->n_bufs; b++) {
			const struct sm_list *l = &r->bufs[b].sms;
			for (int i = 0; i < l->n; i++) {
				if (l->v[i].kw != KW_content)
					continue;
				const struct content *c = l->v[i].ctx;
				if (pass == 0 && (c->flags & CT_FAST_PATTERN)) {
					best = c;
					best_buf = b;
					break;
				}
				uint32_t len = c->flags & CT_FP_CHOP ? c->fp_len : c->len;
				if (pass == 1 && !(c->flags & CT_NEGATED) && len > best_len) {
					best = c;
					best_buf = b;
					best_len = len;
				}
			}
			if (pass == 0 && best)
				break;
		}
	}
	r->fp = best;
	r->fp_buf = (uint8_t)best_buf;
}

/* Mark contents (and other inspection keywords) followed by a relative one, so
 * the inspection engine knows when to backtrack. */
static void mark_relative_next(struct rule *r);

static int finish(struct rule_ctx *rc, struct rule_err *e)
{
	struct rule *r = rc->r;
	if (r->sid == 0)
		return kw_fail(rc, KW_ERR, "the rule has no sid");
	if (r->gid == 0)
		r->gid = 1;
	for (int i = 0; i < r->n_bufs; i++) {
		const struct buffer_info *bi = buffer_info(r->bufs[i].buf);
		if (!bi->ready && !e->waiting) {
			e->waiting = bi->name;
			r->flags |= RULE_WAITING;
		}
	}
	/* A rule on an app-layer protocol matches only once the app layer
	 * names the flow's protocol. */
	if (r->proto.alproto != ALPROTO_UNKNOWN && !e->waiting && !app_parser_for(r->proto.alproto)) {
		e->waiting = "the app-layer parser of its protocol";
		r->flags |= RULE_WAITING;
	}
	mark_relative_next(r);
	choose_fast_pattern(r);
	return 0;
}

static bool is_inspect_kw(uint16_t kw)
{
	return kw == KW_content || kw == KW_pcre || kw == KW_byte_jump || kw == KW_byte_extract ||
	       kw == KW_byte_test || kw == KW_isdataat || kw == KW_byte_math;
}

static void mark_relative_next(struct rule *r)
{
	for (int b = 0; b < r->n_bufs; b++) {
		struct sm_list *l = &r->bufs[b].sms;
		for (int i = 0; i < l->n; i++) {
			if (l->v[i].kw == KW_content &&
			    (((struct content *)l->v[i].ctx)->flags & CT_RELATIVE))
				l->v[i].flags |= SM_RELATIVE;
			if (i == 0 || !(l->v[i].flags & SM_RELATIVE))
				continue;
			for (int j = i - 1; j >= 0; j--) {
				if (!is_inspect_kw(l->v[j].kw))
					continue;
				l->v[j].flags |= SM_RELNEXT;
				if (l->v[j].kw == KW_content)
					((struct content *)l->v[j].ctx)->flags |= CT_RELATIVE_NEXT;
				break;
			}
		}
	}
}

struct rule *rule_parse(struct ruleset *rs, const char *text, struct rule_err *e)
{
	memset(e, 0, sizeof(*e));
	size_t len = strlen(text);
	if (len > MAX_RULE_LEN)
		return fail(e, KW_ERR, 0, "rule", "rule longer than 64 KiB");

	/* header: everything up to the first '(' */
	const char *open = strchr(text, '(');
	if (!open)
		return fail(e, KW_ERR, 0, "rule", "no option list '(...)'");
	unsigned hend = (unsigned)(open - text);
	char *hbuf = malloc(hend + 16);
	char *obuf = malloc(len + 1);
	struct rule *r = calloc(1, sizeof(*r));
	struct rule_ctx rc = {.r = r, .rs = rs, .cur_buf = -1, .last_idx = -1};
	struct tok t[8];
	char msg[200];
	int rcode;

	if (!hbuf || !obuf || !r) {
		fail(e, KW_ERR, 0, "rule", "out of memory");
		goto bad;
	}
	int nt = header_tokens(text, hend, t, 8, hbuf);
	if (nt == 2) {
		fail(e, KW_UNSUPPORTED, t[1].start, "header",
		     "a header without addresses and ports (Snort 3 service rule)");
		rule_err_unsupported(e, "snort3 header without addresses");
		goto bad;
	}
	if (nt != 7) {
		fail(e, KW_ERR, nt > 0 ? t[0].start : 0, "header",
		     "expected: action protocol source port direction destination port");
		goto bad;
	}
	/* action */
	int act = -1;
	for (int i = 0; i <= ACTION_REJECTBOTH; i++)
		if (!strcasecmp(t[0].s, action_names[i]))
			act = i;
	if (act < 0) {
		snprintf(msg, sizeof(msg), "unknown action '%s'", t[0].s);
		fail(e, KW_ERR, t[0].start, "action", msg);
		goto bad;
	}
	r->action = (uint8_t)act;
	rcode = parse_proto(r, t[1].s, msg, sizeof(msg));
	if (rcode) {
		fail(e, rcode, t[1].start, "protocol", msg);
		if (rcode == KW_UNSUPPORTED)
			snprintf(e->reason, sizeof(e->reason), "protocol %s", t[1].s);
		goto bad;
	}
	struct addrset_err ae;
	if (ipset_parse(&r->src, t[2].s, ruleset_var, rs, &ae) < 0) {
		fail(e, KW_ERR, t[2].start + ae.col, "source address", ae.msg);
		goto bad;
	}
	if (portset_parse(&r->sp, t[3].s, ruleset_var, rs, &ae) < 0) {
		fail(e, KW_ERR, t[3].start + ae.col, "source port", ae.msg);
		goto bad;
	}
	if (!strcmp(t[4].s, "<>")) {
		r->flags |= RULE_BIDIR;
	} else if (strcmp(t[4].s, "->")) {
		fail(e, KW_ERR, t[4].start, "direction", "expected '->' or '<>'");
		goto bad;
	}
	if (ipset_parse(&r->dst, t[5].s, ruleset_var, rs, &ae) < 0) {
		fail(e, KW_ERR, t[5].start + ae.col, "destination address", ae.msg);
		goto bad;
	}
	if (portset_parse(&r->dp, t[6].s, ruleset_var, rs, &ae) < 0) {
		fail(e, KW_ERR, t[6].start + ae.col, "destination port", ae.msg);
		goto bad;
	}

	/* options: from after '(' to the last ')' */
	size_t end = len;
	while (end > 0 && isspace((unsigned char)text[end - 1]))
		end--;
	if (end == 0 || text[end - 1] != ')') {
		fail(e, KW_ERR, (unsigned)end, "rule", "the option list does not end with ')'");
		goto bad;
	}
	end--; /* index of ')' */
	size_t i = (size_t)(open - text) + 1;
	while (i < end) {
		while (i < end && isspace((unsigned char)text[i]))
			i++;
		if (i >= end)
			break;
		size_t ns = i;
		while (i < end && (isalnum((unsigned char)text[i]) || text[i] == '_' ||
				   text[i] == '-' || text[i] == '.'))
			i++;
		size_t nl = i - ns;
		char name[40];
		if (nl == 0 || nl >= sizeof(name)) {
			fail(e, KW_ERR, (unsigned)ns, "option", "expected a keyword");
			goto bad;
		}
		memcpy(name, text + ns, nl);
		name[nl] = '\0';
		while (i < end && isspace((unsigned char)text[i]))
			i++;
		char *value = NULL;
		size_t vcol = i;
		if (i < end && text[i] == ':') {
			i++;
			size_t vs = i;
			while (i < end && text[i] != ';') {
				if (text[i] == '\\' && i + 1 < end)
					i++;
				i++;
			}
			if (i >= end) {
				fail(e, KW_ERR, (unsigned)ns, name,
				     "the value is not terminated by ';'");
				goto bad;
			}
			memcpy(obuf, text + vs, i - vs);
			obuf[i - vs] = '\0';
			value = kw_trim(obuf);
			vcol = vs;
		} else if (i >= end || text[i] != ';') {
			fail(e, KW_ERR, (unsigned)ns, name,
			     "expected ':' or ';' after the keyword");
			goto bad;
		}
		i++; /* the ';' */
		rcode = setup_option(&rc, name, value, e);
		if (rcode) {
			fail(e, rcode, (unsigned)(rcode == KW_ERR && value ? vcol : ns), name,
			     rc.err);
			goto bad;
		}
	}
	rcode = finish(&rc, e);
	if (rcode) {
		fail(e, rcode, 0, "rule", rc.err);
		goto bad;
	}
	free(hbuf);
	free(obuf);
	return r;
bad:
	free(hbuf);
	free(obuf);
	if (r)
		rule_free(r);
	return NULL;
}

void rule_free(struct rule *r)
{
	if (!r)
		return;
	free(r->msg);
	ipset_free(&r->src);
	ipset_free(&r->dst);
	portset_free(&r->sp);
	portset_free(&r->dp);
	sm_list_free(&r->pkt);
	sm_list_free(&r->post);
	for (int i = 0; i < r->n_bufs; i++) {
		sm_list_free(&r->bufs[i].sms);
		for (int j = 0; j < r->bufs[i].n_xform; j++)
			free(r->bufs[i].xform_arg[j]);
	}
	for (int i = 0; i < r->n_refs; i++) {
		free(r->refs[i].system);
		free(r->refs[i].value);
	}
	free(r->refs);
	for (int i = 0; i < r->n_meta; i++) {
		free(r->meta[i].key);
		free(r->meta[i].value);
	}
	free(r->meta);
	for (int i = 0; i < r->n_vars; i++)
		free(r->vars[i]);
	free(r);
}
