/*
 * flow — the per-worker bidirectional flow table.
 *
 * Flows are keyed by the normalised 5-tuple plus VLAN ids, so both directions
 * land on the same entry. Timeouts follow packet time. Each flow sits in one
 * of several lists, one per timeout class (protocol x state), in the order
 * flows were queued. A packet only updates its flow's last-seen time; a sweep
 * ends the head if it really is idle past the timeout, or re-queues it at the
 * tail with its newer time ("second chance"). So the per-packet path touches
 * no list neighbours, and a sweep costs only the flows it ends or moves. At the memory cap the
 * idlest flow is evicted (counted). When a flow ends, the table calls the owner's end callback
 * (which writes the EVE record) before freeing it.
 *
 * A table belongs to one worker thread; nothing here is thread-safe, nothing
 * needs to be.
 */
#ifndef MAMORI_FLOW_FLOW_H
#define MAMORI_FLOW_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/counters.h"
#include "decode/packet.h"
#include "flow/stream.h"

enum flow_state { FLOW_STATE_NEW, FLOW_STATE_ESTABLISHED, FLOW_STATE_CLOSED, FLOW_STATE_MAX };

enum flow_end_reason { FLOW_END_TIMEOUT, FLOW_END_FORCED, FLOW_END_SHUTDOWN };

/*
 * The normalised 5-tuple + VLANs as six whole words (written and read only as
 * 64-bit values, which keeps hashing and comparing free of partial stores):
 * w[0..1] lower (address, port) end's address, w[2..3] the higher end's,
 * w[4] lower port | higher port << 16 | vlan[0] << 32 | vlan[1] << 48,
 * w[5] vlan[2] | protocol << 16 | IP version << 24.
 */
struct flowvars;

struct flow_key {
	uint64_t w[6];
};

struct flow {
	/* first cache line: what every lookup touches */
	struct flow_key key;
	struct flow *hnext; /* hash chain */
	uint32_t hash;
	uint8_t tclass;
	uint8_t state;
	bool lo_is_client; /* the key's lower end is the initiator */
	bool seen_dir[2];
	uint8_t tcp_flags[2];
	uint8_t proto;
	/* second: what every packet updates */
	uint64_t last_ts; /* ns */
	uint64_t pkts[2], bytes[2];
	uint64_t queued_ts;	    /* last_ts when (re)queued on its timeout list */
	struct flow *lprev, *lnext; /* timeout-class list */

	struct tcp_session tcp;

	/* cold: read when the flow ends */
	uint64_t flow_id;
	uint64_t start_ts;
	struct addr src, dst; /* the initiator's view: src is the client */
	uint16_t sp, dp;
	uint8_t ip_ver;
	uint8_t vlan_n;
	uint16_t vlan[PKT_MAX_VLANS];
	uint8_t icmp_type[2], icmp_code[2];
	bool alerted;
	uint8_t detect_flags;	 /* FLOW_D_*: bit d = IP-only rules checked in direction d */
	uint16_t app_proto;	 /* filled by the app layer; 0 = unknown */
	uint16_t app_proto_orig; /* the protocol before a change (HTTP CONNECT), or 0 */
	struct flowvars *vars;	 /* flowbits / flowints (detect/flowvars.c); freed at flow end */
	void *app;		 /* app-layer state (app/applayer.c); freed at flow end */
	void *an;		 /* analytics state (analytics/worker.c); released at flow end */
};

/* flow.detect_flags beyond the two IP-only bits */
#define FLOW_D_NOPAYLOAD 0x04 /* raw content no longer inspected (encrypted) */
#define FLOW_D_BYPASS	 0x08 /* not reassembled any more either */

typedef void (*flow_end_fn)(void *ctx, struct flow *f, enum flow_end_reason reason);

struct flow_table;

/*
 * Create a table. `max_bytes` caps flow memory (flows are allocated in
 * chunks, never per packet); `buckets` is rounded up to a power of two.
 * `cfg` and `cnt` are borrowed for the table's lifetime. NULL on OOM.
 */
struct flow_table *flow_table_new(const struct config *cfg, struct counters *cnt,
				  uint64_t max_bytes, uint32_t buckets);

/* End every flow (reason shutdown, calling the end callback), then free. */
void flow_table_free(struct flow_table *ft);

void flow_table_set_end_cb(struct flow_table *ft, flow_end_fn fn, void *ctx);
void flow_table_set_stream_sink(struct flow_table *ft, const struct stream_sink *sink);

/*
 * Find or create the flow of an IP packet, update its counters and state,
 * run TCP tracking and reassembly. Sets p->flow and p->dir; p->flow stays
 * NULL when the flow could not be created (memory exhausted, counted).
 */
void flow_handle_packet(struct flow_table *ft, struct packet *p);

/* End flows whose timeout has passed at packet time `now` (ns). */
void flow_table_expire(struct flow_table *ft, uint64_t now);

/* End every flow with the given reason (end of input: FLOW_END_SHUTDOWN). */
void flow_table_end_all(struct flow_table *ft, enum flow_end_reason reason);

uint64_t flow_table_active(const struct flow_table *ft);

/* Names used in EVE. */
const char *flow_state_name(const struct flow *f);
const char *flow_reason_name(enum flow_end_reason r);

/* Cap the memory for buffered out-of-order TCP data (per table). */
void flow_table_set_stream_memcap(struct flow_table *ft, uint64_t memcap);

/*
 * Hashing state for Community IDs, one per thread (not thread-safe); free
 * with community_ctx_free. NULL on OOM.
 */
struct community_ctx;
struct community_ctx *community_ctx_new(void);
void community_ctx_free(struct community_ctx *cc);

/*
 * Community ID v1 of a tuple: alen is 4 or 16; for ICMP, sport is the type
 * and dport the code. Writes "1:<base64>" (at least 32 bytes). cc may be
 * NULL (slower: a context per call). 0 or -1.
 */
int community_id_v1(struct community_ctx *cc, const uint8_t *saddr, const uint8_t *daddr,
		    unsigned alen, uint8_t proto, uint16_t sport, uint16_t dport, uint16_t seed,
		    char *out, unsigned outlen);

/* Community ID v1 (https://github.com/corelight/community-id-spec) of a flow:
 * writes "1:<base64>" into out (at least 32 bytes), or "" on failure. */
void flow_community_id(struct community_ctx *cc, const struct flow *f, uint16_t seed, char *out,
		       unsigned outlen);

#endif
