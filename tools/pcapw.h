/*
 * pcapw — a classic-pcap writer and a packet builder, used by the unit tests, the fuzz
 * seed corpus and the demo (through tools/scenarios.c). It sits outside the pipeline:
 * nothing in src/ links it. Everything is deterministic: no clock, no randomness, files
 * are always written little-endian whatever the host.
 *
 * Ownership, once for the whole API: every pointer argument is borrowed for the duration
 * of the call only, except the writer a struct pcapw_tcp_conn keeps (borrowed until the
 * caller stops using the conn). Builders write into a buffer the caller owns and never
 * past its capacity. Nothing here allocates except a writer in PCAPW_F_SORT mode, which
 * frees everything in pcapw_close(). No function keeps global state; distinct objects may
 * be used from distinct threads, one object from one thread at a time.
 *
 * Errors: functions return 0 (or a non-negative length/offset) on success and a negative
 * errno value on failure: -EINVAL bad argument, -ENOSPC caller buffer too small, -ENOMEM
 * sort-buffer cap reached or malloc failed, -EIO write failure, -EPROTONOSUPPORT unknown
 * link type. Errors are sticky on a struct pcapw_pkt, a struct pcapw and a struct
 * pcapw_tcp_conn: after the first failure every later call returns the same error and
 * pcapw_close() reports it, so straight-line generator code may check only the close.
 */
#ifndef MAMORI_TOOLS_PCAPW_H
#define MAMORI_TOOLS_PCAPW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PCAPW_MUST_CHECK __attribute__((warn_unused_result))

/* Link types (the pcap LINKTYPE_ values) the packet builder knows. */
#define PCAPW_LINK_NULL	    0	/* BSD loopback: 4-byte address family, file byte order */
#define PCAPW_LINK_ETHERNET 1	/* Ethernet II, optionally with 802.1Q / 802.1ad tags */
#define PCAPW_LINK_RAW	    101 /* raw IPv4 or IPv6, no link header */
#define PCAPW_LINK_LOOP	    108 /* OpenBSD loopback: 4-byte address family, network order */
#define PCAPW_LINK_SLL	    113 /* Linux cooked capture v1, 16-byte header */
#define PCAPW_LINK_SLL2	    276 /* Linux cooked capture v2, 20-byte header */

/* ----------------------------------------------------------------------------------------
 * Writer
 */

#define PCAPW_F_NSEC 0x1u /* nanosecond magic (0xa1b23c4d); default microsecond (0xa1b2c3d4) */
#define PCAPW_F_SORT 0x2u /* buffer records, write them sorted by timestamp at close */

/* Records buffered in PCAPW_F_SORT mode may hold at most this many bytes in total. */
#define PCAPW_SORT_MAX_BYTES (256u << 20)

struct pcapw_rec;

/* Called with every record pcapw_write() accepts, before buffering (so in call order, not
 * time order): lets a generator count what it writes. data is borrowed for the call. */
typedef void (*pcapw_tap_fn)(void *ctx, uint64_t ts_ns, const uint8_t *data, uint32_t caplen,
			     uint32_t wirelen);

/* An open pcap file. Fields are private; read them only through the functions below. */
struct pcapw {
	FILE *fp;
	bool own_fp;
	unsigned flags;
	uint32_t linktype;
	uint32_t snaplen;
	uint64_t offset;   /* bytes written to fp so far */
	uint64_t nrecords; /* records accepted (written or buffered) */
	int err;	   /* first error, sticky */
	struct pcapw_rec *q;
	size_t qlen, qcap, qbytes;
	pcapw_tap_fn tap;
	void *tap_ctx;
};

/*
 * Create (truncate) the file at path and write the global header. flags: PCAPW_F_*.
 * snaplen is written in the header and caps the caplen that pcapw_pkt_write() uses.
 * Returns 0, or negative errno (the writer is then unusable and needs no close).
 */
PCAPW_MUST_CHECK int pcapw_open(struct pcapw *w, const char *path, uint32_t linktype,
				uint32_t snaplen, unsigned flags);

/*
 * Same, writing to fp, which stays the caller's: pcapw_close() flushes it but does not close
 * it (use open_memstream() or fmemopen() to get the file in memory).
 */
