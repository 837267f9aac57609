/*
 * json — a small JSON writer into a growable buffer with a hard cap, used
 * for EVE records. Strings are escaped for JSON and invalid UTF-8 bytes are
 * written as \u00XX, so any wire bytes make valid output. Commas are handled
 * by a nesting stack. At the cap the record is marked truncated and further
 * writes are ignored (the caller drops the record and counts it).
 */
#ifndef MAMORI_OUTPUT_JSON_H
#define MAMORI_OUTPUT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 16

/* The small writers below are forced inline so literal key lengths fold. */
#define JB_INLINE static inline __attribute__((always_inline))

struct jbuf {
	char *p;
	size_t len, cap, max;
	bool overflow;
	int depth;
	bool first[JSON_MAX_DEPTH];
};

/* Slow path of jb_reserve: grow the buffer (up to max). */
bool jb_grow(struct jbuf *jb, size_t need);

/* Room for `need` more bytes? Marks the buffer overflowed when not. */
JB_INLINE bool jb_reserve(struct jbuf *jb, size_t need)
{
	if (jb->overflow)
		return false;
	return jb->len + need <= jb->cap || jb_grow(jb, need);
}

/* Separator and "key": for the next member (key may be NULL in arrays).
 * Keys are literals of this program: plain ASCII, never escaped. */
JB_INLINE void jb_key(struct jbuf *jb, const char *key)
{
	size_t n = key ? __builtin_strlen(key) : 0;
	if (!jb_reserve(jb, n + 4))
		return;
	if (!jb->first[jb->depth])
		jb->p[jb->len++] = ',';
	jb->first[jb->depth] = false;
	if (key) {
		jb->p[jb->len++] = '"';
		__builtin_memcpy(jb->p + jb->len, key, n);
		jb->len += n;
		jb->p[jb->len++] = '"';
		jb->p[jb->len++] = ':';
	}
}

/* initial/max are byte sizes; returns 0 or -1 (OOM). Free with jb_free. */
int jb_init(struct jbuf *jb, size_t initial, size_t max);
void jb_free(struct jbuf *jb);
void jb_reset(struct jbuf *jb); /* empty the buffer, keep the memory */

void jb_open(struct jbuf *jb, const char *key);       /* "key":{  or { */
void jb_close(struct jbuf *jb);                       /* } */
void jb_open_array(struct jbuf *jb, const char *key); /* "key":[ */
void jb_close_array(struct jbuf *jb);                 /* ] */
void jb_str(struct jbuf *jb, const char *key, const char *s);

/*
 * A string this program formatted itself (timestamps, addresses, ids, names):
 * known to be printable ASCII without quotes or backslashes, so it is copied
 * as it is. Wire-derived text must go through jb_str/jb_strn.
 */
JB_INLINE void jb_str_plain(struct jbuf *jb, const char *key, const char *s)
{
	size_t n = __builtin_strlen(s);
	jb_key(jb, key);
	if (!jb_reserve(jb, n + 2))
		return;
	jb->p[jb->len++] = '"';
	__builtin_memcpy(jb->p + jb->len, s, n);
	jb->len += n;
	jb->p[jb->len++] = '"';
}
void jb_strn(struct jbuf *jb, const char *key, const uint8_t *s, size_t n);
void jb_i64(struct jbuf *jb, const char *key, int64_t v);

/* Decimal text of v into the end of t[20], two digits a step; returns the start. */
char *json_u64_text(uint64_t v, char t[20]);

JB_INLINE void jb_u64(struct jbuf *jb, const char *key, uint64_t v)
{
	char t[20];
	jb_key(jb, key);
	char *s = json_u64_text(v, t);
	size_t n = (size_t)(t + 20 - s);
	if (!jb_reserve(jb, n))
		return;
	__builtin_memcpy(jb->p + jb->len, s, n);
	jb->len += n;
}

JB_INLINE void jb_bool(struct jbuf *jb, const char *key, bool v)
{
	jb_key(jb, key);
	if (!jb_reserve(jb, 5))
		return;
	__builtin_memcpy(jb->p + jb->len, v ? "true" : "false", v ? 4 : 5);
	jb->len += v ? 4 : 5;
}
void jb_raw(struct jbuf *jb, const char *s, size_t n); /* no comma logic */

/* Suricata's timestamp: 2024-01-15T09:00:00.123456+0000 (local time). */
void json_format_ts(uint64_t ts_ns, char *out, size_t outlen);

#endif
