/*
 * emit — the analytics' records: EVE, the store, the daily counters.
 */
#include "analytics/emit.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "analytics/daily.h"
#include "store/store.h"

int an_emit_init(struct an_emit *em, struct eve *eve, struct store_out *so,
		 const struct enrich *enrich, struct counters *cnt, bool eve_on)
{
	memset(em, 0, sizeof(*em));
	if (eve_out_init(&em->out, eve, cnt) < 0)
		return -1;
	em->out.enrich = enrich;
	em->so = so;
	em->cnt = cnt;
	em->eve_on = eve_on;
	return 0;
}

void an_emit_flush(struct an_emit *em)
{
	eve_out_flush(&em->out);
	store_out_flush(em->so);
}

void an_emit_free(struct an_emit *em)
{
	if (em->out.batch)
		eve_out_free(&em->out);
}

void an_day_text(uint32_t day, char out[11])
{
	time_t t = (time_t)day * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, 11, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void an_put_f64(struct jbuf *jb, const char *key, double v, int decimals)
{
	char t[64];
	if (v != v || v > 1e18 || v < -1e18) /* NaN or absurd: not a JSON number */
		v = 0;
	int n = snprintf(t, sizeof(t), "%.*f", decimals, v);
	jb_key(jb, key);
	jb_raw(jb, t, (size_t)n);
}

void an_put_ts(struct jbuf *jb, const char *key, uint64_t ts_ns)
{
	char t[48];
	json_format_ts(ts_ns, t, sizeof(t));
	jb_str_plain(jb, key, t);
}

void an_put_addr(struct jbuf *jb, const char *key, int ver, const struct addr *a)
{
	char t[46];
	eve_addr_str(a, ver, t, sizeof(t));
	jb_str_plain(jb, key, t);
}

void an_put_mitre(struct jbuf *jb, const char *technique_id, const char *technique,
		  const char *tactic)
{
	jb_open(jb, "mitre");
	jb_str_plain(jb, "technique_id", technique_id);
	jb_str(jb, "technique", technique);
	jb_str(jb, "tactic", tactic);
	jb_close(jb);
}

struct jbuf *an_begin(struct an_emit *em, uint64_t ts, const char *type, int ver,
		      const struct addr *src, const struct addr *dst, uint16_t sp, uint16_t dp,
		      uint8_t proto, uint64_t flow_id)
{
	struct jbuf *jb = &em->out.rec;
	char pn[8];
	em->type = type;
	em->ts = ts;
	em->ver = (uint8_t)ver;
	em->proto = proto;
	em->has_addrs = src && dst && (ver == 4 || ver == 6);
	memset(&em->src, 0, sizeof(em->src));
	memset(&em->dst, 0, sizeof(em->dst));
	if (em->has_addrs) {
		em->src = *src;
		em->dst = *dst;
	}
	em->sp = sp;
	em->dp = dp;
	em->flow_id = flow_id;
	jb_reset(jb);
	jb_open(jb, NULL);
	an_put_ts(jb, "timestamp", ts);
	if (flow_id)
		jb_u64(jb, "flow_id", flow_id);
	jb_str_plain(jb, "event_type", type);
	if (em->has_addrs) {
		an_put_addr(jb, "src_ip", ver, src);
		if (proto == 6 || proto == 17 || proto == 132)
			jb_u64(jb, "src_port", sp);
		an_put_addr(jb, "dest_ip", ver, dst);
		if (proto == 6 || proto == 17 || proto == 132)
			jb_u64(jb, "dest_port", dp);
		if (proto)
			jb_str_plain(jb, "proto", eve_proto_name(proto, pn, sizeof(pn)));
		eve_put_geo(&em->out, src, dst, ver);
	}
	jb_open(jb, type);
	return jb;
}

void an_commit(struct an_emit *em, uint8_t severity, const char *category, int ver,
	       const struct addr *attacker)
{
	struct jbuf *jb = &em->out.rec;
	jb_u64(jb, "severity", severity);
	if (category)
		jb_str(jb, "category", category);
	jb_close(jb);
	jb_close(jb);
	CNT_INC(em->cnt, AN_RECORDS);
	if (em->so && !jb->overflow) {
		struct store_conn c = {.ts = em->ts,
				       .flow_id = em->flow_id,
				       .ip_ver = em->has_addrs ? em->ver : 0,
				       .proto = em->proto,
				       .sp = em->sp,
				       .dp = em->dp};
		memcpy(c.src, em->src.a, 16);
		memcpy(c.dst, em->dst.a, 16);
		store_out_event(em->so, &c, em->type, severity, jb->p, jb->len);
	}
	if (em->eve_on)
		eve_commit(&em->out);
	if (category)
		an_count_attack(em, em->ts, category, ver, attacker, 1);
}

void an_count_attack(struct an_emit *em, uint64_t ts, const char *category, int ver,
		     const struct addr *attacker, uint64_t n)
{
	if (em->daily)
		daily_attack(em->daily, ts, category, ver, attacker, n);
}

void an_store_daily(struct an_emit *em, uint32_t day, const char *kind, const char *key,
		    uint64_t value, const char *json, size_t json_len)
{
	store_out_daily(em->so, (uint64_t)day * 86400000000000ull, kind, key, value, json,
			json_len);
}
