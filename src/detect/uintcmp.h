/*
 * uintcmp — the number comparisons many keywords share (dsize, ttl, id,
 * bsize, urilen, itype, stream_size ...): `N`, `<N`, `<=N`, `>N`, `>=N`,
 * `!N`, and exclusive ranges `N<>M` or `N-M` (optionally negated with `!`),
 * as in Suricata.
 */
#ifndef MAMORI_DETECT_UINTCMP_H
#define MAMORI_DETECT_UINTCMP_H

#include <stdbool.h>
#include <stdint.h>

enum ucmp_mode { UCMP_EQ, UCMP_NE, UCMP_LT, UCMP_LE, UCMP_GT, UCMP_GE, UCMP_RANGE, UCMP_NRANGE };

struct ucmp {
	uint8_t mode;
	uint64_t a, b;
};

/* Parse s with values up to max. 0 or -1. */
int ucmp_parse(const char *s, uint64_t max, struct ucmp *out);
bool ucmp_match(const struct ucmp *c, uint64_t v);

#endif
