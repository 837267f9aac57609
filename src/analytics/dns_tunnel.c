/*
 * dns_tunnel — data carried in DNS names (iodine, dnscat2, DNSExfiltrator,
 * malware C2 over TXT records): one client asking a resolver about many
 * distinct, long or random-looking names below one domain, or many TXT/NULL
 * questions whose names carry data.
 *
 * State is kept per (client, base domain), the base domain being the
 * registered domain of the question (dns_tunnel_base): a tunnel is one
 * client talking to one authoritative server through its resolver, while
 * many clients asking about one popular domain are not. Within a window of
 * analytics.dns-tunnel.window seconds (from the pair's first question) the
 * pair counts questions, distinct names below the base, "encoded" names (a
 * label of at least min-label-length characters, or at least
 * DT_ENTROPY_MIN_CHARS characters below the base with a Shannon entropy of
 * at least min-entropy/100 bits per character), TXT/NULL and CNAME/MX
 * questions, bytes up (the name below the base) and bytes down (rdata of the
 * answers), NXDOMAIN answers. It is a tunnel when distinct names reach
 * unique-subdomains and more than half the names are encoded, or when the
 * TXT/NULL/CNAME/MX questions with encoded names reach txt-null. Then one
 * record is written at once, the pair's figures keep growing (the window no
 * longer restarts), and a final record ("final": true) with the whole
 * episode is written once the pair has been quiet for a window, when it is
 * evicted, or at the end of input.
 *
 * Reverse lookups (in-addr.arpa, ip6.arpa), DNS-SD and other service names
 * (a label starting with '_') and mDNS names (.local) are never counted.
 *
 * Memory: one table of (client, base domain) pairs, at most
 * analytics.dns-tunnel.max-domains entries of about 800 bytes, allocated at
 * start and used from the front (the pages of unused entries are never
 * touched); an index of twice that many 4-byte slots (open addressing).
 * Pairs quiet for a window are dropped (a sweep every DT_SWEEP_S seconds of
 * packet time). At the cap the idlest of the next DT_EVICT_SCAN entries
 * under a clock hand is evicted (its final record written when it was a
 * tunnel) and counted in analytics.dns_tunnel.evicted; the gauge
 * analytics.dns_tunnel.domains is the number of pairs. Distinct names are
 * counted exactly up to DT_SET, then with a linear-counting bitmap of
 * DT_BITS bits (about 2% standard error at 400 names).
 */
#include "analytics/dns_tunnel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>

#include "analytics/analytic.h"
#include "core/log.h"

#define DT_BASE_MAX	     128 /* longer base domains are not tracked */
#define DT_SET		     64	 /* distinct names counted exactly */
#define DT_BITS		     2048
#define DT_SAMPLES	     3
#define DT_SAMPLE_LEN	     80
#define DT_RESOLVERS	     4
#define DT_ENTROPY_MIN_CHARS 16 /* shorter names: entropy too noisy to judge */
#define DT_SWEEP_S	     60
#define DT_EVICT_SCAN	     8
#define NS		     1000000000ull

#define QTYPE_NULL  10
#define QTYPE_TXT   16
#define QTYPE_CNAME 5
#define QTYPE_MX    15

struct dt_entry {
	uint64_t hash;
	struct addr client;
	uint8_t ver;
	bool episode; /* crossed: figures grow until quiet for a window */
	bool sketch;  /* distinct names in d.bits, else d.set[0..n_set) */
	uint8_t base_len, n_resolvers, n_samples, reason;
	uint16_t max_label;
	uint32_t n_set;
	char base[DT_BASE_MAX];
	uint64_t first_ts, last_ts, win_start;
	uint32_t queries, responses, long_names, entropy_names, encoded, txt_null, other_types;
	uint32_t special_enc; /* TXT/NULL/CNAME/MX questions with encoded names */
	uint32_t nxdomain, entropy_n;
	uint64_t bytes_up, bytes_down;
	double entropy_sum;
	struct addr resolvers[DT_RESOLVERS];
	union {
		uint32_t set[DT_SET];
		uint8_t bits[DT_BITS / 8];
	} d;
	char samples[DT_SAMPLES][DT_SAMPLE_LEN + 1];
};

