/*
 * eve — the EVE file, per-worker batching, and the flow and stats records.
 */
#include "output/eve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "app/alproto.h"
#include "core/log.h"
#include "intel/enrich.h"

#define RECORD_MAX (1u << 20)
#define BATCH_SIZE (64u * 1024)

int eve_open(struct eve *e, const char *dir, const char *filename)
{
	memset(e, 0, sizeof(*e));
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_error("%s: cannot create output directory: %s", dir, strerror(errno));
		return -1;
	}
	if ((size_t)snprintf(e->path, sizeof(e->path), "%s/%s", dir, filename) >= sizeof(e->path)) {
		log_error("%s: output path too long", dir);
		return -1;
	}
	e->f = fopen(e->path, "w");
	if (!e->f) {
		log_error("%s: cannot create: %s", e->path, strerror(errno));
		return -1;
	}
	pthread_mutex_init(&e->lock, NULL);
	return 0;
}

int eve_close(struct eve *e)
{
	int rc = 0;
	if (!e->f)
		return 0;
	if (fclose(e->f) != 0 || e->failed) {
		log_error("%s: write failed", e->path);
		rc = -1;
	}
	e->f = NULL;
	pthread_mutex_destroy(&e->lock);
	return rc;
}

int eve_out_init(struct eve_out *o, struct eve *e, struct counters *cnt)
{
	memset(o, 0, sizeof(*o));
	o->eve = e;
	o->cnt = cnt;
	o->batch = malloc(BATCH_SIZE);
	o->cid = community_ctx_new();
	if (!o->batch || !o->cid || jb_init(&o->rec, 2048, RECORD_MAX) < 0) {
		free(o->batch);
		community_ctx_free(o->cid);
		return -1;
	}
	o->bcap = BATCH_SIZE;
	return 0;
}

void eve_out_flush(struct eve_out *o)
{
	if (!o->blen || !o->eve || !o->eve->f)
		return;
	pthread_mutex_lock(&o->eve->lock);
	if (fwrite(o->batch, 1, o->blen, o->eve->f) != o->blen) {
		o->eve->failed = true;
		CNT_INC(o->cnt, EVE_WRITE_ERRORS);
	}
	pthread_mutex_unlock(&o->eve->lock);
	o->blen = 0;
}

void eve_out_free(struct eve_out *o)
{
	eve_out_flush(o);
	jb_free(&o->rec);
	community_ctx_free(o->cid);
	o->cid = NULL;
	free(o->batch);
	o->batch = NULL;
}

/* Append the finished record in o->rec to the batch. */
void eve_commit(struct eve_out *o)
{
	struct jbuf *jb = &o->rec;
	if (jb->overflow) {
		CNT_INC(o->cnt, EVE_WRITE_ERRORS);
		return;
	}
	jb_raw(jb, "\n", 1);
	if (o->blen + jb->len > o->bcap)
		eve_out_flush(o);
	if (jb->len > o->bcap) {
		/* A record bigger than the batch goes straight out. */
		pthread_mutex_lock(&o->eve->lock);
		if (fwrite(jb->p, 1, jb->len, o->eve->f) != jb->len)
			o->eve->failed = true;
		pthread_mutex_unlock(&o->eve->lock);
	} else {
		memcpy(o->batch + o->blen, jb->p, jb->len);
		o->blen += jb->len;
	}
	CNT_INC(o->cnt, EVE_RECORDS);
	CNT_ADD(o->cnt, EVE_BYTES, jb->len);
}

const char *eve_proto_name(uint8_t proto, char *out, size_t outlen)
{
	switch (proto) {
	case 1: return "ICMP";
	case 2: return "IGMP";
	case 6: return "TCP";
	case 17: return "UDP";
	case 41: return "IPV6";
	case 47: return "GRE";
	case 50: return "ESP";
	case 51: return "AH";
	case 58: return "IPv6-ICMP";
	case 89: return "OSPF";
	case 103: return "PIM";
	case 132: return "SCTP";
	default:
		snprintf(out, outlen, "%u", proto);
		return out;
	}
}

static char *put_dotted(char *o, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];
		if (v >= 100)
			*o++ = (char)('0' + v / 100);
		if (v >= 10)
			*o++ = (char)('0' + v / 10 % 10);
		*o++ = (char)('0' + v % 10);
		if (i < 3)
			*o++ = '.';
	}
	*o = '\0';
	return o;
}

/*
 * IPv6 text as inet_ntop writes it (RFC 5952 compression of the longest
 * run of two or more zero groups, the first when tied; lower-case hex;
 * ::a.b.c.d and ::ffff:a.b.c.d for IPv4-compatible and -mapped addresses),
 * without inet_ntop's sprintf.
 */
