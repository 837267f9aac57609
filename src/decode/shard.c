/*
 * shard — the symmetric hash that picks a packet's worker. It looks only at
 * the VLAN ids and the IP addresses (never the ports), so both directions of
 * a flow, and every fragment of a datagram, reach the same worker: fragment
 * reassembly and flow state then need no locks. The two sides are combined
 * by addition (symmetric, and a host talking to itself does not cancel out to
 * 0 as with XOR). Non-IP Ethernet frames hash on their two MAC addresses the
 * same way, so they spread too; other non-IP frames hash to 0.
 */
#include "decode/decode.h"

#include <xxhash.h>

static uint32_t addr_hash(struct rd r, uint32_t off, uint32_t alen, uint64_t vlans)
{
	const uint8_t *a = rd_ptr(r, off, alen);
	const uint8_t *b = rd_ptr(r, off + alen, alen);
	if (!a || !b)
		return 0;
	/* the sum of the two addresses' hashes: the same in both directions */
	uint64_t h = XXH3_64bits_withSeed(a, alen, vlans) + XXH3_64bits_withSeed(b, alen, vlans);
	return (uint32_t)(h ^ h >> 32);
}

static uint32_t ip_hash(struct rd r, uint32_t off, uint64_t vlans)
{
	switch (rd_u8(r, off) >> 4) {
	case 4:
		return addr_hash(r, off + 12, 4, vlans);
	case 6:
		return addr_hash(r, off + 8, 16, vlans);
	default:
		return 0;
	}
}

uint32_t decode_shard_hash(int linktype, const uint8_t *data, uint32_t len)
{
	struct rd r = rd_make(data, len);
	uint32_t off;
	uint64_t vlans = 0;
	uint16_t type;

	switch (linktype) {
	case LINK_ETHERNET:
		off = 14;
		type = rd_be16(r, 12);
		for (int i = 0; i < 4 && (type == 0x8100 || type == 0x88a8 || type == 0x9100); i++) {
			vlans = vlans << 12 | (rd_be16(r, off) & 0x0fff);
			type = rd_be16(r, off + 2);
			off += 4;
		}
		if (type == 0x8864) { /* PPPoE session: PPP protocol after 6 bytes */
			uint16_t ppp = rd_be16(r, off + 6);
			type = ppp == 0x0021 ? 0x0800 : ppp == 0x0057 ? 0x86dd : 0;
			off += 8;
		}
		break;
	case LINK_SLL:
		off = 16;
		type = rd_be16(r, 14);
		break;
	case LINK_SLL2:
		off = 20;
		type = rd_be16(r, 0);
		break;
	case LINK_NULL:
	case LINK_LOOP:
		return ip_hash(r, 4, 0);
	case LINK_RAW:
	case LINK_RAW_DLT:
	case LINK_RAW_OBSD:
	case LINK_IPV4:
	case LINK_IPV6:
		return ip_hash(r, 0, 0);
	default:
		return 0;
	}
	if (type != 0x0800 && type != 0x86dd)
		return linktype == LINK_ETHERNET ? addr_hash(r, 0, 6, vlans) : 0;
	return ip_hash(r, off, vlans);
}
