/*
 * analytic — what one behaviour analytic is (scans, beacons, DNS tunnels,
 * exfiltration, zones, darknet, daily counters ...): one file here and one
 * line in analytics.def.
 *
 * Analytics look across flows (one source's many connections, one host's
 * many uploads), so they do not run in the workers, which each own a shard
 * of the flows. Workers turn what they see into small observations (a flow
 * began, a flow ended with these counts, a DNS message, an alert) and hand
 * them to the analytics hub (hub.c), one thread that owns every analytic's
 * state: no locks inside an analytic. The hub feeds each second of packet
 * time to the analytics only once every worker has finished that second, in
 * time order, so one worker and N workers give the same records.
 *
 * Every table an analytic keeps has a cap from the configuration, a counter
 * and a defined action at the cap (evict the oldest entry, or stop adding),
 * documented above the table.
 */
#ifndef MAMORI_ANALYTICS_ANALYTIC_H
#define MAMORI_ANALYTICS_ANALYTIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/counters.h"
#include "decode/packet.h"
#include "output/json.h"

enum an_obs_kind {
	AN_OBS_FLOW_START = 1, /* the first packet of a flow */
	AN_OBS_FLOW_END,       /* a flow ended (timeout, eviction, end of input) */
	AN_OBS_DNS,	       /* a DNS message (request or response) */
	AN_OBS_ALERT,	       /* a signature alert */
	AN_OBS_RECORD,	       /* a record raised in a worker */
	AN_OBS_PII,	       /* personal data in one direction of a flow (data: struct an_pii) */
};

#define AN_NAME_MAX	256 /* names (SNI, host, DNS name) */
#define AN_OBS_DATA_MAX 640 /* the name field, or a record's data (AN_OBS_PII) */

/* an_obs.flags */
#define AN_F_SRC_HOME  0x01 /* src is in HOME_NET */
#define AN_F_DST_HOME  0x02 /* dst is in HOME_NET */
#define AN_F_ANSWERED  0x04 /* FLOW_END: the responder sent packets */
#define AN_F_RESPONSE  0x08 /* DNS: a response */
#define AN_F_NAME_SNI  0x10 /* FLOW_END: name is the TLS SNI */
#define AN_F_NAME_HOST 0x20 /* FLOW_END: name is the HTTP host */

/*
 * One observation. Only the bytes up to name + name_len travel (an_obs_size).
 * src/dst/sp/dp are the flow's initiator and responder (for DNS: the message's
 * client and server; for ALERT: as the alert's record).
 */
struct an_obs {
	uint64_t ts;		    /* packet time (ns): first packet, last packet, the message's */
	uint64_t flow_id;	    /* the EVE flow_id */
	uint64_t start_ts;	    /* FLOW_END: the flow's first packet */
	uint64_t pkts[2], bytes[2]; /* FLOW_END: to server, to client */
	struct addr src, dst;
	uint16_t sp, dp; /* ICMP: type and code are in icmp_type/icmp_code */
	uint16_t app_proto;
	uint16_t name_len;
	uint8_t kind, ip_ver, proto, flags;
	uint8_t
	    tcp_flags[2]; /* START: [0] the first packet's; END: every flag seen per direction */
	uint8_t icmp_type, icmp_code; /* the first packet's */
	uint8_t state;		      /* FLOW_END: enum flow_state */
	uint8_t severity;	      /* ALERT */
	uint16_t qtype;		      /* DNS: the first question's type */
	uint8_t rcode;		      /* DNS response */
	uint8_t n_answers;	      /* DNS response: answer records */
	uint32_t msg_bytes;	      /* DNS: the message's bytes */
	uint32_t rdata_bytes;	      /* DNS response: rdata bytes of the answers */
	uint32_t sid;		      /* ALERT */
	uint32_t count;		      /* RECORD: how many (records of personal data ...) */
	/* FLOW_END: TLS SNI or HTTP host (flags say which), DNS: the first
	 * question's name, ALERT: the classtype, RECORD: its event type;
	 * name_len bytes, NOT terminated; PII: a struct an_pii */
	char name[AN_OBS_DATA_MAX];
};