struct dns_tunnel {
	const struct an_env *env;
	uint64_t window_ns;
	uint32_t unique, label_len, txt_null;
	double min_entropy;
	struct dt_entry *ent; /* [0, n) in use */
	uint32_t n, cap, hand;
	uint32_t *slot; /* entry index + 1, 0 = empty; size a power of two >= 2 cap */
	uint32_t slot_mask;
	uint64_t next_sweep;
};

#define R_SUBDOMAINS 1
#define R_TXT_NULL   2

/* ---- names ---- */

/* Two-label public suffixes under which domains are registered (the common
 * ones of the Public Suffix List; names under any other suffix take their
 * last two labels). */
static const char *const multi_suffix[] = {
    "ac.jp",  "ad.jp",	"co.jp",  "ed.jp",  "go.jp",  "gr.jp",	"lg.jp",  "ne.jp",  "or.jp",
    "ac.uk",  "co.uk",	"gov.uk", "ltd.uk", "me.uk",  "net.uk", "org.uk", "plc.uk", "com.au",
    "edu.au", "gov.au", "net.au", "org.au", "com.cn", "edu.cn", "gov.cn", "net.cn", "org.cn",
    "com.br", "net.br", "org.br", "co.in",  "net.in", "org.in", "co.kr",  "or.kr",  "co.nz",
    "org.nz", "com.hk", "com.sg", "com.tw", "org.tw", "com.mx", "co.za",  "com.tr", "co.il",
    "co.id",  "com.my", "com.ar", "com.ph", "com.vn",
};

static bool label_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && !strncasecmp(s, lit, n);
}

size_t dns_tunnel_base(const char *name, size_t len, size_t *base)
{
	*base = 0;
	if (len && name[len - 1] == '.')
		len--;
	if (len == 0)
		return 0;
	/* label starts, from the end: st[0] the last label's */
	size_t st[3] = {0, 0, 0}, nl = 0, end = len;
	for (size_t i = len + 1; i-- > 0;) {
		if (i == 0 || name[i - 1] == '.') {
			if (i == end || name[i] == '_')
				return 0; /* empty label, or a service label */
			if (nl < 3)
				st[nl] = i;
			nl++;
			end = i ? i - 1 : 0;
		}
	}
	if (nl < 2)
		return 0;
	const char *last = name + st[0];
	size_t last_n = len - st[0];
	if (label_is(last, last_n, "arpa") || label_is(last, last_n, "local"))
		return 0;
	size_t b = st[1];
	size_t sl = len - st[1];
	for (size_t i = 0; i < sizeof(multi_suffix) / sizeof(multi_suffix[0]); i++) {
		if (label_is(name + st[1], sl, multi_suffix[i])) {
			if (nl < 3)
				return 0; /* the suffix itself */
			b = st[2];
			break;
		}
	}
	*base = b;
	return len - b;
}

double dns_tunnel_entropy(const char *s, size_t n)
{
	uint32_t count[256] = {0};
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];
		if (c == '.')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		count[c]++;
		total++;
	}
	double h = 0;
	for (unsigned c = 0; c < 256 && total; c++) {
		if (!count[c])
			continue;
		double p = (double)count[c] / (double)total;
		h -= p * log2(p);
	}
	return h;
}

/* ---- the table ---- */

static uint64_t key_hash(int ver, const struct addr *client, const char *base, size_t n)
{
	uint8_t k[16 + 1 + DT_BASE_MAX];
	memcpy(k, client->a, 16);
	k[16] = (uint8_t)ver;
	memcpy(k + 17, base, n);
	return XXH3_64bits(k, 17 + n);
}

static bool same_key(const struct dt_entry *e, uint64_t h, int ver, const struct addr *client,
		     const char *base, size_t n)
{
	return e->hash == h && e->ver == ver && e->base_len == n &&
	       !memcmp(e->client.a, client->a, 16) && !memcmp(e->base, base, n);
}

