/*
 * addrset — address and port expressions of rule headers.
 *
 * Parses Suricata's forms: `any`, single addresses, CIDR (IPv4 and IPv6),
 * ranges (`a-b` for addresses, `a:b`, `a:`, `:b` for ports), lists in
 * brackets (nested), negation with `!` anywhere, and `$VARIABLES` resolved
 * through a lookup callback (recursion depth capped). The result is a set of
 * sorted, disjoint ranges: a list subtracts its negated members from the union
 * of its positive ones (or from everything when it has none), as Suricata
 * does. Matching is a binary search.
 */
#ifndef MAMORI_DETECT_ADDRSET_H
#define MAMORI_DETECT_ADDRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef unsigned __int128 u128;

struct range128 {
	u128 lo, hi;
};

struct ipset {
	bool any;
	uint32_t n4, n6;
	struct range128 *v4; /* values in the low 32 bits */
	struct range128 *v6;
};

struct portrange {
	uint16_t lo, hi;
};

struct portset {
	bool any;
	uint32_t n;
	struct portrange *r;
};

/*
 * Returns the value of a variable (without the '$'), or NULL when unknown.
 * `port` says which group is asked for.
 */
typedef const char *(*addrset_var_fn)(void *ctx, const char *name, bool port);

/* Error text for the caller's message; `col` is the offset in the expression. */
struct addrset_err {
	char msg[160];
	unsigned col;
};

/* Parse an address expression into s (zeroed first). 0, or -1 with err filled. */
int ipset_parse(struct ipset *s, const char *expr, addrset_var_fn var, void *vctx,
		struct addrset_err *err);
int portset_parse(struct portset *s, const char *expr, addrset_var_fn var, void *vctx,
		  struct addrset_err *err);

void ipset_free(struct ipset *s);
void portset_free(struct portset *s);

/* a: 4 bytes (ver 4) or 16 bytes (ver 6). */
bool ipset_match(const struct ipset *s, const uint8_t *a, int ver);
bool portset_match(const struct portset *s, uint16_t port);

/* Write a readable form ("any", "10.0.0.0-10.255.255.255, ...") for debugging. */
void ipset_format(const struct ipset *s, char *out, size_t outlen);

#endif
