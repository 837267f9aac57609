/*
 * match — loading the live intel db, swapping it on reload, and matching
 * flows and app-layer transactions against it (see match.h).
 */
#include "intel/match.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "app/applayer.h"
#include "app/dns.h"
#include "app/file.h"
#include "core/log.h"
#include "detect/buffers.h"
#include "flow/flow.h"
#include "intel/import.h"

/* ---- loading ---- */

static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int load_one(struct intel_db *db, const char *path, bool quiet)
{
	struct ioc_report r;
	char err[1024];
	if (ioc_import_file(db->set, path, NULL, NULL, &r, err, sizeof(err)) < 0) {
		log_error("intel: %s", err);
		return -1;
	}
	db->files++;
	db->skipped += r.skipped;
	if (quiet)
		log_debug("intel: %s (%s): %" PRIu64 " loaded, %" PRIu64 " duplicates, %" PRIu64
			  " skipped",
			  path, r.format, r.loaded, r.duplicates, r.skipped);
	else
		log_info("intel: %s (%s): %" PRIu64 " loaded, %" PRIu64 " duplicates, %" PRIu64
			 " skipped ('mamori intel check' tells why)",
			 path, r.format, r.loaded, r.duplicates, r.skipped);
	return 0;
}

static int regular_file(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int load_dir(struct intel_db *db, const char *dir, bool quiet)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, regular_file, alphasort);
	if (n < 0) {
		log_error("intel: %s: cannot read the folder", dir);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (rc == 0 && stat(path, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
			rc = load_one(db, path, quiet);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

struct intel_db *intel_db_load(char *const *paths, int n, const char *dir, bool quiet)
{
	struct intel_db *db = calloc(1, sizeof(*db));
	if (!db || !(db->set = ioc_set_new())) {
		free(db);
		log_error("intel: out of memory");
		return NULL;
	}
	atomic_init(&db->refs, 1);
	uint64_t t0 = mono_ns();
	for (int i = 0; i < n; i++) {
		if (load_one(db, paths[i], quiet) < 0) {
			intel_db_release(db);
			return NULL;
		}
	}
	if (dir && dir[0]) {
		struct stat st;
		if (stat(dir, &st) == 0 && load_dir(db, dir, quiet) < 0) {
			intel_db_release(db);
			return NULL;
		}
	}
	db->load_ns = mono_ns() - t0;
	return db;
}

void intel_db_release(struct intel_db *db)
{
	if (!db || atomic_fetch_sub(&db->refs, 1) != 1)
		return;
	ioc_set_free(db->set);
	free(db);
}

/* ---- the db in force ---- */

void intel_live_init(struct intel_live *l, struct intel_db *db)
{
	pthread_mutex_init(&l->lock, NULL);
	l->cur = db;
	atomic_init(&l->gen, 1);
}

void intel_live_destroy(struct intel_live *l)
{
	intel_db_release(l->cur);
	l->cur = NULL;
	pthread_mutex_destroy(&l->lock);
}

struct intel_db *intel_live_acquire(struct intel_live *l, uint64_t *gen)
{
	pthread_mutex_lock(&l->lock);
	struct intel_db *db = l->cur;
	if (db)
		atomic_fetch_add(&db->refs, 1);
	*gen = atomic_load(&l->gen);
	pthread_mutex_unlock(&l->lock);
	return db;
}

void intel_live_publish(struct intel_live *l, struct intel_db *db)
{
	pthread_mutex_lock(&l->lock);
	struct intel_db *old = l->cur;
	l->cur = db;
	atomic_fetch_add_explicit(&l->gen, 1, memory_order_release);
	pthread_mutex_unlock(&l->lock);
	intel_db_release(old);
}

/* ---- matching ---- */

struct mctx {
	const struct intel_db *db;
	const struct flow *f;
	uint64_t ts;
	intel_hit_fn fn;
	void *ctx;
	uint64_t *expired;
	unsigned hits;
};

/* The first attribution valid at packet time, or NULL. */
static const struct ioc_meta *valid_meta(const struct ioc_set *s, const struct ioc_hit *h,
					 uint64_t ts)
{
	int64_t t = (int64_t)(ts / 1000000000u);
	for (uint32_t i = 0; i < h->n_meta; i++) {
		const struct ioc_meta *m = ioc_meta_get(s, ioc_hit_meta(s, h, i));
		if (!m)
			continue;
		if (ts && ((m->valid_from && t < m->valid_from) ||
			   (m->valid_until && t > m->valid_until)))
			continue;
		return m;
	}
	return NULL;
}

static void report(struct mctx *c, const struct ioc_hit *h, const char *field, const char *value,
		   int dir)
{
	const struct ioc_meta *m = valid_meta(c->db->set, h, c->ts);
	if (!m) {
		(*c->expired)++;
		return;
	}
	const struct flow *f = c->f;
	struct intel_sighting s;
	memset(&s, 0, sizeof(s));
	s.ts = c->ts;
	s.flow_id = f->flow_id;
	s.ip_ver = f->ip_ver;
	s.proto = f->proto;
	memcpy(s.src, f->src.a, 16);
	memcpy(s.dst, f->dst.a, 16);
	s.sp = f->sp;
	s.dp = f->dp;
	s.type = h->type;
	s.indicator = h->indicator;
	s.matched_field = field;
	s.value = value;
	s.meta = m;
	s.n_meta = h->n_meta;
	c->fn(c->ctx, f, &s, dir);
	c->hits++;
}

/* A value of a known type; its text is copied to be NUL-terminated for the record. */
static void check(struct mctx *c, enum ioc_type t, const uint8_t *v, size_t len, const char *field,
		  int dir)
{
	char text[2048];
	struct ioc_hit h;
	if (!len || len >= sizeof(text))
		return;
	bool hit = t == IOC_DOMAIN ? ioc_match_domain(c->db->set, (const char *)v, len, &h)
				   : ioc_match(c->db->set, t, (const char *)v, len, &h);
	if (!hit)
		return;
	memcpy(text, v, len);
	text[len] = '\0';
	report(c, &h, field, text, dir);
}

/* A name that may be an address literal (an HTTP host, an SNI). */
static void check_host(struct mctx *c, const uint8_t *v, size_t len, const char *field, int dir)
{
	char buf[64];
	uint8_t a[16];
	if (len && len < sizeof(buf)) {
		memcpy(buf, v, len);
		buf[len] = '\0';
		if (inet_pton(AF_INET, buf, a) == 1) {
			check(c, IOC_IPV4, v, len, field, dir);
			return;
		}
		if (inet_pton(AF_INET6, buf, a) == 1) {
			check(c, IOC_IPV6, v, len, field, dir);
			return;
		}
	}
	check(c, IOC_DOMAIN, v, len, field, dir);
}

unsigned intel_match_flow(const struct intel_db *db, const struct flow *f, uint64_t ts,
			  intel_hit_fn fn, void *ctx, uint64_t *expired)
{
	struct mctx c = {db, f, ts, fn, ctx, expired, 0};
	struct ioc_hit h;
	char text[46];
	if (!db || (f->ip_ver != 4 && f->ip_ver != 6))
		return 0;
	int af = f->ip_ver == 4 ? AF_INET : AF_INET6;
	if (ioc_match_ip(db->set, f->ip_ver, f->src.a, &h) &&
	    inet_ntop(af, f->src.a, text, sizeof(text)))
		report(&c, &h, "src_ip", text, 0);
	if (ioc_match_ip(db->set, f->ip_ver, f->dst.a, &h) &&
	    inet_ntop(af, f->dst.a, text, sizeof(text)))
		report(&c, &h, "dest_ip", text, 0);
	return c.hits;
}

static void match_dns(struct mctx *c, const struct dns_msg *m, int dir)
{
	/* Questions from the request; a response's only when the flow never
	 * carried a request (a capture of one direction). */
	if (!m->response || !c->f->pkts[0]) {
		for (unsigned i = 0; i < m->n_queries; i++)
			check(c, IOC_DOMAIN, (const uint8_t *)m->queries[i].name.s,
			      m->queries[i].name.len, "dns.query", dir);
	}
	if (!m->response)
		return;
	for (unsigned i = 0; i < m->n_rrs; i++) {
		const struct dns_rr *rr = &m->rrs[i];
		if (rr->section != DNS_SEC_ANSWER || !rr->has_text)
			continue;
		const char *t = rr->text;
		switch (rr->type) {
		case 1: /* A */
			check(c, IOC_IPV4, (const uint8_t *)t, strlen(t), "dns.answer", dir);
			break;
		case 28: /* AAAA */
			check(c, IOC_IPV6, (const uint8_t *)t, strlen(t), "dns.answer", dir);
			break;
		case 15: { /* MX: "pref name" */
			const char *sp = strchr(t, ' ');
			if (sp)
				check(c, IOC_DOMAIN, (const uint8_t *)sp + 1, strlen(sp + 1),
				      "dns.answer", dir);
			break;
		}
		case 2:	 /* NS */
		case 5:	 /* CNAME */
		case 12: /* PTR */
			check(c, IOC_DOMAIN, (const uint8_t *)t, strlen(t), "dns.answer", dir);
			break;
		default:
			break;
		}
	}
}

/* A buffer of the transaction, checked as type t, then as `alt` when that
 * is not IOC_TYPE_MAX: a JA3 is an MD5 and a certificate fingerprint a SHA-1,
 * and plain lists cannot tell such hashes apart (the retro-hunt does the
 * same). */
static void check_buf(struct mctx *c, const struct app_parser *ap, const void *txd, unsigned buf,
		      int bdir, enum ioc_type t, enum ioc_type alt, const char *field, int dir)
{
	const uint8_t *p;
	uint32_t len;
	if (!ap->buffer || !ap->buffer(txd, buf, bdir, 0, &p, &len))
		return;
	unsigned before = c->hits;
	check(c, t, p, len, field, dir);
	if (c->hits == before && alt != IOC_TYPE_MAX)
		check(c, alt, p, len, field, dir);
}

static void match_http(struct mctx *c, const struct app_parser *ap, const void *txd)
{
	const uint8_t *host, *uri;
	uint32_t hlen, ulen;
	if (!ap->buffer(txd, BUF_HTTP_HOST, 0, 0, &host, &hlen) || !hlen)
		return;
	check_host(c, host, hlen, "http.hostname", 0);
	if (!ap->buffer(txd, BUF_HTTP_URI_RAW, 0, 0, &uri, &ulen))
		return;
	char url[4096];
	if (7 + (size_t)hlen + ulen >= sizeof(url))
		return;
	memcpy(url, "http://", 7);
	memcpy(url + 7, host, hlen);
	memcpy(url + 7 + hlen, uri, ulen);
	check(c, IOC_URL, (const uint8_t *)url, 7 + (size_t)hlen + ulen, "http.url", 0);
}

static void match_file(struct mctx *c, const struct app_parser *ap, const void *txd, int d)
{
	const struct app_file *fl = ap->file ? ap->file(txd, d) : NULL;
	if (!fl || !fl->md5[0])
		return;
	check(c, IOC_MD5, (const uint8_t *)fl->md5, strlen(fl->md5), "fileinfo.md5", d);
	check(c, IOC_SHA1, (const uint8_t *)fl->sha1, strlen(fl->sha1), "fileinfo.sha1", d);
	check(c, IOC_SHA256, (const uint8_t *)fl->sha256, strlen(fl->sha256), "fileinfo.sha256", d);
}

unsigned intel_match_tx(const struct intel_db *db, const struct flow *f, const struct app_tx *tx,
			int dir, uint8_t level, uint64_t ts, intel_hit_fn fn, void *ctx,
			uint64_t *expired)
{
	struct mctx c = {db, f, ts, fn, ctx, expired, 0};
	const struct app_parser *ap = app_parser_for(tx->alproto);
	if (!db || !ap)
		return 0;
	if (level >= APP_LEVEL_FILE) {
		match_file(&c, ap, tx->data, (level - APP_LEVEL_FILE) & 1);
		return c.hits;
	}
	switch (tx->alproto) {
	case ALPROTO_DNS:
		match_dns(&c, tx->data, dir);
		break;
	case ALPROTO_HTTP:
		if (level == APP_LEVEL_LOG)
			match_http(&c, ap, tx->data);
		break;
	case ALPROTO_TLS:
		if (level == 1) {
			const uint8_t *p;
			uint32_t len;
			if (ap->buffer(tx->data, BUF_TLS_SNI, 0, 0, &p, &len))
				check_host(&c, p, len, "tls.sni", 0);
			check_buf(&c, ap, tx->data, BUF_JA3_HASH, 0, IOC_JA3, IOC_MD5, "tls.ja3",
				  0);
			check_buf(&c, ap, tx->data, BUF_JA4_HASH, 0, IOC_JA4, IOC_TYPE_MAX,
				  "tls.ja4", 0);
		} else if (level == 2) {
			check_buf(&c, ap, tx->data, BUF_JA3S_HASH, 1, IOC_JA3, IOC_MD5, "tls.ja3s",
				  1);
		} else if (level == 3) {
			check_buf(&c, ap, tx->data, BUF_TLS_CERT_FINGERPRINT, 1, IOC_CERT, IOC_SHA1,
				  "tls.fingerprint", 1);
		}
		break;
	default:
		break;
	}
	return c.hits;
}
