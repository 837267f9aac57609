/*
 * ethernet — Ethernet II (IEEE 802.3 with an EtherType), the most common link.
 *
 *   0      6      12    14
 *   +------+------+-----+---------
 *   | dst  | src  |type | payload
 *   +------+------+-----+---------
 * Frames whose type field is a length (<= 1500, IEEE 802.3 with LLC) carry no
 * IP for us and are counted as non-IP.
 */
#include "decode/decode.h"

#define ETH_HLEN 14

void decode_ethernet(struct decode_ctx *dc, struct packet *p, struct rd r)
{
	CNT_INC(dc->cnt, DEC_ETHERNET);
	if (!rd_has(r, 0, ETH_HLEN)) {
		decode_event(dc, p, EV_ETH_PKT_TOO_SMALL);
		return;
	}
	uint16_t type = rd_be16(r, 12);
	if (type <= 1500) {
		CNT_INC(dc->cnt, DEC_NON_IP);
		return;
	}
	decode_ethertype(dc, p, type, rd_sub(r, ETH_HLEN, r.len - ETH_HLEN));
}
