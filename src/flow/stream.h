/*
 * stream — TCP session tracking and per-direction reassembly.
 *
 * Each direction's bytes are handed, in order and without duplicates, to a
 * consumer (the app layer) through `struct stream_sink`. In-order data is
 * delivered straight from the packet (no copy). Out-of-order segments are
 * copied and kept, capped per direction and by a memory cap, until the hole
 * before them is filled; when the peer acknowledges data that was never
 * seen, the hole is declared a gap: the consumer is told its size and
 * delivery resumes after it. Overlaps between buffered segments follow the
 * configured policy (first or last copy wins); bytes already delivered are
 * final, and a retransmission that disagrees with buffered data is counted.
 * Sequence numbers are compared modulo 2^32, so streams may wrap.
 */
#ifndef MAMORI_FLOW_STREAM_H
#define MAMORI_FLOW_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/counters.h"
#include "decode/packet.h"

struct flow;

enum tcp_state {
	TCP_NONE,
	TCP_SYN_SENT,
	TCP_SYN_RECV,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT1,
	TCP_FIN_WAIT2,
	TCP_TIME_WAIT,
	TCP_LAST_ACK,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_CLOSED,
};

struct tcp_seg {
	struct tcp_seg *next;
	uint64_t off; /* stream offset of data[0] */
	uint32_t len;
	uint8_t data[];
};

/* One direction: what this side sends. */
struct tcp_stream {
	uint32_t isn;      /* initial sequence number */
	uint32_t next_seq; /* next byte expected in order */
	uint32_t fin_seq;  /* sequence number of our FIN */
	uint32_t ack;      /* highest ack this side sent (about the peer's data) */
	uint64_t delivered; /* stream offset of next_seq */
	uint16_t mss;
	uint8_t wscale;
	uint8_t flags;
	struct tcp_seg *ooo; /* buffered out-of-order data, sorted by offset */
	uint32_t ooo_count;
	uint32_t ooo_bytes;
};

/* tcp_stream.flags */
#define TS_BASE_SET  0x01 /* isn/next_seq known */
#define TS_SYN       0x02
#define TS_FIN       0x04
#define TS_FIN_ACKED 0x08
#define TS_RST       0x10
#define TS_DEPTH     0x20 /* reassembly depth reached: no more delivery */
#define TS_ACK_SET   0x40
#define TS_WS_OK     0x80

struct tcp_session {
	uint8_t state;
	uint8_t flags;
	struct tcp_stream s[2]; /* [0] client to server, [1] server to client */
};

/* tcp_session.flags */
#define TCPS_TRACKED   0x01 /* the stream engine follows this session */
#define TCPS_MIDSTREAM 0x02
#define TCPS_ASYNC     0x04

/* Where reassembled bytes go. All callbacks borrow `data` for the call. */
struct stream_sink {
	void (*data)(void *ctx, struct flow *f, int dir, const uint8_t *data, uint32_t len,
		     uint64_t off);
	void (*gap)(void *ctx, struct flow *f, int dir, uint64_t len, uint64_t off);
	void *ctx;
};

struct stream_ctx {
	const struct config *cfg;
	struct counters *cnt;
	struct stream_sink sink;
	uint64_t memcap; /* bytes of buffered segments allowed for this worker */
	uint64_t memuse;
	/* checksum validation (-k): auto's sample of the first 1000 segments */
	bool csum_auto_off;
	uint32_t csum_seen, csum_bad;
};

void stream_ctx_init(struct stream_ctx *sc, const struct config *cfg, struct counters *cnt,
		     uint64_t memcap);

/* Track one TCP packet of flow f (p->dir set). With checksum validation on,
 * a segment with a wrong checksum is not tracked (counted), as in Suricata. */
void stream_handle(struct stream_ctx *sc, struct flow *f, struct packet *p);

/* Flow end: deliver what is buffered (with gaps) and free it. */
void stream_flow_end(struct stream_ctx *sc, struct flow *f);

const char *tcp_state_name(uint8_t state);

#endif