PCAPW_MUST_CHECK int pcapw_open_stream(struct pcapw *w, FILE *fp, uint32_t linktype,
				       uint32_t snaplen, unsigned flags);

/*
 * Write one record: ts_ns is nanoseconds since the Unix epoch (truncated to microseconds in
 * a microsecond file), caplen bytes of data are stored, wirelen is the original length.
 * Nothing is checked against snaplen or wirelen, so broken records can be written on purpose.
 * Returns 0 or negative errno.
 */
int pcapw_write(struct pcapw *w, uint64_t ts_ns, const void *data, uint32_t caplen,
		uint32_t wirelen);

/*
 * Write len bytes verbatim at the current position: a lying record header, a truncated
 * last record. Not allowed in PCAPW_F_SORT mode (-EINVAL). Returns 0 or negative errno.
 */
int pcapw_write_raw(struct pcapw *w, const void *data, size_t len);

/* Install (or, with fn NULL, remove) the tap; ctx is borrowed while it is installed. */
void pcapw_set_tap(struct pcapw *w, pcapw_tap_fn fn, void *ctx);

/* Bytes written so far (the file offset of the next record; 0 in PCAPW_F_SORT mode). */
uint64_t pcapw_tell(const struct pcapw *w);

/*
 * Write any buffered records, flush, close the file if pcapw_open() opened it, free
 * everything. Always releases the writer. Returns the first error seen since open, or 0.
 */
PCAPW_MUST_CHECK int pcapw_close(struct pcapw *w);

/* ----------------------------------------------------------------------------------------
 * Packet builder: append layers outermost first into a caller buffer, then finish, which
 * fills every length, next-protocol field and checksum from the layers that follow.
 */

#define PCAPW_MAX_LAYERS 16

enum pcapw_layer_kind {
	PCAPW_L_ETH,
	PCAPW_L_VLAN,
	PCAPW_L_SLL,
	PCAPW_L_SLL2,
	PCAPW_L_NULL,
	PCAPW_L_LOOP,
	PCAPW_L_IPV4,
	PCAPW_L_IPV6,
	PCAPW_L_IPV6_EXT, /* hop-by-hop, routing, destination options or fragment */
	PCAPW_L_TCP,
	PCAPW_L_UDP,
	PCAPW_L_ICMP4,
	PCAPW_L_ICMP6,
	PCAPW_L_RAW,
};

struct pcapw_layer {
	uint8_t kind;	  /* enum pcapw_layer_kind */
	uint8_t next_ns;  /* namespace of the next-protocol field (private) */
	uint8_t flags;	  /* private */
	uint32_t off;	  /* offset of the layer in the buffer */
	uint32_t len;	  /* header length */
	int32_t next_off; /* offset of the next-protocol field, -1 if none */
	int32_t next_val; /* value this layer announces to the one before it, -1 if none */
};

/* A packet under construction. buf is borrowed. */
struct pcapw_pkt {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int err;
	size_t min_len; /* finish pads with zero bytes up to this (Ethernet minimum frame) */
	unsigned nlayers;
	struct pcapw_layer layer[PCAPW_MAX_LAYERS];
};

/* Start an empty packet in buf[0..cap). */
void pcapw_pkt_init(struct pcapw_pkt *p, uint8_t *buf, size_t cap);

/*
 * Finish: fill lengths (IPv4 total length, IPv6 payload length, UDP length), next-protocol
 * fields (ethertype, address family, IP protocol, next header) and checksums (IPv4 header,
 * TCP/UDP/ICMPv6 with pseudo-header, ICMPv4), innermost first; pad to min_len. Call once.
 * To damage a packet, patch header bytes between pcapw_add_*() and finish (the checksums then
 * cover the damage) or after finish (then fix or leave the checksums). Returns the packet
 * length or negative errno.
 */
PCAPW_MUST_CHECK int pcapw_pkt_finish(struct pcapw_pkt *p);

/* Offset of the first layer of this kind (the nth, from 0, with _nth), or -ENOENT. */
int pcapw_pkt_find(const struct pcapw_pkt *p, enum pcapw_layer_kind kind);
int pcapw_pkt_find_nth(const struct pcapw_pkt *p, enum pcapw_layer_kind kind, unsigned nth);

