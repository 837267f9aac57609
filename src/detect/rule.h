/*
 * rule — one parsed signature, as the parser builds it and the detection
 * engine reads it.
 *
 * A rule is a header (action, protocol, addresses, ports, direction) and a
 * list of keyword matches grouped by what they inspect:
 *   - `pkt`:   packet and flow properties (ttl, flags, flow, flowbits isset ...),
 *   - `bufs[]`: one list per inspected buffer (the payload/stream, or a sticky
 *              buffer such as http.uri with its transforms): content, pcre,
 *              byte_*, isdataat, bsize ...,
 *   - `post`:  actions taken once the rule matched (flowbits set, flowint ...).
 * Each match is a keyword (from the registry in keywords.def) and the context
 * its setup function built. The rule owns everything it points to; free with
 * rule_free(). After the engine is built, rules are read-only and shared by
 * workers.
 */
#ifndef MAMORI_DETECT_RULE_H
#define MAMORI_DETECT_RULE_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/addrset.h"

enum rule_action {
	ACTION_ALERT,
	ACTION_PASS,
	ACTION_DROP,
	ACTION_REJECT,
	ACTION_REJECTSRC,
	ACTION_REJECTDST,
	ACTION_REJECTBOTH,
};

/* rule.flags */
#define RULE_BIDIR	    0x00000001u /* <> */
#define RULE_NOALERT	    0x00000002u
#define RULE_TOSERVER	    0x00000004u /* flow:to_server */
#define RULE_TOCLIENT	    0x00000008u
#define RULE_ESTABLISHED    0x00000010u
#define RULE_NOT_EST	    0x00000020u
#define RULE_STATELESS	    0x00000040u
#define RULE_ONLY_STREAM    0x00000080u
#define RULE_NO_STREAM	    0x00000100u /* inspect packets, not the reassembled stream */
#define RULE_NEED_PACKET    0x00000200u /* a keyword only makes sense per packet (dsize ...) */
#define RULE_WAITING	    0x00000400u /* inspects an app-layer buffer not yet produced */
#define RULE_PKT_PROTO	    0x00000800u /* tcp-pkt: never the stream */
#define RULE_STREAM_PROTO   0x00001000u /* tcp-stream */
#define RULE_NEED_FLOW	    0x00002000u /* needs flow state (flow:, flowbits ...) */
#define RULE_FLOW_ONLY_FRAG 0x00004000u /* flow:only_frag */
#define RULE_FLOW_NO_FRAG   0x00008000u
#define RULE_IPV4_ONLY	    0x00010000u /* protocol ipv4 */
#define RULE_IPV6_ONLY	    0x00020000u /* protocol ipv6 */

/* One keyword match: the keyword and what its setup built. */
#define SM_RELATIVE 0x0001 /* relative to the previous inspection match */
#define SM_RELNEXT  0x0002 /* a relative inspection keyword follows */

struct sm {
	uint16_t kw;	/* index in the keyword registry */
	uint16_t flags; /* SM_* */
	void *ctx;	/* owned; freed by the keyword's free function */
};

struct sm_list {
	struct sm *v;
	uint16_t n, cap;
};

#define RULE_MAX_TRANSFORMS 4

/* The matches against one buffer, after its transforms. */
struct rule_buf {
	uint16_t buf; /* buffer id (buffers.def) */
	uint8_t n_xform;
	uint8_t xform[RULE_MAX_TRANSFORMS]; /* transform ids (transforms.def) */
	void *xform_arg[RULE_MAX_TRANSFORMS];
	struct sm_list sms;
};

#define RULE_MAX_BUFS 12

/* Header protocol: an IP protocol set and, optionally, an app-layer protocol. */
struct rule_proto {
	uint8_t ipproto[32]; /* bitmap of IP protocol numbers */
	uint16_t alproto;    /* app-layer protocol id (app/proto.def); 0 = none */
	bool any;	     /* "ip" */
};

struct rule_ref {
	char *system, *value;
};

struct rule_meta {
	char *key, *value;
};

struct rule {
	uint32_t id; /* dense index in the ruleset (set by the loader) */
	uint32_t gid, sid, rev;
	uint8_t action;
	uint8_t priority;   /* 1 high .. 255; 0 = from classtype, else 3 */
	uint16_t classtype; /* index in the classification table; 0 = none */
	uint32_t flags;
	char *msg;

	struct rule_proto proto;
	struct ipset src, dst;
	struct portset sp, dp;

	struct sm_list pkt;
	struct rule_buf bufs[RULE_MAX_BUFS];
	uint8_t n_bufs;
	struct sm_list post;

	/* Fast pattern: the content the prefilter looks for (NULL: always checked). */
	const struct content *fp;
	uint8_t fp_buf; /* index into bufs[] */

	struct rule_ref *refs;
	uint16_t n_refs;
	struct rule_meta *meta;
	uint16_t n_meta;
	int8_t target; /* 0 none, 1 src, 2 dest */

	uint8_t n_vars; /* byte_extract / byte_math variables */
	char *vars[8];

	const char *file; /* borrowed from the ruleset's file name table */
	uint32_t line;
};

struct content;

void rule_free(struct rule *r);

/* Append a match; 0 or -1 (OOM, or the list's cap of 1024 is reached). */
int sm_list_add(struct sm_list *l, uint16_t kw, void *ctx);
void sm_list_free(struct sm_list *l);

#endif
