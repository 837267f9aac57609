/*
 * ioc — the indicator store (see ioc.h).
 */
#include "intel/ioc.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define KEY_MAX 8192 /* longest normalised value (URLs) */

struct entry {
	uint64_t hash;
	uint32_t key_off, text_off; /* in the arena; the text is NUL-terminated */
	uint32_t first;		    /* attribution chain: index into links */
	uint32_t n_meta;
	uint16_t key_len;
	uint8_t type;
};

struct link {
	uint32_t meta, next; /* next: index + 1, 0 ends */
};

struct ioc_set {
	char *arena;
	size_t arena_len, arena_cap;
	struct entry *e;
	uint32_t n_e, cap_e;
	uint32_t *slot; /* entry index + 1; 0 = empty */
	uint32_t n_slot;
	struct link *links;
	uint32_t n_links, cap_links;
	struct ioc_meta *metas;
	uint64_t *meta_hash;
	uint32_t n_metas, cap_metas;
	uint32_t *meta_slot; /* meta index + 1 by hash; 0 = empty */
	uint32_t n_meta_slot;
	uint64_t count[IOC_TYPE_MAX];
	uint64_t v4_lens;      /* bit l: some IPv4 prefix of length l (0-32) */
	uint8_t *v4_24;	       /* bit per /24: some IPv4 indicator covers part of it */
	uint64_t v6_lens[3];   /* bit l: some IPv6 prefix of length l (0-128) */
};

static const char *const type_names[IOC_TYPE_MAX] = {
    [IOC_IPV4] = "ipv4",	 [IOC_IPV6] = "ipv6",	  [IOC_DOMAIN] = "domain",
    [IOC_DOMAIN_SUFFIX] = "domain", [IOC_URL] = "url", [IOC_JA3] = "ja3",
    [IOC_JA4] = "ja4",		 [IOC_CERT] = "x509-sha1", [IOC_MD5] = "md5",
    [IOC_SHA1] = "sha1",	 [IOC_SHA256] = "sha256", [IOC_EMAIL] = "email",
};

const char *ioc_type_name(enum ioc_type t)
{
	return (unsigned)t < IOC_TYPE_MAX ? type_names[t] : "unknown";
}

const char *ioc_tlp_name(enum ioc_tlp t)
{
	static const char *const n[] = {"", "clear", "green", "amber", "amber+strict", "red"};
	return (unsigned)t <= TLP_RED ? n[t] : "";
}

struct ioc_set *ioc_set_new(void)
{
	struct ioc_set *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->n_slot = 1024;
	s->slot = calloc(s->n_slot, sizeof(*s->slot));
	if (!s->slot) {
		free(s);
		return NULL;
	}
	return s;
}

void ioc_set_free(struct ioc_set *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->n_metas; i++) {
		free((char *)s->metas[i].source);
		free((char *)s->metas[i].actor);
		free((char *)s->metas[i].campaign);
	}
	free(s->metas);
	free(s->meta_hash);
	free(s->meta_slot);
	free(s->links);
	free(s->e);
	free(s->slot);
	free(s->arena);
	free(s->v4_24);
	free(s);
}

/* ---- attributions ---- */

static uint64_t str_hash(uint64_t h, const char *p)
{
	return XXH3_64bits_withSeed(p ? p : "", p ? strlen(p) + 1 : 0, h);
}

