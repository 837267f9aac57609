/*
 * ipv6 — RFC 8200, with its extension headers.
 *
 *   0               1               2               3
 *   +-------+-------+-------+-------------------------------------+
 *   |Version| Traffic Class |             Flow Label              |
 *   +-------------------------------+---------------+-------------+
 *   |         Payload Length        |  Next Header  |  Hop Limit  |
 *   +-------------------------------+---------------+-------------+
 *   |                 Source Address (16 bytes)                   |
 *   |              Destination Address (16 bytes)                 |
 *
 * Extension headers (hop-by-hop, routing, fragment, destination options,
 * authentication, mobility) are walked up to a limit; each is checked for
 * duplication and length. A fragment header hands the packet to defrag.
 */
#include "decode/decode.h"

#include <string.h>

#define IPV6_HLEN        40
#define IPV6_MAX_EXTHDRS 12

enum {
	NH_HOPOPTS = 0,
	NH_ROUTING = 43,
	NH_FRAGMENT = 44,
	NH_ESP = 50,
	NH_AH = 51,
	NH_NONE = 59,
	NH_DSTOPTS = 60,
	NH_MOBILITY = 135,
};

/* TLV options of hop-by-hop and destination-options headers. */
static void check_options(struct decode_ctx *dc, struct packet *p, struct rd opts)
{
	uint32_t off = 0;
	while (off < opts.len) {
		uint8_t type = rd_u8(opts, off);
		if (type == 0) { /* Pad1 */
			off++;
			continue;
		}
		if (!rd_has(opts, off, 2) || !rd_has(opts, off + 2, rd_u8(opts, off + 1))) {
			decode_event(dc, p, EV_IPV6_EXTHDR_INVALID_OPTLEN);
			return;
		}
		off += 2u + rd_u8(opts, off + 1);
	}
}

