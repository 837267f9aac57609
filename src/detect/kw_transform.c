/*
 * kw_transform — the transform keywords (transforms.def) and what they do.
 * A transform must directly follow its sticky buffer, as in Suricata.
 */
#include <ctype.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/digest.h"
#include "detect/keyword.h"
#include "detect/transform.h"

static const char *const names[XFORM_MAX] = {
#define XFORM(id, name, arg) [XFORM_##id] = name,
#include "detect/transforms.def"
#undef XFORM
};

static int hexv(int c)
{
	if (isdigit(c))
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int setup_transform(struct rule_ctx *rc, const char *v)
{
	int id = -1;
	for (int i = 0; i < XFORM_MAX; i++)
		if (!strcmp(names[i], rc->kw_name))
			id = i;
	if (id < 0)
		return kw_fail(rc, KW_ERR, "unknown transform");
	if (rc->cur_buf < 0)
		return kw_fail(rc, KW_ERR, "a transform must follow a sticky buffer");
	struct rule_buf *b = &rc->r->bufs[rc->cur_buf];
	/* A transform after the buffer's first match still applies to the whole
	 * buffer, as in Suricata 5 and 6 (ET Open has such rules). */
	if (b->n_xform == RULE_MAX_TRANSFORMS)
		return kw_fail(rc, KW_ERR, "more than %d transforms on one buffer",
			       RULE_MAX_TRANSFORMS);
	void *arg = NULL;
	if (id == XFORM_XOR) {
		size_t n = strlen(v);
		if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
			v++;
			n -= 2;
		}
		if (n == 0 || n % 2)
			return kw_fail(rc, KW_ERR, "expected an even number of hex digits");
		struct xform_xor *x = malloc(sizeof(*x) + n / 2);
		if (!x)
			return kw_fail(rc, KW_ERR, "out of memory");
		x->len = (uint32_t)(n / 2);
		for (size_t i = 0; i < n; i += 2) {
			int hi = hexv((unsigned char)v[i]), lo = hexv((unsigned char)v[i + 1]);
			if (hi < 0 || lo < 0) {
				free(x);
				return kw_fail(rc, KW_ERR, "'%.2s' is not hex", v + i);
			}
			x->key[i / 2] = (uint8_t)(hi << 4 | lo);
		}
		arg = x;
	} else if (id == XFORM_PCREXFORM) {
		size_t n = strlen(v);
		if (n < 2 || v[0] != '"' || v[n - 1] != '"')
			return kw_fail(rc, KW_ERR, "the expression must be quoted");
		int err;
		PCRE2_SIZE off;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)(v + 1), n - 2, 0, &err, &off, NULL);
		if (!re)
			return kw_fail(rc, KW_ERR, "invalid expression at offset %zu", (size_t)off);
		uint32_t caps = 0;
		pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &caps);
		if (caps < 1) {
			pcre2_code_free(re);
			return kw_fail(rc, KW_ERR, "the expression needs a capture group");
		}
		/* Not kept: pcrexform is parsed for validity; its output is computed
		 * with a fresh compile per use, which is too slow for the packet path. */
		pcre2_code_free(re);
		return kw_fail(rc, KW_UNSUPPORTED, "pcrexform is not supported");
	} else if (id == XFORM_FROM_BASE64 && *v) {
		return kw_fail(rc, KW_UNSUPPORTED, "from_base64 options are not supported");
	} else if (*v) {
		return kw_fail(rc, KW_ERR, "takes no value");
	}
	b->xform[b->n_xform] = (uint8_t)id;
	b->xform_arg[b->n_xform] = arg;
	b->n_xform++;
	return KW_OK;
}

static uint32_t digest(enum digest_kind md, const uint8_t *in, uint32_t len, uint8_t *out,
		       uint32_t cap)
{
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned dl = digest_once(md, in, len, d);
	if (!dl)
		return 0;
	if (dl > cap)
		dl = cap;
	memcpy(out, d, dl);
	return dl;
}

static uint32_t url_decode(const uint8_t *in, uint32_t len, uint8_t *out, uint32_t cap)
{
	uint32_t o = 0;
	for (uint32_t i = 0; i < len && o < cap; i++) {
		if (in[i] == '%' && i + 2 < len + 0 && hexv(in[i + 1]) >= 0 &&
		    hexv(in[i + 2]) >= 0) {
			out[o++] = (uint8_t)(hexv(in[i + 1]) << 4 | hexv(in[i + 2]));
			i += 2;
		} else if (in[i] == '+') {
			out[o++] = ' ';
		} else {
			out[o++] = in[i];
		}
	}
	return o;
}

static uint32_t from_base64(const uint8_t *in, uint32_t len, uint8_t *out, uint32_t cap)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc = 0, bits = 0, o = 0;
	for (uint32_t i = 0; i < len && o < cap; i++) {
		const char *p = in[i] ? strchr(tbl, in[i]) : NULL;
		if (!p)
			break; /* stops at padding or the first invalid character */
		acc = acc << 6 | (uint32_t)(p - tbl);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return o;
}

uint32_t xform_apply(unsigned id, const void *arg, const uint8_t *in, uint32_t len, uint8_t *out,
		     uint32_t cap)
{
	uint32_t o = 0;
	switch (id) {
	case XFORM_DOTPREFIX:
		if (cap == 0)
			return 0;
		out[o++] = '.';
		for (uint32_t i = 0; i < len && o < cap; i++)
			out[o++] = in[i];
		return o;
	case XFORM_STRIP_WHITESPACE:
		for (uint32_t i = 0; i < len && o < cap; i++)
			if (!isspace(in[i]))
				out[o++] = in[i];
		return o;
	case XFORM_COMPRESS_WHITESPACE:
		for (uint32_t i = 0; i < len && o < cap; i++) {
			if (isspace(in[i]) && i > 0 && isspace(in[i - 1]))
				continue;
			out[o++] = in[i];
		}
		return o;
	case XFORM_TO_LOWERCASE:
	case XFORM_HEADER_LOWERCASE:
		for (uint32_t i = 0; i < len && o < cap; i++)
			out[o++] = (uint8_t)tolower(in[i]);
		return o;
	case XFORM_TO_UPPERCASE:
		for (uint32_t i = 0; i < len && o < cap; i++)
			out[o++] = (uint8_t)toupper(in[i]);
		return o;
	case XFORM_TO_MD5:
		return digest(DIGEST_MD5, in, len, out, cap);
	case XFORM_TO_SHA1:
		return digest(DIGEST_SHA1, in, len, out, cap);
	case XFORM_TO_SHA256:
		return digest(DIGEST_SHA256, in, len, out, cap);
	case XFORM_URL_DECODE:
		return url_decode(in, len, out, cap);
	case XFORM_XOR: {
		const struct xform_xor *x = arg;
		for (uint32_t i = 0; i < len && o < cap; i++)
			out[o++] = in[i] ^ x->key[i % x->len];
		return o;
	}
	case XFORM_FROM_BASE64:
		return from_base64(in, len, out, cap);
	default: /* strip_pseudo_headers: HTTP/1 has none */
		for (uint32_t i = 0; i < len && o < cap; i++)
			out[o++] = in[i];
		return o;
	}
}

#define XFORM(id, name, arg)                                                                       \
	const struct kw_def kw_xf_##id = {name, 0,   setup_transform, NULL, NULL, NULL, 0,         \
					  NULL, NULL};
#include "detect/transforms.def"
#undef XFORM
