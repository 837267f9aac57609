/*
 * rd — the bounds-checked reader every decoder uses for wire bytes.
 *
 * A `struct rd` is a borrowed view of bytes. Every accessor checks the offset
 * against the view's length: an out-of-range read returns 0 and never touches
 * memory outside the view. Decoders first ask rd_has() for the bytes a header
 * needs (raising a "truncated" anomaly when absent), then read fields. Because
 * every read is checked, a decoder that forgets a length test produces a wrong
 * value, never an out-of-bounds access.
 */
#ifndef MAMORI_CORE_RD_H
#define MAMORI_CORE_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t *p; /* borrowed */
	uint32_t len;
};

static inline struct rd rd_make(const uint8_t *p, uint32_t len)
{
	struct rd r = {p, len};
	return r;
}

/* True when [off, off+n) lies inside the view. */
static inline bool rd_has(struct rd r, uint32_t off, uint32_t n)
{
	return off <= r.len && n <= r.len - off;
}

static inline uint8_t rd_u8(struct rd r, uint32_t off)
{
	return off < r.len ? r.p[off] : 0;
}

static inline uint16_t rd_be16(struct rd r, uint32_t off)
{
	if (!rd_has(r, off, 2))
		return 0;
	return (uint16_t)((uint16_t)r.p[off] << 8 | r.p[off + 1]);
}

static inline uint16_t rd_le16(struct rd r, uint32_t off)
{
	if (!rd_has(r, off, 2))
		return 0;
	return (uint16_t)((uint16_t)r.p[off + 1] << 8 | r.p[off]);
}

static inline uint32_t rd_be32(struct rd r, uint32_t off)
{
	if (!rd_has(r, off, 4))
		return 0;
	return (uint32_t)r.p[off] << 24 | (uint32_t)r.p[off + 1] << 16 |
	       (uint32_t)r.p[off + 2] << 8 | r.p[off + 3];
}

static inline uint32_t rd_le32(struct rd r, uint32_t off)
{
	if (!rd_has(r, off, 4))
		return 0;
	return (uint32_t)r.p[off + 3] << 24 | (uint32_t)r.p[off + 2] << 16 |
	       (uint32_t)r.p[off + 1] << 8 | r.p[off];
}

/* Copy n bytes at off into dst; false (dst untouched) when out of range. */
static inline bool rd_copy(struct rd r, uint32_t off, void *dst, uint32_t n)
{
	if (!rd_has(r, off, n))
		return false;
	for (uint32_t i = 0; i < n; i++)
		((uint8_t *)dst)[i] = r.p[off + i];
	return true;
}

/* Pointer to n readable bytes at off, or NULL. */
static inline const uint8_t *rd_ptr(struct rd r, uint32_t off, uint32_t n)
{
	return rd_has(r, off, n) ? r.p + off : NULL;
}

/*
 * Fixed-size header fields from a pointer that rd_ptr() already checked for
 * the whole header: no further bounds checks needed within those bytes.
 */
static inline uint16_t be16_at(const uint8_t *b)
{
	return (uint16_t)((uint16_t)b[0] << 8 | b[1]);
}

static inline uint32_t be32_at(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The sub-view starting at off, clamped to what is available. */
static inline struct rd rd_sub(struct rd r, uint32_t off, uint32_t n)
{
	struct rd s = {r.p, 0};
	if (off > r.len)
		return s;
	s.p = r.p + off;
	s.len = n < r.len - off ? n : r.len - off;
	return s;
}

#endif
