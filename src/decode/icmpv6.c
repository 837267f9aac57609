/*
 * icmpv6 — RFC 4443 (and neighbour discovery, RFC 4861, for type names).
 * Error messages (1-4) quote the offending IPv6 packet; the quote is checked.
 *
 *   +---------------+---------------+-------------------------------+
 *   |     Type      |     Code      |          Checksum             |
 *   |                        message body                           |
 */
#include "decode/decode.h"

#define ICMP6_HLEN 8

static int max_code(uint8_t type)
{
	switch (type) {
	case 1:
		return 7;
	case 2:
		return 0;
	case 3:
		return 1;
	case 4:
		return 3;
	case 128: case 129: case 130: case 131: case 132: case 133: case 134: case 135:
	case 136: case 137: case 141: case 142: case 143: case 144: case 145: case 146:
	case 147: case 148: case 149: case 151: case 152: case 153:
		return 0;
	case 138:
		return 255;
	case 139: case 140:
		return 2;
	default:
		return -1;
	}
}

void decode_icmpv6(struct decode_ctx *dc, struct packet *p, struct rd r)
{
	CNT_INC(dc->cnt, DEC_ICMPV6);
	/* Neighbour discovery messages may be shorter than 8 bytes only when
	 * malformed; every message has at least type, code and checksum. */
	if (!rd_has(r, 0, 4)) {
		decode_event(dc, p, EV_ICMPV6_PKT_TOO_SMALL);
		return;
	}
	p->flags |= PKT_L4_OK;
	p->icmp_type = rd_u8(r, 0);
	p->icmp_code = rd_u8(r, 1);
	int mc = max_code(p->icmp_type);
	if (mc < 0)
		decode_event(dc, p, EV_ICMPV6_UNKNOWN_TYPE);
	else if (p->icmp_code > mc)
		decode_event(dc, p, EV_ICMPV6_UNKNOWN_CODE);
	if (p->icmp_type >= 1 && p->icmp_type <= 4) {
		p->flags |= PKT_ICMP_ERROR;
		struct rd q = rd_sub(r, ICMP6_HLEN, r.len > ICMP6_HLEN ? r.len - ICMP6_HLEN : 0);
		if (!rd_has(q, 0, 40))
			decode_event(dc, p, EV_ICMPV6_IPV6_TRUNC_PKT);
		else if (rd_u8(q, 0) >> 4 != 6)
			decode_event(dc, p, EV_ICMPV6_IPV6_UNKNOWN_VER);
	}
	uint32_t h = r.len < ICMP6_HLEN ? r.len : ICMP6_HLEN;
	p->payload_off = p->l4_off + h;
	p->payload_len = r.len - h;
}
