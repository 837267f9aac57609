/*
 * store_util — small conversions shared by the store's writer, its query and
 * its hunt: the lookup key of a domain name, hex to bytes, address ranges,
 * and time expressions ("2024-01-15", RFC 3339, "7d"). Pure functions,
 * thread-safe.
 */
#ifndef MAMORI_STORE_STORE_UTIL_H
#define MAMORI_STORE_STORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_NAME_MAX 256 /* a name key, with its NUL */

/*
 * The key a domain name is stored under: lower case, a trailing dot
 * dropped, labels in reverse order ("www.Example.COM." -> "com.example.www"),
 * so that a name and every name below it sort together. The same function
 * turns a key back into the name. Returns the key's length (written with a
 * NUL), or 0 when the name is empty or longer than STORE_NAME_MAX - 1.
 */
size_t store_name_key(const char *name, size_t len, char *out);

/* Hex text to exactly n bytes (':' and '-' between digits are skipped).
 * 0, or -1 when the text is not n bytes of hex. */
int store_unhex(const char *p, size_t len, uint8_t *out, size_t n);

/* The BLOB range [lo, hi] (n = 4 or 16 bytes) of the prefix addr/plen. */
void store_prefix_range(int ver, const uint8_t *addr, unsigned plen, uint8_t lo[16],
			uint8_t hi[16]);

/* An address or CIDR in text ("10.1.0.0/16", "2001:db8::1") as its version,
 * masked address and prefix length. 0, or -1 when it is neither. */
int store_parse_prefix(const char *s, int *ver, uint8_t addr[16], unsigned *plen);

/* The store a command reads: --store PATH, else DIR/mamori.db (-d/-o DIR),
 * else mamori.db. */
void store_path_arg(const char *store, const char *dir, char *out, size_t outlen);

/*
 * A point in time, in µs since the epoch: RFC 3339 ("2024-01-15T09:00:00Z",
 * "2024-01-15 09:00:00.5+09:00"; without a zone UTC), a date ("2024-01-15":
 * its midnight UTC), "now", or an age before `now_us`: a number and a unit,
 * s m h d w ("90s", "24h", "7d", "2w"). 0, or -1 when not understood.
 */
int store_parse_time(const char *s, int64_t now_us, int64_t *out_us);

/* RFC 3339 alone ("2024-01-15T09:12:00.5+09:00"; a date alone, or no zone:
 * UTC), in µs since the epoch, 1970 or later. 0, or -1 when not one. */
int store_parse_rfc3339(const char *s, int64_t *out_us);

#endif
