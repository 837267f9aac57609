/*
 * records — the chunked input format of the stream fuzz targets (fuzz_app,
 * fuzz_tls): after the target's own leading byte, records
 *   [flags:1][length:2 BE][data]
 * flags bit 0 the direction (1 = to client), bit 1 a gap of `length` bytes
 * instead of data. Each data record is handed out as an exact-size copy, so a
 * read past the chunk is caught by ASan; the caller frees it.
 */
#ifndef MAMORI_FUZZ_RECORDS_H
#define MAMORI_FUZZ_RECORDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct fz_rec {
	int dir;
	bool gap;
	uint32_t len;
	uint8_t *copy; /* data records: malloc'd copy of len bytes */
};

/* The next record at *off; false at the end of the input (or out of memory). */
static inline bool fz_next(const uint8_t *data, size_t size, size_t *off, struct fz_rec *r)
{
	if (*off + 3 > size)
		return false;
	uint8_t fl = data[*off];
	r->len = (uint32_t)data[*off + 1] << 8 | data[*off + 2];
	*off += 3;
	r->dir = fl & 1;
	r->gap = (fl & 2) != 0;
	r->copy = NULL;
	if (r->gap)
		return true;
	if (r->len > size - *off)
		r->len = (uint32_t)(size - *off);
	r->copy = malloc(r->len ? r->len : 1);
	if (!r->copy)
		return false;
	memcpy(r->copy, data + *off, r->len);
	*off += r->len;
	return true;
}

#endif