/*
 * Finish p and write it as one record, caplen = min(length, snaplen), wirelen = length.
 * Returns 0 or negative errno (also recorded in w).
 */
int pcapw_pkt_write(struct pcapw *w, uint64_t ts_ns, struct pcapw_pkt *p);

/*
 * Every pcapw_add_* appends one layer and returns its offset in the buffer, or negative errno
 * (sticky in p). A field that names the next protocol is filled at finish from the layer that
 * follows; the value given here is kept only when nothing, or a raw layer with
 * PCAPW_NEXT_KEEP, follows.
 */

/* Ethernet II. type: ethertype used when no layer follows. */
int pcapw_add_eth(struct pcapw_pkt *p, const uint8_t dst[6], const uint8_t src[6], uint16_t type);
/* One VLAN tag; tpid (0x8100 or 0x88a8) goes into the field before it, tci = PCP|DEI|VID. */
int pcapw_add_vlan(struct pcapw_pkt *p, uint16_t tpid, uint16_t tci);
/* Linux SLL: pkttype 0 host, 1 broadcast, 2 multicast, 3 other host, 4 outgoing. */
int pcapw_add_sll(struct pcapw_pkt *p, uint16_t pkttype, const uint8_t addr[6]);
/* Linux SLL2 (ARPHRD_ETHER, 6-byte address). */
int pcapw_add_sll2(struct pcapw_pkt *p, uint32_t ifindex, uint8_t pkttype, const uint8_t addr[6]);
/* BSD NULL: family little-endian (the file's byte order); LOOP: network order. AF_INET 2,
 * AF_INET6 24 (the BSD value; decoders also accept 28 and 30). */
int pcapw_add_null(struct pcapw_pkt *p);
int pcapw_add_loop(struct pcapw_pkt *p);

struct pcapw_ipv4 {
	uint8_t src[4], dst[4];
	uint8_t tos;
	uint8_t ttl;   /* verbatim: 0 means 0 */
	uint8_t proto; /* used only when no layer follows (see above) */
	uint16_t id;
	bool df, mf;
	uint16_t frag_off;   /* in bytes, a multiple of 8 */
	const uint8_t *opts; /* copied verbatim, EOL-padded to a multiple of 4, <= 40 bytes */
	size_t optlen;
	bool bad_csum; /* write a wrong header checksum */
};
int pcapw_add_ipv4(struct pcapw_pkt *p, const struct pcapw_ipv4 *ip);

struct pcapw_ipv6 {
	uint8_t src[16], dst[16];
	uint8_t tclass;
	uint32_t flow; /* low 20 bits */
	uint8_t hlim;  /* verbatim */
	uint8_t nxt;   /* used only when no layer follows; 59 (no next header) if 0 */
};
int pcapw_add_ipv6(struct pcapw_pkt *p, const struct pcapw_ipv6 *ip);

/*
 * An IPv6 extension header of type 0 (hop-by-hop), 43 (routing) or 60 (destination
 * options): the 2-byte next-header/length prefix, then body (copied), padded to a multiple of
 * 8 with Pad1/PadN for option headers and zeros for routing. Next header 59 if nothing
 * follows.
 */
int pcapw_add_ipv6_ext(struct pcapw_pkt *p, uint8_t type, const void *body, size_t len);
/* Fragment header: offset in bytes (multiple of 8), M flag, identification; nxt is kept when
 * the payload that follows is raw (the usual case for a fragment). */
int pcapw_add_ipv6_frag(struct pcapw_pkt *p, uint8_t nxt, uint16_t off, bool more, uint32_t id);

/*
 * Standard extension-header sets, for pcapw_link.v6_ext and pcapw_add_ipv6_std_ext():
 * hop-by-hop and destination options are 8 bytes holding one PadN; routing is a segment
 * routing header (type 4, RFC 8754), segments left 0, one segment (the IPv6 destination),
 * 24 bytes.
 */
#define PCAPW_EXT_HBH	  0x1u
#define PCAPW_EXT_ROUTING 0x2u
#define PCAPW_EXT_DSTOPTS 0x4u
/* Append the headers in mask in RFC 8200 order (HBH, routing, destination options). */
int pcapw_add_ipv6_std_ext(struct pcapw_pkt *p, unsigned mask);

