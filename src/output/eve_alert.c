/*
 * eve_alert — EVE `alert` records in Suricata's shape:
 *   alert{action, gid, signature_id, rev, signature, category, severity,
 *   metadata{key: [values]}}, flow_id, direction, app_proto, flow{...},
 *   community_id, and optionally payload (base64), payload_printable,
 *   stream, packet (base64) with packet_info.
 * mamori is passive: every action is recorded as "allowed", as Suricata does
 * for drop and reject rules when it is not inline.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "app/alproto.h"
#include "app/applayer.h"
#include "detect/detect.h"
#include "detect/ruleset.h"
#include "output/eve.h"

#define MAX_B64_INPUT (64 * 1024)

static void put_b64(struct jbuf *jb, const char *key, const uint8_t *d, uint32_t n)
{
	if (n > MAX_B64_INPUT)
		n = MAX_B64_INPUT;
	char *out = malloc(4 * ((n + 2) / 3) + 1);
	if (!out)
		return;
	EVP_EncodeBlock((unsigned char *)out, d, (int)n);
	jb_str_plain(jb, key, out);
	free(out);
}

static void put_printable(struct jbuf *jb, const char *key, const uint8_t *d, uint32_t n)
{
	if (n > MAX_B64_INPUT)
		n = MAX_B64_INPUT;
	uint8_t *out = malloc(n ? n : 1);
	if (!out)
		return;
	for (uint32_t i = 0; i < n; i++)
		out[i] = (d[i] >= 32 && d[i] < 127) || d[i] == '\n' || d[i] == '\r' ? d[i] : '.';
	jb_strn(jb, key, out, n);
	free(out);
}

/* metadata: values grouped by key, keys in first-seen order */
static void put_metadata(struct jbuf *jb, const struct rule *r)
{
	if (!r->n_meta)
		return;
	jb_open(jb, "metadata");
	for (uint16_t i = 0; i < r->n_meta; i++) {
		bool seen = false;
		for (uint16_t k = 0; k < i; k++)
			if (!strcmp(r->meta[k].key, r->meta[i].key))
				seen = true;
		if (seen)
			continue;
		jb_open_array(jb, r->meta[i].key);
		for (uint16_t k = i; k < r->n_meta; k++)
			if (!strcmp(r->meta[k].key, r->meta[i].key))
				jb_str(jb, NULL, r->meta[k].value);
		jb_close_array(jb);
	}
	jb_close(jb);
}

