/*
 * hunt — retro-hunting over the store (see hunt.h). Each indicator becomes
 * index lookups: an address prefix a BLOB range on flow.src, flow.dst and
 * dns_answer.addr; a domain its name ids (one key, or one key range for the
 * name and below), then dns.qname, http.host, tls.sni; fingerprints and
 * hashes their interned id or BLOB. Records matched are folded into one
 * accumulator per matched field; the bytes of records that are not flows
 * come from their flows (flow.flow_id), each flow counted once: the flow ids
 * are sorted and looked up in order, then the flows' rows read in row order,
 * so that a popular fingerprint's hundreds of thousands of records cost two
 * passes in index order instead of as many random lookups.
 */
#include "store/hunt.h"

#include <arpa/inet.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/log.h"
#include "output/eve.h"
#include "store/store_util.h"

/* ---- a set of 64-bit keys (flows, hosts seen), growable ---- */

struct keyset {
	uint64_t *v; /* 0 = empty slot (keys are never 0) */
	size_t mask, n;
};

static bool keyset_add(struct keyset *k, uint64_t key)
{
	if (!key)
		key = 1;
	if (!k->v || k->n * 2 >= k->mask + 1) {
		size_t cap = k->v ? (k->mask + 1) * 2 : 256;
		uint64_t *v = calloc(cap, sizeof(*v));
		if (!v)
			return false; /* counted as not seen before: a flow counted twice at worst
				       */
		for (size_t i = 0; k->v && i <= k->mask; i++) {
			if (!k->v[i])
				continue;
			size_t j = (size_t)XXH3_64bits(&k->v[i], 8) & (cap - 1);
			while (v[j])
				j = (j + 1) & (cap - 1);
			v[j] = k->v[i];
		}
		free(k->v);
		k->v = v;
		k->mask = cap - 1;
	}
	size_t j = (size_t)XXH3_64bits(&key, 8) & k->mask;
	for (; k->v[j]; j = (j + 1) & k->mask)
		if (k->v[j] == key)
			return false;
	k->v[j] = key;
	k->n++;
	return true;
}

/* A growable array of 64-bit values. */
struct u64s {
	uint64_t *v;
	size_t n, cap;
};

static void u64s_push(struct u64s *a, uint64_t x)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 1024;
		uint64_t *v = realloc(a->v, cap * sizeof(*v));
		if (!v)
			return; /* out of memory: those bytes are not counted */
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = x;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/* Sort and drop repeats. */
static void u64s_unique(struct u64s *a)
{
	size_t k = 0;
	if (!a->n)
		return;
	qsort(a->v, a->n, sizeof(a->v[0]), cmp_u64);
	for (size_t i = 1; i < a->n; i++)
		if (a->v[i] != a->v[k])
			a->v[++k] = a->v[i];
	a->n = k + 1;
}

static void keyset_clear(struct keyset *k)
{
	if (k->v && k->n)
		memset(k->v, 0, (k->mask + 1) * sizeof(*k->v));
	k->n = 0;
}

/* ---- internal hosts ---- */

bool hunt_internal(const struct ipset *home, int ver, const uint8_t *a)
{
	static const struct {
		uint8_t ver, plen;
		uint8_t p[16];
	} priv[] = {
	    {4, 8, {10}},	{4, 12, {172, 16}},    {4, 16, {192, 168}},
	    {4, 10, {100, 64}}, {4, 8, {127}},	       {4, 16, {169, 254}},
	    {6, 7, {0xfc}},	{6, 10, {0xfe, 0x80}}, {6, 128, {[15] = 1}},
	};
	for (size_t i = 0; i < sizeof(priv) / sizeof(priv[0]); i++) {
		if (priv[i].ver != ver)
			continue;
		unsigned bits = priv[i].plen, k = 0;
		for (; bits >= 8; k++, bits -= 8)
			if (a[k] != priv[i].p[k])
				break;
		if (bits >= 8)
			continue;
		if (!bits || (a[k] & (uint8_t)(0xff << (8 - bits))) == priv[i].p[k])
			return true;
	}
	return home && ipset_match(home, a, ver);
}

/* ---- accumulating one matched field ---- */

