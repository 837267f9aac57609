/*
 * icmpv4 — RFC 792. Error messages (unreachable, source quench, redirect,
 * time exceeded, parameter problem) quote the offending IP header and the
 * first 8 bytes of its payload; the quote is checked, not decoded as a flow.
 *
 *   +---------------+---------------+-------------------------------+
 *   |     Type      |     Code      |          Checksum             |
 *   |                 rest of header (id/seq, unused, ...)          |
 */
#include "decode/decode.h"

#define ICMP_HLEN 8

/* Highest code defined for each type we know; -1 for unknown types. */
static int max_code(uint8_t type)
{
	switch (type) {
	case 0: case 8: case 13: case 14: case 15: case 16: case 17: case 18:
	case 9: case 10: case 4:
		return type == 9 ? 16 : 0;
	case 3:
		return 15;
	case 5:
		return 3;
	case 11:
		return 1;
	case 12:
		return 2;
	case 40:
		return 5;
	case 42: case 43:
		return 4;
	default:
		return -1;
	}
}

void decode_icmpv4(struct decode_ctx *dc, struct packet *p, struct rd r)
{
	CNT_INC(dc->cnt, DEC_ICMPV4);
	if (!rd_has(r, 0, ICMP_HLEN)) {
		decode_event(dc, p, EV_ICMPV4_PKT_TOO_SMALL);
		return;
	}
	p->flags |= PKT_L4_OK;
	p->icmp_type = rd_u8(r, 0);
	p->icmp_code = rd_u8(r, 1);
	int mc = max_code(p->icmp_type);
	if (mc < 0)
		decode_event(dc, p, EV_ICMPV4_UNKNOWN_TYPE);
	else if (p->icmp_code > mc)
		decode_event(dc, p, EV_ICMPV4_UNKNOWN_CODE);

	switch (p->icmp_type) {
	case 3: case 4: case 5: case 11: case 12: {
		p->flags |= PKT_ICMP_ERROR;
		struct rd q = rd_sub(r, ICMP_HLEN, r.len - ICMP_HLEN);
		if (!rd_has(q, 0, 20))
			decode_event(dc, p, EV_ICMPV4_IPV4_TRUNC_PKT);
		else if (rd_u8(q, 0) >> 4 != 4)
			decode_event(dc, p, EV_ICMPV4_IPV4_UNKNOWN_VER);
		break;
	}
	default:
		break;
	}
	p->payload_off = p->l4_off + ICMP_HLEN;
	p->payload_len = r.len - ICMP_HLEN;
}