#define PCAPW_TH_FIN 0x01
#define PCAPW_TH_SYN 0x02
#define PCAPW_TH_RST 0x04
#define PCAPW_TH_PSH 0x08
#define PCAPW_TH_ACK 0x10
#define PCAPW_TH_URG 0x20
#define PCAPW_TH_ECE 0x40
#define PCAPW_TH_CWR 0x80

struct pcapw_tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags; /* PCAPW_TH_* */
	uint16_t win, urp;
	/* Options, emitted in Linux's order: MSS, SACK-permitted, timestamps, window scale,
	 * SACK blocks, then raw_opts; NOP-aligned, EOL-padded, at most 40 bytes in all. */
	uint16_t mss; /* 0: no MSS option */
	bool sack_perm;
	bool ts;
	uint32_t tsval, tsecr;
	bool ws;
	uint8_t wscale;
	uint8_t nsack; /* 0..4 blocks, absolute [left, right) edges */
	uint32_t sack[4][2];
	const uint8_t *raw_opts; /* copied verbatim after the others (malformed options) */
	size_t raw_optlen;
	bool bad_csum;
};
int pcapw_add_tcp(struct pcapw_pkt *p, const struct pcapw_tcp *t);

struct pcapw_udp {
	uint16_t sport, dport;
	bool bad_csum;
	bool no_csum; /* IPv4 only: checksum field 0 */
};
int pcapw_add_udp(struct pcapw_pkt *p, const struct pcapw_udp *u);

/* ICMPv4 header: type, code, and the 4-byte rest-of-header. */
int pcapw_add_icmp4(struct pcapw_pkt *p, uint8_t type, uint8_t code, uint32_t rest);
/* Echo request (8) or reply (0); add the data with pcapw_add_raw(). */
int pcapw_add_icmp4_echo(struct pcapw_pkt *p, bool reply, uint16_t id, uint16_t seq);
/* Destination unreachable (3) quoting the IPv4 header of orig plus its first 8 payload bytes
 * (RFC 792); orig is a finished IPv4 packet without link header. */
int pcapw_add_icmp4_unreach(struct pcapw_pkt *p, uint8_t code, const uint8_t *orig,
			    size_t orig_len);

int pcapw_add_icmp6(struct pcapw_pkt *p, uint8_t type, uint8_t code, uint32_t rest);
/* Echo request (128) or reply (129). */
int pcapw_add_icmp6_echo(struct pcapw_pkt *p, bool reply, uint16_t id, uint16_t seq);
/* Neighbor solicitation (135) for target, with a source link-layer address option when
 * sll_mac is not NULL (RFC 4861 4.3). The IPv6 header must have hop limit 255. */
int pcapw_add_icmp6_ns(struct pcapw_pkt *p, const uint8_t target[16], const uint8_t *sll_mac);

/* proto for pcapw_add_raw(): leave the preceding next-protocol field as given. */
#define PCAPW_NEXT_KEEP (-1)
/*
 * Raw bytes (payload, a fragment, a quoted packet). proto, unless PCAPW_NEXT_KEEP, is written
 * into the preceding layer's next-protocol field (in its namespace: ethertype, family, IP
 * protocol). data may be NULL to append len zero bytes.
 */
int pcapw_add_raw(struct pcapw_pkt *p, int proto, const void *data, size_t len);

/* ----------------------------------------------------------------------------------------
 * Hosts and links: the convenience layer the session and fragment helpers use.
 */

/* One end of a conversation. ip_id is the host's IPv4 identification counter: every packet
 * built from this host (as source) takes the current value and increments it. */
struct pcapw_host {
	int family;	/* 4 or 6 */
	uint8_t ip[16]; /* IPv4 in the first 4 bytes */
	uint8_t mac[6];
	uint16_t port;
	uint8_t ttl; /* TTL / hop limit; 0 means 64 */
	bool df;     /* IPv4 don't-fragment on packets it sends */
	uint16_t ip_id;
};

/* Fill h from text: ip "10.1.0.5" or "2001:db8::5", mac "02:00:00:00:00:05" (NULL: all zero).
 * Other fields zero except port. Returns 0 or -EINVAL. */
