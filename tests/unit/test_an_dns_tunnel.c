/*
 * test_an_dns_tunnel — the DNS tunnel analytic: the registered-domain
 * function, entropy, a TXT/NULL tunnel's two records and their figures, a
 * tunnel of many random A names, an episode closed by a quiet window, and
 * what must stay quiet (CDN names, many hosts asking ordinary names, reverse
 * lookups, DNS-SD), the table's cap, hostile names.
 */
#include "analytics/dns_tunnel.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analytics/analytic.h"
#include "analytics/emit.h"
#include "check.h"
#include "core/config.h"
#include "detect/addrset.h"

extern const struct analytic analytic_dns_tunnel;

#define S  1000000000ull
#define T0 (1705309200ull * S) /* 2024-01-15T09:00:00Z */

/* ---- a hub of one analytic: config, EVE in a temporary folder ---- */

struct harness {
	struct config cfg;
	struct eve eve;
	struct an_emit em;
	struct counters cnt;
	struct ipset home;
	struct an_env env;
	char dir[64];
	void *st;
	const struct analytic *an;
	json_t *recs[4096];
	size_t n;
};

/* Set up with key=value settings (NULL-terminated). Returns init's result. */
static int h_open(struct harness *h, const struct analytic *an, const char *const *sets)
{
	struct addrset_err err;
	memset(h, 0, sizeof(*h));
	config_defaults(&h->cfg);
	for (size_t i = 0; sets && sets[i]; i++)
		if (config_set_kv(&h->cfg, sets[i]) < 0)
			return -2;
	snprintf(h->dir, sizeof(h->dir), "/tmp/mamori-an-XXXXXX");
	if (!mkdtemp(h->dir) || eve_open(&h->eve, h->dir, "eve.json") < 0 ||
	    an_emit_init(&h->em, &h->eve, NULL, NULL, &h->cnt, true) < 0 ||
	    ipset_parse(&h->home, "10.0.0.0/8", NULL, NULL, &err) < 0)
		return -2;
	h->env = (struct an_env){&h->cfg, &h->em, &h->cnt, NULL, &h->home};
	h->an = an;
	return an->init(&h->env, &h->st);
}

/* Finish at packet time now (0: no finish) and read every record written. */
static void h_read(struct harness *h, uint64_t now)
{
	char path[128], line[65536];
	if (now && h->st && h->an->finish)
		h->an->finish(h->st, now);
	an_emit_flush(&h->em);
	fflush(h->eve.f);
	for (size_t i = 0; i < h->n; i++)
		json_decref(h->recs[i]);
	h->n = 0;
	snprintf(path, sizeof(path), "%s/eve.json", h->dir);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f) && h->n < 4096) {
		json_t *j = json_loads(line, 0, NULL);
		CHECK(j != NULL);
		if (j)
			h->recs[h->n++] = j;
	}
	if (f)
		fclose(f);
}

static void h_close(struct harness *h)
{
	char path[128];
	for (size_t i = 0; i < h->n; i++)
		json_decref(h->recs[i]);
	if (h->an && h->st)
		h->an->free(h->st);
	an_emit_free(&h->em);
	eve_close(&h->eve);
	ipset_free(&h->home);
	snprintf(path, sizeof(path), "%s/eve.json", h->dir);
	unlink(path);
	rmdir(h->dir);
}

static void set_addr(struct addr *a, int ver, const char *text)
{
	memset(a, 0, sizeof(*a));
	inet_pton(ver == 6 ? AF_INET6 : AF_INET, text, a->a);
}

/* The n-th record's object named type, or NULL. */
static json_t *obj(json_t *rec, const char *type)
{
	return json_object_get(rec, type);
}

static json_int_t num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void dns(struct harness *h, uint64_t ts, const char *client, const char *server,
		const char *name, uint16_t qtype, bool response, uint32_t rdata, uint8_t rcode)
{
	struct an_obs o;
	memset(&o, 0, sizeof(o));
	o.kind = AN_OBS_DNS;
	o.ts = ts;
	o.ip_ver = 4;
	o.proto = 17;
	set_addr(&o.src, 4, client);
	set_addr(&o.dst, 4, server);
	o.sp = 40000;
	o.dp = 53;
	o.qtype = qtype;
	o.flags = (uint8_t)(AN_F_SRC_HOME | AN_F_DST_HOME | (response ? AN_F_RESPONSE : 0));
	o.rdata_bytes = rdata;
	o.rcode = rcode;
	o.name_len = (uint16_t)strlen(name);
	memcpy(o.name, name, o.name_len);
	h->an->obs(h->st, &o);
}