static uint64_t meta_hash(const struct ioc_meta *m)
{
	uint64_t h = str_hash(0, m->source);
	h = str_hash(h, m->actor);
	h = str_hash(h, m->campaign);
	int64_t nums[4] = {m->confidence, m->tlp, m->valid_from, m->valid_until};
	return XXH3_64bits_withSeed(nums, sizeof(nums), h);
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool meta_eq(const struct ioc_meta *a, const struct ioc_meta *b)
{
	return str_eq(a->source, b->source) && str_eq(a->actor, b->actor) &&
	       str_eq(a->campaign, b->campaign) && a->confidence == b->confidence &&
	       a->tlp == b->tlp && a->valid_from == b->valid_from &&
	       a->valid_until == b->valid_until;
}

static char *dup_or_null(const char *p, bool *fail)
{
	if (!p || !*p)
		return NULL;
	char *d = strdup(p);
	if (!d)
		*fail = true;
	return d;
}

static bool grow_meta_slots(struct ioc_set *s)
{
	uint32_t nn = s->n_meta_slot ? s->n_meta_slot * 2 : 64;
	uint32_t *ns = calloc(nn, sizeof(*ns));
	if (!ns)
		return false;
	for (uint32_t k = 0; k < s->n_metas; k++) {
		uint32_t i = (uint32_t)s->meta_hash[k] & (nn - 1);
		while (ns[i])
			i = (i + 1) & (nn - 1);
		ns[i] = k + 1;
	}
	free(s->meta_slot);
	s->meta_slot = ns;
	s->n_meta_slot = nn;
	return true;
}

uint32_t ioc_meta_add(struct ioc_set *s, const struct ioc_meta *m)
{
	bool fail = false;
	struct ioc_meta c = *m;
	if (c.source && !*c.source)
		c.source = NULL;
	if (c.actor && !*c.actor)
		c.actor = NULL;
	if (c.campaign && !*c.campaign)
		c.campaign = NULL;
	uint64_t h = meta_hash(&c);
	for (uint32_t i = s->n_meta_slot ? (uint32_t)h & (s->n_meta_slot - 1) : 0;
	     s->n_meta_slot && s->meta_slot[i]; i = (i + 1) & (s->n_meta_slot - 1)) {
		uint32_t k = s->meta_slot[i] - 1;
		if (s->meta_hash[k] == h && meta_eq(&s->metas[k], &c))
			return k;
	}
	if (s->n_metas >= UINT32_MAX / 4)
		return UINT32_MAX;
	if ((uint64_t)(s->n_metas + 1) * 2 > s->n_meta_slot && !grow_meta_slots(s))
		return UINT32_MAX;
	if (s->n_metas == s->cap_metas) {
		uint32_t nc = s->cap_metas ? s->cap_metas * 2 : 16;
		struct ioc_meta *nm = realloc(s->metas, nc * sizeof(*nm));
		if (!nm)
			return UINT32_MAX;
		s->metas = nm;
		uint64_t *nh = realloc(s->meta_hash, nc * sizeof(*nh));
		if (!nh)
			return UINT32_MAX;
		s->meta_hash = nh;
		s->cap_metas = nc;
	}
	c.source = dup_or_null(c.source, &fail);
	c.actor = dup_or_null(c.actor, &fail);
	c.campaign = dup_or_null(c.campaign, &fail);
	if (fail) {
		free((char *)c.source);
		free((char *)c.actor);
		free((char *)c.campaign);
		return UINT32_MAX;
	}
	s->meta_hash[s->n_metas] = h;
	s->metas[s->n_metas] = c;
	uint32_t i = (uint32_t)h & (s->n_meta_slot - 1);
	while (s->meta_slot[i])
		i = (i + 1) & (s->n_meta_slot - 1);
	s->meta_slot[i] = s->n_metas + 1;
	return s->n_metas++;
}

const struct ioc_meta *ioc_meta_get(const struct ioc_set *s, uint32_t id)
{
	return id < s->n_metas ? &s->metas[id] : NULL;
}

/* ---- normalising ---- */

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool hexdig(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Hex text of `digits` digits, ':' or '-' separators allowed (fingerprints
 * are often written "AB:CD:..."). */
static size_t norm_hex(const char *v, size_t len, char *out, size_t digits)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if ((v[i] == ':' || v[i] == '-') && i && i + 1 < len)
			continue;
		if (!hexdig(v[i]) || n == digits)
			return 0;
		out[n++] = lower(v[i]);
	}
	return n == digits ? n : 0;
}

static bool domain_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/* A DNS name: lower case, one trailing dot dropped, labels of 1-63
 * characters, the last not all digits (RFC 3696 section 2: "192.0.2.1" is
 * an address, not a name). */
static size_t norm_domain(const char *v, size_t len, char *out)
{
	if (len && v[len - 1] == '.')
		len--;
	if (!len || len > 253)
		return 0;
	size_t label = 0;
	bool digits = true;
	for (size_t i = 0; i < len; i++) {
		char c = lower(v[i]);
		if (!domain_char(c))
			return 0;
		if (c == '.') {
			if (!label)
				return 0;
			label = 0;
			digits = true;
		} else if (++label > 63) {
			return 0;
		}
		digits &= c == '.' || (c >= '0' && c <= '9');
		out[i] = c;
	}
	return label && !digits ? len : 0;
}