int pcapw_host_set(struct pcapw_host *h, const char *ip, const char *mac, uint16_t port);

/* h = the solicited-node multicast group of an IPv6 target: ff02::1:ffXX:XXXX, MAC
 * 33:33:ff:XX:XX:XX, hop limit 255. */
void pcapw_host_solicited(struct pcapw_host *h, const uint8_t target[16]);

/* How packets are encapsulated below the transport layer. */
struct pcapw_link {
	uint32_t linktype;  /* PCAPW_LINK_* */
	uint8_t nvlan;	    /* Ethernet: 0..2 tags */
	uint16_t vlan[2];   /* TCI values, outer first; with 2 tags the outer TPID is 0x88a8 */
	uint16_t min_frame; /* Ethernet: pad shorter frames to this many bytes (60), 0: none */
	unsigned v6_ext;    /* PCAPW_EXT_* headers after every IPv6 header */
};

/* Link header(s) for lk, with src/dst MACs where the link type has them. */
int pcapw_add_link(struct pcapw_pkt *p, const struct pcapw_link *lk, const uint8_t src_mac[6],
		   const uint8_t dst_mac[6]);

/* Link header(s) and the IP header from src to dst (src->family), taking src->ip_id++, plus
 * lk->v6_ext for IPv6. Returns the IP header's offset or negative errno. */
int pcapw_add_hdrs(struct pcapw_pkt *p, const struct pcapw_link *lk, struct pcapw_host *src,
		   const struct pcapw_host *dst);

/* Build and write one UDP packet from src to dst (ports from the hosts). Returns 0 or
 * negative errno. */
int pcapw_udp_write(struct pcapw *w, uint64_t ts_ns, const struct pcapw_link *lk,
		    struct pcapw_host *src, const struct pcapw_host *dst, const void *data,
		    size_t len);

/* ----------------------------------------------------------------------------------------
 * Checksums
 */

/* Internet checksum (RFC 1071) of data, starting from the partial sum init (0 normally). */
uint16_t pcapw_csum(const void *data, size_t len, uint32_t init);
/* Recompute the header checksum of the IPv4 header at hdr (after patching it). */
void pcapw_ipv4_fix_csum(uint8_t *hdr);

/* ----------------------------------------------------------------------------------------
 * Fragmentation: build the transport datagram once, plan its fragments, then write them in
 * any order, any number of times, or with other bytes for an overlap.
 */

/*
 * Write into buf a complete UDP datagram (8-byte header + data) from src to dst with a
 * correct checksum. Returns its length or negative errno.
 */
int pcapw_udp_datagram(uint8_t *buf, size_t cap, const struct pcapw_host *src,
		       const struct pcapw_host *dst, const void *data, size_t len);

struct pcapw_frag {
	uint32_t off; /* byte offset in the datagram, multiple of 8 */
	uint32_t len;
	bool more; /* MF / M flag */
};

/*
 * Split a datagram of total bytes into fragments of at most fragsize bytes (rounded down to
 * a multiple of 8), in order, into out[0..max). Returns the number of fragments or negative
 * errno.
 */
int pcapw_frag_split(struct pcapw_frag *out, size_t max, size_t total, size_t fragsize);

/*
 * Write one fragment: the link header for lk, an IPv4 header (identification id, offset and
 * MF from f, protocol proto) or an IPv6 header plus lk->v6_ext plus a fragment header
 * (identification id, next header proto), then the f->len bytes at data. Pass datagram +
 * f->off for the real bytes or anything else for a conflicting overlap.
 */
int pcapw_frag_write(struct pcapw *w, uint64_t ts_ns, const struct pcapw_link *lk,
		     struct pcapw_host *src, const struct pcapw_host *dst, uint8_t proto,
		     uint32_t id, const struct pcapw_frag *f, const uint8_t *data);

/* ----------------------------------------------------------------------------------------
 * TCP conversation helper (pcapw_tcp.c). Sequence numbers given as "relative" count from
 * the sender's ISN + 1, so relative 0 is the first data byte and wrap-around is automatic.
 */

enum pcapw_dir { PCAPW_C2S = 0, PCAPW_S2C = 1 };

