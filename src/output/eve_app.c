/*
 * eve_app — EVE records of application-layer transactions (dns, http, tls)
 * and app-layer anomaly records, in Suricata's shape: the common header
 * (timestamp, flow_id, event_type, addresses oriented as the data flowed,
 * proto, app_proto where Suricata writes it), then the protocol object. The
 * object writers are shared with alerts (eve_put_app).
 */
#include <string.h>

#include "app/applayer.h"
#include "app/dns.h"
#include "output/eve.h"

/* The header of a record about flow f, oriented in direction dir. */
static void put_head(struct jbuf *jb, const struct packet *p, const struct flow *f, int dir,
		     const char *type)
{
	char ts[48], sbuf[46], dbuf[46], pn[8];
	jb_reset(jb);
	jb_open(jb, NULL);
	json_format_ts(p ? p->ts : f->last_ts, ts, sizeof(ts));
	jb_str_plain(jb, "timestamp", ts);
	jb_u64(jb, "flow_id", f->flow_id);
	if (f->vlan_n) {
		jb_open_array(jb, "vlan");
		for (int i = 0; i < f->vlan_n; i++)
			jb_u64(jb, NULL, f->vlan[i]);
		jb_close_array(jb);
	}
	jb_str_plain(jb, "event_type", type);
	if (p && p->pcap_cnt)
		jb_u64(jb, "pcap_cnt", p->pcap_cnt);
	const struct addr *src = dir == 0 ? &f->src : &f->dst, *dst = dir == 0 ? &f->dst : &f->src;
	eve_addr_str(src, f->ip_ver, sbuf, sizeof(sbuf));
	eve_addr_str(dst, f->ip_ver, dbuf, sizeof(dbuf));
	jb_str_plain(jb, "src_ip", sbuf);
	jb_u64(jb, "src_port", dir == 0 ? f->sp : f->dp);
	jb_str_plain(jb, "dest_ip", dbuf);
	jb_u64(jb, "dest_port", dir == 0 ? f->dp : f->sp);
	jb_str_plain(jb, "proto", eve_proto_name(f->proto, pn, sizeof(pn)));
	jb_u64(jb, "ip_v", f->ip_ver);
}

void eve_put_app(struct jbuf *jb, const struct app_tx *tx, uint8_t level)
{
	switch (tx->alproto) {
	case ALPROTO_DNS:
		eve_put_dns(jb, tx->data, tx->id);
		break;
	case ALPROTO_TLS:
		eve_put_tls(jb, tx->data);
		break;
	default:
		(void)level;
		break;
	}
}

void eve_write_tx(struct eve_out *o, const struct config *cfg, const struct packet *p,
		  const struct flow *f, const struct app_tx *tx, int dir, uint8_t level)
{
	switch (tx->alproto) {
	case ALPROTO_DNS:
		/* each message as it arrives: requests and responses */
		if (!cfg->eve_dns)
			return;
		put_head(&o->rec, p, f, dir, "dns");
		eve_put_dns(&o->rec, tx->data, tx->id);
		break;
	case ALPROTO_TLS:
		/* one record per flow, when the handshake is as far as it gets in
		 * clear; oriented as the flow, client first (as Suricata) */
		if (!cfg->eve_tls || level != 3)
			return;
		put_head(&o->rec, p, f, 0, "tls");
		eve_put_tls(&o->rec, tx->data);
		break;
	default:
		return;
	}
	jb_close(&o->rec);
	eve_commit(o);
}

void eve_write_app_anomaly(struct eve_out *o, const struct packet *p, const struct flow *f,
			   int dir, uint16_t alproto, enum app_event ev)
{
	struct jbuf *jb = &o->rec;
	put_head(jb, p, f, dir, "anomaly");
	if (alproto)
		jb_str_plain(jb, "app_proto", alproto_name(alproto));
	jb_open(jb, "anomaly");
	jb_str_plain(jb, "app_proto", alproto_name(alproto));
	jb_str_plain(jb, "type", "applayer");
	jb_str_plain(jb, "event", app_event_name(ev));
	jb_str_plain(jb, "layer", ev == APP_EV_PARSER_ERROR ? "parser" : "proto_detect");
	jb_close(jb);
	jb_close(jb);
	eve_commit(o);
}