/* scheme://host[:port]/rest: scheme and host in lower case, the rest kept. */
static size_t norm_url(const char *v, size_t len, char *out)
{
	const char *sep = NULL;
	for (size_t i = 0; i + 2 < len; i++) {
		if (v[i] == ':' && v[i + 1] == '/' && v[i + 2] == '/') {
			sep = v + i;
			break;
		}
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
		      (i && ((v[i] >= '0' && v[i] <= '9') || v[i] == '+' || v[i] == '.' ||
			     v[i] == '-'))))
			return 0;
	}
	if (!sep || sep == v || len > KEY_MAX)
		return 0;
	size_t host_start = (size_t)(sep - v) + 3, i;
	if (host_start >= len)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c <= ' ' || c == 0x7f)
			return 0; /* no spaces or control characters in a URL */
		bool in_host = i < host_start;
		if (!in_host && i >= host_start) {
			size_t j = host_start;
			while (j < len && v[j] != '/' && v[j] != '?' && v[j] != '#')
				j++;
			in_host = i < j;
		}
		out[i] = in_host ? lower(v[i]) : v[i];
	}
	return len;
}

static size_t norm_email(const char *v, size_t len, char *out)
{
	const char *at = memchr(v, '@', len);
	if (!at || at == v || at == v + len - 1 || memchr(at + 1, '@', len - (size_t)(at - v) - 1) ||
	    len > 320)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c <= ' ' || c == 0x7f || c == '<' || c == '>')
			return 0;
		out[i] = lower(v[i]);
	}
	return len;
}

/* JA4: a_b_c, "t13d1516h2_8daaf6152771_e5627efa2ab1" (10 + 1 + 12 + 1 + 12). */
static size_t norm_ja4(const char *v, size_t len, char *out)
{
	if (len != 36 || v[10] != '_' || v[23] != '_')
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = lower(v[i]);
		if (i != 10 && i != 23 && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return 0;
		out[i] = c;
	}
	return len;
}

/* "addr" or "addr/len" of the family; out: the address, its prefix length. */
static bool parse_cidr(const char *v, size_t len, int af, uint8_t *addr, unsigned *plen)
{
	char buf[64];
	unsigned maxlen = af == AF_INET ? 32 : 128;
	const char *slash = memchr(v, '/', len);
	size_t alen = slash ? (size_t)(slash - v) : len;
	if (!alen || alen >= sizeof(buf))
		return false;
	memcpy(buf, v, alen);
	buf[alen] = '\0';
	if (inet_pton(af, buf, addr) != 1)
		return false;
	*plen = maxlen;
	if (slash) {
		size_t dl = len - alen - 1;
		if (!dl || dl > 3)
			return false;
		unsigned n = 0;
		for (size_t i = 0; i < dl; i++) {
			char c = slash[1 + i];
			if (c < '0' || c > '9')
				return false;
			n = n * 10 + (unsigned)(c - '0');
		}
		if (n > maxlen)
			return false;
		*plen = n;
	}
	return true;
}

static void mask(uint8_t *a, unsigned alen, unsigned plen)
{
	for (unsigned i = 0; i < alen; i++) {
		unsigned bits = plen > i * 8 ? plen - i * 8 : 0;
		if (bits < 8)
			a[i] &= (uint8_t)(0xff00u >> bits);
	}
}

/* The lookup key of a prefix: family and length, then the masked address. */
static size_t ip_key(char *key, int ver, const uint8_t *addr, unsigned plen)
{
	unsigned alen = ver == 4 ? 4 : 16;
	key[0] = (char)plen;
	memcpy(key + 1, addr, alen);
	mask((uint8_t *)key + 1, alen, plen);
	return 1 + alen;
}

/* The normalised key of a non-address value; 0 when invalid. */
static size_t norm_value(enum ioc_type t, const char *v, size_t len, char *out)
{
	switch (t) {
	case IOC_DOMAIN:
	case IOC_DOMAIN_SUFFIX:
		return norm_domain(v, len, out);
	case IOC_URL:
		return norm_url(v, len, out);
	case IOC_JA3:
	case IOC_MD5:
		return norm_hex(v, len, out, 32);
	case IOC_CERT:
	case IOC_SHA1:
		return norm_hex(v, len, out, 40);
	case IOC_SHA256:
		return norm_hex(v, len, out, 64);
	case IOC_JA4:
		return norm_ja4(v, len, out);
	case IOC_EMAIL:
		return norm_email(v, len, out);
	default:
		return 0;
	}
}

/* ---- the table ---- */

static uint64_t key_hash(enum ioc_type t, const char *key, size_t n)
{
	return XXH3_64bits_withSeed(key, n, (uint64_t)t + 1);
}

