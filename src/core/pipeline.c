/*
 * pipeline — see pipeline.h.
 */
#include "core/pipeline.h"

#include <string.h>

#include "detect/detect.h"

static void stream_data(void *ctx, struct flow *f, int dir, const uint8_t *data, uint32_t len,
			uint64_t off)
{
	struct pipeline *pl = ctx;
	(void)off;
	app_stream_data(&pl->app, f, dir, data, len);
	if (pl->out.data)
		pl->out.data(pl->out.ctx, f, dir, data, len);
	if (pl->dt)
		detect_stream(pl->dt, f, dir, data, len);
}

static void stream_gap(void *ctx, struct flow *f, int dir, uint64_t len, uint64_t off)
{
	struct pipeline *pl = ctx;
	(void)off;
	app_stream_gap(&pl->app, f, dir, len);
	if (pl->dt)
		detect_stream_gap(pl->dt, f, dir);
}

static void app_tx(void *ctx, struct flow *f, const struct app_tx *tx, int dir, uint8_t level)
{
	struct pipeline *pl = ctx;
	const struct packet *p = pl->cur && pl->cur->flow == f ? pl->cur : NULL;
	if (pl->out.tx)
		pl->out.tx(pl->out.ctx, p, f, tx, dir, level);
	if (pl->dt)
		detect_tx(pl->dt, f, tx, dir, level);
}

static void app_event(void *ctx, struct flow *f, int dir, uint16_t alproto, enum app_event ev)
{
	struct pipeline *pl = ctx;
	const struct packet *p = pl->cur && pl->cur->flow == f ? pl->cur : NULL;
	if (pl->out.event)
		pl->out.event(pl->out.ctx, p, f, dir, alproto, ev);
}

static void flow_end(void *ctx, struct flow *f, enum flow_end_reason reason)
{
	struct pipeline *pl = ctx;
	const struct packet *saved = pl->cur;
	pl->cur = NULL; /* what the app layer flushes now belongs to no packet */
	app_flow_end(&pl->app, f);
	if (pl->out.flow_end)
		pl->out.flow_end(pl->out.ctx, f, reason);
	if (pl->dt)
		detect_flow_end(pl->dt, f);
	pl->cur = saved;
}

int pipeline_init(struct pipeline *pl, const struct config *cfg, unsigned share)
{
	if (share == 0)
		share = 1;
	memset(pl, 0, sizeof(*pl));
	pl->cfg = cfg;
	pl->dc.cnt = &pl->cnt;
	pl->ft =
	    flow_table_new(cfg, &pl->cnt, cfg->flow_memcap / share, cfg->flow_hash_size / share);
	pl->df = defrag_new(cfg, &pl->cnt, cfg->defrag_memcap / share);
	if (!pl->ft || !pl->df) {
		pipeline_free(pl);
		return -1;
	}
	flow_table_set_stream_memcap(pl->ft, cfg->reassembly_memcap / share);
	if (app_ctx_init(&pl->app, cfg, &pl->cnt) < 0) {
		pipeline_free(pl);
		return -1;
	}
	struct app_sink as = {app_tx, app_event, pl};
	app_ctx_set_sink(&pl->app, &as);
	struct stream_sink sink = {stream_data, stream_gap, pl};
	flow_table_set_stream_sink(pl->ft, &sink);
	flow_table_set_end_cb(pl->ft, flow_end, pl);
	return 0;
}

void pipeline_set_detect(struct pipeline *pl, struct detect_thread *dt)
{
	pl->dt = dt;
}

void pipeline_set_out(struct pipeline *pl, const struct pipeline_out *out)
{
	pl->out = *out;
}

/* Flow tracking and detection of one decoded packet. */
static void handle(struct pipeline *pl, struct packet *p)
{
	if (pl->dt)
		detect_begin_packet(pl->dt, p);
	pl->cur = p;
	/* A packet whose transport header is broken joins no flow (it is still
	 * counted, with its anomaly, and still inspected). */
	if (p->flags & PKT_L4_OK) {
		flow_handle_packet(pl->ft, p);
		struct flow *f = p->flow;
		if (f && f->pkts[0] + f->pkts[1] == 1 && pl->out.flow_start)
			pl->out.flow_start(pl->out.ctx, p, f);
	}
	if (p->flow && p->proto == 17 && p->payload_len) {
		app_udp_data(&pl->app, p->flow, p->dir, packet_payload(p), p->payload_len);
		if (pl->out.data)
			pl->out.data(pl->out.ctx, p->flow, p->dir, packet_payload(p),
				     p->payload_len);
	}
	if (pl->dt)
		detect_packet(pl->dt, p);
	pl->cur = NULL;
}

static void packet_init(struct packet *p, uint64_t ts, int linktype, const uint8_t *data,
			uint32_t caplen, uint32_t wirelen)
{
	memset(p, 0, sizeof(*p));
	p->ts = ts;
	p->raw = rd_make(data, caplen);
	p->wirelen = wirelen;
	p->linktype = linktype;
}

void pipeline_packet(struct pipeline *pl, uint64_t ts, int linktype, const uint8_t *data,
		     uint32_t caplen, uint32_t wirelen)
{
	struct packet p;

	packet_init(&p, ts, linktype, data, caplen, wirelen);
	p.pcap_cnt = pl->pcap_cnt;
	decode_packet(&pl->dc, &p);

	if (p.flags & (PKT_IPV4_FRAG | PKT_IPV6_FRAG)) {
		uint32_t len;
		const uint8_t *dg = defrag_add(pl->df, &p, &len);
		if (!dg)
			return;
		/* The rebuilt datagram continues as a packet of its own. */
		struct packet q;
		packet_init(&q, ts, LINK_RAW, dg, len, len);
		q.vlan_n = p.vlan_n;
		memcpy(q.vlan, p.vlan, sizeof(q.vlan));
		q.flags = PKT_REASSEMBLED;
		q.pcap_cnt = p.pcap_cnt;
		q.l2 = p.raw.p;
		q.l2_len = p.l3_off;
		q.l2_linktype = p.linktype;
		decode_ip_datagram(&pl->dc, &q);
		if (!(q.flags & (PKT_IPV4_FRAG | PKT_IPV6_FRAG)))
			handle(pl, &q);
	} else if (p.flags & PKT_L4_OK || (pl->dt && p.ip_ver)) {
		handle(pl, &p);
	}
}

void pipeline_tick(struct pipeline *pl, uint64_t ts)
{
	flow_table_expire(pl->ft, ts);
	defrag_expire(pl->df, ts);
}

void pipeline_end(struct pipeline *pl)
{
	if (pl->ft)
		flow_table_end_all(pl->ft, FLOW_END_SHUTDOWN);
}

void pipeline_free(struct pipeline *pl)
{
	flow_table_free(pl->ft); /* ends the flows left: the app layer flushes them */
	app_ctx_free(&pl->app);
	defrag_free(pl->df);
	pl->ft = NULL;
	pl->df = NULL;
}
