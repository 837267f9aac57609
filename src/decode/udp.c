/*
 * udp — RFC 768.
 *
 *   0               1               2               3
 *   +-------------------------------+-------------------------------+
 *   |          Source Port          |       Destination Port        |
 *   |            Length             |           Checksum            |
 */
#include "decode/decode.h"

#define UDP_HLEN 8

void decode_udp(struct decode_ctx *dc, struct packet *p, struct rd r)
{
	CNT_INC(dc->cnt, DEC_UDP);
	if (!rd_has(r, 0, UDP_HLEN)) {
		decode_event(dc, p, EV_UDP_PKT_TOO_SMALL);
		return;
	}
	uint32_t len = rd_be16(r, 4);
	if (len < UDP_HLEN) {
		decode_event(dc, p, EV_UDP_HLEN_INVALID);
		return;
	}
	if (len > r.len) {
		if (!(p->flags & PKT_TRUNCATED)) {
			decode_event(dc, p, EV_UDP_LEN_INVALID);
			return;
		}
		len = r.len;
	}
	p->sp = rd_be16(r, 0);
	p->dp = rd_be16(r, 2);
	p->flags |= PKT_HAS_PORTS | PKT_L4_OK;
	p->payload_off = p->l4_off + UDP_HLEN;
	p->payload_len = len - UDP_HLEN;
}