/* The slot that holds entry idx. */
static uint32_t slot_of(struct dns_tunnel *d, uint32_t idx)
{
	uint32_t i = (uint32_t)d->ent[idx].hash & d->slot_mask;
	while (d->slot[i] != idx + 1)
		i = (i + 1) & d->slot_mask;
	return i;
}

/* Drop entry idx: empty its slot (moving later slots of the run back), and
 * move the last entry into its place. */
static void entry_remove(struct dns_tunnel *d, uint32_t idx)
{
	uint32_t i = slot_of(d, idx), j = i;
	d->slot[i] = 0;
	for (;;) {
		j = (j + 1) & d->slot_mask;
		if (!d->slot[j])
			break;
		uint32_t home = (uint32_t)d->ent[d->slot[j] - 1].hash & d->slot_mask;
		/* can the entry at j move to i? (home not cyclically in (i, j]) */
		bool stay = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stay)
			continue;
		d->slot[i] = d->slot[j];
		d->slot[j] = 0;
		i = j;
	}
	uint32_t last = d->n - 1;
	if (idx != last) {
		d->slot[slot_of(d, last)] = idx + 1;
		d->ent[idx] = d->ent[last];
	}
	d->n--;
	if (d->hand >= d->n)
		d->hand = 0;
}

/* ---- figures ---- */

static void distinct_add(struct dt_entry *e, uint32_t h)
{
	if (!e->sketch) {
		for (uint32_t i = 0; i < e->n_set; i++)
			if (e->d.set[i] == h)
				return;
		if (e->n_set < DT_SET) {
			e->d.set[e->n_set++] = h;
			return;
		}
		uint32_t set[DT_SET];
		memcpy(set, e->d.set, sizeof(set));
		memset(e->d.bits, 0, sizeof(e->d.bits));
		for (uint32_t i = 0; i < DT_SET; i++)
			e->d.bits[(set[i] % DT_BITS) / 8] |= (uint8_t)(1u << (set[i] % 8));
		e->sketch = true;
	}
	e->d.bits[(h % DT_BITS) / 8] |= (uint8_t)(1u << (h % 8));
}

static uint64_t distinct_count(const struct dt_entry *e)
{
	if (!e->sketch)
		return e->n_set;
	uint32_t zeros = 0;
	for (uint32_t i = 0; i < DT_BITS / 8; i++)
		zeros += (uint32_t)(8 - __builtin_popcount(e->d.bits[i]));
	if (zeros == 0)
		zeros = 1; /* saturated: the estimate is a floor */
	return (uint64_t)(-(double)DT_BITS * log((double)zeros / DT_BITS) + 0.5);
}

/* Keep the DT_SAMPLES smallest distinct names (sorted): the same whatever
 * the order in which they came. */
static void sample_add(struct dt_entry *e, const char *name, size_t n)
{
	char s[DT_SAMPLE_LEN + 1];
	if (n > DT_SAMPLE_LEN)
		n = DT_SAMPLE_LEN;
	memcpy(s, name, n);
	s[n] = 0;
	unsigned i;
	for (i = 0; i < e->n_samples; i++) {
		int c = strcmp(s, e->samples[i]);
		if (c == 0)
			return;
		if (c < 0)
			break;
	}
	if (i == DT_SAMPLES)
		return;
	unsigned last = e->n_samples < DT_SAMPLES ? e->n_samples : DT_SAMPLES - 1;
	memmove(e->samples[i + 1], e->samples[i], (size_t)(last - i) * sizeof(e->samples[0]));
	memcpy(e->samples[i], s, n + 1);
	if (e->n_samples < DT_SAMPLES)
		e->n_samples++;
}

static void resolver_add(struct dt_entry *e, const struct addr *a)
{
	for (unsigned i = 0; i < e->n_resolvers; i++)
		if (!memcmp(e->resolvers[i].a, a->a, 16))
			return;
	if (e->n_resolvers < DT_RESOLVERS)
		e->resolvers[e->n_resolvers++] = *a;
}

