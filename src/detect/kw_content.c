/*
 * kw_content — `content` and the modifiers that shape it: nocase, depth,
 * offset, distance, within, startswith, endswith, fast_pattern (plain,
 * `only`, and the `offset,length` chop form), rawbytes; and the deprecated
 * `uricontent` (content bound to http.uri).
 *
 * A content string is text with |hex| runs: "GET |20|/". In text, a
 * backslash escapes '"', ';', ':' or '\'; anything else is an error, as in
 * Suricata. Modifiers apply to the most recent content of the rule.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "detect/buffers.h"
#include "detect/content.h"
#include "detect/keyword.h"

#define CONTENT_MAX 65535

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode a quoted content string into out (at most strlen(s) bytes). */
static int decode_pattern(struct rule_ctx *rc, const char *s, uint8_t *out, uint32_t *outlen)
{
	size_t n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	} else if (n && (s[0] == '"' || s[n - 1] == '"')) {
		return kw_fail(rc, KW_ERR, "unbalanced quotes");
	}
	bool hex = false;
	int hi = -1;
	uint32_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '|') {
			if (hex && hi >= 0)
				return kw_fail(rc, KW_ERR, "odd number of hex digits");
			hex = !hex;
			continue;
		}
		if (hex) {
			if (c == ' ' || c == '\t')
				continue;
			int v = hexval((unsigned char)c);
			if (v < 0)
				return kw_fail(rc, KW_ERR, "'%c' is not a hex digit", c);
			if (hi < 0) {
				hi = v;
			} else {
				out[o++] = (uint8_t)(hi << 4 | v);
				hi = -1;
			}
			continue;
		}
		if (c == '\\') {
			if (i + 1 >= n)
				return kw_fail(rc, KW_ERR, "a backslash ends the string");
			c = s[++i];
			if (c != '"' && c != ';' && c != ':' && c != '\\')
				return kw_fail(rc, KW_ERR, "'\\%c' is not a valid escape", c);
		} else if (c == '"') {
			return kw_fail(rc, KW_ERR, "'\"' inside the string must be escaped");
		}
		out[o++] = (uint8_t)c;
	}
	if (hex)
		return kw_fail(rc, KW_ERR, "unterminated |hex| run");
	if (o == 0)
		return kw_fail(rc, KW_ERR, "empty content");
	*outlen = o;
	return KW_OK;
}

static void content_free(void *p)
{
	struct content *c = p;
	if (c)
		free(c->pat);
	free(c);
}

static int add_content(struct rule_ctx *rc, const char *v, int legacy_buf)
{
	while (isspace((unsigned char)*v))
		v++;
	bool neg = false;
	if (*v == '!') {
		neg = true;
		v++;
		while (isspace((unsigned char)*v))
			v++;
	}
	size_t n = strlen(v);
	/* Snort 3 writes modifiers after the string: content:"x",depth 4,nocase */
	if (n && v[0] == '"') {
		const char *q = v + 1;
		while (*q && *q != '"') {
			if (*q == '\\' && q[1])
				q++;
			q++;
		}
		if (*q == '"' && q[1]) {
			const char *r = q + 1;
			while (*r == ' ' || *r == '\t')
				r++;
			if (*r == ',')
				return kw_fail(
				    rc, KW_UNSUPPORTED,
				    "Snort 3 content options (content:\"...\",modifier)");
		}
	}
	if (n > CONTENT_MAX * 4)
		return kw_fail(rc, KW_ERR, "content longer than %d bytes", CONTENT_MAX);
	struct content *c = calloc(1, sizeof(*c));
	uint8_t *pat = malloc(n + 1);
	if (!c || !pat) {
		free(c);
		free(pat);
		return kw_fail(rc, KW_ERR, "out of memory");
	}
	c->pat = pat;
	c->offset_var = c->depth_var = c->distance_var = c->within_var = CT_VAR_NONE;
	int rcode = decode_pattern(rc, v, pat, &c->len);
	if (rcode) {
		content_free(c);
		return rcode;
	}
	if (neg)
		c->flags |= CT_NEGATED;
	int saved = rc->cur_buf;
	if (legacy_buf >= 0 && (rcode = rule_ctx_bind_buffer(rc, (unsigned)legacy_buf)) != 0) {
		content_free(c);
		return rcode;
	}
	if (legacy_buf >= 0 && rule_ctx_select_buffer(rc, (unsigned)legacy_buf) < 0) {
		content_free(c);
		return kw_fail(rc, KW_ERR, "too many buffers in one rule");
	}
	if (rule_ctx_add_buffer_sm(rc, KW_content, c) < 0) {
		content_free(c);
		return kw_fail(rc, KW_ERR, "out of memory or too many keywords");
	}
	if (legacy_buf >= 0)
		rc->cur_buf = saved;
	return KW_OK;
}

