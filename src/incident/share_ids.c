/*
 * share_ids — identifiers, pseudonyms, times and the address scanner of the
 * STIX share (share_int.h).
 */
#include "incident/share_int.h"

#include <arpa/inet.h>
#include <math.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/digest.h"
#include "store/store_util.h"

const uint8_t share_ns_sco[16] = {0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
				  0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7};
/* e2f9acd1-6321-429d-85a6-e9edddaa36cc, drawn once at random for mamori */
const uint8_t share_ns_mamori[16] = {0xe2, 0xf9, 0xac, 0xd1, 0x63, 0x21, 0x42, 0x9d,
				     0x85, 0xa6, 0xe9, 0xed, 0xdd, 0xaa, 0x36, 0xcc};

static const char hexd[] = "0123456789abcdef";

void share_uuid5(const uint8_t ns[16], const void *name, size_t n, char out[37])
{
	uint8_t h[32] = {0};
	uint8_t *buf = malloc(16 + n);
	if (buf) {
		memcpy(buf, ns, 16);
		memcpy(buf + 16, name, n);
		digest_once(DIGEST_SHA1, buf, 16 + n, h);
		free(buf);
	}
	h[6] = (uint8_t)((h[6] & 0x0f) | 0x50); /* version 5 */
	h[8] = (uint8_t)((h[8] & 0x3f) | 0x80); /* the RFC 4122 variant */
	size_t o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hexd[h[i] >> 4];
		out[o++] = hexd[h[i] & 15];
	}
	out[o] = '\0';
}

/* ---- canonical JSON (RFC 8785) ---- */

struct cbuf {
	char *p;
	size_t len, cap;
	bool fail;
};