static void put_ipv6(char *o, const uint8_t *a)
{
	static const char hex[] = "0123456789abcdef";
	uint16_t w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;

	for (int i = 0; i < 8; i++) {
		w[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
		if (w[i] == 0) {
			if (cur < 0) {
				cur = i;
				cur_len = 0;
			}
			if (++cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
		} else {
			cur = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*o++ = ':';
			continue;
		}
		if (i)
			*o++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
			put_dotted(o, a + 12);
			return;
		}
		bool lead = true;
		for (int sh = 12; sh >= 0; sh -= 4) {
			unsigned nib = (w[i] >> sh) & 15;
			if (nib || !lead || sh == 0) {
				*o++ = hex[nib];
				lead = false;
			}
		}
	}
	if (best >= 0 && best + best_len == 8)
		*o++ = ':';
	*o = '\0';
}

void eve_addr_str(const struct addr *a, int ip_ver, char *out, size_t outlen)
{
	/* glibc's inet_ntop formats with sprintf: too slow for every record. */
	if (outlen < 46) {
		if (outlen)
			out[0] = '\0';
		return;
	}
	if (ip_ver == 6)
		put_ipv6(out, a->a);
	else
		put_dotted(out, a->a);
}

static void tcp_flags_hex(uint8_t fl, char *out)
{
	static const char hex[] = "0123456789abcdef";
	out[0] = hex[fl >> 4];
	out[1] = hex[fl & 15];
	out[2] = '\0';
}

void eve_write_flow(struct eve_out *o, const struct flow *f, enum flow_end_reason reason)
{
	struct jbuf *jb = &o->rec;
	char ts[48], sbuf[INET6_ADDRSTRLEN], dbuf[INET6_ADDRSTRLEN], pn[8], hx[4];
	bool ports = f->proto == 6 || f->proto == 17 || f->proto == 132;

	jb_reset(jb);
	jb_open(jb, NULL);
	json_format_ts(f->start_ts, ts, sizeof(ts));
	jb_str_plain(jb, "timestamp", ts);
	jb_u64(jb, "flow_id", f->flow_id);
	jb_str_plain(jb, "event_type", "flow");
	if (f->vlan_n) {
		jb_open_array(jb, "vlan");
		for (int i = 0; i < f->vlan_n; i++)
			jb_u64(jb, NULL, f->vlan[i]);
		jb_close_array(jb);
	}
	eve_addr_str(&f->src, f->ip_ver, sbuf, sizeof(sbuf));
	eve_addr_str(&f->dst, f->ip_ver, dbuf, sizeof(dbuf));
	jb_str_plain(jb, "src_ip", sbuf);
	if (ports)
		jb_u64(jb, "src_port", f->sp);
	jb_str_plain(jb, "dest_ip", dbuf);
	if (ports)
		jb_u64(jb, "dest_port", f->dp);
	jb_str_plain(jb, "proto", eve_proto_name(f->proto, pn, sizeof(pn)));
	jb_u64(jb, "ip_v", f->ip_ver);
	eve_put_geo(o, &f->src, &f->dst, f->ip_ver);
	if (f->app_proto)
		jb_str_plain(jb, "app_proto", alproto_name(f->app_proto));
	if (f->app_proto_orig)
		jb_str_plain(jb, "app_proto_orig", alproto_name(f->app_proto_orig));
	if (f->proto == 1 || f->proto == 58) {
		if (f->pkts[0]) {
			jb_u64(jb, "icmp_type", f->icmp_type[0]);
			jb_u64(jb, "icmp_code", f->icmp_code[0]);
		}
		if (f->pkts[1]) {
			jb_u64(jb, "response_icmp_type", f->icmp_type[1]);
			jb_u64(jb, "response_icmp_code", f->icmp_code[1]);
		}
	}

	jb_open(jb, "flow");
	jb_u64(jb, "pkts_toserver", f->pkts[0]);
	jb_u64(jb, "pkts_toclient", f->pkts[1]);
	jb_u64(jb, "bytes_toserver", f->bytes[0]);
	jb_u64(jb, "bytes_toclient", f->bytes[1]);
	jb_str_plain(jb, "start", ts);
	json_format_ts(f->last_ts, ts, sizeof(ts));
	jb_str_plain(jb, "end", ts);
	jb_u64(jb, "age", f->last_ts / 1000000000ull - f->start_ts / 1000000000ull);
	jb_str_plain(jb, "state", flow_state_name(f));
	jb_str_plain(jb, "reason", flow_reason_name(reason));
	jb_bool(jb, "alerted", f->alerted);
	jb_close(jb);

	if (f->proto == 6) {
		uint8_t all = f->tcp_flags[0] | f->tcp_flags[1];
		jb_open(jb, "tcp");
		tcp_flags_hex(all, hx);
		jb_str_plain(jb, "tcp_flags", hx);
		tcp_flags_hex(f->tcp_flags[0], hx);
		jb_str_plain(jb, "tcp_flags_ts", hx);
		tcp_flags_hex(f->tcp_flags[1], hx);
		jb_str_plain(jb, "tcp_flags_tc", hx);
		static const struct {
			uint8_t bit;
			const char *name;
		} names[] = {{TH_SYN, "syn"}, {TH_FIN, "fin"}, {TH_RST, "rst"}, {TH_PSH, "psh"},
			     {TH_ACK, "ack"}, {TH_URG, "urg"}, {TH_ECE, "ecn"}, {TH_CWR, "cwr"}};
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (all & names[i].bit)
				jb_bool(jb, names[i].name, true);
		if (f->tcp.flags & TCPS_TRACKED)
			jb_str_plain(jb, "state", tcp_state_name(f->tcp.state));
		jb_close(jb);
	}

	char cid[40];
	flow_community_id(o->cid, f, 0, cid, sizeof(cid));
	if (cid[0])
		jb_str_plain(jb, "community_id", cid);
	jb_close(jb);
	eve_commit(o);
}

/* Insert "a.b.c" = v into nested objects under root, creating them. */
static void stats_put(struct jbuf *jb, const char *const *names, const uint64_t *vals, size_t n)
{
	/* names are sorted so that every object's members are contiguous */
	char open[JSON_MAX_DEPTH][64];
	int depth = 0;

	for (size_t i = 0; i < n; i++) {
		char parts[JSON_MAX_DEPTH][64];
		int np = 0;
		const char *s = names[i];
		while (*s && np < JSON_MAX_DEPTH) {
			const char *dot = strchr(s, '.');
			size_t l = dot ? (size_t)(dot - s) : strlen(s);
			if (l >= sizeof(parts[0]))
				l = sizeof(parts[0]) - 1;
			memcpy(parts[np], s, l);
			parts[np][l] = '\0';
			np++;
			s = dot ? dot + 1 : s + strlen(s);
		}
		int common = 0;
		while (common < depth && common < np - 1 && strcmp(open[common], parts[common]) == 0)
			common++;
		while (depth > common) {
			jb_close(jb);
			depth--;
		}
		while (depth < np - 1) {
			jb_open(jb, parts[depth]);
			strcpy(open[depth], parts[depth]);
			depth++;
		}
		jb_u64(jb, parts[np - 1], vals[i]);
	}
	while (depth-- > 0)
		jb_close(jb);
}

static const char *const *sort_names;
static int by_name(const void *a, const void *b)
{
	return strcmp(sort_names[*(const size_t *)a], sort_names[*(const size_t *)b]);
}

void eve_write_stats(struct eve_out *o, const struct counters *c, uint64_t uptime)
{
	enum { N = CNT_MAX + EV_MAX };
	static char evnames[EV_MAX][96];
	const char *names[N];
	uint64_t vals[N];
	size_t idx[N];
	const char *sn[N];
	uint64_t sv[N];
	struct jbuf *jb = &o->rec;
	char ts[48];
	struct timespec now;

	for (int i = 0; i < CNT_MAX; i++) {
		names[i] = counter_name((enum counter_id)i);
		vals[i] = c->c[i];
	}
	for (int i = 0; i < EV_MAX; i++) {
		snprintf(evnames[i], sizeof(evnames[i]), "decoder.event.%s",
			 event_name((enum event_id)i));
		names[CNT_MAX + i] = evnames[i];
		vals[CNT_MAX + i] = c->ev[i];
	}
	for (size_t i = 0; i < N; i++)
		idx[i] = i;
	sort_names = names;
	qsort(idx, N, sizeof(idx[0]), by_name);
	for (size_t i = 0; i < N; i++) {
		sn[i] = names[idx[i]];
		sv[i] = vals[idx[i]];
	}

	clock_gettime(CLOCK_REALTIME, &now);
	json_format_ts((uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec, ts, sizeof(ts));
	jb_reset(jb);
	jb_open(jb, NULL);
	jb_str(jb, "timestamp", ts);
	jb_str(jb, "event_type", "stats");
	jb_open(jb, "stats");
	jb_u64(jb, "uptime", uptime);
	stats_put(jb, sn, sv, N);
	jb_close(jb);
	jb_close(jb);
	eve_commit(o);
}

static void put_geo_one(struct jbuf *jb, const struct enrich *e, const char *key,
			const struct addr *a, int ver)
{
	struct enrich_info in;
	if (!enrich_lookup(e, ver, a->a, &in))
		return;
	jb_open(jb, key);
	if (in.country[0])
		jb_str(jb, "country", in.country);
	if (in.asn)
		jb_u64(jb, "asn", in.asn);
	if (in.as_org)
		jb_str(jb, "as_org", in.as_org);
	jb_bool(jb, "hosting", in.hosting);
	jb_close(jb);
}

void eve_put_geo(struct eve_out *o, const struct addr *src, const struct addr *dst, int ver)
{
	if (!o->enrich || (ver != 4 && ver != 6))
		return;
	put_geo_one(&o->rec, o->enrich, "src_geo", src, ver);
	put_geo_one(&o->rec, o->enrich, "dest_geo", dst, ver);
}
