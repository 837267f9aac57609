/*
 * vlan — IEEE 802.1Q tags and 802.1ad (QinQ) stacks.
 *
 *   0        2        4
 *   +--------+--------+
 *   |PCP|D|VID|  type  |   the 4 bytes after an 0x8100 / 0x88a8 / 0x9100 type
 *   +--------+--------+
 * Up to three VLAN ids are kept on the packet (they are part of the flow
 * key); deeper stacks raise vlan.too_many_layers and stop.
 */
#include "decode/decode.h"

void decode_vlan(struct decode_ctx *dc, struct packet *p, struct rd r)
{
	if (!rd_has(r, 0, 4)) {
		decode_event(dc, p, EV_VLAN_HDR_TOO_SMALL);
		return;
	}
	if (p->vlan_n >= PKT_MAX_VLANS) {
		decode_event(dc, p, EV_VLAN_TOO_MANY_LAYERS);
		return;
	}
	CNT_INC(dc->cnt, DEC_VLAN);
	if (p->vlan_n == 1)
		CNT_INC(dc->cnt, DEC_VLAN_QINQ);
	p->vlan[p->vlan_n++] = rd_be16(r, 0) & 0x0fff;
	decode_ethertype(dc, p, rd_be16(r, 2), rd_sub(r, 4, r.len - 4));
}
