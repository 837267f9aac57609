/*
 * pppoe — PPP over Ethernet session stage (RFC 2516), EtherType 0x8864, and
 * the PPP protocol field (RFC 1661) that follows it. Discovery (0x8863)
 * frames carry no IP and are counted as non-IP.
 *
 *   0       1       2               4               6       8
 *   +-------+-------+---------------+---------------+-------+------
 *   |VER|TYP| CODE  |  SESSION_ID   |    LENGTH     | PPP proto | payload
 *   +-------+-------+---------------+---------------+-----------+------
 */
#include "decode/decode.h"

#define PPPOE_HLEN 6

void decode_pppoe(struct decode_ctx *dc, struct packet *p, struct rd r)
{
	CNT_INC(dc->cnt, DEC_PPPOE);
	if (!rd_has(r, 0, PPPOE_HLEN + 2)) {
		decode_event(dc, p, EV_PPPOE_PKT_TOO_SMALL);
		return;
	}
	if (rd_u8(r, 0) != 0x11 || rd_u8(r, 1) != 0x00) {
		decode_event(dc, p, EV_PPPOE_WRONG_CODE);
		return;
	}
	uint32_t len = rd_be16(r, 4); /* PPP protocol field and payload */
	if (len < 2 || len > r.len - PPPOE_HLEN) {
		if (!(p->wirelen > p->raw.len)) {
			decode_event(dc, p, EV_PPPOE_MALFORMED_LEN);
			return;
		}
		len = r.len - PPPOE_HLEN; /* cut by the snaplen */
	}
	struct rd payload = rd_sub(r, PPPOE_HLEN + 2, len - 2);
	switch (rd_be16(r, PPPOE_HLEN)) {
	case 0x0021:
		decode_ethertype(dc, p, 0x0800, payload);
		break;
	case 0x0057:
		decode_ethertype(dc, p, 0x86dd, payload);
		break;
	default:
		CNT_INC(dc->cnt, DEC_NON_IP); /* LCP, IPCP, CHAP, ... */
		break;
	}
}
