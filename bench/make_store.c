/*
 * make_store — fills a store with generated flow, dns and tls records (and a few http and
 * fileinfo ones) through the store API, for the retro-hunt benchmark (bench/retro-hunt).
 *
 * The traffic is an office network over 179 days: 4,000 internal hosts (10.0.0.0/16, and 5%
 * of sessions over IPv6 from fd00::/64), 2,000,000 external addresses, 1,000,000 names under
 * 200,000 registered domains in ten TLDs, 2,000 JA3 and 2,000 JA4 fingerprints, one
 * certificate per registered domain, 100,000 files. Popularity is skewed (an item's rank is
 * N * u^4 for uniform u: the top 1% of names gets about a third of the sessions). A session
 * is a flow from an internal host to an external address; 40% of sessions start with a DNS
 * lookup of the name that resolves to that address (a request and a response with its A or
 * AAAA answer), 60% carry a TLS handshake with the name as SNI, 2% an HTTP request, 0.2% a
 * file. Every value is drawn from a seeded PRNG: the same arguments give the same store.
 *
 * It also writes OUT.samples: values drawn uniformly from each pool (addresses, names,
 * registered domains, JA3, JA4, certificates) and from the URLs and files written (a
 * reservoir sample), from which retro-hunt builds indicators that are present in the store.
 *
 *   bench_make_store OUT.db [RECORDS] [--incremental]
 *
 * Without --incremental the indexes are built once the records are in (the way a bulk import
 * would); with it they are kept up to date record by record, as mamori read and mamori live
 * do. Prints the time taken, the records and the store's bytes per million records.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/counters.h"
#include "core/log.h"
#include "store/store.h"

#define N_INT	  4000
#define N_EXT	  2000000
#define N_NAME	  1000000
#define N_DOM	  200000
#define N_JA3	  2000
#define N_JA4	  2000
#define N_FILE	  100000
#define N_URL	  10000
#define SPAN_S	  (179ull * 86400)
#define T_END	  (1719792000ull * 1000000000ull) /* 2024-07-01T00:00:00Z */
#define N_SAMPLES 20000

static uint64_t rng_s = 0x6d616d6f72692153ull;

/* splitmix64 */
static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	rng_s += 0x9e3779b97f4a7c15ull;
	return mix(rng_s);
}

static double unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* A skewed rank in [0, n). */
static uint32_t pick(uint32_t n)
{
	double u = unit();
	return (uint32_t)((double)n * u * u * u * u);
}

static const char *const tlds[] = {"com",   "net", "org",  "jp", "io",
				   "co.jp", "de",  "info", "cn", "ru"};

/* External address i: IPv4 outside the private and special ranges, 5% IPv6. */
static int ext_addr(uint32_t i, uint8_t a[16])
{
	uint64_t h = mix(i ^ 0xe7e7e7e7ull);
	memset(a, 0, 16);
	if (h % 20 == 0) {
		uint64_t g = mix(h);
		a[0] = 0x2a;
		a[1] = 0x00;
		memcpy(a + 2, &h, 6);
		memcpy(a + 8, &g, 8);
		return 6;
	}
	uint8_t o1 = (uint8_t)(11 + (h >> 8) % 212);
	if (o1 == 100 || o1 == 127 || o1 == 169 || o1 == 172 || o1 == 192 || o1 == 198)
		o1++;
	a[0] = o1;
	a[1] = (uint8_t)(h >> 16);
	a[2] = (uint8_t)(h >> 24);
	a[3] = (uint8_t)(1 + (h >> 32) % 254);
	return 4;
}

static int int_addr(uint32_t i, int ver, uint8_t a[16])
{
	memset(a, 0, 16);
	if (ver == 6) {
		a[0] = 0xfd;
		a[14] = (uint8_t)(i >> 8);
		a[15] = (uint8_t)i;
		return 6;
	}
	a[0] = 10;
	a[1] = 0;
	a[2] = (uint8_t)(i / 250);
	a[3] = (uint8_t)(i % 250 + 1);
	return 4;
}

static void domain_text(uint32_t d, char *out, size_t n)
{
	snprintf(out, n, "s%" PRIx64 ".%s", mix(d) % 0xfffffff, tlds[d % 10]);
}