struct acc {
	const char *field;
	uint64_t count, first, last; /* µs */
	uint64_t bytes[2];
	/* the last record */
	uint64_t flow_id;
	uint8_t ver, proto;
	uint8_t src[16], dst[16];
	uint16_t sp, dp;
	char value[STORE_NAME_MAX + 64];
	/* internal hosts: all distinct ones counted, the first listed */
	struct keyset hosts_seen;
	char hosts[HUNT_HOSTS_MAX * 47];
	size_t hosts_len;
	unsigned n_hosts;
	struct u64s fids; /* flow_id of each record that is not a flow */
};

static void acc_reset(struct acc *a, const char *field)
{
	struct keyset h = a->hosts_seen;
	struct u64s f = a->fids;
	keyset_clear(&h);
	f.n = 0;
	memset(a, 0, sizeof(*a));
	a->hosts_seen = h;
	a->fids = f;
	a->field = field;
}

static void acc_host(struct acc *a, const struct ipset *home, int ver, const uint8_t *addr)
{
	if (!hunt_internal(home, ver, addr))
		return;
	if (!keyset_add(&a->hosts_seen, XXH3_64bits(addr, ver == 6 ? 16 : 4) ^ (uint64_t)ver))
		return;
	if (a->n_hosts == HUNT_HOSTS_MAX)
		return;
	struct addr x;
	char t[46];
	memset(&x, 0, sizeof(x));
	memcpy(x.a, addr, ver == 6 ? 16 : 4);
	eve_addr_str(&x, ver, t, sizeof(t));
	size_t n = strlen(t);
	if (a->n_hosts)
		a->hosts[a->hosts_len++] = ',';
	memcpy(a->hosts + a->hosts_len, t, n + 1);
	a->hosts_len += n;
	a->n_hosts++;
}

/* Which ends of a record may be hosts: the other end of an address match,
 * else whichever ends are internal. */
enum ends { ENDS_BOTH, ENDS_DST, ENDS_SRC };

struct hunt {
	sqlite3 *db;
	const struct ioc_set *set;
	const struct ipset *home;
	int64_t since; /* µs */
	store_hunt_fn fn;
	void *ctx;
	struct store_hunt_stats *st;
	sqlite3_stmt *flow_src, *flow_dst, *dns_ans, *name_eq, *name_range;
	sqlite3_stmt *dns_q, *http_host, *tls_sni, *http_url, *str_get, *cert_get;
	sqlite3_stmt *tls_ja3, *tls_ja3s, *tls_ja4, *tls_cert, *file_md5, *file_sha1, *file_sha256;
	sqlite3_stmt *flow_rowids, *flow_bytes;
	struct u64s rowids;
	struct acc acc[3];
	bool failed;
};

/* Fold the rows of st (bound, columns ts, flow_id, proto, src, dst, sp, dp
 * [, bytes_ts, bytes_tc when `flows`]) into a. The traffic's value is
 * `value`, or the address in column value_col (>= 0). */
