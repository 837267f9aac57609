/*
 * ioc — the indicator store: what intel says to look for, and who says so.
 *
 * Indicator kinds: IPv4/IPv6 addresses and CIDRs (longest-prefix lookup),
 * domains (exact, or the name and everything below it), URLs, JA3/JA4
 * fingerprints, certificate SHA-1 fingerprints, file hashes (MD5, SHA-1,
 * SHA-256) and e-mail addresses. Each indicator carries one or more
 * attributions (struct ioc_meta: source, actor, campaign, confidence, TLP,
 * validity window); the same indicator from two feeds keeps both.
 *
 * A set is built by one thread (ioc_add), then only read: lookups take no
 * lock and allocate nothing, so every worker can share one set. Values are
 * normalised on the way in and on lookup (lower case, a domain's trailing
 * dot, hash text as lower-case hex, a CIDR's host bits cleared).
 *
 * Storage: one open-addressing hash table of entries (type + normalised key
 * bytes in an arena); prefixes are entries keyed by (family, length, masked
 * address), and a lookup probes only the prefix lengths present, longest
 * first. About 40 bytes per indicator plus its text.
 */
#ifndef MAMORI_INTEL_IOC_H
#define MAMORI_INTEL_IOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ioc_type {
	IOC_IPV4,	   /* address or CIDR */
	IOC_IPV6,	   /* address or CIDR */
	IOC_DOMAIN,	   /* this name exactly */
	IOC_DOMAIN_SUFFIX, /* this name and every name below it */
	IOC_URL,
	IOC_JA3,   /* JA3 or JA3S hash */
	IOC_JA4,   /* JA4 fingerprint */
	IOC_CERT,  /* certificate SHA-1 fingerprint */
	IOC_MD5,
	IOC_SHA1,
	IOC_SHA256,
	IOC_EMAIL,
	IOC_TYPE_MAX
};

/* The name of a type as intel records write it ("ipv4", "domain", ...). */
const char *ioc_type_name(enum ioc_type t);

/* Traffic Light Protocol 2.0 */
enum ioc_tlp { TLP_NONE, TLP_CLEAR, TLP_GREEN, TLP_AMBER, TLP_AMBER_STRICT, TLP_RED };
const char *ioc_tlp_name(enum ioc_tlp t);

/* Who says so. Strings may be NULL; the set keeps its own copies. Times are
 * Unix seconds, 0 = unbounded. confidence: 0-100, or -1 when not given. */
struct ioc_meta {
	const char *source, *actor, *campaign;
	int confidence;
	enum ioc_tlp tlp;
	int64_t valid_from, valid_until;
};

struct ioc_set;

struct ioc_set *ioc_set_new(void);
void ioc_set_free(struct ioc_set *s);

/* Intern an attribution; returns its id, or UINT32_MAX out of memory. Equal
 * attributions get the same id. */
uint32_t ioc_meta_add(struct ioc_set *s, const struct ioc_meta *m);
const struct ioc_meta *ioc_meta_get(const struct ioc_set *s, uint32_t id);

/* Add an indicator of a known type from its text (not NUL-terminated).
 * Returns 1 added, 0 already there (the attribution is added to it unless
 * it had it), -1 the text is not a valid value of that type, -2 out of
 * memory. */
int ioc_add(struct ioc_set *s, enum ioc_type t, const char *v, size_t len, uint32_t meta);

/* The type a bare value looks like (plain lists): an address or CIDR, a hash
 * by its length (32/40/64 hex digits), a JA4 fingerprint, a URL (scheme://),
 * an e-mail address, a domain ("*.example.com" and ".example.com" mean the
 * name and below). Returns false when it is none of them; *skip is set to
 * the number of leading characters that are not part of the value. */
bool ioc_guess_type(const char *v, size_t len, enum ioc_type *t, size_t *skip);

/* A lookup's result: the matching indicator's type, its normalised text and
 * its attributions (ioc_hit_meta for i < n_meta). */
struct ioc_hit {
	enum ioc_type type;
	const char *indicator; /* in the set; NUL-terminated */
	uint32_t n_meta;
	uint32_t first; /* internal: the attribution chain */
};
uint32_t ioc_hit_meta(const struct ioc_set *s, const struct ioc_hit *h, uint32_t i);

/* Lookups. An address (4 or 16 bytes) finds the longest prefix holding it;
 * a domain finds the name itself, else the nearest suffix indicator above
 * it; the other types match exactly (after normalising). False: no match. */
bool ioc_match_ip(const struct ioc_set *s, int ver, const uint8_t *addr, struct ioc_hit *h);
bool ioc_match_domain(const struct ioc_set *s, const char *name, size_t len, struct ioc_hit *h);
bool ioc_match(const struct ioc_set *s, enum ioc_type t, const char *v, size_t len,
	       struct ioc_hit *h);

/* Every indicator, in the order added: ioc_size() of them, ioc_at(i) fills h
 * (false past the end). For addresses, ioc_hit_prefix gives the prefix. */
uint32_t ioc_size(const struct ioc_set *s);
bool ioc_at(const struct ioc_set *s, uint32_t i, struct ioc_hit *h);
/* The prefix of an address indicator (h->type IPV4/IPV6): version 4 or 6, the
 * masked address (4 or 16 bytes) and its length. False for other types. */
bool ioc_hit_prefix(const struct ioc_hit *h, int *ver, uint8_t addr[16], unsigned *plen);

/* Sizes, for reports and stats. */
struct ioc_stats {
	uint64_t count[IOC_TYPE_MAX]; /* indicators per type */
	uint64_t metas;		      /* distinct attributions */
	uint64_t bytes;		      /* memory held */
};
void ioc_set_stats(const struct ioc_set *s, struct ioc_stats *st);

#endif