static int setup_content(struct rule_ctx *rc, const char *v)
{
	return add_content(rc, v, -1);
}

static int setup_uricontent(struct rule_ctx *rc, const char *v)
{
	return add_content(rc, v, BUF_HTTP_URI);
}

static struct content *last(struct rule_ctx *rc)
{
	struct sm *sm = rule_ctx_last_content(rc);
	return sm ? sm->ctx : NULL;
}

#define NEED_CONTENT(rc, c)                                                                        \
	struct content *c = last(rc);                                                              \
	if (!c)                                                                                    \
		return kw_fail(rc, KW_ERR, "needs a preceding content");

static int setup_nocase(struct rule_ctx *rc, const char *v)
{
	(void)v;
	NEED_CONTENT(rc, c);
	if (c->flags & CT_NOCASE)
		return kw_fail(rc, KW_ERR, "nocase given twice for the same content");
	c->flags |= CT_NOCASE;
	return KW_OK;
}

static int setup_rawbytes(struct rule_ctx *rc, const char *v)
{
	(void)v;
	NEED_CONTENT(rc, c);
	c->flags |= CT_RAWBYTES;
	return KW_OK;
}

/* A number, or the name of a byte_extract / byte_math variable. */
static int num_or_var(struct rule_ctx *rc, const char *v, int64_t min, int64_t max, int32_t *num,
		      int8_t *var)
{
	int64_t n;
	if (kw_parse_int(v, min, max, &n) == 0) {
		*num = (int32_t)n;
		*var = CT_VAR_NONE;
		return KW_OK;
	}
	for (int i = 0; i < rc->r->n_vars; i++) {
		if (!strcmp(rc->r->vars[i], v)) {
			*var = (int8_t)i;
			*num = 0;
			return KW_OK;
		}
	}
	return kw_fail(rc, KW_ERR,
		       "expected a number from %lld to %lld or a byte_extract variable, got '%s'",
		       (long long)min, (long long)max, v);
}

enum pos_kind { P_DEPTH, P_OFFSET, P_DISTANCE, P_WITHIN };

static int setup_pos(struct rule_ctx *rc, const char *v, enum pos_kind k)
{
	static const uint32_t flag[] = {CT_DEPTH, CT_OFFSET, CT_DISTANCE, CT_WITHIN};
	static const char *const name[] = {"depth", "offset", "distance", "within"};
	NEED_CONTENT(rc, c);
	if (c->flags & flag[k])
		return kw_fail(rc, KW_ERR, "%s given twice for the same content", name[k]);
	if (c->flags & CT_STARTSWITH)
		return kw_fail(rc, KW_ERR, "%s cannot be combined with startswith", name[k]);
	bool rel = k == P_DISTANCE || k == P_WITHIN;
	if (rel ? (c->flags & CT_ABSOLUTE) : (c->flags & CT_RELATIVE))
		return kw_fail(rc, KW_ERR,
			       "a relative keyword (distance, within) and an absolute one (depth, "
			       "offset) on the same content");
	if (c->flags & CT_FP_ONLY)
		return kw_fail(rc, KW_ERR, "fast_pattern:only content cannot take %s", name[k]);
	int rcode;
	switch (k) {
	case P_DEPTH:
		rcode = num_or_var(rc, v, 1, CONTENT_MAX, &c->depth, &c->depth_var);
		if (!rcode && c->depth_var == CT_VAR_NONE && (uint32_t)c->depth < c->len)
			return kw_fail(rc, KW_ERR,
				       "depth %d is shorter than the content (%u bytes)", c->depth,
				       c->len);
		break;
	case P_OFFSET:
		rcode = num_or_var(rc, v, 0, CONTENT_MAX, &c->offset, &c->offset_var);
		break;
	case P_DISTANCE:
		rcode =
		    num_or_var(rc, v, -CONTENT_MAX, CONTENT_MAX, &c->distance, &c->distance_var);
		break;
	default:
		rcode = num_or_var(rc, v, 1, CONTENT_MAX, &c->within, &c->within_var);
		if (!rcode && c->within_var == CT_VAR_NONE && (uint32_t)c->within < c->len)
			return kw_fail(rc, KW_ERR,
				       "within %d is shorter than the content (%u bytes)",
				       c->within, c->len);
		break;
	}
	if (rcode)
		return rcode;
	c->flags |= flag[k];
	return KW_OK;
}