void eve_write_alert(struct eve_out *o, const struct config *cfg, const struct ruleset *rs,
		     const struct packet *p, const struct flow *f, const struct detect_alert *a)
{
	struct jbuf *jb = &o->rec;
	const struct rule *r = a->r;
	char ts[48], sbuf[46], dbuf[46], pn[8];
	uint8_t proto = f ? f->proto : p->proto;
	bool ports = proto == 6 || proto == 17 || proto == 132;

	jb_reset(jb);
	jb_open(jb, NULL);
	json_format_ts(p->ts, ts, sizeof(ts));
	jb_str_plain(jb, "timestamp", ts);
	if (f)
		jb_u64(jb, "flow_id", f->flow_id);
	if (p->vlan_n) {
		jb_open_array(jb, "vlan");
		for (int i = 0; i < p->vlan_n; i++)
			jb_u64(jb, NULL, p->vlan[i]);
		jb_close_array(jb);
	}
	jb_str_plain(jb, "event_type", "alert");
	if (p->pcap_cnt && !(p->flags & PKT_PSEUDO))
		jb_u64(jb, "pcap_cnt", p->pcap_cnt);
	/* addresses as the matched data flowed: the packet's, or for stream
	 * data the flow's tuple in the data's direction */
	const struct addr *src = &p->src, *dst = &p->dst;
	uint16_t sp = p->sp, dp = p->dp;
	int ver = p->ip_ver;
	if ((a->stream || a->tx) && f) {
		src = a->dir == 0 ? &f->src : &f->dst;
		dst = a->dir == 0 ? &f->dst : &f->src;
		sp = a->dir == 0 ? f->sp : f->dp;
		dp = a->dir == 0 ? f->dp : f->sp;
		ver = f->ip_ver;
	}
	eve_addr_str(src, ver, sbuf, sizeof(sbuf));
	eve_addr_str(dst, ver, dbuf, sizeof(dbuf));
	jb_str_plain(jb, "src_ip", sbuf);
	if (ports)
		jb_u64(jb, "src_port", sp);
	jb_str_plain(jb, "dest_ip", dbuf);
	if (ports)
		jb_u64(jb, "dest_port", dp);
	jb_str_plain(jb, "proto", eve_proto_name(proto, pn, sizeof(pn)));
	jb_u64(jb, "ip_v", (uint64_t)ver);
	eve_put_geo(o, src, dst, ver);
	jb_str_plain(jb, "pkt_src",
		     p->flags & PKT_PSEUDO	  ? "stream (flow timeout)"
		     : p->flags & PKT_REASSEMBLED ? "defrag"
						  : "wire/pcap");
	if (proto == 1 || proto == 58) {
		jb_u64(jb, "icmp_type", p->icmp_type);
		jb_u64(jb, "icmp_code", p->icmp_code);
	}
	if (f)
		jb_str_plain(jb, "direction", a->dir == 0 ? "to_server" : "to_client");

	jb_open(jb, "alert");
	jb_str_plain(jb, "action", "allowed");
	jb_u64(jb, "gid", r->gid);
	jb_u64(jb, "signature_id", r->sid);
	jb_u64(jb, "rev", r->rev);
	jb_str(jb, "signature", r->msg ? r->msg : "");
	const struct classtype *ct = r->classtype ? &rs->classes[r->classtype] : NULL;
	jb_str(jb, "category", ct ? ct->desc : "");
	jb_u64(jb, "severity", r->priority ? r->priority : ct ? ct->priority : 3);
	put_metadata(jb, r);
	jb_close(jb);

	if (a->tx) {
		jb_u64(jb, "tx_id", a->tx->id);
		eve_put_app(jb, cfg, a->tx, 0);
	}
	if (f && f->app_proto)
		jb_str_plain(jb, "app_proto", alproto_name(f->app_proto));
	if (f) {
		char fs[46], fd[46];
		jb_open(jb, "flow");
		jb_u64(jb, "pkts_toserver", f->pkts[0]);
		jb_u64(jb, "pkts_toclient", f->pkts[1]);
		jb_u64(jb, "bytes_toserver", f->bytes[0]);
		jb_u64(jb, "bytes_toclient", f->bytes[1]);
		json_format_ts(f->start_ts, ts, sizeof(ts));
		jb_str_plain(jb, "start", ts);
		eve_addr_str(&f->src, f->ip_ver, fs, sizeof(fs));
		eve_addr_str(&f->dst, f->ip_ver, fd, sizeof(fd));
		jb_str_plain(jb, "src_ip", fs);
		jb_str_plain(jb, "dest_ip", fd);
		if (ports) {
			jb_u64(jb, "src_port", f->sp);
			jb_u64(jb, "dest_port", f->dp);
		}
		jb_close(jb);
		char cid[40];
		flow_community_id(o->cid, f, 0, cid, sizeof(cid));
		if (cid[0])
			jb_str_plain(jb, "community_id", cid);
	}
	if (cfg->eve_alert_payload && a->payload)
		put_b64(jb, "payload", a->payload, a->payload_len);
	if (cfg->eve_alert_payload_printable && a->payload)
		put_printable(jb, "payload_printable", a->payload, a->payload_len);
	if (cfg->eve_alert_payload || cfg->eve_alert_payload_printable)
		jb_u64(jb, "stream", a->stream ? 1 : 0);
	if (cfg->eve_alert_packet && !(p->flags & PKT_PSEUDO)) {
		if (p->l2_len) {
			/* a rebuilt datagram behind the link header it arrived with */
			uint8_t *buf = malloc((size_t)p->l2_len + p->raw.len);
			if (buf) {
				memcpy(buf, p->l2, p->l2_len);
				memcpy(buf + p->l2_len, p->raw.p, p->raw.len);
				put_b64(jb, "packet", buf, p->l2_len + p->raw.len);
				free(buf);
			}
		} else {
			put_b64(jb, "packet", p->raw.p, p->raw.len);
		}
		jb_open(jb, "packet_info");
		jb_u64(jb, "linktype", (uint64_t)(p->l2_len ? p->l2_linktype : p->linktype));
		jb_close(jb);
	}
	jb_close(jb);
	eve_commit(o);
}