static void cput(struct cbuf *b, const char *s, size_t n)
{
	if (b->fail)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->fail = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void cstr(struct cbuf *b, const char *s, size_t n)
{
	cput(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[8];
		const char *rep = NULL;
		switch (c) {
		case '"':
			rep = "\\\"";
			break;
		case '\\':
			rep = "\\\\";
			break;
		case '\b':
			rep = "\\b";
			break;
		case '\f':
			rep = "\\f";
			break;
		case '\n':
			rep = "\\n";
			break;
		case '\r':
			rep = "\\r";
			break;
		case '\t':
			rep = "\\t";
			break;
		default:
			if (c < 0x20) {
				snprintf(e, sizeof(e), "\\u%04x", c);
				rep = e;
			}
		}
		if (rep)
			cput(b, rep, strlen(rep));
		else
			cput(b, (const char *)&s[i], 1);
	}
	cput(b, "\"", 1);
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void cval(struct cbuf *b, const json_t *v, int depth)
{
	if (depth > 32) {
		b->fail = true;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(v), i = 0;
		const char **keys = malloc((n ? n : 1) * sizeof(*keys));
		if (!keys) {
			b->fail = true;
			return;
		}
		const char *k;
		json_t *m;
		json_object_foreach((json_t *)v, k, m) {
			keys[i++] = k;
		}
		qsort(keys, n, sizeof(*keys), key_cmp);
		cput(b, "{", 1);
		for (i = 0; i < n; i++) {
			if (i)
				cput(b, ",", 1);
			cstr(b, keys[i], strlen(keys[i]));
			cput(b, ":", 1);
			cval(b, json_object_get(v, keys[i]), depth + 1);
		}
		cput(b, "}", 1);
		free(keys);
		break;
	}
	case JSON_ARRAY: {
		cput(b, "[", 1);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				cput(b, ",", 1);
			cval(b, json_array_get(v, i), depth + 1);
		}
		cput(b, "]", 1);
		break;
	}
	case JSON_STRING:
		cstr(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER: {
		char t[32];
		int w = snprintf(t, sizeof(t), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		cput(b, t, (size_t)w);
		break;
	}
	case JSON_TRUE:
		cput(b, "true", 4);
		break;
	case JSON_FALSE:
		cput(b, "false", 5);
		break;
	case JSON_NULL:
		cput(b, "null", 4);
		break;
	case JSON_REAL:
		b->fail = true;
		break;
	}
}

char *share_canonical(const json_t *v)
{
	struct cbuf b = {0};
	cval(&b, v, 0);
	if (b.fail || !b.p) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* ---- keys and pseudonyms ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int share_hex_key(const char *hex, uint8_t *key, size_t cap)
{
	size_t len = strlen(hex);
	if (len % 2 || len / 2 > cap)
		return -1;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		key[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(len / 2);
}

bool share_pseudonym(const uint8_t *key, size_t kn, const uint8_t *addr, int ver, char out[22])
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int ml = 0;
	if (!HMAC(digest_md(DIGEST_SHA256), key, (int)kn, addr, ver == 4 ? 4 : 16, mac, &ml) ||
	    ml < 8)
		return false;
	memcpy(out, "host-", 5);
	for (int i = 0; i < 8; i++) {
		out[5 + 2 * i] = hexd[mac[i] >> 4];
		out[6 + 2 * i] = hexd[mac[i] & 15];
	}
	out[21] = '\0';
	return true;
}

bool share_scope(const uint8_t *key, size_t kn, const char *label, char out[17])
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int ml = 0;
	if (!HMAC(digest_md(DIGEST_SHA256), key, (int)kn, (const uint8_t *)label, strlen(label),
		  mac, &ml) ||
	    ml < 8)
		return false;
	for (int i = 0; i < 8; i++) {
		out[2 * i] = hexd[mac[i] >> 4];
		out[2 * i + 1] = hexd[mac[i] & 15];
	}
	out[16] = '\0';
	return true;
}

/* ---- times ---- */

bool share_time_ms(const json_t *o, const char *key, int64_t *ms)
{
	char ek[64];
	snprintf(ek, sizeof(ek), "%s_epoch", key);
	json_t *e = json_object_get(o, ek);
	if (json_is_number(e)) {
		double v = json_number_value(e);
		/* 0001-01-01 .. 9999-12-31: what a STIX timestamp can say */
		if (!isfinite(v) || v < -62135596800.0 || v > 253402300799.0)
			return false;
		*ms = (int64_t)floor(v * 1000.0 + 1e-3);
		return true;
	}
	const char *s = json_string_value(json_object_get(o, key));
	int64_t us;
	if (!s || store_parse_rfc3339(s, &us) < 0 || us > 253402300799999999LL)
		return false;
	*ms = us / 1000;
	return true;
}

void share_ts(int64_t ms, char out[32])
{
	int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	int milli = (int)(ms - sec * 1000);
	time_t t = (time_t)sec;
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		snprintf(out, 32, "1970-01-01T00:00:00.000Z");
		return;
	}
	snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ",
		 (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
		 (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
		 (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u, (unsigned)milli % 1000u);
}

/* ---- address literals in text ---- */

bool share_parse_addr(const char *text, uint8_t addr[16], int *ver)
{
	if (inet_pton(AF_INET, text, addr) == 1) {
		*ver = 4;
		return true;
	}
	if (inet_pton(AF_INET6, text, addr) == 1) {
		*ver = 6;
		return true;
	}
	return false;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_v6char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
	       c == '.';
}

/* A dotted quad starting at s[i] (s[i] a digit not after a digit or a dot):
 * its length, or 0. */
static size_t quad_at(const char *s, size_t n, size_t i)
{
	size_t j = i;
	for (int part = 0; part < 4; part++) {
		size_t k = 0;
		while (j + k < n && is_digit(s[j + k]) && k < 4)
			k++;
		if (k == 0 || k > 3)
			return 0;
		j += k;
		if (part < 3) {
			if (j >= n || s[j] != '.')
				return 0;
			j++;
		}
	}
	/* part of something longer: more digits, or a fifth ".digits" */
	if (j < n && (is_digit(s[j]) || (s[j] == '.' && j + 1 < n && is_digit(s[j + 1]))))
		return 0;
	return j - i;
}

bool share_scan_addrs(const char *s, size_t n, share_addr_fn fn, void *ctx)
{
	char tok[64];
	uint8_t a[16];
	for (size_t i = 0; i < n; i++) {
		/* IPv4 */
		if (is_digit(s[i]) && (i == 0 || (!is_digit(s[i - 1]) && s[i - 1] != '.'))) {
			size_t len = quad_at(s, n, i);
			if (len && len < sizeof(tok)) {
				memcpy(tok, s + i, len);
				tok[len] = '\0';
				if (inet_pton(AF_INET, tok, a) == 1 && fn(ctx, a, 4, tok, len))
					return true;
			}
		}
		/* IPv6: a maximal run of hex digits, ':' and '.' */
		if (is_v6char(s[i]) && (i == 0 || !is_v6char(s[i - 1]))) {
			size_t j = i, colons = 0;
			while (j < n && is_v6char(s[j]))
				colons += s[j++] == ':';
			size_t len = j - i;
			/* a trailing '.' or ':' ends a sentence or a "host:" label */
			while (len &&
			       (s[i + len - 1] == '.' ||
				(s[i + len - 1] == ':' && (len < 2 || s[i + len - 2] != ':'))))
				len--;
			if (colons >= 2 && len < sizeof(tok)) {
				memcpy(tok, s + i, len);
				tok[len] = '\0';
				if (inet_pton(AF_INET6, tok, a) == 1 && fn(ctx, a, 6, tok, len))
					return true;
			}
		}
	}
	return false;
}
