/*
 * packet — what decode hands to the flow stage: layer offsets, addresses,
 * ports, TCP fields, the payload view and anomaly events. The frame bytes are
 * borrowed from the capture stage for the duration of one call; anything kept
 * longer is copied by its keeper.
 */
#ifndef MAMORI_DECODE_PACKET_H
#define MAMORI_DECODE_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "core/rd.h"
#include "decode/events.h"

#define PKT_MAX_EVENTS 8
#define PKT_MAX_VLANS  3

/* An IPv4 address lives in a[0..3] with the rest zero. */
struct addr {
	uint8_t a[16];
};

/* packet.flags */
#define PKT_IPV4_FRAG    0x0001u /* an IPv4 fragment (needs reassembly) */
#define PKT_IPV6_FRAG    0x0002u /* an IPv6 fragment (needs reassembly) */
#define PKT_REASSEMBLED  0x0004u /* rebuilt from fragments */
#define PKT_TRUNCATED    0x0008u /* the IP datagram is longer than what was captured */
#define PKT_IPV4_CSUM_OK 0x0010u
#define PKT_HAS_PORTS    0x0020u /* TCP or UDP header decoded */
#define PKT_ICMP_ERROR   0x0040u /* ICMP error quoting another packet */
#define PKT_L4_OK        0x0080u /* the transport header decoded: the packet can join a flow */
#define PKT_FLOW_EST     0x0100u /* its flow was established when it arrived (before TCP tracking) */
#define PKT_PSEUDO       0x0200u /* made up for data inspected at flow end (no frame) */

/* TCP flags */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

struct tcp_opts {
	uint16_t mss;
	uint8_t wscale;
	bool has_mss, has_wscale, sack_ok, has_ts;
	uint8_t sack_blocks;
	uint32_t tsval, tsecr;
};

struct packet {
	uint64_t ts; /* nanoseconds since the epoch */
	uint64_t pcap_cnt; /* number of the frame in the input (from 1; 0 = none) */
	struct rd raw; /* the captured frame (borrowed) */
	uint32_t wirelen;
	int linktype;
	uint32_t flags;

	uint16_t vlan[PKT_MAX_VLANS];
	uint8_t vlan_n;

	uint8_t ip_ver; /* 0 when no IP layer was decoded */
	uint8_t proto;  /* L4 protocol number */
	uint8_t ttl;
	uint32_t l3_off, l4_off;
	uint32_t ip_len; /* the IP datagram length as far as it was captured */
	struct addr src, dst;
	uint16_t sp, dp; /* ports; ICMP: type/code (see flow key) */

	/* fragment bookkeeping for defrag */
	uint32_t frag_id;
	uint32_t frag_off;    /* byte offset of this fragment's data */
	uint32_t frag_data;   /* offset in raw of the fragment's data */
	uint32_t frag_len;    /* its length */
	uint32_t frag_hdr_len; /* unfragmentable part (IPv4 header / IPv6 up to frag hdr) */
	uint32_t frag_nh_off; /* IPv6: offset of the next-header byte to rewrite */
	uint8_t frag_nh;      /* IPv6: next header after the fragment header */
	bool frag_more;

	struct tcp_opts tcpo;
	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_win;
	uint8_t tcp_flags;

	uint8_t icmp_type, icmp_code;

	uint32_t payload_off, payload_len;

	uint8_t n_events;
	uint16_t events[PKT_MAX_EVENTS];

	/* a datagram rebuilt from fragments: the link header of the fragment that
	 * completed it (borrowed), so alerts can show the packet as on the wire */
	const uint8_t *l2;
	uint32_t l2_len;
	int l2_linktype;

	struct flow *flow; /* set by the flow stage */
	uint8_t dir;       /* 0 to server, 1 to client */
};

static inline const uint8_t *packet_payload(const struct packet *p)
{
	return p->raw.p + p->payload_off;
}

#endif
