/*
 * pipeline — see pipeline.h.
 */
#include "core/pipeline.h"

#include <string.h>

int pipeline_init(struct pipeline *pl, const struct config *cfg, unsigned share)
{
	if (share == 0)
		share = 1;
	memset(pl, 0, sizeof(*pl));
	pl->cfg = cfg;
	pl->dc.cnt = &pl->cnt;
	pl->ft = flow_table_new(cfg, &pl->cnt, cfg->flow_memcap / share, cfg->flow_hash_size / share);
	pl->df = defrag_new(cfg, &pl->cnt, cfg->defrag_memcap / share);
	if (!pl->ft || !pl->df) {
		pipeline_free(pl);
		return -1;
	}
	flow_table_set_stream_memcap(pl->ft, cfg->reassembly_memcap / share);
	return 0;
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
		decode_ip_datagram(&pl->dc, &q);
		if (q.flags & PKT_L4_OK && !(q.flags & (PKT_IPV4_FRAG | PKT_IPV6_FRAG)))
			flow_handle_packet(pl->ft, &q);
	} else if (p.flags & PKT_L4_OK) {
		/* A packet whose transport header is broken joins no flow (it is
		 * still counted, with its anomaly). */
		flow_handle_packet(pl->ft, &p);
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
	flow_table_free(pl->ft);
	defrag_free(pl->df);
	pl->ft = NULL;
	pl->df = NULL;
}
