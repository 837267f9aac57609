/*
 * ipindex — finds the IP-only rules (addresses and ports only, like the
 * reputation lists in ET Open) that can match a packet's addresses without
 * testing every rule: each rule is indexed by its narrower side (source or
 * destination), as sorted address segments. Rules with two wide sides (any,
 * $EXTERNAL_NET ...) or <> go to a linear list the caller checks. Built
 * once, read-only afterwards.
 */
#ifndef MAMORI_DETECT_IPINDEX_H
#define MAMORI_DETECT_IPINDEX_H

#include "detect/rule.h"

struct ip_index;

typedef void (*ip_index_fn)(void *ctx, const struct rule *r);

/*
 * Index rules[0..n); rules left out are appended to *rest (a realloc'd
 * array the caller frees). NULL on OOM.
 */
struct ip_index *ip_index_build(const struct rule *const *rules, uint32_t n,
				const struct rule ***rest, uint32_t *n_rest);
void ip_index_free(struct ip_index *x);

/* Call fn for every indexed rule whose indexed side holds the address on
 * that side of the packet (the caller checks the whole header). */
void ip_index_lookup(const struct ip_index *x, const uint8_t *src, const uint8_t *dst, int ver,
		     ip_index_fn fn, void *ctx);

#endif
