/*
 * decode — turns a captured frame into a `struct packet`.
 *
 * Layers are found through registration tables (link type, EtherType, IP
 * protocol); each protocol lives in its own file and adds one line to a table
 * in decode.c. Malformed input is never an error: the decoder raises a named
 * event (counted, and kept on the packet) and stops at the broken layer.
 */
#ifndef MAMORI_DECODE_DECODE_H
#define MAMORI_DECODE_DECODE_H

#include "core/counters.h"
#include "decode/packet.h"

/* Link types mamori decodes (pcap LINKTYPE_/DLT_ values). */
#define LINK_NULL     0
#define LINK_ETHERNET 1
#define LINK_RAW_DLT  12 /* DLT_RAW as libpcap reports it on Linux */
#define LINK_RAW_OBSD 14 /* DLT_RAW on OpenBSD */
#define LINK_RAW      101
#define LINK_LOOP     108
#define LINK_SLL      113
#define LINK_IPV4     228
#define LINK_IPV6     229
#define LINK_SLL2     276

#define DECODE_MAX_LAYERS 16

struct decode_ctx {
	struct counters *cnt; /* borrowed; the worker's counters */
	unsigned layers;      /* layers decoded in this packet (recursion guard) */
};

typedef void (*decode_fn)(struct decode_ctx *dc, struct packet *p, struct rd r);

/* Decode the frame already set in p->raw / p->linktype / p->ts. */
void decode_packet(struct decode_ctx *dc, struct packet *p);

/* Decode p->raw as a bare IP datagram (used for reassembled fragments). */
void decode_ip_datagram(struct decode_ctx *dc, struct packet *p);

/*
 * Worker choice for a raw frame: symmetric in the two addresses, equal for
 * all fragments of a datagram (ports are not used). Reads only through rd.
 */
uint32_t decode_shard_hash(int linktype, const uint8_t *data, uint32_t len);

/* The TCP/UDP/ICMPv6 checksum of a decoded packet: 0 valid (or not
 * checkable: truncated, not those protocols), -1 wrong. Reads through rd. */
int l4_checksum_check(const struct packet *p);

/* True when the link type is one decode_packet() understands. */
bool decode_linktype_supported(int linktype);

/* RFC 1071 checksum over len bytes of r; 0 when a header's checksum is valid. */
uint16_t ipv4_checksum(struct rd r, uint32_t len);

/* Raise an anomaly event on a packet and count it (any stage may). */
void packet_event(struct counters *cnt, struct packet *p, enum event_id ev);

/* Internal, for the per-protocol files. */
void decode_event(struct decode_ctx *dc, struct packet *p, enum event_id ev);
void decode_ethertype(struct decode_ctx *dc, struct packet *p, uint16_t type, struct rd r);
void decode_l4(struct decode_ctx *dc, struct packet *p, uint8_t proto, struct rd r);

static inline uint32_t decode_off(const struct packet *p, struct rd r)
{
	return (uint32_t)(r.p - p->raw.p);
}

/* Per-protocol decoders (one file each). */
void decode_ethernet(struct decode_ctx *dc, struct packet *p, struct rd r);
void decode_vlan(struct decode_ctx *dc, struct packet *p, struct rd r);
void decode_sll(struct decode_ctx *dc, struct packet *p, struct rd r);
void decode_sll2(struct decode_ctx *dc, struct packet *p, struct rd r);
void decode_null(struct decode_ctx *dc, struct packet *p, struct rd r);
void decode_loop(struct decode_ctx *dc, struct packet *p, struct rd r);
void decode_raw(struct decode_ctx *dc, struct packet *p, struct rd r);
void decode_arp(struct decode_ctx *dc, struct packet *p, struct rd r);
void decode_pppoe(struct decode_ctx *dc, struct packet *p, struct rd r);
void decode_ipv4(struct decode_ctx *dc, struct packet *p, struct rd r);
void decode_ipv6(struct decode_ctx *dc, struct packet *p, struct rd r);
void decode_tcp(struct decode_ctx *dc, struct packet *p, struct rd r);
void decode_udp(struct decode_ctx *dc, struct packet *p, struct rd r);
void decode_icmpv4(struct decode_ctx *dc, struct packet *p, struct rd r);
void decode_icmpv6(struct decode_ctx *dc, struct packet *p, struct rd r);

#endif
