/*
 * enrich — AS, country and hosting data for external addresses (enrich.h).
 *
 * The AS data is the ip-location-db CSV ("first,last,asn,organisation", the
 * organisation quoted when it holds a comma): ranges sorted by their first
 * address and found by binary search; organisation names interned. Countries
 * come from a MaxMind-format database through libmaxminddb.
 */
#include "intel/enrich.h"

#include <arpa/inet.h>
#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "core/log.h"
#include "detect/addrset.h"

struct r4 {
	uint32_t lo, hi, asn, org;
};

struct r6 {
	u128 lo, hi;
	uint32_t asn, org;
};

struct enrich {
	struct r4 *v4;
	struct r6 *v6;
	uint32_t n4, n6, cap4, cap6;
	char *orgs; /* NUL-terminated names back to back */
	size_t orgs_len, orgs_cap;
	uint32_t *org_slot; /* offset + 1 by hash; 0 = empty */
	uint32_t n_org_slot, n_orgs;
	uint32_t *hosting; /* sorted AS numbers */
	uint32_t n_hosting;
	MMDB_s mmdb;
	bool has_mmdb;
	struct ipset home;
	bool has_home;
};

/* ---- interned organisation names ---- */

static uint32_t str_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static bool org_grow(struct enrich *e)
{
	uint32_t n = e->n_org_slot ? e->n_org_slot * 2 : 1u << 16;
	uint32_t *ns = calloc(n, sizeof(*ns));
	if (!ns)
		return false;
	for (uint32_t i = 0; i < e->n_org_slot; i++) {
		uint32_t v = e->org_slot[i];
		if (!v)
			continue;
		const char *s = e->orgs + v - 1;
		uint32_t j = str_hash(s, strlen(s)) & (n - 1);
		while (ns[j])
			j = (j + 1) & (n - 1);
		ns[j] = v;
	}
	free(e->org_slot);
	e->org_slot = ns;
	e->n_org_slot = n;
	return true;
}

/* The offset of the name in e->orgs, or UINT32_MAX out of memory. */
static uint32_t org_intern(struct enrich *e, const char *s, size_t n)
{
	if ((e->n_orgs + 1) * 2 > e->n_org_slot && !org_grow(e))
		return UINT32_MAX;
	uint32_t m = e->n_org_slot - 1, j = str_hash(s, n) & m;
	for (; e->org_slot[j]; j = (j + 1) & m) {
		const char *o = e->orgs + e->org_slot[j] - 1;
		if (!strncmp(o, s, n) && o[n] == '\0')
			return e->org_slot[j] - 1;
	}
	if (e->orgs_len + n + 1 > e->orgs_cap) {
		size_t nc = e->orgs_cap ? e->orgs_cap * 2 : 1u << 20;
		while (nc < e->orgs_len + n + 1)
			nc *= 2;
		char *no = realloc(e->orgs, nc);
		if (!no || nc > UINT32_MAX)
			return UINT32_MAX;
		e->orgs = no;
		e->orgs_cap = nc;
	}
	uint32_t off = (uint32_t)e->orgs_len;
	memcpy(e->orgs + off, s, n);
	e->orgs[off + n] = '\0';
	e->orgs_len += n + 1;
	e->org_slot[j] = off + 1;
	e->n_orgs++;
	return off;
}

/* ---- the AS files ---- */

static u128 u128_of(const uint8_t *a)
{
	u128 v = 0;
	for (int i = 0; i < 16; i++)
		v = (v << 8) | a[i];
	return v;
}

/* Split "first,last,asn,org" in place; the org unquoted ("" -> "). */
static bool split_line(char *line, char **f, char **org, size_t *org_len)
{
	for (int i = 0; i < 3; i++) {
		f[i] = line;
		char *c = strchr(line, ',');
		if (!c)
			return false;
		*c = '\0';
		line = c + 1;
	}
	size_t n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (line[0] == '"') {
		char *w = line, *r = line + 1;
		for (; *r; r++) {
			if (*r == '"') {
				if (r[1] != '"')
					break;
				r++;
			}
			*w++ = *r;
		}
		*w = '\0';
		n = (size_t)(w - line);
	}
	*org = line;
	*org_len = n;
	return true;
}

