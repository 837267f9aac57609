/*
 * tcp — RFC 9293 header and options (MSS, window scale, SACK-permitted,
 * SACK blocks, timestamps: RFC 7323, RFC 2018).
 *
 *   0               1               2               3
 *   +-------------------------------+-------------------------------+
 *   |          Source Port          |       Destination Port        |
 *   |                        Sequence Number                        |
 *   |                    Acknowledgment Number                      |
 *   | Offset| Rsvd  |CWR|ECE|URG|ACK|PSH|RST|SYN|FIN|     Window    |
 *   |           Checksum            |         Urgent Pointer        |
 *   |                    Options (Offset > 5)                       |
 */
#include "decode/decode.h"

#include <string.h>

#define TCP_MIN_HLEN 20

enum { TCPOPT_EOL = 0, TCPOPT_NOP = 1, TCPOPT_MSS = 2, TCPOPT_WS = 3, TCPOPT_SACKOK = 4,
       TCPOPT_SACK = 5, TCPOPT_TS = 8 };

static void decode_options(struct decode_ctx *dc, struct packet *p, struct rd o)
{
	struct tcp_opts *to = &p->tcpo;
	uint32_t off = 0;
	unsigned seen = 0;

	while (off < o.len) {
		uint8_t kind = rd_u8(o, off);
		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			off++;
			continue;
		}
		uint8_t len = rd_u8(o, off + 1);
		if (!rd_has(o, off, 2) || len < 2 || !rd_has(o, off, len)) {
			decode_event(dc, p, EV_TCP_INVALID_OPTLEN);
			return;
		}
		if (kind < 16) {
			if (seen & (1u << kind))
				decode_event(dc, p, EV_TCP_OPT_DUPLICATE);
			seen |= 1u << kind;
		}
		switch (kind) {
		case TCPOPT_MSS:
			if (len != 4) {
				decode_event(dc, p, EV_TCP_OPT_INVALID_LEN);
				break;
			}
			to->has_mss = true;
			to->mss = rd_be16(o, off + 2);
			break;
		case TCPOPT_WS:
			if (len != 3) {
				decode_event(dc, p, EV_TCP_OPT_INVALID_LEN);
				break;
			}
			to->has_wscale = true;
			to->wscale = rd_u8(o, off + 2);
			break;
		case TCPOPT_SACKOK:
			if (len != 2) {
				decode_event(dc, p, EV_TCP_OPT_INVALID_LEN);
				break;
			}
			to->sack_ok = true;
			break;
		case TCPOPT_SACK:
			if (len < 10 || (len - 2) % 8) {
				decode_event(dc, p, EV_TCP_OPT_INVALID_LEN);
				break;
			}
			to->sack_blocks = (uint8_t)((len - 2) / 8);
			break;
		case TCPOPT_TS:
			if (len != 10) {
				decode_event(dc, p, EV_TCP_OPT_INVALID_LEN);
				break;
			}
			to->has_ts = true;
			to->tsval = rd_be32(o, off + 2);
			to->tsecr = rd_be32(o, off + 6);
			break;
		default:
			break;
		}
		off += len;
	}
}

void decode_tcp(struct decode_ctx *dc, struct packet *p, struct rd r)
{
	const uint8_t *h = rd_ptr(r, 0, TCP_MIN_HLEN); /* the fixed header, checked once */

	CNT_INC(dc->cnt, DEC_TCP);
	if (!h) {
		decode_event(dc, p, EV_TCP_PKT_TOO_SMALL);
		return;
	}
	uint32_t hlen = (uint32_t)(h[12] >> 4) * 4;
	if (hlen < TCP_MIN_HLEN) {
		decode_event(dc, p, EV_TCP_HLEN_TOO_SMALL);
		return;
	}
	if (!rd_has(r, 0, hlen)) {
		decode_event(dc, p, EV_TCP_INVALID_OPTLEN);
		return;
	}
	p->sp = be16_at(h);
	p->dp = be16_at(h + 2);
	p->tcp_seq = be32_at(h + 4);
	p->tcp_ack = be32_at(h + 8);
	p->tcp_flags = h[13];
	p->tcp_win = be16_at(h + 14);
	memset(&p->tcpo, 0, sizeof(p->tcpo));
	if (hlen > TCP_MIN_HLEN)
		decode_options(dc, p, rd_sub(r, TCP_MIN_HLEN, hlen - TCP_MIN_HLEN));
	p->flags |= PKT_HAS_PORTS | PKT_L4_OK;
	p->payload_off = p->l4_off + hlen;
	p->payload_len = r.len - hlen;
}