static const struct entry *find(const struct ioc_set *s, enum ioc_type t, const char *key,
				size_t n, uint64_t h)
{
	uint32_t m = s->n_slot - 1;
	for (uint32_t i = (uint32_t)h & m;; i = (i + 1) & m) {
		uint32_t x = s->slot[i];
		if (!x)
			return NULL;
		const struct entry *e = &s->e[x - 1];
		if (e->hash == h && e->type == t && e->key_len == n &&
		    !memcmp(s->arena + e->key_off, key, n))
			return e;
	}
}

static bool grow_slots(struct ioc_set *s)
{
	uint32_t nn = s->n_slot * 2;
	uint32_t *ns = calloc(nn, sizeof(*ns));
	if (!ns)
		return false;
	for (uint32_t k = 0; k < s->n_e; k++) {
		uint32_t i = (uint32_t)s->e[k].hash & (nn - 1);
		while (ns[i])
			i = (i + 1) & (nn - 1);
		ns[i] = k + 1;
	}
	free(s->slot);
	s->slot = ns;
	s->n_slot = nn;
	return true;
}

static bool arena_put(struct ioc_set *s, const void *p, size_t n, uint32_t *off)
{
	if (s->arena_len + n + 1 > UINT32_MAX)
		return false;
	if (s->arena_len + n + 1 > s->arena_cap) {
		size_t nc = s->arena_cap ? s->arena_cap : 65536;
		while (nc < s->arena_len + n + 1)
			nc *= 2;
		char *na = realloc(s->arena, nc);
		if (!na)
			return false;
		s->arena = na;
		s->arena_cap = nc;
	}
	*off = (uint32_t)s->arena_len;
	memcpy(s->arena + s->arena_len, p, n);
	s->arena[s->arena_len + n] = '\0';
	s->arena_len += n + 1;
	return true;
}

static int link_meta(struct ioc_set *s, struct entry *e, uint32_t meta)
{
	for (uint32_t l = e->first; l; l = s->links[l - 1].next)
		if (s->links[l - 1].meta == meta)
			return 0;
	if (s->n_links == s->cap_links) {
		uint32_t nc = s->cap_links ? s->cap_links * 2 : 1024;
		struct link *nl = realloc(s->links, nc * sizeof(*nl));
		if (!nl)
			return -2;
		s->links = nl;
		s->cap_links = nc;
	}
	s->links[s->n_links] = (struct link){meta, e->first};
	e->first = ++s->n_links;
	e->n_meta++;
	return 0;
}

/* Mark the /24s a new IPv4 prefix touches, so that most lookups of
 * addresses no indicator covers end at one bit test. */
static bool mark_v4(struct ioc_set *s, const uint8_t *a, unsigned plen)
{
	if (!s->v4_24 && !(s->v4_24 = calloc(1, (1u << 24) / 8)))
		return false;
	uint32_t first = (uint32_t)a[0] << 16 | (uint32_t)a[1] << 8 | a[2];
	uint32_t n = plen >= 24 ? 1 : 1u << (24 - plen);
	for (uint32_t i = first; i < first + n; i++)
		s->v4_24[i >> 3] |= (uint8_t)(1u << (i & 7));
	return true;
}

static int insert(struct ioc_set *s, enum ioc_type t, const char *key, size_t n, const char *text,
		  size_t tlen, uint32_t meta)
{
	uint64_t h = key_hash(t, key, n);
	struct entry *e = (struct entry *)find(s, t, key, n, h);
	if (e)
		return link_meta(s, e, meta) < 0 ? -2 : 0;
	if ((uint64_t)(s->n_e + 1) * 2 > s->n_slot && !grow_slots(s))
		return -2;
	if (s->n_e == s->cap_e) {
		uint32_t nc = s->cap_e ? s->cap_e * 2 : 1024;
		struct entry *ne = realloc(s->e, nc * sizeof(*ne));
		if (!ne)
			return -2;
		s->e = ne;
		s->cap_e = nc;
	}
	struct entry *ne = &s->e[s->n_e];
	memset(ne, 0, sizeof(*ne));
	ne->hash = h;
	ne->type = (uint8_t)t;
	ne->key_len = (uint16_t)n;
	if (!arena_put(s, key, n, &ne->key_off))
		return -2;
	ne->text_off = ne->key_off;
	if (text && !arena_put(s, text, tlen, &ne->text_off))
		return -2;
	if (link_meta(s, ne, meta) < 0)
		return -2;
	uint32_t m = s->n_slot - 1, i = (uint32_t)h & m;
	while (s->slot[i])
		i = (i + 1) & m;
	s->slot[i] = ++s->n_e;
	s->count[t]++;
	return 1;
}