static int load_asn(struct enrich *e, const char *path, int af)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		log_error("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	char line[1024];
	unsigned long lineno = 0;
	int rc = 0;
	while (fgets(line, sizeof(line), fp)) {
		char *f[3], *org;
		size_t olen;
		uint8_t lo[16], hi[16];
		char *end;
		lineno++;
		if (!split_line(line, f, &org, &olen) || inet_pton(af, f[0], lo) != 1 ||
		    inet_pton(af, f[1], hi) != 1) {
			log_error("%s:%lu: not \"first,last,asn,organisation\"", path, lineno);
			rc = -1;
			break;
		}
		unsigned long asn = strtoul(f[2], &end, 10);
		uint32_t o = org_intern(e, org, olen);
		if (*end || asn > UINT32_MAX || o == UINT32_MAX) {
			log_error("%s:%lu: %s", path, lineno,
				  o == UINT32_MAX ? "out of memory" : "bad AS number");
			rc = -1;
			break;
		}
		if (af == AF_INET) {
			if (e->n4 == e->cap4) {
				uint32_t nc = e->cap4 ? e->cap4 * 2 : 1u << 16;
				struct r4 *nv = realloc(e->v4, nc * sizeof(*nv));
				if (!nv) {
					rc = -1;
					break;
				}
				e->v4 = nv;
				e->cap4 = nc;
			}
			struct r4 *r = &e->v4[e->n4++];
			r->lo = (uint32_t)lo[0] << 24 | (uint32_t)lo[1] << 16 | (uint32_t)lo[2] << 8 | lo[3];
			r->hi = (uint32_t)hi[0] << 24 | (uint32_t)hi[1] << 16 | (uint32_t)hi[2] << 8 | hi[3];
			r->asn = (uint32_t)asn;
			r->org = o;
		} else {
			if (e->n6 == e->cap6) {
				uint32_t nc = e->cap6 ? e->cap6 * 2 : 1u << 14;
				struct r6 *nv = realloc(e->v6, nc * sizeof(*nv));
				if (!nv) {
					rc = -1;
					break;
				}
				e->v6 = nv;
				e->cap6 = nc;
			}
			struct r6 *r = &e->v6[e->n6++];
			r->lo = u128_of(lo);
			r->hi = u128_of(hi);
			r->asn = (uint32_t)asn;
			r->org = o;
		}
	}
	fclose(fp);
	return rc;
}

static int cmp_r4(const void *a, const void *b)
{
	const struct r4 *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int cmp_r6(const void *a, const void *b)
{
	const struct r6 *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* "ASN<tab>name" lines; '#' comments. */
static int load_hosting(struct enrich *e, const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		log_error("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	char line[512];
	unsigned long lineno = 0;
	uint32_t cap = 0;
	int rc = 0;
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		char *p = line, *end;
		if (*p == '#' || *p == '\n' || *p == '\r')
			continue;
		if (p[0] == 'A' && p[1] == 'S')
			p += 2;
		unsigned long asn = strtoul(p, &end, 10);
		if (end == p || asn > UINT32_MAX || (*end && !strchr(" \t\r\n", *end))) {
			log_error("%s:%lu: not \"ASN<tab>name\"", path, lineno);
			rc = -1;
			break;
		}
		if (e->n_hosting == cap) {
			cap = cap ? cap * 2 : 1024;
			uint32_t *nh = realloc(e->hosting, cap * sizeof(*nh));
			if (!nh) {
				rc = -1;
				break;
			}
			e->hosting = nh;
		}
		e->hosting[e->n_hosting++] = (uint32_t)asn;
	}
	fclose(fp);
	qsort(e->hosting, e->n_hosting, sizeof(*e->hosting), cmp_u32);
	return rc;
}

static const char *home_var(void *ctx, const char *name, bool port)
{
	return config_var(ctx, name, port);
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int enrich_open(const struct config *cfg, struct enrich **out)
{
	*out = NULL;
	const char *dir = cfg->enrich_dir;
	if (!dir[0] && !cfg->enrich_hosting[0])
		return 0;
	struct enrich *e = calloc(1, sizeof(*e));
	if (!e) {
		log_error("out of memory");
		return -1;
	}
	char path[4096];
	int rc = 0;
	if (dir[0]) {
		if (!exists(dir)) {
			log_error("enrich.dir %s: no such folder (scripts/deps fetches the data)", dir);
			rc = -1;
		}
		snprintf(path, sizeof(path), "%s/asn-ipv4.csv", dir);
		if (!rc && exists(path))
			rc = load_asn(e, path, AF_INET);
		snprintf(path, sizeof(path), "%s/asn-ipv6.csv", dir);
		if (!rc && exists(path))
			rc = load_asn(e, path, AF_INET6);
		snprintf(path, sizeof(path), "%s/geo-whois-asn-country.mmdb", dir);
		if (!rc && exists(path)) {
			int s = MMDB_open(path, MMDB_MODE_MMAP, &e->mmdb);
			if (s != MMDB_SUCCESS) {
				log_error("%s: %s", path, MMDB_strerror(s));
				rc = -1;
			} else {
				e->has_mmdb = true;
			}
		}
	}
	if (!rc && cfg->enrich_hosting[0])
		rc = load_hosting(e, cfg->enrich_hosting);
	const char *home = config_var(cfg, "HOME_NET", false);
	struct addrset_err err;
	if (!rc && home) {
		if (ipset_parse(&e->home, home, home_var, (void *)cfg, &err) < 0) {
			log_error("HOME_NET: %s", err.msg);
			rc = -1;
		} else {
			e->has_home = true;
		}
	}
	if (rc) {
		enrich_free(e);
		return -1;
	}
	qsort(e->v4, e->n4, sizeof(*e->v4), cmp_r4);
	qsort(e->v6, e->n6, sizeof(*e->v6), cmp_r6);
	free(e->org_slot); /* only needed while loading */
	e->org_slot = NULL;
	e->n_org_slot = 0;
	*out = e;
	return 0;
}

void enrich_free(struct enrich *e)
{
	if (!e)
		return;
	free(e->v4);
	free(e->v6);
	free(e->orgs);
	free(e->org_slot);
	free(e->hosting);
	if (e->has_mmdb)
		MMDB_close(&e->mmdb);
	if (e->has_home)
		ipset_free(&e->home);
	free(e);
}

bool enrich_is_home(const struct enrich *e, int ver, const uint8_t *addr)
{
	return e && e->has_home && ipset_match(&e->home, addr, ver);
}

static void country_of(const struct enrich *e, int ver, const uint8_t *addr, char *cc)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	if (ver == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, addr, 4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, addr, 16);
	}
	int merr;
	MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&e->mmdb, (struct sockaddr *)&ss, &merr);
	if (merr != MMDB_SUCCESS || !r.found_entry)
		return;
	MMDB_entry_data_s d;
	if ((MMDB_get_value(&r.entry, &d, "country_code", NULL) == MMDB_SUCCESS ||
	     MMDB_get_value(&r.entry, &d, "country", "iso_code", NULL) == MMDB_SUCCESS) &&
	    d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING && d.data_size == 2) {
		memcpy(cc, d.utf8_string, 2);
		cc[2] = '\0';
	}
}