static inline size_t an_obs_size(const struct an_obs *o)
{
	return offsetof(struct an_obs, name) + o->name_len;
}

struct an_emit;
struct enrich;
struct ipset;

/* What an analytic is given at start. Everything is borrowed for the run. */
struct an_env {
	const struct config *cfg;
	struct an_emit *emit;	     /* where records go (emit.c) */
	struct counters *cnt;	     /* the hub's counters (analytics.*) */
	const struct enrich *enrich; /* AS, country, hosting of external addresses; may be NULL */
	const struct ipset *home;    /* HOME_NET (an_is_home); NULL: no address is internal */
};

/* One analytic. Every function runs on the hub's thread. */
struct analytic {
	const char *name; /* "scan": its EVE event_type; config analytics.<name>.* */
	/* Set up from env->cfg; *st receives the state (NULL: the analytic is
	 * off in this configuration). 0, or -1 after a message. */
	int (*init)(const struct an_env *env, void **st);
	/* One observation, in time order. */
	void (*obs)(void *st, const struct an_obs *o);
	/* Packet time reached now (ns): once per second, after that second's
	 * observations (windows close here). NULL: none. */
	void (*tick)(void *st, uint64_t now);
	/* End of input at packet time now: report what is pending. NULL: none. */
	void (*finish)(void *st, uint64_t now);
	void (*free)(void *st);
};

/* Is the address in HOME_NET? ver 4 or 6. */
bool an_is_home(const struct an_env *env, int ver, const uint8_t *addr);
/* Does enrichment put the address in a hosting/VPS provider's network? */
bool an_is_hosting(const struct an_env *env, int ver, const uint8_t *addr);

/* The day (UTC) of a packet time, as days since the epoch, and as text (YYYY-MM-DD). */
static inline uint32_t an_day(uint64_t ts_ns)
{
	return (uint32_t)(ts_ns / 86400000000000ull);
}
void an_day_text(uint32_t day, char out[11]);

/* ---- records (emit.c) ---- */

/*
 * Start a record of event_type `type` at packet time ts: the head in
 * Suricata's shape (timestamp, flow_id when not 0, event_type, src_ip,
 * src_port, dest_ip, dest_port, proto; src/dst may be NULL for records about
 * no one pair), then the object named `type`, left open for the analytic's
 * fields. Returns the record's buffer.
 */
struct jbuf *an_begin(struct an_emit *em, uint64_t ts, const char *type, int ver,
		      const struct addr *src, const struct addr *dst, uint16_t sp, uint16_t dp,
		      uint8_t proto, uint64_t flow_id);

/* The "mitre" object: technique id and name, and its tactic. */
void an_put_mitre(struct jbuf *jb, const char *technique_id, const char *technique,
		  const char *tactic);

/* A number with `decimals` digits after the point. */
void an_put_f64(struct jbuf *jb, const char *key, double v, int decimals);
/* A time as an EVE timestamp string. */
void an_put_ts(struct jbuf *jb, const char *key, uint64_t ts_ns);
/* An address as text. */
void an_put_addr(struct jbuf *jb, const char *key, int ver, const struct addr *a);

/*
 * Close the object and the record and write it: EVE (outputs.eve.analytics),
 * the store's event table, and, when `category` is not NULL, the daily
 * counters as one potential attack of that category from `attacker` (may be
 * NULL). severity: 1 (high) to 3 (low), as alert severities.
 */
void an_commit(struct an_emit *em, uint8_t severity, const char *category, int ver,
	       const struct addr *attacker);

/* Count n potential attacks of a category from attacker (may be NULL) at ts
 * in the daily counters, without a record (darknet packets). */
void an_count_attack(struct an_emit *em, uint64_t ts, const char *category, int ver,
		     const struct addr *attacker, uint64_t n);

/* A daily row for the store (kind: "darknet", "zone", ...; key: what is
 * counted; json: the detail, may be NULL). */
void an_store_daily(struct an_emit *em, uint32_t day, const char *kind, const char *key,
		    uint64_t value, const char *json, size_t json_len);

#endif