int ioc_add(struct ioc_set *s, enum ioc_type t, const char *v, size_t len, uint32_t meta)
{
	char key[KEY_MAX];
	if ((unsigned)t >= IOC_TYPE_MAX || meta >= s->n_metas)
		return -1;
	if (t == IOC_IPV4 || t == IOC_IPV6) {
		uint8_t a[16];
		unsigned plen;
		int ver = t == IOC_IPV4 ? 4 : 6;
		if (!parse_cidr(v, len, ver == 4 ? AF_INET : AF_INET6, a, &plen))
			return -1;
		size_t n = ip_key(key, ver, a, plen);
		/* the text: the masked address, with its length when not a host */
		char text[INET6_ADDRSTRLEN + 5];
		if (!inet_ntop(ver == 4 ? AF_INET : AF_INET6, key + 1, text, sizeof(text)))
			return -1;
		size_t tl = strlen(text);
		if (plen != (ver == 4 ? 32u : 128u)) {
			text[tl++] = '/';
			if (plen >= 100)
				text[tl++] = (char)('0' + plen / 100);
			if (plen >= 10)
				text[tl++] = (char)('0' + plen / 10 % 10);
			text[tl++] = (char)('0' + plen % 10);
		}
		int r = insert(s, t, key, n, text, tl, meta);
		if (r == 1) {
			if (ver == 4) {
				if (!mark_v4(s, (const uint8_t *)key + 1, plen))
					return -2;
				s->v4_lens |= 1ull << plen;
			} else {
				s->v6_lens[plen / 64] |= 1ull << (plen % 64);
			}
		}
		return r;
	}
	if (len > KEY_MAX)
		return -1;
	size_t n = norm_value(t, v, len, key);
	if (!n)
		return -1;
	return insert(s, t, key, n, NULL, 0, meta);
}

/* ---- guessing a bare value's type ---- */

static bool all_hex(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!hexdig(v[i]))
			return false;
	return true;
}

bool ioc_guess_type(const char *v, size_t len, enum ioc_type *t, size_t *skip)
{
	char tmp[KEY_MAX];
	uint8_t a[16];
	unsigned plen;
	*skip = 0;
	if (!len || len > KEY_MAX)
		return false;
	if (parse_cidr(v, len, AF_INET, a, &plen)) {
		*t = IOC_IPV4;
		return true;
	}
	if (memchr(v, ':', len) && parse_cidr(v, len, AF_INET6, a, &plen)) {
		*t = IOC_IPV6;
		return true;
	}
	if (all_hex(v, len) && (len == 32 || len == 40 || len == 64)) {
		*t = len == 32 ? IOC_MD5 : len == 40 ? IOC_SHA1 : IOC_SHA256;
		return true;
	}
	if (norm_ja4(v, len, tmp)) {
		*t = IOC_JA4;
		return true;
	}
	if (norm_url(v, len, tmp)) {
		*t = IOC_URL;
		return true;
	}
	if (memchr(v, '@', len)) {
		*t = IOC_EMAIL;
		return norm_email(v, len, tmp) != 0;
	}
	if (len > 2 && v[0] == '*' && v[1] == '.') {
		*t = IOC_DOMAIN_SUFFIX;
		*skip = 2;
	} else if (len > 1 && v[0] == '.') {
		*t = IOC_DOMAIN_SUFFIX;
		*skip = 1;
	} else {
		*t = IOC_DOMAIN;
	}
	/* a domain has a dot and is not all digits and dots */
	const char *d = v + *skip;
	size_t dl = len - *skip;
	bool dot = memchr(d, '.', dl) != NULL, alpha = false;
	for (size_t i = 0; i < dl; i++)
		alpha |= (d[i] < '0' || d[i] > '9') && d[i] != '.';
	return dot && alpha && norm_domain(d, dl, tmp) != 0;
}

/* ---- lookups ---- */

static void hit_of(const struct ioc_set *s, const struct entry *e, struct ioc_hit *h)
{
	h->type = (enum ioc_type)e->type;
	h->indicator = s->arena + e->text_off;
	h->n_meta = e->n_meta;
	h->first = e->first;
}

uint32_t ioc_hit_meta(const struct ioc_set *s, const struct ioc_hit *h, uint32_t i)
{
	uint32_t l = h->first;
	while (l && i--)
		l = s->links[l - 1].next;
	return l ? s->links[l - 1].meta : UINT32_MAX;
}