/* Start a new window at ts: the pair's figures from zero. */
static void window_reset(struct dt_entry *e, uint64_t ts)
{
	size_t from = offsetof(struct dt_entry, first_ts);
	memset((char *)e + from, 0, sizeof(*e) - from);
	e->episode = e->sketch = false;
	e->n_set = 0;
	e->n_resolvers = e->n_samples = 0;
	e->reason = 0;
	e->max_label = 0;
	e->first_ts = e->last_ts = e->win_start = ts;
}

static int by_addr(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct addr));
}

static void put_record(struct dns_tunnel *d, struct dt_entry *e, bool final, uint64_t ts)
{
	struct an_emit *em = d->env->emit;
	struct addr res[DT_RESOLVERS];
	memcpy(res, e->resolvers, sizeof(res));
	qsort(res, e->n_resolvers, sizeof(res[0]), by_addr);
	struct jbuf *jb = an_begin(em, ts, "dns_tunnel", e->ver, &e->client,
				   e->n_resolvers ? &res[0] : NULL, 0, 0, 0, 0);
	an_put_addr(jb, "client", e->ver, &e->client);
	jb_strn(jb, "domain", (const uint8_t *)e->base, e->base_len);
	jb_bool(jb, "final", final);
	jb_open_array(jb, "reason");
	if (e->reason & R_SUBDOMAINS)
		jb_str_plain(jb, NULL, "unique-subdomains");
	if (e->reason & R_TXT_NULL)
		jb_str_plain(jb, NULL, "txt-null");
	jb_close_array(jb);
	jb_u64(jb, "queries", e->queries);
	jb_u64(jb, "responses", e->responses);
	jb_u64(jb, "distinct_subdomains", distinct_count(e));
	jb_u64(jb, "encoded_names", e->encoded);
	jb_u64(jb, "long_names", e->long_names);
	jb_u64(jb, "high_entropy_names", e->entropy_names);
	jb_u64(jb, "txt_null", e->txt_null);
	jb_u64(jb, "cname_mx", e->other_types);
	jb_u64(jb, "nxdomain", e->nxdomain);
	an_put_f64(jb, "mean_entropy", e->entropy_n ? e->entropy_sum / e->entropy_n : 0, 2);
	jb_u64(jb, "max_label_length", e->max_label);
	jb_u64(jb, "bytes_up", e->bytes_up);
	jb_u64(jb, "bytes_down", e->bytes_down);
	an_put_ts(jb, "first_seen", e->first_ts);
	an_put_ts(jb, "last_seen", e->last_ts);
	jb_open_array(jb, "resolvers");
	for (unsigned i = 0; i < e->n_resolvers; i++)
		an_put_addr(jb, NULL, e->ver, &res[i]);
	jb_close_array(jb);
	jb_open_array(jb, "sample_names");
	for (unsigned i = 0; i < e->n_samples; i++)
		jb_str(jb, NULL, e->samples[i]);
	jb_close_array(jb);
	an_put_mitre(jb, "T1071.004", "Application Layer Protocol: DNS", "command-and-control");
	jb_open(jb, "mitre_exfiltration");
	jb_str_plain(jb, "technique_id", "T1048.003");
	jb_str(jb, "technique",
	       "Exfiltration Over Alternative Protocol: Exfiltration Over Unencrypted Non-C2 "
	       "Protocol");
	jb_str(jb, "tactic", "exfiltration");
	jb_close(jb);
	CNT_INC(d->env->cnt, AN_DNS_RECORDS);
	/* the crossing is the attack; the final record only completes it */
	an_commit(em, (e->reason & R_TXT_NULL) ? 1 : 2, final ? NULL : "dns_tunnel", e->ver,
		  &e->client);
}

/* ---- observations ---- */

/* b - a, or 0 when time went backwards. */
static uint64_t since(uint64_t a, uint64_t b)
{
	return b > a ? b - a : 0;
}

