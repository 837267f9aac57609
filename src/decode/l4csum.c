/*
 * l4csum — TCP, UDP and ICMPv6 checksums over the pseudo header (RFC 9293
 * §3.1, RFC 768, RFC 8200 §8.1), computed only when checksum validation is
 * on (-k all / auto), outside the decode hot path.
 */
#include "decode/decode.h"

static uint32_t sum16(const uint8_t *b, uint32_t len, uint32_t sum)
{
	uint32_t i = 0;
	for (; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (i < len)
		sum += (uint32_t)b[i] << 8;
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
	uint32_t sum = 0;
	if (p->ip_ver == 4) {
		sum = sum16(p->src.a, 4, sum);
		sum = sum16(p->dst.a, 4, sum);
		sum += p->proto;
		sum += len;
	} else {
		sum = sum16(p->src.a, 16, sum);
		sum = sum16(p->dst.a, 16, sum);
		sum += len >> 16;
		sum += len & 0xffff;
		sum += p->proto;
	}
	sum = sum16(seg, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff ? 0 : -1;
}
