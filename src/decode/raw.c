/*
 * raw — frames that start directly with an IP header (LINKTYPE_RAW,
 * LINKTYPE_IPV4/IPV6, and reassembled datagrams). The version nibble picks
 * the decoder.
 */
#include "decode/decode.h"

void decode_raw(struct decode_ctx *dc, struct packet *p, struct rd r)
{
	CNT_INC(dc->cnt, DEC_RAW);
	switch (rd_u8(r, 0) >> 4) {
	case 4:
		decode_ethertype(dc, p, 0x0800, r);
		break;
	case 6:
		decode_ethertype(dc, p, 0x86dd, r);
		break;
	default:
		decode_event(dc, p, EV_RAW_INVALID_IP_VERSION);
		break;
	}
}