/* Special-purpose addresses (RFC 6890 and its IPv6 counterpart): private,
 * shared, loopback, link-local, documentation, benchmarking, multicast,
 * reserved, unique-local. No AS or country describes them. */
static bool special(int ver, const uint8_t *a)
{
	if (ver == 4) {
		return a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224 ||
		       (a[0] == 100 && (a[1] & 0xc0) == 64) || (a[0] == 169 && a[1] == 254) ||
		       (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
		       (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) ||
		       (a[0] == 198 && (a[1] & 0xfe) == 18) ||
		       (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
		       (a[0] == 203 && a[1] == 0 && a[2] == 113);
	}
	static const uint8_t zero[15];
	return (a[0] & 0xfe) == 0xfc ||			/* fc00::/7 unique local */
	       (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || /* fe80::/10 link local */
	       a[0] == 0xff ||				/* multicast */
	       (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) || /* 2001:db8::/32 */
	       !memcmp(a, zero, 15);			/* :: and ::1 */
}

bool enrich_lookup(const struct enrich *e, int ver, const uint8_t *addr, struct enrich_info *out)
{
	memset(out, 0, sizeof(*out));
	if (!e || special(ver, addr) || enrich_is_home(e, ver, addr))
		return false;
	uint32_t org = UINT32_MAX;
	if (ver == 4 && e->n4) {
		uint32_t a = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
			     (uint32_t)addr[2] << 8 | addr[3];
		uint32_t lo = 0, hi = e->n4;
		while (lo < hi) { /* the last range starting at or before a */
			uint32_t mid = lo + (hi - lo) / 2;
			if (e->v4[mid].lo <= a)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo && a <= e->v4[lo - 1].hi) {
			out->asn = e->v4[lo - 1].asn;
			org = e->v4[lo - 1].org;
		}
	} else if (ver == 6 && e->n6) {
		u128 a = u128_of(addr);
		uint32_t lo = 0, hi = e->n6;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (e->v6[mid].lo <= a)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo && a <= e->v6[lo - 1].hi) {
			out->asn = e->v6[lo - 1].asn;
			org = e->v6[lo - 1].org;
		}
	}
	if (org != UINT32_MAX && e->orgs[org])
		out->as_org = e->orgs + org;
	if (out->asn && e->n_hosting)
		out->hosting = bsearch(&out->asn, e->hosting, e->n_hosting, sizeof(uint32_t),
				       cmp_u32) != NULL;
	if (e->has_mmdb)
		country_of(e, ver, addr, out->country);
	return out->asn || out->country[0];
}

void enrich_get_stats(const struct enrich *e, struct enrich_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!e)
		return;
	st->v4_ranges = e->n4;
	st->v6_ranges = e->n6;
	st->orgs = e->n_orgs;
	st->hosting_asns = e->n_hosting;
	st->country = e->has_mmdb;
}