static void ticks(struct harness *h, uint64_t from, uint64_t to)
{
	for (uint64_t t = from; t <= to; t += S)
		h->an->tick(h->st, t);
}

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static void base32(char *out, size_t n)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	for (size_t i = 0; i < n; i++)
		out[i] = b32[rnd() % 32];
	out[n] = 0;
}

static size_t base_of(const char *name, char *out)
{
	size_t off, n = dns_tunnel_base(name, strlen(name), &off);
	memcpy(out, name + off, n);
	out[n] = 0;
	return n;
}

static void test_base(void)
{
	char b[256];
	base_of("a.b.example.com", b);
	CHECK_STR(b, "example.com");
	base_of("example.com.", b);
	CHECK_STR(b, "example.com");
	base_of("www.example.co.jp", b);
	CHECK_STR(b, "example.co.jp");
	base_of("x.y.WWW.Example.CO.JP", b);
	CHECK_STR(b, "Example.CO.JP");
	base_of("news.bbc.co.uk", b);
	CHECK_STR(b, "bbc.co.uk");
	base_of("a.b.shop.com.au", b);
	CHECK_STR(b, "shop.com.au");
	base_of("d111111abcdef8.cloudfront.net", b);
	CHECK_STR(b, "cloudfront.net");
	base_of("abc.0042.t.exfil-dns.org", b);
	CHECK_STR(b, "exfil-dns.org");
	CHECK_EQ(base_of("co.jp", b), 0);
	CHECK_EQ(base_of("localhost", b), 0);
	CHECK_EQ(base_of("", b), 0);
	CHECK_EQ(base_of(".", b), 0);
	CHECK_EQ(base_of("a..example.com", b), 0);
	CHECK_EQ(base_of(".example.com", b), 0);
	CHECK_EQ(base_of("example.com..", b), 0);
	CHECK_EQ(base_of("4.3.2.10.in-addr.arpa", b), 0);
	CHECK_EQ(base_of("b.a.9.8.ip6.arpa", b), 0);
	CHECK_EQ(base_of("_ipp._tcp.local", b), 0);
	CHECK_EQ(base_of("printer.local", b), 0);
	CHECK_EQ(base_of("_ldap._tcp.dc._msdcs.corp.example.com", b), 0);
	CHECK(dns_tunnel_entropy("aaaa", 4) == 0);
	CHECK(dns_tunnel_entropy("abcd", 4) == 2.0);
	CHECK(dns_tunnel_entropy("AbCd.", 5) == 2.0);
	CHECK(dns_tunnel_entropy("", 0) == 0);
}

/* The scenario's tunnel: 400 TXT/NULL questions in 10 minutes, 40-60 base32
 * characters, a sequence number, answers of 100-200 bytes. */