bool ioc_match_ip(const struct ioc_set *s, int ver, const uint8_t *addr, struct ioc_hit *h)
{
	char key[17];
	enum ioc_type t = ver == 4 ? IOC_IPV4 : IOC_IPV6;
	if (ver != 4 && ver != 6)
		return false;
	if (ver == 4) {
		uint32_t i = (uint32_t)addr[0] << 16 | (uint32_t)addr[1] << 8 | addr[2];
		if (!s->v4_24 || !(s->v4_24[i >> 3] >> (i & 7) & 1))
			return false;
	}
	for (int plen = ver == 4 ? 32 : 128; plen >= 0; plen--) {
		bool present = ver == 4 ? (s->v4_lens >> plen) & 1
					: (s->v6_lens[plen / 64] >> (plen % 64)) & 1;
		if (!present)
			continue;
		size_t n = ip_key(key, ver, addr, (unsigned)plen);
		const struct entry *e = find(s, t, key, n, key_hash(t, key, n));
		if (e) {
			hit_of(s, e, h);
			return true;
		}
	}
	return false;
}

bool ioc_match_domain(const struct ioc_set *s, const char *name, size_t len, struct ioc_hit *h)
{
	char key[256];
	if (len > sizeof(key))
		return false;
	size_t n = norm_domain(name, len, key);
	if (!n)
		return false;
	const struct entry *e = NULL;
	if (s->count[IOC_DOMAIN])
		e = find(s, IOC_DOMAIN, key, n, key_hash(IOC_DOMAIN, key, n));
	/* the name itself, then each name above it */
	for (size_t off = 0; !e && s->count[IOC_DOMAIN_SUFFIX] && off < n;) {
		e = find(s, IOC_DOMAIN_SUFFIX, key + off, n - off,
			 key_hash(IOC_DOMAIN_SUFFIX, key + off, n - off));
		const char *dot = memchr(key + off, '.', n - off);
		if (!dot)
			break;
		off = (size_t)(dot - key) + 1;
	}
	if (!e)
		return false;
	hit_of(s, e, h);
	return true;
}

bool ioc_match(const struct ioc_set *s, enum ioc_type t, const char *v, size_t len,
	       struct ioc_hit *h)
{
	char key[KEY_MAX];
	if ((unsigned)t >= IOC_TYPE_MAX || !s->count[t] || len > KEY_MAX)
		return false;
	if (t == IOC_DOMAIN || t == IOC_DOMAIN_SUFFIX)
		return ioc_match_domain(s, v, len, h);
	if (t == IOC_IPV4 || t == IOC_IPV6) {
		uint8_t a[16];
		unsigned plen;
		if (!parse_cidr(v, len, t == IOC_IPV4 ? AF_INET : AF_INET6, a, &plen))
			return false;
		return ioc_match_ip(s, t == IOC_IPV4 ? 4 : 6, a, h);
	}
	size_t n = norm_value(t, v, len, key);
	const struct entry *e = n ? find(s, t, key, n, key_hash(t, key, n)) : NULL;
	if (!e)
		return false;
	hit_of(s, e, h);
	return true;
}

uint32_t ioc_size(const struct ioc_set *s)
{
	return s->n_e;
}

bool ioc_at(const struct ioc_set *s, uint32_t i, struct ioc_hit *h)
{
	if (i >= s->n_e)
		return false;
	hit_of(s, &s->e[i], h);
	return true;
}

bool ioc_hit_prefix(const struct ioc_hit *h, int *ver, uint8_t addr[16], unsigned *plen)
{
	if (h->type != IOC_IPV4 && h->type != IOC_IPV6)
		return false;
	*ver = h->type == IOC_IPV4 ? 4 : 6;
	return parse_cidr(h->indicator, strlen(h->indicator), *ver == 4 ? AF_INET : AF_INET6, addr,
			  plen);
}

void ioc_set_stats(const struct ioc_set *s, struct ioc_stats *st)
{
	memcpy(st->count, s->count, sizeof(st->count));
	st->metas = s->n_metas;
	st->bytes = sizeof(*s) + s->arena_cap + (uint64_t)s->cap_e * sizeof(struct entry) +
		    (uint64_t)s->n_slot * sizeof(uint32_t) +
		    (uint64_t)s->cap_links * sizeof(struct link) +
		    (uint64_t)s->cap_metas * (sizeof(struct ioc_meta) + sizeof(uint64_t)) +
		    (s->v4_24 ? (1u << 24) / 8 : 0);
}
