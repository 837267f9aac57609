/*
 * sll — Linux "cooked" captures (tcpdump -i any): SLL (LINKTYPE 113) and
 * SLL2 (LINKTYPE 276). The protocol field is an EtherType.
 *
 * SLL:  pkttype(2) hatype(2) halen(2) addr(8) protocol(2)            = 16 bytes
 * SLL2: protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1)
 *       addr(8)                                                      = 20 bytes
 */
#include "decode/decode.h"

#define SLL_HLEN  16
#define SLL2_HLEN 20

void decode_sll(struct decode_ctx *dc, struct packet *p, struct rd r)
{
	CNT_INC(dc->cnt, DEC_SLL);
	if (!rd_has(r, 0, SLL_HLEN)) {
		decode_event(dc, p, EV_SLL_PKT_TOO_SMALL);
		return;
	}
	decode_ethertype(dc, p, rd_be16(r, 14), rd_sub(r, SLL_HLEN, r.len - SLL_HLEN));
}

void decode_sll2(struct decode_ctx *dc, struct packet *p, struct rd r)
{
	CNT_INC(dc->cnt, DEC_SLL2);
	if (!rd_has(r, 0, SLL2_HLEN)) {
		decode_event(dc, p, EV_SLL2_PKT_TOO_SMALL);
		return;
	}
	decode_ethertype(dc, p, rd_be16(r, 0), rd_sub(r, SLL2_HLEN, r.len - SLL2_HLEN));
}
