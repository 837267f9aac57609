/*
 * kw_pcre — `pcre:"/regex/flags"` with PCRE2 (compiled and JIT-compiled at
 * load time, so a bad expression is a load error naming the rule).
 *
 * Suricata's flag letters: i s m x A E G (PCRE options), R (relative to the
 * previous match), B (rawbytes), O (no match limit override: accepted), and
 * the buffer letters U I P Q H D M C S Y V W Z, which bind the expression to
 * an HTTP buffer like the legacy content modifiers do.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/buffers.h"
#include "detect/kw_pcre.h"
#include "detect/keyword.h"

static const struct {
	char letter;
	uint16_t buf;
} buffer_letters[] = {
    {'U', BUF_HTTP_URI},	   {'I', BUF_HTTP_URI_RAW},    {'P', BUF_HTTP_REQUEST_BODY},
    {'Q', BUF_HTTP_RESPONSE_BODY}, {'H', BUF_HTTP_HEADER},     {'D', BUF_HTTP_HEADER_RAW},
    {'M', BUF_HTTP_METHOD},	   {'C', BUF_HTTP_COOKIE},     {'S', BUF_HTTP_STAT_CODE},
    {'Y', BUF_HTTP_STAT_MSG},	   {'V', BUF_HTTP_USER_AGENT}, {'W', BUF_HTTP_HOST},
    {'Z', BUF_HTTP_HOST_RAW},
};

static void pcre_free_ctx(void *p)
{
	struct pcre_ctx *c = p;
	if (c)
		pcre2_code_free(c->re);
	free(c);
}

static int setup_pcre(struct rule_ctx *rc, const char *v)
{
	bool neg = false;
	if (*v == '!') {
		neg = true;
		v++;
	}
	size_t n = strlen(v);
	if (n < 2 || v[0] != '"' || v[n - 1] != '"')
		return kw_fail(rc, KW_ERR, "the expression must be quoted: \"/regex/flags\"");
	v++;
	n -= 2;
	if (n < 2 || v[0] != '/')
		return kw_fail(rc, KW_ERR, "the expression must start with '/'");
	size_t close = n - 1;
	while (close > 0 && v[close] != '/')
		close--;
	if (close == 0)
		return kw_fail(rc, KW_ERR, "no closing '/'");

	uint32_t opts = 0;
	int buf = -1;
	struct pcre_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	if (neg)
		c->flags |= PCRE_NEGATED;
	for (size_t i = close + 1; i < n; i++) {
		char f = v[i];
		int b = -1;
		switch (f) {
		case 'i':
			opts |= PCRE2_CASELESS;
			break;
		case 's':
			opts |= PCRE2_DOTALL;
			break;
		case 'm':
			opts |= PCRE2_MULTILINE;
			break;
		case 'x':
			opts |= PCRE2_EXTENDED;
			break;
		case 'A':
			opts |= PCRE2_ANCHORED;
			break;
		case 'E':
			opts |= PCRE2_DOLLAR_ENDONLY;
			break;
		case 'G':
			opts |= PCRE2_UNGREEDY;
			break;
		case 'R':
			c->flags |= PCRE_RELATIVE;
			break;
		case 'B':
			c->flags |= PCRE_RAWBYTES;
			break;
		case 'O':
			break;
		default:
			for (size_t k = 0; k < sizeof(buffer_letters) / sizeof(buffer_letters[0]);
			     k++)
				if (buffer_letters[k].letter == f)
					b = buffer_letters[k].buf;
			if (b < 0) {
				pcre_free_ctx(c);
				return kw_fail(rc, KW_ERR, "unknown flag '%c'", f);
			}
			if (buf >= 0 && buf != b) {
				pcre_free_ctx(c);
				return kw_fail(rc, KW_ERR, "flags name two different buffers");
			}
			buf = b;
		}
	}
	int err;
	PCRE2_SIZE erroff;
	c->re = pcre2_compile((PCRE2_SPTR)(v + 1), close - 1, opts, &err, &erroff, NULL);
	if (!c->re) {
		PCRE2_UCHAR m[160];
		pcre2_get_error_message(err, m, sizeof(m));
		pcre_free_ctx(c);
		return kw_fail(rc, KW_ERR, "at offset %zu of the expression: %s", (size_t)erroff,
			       (char *)m);
	}
	/* JIT failure is not fatal: the interpreter gives the same answers. */
	if (pcre2_jit_compile(c->re, PCRE2_JIT_COMPLETE) == 0)
		c->flags |= PCRE_JIT;
	uint32_t caps = 0;
	pcre2_pattern_info(c->re, PCRE2_INFO_CAPTURECOUNT, &caps);
	c->captures = caps;

	int saved = rc->cur_buf;
	if (buf >= 0) {
		int rcode = rule_ctx_bind_buffer(rc, (unsigned)buf);
		if (rcode) {
			pcre_free_ctx(c);
			return rcode;
		}
		if (rule_ctx_select_buffer(rc, (unsigned)buf) < 0) {
			pcre_free_ctx(c);
			return kw_fail(rc, KW_ERR, "too many buffers in one rule");
		}
	}
	if (rule_ctx_add_buffer_sm(rc, KW_pcre, c) < 0) {
		pcre_free_ctx(c);
		return kw_fail(rc, KW_ERR, "out of memory or too many keywords");
	}
	if (c->flags & PCRE_RELATIVE)
		rc->last_list->v[rc->last_idx].flags |= SM_RELATIVE;
	rc->cur_buf = buf >= 0 ? saved : rc->cur_buf;
	return KW_OK;
}

const struct kw_def kw_pcre = {"pcre", KWF_VALUE, setup_pcre, pcre_free_ctx, NULL, NULL, 0, NULL, NULL};
