/*
 * json — see json.h.
 */
#include "output/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int jb_init(struct jbuf *jb, size_t initial, size_t max)
{
	memset(jb, 0, sizeof(*jb));
	jb->p = malloc(initial);
	if (!jb->p)
		return -1;
	jb->cap = initial;
	jb->max = max;
	jb->first[0] = true;
	return 0;
}

void jb_free(struct jbuf *jb)
{
	free(jb->p);
	memset(jb, 0, sizeof(*jb));
}

void jb_reset(struct jbuf *jb)
{
	jb->len = 0;
	jb->overflow = false;
	jb->depth = 0;
	jb->first[0] = true;
}

static bool grow(struct jbuf *jb, size_t need)
{
	if (jb->overflow)
		return false;
	if (jb->len + need <= jb->cap)
		return true;
	size_t nc = jb->cap * 2;
	while (nc < jb->len + need)
		nc *= 2;
	if (nc > jb->max)
		nc = jb->max;
	if (jb->len + need > nc) {
		jb->overflow = true;
		return false;
	}
	char *np = realloc(jb->p, nc);
	if (!np) {
		jb->overflow = true;
		return false;
	}
	jb->p = np;
	jb->cap = nc;
	return true;
}

void jb_raw(struct jbuf *jb, const char *s, size_t n)
{
	if (!grow(jb, n))
		return;
	memcpy(jb->p + jb->len, s, n);
	jb->len += n;
}

static inline void putc_(struct jbuf *jb, char c)
{
	if (grow(jb, 1))
		jb->p[jb->len++] = c;
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		cp = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		cp = c & 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static void escaped(struct jbuf *jb, const uint8_t *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	putc_(jb, '"');
	for (size_t i = 0; i < n;) {
		uint8_t c = s[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			putc_(jb, (char)c);
			i++;
			continue;
		}
		if (c >= 0x80) {
			size_t l = utf8_len(s + i, n - i);
			if (l) {
				jb_raw(jb, (const char *)s + i, l);
				i += l;
				continue;
			}
		}
		char e[7] = {'\\', 0, 0, 0, 0, 0, 0};
		size_t el = 2;
		switch (c) {
		case '"': e[1] = '"'; break;
		case '\\': e[1] = '\\'; break;
		case '\n': e[1] = 'n'; break;
		case '\r': e[1] = 'r'; break;
		case '\t': e[1] = 't'; break;
		case '\b': e[1] = 'b'; break;
		case '\f': e[1] = 'f'; break;
		default:
			e[1] = 'u';
			e[2] = '0';
			e[3] = '0';
			e[4] = hex[c >> 4];
			e[5] = hex[c & 15];
			el = 6;
			break;
		}
		jb_raw(jb, e, el);
		i++;
	}
	putc_(jb, '"');
}

static void key_(struct jbuf *jb, const char *key)
{
	if (!jb->first[jb->depth])
		putc_(jb, ',');
	jb->first[jb->depth] = false;
	if (key) {
		escaped(jb, (const uint8_t *)key, strlen(key));
		putc_(jb, ':');
	}
}

static void push(struct jbuf *jb, char c)
{
	putc_(jb, c);
	if (jb->depth + 1 < JSON_MAX_DEPTH)
		jb->depth++;
	else
		jb->overflow = true;
	jb->first[jb->depth] = true;
}

void jb_open(struct jbuf *jb, const char *key)
{
	if (jb->depth > 0 || key)
		key_(jb, key);
	push(jb, '{');
}

void jb_close(struct jbuf *jb)
{
	putc_(jb, '}');
	if (jb->depth > 0)
		jb->depth--;
	if (jb->depth == 0)
		jb->first[0] = true;
}

void jb_open_array(struct jbuf *jb, const char *key)
{
	key_(jb, key);
	push(jb, '[');
}

void jb_close_array(struct jbuf *jb)
{
	putc_(jb, ']');
	if (jb->depth > 0)
		jb->depth--;
}

void jb_str(struct jbuf *jb, const char *key, const char *s)
{
	key_(jb, key);
	escaped(jb, (const uint8_t *)s, strlen(s));
}

void jb_strn(struct jbuf *jb, const char *key, const uint8_t *s, size_t n)
{
	key_(jb, key);
	escaped(jb, s, n);
}

void jb_u64(struct jbuf *jb, const char *key, uint64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%" PRIu64, v);
	key_(jb, key);
	jb_raw(jb, b, (size_t)n);
}

void jb_i64(struct jbuf *jb, const char *key, int64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%" PRId64, v);
	key_(jb, key);
	jb_raw(jb, b, (size_t)n);
}

void jb_bool(struct jbuf *jb, const char *key, bool v)
{
	key_(jb, key);
	jb_raw(jb, v ? "true" : "false", v ? 4 : 5);
}

void json_format_ts(uint64_t ts_ns, char *out, size_t outlen)
{
	time_t sec = (time_t)(ts_ns / 1000000000ull);
	unsigned usec = (unsigned)(ts_ns % 1000000000ull / 1000);
	struct tm tm;
	char date[32], zone[8];

	localtime_r(&sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(out, outlen, "%s.%06u%s", date, usec, zone);
}
