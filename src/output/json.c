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

bool jb_grow(struct jbuf *jb, size_t need)
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
	if (!jb_reserve(jb, n))
		return;
	memcpy(jb->p + jb->len, s, n);
	jb->len += n;
}

static inline void putc_(struct jbuf *jb, char c)
{
	if (jb_reserve(jb, 1))
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

/* Bytes that can be copied as they are: printable ASCII except " and \\. */
static inline bool plain(uint8_t c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

static void escaped(struct jbuf *jb, const uint8_t *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	putc_(jb, '"');
	for (size_t i = 0; i < n;) {
		size_t run = i;
		while (run < n && plain(s[run]))
			run++;
		if (run > i) {
			jb_raw(jb, (const char *)s + i, run - i);
			i = run;
			continue;
		}
		uint8_t c = s[i];
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
		jb_key(jb, key);
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
	jb_key(jb, key);
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
	jb_key(jb, key);
	escaped(jb, (const uint8_t *)s, strlen(s));
}

void jb_strn(struct jbuf *jb, const char *key, const uint8_t *s, size_t n)
{
	jb_key(jb, key);
	escaped(jb, s, n);
}

char *json_u64_text(uint64_t v, char t[20])
{
	static const char pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				       "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				       "8081828384858687888990919293949596979899";
	char *s = t + 20;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		*--s = pairs[2 * r + 1];
		*--s = pairs[2 * r];
	}
	if (v >= 10) {
		*--s = pairs[2 * v + 1];
		*--s = pairs[2 * v];
	} else {
		*--s = (char)('0' + v);
	}
	return s;
}

void jb_i64(struct jbuf *jb, const char *key, int64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%" PRId64, v);
	jb_key(jb, key);
	jb_raw(jb, b, (size_t)n);
}


/* Days since 1970-01-01 to a civil date (proleptic Gregorian calendar). */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400) + (*m <= 2);
}

static void put_digits(char *out, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

void json_format_ts(uint64_t ts_ns, char *out, size_t outlen)
{
	/*
	 * localtime_r takes a lock and is slow: ask it only for the UTC offset,
	 * once per hour of time seen, and do the calendar arithmetic here.
	 */
	static _Thread_local int64_t hour_start = INT64_MIN;
	static _Thread_local long gmtoff;
	static _Thread_local char zone[8];
	int64_t sec = (int64_t)(ts_ns / 1000000000ull);
	unsigned usec = (unsigned)(ts_ns % 1000000000ull / 1000);

	if (outlen < 32) {
		if (outlen)
			out[0] = '\0';
		return;
	}
	if (sec < hour_start || sec >= hour_start + 3600) {
		struct tm tm;
		time_t t = (time_t)sec;
		localtime_r(&t, &tm);
		gmtoff = tm.tm_gmtoff;
		long a = gmtoff < 0 ? -gmtoff : gmtoff;
		zone[0] = gmtoff < 0 ? '-' : '+';
		put_digits(zone + 1, (unsigned)(a / 3600 % 100), 2);
		put_digits(zone + 3, (unsigned)(a / 60 % 60), 2);
		zone[5] = '\0';
		hour_start = sec - sec % 3600;
	}
	int64_t local = sec + gmtoff;
	int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	unsigned sod = (unsigned)(local - days * 86400);
	int y;
	unsigned mo, d;
	civil_from_days(days, &y, &mo, &d);
	/* YYYY-MM-DDTHH:MM:SS.uuuuuu+ZZZZ */
	put_digits(out, (unsigned)(y < 0 ? 0 : y % 10000), 4);
	out[4] = '-';
	put_digits(out + 5, mo, 2);
	out[7] = '-';
	put_digits(out + 8, d, 2);
	out[10] = 'T';
	put_digits(out + 11, sod / 3600, 2);
	out[13] = ':';
	put_digits(out + 14, sod / 60 % 60, 2);
	out[16] = ':';
	put_digits(out + 17, sod % 60, 2);
	out[19] = '.';
	put_digits(out + 20, usec, 6);
	memcpy(out + 26, zone, 6);
}
