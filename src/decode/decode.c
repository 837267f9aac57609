/*
 * decode — entry point and the three registration tables (link type,
 * EtherType, IP protocol). Adding a protocol: one file with its decode
 * function, one line in the right table below.
 */
#include "decode/decode.h"

#include <string.h>

static const struct {
	int linktype;
	decode_fn fn;
} link_table[] = {
	{LINK_ETHERNET, decode_ethernet},
	{LINK_SLL, decode_sll},
	{LINK_SLL2, decode_sll2},
	{LINK_NULL, decode_null},
	{LINK_LOOP, decode_loop},
	{LINK_RAW, decode_raw},
	{LINK_RAW_DLT, decode_raw},
	{LINK_RAW_OBSD, decode_raw},
	{LINK_IPV4, decode_raw},
	{LINK_IPV6, decode_raw},
};

static const struct {
	uint16_t type;
	decode_fn fn;
} ethertype_table[] = {
	{0x0800, decode_ipv4},
	{0x86dd, decode_ipv6},
	{0x8100, decode_vlan},
	{0x88a8, decode_vlan},
	{0x9100, decode_vlan},
	{0x0806, decode_arp},
	{0x8864, decode_pppoe},
};

static const struct {
	uint8_t proto;
	decode_fn fn;
} l4_table[] = {
	{6, decode_tcp},
	{17, decode_udp},
	{1, decode_icmpv4},
	{58, decode_icmpv6},
};

void packet_event(struct counters *cnt, struct packet *p, enum event_id ev)
{
	cnt->ev[ev]++;
	if (p->n_events < PKT_MAX_EVENTS)
		p->events[p->n_events++] = (uint16_t)ev;
}

void decode_event(struct decode_ctx *dc, struct packet *p, enum event_id ev)
{
	packet_event(dc->cnt, p, ev);
}

bool decode_linktype_supported(int linktype)
{
	for (size_t i = 0; i < sizeof(link_table) / sizeof(link_table[0]); i++)
		if (link_table[i].linktype == linktype)
			return true;
	return false;
}

static bool enter_layer(struct decode_ctx *dc, struct packet *p)
{
	if (++dc->layers > DECODE_MAX_LAYERS) {
		decode_event(dc, p, EV_DECODER_TOO_MANY_LAYERS);
		return false;
	}
	return true;
}

void decode_ethertype(struct decode_ctx *dc, struct packet *p, uint16_t type, struct rd r)
{
	if (!enter_layer(dc, p))
		return;
	for (size_t i = 0; i < sizeof(ethertype_table) / sizeof(ethertype_table[0]); i++) {
		if (ethertype_table[i].type == type) {
			ethertype_table[i].fn(dc, p, r);
			return;
		}
	}
	CNT_INC(dc->cnt, DEC_NON_IP);
}

void decode_l4(struct decode_ctx *dc, struct packet *p, uint8_t proto, struct rd r)
{
	p->proto = proto;
	p->l4_off = decode_off(p, r);
	for (size_t i = 0; i < sizeof(l4_table) / sizeof(l4_table[0]); i++) {
		if (l4_table[i].proto == proto) {
			l4_table[i].fn(dc, p, r);
			return;
		}
	}
	/* Other IP protocols: the whole L4 part is the payload. */
	CNT_INC(dc->cnt, DEC_OTHER_L4);
	p->flags |= PKT_L4_OK;
	p->payload_off = p->l4_off;
	p->payload_len = r.len;
}

static void decode_begin(struct decode_ctx *dc, struct packet *p)
{
	dc->layers = 0;
	CNT_INC(dc->cnt, DEC_PKTS);
	CNT_ADD(dc->cnt, DEC_BYTES, p->wirelen);
	if (p->wirelen > dc->cnt->c[CNT_DEC_MAX_PKT])
		dc->cnt->c[CNT_DEC_MAX_PKT] = p->wirelen;
}

void decode_packet(struct decode_ctx *dc, struct packet *p)
{
	decode_begin(dc, p);
	for (size_t i = 0; i < sizeof(link_table) / sizeof(link_table[0]); i++) {
		if (link_table[i].linktype == p->linktype) {
			link_table[i].fn(dc, p, p->raw);
			goto out;
		}
	}
	CNT_INC(dc->cnt, CAP_UNSUPPORTED_LINK);
	decode_event(dc, p, EV_CAP_UNSUPPORTED_LINK);
out:
	if (p->n_events)
		CNT_INC(dc->cnt, DEC_INVALID);
}

void decode_ip_datagram(struct decode_ctx *dc, struct packet *p)
{
	dc->layers = 0;
	decode_raw(dc, p, p->raw);
	if (p->n_events)
		CNT_INC(dc->cnt, DEC_INVALID);
}