static void name_text(uint32_t j, char *out, size_t n)
{
	char dom[64];
	static const char *const first[] = {"www",    "api", "cdn",   "mail",
					    "static", "img", "login", "app"};
	domain_text(j % N_DOM, dom, sizeof(dom));
	uint32_t k = j / N_DOM;
	if (k < 8)
		snprintf(out, n, "%s.%s", first[k], dom);
	else
		snprintf(out, n, "h%u.%s", k, dom);
}

/* The address a name resolves to; the same answer every time. */
static uint32_t name_addr(uint32_t j)
{
	return (uint32_t)(mix((uint64_t)j * 7919) % N_EXT);
}

static void hex(uint64_t seed, size_t nbytes, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < nbytes; i++) {
		uint8_t b = (uint8_t)(mix(seed + i / 8) >> (8 * (i % 8)));
		out[2 * i] = hx[b >> 4];
		out[2 * i + 1] = hx[b & 15];
	}
	out[2 * nbytes] = '\0';
}

static void ja3_text(uint32_t k, char *out)
{
	hex(0x3a3000000ull + k * 4ull, 16, out);
}

static void ja4_text(uint32_t k, char *out)
{
	char a[13], b[13];
	hex(0x3a4000000ull + k * 4ull, 6, a);
	hex(0x3a4800000ull + k * 4ull, 6, b);
	snprintf(out, 40, "t13d%02u%02uh2_%s_%s", 10 + k % 8, 8 + k % 12, a, b);
}

static void cert_text(uint32_t d, char *out)
{
	char h[41];
	hex(0xce7000000ull + d * 4ull, 20, h);
	for (int i = 0, o = 0; i < 20; i++) {
		out[o++] = h[2 * i];
		out[o++] = h[2 * i + 1];
		out[o++] = i < 19 ? ':' : '\0';
	}
}

static void file_hashes(uint32_t k, char md5[33], char sha1[41], char sha256[65])
{
	hex(0xf11e00000ull + k * 16ull, 16, md5);
	hex(0xf11e80000ull + k * 16ull, 20, sha1);
	hex(0xf11f00000ull + k * 16ull, 32, sha256);
}

/* Reservoir samples of the URLs and files written (Vitter's algorithm R). */
static char url_sample[N_SAMPLES][160];
static uint32_t file_sample[N_SAMPLES];
static uint64_t n_urls, n_files;

static void sample_url(const char *host, const char *path)
{
	uint64_t k = n_urls < N_SAMPLES ? n_urls : rnd() % (n_urls + 1);
	if (k < N_SAMPLES)
		snprintf(url_sample[k], sizeof(url_sample[k]), "http://%s%s", host, path);
	n_urls++;
}

static void sample_file(uint32_t f)
{
	uint64_t k = n_files < N_SAMPLES ? n_files : rnd() % (n_files + 1);
	if (k < N_SAMPLES)
		file_sample[k] = f;
	n_files++;
}

static struct store_text T(const char *s) {
	return (struct store_text){s, (uint32_t)strlen(s)};
}