void decode_ipv6(struct decode_ctx *dc, struct packet *p, struct rd r)
{
	CNT_INC(dc->cnt, DEC_IPV6);
	if (!rd_has(r, 0, IPV6_HLEN)) {
		decode_event(dc, p, EV_IPV6_PKT_TOO_SMALL);
		return;
	}
	if (rd_u8(r, 0) >> 4 != 6) {
		decode_event(dc, p, EV_IPV6_WRONG_IP_VERSION);
		return;
	}
	uint32_t total = IPV6_HLEN + rd_be16(r, 4);
	if (total > r.len) {
		if (p->wirelen > p->raw.len && decode_off(p, r) + total <= p->wirelen) {
			p->flags |= PKT_TRUNCATED;
			total = r.len;
		} else {
			decode_event(dc, p, EV_IPV6_TRUNC_PKT);
			return;
		}
	}
	r.len = total;

	p->ip_ver = 6;
	p->l3_off = decode_off(p, r);
	p->ip_len = total;
	p->ttl = rd_u8(r, 7);
	rd_copy(r, 8, p->src.a, 16);
	rd_copy(r, 24, p->dst.a, 16);

	uint8_t nh = rd_u8(r, 6);
	uint32_t nh_off = 6; /* where the current next-header value sits */
	uint32_t off = IPV6_HLEN;
	unsigned seen_hh = 0, seen_rh = 0, seen_fh = 0, seen_dh = 0;

	for (unsigned n = 0;; n++) {
		if (n > IPV6_MAX_EXTHDRS) {
			decode_event(dc, p, EV_IPV6_EXTHDR_TOO_MANY);
			return;
		}
		uint32_t hlen;
		switch (nh) {
		case NH_HOPOPTS:
		case NH_DSTOPTS:
		case NH_ROUTING:
		case NH_MOBILITY:
			if (!rd_has(r, off, 8)) {
				decode_event(dc, p, EV_IPV6_TRUNC_EXTHDR);
				return;
			}
			hlen = ((uint32_t)rd_u8(r, off + 1) + 1) * 8;
			if (!rd_has(r, off, hlen)) {
				decode_event(dc, p, EV_IPV6_TRUNC_EXTHDR);
				return;
			}
			if (nh == NH_HOPOPTS) {
				if (n != 0)
					decode_event(dc, p, EV_IPV6_HOPOPTS_NOT_FIRST);
				if (seen_hh++)
					decode_event(dc, p, EV_IPV6_EXTHDR_DUPL_HH);
				check_options(dc, p, rd_sub(r, off + 2, hlen - 2));
			} else if (nh == NH_DSTOPTS) {
				/* Two are allowed: before routing and before L4. */
				if (seen_dh++ > 1)
					decode_event(dc, p, EV_IPV6_EXTHDR_DUPL_DH);
				check_options(dc, p, rd_sub(r, off + 2, hlen - 2));
			} else if (nh == NH_ROUTING) {
				if (seen_rh++)
					decode_event(dc, p, EV_IPV6_EXTHDR_DUPL_RH);
				if (rd_u8(r, off + 2) == 0)
					decode_event(dc, p, EV_IPV6_RH_TYPE_0);
			}
			break;
		case NH_AH:
			if (!rd_has(r, off, 8)) {
				decode_event(dc, p, EV_IPV6_TRUNC_EXTHDR);
				return;
			}
			hlen = ((uint32_t)rd_u8(r, off + 1) + 2) * 4;
			if (!rd_has(r, off, hlen)) {
				decode_event(dc, p, EV_IPV6_TRUNC_EXTHDR);
				return;
			}
			break;
		case NH_FRAGMENT: {
			if (!rd_has(r, off, 8)) {
				decode_event(dc, p, EV_IPV6_TRUNC_EXTHDR);
				return;
			}
			if (seen_fh++)
				decode_event(dc, p, EV_IPV6_EXTHDR_DUPL_FH);
			if (rd_u8(r, off + 1) != 0)
				decode_event(dc, p, EV_IPV6_FH_NON_ZERO_RESERVED);
			uint16_t fo = rd_be16(r, off + 2);
			uint32_t frag_off = (uint32_t)(fo & 0xfff8);
			bool more = (fo & 1) != 0;
			uint32_t data_len = total - (off + 8);
			if (more && (data_len == 0 || (data_len & 7))) {
				decode_event(dc, p, EV_IPV6_FRAG_INVALID_LENGTH);
				return;
			}
			if (frag_off + data_len > 65535) {
				decode_event(dc, p, EV_IPV6_FRAG_PKT_TOO_LARGE);
				return;
			}
			if (!more && frag_off == 0) {
				/* An atomic fragment (RFC 6946): nothing to reassemble. */
				nh_off = off;
				nh = rd_u8(r, off);
				off += 8;
				continue;
			}
			p->flags |= PKT_IPV6_FRAG;
			p->proto = rd_u8(r, off);
			p->frag_nh = rd_u8(r, off);
			p->frag_nh_off = p->l3_off + nh_off;
			p->frag_id = rd_be32(r, off + 4);
			p->frag_off = frag_off;
			p->frag_more = more;
			p->frag_hdr_len = off; /* unfragmentable part, fragment header excluded */
			p->frag_data = p->l3_off + off + 8;
			p->frag_len = data_len;
			return;
		}
		case NH_ESP:
			/* Encrypted: the rest is opaque payload. */
			p->flags |= PKT_L4_OK;
			p->proto = nh;
			p->l4_off = p->l3_off + off;
			p->payload_off = p->l4_off;
			p->payload_len = total - off;
			return;
		case NH_NONE:
			p->flags |= PKT_L4_OK;
			p->proto = nh;
			if (off < total)
				decode_event(dc, p, EV_IPV6_DATA_AFTER_NONE_HEADER);
			return;
		default:
			if (nh == 1)
				decode_event(dc, p, EV_IPV6_ICMPV4);
			decode_l4(dc, p, nh, rd_sub(r, off, total - off));
			return;
		}
		nh_off = off;
		nh = rd_u8(r, off);
		off += hlen;
	}
}