static void test_txt_tunnel(void)
{
	struct harness h;
	CHECK_EQ(h_open(&h, &analytic_dns_tunnel, NULL), 0);
	uint64_t up = 0, down = 0, t = T0;
	char name[256], lab[64];
	for (int i = 0; i < 400; i++) {
		base32(lab, 40 + rnd() % 21);
		snprintf(name, sizeof(name), "%s.%d.t.exfil-dns.org", lab, i);
		up += strlen(name) - strlen(".exfil-dns.org");
		t = T0 + (uint64_t)i * 1500000000ull;
		uint16_t qt = i % 4 == 3 ? 10 : 16;
		uint32_t rd = 100 + rnd() % 101;
		down += rd;
		dns(&h, t, "10.10.1.42", "10.10.0.10", name, qt, false, 0, 0);
		dns(&h, t + 1000000, "10.10.1.42", "10.10.0.10", name, qt, true, rd, 0);
		if (i % 10 == 0)
			h.an->tick(h.st, t);
	}
	h_read(&h, 0);
	CHECK_EQ(h.n, 1); /* the crossing, at once */
	json_t *d = obj(h.recs[0], "dns_tunnel");
	CHECK_STR(str(h.recs[0], "event_type"), "dns_tunnel");
	CHECK_STR(str(h.recs[0], "src_ip"), "10.10.1.42");
	CHECK_STR(str(h.recs[0], "dest_ip"), "10.10.0.10");
	CHECK_STR(str(d, "domain"), "exfil-dns.org");
	CHECK(json_is_false(json_object_get(d, "final")));
	CHECK_EQ(num(d, "txt_null"), 50);
	CHECK_EQ(num(d, "severity"), 1);
	CHECK_STR(str(d, "category"), "dns_tunnel");
	CHECK_STR(str(obj(d, "mitre"), "technique_id"), "T1071.004");
	CHECK_STR(str(obj(d, "mitre_exfiltration"), "technique_id"), "T1048.003");
	h_read(&h, t + 5 * S);
	CHECK_EQ(h.n, 2);
	d = obj(h.recs[1], "dns_tunnel");
	CHECK(json_is_true(json_object_get(d, "final")));
	CHECK_EQ(num(d, "queries"), 400);
	CHECK_EQ(num(d, "responses"), 400);
	CHECK_EQ(num(d, "txt_null"), 400);
	CHECK_EQ(num(d, "long_names"), 400);
	CHECK_EQ(num(d, "encoded_names"), 400);
	CHECK(num(d, "distinct_subdomains") >= 380 && num(d, "distinct_subdomains") <= 420);
	CHECK_EQ(num(d, "bytes_up"), up);
	CHECK_EQ(num(d, "bytes_down"), down);
	CHECK(num(d, "max_label_length") >= 40 && num(d, "max_label_length") <= 60);
	CHECK(json_real_value(json_object_get(d, "mean_entropy")) > 4.0);
	CHECK(json_object_get(d, "category") == NULL);
	CHECK_STR(str(d, "first_seen"), "2024-01-15T09:00:00.000000+0000");
	json_t *s = json_object_get(d, "sample_names");
	CHECK_EQ(json_array_size(s), 3);
	CHECK(strcmp(json_string_value(json_array_get(s, 0)),
		     json_string_value(json_array_get(s, 1))) < 0);
	CHECK(strlen(json_string_value(json_array_get(s, 2))) <= 80);
	CHECK_EQ(json_array_size(json_object_get(d, "resolvers")), 1);
	CHECK_EQ(h.cnt.c[CNT_AN_DNS_RECORDS], 2);
	h_close(&h);
}

/* Many random A names (no TXT): the subdomain rule, severity 2; a quiet
 * window closes the episode before the end of input. */
static void test_subdomain_tunnel(void)
{
	struct harness h;
	const char *sets[] = {"analytics.dns-tunnel.window=300", NULL};
	CHECK_EQ(h_open(&h, &analytic_dns_tunnel, sets), 0);
	char name[256], lab[64];
	uint64_t t = T0;
	for (int i = 0; i < 150; i++) {
		base32(lab, 30);
		snprintf(name, sizeof(name), "%s.c2.example.net", lab);
		t = T0 + (uint64_t)i * S;
		dns(&h, t, "10.0.0.5", "10.0.0.53", name, 1, false, 0, 0);
	}
	ticks(&h, T0, t + 400 * S);
	h_read(&h, 0);
	CHECK_EQ(h.n, 2);
	json_t *d = obj(h.recs[0], "dns_tunnel");
	CHECK_EQ(num(d, "severity"), 2);
	CHECK_STR(json_string_value(json_array_get(json_object_get(d, "reason"), 0)),
		  "unique-subdomains");
	CHECK(num(d, "distinct_subdomains") >= 98 && num(d, "distinct_subdomains") <= 102);
	d = obj(h.recs[1], "dns_tunnel");
	CHECK(json_is_true(json_object_get(d, "final")));
	CHECK_EQ(num(d, "queries"), 150);
	CHECK_EQ(h.cnt.c[CNT_AN_DNS_TRACKED], 0);
	h_read(&h, t + 500 * S);
	CHECK_EQ(h.n, 2); /* nothing more at the end */
	h_close(&h);
}