static double
now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void samples(const char *path)
{
	FILE *f = fopen(path, "w");
	char t[128], m5[33], s1[41], s256[65];
	uint8_t a[16];
	if (!f) {
		perror(path);
		return;
	}
	for (int i = 0; i < N_SAMPLES; i++) {
		uint32_t e = (uint32_t)(rnd() % N_NAME);
		int v = ext_addr(name_addr(e), a);
		inet_ntop(v == 6 ? AF_INET6 : AF_INET, a, t, sizeof(t));
		fprintf(f, "addr %s\n", t);
		name_text(e, t, sizeof(t));
		fprintf(f, "name %s\n", t);
		domain_text(e % N_DOM, t, sizeof(t));
		fprintf(f, "domain %s\n", t);
		cert_text(e % N_DOM, t);
		fprintf(f, "cert %s\n", t);
	}
	for (uint64_t i = 0; i < N_SAMPLES && i < n_urls; i++)
		fprintf(f, "url %s\n", url_sample[i]);
	for (uint64_t i = 0; i < N_SAMPLES && i < n_files; i++) {
		file_hashes(file_sample[i], m5, s1, s256);
		fprintf(f, "md5 %s\nsha1 %s\nsha256 %s\n", m5, s1, s256);
	}
	for (uint32_t k = 0; k < N_JA3; k++) {
		ja3_text(k, t);
		fprintf(f, "ja3 %s\n", t);
		ja4_text(k, t);
		fprintf(f, "ja4 %s\n", t);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	uint64_t want = 50000000;
	bool incremental = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--incremental"))
			incremental = true;
		else if (!out)
			out = argv[i];
		else
			want = strtoull(argv[i], NULL, 10);
	}
	if (!out || !want) {
		fprintf(stderr, "usage: bench_make_store OUT.db [RECORDS] [--incremental]\n");
		return 2;
	}
	struct store_opts o;
	memset(&o, 0, sizeof(o));
	o.batch_rows = 20000;
	o.queue_len = 4;
	o.producers = 1;
	o.wait = true;
	o.bulk = !incremental;
	o.stats_interval = 300;
	o.cache_mb = 64; /* as store.cache-mb */
	struct store *s = store_open(out, &o);
	if (!s)
		return 1;
	struct counters cnt;
	memset(&cnt, 0, sizeof(cnt));
	struct store_out *so = store_out_new(s, &cnt);
	if (!so)
		return 1;

	/* sessions come in time order, about 2.4 records each */
	uint64_t sessions = want * 10 / 24 + 1, n = 0, n_flow = 0, n_dns = 0, n_tls = 0,
		 n_other = 0;
	uint64_t t0 = T_END - SPAN_S * 1000000000ull, step = SPAN_S * 1000000000ull / sessions;
	double start = now_s(), last = start;
	char name[128], ja3[33], ja4[40], cert[64], subject[96], url[48], m5[33], s1[41], s256[65];
	char fname[32];
	uint8_t ans[17];
	struct store_rec r;
	for (uint64_t i = 0; n < want; i++) {
		uint64_t ts = t0 + i * step + rnd() % (step ? step : 1);
		uint32_t j = pick(N_NAME), cli = (uint32_t)(rnd() % N_INT);
		uint8_t srv[16];
		int ver = ext_addr(name_addr(j), srv);
		memset(&r, 0, sizeof(r));
		r.c.ts = ts;
		r.c.flow_id = rnd() & ((1ull << 51) - 1);
		r.c.ip_ver = (uint8_t)ver;
		r.c.proto = 6;
		int_addr(cli, ver, r.c.src);
		memcpy(r.c.dst, srv, 16);
		r.c.sp = (uint16_t)(32768 + rnd() % 28000);
		r.c.dp = 443;
		name_text(j, name, sizeof(name));
		double u = unit();
		if (u < 0.4) {
			/* the lookup: a request and its response, to the office resolver */
			struct store_rec d;
			memset(&d, 0, sizeof(d));
			d.kind = STORE_DNS;
			d.c.ts = ts - 2000000;
			d.c.flow_id = rnd() & ((1ull << 51) - 1);
			d.c.ip_ver = 4;
			d.c.proto = 17;
			int_addr(cli, 4, d.c.src);
			int_addr(N_INT - 1, 4, d.c.dst);
			d.c.sp = (uint16_t)(32768 + rnd() % 28000);
			d.c.dp = 53;
			d.dns.qname = T(name);
			d.dns.rrtype = ver == 6 ? 28 : 1;
			d.dns.rcode = -1;
			store_out_add(so, &d);
			d.c.ts += 900000;
			d.dns.response = true;
			d.dns.rcode = 0;
			ans[0] = ver == 6 ? 16 : 4;
			memcpy(ans + 1, srv, ans[0]);
			d.dns.answers = (struct store_text){(const char *)ans, 1u + ans[0]};
			store_out_add(so, &d);
			n += 2;
			n_dns += 2;
		}
		/* the flow */
		uint64_t up = 300 + rnd() % 4000, down = (uint64_t)(500.0 * exp(unit() * 9.0));
		r.kind = STORE_FLOW;
		r.flow.end = ts + (uint64_t)(unit() * unit() * 300e9);
		r.flow.pkts[0] = 3 + up / 1000;
		r.flow.pkts[1] = 3 + down / 1400;
		r.flow.bytes[0] = up + r.flow.pkts[0] * 66;
		r.flow.bytes[1] = down + r.flow.pkts[1] * 66;
		r.flow.state = 2;
		double v = unit();
		r.flow.app = T(v < 0.6 ? "tls" : v < 0.62 ? "http" : "failed");
		if (v >= 0.6 && v < 0.62)
			r.c.dp = 80;
		store_out_add(so, &r);
		n++;
		n_flow++;
		struct store_rec a;
		if (v < 0.6) {
			/* its TLS handshake */
			memset(&a, 0, sizeof(a));
			a.kind = STORE_TLS;
			a.c = r.c;
			a.c.ts = ts + 30000000;
			a.tls.version = 0x0304;
			a.tls.sni = T(name);
			ja3_text(pick(N_JA3), ja3);
			ja4_text(pick(N_JA4), ja4);
			a.tls.ja3 = T(ja3);
			a.tls.ja4 = T(ja4);
			if (rnd() % 3 == 0) {
				/* TLS 1.2: the certificate is in clear */
				a.tls.version = 0x0303;
				cert_text(j % N_DOM, cert);
				char dom[64];
				domain_text(j % N_DOM, dom, sizeof(dom));
				snprintf(subject, sizeof(subject), "CN=*.%s", dom);
				a.tls.fp = T(cert);
				a.tls.subject = T(subject);
				a.tls.issuer = T("C=US, O=Example Trust, CN=Example TLS CA");
			}
			store_out_add(so, &a);
			n++;
			n_tls++;
		} else if (v < 0.62) {
			memset(&a, 0, sizeof(a));
			a.kind = STORE_HTTP;
			a.c = r.c;
			a.c.ts = ts + 20000000;
			snprintf(url, sizeof(url), "/p/%u.php", (unsigned)(rnd() % N_URL));
			a.http.host = T(name);
			a.http.url = T(url);
			a.http.method = T("GET");
			a.http.ua =
			    T("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36");
			a.http.status = 200;
			a.http.length = (int64_t)down;
			store_out_add(so, &a);
			sample_url(name, url);
			n++;
			n_other++;
			if (rnd() % 10 == 0) {
				uint32_t k = pick(N_FILE);
				file_hashes(k, m5, s1, s256);
				snprintf(fname, sizeof(fname), "/f/%u.bin", k);
				memset(&a.file, 0, sizeof(a.file));
				a.kind = STORE_FILEINFO;
				a.file.dir = 1;
				a.file.state = 2;
				a.file.size = down;
				a.file.host = T(name);
				a.file.name = T(fname);
				a.file.md5 = T(m5);
				a.file.sha1 = T(s1);
				a.file.sha256 = T(s256);
				store_out_add(so, &a);
				sample_file(k);
				n++;
				n_other++;
			}
		}
		if (now_s() - last >= 30 && (i & 1023) == 0) {
			last = now_s();
			fprintf(stderr, "make-store: %" PRIu64 " records, %.0f records/s\n", n,
				(double)n / (last - start));
		}
	}
	store_out_free(so);
	double loaded = now_s() - start;
	fprintf(stderr, "make-store: %" PRIu64 " records written in %.1f s%s\n", n, loaded,
		o.bulk ? "; building the indexes" : "");
	int rc = store_finish(s);
	double total = now_s() - start;
	struct counters c;
	memset(&c, 0, sizeof(c));
	store_counters(s, &c);
	store_free(s);
	struct stat st;
	uint64_t size = stat(out, &st) == 0 ? (uint64_t)st.st_size : 0;
	printf(
	    "make-store: %s: %" PRIu64 " records (flow %" PRIu64 ", dns %" PRIu64 ", tls %" PRIu64
	    ", http and fileinfo %" PRIu64 "), %" PRIu64 " committed, %" PRIu64 " lost to errors\n",
	    out, n, n_flow, n_dns, n_tls, n_other, c.c[CNT_STORE_ROWS], c.c[CNT_STORE_LOST_ROWS]);
	printf("make-store: %.1f s in all (%.1f s loading, %.1f s %s), %.0f records/s; %.2f GB, "
	       "%.1f MB per million records\n",
	       total, loaded, total - loaded, o.bulk ? "building indexes" : "closing",
	       (double)n / total, (double)size / 1e9, (double)size / 1e6 / ((double)n / 1e6));
	char sp[4200];
	snprintf(sp, sizeof(sp), "%s.samples", out);
	samples(sp);
	return rc < 0 ? 1 : 0;
}