static struct dt_entry *lookup(struct dns_tunnel *d, int ver, const struct addr *client,
			       const char *base, size_t n, uint64_t ts, bool add)
{
	uint64_t h = key_hash(ver, client, base, n);
	uint32_t i = (uint32_t)h & d->slot_mask;
	for (; d->slot[i]; i = (i + 1) & d->slot_mask)
		if (same_key(&d->ent[d->slot[i] - 1], h, ver, client, base, n))
			return &d->ent[d->slot[i] - 1];
	if (!add)
		return NULL;
	if (d->n == d->cap) {
		/* evict the idlest of the next few under the clock hand */
		uint32_t victim = d->hand;
		for (uint32_t k = 1; k < DT_EVICT_SCAN && k < d->n; k++) {
			uint32_t j = (d->hand + k) % d->n;
			if (d->ent[j].last_ts < d->ent[victim].last_ts)
				victim = j;
		}
		d->hand = (d->hand + DT_EVICT_SCAN) % d->n;
		if (d->ent[victim].episode)
			put_record(d, &d->ent[victim], true, d->ent[victim].last_ts);
		entry_remove(d, victim);
		CNT_INC(d->env->cnt, AN_DNS_EVICTED);
		for (i = (uint32_t)h & d->slot_mask; d->slot[i]; i = (i + 1) & d->slot_mask)
			;
	}
	struct dt_entry *e = &d->ent[d->n];
	d->slot[i] = ++d->n;
	e->hash = h;
	e->client = *client;
	e->ver = (uint8_t)ver;
	e->base_len = (uint8_t)n;
	memcpy(e->base, base, n);
	window_reset(e, ts);
	CNT_SET(d->env->cnt, AN_DNS_TRACKED, d->n);
	return e;
}

static void query_obs(struct dns_tunnel *d, const struct an_obs *o, const char *name, size_t len,
		      size_t off, size_t base_len)
{
	struct dt_entry *e = lookup(d, o->ip_ver, &o->src, name + off, base_len, o->ts, true);
	if (!e)
		return;
	if (since(e->win_start, o->ts) >= d->window_ns && !e->episode) {
		window_reset(e, o->ts);
	} else if (e->episode && since(e->last_ts, o->ts) >= d->window_ns) {
		put_record(d, e, true, e->last_ts);
		window_reset(e, o->ts);
	}
	e->queries++;
	if (o->ts > e->last_ts)
		e->last_ts = o->ts;
	resolver_add(e, &o->dst);
	size_t sub = off ? off - 1 : 0; /* the name below the base, without its dot */
	e->bytes_up += sub;
	bool encoded = false;
	if (sub) {
		distinct_add(e, (uint32_t)XXH3_64bits(name, sub));
		sample_add(e, name, len);
		bool long_label = false;
		for (size_t i = 0, st = 0; i <= sub; i++) {
			if (i == sub || name[i] == '.') {
				size_t ll = i - st;
				if (ll > e->max_label)
					e->max_label = (uint16_t)(ll > 0xffff ? 0xffff : ll);
				if (ll >= d->label_len)
					long_label = true;
				st = i + 1;
			}
		}
		double h = dns_tunnel_entropy(name, sub);
		size_t chars = 0;
		for (size_t i = 0; i < sub; i++)
			chars += name[i] != '.';
		bool high = chars >= DT_ENTROPY_MIN_CHARS && h >= d->min_entropy;
		e->entropy_sum += h;
		e->entropy_n++;
		e->long_names += long_label;
		e->entropy_names += high;
		encoded = long_label || high;
		e->encoded += encoded;
	}
	bool special = false;
	if (o->qtype == QTYPE_TXT || o->qtype == QTYPE_NULL) {
		e->txt_null++;
		special = true;
	} else if (o->qtype == QTYPE_CNAME || o->qtype == QTYPE_MX) {
		e->other_types++;
		special = true;
	}
	if (special && encoded)
		e->special_enc++;
	if (e->episode)
		return;
	uint8_t r = 0;
	if (d->unique && distinct_count(e) >= d->unique && 2ull * e->encoded > e->queries)
		r |= R_SUBDOMAINS;
	if (d->txt_null && e->special_enc >= d->txt_null)
		r |= R_TXT_NULL;
	if (!r)
		return;
	e->episode = true;
	e->reason = r;
	put_record(d, e, false, o->ts);
}