/* What must stay quiet. */
static void test_benign(void)
{
	struct harness h;
	CHECK_EQ(h_open(&h, &analytic_dns_tunnel, NULL), 0);
	static const char *const names[] = {"www.google.com",
					    "mail.google.com",
					    "www.example.co.jp",
					    "outlook.office365.com",
					    "teams.microsoft.com",
					    "login.microsoftonline.com",
					    "www.yahoo.co.jp",
					    "news.yahoo.co.jp",
					    "api.github.com",
					    "github.com",
					    "slack.com",
					    "app.slack.com",
					    "www.amazon.co.jp",
					    "s3.amazonaws.com",
					    "update.microsoft.com",
					    "time.windows.com"};
	char name[256], client[32];
	uint64_t t = T0;
	/* 50 hosts asking ordinary names, over 2 hours */
	for (int i = 0; i < 20000; i++) {
		t = T0 + (uint64_t)i * 360000000ull;
		snprintf(client, sizeof(client), "10.10.1.%d", 100 + (int)(rnd() % 50));
		dns(&h, t, client, "10.10.0.10", names[rnd() % 16], rnd() % 2 ? 1 : 28, false, 0,
		    0);
		if (i % 3 == 0)
			h.an->tick(h.st, t);
	}
	/* one host: 300 CloudFront distributions, 300 reverse lookups, DNS-SD */
	for (int i = 0; i < 300; i++) {
		t += 100000000ull;
		snprintf(name, sizeof(name), "d%08x%05x.cloudfront.net", rnd(), rnd() % 0xfffff);
		dns(&h, t, "10.10.1.7", "10.10.0.10", name, 1, false, 0, 0);
		snprintf(name, sizeof(name), "%d.%d.16.172.in-addr.arpa", i % 256, i / 256);
		dns(&h, t, "10.10.1.7", "10.10.0.10", name, 12, false, 0, 0);
		snprintf(name, sizeof(name), "host%d._ipp._tcp.example.com", i);
		dns(&h, t, "10.10.1.7", "10.10.0.10", name, 16, false, 0, 0);
		snprintf(name, sizeof(name), "a%d-b%d.akamaiedge.net", i, i * 7);
		dns(&h, t, "10.10.1.7", "10.10.0.10", name, 5, false, 0, 0);
	}
	h_read(&h, t + S);
	CHECK_EQ(h.n, 0);
	for (size_t i = 0; i < h.n; i++)
		fprintf(stderr, "unexpected: %s\n", json_dumps(h.recs[i], 0));
	h_close(&h);
}

/* The table's cap: the idlest pairs go, counted. Hostile names. */
static void test_cap_hostile(void)
{
	struct harness h;
	const char *sets[] = {"analytics.dns-tunnel.max-domains=4", NULL};
	CHECK_EQ(h_open(&h, &analytic_dns_tunnel, sets), 0);
	char name[300], client[32];
	for (int i = 0; i < 10; i++) {
		snprintf(client, sizeof(client), "10.0.0.%d", i + 1);
		dns(&h, T0 + (uint64_t)i * S, client, "10.0.0.53", "www.example.com", 1, false, 0,
		    0);
	}
	CHECK_EQ(h.cnt.c[CNT_AN_DNS_EVICTED], 6);
	CHECK_EQ(h.cnt.c[CNT_AN_DNS_TRACKED], 4);
	/* a response for a pair never asked about, odd bytes, the longest name */
	dns(&h, T0 + 20 * S, "10.0.0.99", "10.0.0.53", "x.example.org", 16, true, 500, 3);
	memset(name, 0, sizeof(name));
	for (int i = 0; i < 255; i++)
		name[i] = (char)(i % 7 == 6 ? '.' : 1 + i % 250);
	dns(&h, T0 + 21 * S, "10.0.0.98", "10.0.0.53", name, 16, false, 0, 0);
	memset(name, 'a', 255);
	name[255] = 0;
	name[100] = '.';
	name[200] = '.';
	for (int i = 0; i < 100; i++)
		dns(&h, T0 + 22 * S + (uint64_t)i, "10.0.0.97", "10.0.0.53", name, 10, false, 0, 0);
	struct an_obs o;
	memset(&o, 0, sizeof(o));
	o.kind = AN_OBS_DNS;
	o.ip_ver = 4;
	o.name_len = AN_NAME_MAX;
	memset(o.name, '.', AN_NAME_MAX);
	h.an->obs(h.st, &o);
	o.ip_ver = 0;
	h.an->obs(h.st, &o);
	h_read(&h, T0 + 30 * S);
	CHECK(h.cnt.c[CNT_AN_DNS_TRACKED] == 0);
	h_close(&h);
	/* off */
	const char *off[] = {"analytics.dns-tunnel.enabled=false", NULL};
	CHECK_EQ(h_open(&h, &analytic_dns_tunnel, off), 0);
	CHECK(h.st == NULL);
	h_close(&h);
}

int main(void)
{
	test_base();
	test_txt_tunnel();
	test_subdomain_tunnel();
	test_benign();
	test_cap_hostile();
	return check_report("test_an_dns_tunnel");
}
