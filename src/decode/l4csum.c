/*
 * l4csum — TCP, UDP and ICMPv6 checksums over the pseudo header (RFC 9293
 * §3.1, RFC 768, RFC 8200 §8.1), computed only when checksum validation is
 * on (-k all / auto), outside the decode hot path.
 */
#include "decode/decode.h"

#include <string.h>

/* One's-complement sum in host byte order, 8 bytes at a time: the order
 * cancels out (RFC 1071 §2(B)) and "all ones" reads the same either way. A
 * trailing odd byte is the first byte of a zero-padded word. */
static uint64_t sum_native(const uint8_t *b, uint32_t len, uint64_t sum)
{
	for (; len >= 8; b += 8, len -= 8) {
		uint64_t w;
		memcpy(&w, b, 8);
		sum += (w & 0xffffffffu) + (w >> 32);
	}
	if (len >= 4) {
		uint32_t w;
		memcpy(&w, b, 4);
		sum += w;
		b += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, b, 2);
		sum += w;
		b += 2;
		len -= 2;
	}
	if (len) {
		uint8_t t[2] = {b[0], 0};
		uint16_t w;
		memcpy(&w, t, 2);
		sum += w;
	}
	return sum;
}

int l4_checksum_check(const struct packet *p)
{
	if (!(p->flags & PKT_L4_OK) || (p->flags & PKT_TRUNCATED) || !p->ip_ver)
		return 0;
	if (p->proto != 6 && p->proto != 17 && p->proto != 58)
		return 0;
	uint32_t end = p->l3_off + p->ip_len;
	if (end > p->raw.len || end < p->l4_off)
		return 0;
	uint32_t len = end - p->l4_off;
	const uint8_t *seg = rd_ptr(p->raw, p->l4_off, len);
	if (!seg)
		return 0;
	if (p->proto == 17 && p->ip_ver == 4 && len >= 8 && seg[6] == 0 && seg[7] == 0)
		return 0; /* UDP over IPv4 without a checksum */
	/* the pseudo header, in wire order like the segment */
	uint8_t ph[40];
	uint32_t phl;
	if (p->ip_ver == 4) {
		memcpy(ph, p->src.a, 4);
		memcpy(ph + 4, p->dst.a, 4);
		ph[8] = 0;
		ph[9] = p->proto;
		ph[10] = (uint8_t)(len >> 8);
		ph[11] = (uint8_t)len;
		phl = 12;
	} else {
		memcpy(ph, p->src.a, 16);
		memcpy(ph + 16, p->dst.a, 16);
		ph[32] = (uint8_t)(len >> 24);
		ph[33] = (uint8_t)(len >> 16);
		ph[34] = (uint8_t)(len >> 8);
		ph[35] = (uint8_t)len;
		ph[36] = ph[37] = ph[38] = 0;
		ph[39] = p->proto;
		phl = 40;
	}
	uint64_t sum = sum_native(seg, len, sum_native(ph, phl, 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff ? 0 : -1;
}