static int setup_depth(struct rule_ctx *rc, const char *v)
{
	return setup_pos(rc, v, P_DEPTH);
}

static int setup_offset(struct rule_ctx *rc, const char *v)
{
	return setup_pos(rc, v, P_OFFSET);
}

static int setup_distance(struct rule_ctx *rc, const char *v)
{
	return setup_pos(rc, v, P_DISTANCE);
}

static int setup_within(struct rule_ctx *rc, const char *v)
{
	return setup_pos(rc, v, P_WITHIN);
}

static int setup_startswith(struct rule_ctx *rc, const char *v)
{
	(void)v;
	NEED_CONTENT(rc, c);
	if (c->flags & (CT_ABSOLUTE | CT_RELATIVE))
		return kw_fail(
		    rc, KW_ERR,
		    "startswith cannot be combined with depth, offset, distance or within");
	c->flags |= CT_STARTSWITH | CT_DEPTH | CT_OFFSET;
	c->depth = (int32_t)c->len;
	c->offset = 0;
	return KW_OK;
}

static int setup_endswith(struct rule_ctx *rc, const char *v)
{
	(void)v;
	NEED_CONTENT(rc, c);
	c->flags |= CT_ENDSWITH;
	return KW_OK;
}

static int setup_fast_pattern(struct rule_ctx *rc, const char *v)
{
	NEED_CONTENT(rc, c);
	if (rc->has_fast_pattern)
		return kw_fail(rc, KW_ERR, "only one content of a rule can be the fast_pattern");
	if (!strcmp(v, "only")) {
		if (c->flags & (CT_RELATIVE | CT_ABSOLUTE | CT_NEGATED))
			return kw_fail(
			    rc, KW_ERR,
			    "fast_pattern:only cannot be used on a negated or positioned content");
		c->flags |= CT_FP_ONLY;
	} else if (*v) {
		char buf[64], *parts[2];
		int64_t off, len;
		if (kw_split(v, buf, sizeof(buf), parts, 2) != 2 ||
		    kw_parse_int(parts[0], 0, CONTENT_MAX, &off) < 0 ||
		    kw_parse_int(parts[1], 1, CONTENT_MAX, &len) < 0)
			return kw_fail(rc, KW_ERR, "expected 'only' or 'offset,length', got '%s'",
				       v);
		if ((uint64_t)off + (uint64_t)len > c->len)
			return kw_fail(rc, KW_ERR,
				       "fast_pattern %lld,%lld runs past the content (%u bytes)",
				       (long long)off, (long long)len, c->len);
		c->flags |= CT_FP_CHOP;
		c->fp_off = (uint16_t)off;
		c->fp_len = (uint16_t)len;
	}
	c->flags |= CT_FAST_PATTERN;
	rc->has_fast_pattern = true;
	return KW_OK;
}

const struct kw_def kw_content = {"content", KWF_VALUE, setup_content, content_free, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_uricontent = {"uricontent", KWF_VALUE, setup_uricontent,
				     content_free, NULL,      NULL, 0, NULL, NULL};
const struct kw_def kw_nocase = {"nocase", KWF_NOVALUE, setup_nocase, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_rawbytes = {"rawbytes", KWF_NOVALUE, setup_rawbytes, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_depth = {"depth", KWF_VALUE, setup_depth, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_offset = {"offset", KWF_VALUE, setup_offset, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_distance = {"distance", KWF_VALUE, setup_distance, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_within = {"within", KWF_VALUE, setup_within, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_startswith = {"startswith", KWF_NOVALUE, setup_startswith, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_endswith = {"endswith", KWF_NOVALUE, setup_endswith, NULL, NULL, NULL, 0, NULL, NULL};
const struct kw_def kw_fast_pattern = {"fast_pattern", 0, setup_fast_pattern, NULL, NULL, NULL, 0, NULL, NULL};
