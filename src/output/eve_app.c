/*
 * eve_app — EVE records of application-layer transactions (dns, http, tls)
 * and app-layer anomaly records, in Suricata's shape: the common header
 * (timestamp, flow_id, event_type, addresses oriented as the data flowed,
 * proto, app_proto where Suricata writes it), then the protocol object. The
 * object writers are shared with alerts (eve_put_app).
 */
#include <stdio.h>
#include <string.h>

#include "app/applayer.h"
#include "app/dns.h"
#include "app/file.h"
#include "app/http.h"
#include "output/eve.h"

/* Generator id of the alerts for YARA matches on files (the rule's place
 * among the file's matches is the signature_id; the name is in signature). */
#define EVE_YARA_GID 9000

/* The header of a record about flow f, oriented in direction dir. */
void eve_put_head(struct jbuf *jb, const struct packet *p, const struct flow *f, int dir,
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

void eve_put_app(struct jbuf *jb, const struct config *cfg, const struct app_tx *tx,
		 uint8_t level)
{
	switch (tx->alproto) {
	case ALPROTO_DNS:
		eve_put_dns(jb, tx->data, tx->id);
		break;
	case ALPROTO_HTTP:
		eve_put_http(jb, tx->data, cfg->eve_http_extended, cfg->eve_http_headers);
		break;
	case ALPROTO_TLS:
		eve_put_tls(jb, tx->data);
		break;
	default:
		(void)level;
		break;
	}
}

/* A fileinfo record: the file of direction dir of an HTTP transaction. */
static void write_fileinfo(struct eve_out *o, const struct config *cfg, const struct packet *p,
			   const struct flow *f, const struct app_tx *tx, int dir)
{
	const struct http_txd *t = tx->data;
	const struct app_file *fl = &t->file[dir & 1];
	struct jbuf *jb = &o->rec;
	eve_put_head(jb, p, f, dir & 1, "fileinfo");
	eve_put_http(jb, t, cfg->eve_http_extended, cfg->eve_http_headers);
	jb_str_plain(jb, "app_proto", "http");
	jb_open(jb, "fileinfo");
	jb_strn(jb, "filename", (const uint8_t *)fl->name, fl->name_len);
	jb_open_array(jb, "sid");
	jb_close_array(jb);
	if (fl->magic[0])
		jb_str(jb, "magic", fl->magic);
	jb_bool(jb, "gaps", fl->gaps);
	jb_str_plain(jb, "state", app_file_state_name(fl->state));
	if (fl->md5[0]) {
		jb_str_plain(jb, "md5", fl->md5);
		jb_str_plain(jb, "sha1", fl->sha1);
		jb_str_plain(jb, "sha256", fl->sha256);
	}
	jb_bool(jb, "stored", fl->stored);
	jb_u64(jb, "size", fl->size);
	jb_u64(jb, "tx_id", tx->id);
	if (fl->yara_scanned) {
		jb_open_array(jb, "yara");
		for (int i = 0; i < fl->n_yara; i++)
			jb_str(jb, NULL, fl->yara[i]);
		jb_close_array(jb);
	}
	jb_close(jb);
	jb_close(jb);
	eve_commit(o);
	/* each YARA match is also an alert, with the file and its transaction */
	for (int i = 0; i < fl->n_yara; i++) {
		eve_put_head(jb, p, f, dir & 1, "alert");
		jb_u64(jb, "tx_id", tx->id);
		jb_str_plain(jb, "direction", (dir & 1) ? "to_client" : "to_server");
		jb_open(jb, "alert");
		jb_str_plain(jb, "action", "allowed");
		jb_u64(jb, "gid", EVE_YARA_GID);
		jb_u64(jb, "signature_id", (uint64_t)(i + 1));
		jb_u64(jb, "rev", 0);
		char sig[APP_YARA_NAME_MAX + 16];
		snprintf(sig, sizeof(sig), "YARA %s", fl->yara[i]);
		jb_str(jb, "signature", sig);
		jb_str_plain(jb, "category", "A file matched a YARA rule");
		jb_u64(jb, "severity", 1);
		jb_close(jb);
		jb_str_plain(jb, "app_proto", "http");
		eve_put_http(jb, t, cfg->eve_http_extended, cfg->eve_http_headers);
		jb_open(jb, "files");
		jb_strn(jb, "filename", (const uint8_t *)fl->name, fl->name_len);
		if (fl->sha256[0])
			jb_str_plain(jb, "sha256", fl->sha256);
		jb_u64(jb, "size", fl->size);
		jb_close(jb);
		jb_close(jb);
		eve_commit(o);
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
		eve_put_head(&o->rec, p, f, dir, "dns");
		eve_put_dns(&o->rec, tx->data, tx->id);
		break;
	case ALPROTO_HTTP:
		/* one record per transaction, when it completes or the flow ends */
		if (level >= APP_LEVEL_FILE) {
			if (cfg->eve_fileinfo)
				write_fileinfo(o, cfg, p, f, tx, level - APP_LEVEL_FILE);
			return;
		}
		if (!cfg->eve_http || level != APP_LEVEL_LOG)
			return;
		eve_put_head(&o->rec, p, f, 0, "http");
		jb_u64(&o->rec, "tx_id", tx->id);
		eve_put_http(&o->rec, tx->data, cfg->eve_http_extended, cfg->eve_http_headers);
		break;
	case ALPROTO_TLS:
		/* one record per flow, when the handshake is as far as it gets in
		 * clear; oriented as the flow, client first (as Suricata) */
		if (!cfg->eve_tls || level != 3)
			return;
		eve_put_head(&o->rec, p, f, 0, "tls");
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
	eve_put_head(jb, p, f, dir, "anomaly");
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