static void fold(struct hunt *h, struct acc *a, sqlite3_stmt *st, bool flows, enum ends ends,
		 const char *value, int value_col)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t ts = (uint64_t)sqlite3_column_int64(st, 0);
		int n = sqlite3_column_bytes(st, 3);
		const uint8_t *src = sqlite3_column_blob(st, 3), *dst = sqlite3_column_blob(st, 4);
		int ver = n == 16 ? 6 : 4;
		uint64_t fid = (uint64_t)sqlite3_column_int64(st, 1);
		a->count++;
		if (!a->first || ts < a->first)
			a->first = ts;
		if (src && dst && (n == 4 || n == 16) && sqlite3_column_bytes(st, 4) == n) {
			if (ends != ENDS_SRC)
				acc_host(a, h->home, ver, dst);
			if (ends != ENDS_DST)
				acc_host(a, h->home, ver, src);
		}
		if (flows) {
			a->bytes[0] += (uint64_t)sqlite3_column_int64(st, 7);
			a->bytes[1] += (uint64_t)sqlite3_column_int64(st, 8);
		} else if (fid) {
			u64s_push(&a->fids, fid);
		}
		if (ts >= a->last) {
			a->last = ts;
			a->flow_id = fid;
			a->proto = (uint8_t)sqlite3_column_int(st, 2);
			a->ver = 0;
			if (src && dst && (n == 4 || n == 16) && sqlite3_column_bytes(st, 4) == n) {
				a->ver = (uint8_t)ver;
				memset(a->src, 0, 16);
				memset(a->dst, 0, 16);
				memcpy(a->src, src, (size_t)n);
				memcpy(a->dst, dst, (size_t)n);
			}
			a->sp = (uint16_t)sqlite3_column_int(st, 5);
			a->dp = (uint16_t)sqlite3_column_int(st, 6);
			if (value)
				snprintf(a->value, sizeof(a->value), "%s", value);
			int vn = value_col >= 0 ? sqlite3_column_bytes(st, value_col) : 0;
			if (vn == 4 || vn == 16) {
				struct addr x;
				memset(&x, 0, sizeof(x));
				memcpy(x.a, sqlite3_column_blob(st, value_col), (size_t)vn);
				eve_addr_str(&x, vn == 16 ? 6 : 4, a->value, sizeof(a->value));
			}
		}
	}
	if (rc != SQLITE_DONE && !h->failed) {
		log_error("hunt: %s", sqlite3_errmsg(h->db));
		h->failed = true;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* The bytes of the flows of a's records: their ids in index order, then
 * their rows in row order. */
static void flow_bytes(struct hunt *h, struct acc *a)
{
	u64s_unique(&a->fids);
	h->rowids.n = 0;
	for (size_t i = 0; i < a->fids.n; i++) {
		sqlite3_bind_int64(h->flow_rowids, 1, (int64_t)a->fids.v[i]);
		while (sqlite3_step(h->flow_rowids) == SQLITE_ROW)
			u64s_push(&h->rowids, (uint64_t)sqlite3_column_int64(h->flow_rowids, 0));
		sqlite3_reset(h->flow_rowids);
	}
	u64s_unique(&h->rowids);
	for (size_t i = 0; i < h->rowids.n; i++) {
		sqlite3_bind_int64(h->flow_bytes, 1, (int64_t)h->rowids.v[i]);
		if (sqlite3_step(h->flow_bytes) == SQLITE_ROW) {
			a->bytes[0] += (uint64_t)sqlite3_column_int64(h->flow_bytes, 0);
			a->bytes[1] += (uint64_t)sqlite3_column_int64(h->flow_bytes, 1);
		}
		sqlite3_reset(h->flow_bytes);
	}
}

/* Report a's sighting of indicator hit (if anything matched). */
static void report(struct hunt *h, const struct ioc_hit *hit, struct acc *a)
{
	if (!a->count)
		return;
	flow_bytes(h, a);
	struct intel_sighting s;
	memset(&s, 0, sizeof(s));
	s.ts = a->last * 1000;
	s.flow_id = a->flow_id;
	s.ip_ver = a->ver;
	s.proto = a->proto;
	memcpy(s.src, a->src, 16);
	memcpy(s.dst, a->dst, 16);
	s.sp = a->sp;
	s.dp = a->dp;
	s.type = hit->type;
	s.indicator = hit->indicator;
	s.matched_field = a->field;
	s.value = a->value[0] ? a->value : NULL;
	s.n_meta = hit->n_meta;
	s.meta = hit->n_meta ? ioc_meta_get(h->set, ioc_hit_meta(h->set, hit, 0)) : NULL;
	s.retro = true;
	s.first_seen = a->first * 1000;
	s.last_seen = a->last * 1000;
	s.count = a->count;
	s.bytes_toserver = a->bytes[0];
	s.bytes_toclient = a->bytes[1];
	s.hosts = a->n_hosts ? a->hosts : NULL;
	h->st->sightings++;
	h->st->records += a->count;
	h->fn(h->ctx, &s);
}

static void bind_since(sqlite3_stmt *st, int i, int64_t since)
{
	sqlite3_bind_int64(st, i, since);
}

static void hunt_prefix(struct hunt *h, const struct ioc_hit *hit)
{
	int ver;
	uint8_t addr[16], lo[16], hi[16];
	unsigned plen;
	if (!ioc_hit_prefix(hit, &ver, addr, &plen))
		return;
	store_prefix_range(ver, addr, plen, lo, hi);
	int n = ver == 6 ? 16 : 4;
	sqlite3_stmt *sts[3] = {h->flow_src, h->flow_dst, h->dns_ans};
	static const char *const fields[3] = {"src_ip", "dest_ip", "dns.answer"};
	/* hosts: the other end of the flow; the client that resolved the name */
	static const enum ends ends[3] = {ENDS_DST, ENDS_SRC, ENDS_SRC};
	static const int value_col[3] = {3, 4, 7};
	for (int i = 0; i < 3; i++) {
		acc_reset(&h->acc[0], fields[i]);
		sqlite3_bind_blob(sts[i], 1, lo, n, SQLITE_STATIC);
		sqlite3_bind_blob(sts[i], 2, hi, n, SQLITE_STATIC);
		sqlite3_bind_int(sts[i], 3, n);
		bind_since(sts[i], 4, h->since);
		fold(h, &h->acc[0], sts[i], i < 2, ends[i], NULL, value_col[i]);
		report(h, hit, &h->acc[0]);
	}
}

/* The records of one name id, into the three accumulators. */
static void hunt_name_id(struct hunt *h, int64_t id, const char *name)
{
	sqlite3_stmt *sts[3] = {h->dns_q, h->http_host, h->tls_sni};
	for (int i = 0; i < 3; i++) {
		sqlite3_bind_int64(sts[i], 1, id);
		bind_since(sts[i], 2, h->since);
		/* DNS: the host that asked, not the resolver */
		fold(h, &h->acc[i], sts[i], false, i == 0 ? ENDS_SRC : ENDS_BOTH, name, -1);
	}
}

static void hunt_domain(struct hunt *h, const struct ioc_hit *hit, bool below)
{
	char key[STORE_NAME_MAX], k1[STORE_NAME_MAX + 1], k2[STORE_NAME_MAX + 1];
	char name[STORE_NAME_MAX];
	size_t n = store_name_key(hit->indicator, strlen(hit->indicator), key);
	if (!n)
		return;
	acc_reset(&h->acc[0], "dns.rrname");
	acc_reset(&h->acc[1], "http.hostname");
	acc_reset(&h->acc[2], "tls.sni");
	sqlite3_bind_text(h->name_eq, 1, key, (int)n, SQLITE_STATIC);
	if (sqlite3_step(h->name_eq) == SQLITE_ROW)
		hunt_name_id(h, sqlite3_column_int64(h->name_eq, 0), hit->indicator);
	sqlite3_reset(h->name_eq);
	if (below) {
		snprintf(k1, sizeof(k1), "%s.", key);
		snprintf(k2, sizeof(k2), "%s/", key);
		sqlite3_bind_text(h->name_range, 1, k1, -1, SQLITE_STATIC);
		sqlite3_bind_text(h->name_range, 2, k2, -1, SQLITE_STATIC);
		while (sqlite3_step(h->name_range) == SQLITE_ROW) {
			const char *k = (const char *)sqlite3_column_text(h->name_range, 1);
			if (k && store_name_key(k, strlen(k), name))
				hunt_name_id(h, sqlite3_column_int64(h->name_range, 0), name);
		}
		sqlite3_reset(h->name_range);
	}
	for (int i = 0; i < 3; i++)
		report(h, hit, &h->acc[i]);
}

/* "scheme://host[:port]/path": HTTP records of that host with that url
 * (as sent: the path, or the whole URL through a proxy). */
static void hunt_url(struct hunt *h, const struct ioc_hit *hit)
{
	const char *u = hit->indicator, *p = strstr(u, "://");
	char key[STORE_NAME_MAX], host[STORE_NAME_MAX];
	if (!p)
		return;
	p += 3;
	size_t hl = strcspn(p, ":/?#");
	if (!hl || hl >= sizeof(host))
		return;
	memcpy(host, p, hl);
	host[hl] = '\0';
	const char *path = p + strcspn(p, "/?#");
	size_t n = store_name_key(host, hl, key);
	if (!n)
		return;
	acc_reset(&h->acc[0], "http.url");
	sqlite3_bind_text(h->name_eq, 1, key, (int)n, SQLITE_STATIC);
	if (sqlite3_step(h->name_eq) == SQLITE_ROW) {
		sqlite3_bind_int64(h->http_url, 1, sqlite3_column_int64(h->name_eq, 0));
		bind_since(h->http_url, 2, h->since);
		sqlite3_bind_text(h->http_url, 3, *path ? path : "/", -1, SQLITE_STATIC);
		sqlite3_bind_text(h->http_url, 4, u, -1, SQLITE_STATIC);
		fold(h, &h->acc[0], h->http_url, false, ENDS_BOTH, u, -1);
	}
	sqlite3_reset(h->name_eq);
	report(h, hit, &h->acc[0]);
}

/* Records of the rows st selects by one bound key (at 1; since at 2). */
static void hunt_key(struct hunt *h, const struct ioc_hit *hit, sqlite3_stmt *st, int64_t id,
		     const void *blob, int blen, const char *field)
{
	acc_reset(&h->acc[0], field);
	if (blob)
		sqlite3_bind_blob(st, 1, blob, blen, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	bind_since(st, 2, h->since);
	fold(h, &h->acc[0], st, false, ENDS_BOTH, hit->indicator, -1);
	report(h, hit, &h->acc[0]);
}

/* The id of an interned str (a text, or bytes); 0 when the store has none. */
static int64_t lookup_id(sqlite3_stmt *st, const void *p, int n, bool blob)
{
	int64_t id = 0;
	if (blob)
		sqlite3_bind_blob(st, 1, p, n, SQLITE_STATIC);
	else
		sqlite3_bind_text(st, 1, p, n, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

static void hunt_one(struct hunt *h, const struct ioc_hit *hit)
{
	uint8_t b[32];
	int64_t id;
	const char *v = hit->indicator;
	switch (hit->type) {
	case IOC_IPV4:
	case IOC_IPV6:
		hunt_prefix(h, hit);
		break;
	case IOC_DOMAIN:
	case IOC_DOMAIN_SUFFIX:
		hunt_domain(h, hit, hit->type == IOC_DOMAIN_SUFFIX);
		break;
	case IOC_URL:
		hunt_url(h, hit);
		break;
	case IOC_JA3:
		/* a JA3 or JA3S hash, interned as its 16 bytes */
		if (store_unhex(v, strlen(v), b, 16) < 0 ||
		    !(id = lookup_id(h->str_get, b, 16, true)))
			break;
		hunt_key(h, hit, h->tls_ja3, id, NULL, 0, "tls.ja3");
		hunt_key(h, hit, h->tls_ja3s, id, NULL, 0, "tls.ja3s");
		break;
	case IOC_JA4:
		if ((id = lookup_id(h->str_get, v, (int)strlen(v), false)))
			hunt_key(h, hit, h->tls_ja4, id, NULL, 0, "tls.ja4");
		break;
	case IOC_CERT:
		if (store_unhex(v, strlen(v), b, 20) == 0 &&
		    (id = lookup_id(h->cert_get, b, 20, true)))
			hunt_key(h, hit, h->tls_cert, id, NULL, 0, "tls.fingerprint");
		break;
	case IOC_MD5:
		if (store_unhex(v, strlen(v), b, 16) < 0)
			break;
		hunt_key(h, hit, h->file_md5, 0, b, 16, "fileinfo.md5");
		/* a JA3 is an MD5 too, and plain lists cannot tell them apart */
		if ((id = lookup_id(h->str_get, b, 16, true))) {
			hunt_key(h, hit, h->tls_ja3, id, NULL, 0, "tls.ja3");
			hunt_key(h, hit, h->tls_ja3s, id, NULL, 0, "tls.ja3s");
		}
		break;
	case IOC_SHA1:
		if (store_unhex(v, strlen(v), b, 20) < 0)
			break;
		hunt_key(h, hit, h->file_sha1, 0, b, 20, "fileinfo.sha1");
		/* and as a certificate's fingerprint, for the same reason */
		if ((id = lookup_id(h->cert_get, b, 20, true)))
			hunt_key(h, hit, h->tls_cert, id, NULL, 0, "tls.fingerprint");
		break;
	case IOC_SHA256:
		if (store_unhex(v, strlen(v), b, 32) == 0)
			hunt_key(h, hit, h->file_sha256, 0, b, 32, "fileinfo.sha256");
		break;
	default:
		break;
	}
}

#define REC "ts, flow_id, proto, src, dst, sp, dp"
#define APP "ts, flow_id, 6, src, dst, sp, dp"

int store_hunt(sqlite3 *db, const struct ioc_set *set, uint64_t since_ns, const struct ipset *home,
	       store_hunt_fn fn, void *ctx, struct store_hunt_stats *st)
{
	struct hunt h;
	memset(&h, 0, sizeof(h));
	memset(st, 0, sizeof(*st));
	h.db = db;
	h.set = set;
	h.home = home;
	h.since = (int64_t)(since_ns / 1000);
	h.fn = fn;
	h.ctx = ctx;
	h.st = st;
	static const struct {
		size_t off;
		const char *sql;
	} stmts[] = {
#define S(f, sql) {offsetof(struct hunt, f), sql}
	    S(flow_src, "SELECT " REC ", bytes_ts, bytes_tc FROM flow WHERE src BETWEEN ?1 AND ?2"
			" AND length(src)=?3 AND ts>=?4"),
	    S(flow_dst, "SELECT " REC ", bytes_ts, bytes_tc FROM flow WHERE dst BETWEEN ?1 AND ?2"
			" AND length(dst)=?3 AND ts>=?4"),
	    S(dns_ans, "SELECT d.ts, d.flow_id, d.proto, d.src, d.dst, d.sp, d.dp, a.addr"
		       " FROM dns_answer a"
		       " JOIN dns d ON d.id=a.dns WHERE a.addr BETWEEN ?1 AND ?2 AND"
		       " length(a.addr)=?3 AND d.ts>=?4"),
	    S(name_eq, "SELECT id FROM name WHERE rname=?1"),
	    S(name_range, "SELECT id, rname FROM name WHERE rname>?1 AND rname<?2"),
	    S(dns_q, "SELECT " REC " FROM dns WHERE qname=?1 AND ts>=?2"),
	    S(http_host, "SELECT " APP " FROM http WHERE host=?1 AND ts>=?2"),
	    S(tls_sni, "SELECT " APP " FROM tls WHERE sni=?1 AND ts>=?2"),
	    S(http_url, "SELECT " APP " FROM http WHERE host=?1 AND ts>=?2 AND (url=?3 OR url=?4)"),
	    S(str_get, "SELECT id FROM str WHERE v=?1"),
	    S(cert_get, "SELECT id FROM cert WHERE sha1=?1"),
	    S(tls_ja3, "SELECT " APP " FROM tls WHERE ja3=?1 AND ts>=?2"),
	    S(tls_ja3s, "SELECT " APP " FROM tls WHERE ja3s=?1 AND ts>=?2"),
	    S(tls_ja4, "SELECT " APP " FROM tls WHERE ja4=?1 AND ts>=?2"),
	    S(tls_cert, "SELECT " APP " FROM tls WHERE cert=?1 AND ts>=?2"),
	    S(file_md5, "SELECT " APP " FROM fileinfo WHERE md5=?1 AND ts>=?2"),
	    S(file_sha1, "SELECT " APP " FROM fileinfo WHERE sha1=?1 AND ts>=?2"),
	    S(file_sha256, "SELECT " APP " FROM fileinfo WHERE sha256=?1 AND ts>=?2"),
	    /* a record's flows: by flow_id (the index alone), then their rows */
	    S(flow_rowids, "SELECT id FROM flow WHERE flow_id=?1"),
	    S(flow_bytes, "SELECT bytes_ts, bytes_tc FROM flow WHERE id=?1"),
#undef S
	};
	int rc = 0;
	for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		sqlite3_stmt **p = (sqlite3_stmt **)((char *)&h + stmts[i].off);
		if (sqlite3_prepare_v2(db, stmts[i].sql, -1, p, NULL) != SQLITE_OK) {
			log_error("hunt: %s", sqlite3_errmsg(db));
			rc = -1;
			goto out;
		}
	}
	/* one read transaction: the whole hunt sees one state of the store */
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	uint32_t n = ioc_size(set);
	st->indicators = n;
	for (uint32_t i = 0; i < n && !h.failed; i++) {
		struct ioc_hit hit;
		if (!ioc_at(set, i, &hit))
			continue;
		if (hit.type == IOC_EMAIL) {
			st->unchecked++;
			continue;
		}
		uint64_t before = st->sightings;
		st->by_type[hit.type]++;
		hunt_one(&h, &hit);
		if (st->sightings > before) {
			st->matched++;
			st->found_type[hit.type]++;
		}
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	rc = h.failed ? -1 : 0;
out:
	for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++)
		sqlite3_finalize(*(sqlite3_stmt **)((char *)&h + stmts[i].off));
	free(h.rowids.v);
	for (int i = 0; i < 3; i++) {
		free(h.acc[i].hosts_seen.v);
		free(h.acc[i].fids.v);
	}
	return rc;
}

/* ---- intel records ---- */

void hunt_write_record(struct jbuf *jb, const struct intel_sighting *s)
{
	char ts[48], a[2][46], pn[8];
	jb_reset(jb);
	jb_open(jb, NULL);
	json_format_ts(s->ts, ts, sizeof(ts));
	jb_str_plain(jb, "timestamp", ts);
	if (s->flow_id)
		jb_u64(jb, "flow_id", s->flow_id);
	jb_str_plain(jb, "event_type", "intel");
	if (s->ip_ver) {
		struct addr x;
		bool ports = s->proto == 6 || s->proto == 17 || s->proto == 132;
		memcpy(x.a, s->src, 16);
		eve_addr_str(&x, s->ip_ver, a[0], sizeof(a[0]));
		memcpy(x.a, s->dst, 16);
		eve_addr_str(&x, s->ip_ver, a[1], sizeof(a[1]));
		jb_str_plain(jb, "src_ip", a[0]);
		if (ports)
			jb_u64(jb, "src_port", s->sp);
		jb_str_plain(jb, "dest_ip", a[1]);
		if (ports)
			jb_u64(jb, "dest_port", s->dp);
		jb_str_plain(jb, "proto", eve_proto_name(s->proto, pn, sizeof(pn)));
	}
	eve_put_intel(jb, s);
	jb_close(jb);
}

void hunt_sighting_from_row(sqlite3_stmt *st, int col, struct intel_sighting *s, struct ioc_meta *m)
{
	const char *type = (const char *)sqlite3_column_text(st, col);
	const char *tlp = (const char *)sqlite3_column_text(st, col + 8);
	memset(s, 0, sizeof(*s));
	memset(m, 0, sizeof(*m));
	s->type = IOC_TYPE_MAX;
	for (int t = 0; type && t < IOC_TYPE_MAX; t++)
		if (!strcmp(type, ioc_type_name((enum ioc_type)t)))
			s->type = (enum ioc_type)t;
	for (int t = TLP_CLEAR; tlp && t <= TLP_RED; t++)
		if (!strcmp(tlp, ioc_tlp_name((enum ioc_tlp)t)))
			m->tlp = (enum ioc_tlp)t;
	s->indicator = (const char *)sqlite3_column_text(st, col + 1);
	s->matched_field = (const char *)sqlite3_column_text(st, col + 2);
	s->value = (const char *)sqlite3_column_text(st, col + 3);
	m->source = (const char *)sqlite3_column_text(st, col + 4);
	m->actor = (const char *)sqlite3_column_text(st, col + 5);
	m->campaign = (const char *)sqlite3_column_text(st, col + 6);
	m->confidence =
	    sqlite3_column_type(st, col + 7) == SQLITE_NULL ? -1 : sqlite3_column_int(st, col + 7);
	s->meta = m;
	s->n_meta = 1;
	s->retro = sqlite3_column_int(st, col + 9);
	s->first_seen = (uint64_t)sqlite3_column_int64(st, col + 10) * 1000;
	s->last_seen = (uint64_t)sqlite3_column_int64(st, col + 11) * 1000;
	s->count = (uint64_t)sqlite3_column_int64(st, col + 12);
	s->bytes_toserver = (uint64_t)sqlite3_column_int64(st, col + 13);
	s->bytes_toclient = (uint64_t)sqlite3_column_int64(st, col + 14);
	s->hosts = (const char *)sqlite3_column_text(st, col + 15);
}