static void dt_obs(void *st, const struct an_obs *o)
{
	struct dns_tunnel *d = st;
	if (o->kind != AN_OBS_DNS || !o->name_len || (o->ip_ver != 4 && o->ip_ver != 6))
		return;
	char name[AN_NAME_MAX + 1];
	size_t len = o->name_len < AN_NAME_MAX ? o->name_len : AN_NAME_MAX;
	for (size_t i = 0; i < len; i++) {
		char c = o->name[i];
		name[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	if (len && name[len - 1] == '.')
		len--;
	name[len] = 0;
	size_t off, base_len = dns_tunnel_base(name, len, &off);
	if (!base_len || base_len > DT_BASE_MAX)
		return;
	if (!(o->flags & AN_F_RESPONSE)) {
		query_obs(d, o, name, len, off, base_len);
		return;
	}
	struct dt_entry *e = lookup(d, o->ip_ver, &o->src, name + off, base_len, o->ts, false);
	if (!e)
		return;
	e->responses++;
	e->bytes_down += o->rdata_bytes;
	if (o->rcode == 3)
		e->nxdomain++;
}

/* Drop pairs quiet for a window (writing the final record of tunnels). */
static void sweep(struct dns_tunnel *d, uint64_t now, bool all)
{
	for (uint32_t i = d->n; i-- > 0;) {
		struct dt_entry *e = &d->ent[i];
		if (!all && since(e->last_ts, now) < d->window_ns)
			continue;
		if (e->episode)
			put_record(d, e, true, e->last_ts);
		entry_remove(d, i);
	}
	CNT_SET(d->env->cnt, AN_DNS_TRACKED, d->n);
}

static void dt_tick(void *st, uint64_t now)
{
	struct dns_tunnel *d = st;
	if (now < d->next_sweep)
		return;
	d->next_sweep = now + DT_SWEEP_S * NS;
	sweep(d, now, false);
}

static void dt_finish(void *st, uint64_t now)
{
	struct dns_tunnel *d = st;
	/* oldest index first: the order pairs were first seen */
	for (uint32_t i = 0; i < d->n; i++)
		if (d->ent[i].episode)
			put_record(d, &d->ent[i], true, d->ent[i].last_ts);
	for (uint32_t i = 0; i < d->n; i++)
		d->ent[i].episode = false;
	sweep(d, now, true);
}

static void dt_free(void *st)
{
	struct dns_tunnel *d = st;
	if (!d)
		return;
	free(d->ent);
	free(d->slot);
	free(d);
}

static int dt_init(const struct an_env *env, void **st)
{
	const struct config *cfg = env->cfg;
	*st = NULL;
	if (!cfg->an_dns_tunnel)
		return 0;
	struct dns_tunnel *d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	d->env = env;
	d->window_ns = (uint64_t)(cfg->an_dns_window ? cfg->an_dns_window : 1) * NS;
	d->unique = cfg->an_dns_unique;
	d->label_len = cfg->an_dns_label_len ? cfg->an_dns_label_len : 1;
	d->min_entropy = cfg->an_dns_entropy_x100 / 100.0;
	d->txt_null = cfg->an_dns_txt_null;
	d->cap = cfg->an_dns_max_domains ? cfg->an_dns_max_domains : 1;
	if (d->cap > (1u << 30))
		d->cap = 1u << 30;
	uint32_t size = 16;
	while (size < 2 * d->cap)
		size *= 2;
	d->slot_mask = size - 1;
	d->ent = calloc(d->cap, sizeof(*d->ent));
	d->slot = calloc(size, sizeof(*d->slot));
	if (!d->ent || !d->slot) {
		log_error("analytics.dns-tunnel.max-domains: %u entries: out of memory", d->cap);
		dt_free(d);
		return -1;
	}
	*st = d;
	return 0;
}

const struct analytic analytic_dns_tunnel = {
    .name = "dns_tunnel",
    .init = dt_init,
    .obs = dt_obs,
    .tick = dt_tick,
    .finish = dt_finish,
    .free = dt_free,
};
