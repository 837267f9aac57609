/*
 * dns_tunnel — the helpers of the DNS tunnel analytic (dns_tunnel.c) that
 * tests call directly. The analytic itself is analytic_dns_tunnel.
 */
#ifndef MAMORI_ANALYTICS_DNS_TUNNEL_H
#define MAMORI_ANALYTICS_DNS_TUNNEL_H

#include <stddef.h>

/*
 * The registered ("base") domain of a query name of len bytes (a trailing
 * dot is ignored): the last three labels when the last two are a common
 * multi-label public suffix (co.jp, co.uk, com.au ... see dns_tunnel.c),
 * else the last two. *base is set to the offset of the base domain in name.
 * Returns the base's length, or 0 when the name has no base worth tracking:
 * fewer labels than the base needs, an empty label, reverse lookups
 * (in-addr.arpa, ip6.arpa), DNS-SD/service names (a label starting with
 * '_'), and mDNS (.local). Borrows name; thread-safe.
 */
size_t dns_tunnel_base(const char *name, size_t len, size_t *base);

/* Shannon entropy in bits per character of s[0..n), dots skipped, letters
 * folded to lower case. 0 for an empty string. */
double dns_tunnel_entropy(const char *s, size_t n);

#endif