struct pcapw_tcp_cfg {
	uint64_t start_ns; /* timestamp of the first packet */
	uint64_t step_ns;  /* clock advance after each packet */
	uint32_t isn[2];   /* [PCAPW_C2S] client ISN, [PCAPW_S2C] server ISN */
	uint16_t mss;	   /* MSS option value in SYNs, 0: none */
	bool ws;	   /* window scale option in SYNs, shift wscale */
	uint8_t wscale;
	bool sack_perm;	 /* SACK-permitted in SYNs */
	bool timestamps; /* timestamps option on every segment */
	bool segment;  /* split pcapw_tcp_send() data at mss (536 if 0), less 12 with timestamps */
	bool auto_ack; /* pcapw_tcp_send(): the receiver ACKs every second segment and the last */
	uint16_t win;  /* window in SYNs, 0: 64240; later segments carry win >> wscale if ws;
			* RST carries 0 */
};

struct pcapw_tcp_conn {
	struct pcapw *w; /* borrowed */
	struct pcapw_link link;
	struct pcapw_host host[2]; /* [PCAPW_C2S] client, [PCAPW_S2C] server; copies */
	struct pcapw_tcp_cfg cfg;
	uint64_t now;	    /* timestamp of the next packet; may be moved forward */
	uint32_t nxt[2];    /* next sequence number each side sends */
	uint32_t tsval[2];  /* last timestamp value each side sent (base + ms since start) */
	bool bad_csum_next; /* the next segment gets a wrong TCP checksum (then cleared) */
	int err;
};

/*
 * Set up a conversation (writes nothing). The hosts and cfg are copied; w is borrowed.
 * Without a handshake, data starts at ISN + 1 (a mid-stream capture).
 */
void pcapw_tcp_open(struct pcapw_tcp_conn *c, struct pcapw *w, const struct pcapw_link *lk,
		    const struct pcapw_host *cli, const struct pcapw_host *srv,
		    const struct pcapw_tcp_cfg *cfg);

/* Advance the clock by ns. */
void pcapw_tcp_wait(struct pcapw_tcp_conn *c, uint64_t ns);

/* SYN, SYN-ACK, ACK with the options of cfg. */
int pcapw_tcp_handshake(struct pcapw_tcp_conn *c);
/* The first two alone (a scan probe and its answer). */
int pcapw_tcp_syn(struct pcapw_tcp_conn *c);
int pcapw_tcp_synack(struct pcapw_tcp_conn *c);

/* In-order data from dir, split at the MSS if cfg.segment, PSH on the last segment. */
int pcapw_tcp_send(struct pcapw_tcp_conn *c, enum pcapw_dir dir, const void *data, size_t len);

/*
 * One data segment at an arbitrary relative sequence number (retransmission, reordering,
 * overlap, gaps). The sender's next sequence number becomes the later of its current value
 * and the segment's end.
 */
int pcapw_tcp_send_at(struct pcapw_tcp_conn *c, enum pcapw_dir dir, uint32_t rel_seq,
		      const void *data, size_t len);

/* A pure ACK from dir for everything the peer has sent (or up to relative rel_ack). */
int pcapw_tcp_ack(struct pcapw_tcp_conn *c, enum pcapw_dir dir);
int pcapw_tcp_ack_at(struct pcapw_tcp_conn *c, enum pcapw_dir dir, uint32_t rel_ack);

/* FIN|ACK from dir. */
int pcapw_tcp_fin(struct pcapw_tcp_conn *c, enum pcapw_dir dir);
/* FIN from dir, FIN|ACK from the peer, final ACK from dir: three packets. */
int pcapw_tcp_close(struct pcapw_tcp_conn *c, enum pcapw_dir dir);
/* RST|ACK from dir at its next sequence number. */
int pcapw_tcp_rst(struct pcapw_tcp_conn *c, enum pcapw_dir dir);

/*
 * Anything else: one segment from dir with absolute seq and ack, flags, options from cfg
 * (MSS/WS/SACK-perm only with SYN). Changes no sequence state.
 */
int pcapw_tcp_segment(struct pcapw_tcp_conn *c, enum pcapw_dir dir, uint8_t flags, uint32_t seq,
		      uint32_t ack, const void *data, size_t len);

#endif
