/*
 * ipv4 — RFC 791.
 *
 *   0               1               2               3
 *   +-------+-------+---------------+-------------------------------+
 *   |Version|  IHL  |      TOS      |          Total Length         |
 *   +-------+-------+---------------+-----+-------------------------+
 *   |        Identification         |Flags|     Fragment Offset     |
 *   +---------------+---------------+-----+-------------------------+
 *   |      TTL      |   Protocol    |        Header Checksum        |
 *   +---------------+---------------+-------------------------------+
 *   |                        Source Address                         |
 *   |                     Destination Address                       |
 *   |                    Options (IHL > 5)                          |
 *
 * A datagram cut short by the capture's snaplen is still decoded as far as
 * it goes (flagged PKT_TRUNCATED); one whose length field claims more than
 * the frame carries is ipv4.trunc_pkt. Fragments are handed to defrag.
 */
#include "decode/decode.h"

#include <arpa/inet.h>
#include <string.h>

#define IPV4_MIN_HLEN 20

enum { OPT_EOL = 0, OPT_NOP = 1 };


/* One's-complement sum over len bytes (RFC 1071); 0 means "valid". */
uint16_t ipv4_checksum(struct rd r, uint32_t len)
{
	const uint8_t *b = rd_ptr(r, 0, len);
	uint64_t sum = 0;
	uint32_t i = 0;

	if (!b)
		return 0xffff;
	/* 32-bit words in host order; the byte order cancels out (RFC 1071 §2(B)). */
	if (len == 20) { /* no options: the common case, unrolled */
		uint32_t w[5];
		memcpy(w, b, 20);
		sum = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
		i = 20;
	}
	for (; i + 4 <= len; i += 4) {
		uint32_t w;
		memcpy(&w, b + i, 4);
		sum += w;
	}
	for (; i + 2 <= len; i += 2) {
		uint16_t h;
		memcpy(&h, b + i, 2);
		sum += h;
	}
	if (i < len) {
		uint8_t last[2] = {b[i], 0};
		uint16_t h;
		memcpy(&h, last, 2);
		sum += h;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	/* Back to a big-endian value, as the header field is read and written. */
	return ntohs((uint16_t)~sum);
}

static void decode_options(struct decode_ctx *dc, struct packet *p, struct rd opts)
{
	uint32_t seen = 0; /* bit per option class, for duplicates */
	uint32_t off = 0;

	while (off < opts.len) {
		uint8_t type = rd_u8(opts, off);
		if (type == OPT_EOL)
			return;
		if (type == OPT_NOP) {
			off++;
			continue;
		}
		if (!rd_has(opts, off, 2)) {
			decode_event(dc, p, EV_IPV4_OPT_MALFORMED);
			return;
		}
		uint8_t len = rd_u8(opts, off + 1);
		if (len < 2 || !rd_has(opts, off, len)) {
			decode_event(dc, p, EV_IPV4_OPT_INVALID_LEN);
			return;
		}
		uint32_t bit = 1u << (type & 31);
		switch (type) {
		case 7:   /* record route */
		case 68:  /* timestamp */
		case 130: /* security */
		case 131: /* loose source route */
		case 133: /* extended security */
		case 134: /* CIPSO */
		case 136: /* stream id */
		case 137: /* strict source route */
		case 148: /* router alert */
		case 25:  /* quick-start */
			if (seen & bit)
				decode_event(dc, p, EV_IPV4_OPT_DUPLICATE);
			seen |= bit;
			break;
		default:
			decode_event(dc, p, EV_IPV4_OPT_UNKNOWN);
			break;
		}
		off += len;
	}
}

void decode_ipv4(struct decode_ctx *dc, struct packet *p, struct rd r)
{
	const uint8_t *h = rd_ptr(r, 0, IPV4_MIN_HLEN); /* the fixed header, checked once */

	CNT_INC(dc->cnt, DEC_IPV4);
	if (!h) {
		decode_event(dc, p, EV_IPV4_PKT_TOO_SMALL);
		return;
	}
	if (h[0] >> 4 != 4) {
		decode_event(dc, p, EV_IPV4_WRONG_IP_VERSION);
		return;
	}
	uint32_t hlen = (uint32_t)(h[0] & 0x0f) * 4;
	uint32_t total = be16_at(h + 2);
	if (hlen < IPV4_MIN_HLEN) {
		decode_event(dc, p, EV_IPV4_HLEN_TOO_SMALL);
		return;
	}
	if (total < hlen) {
		decode_event(dc, p, EV_IPV4_IPLEN_SMALLER_THAN_HLEN);
		return;
	}
	if (!rd_has(r, 0, hlen)) {
		decode_event(dc, p, EV_IPV4_TRUNC_PKT);
		return;
	}
	if (total > r.len) {
		/* Cut by the snaplen: keep going on what we have. Otherwise the
		 * length field lies. */
		if (p->wirelen > p->raw.len && decode_off(p, r) + total <= p->wirelen) {
			p->flags |= PKT_TRUNCATED;
			total = r.len;
		} else {
			decode_event(dc, p, EV_IPV4_TRUNC_PKT);
			return;
		}
	}
	r.len = total; /* drop link-layer padding */

	p->ip_ver = 4;
	p->l3_off = decode_off(p, r);
	p->ip_len = total;
	p->ttl = h[8];
	/* Whole 8-byte stores: the flow key reads these back as words. */
	uint32_t a32;
	uint64_t w, zero = 0;
	memcpy(&a32, h + 12, 4);
	w = a32;
	memcpy(p->src.a, &w, 8);
	memcpy(p->src.a + 8, &zero, 8);
	memcpy(&a32, h + 16, 4);
	w = a32;
	memcpy(p->dst.a, &w, 8);
	memcpy(p->dst.a + 8, &zero, 8);

	if (ipv4_checksum(r, hlen) != 0)
		decode_event(dc, p, EV_IPV4_CHECKSUM_INVALID);
	else
		p->flags |= PKT_IPV4_CSUM_OK;
	if (hlen > IPV4_MIN_HLEN)
		decode_options(dc, p, rd_sub(r, IPV4_MIN_HLEN, hlen - IPV4_MIN_HLEN));

	uint8_t proto = h[9];
	if (proto == 58)
		decode_event(dc, p, EV_IPV4_ICMPV6);

	uint16_t fo = be16_at(h + 6);
	uint32_t frag_off = (uint32_t)(fo & 0x1fff) * 8;
	bool more = (fo & 0x2000) != 0;
	if (more || frag_off) {
		if (frag_off + (total - hlen) > 65535) {
			decode_event(dc, p, EV_IPV4_FRAG_PKT_TOO_LARGE);
			return;
		}
		p->proto = proto;
		p->flags |= PKT_IPV4_FRAG;
		p->frag_id = be16_at(h + 4);
		p->frag_off = frag_off;
		p->frag_more = more;
		p->frag_hdr_len = hlen;
		p->frag_data = p->l3_off + hlen;
		p->frag_len = total - hlen;
		return;
	}
	decode_l4(dc, p, proto, rd_sub(r, hlen, total - hlen));
}
