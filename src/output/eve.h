/*
 * eve — Suricata-compatible EVE JSON output: one object per line in
 * OUTDIR/eve.json. Workers format records into their own `struct eve_out`
 * and append whole batches to the shared file under a lock, so lines never
 * interleave. Records that cannot be formatted (over the size cap) or written
 * are counted, never silently lost.
 */
#ifndef MAMORI_OUTPUT_EVE_H
#define MAMORI_OUTPUT_EVE_H

#include <pthread.h>
#include <stdio.h>

#include "core/counters.h"
#include "flow/flow.h"
#include "output/json.h"

struct eve {
	FILE *f;
	pthread_mutex_t lock;
	char path[4096];
	bool failed;
};

struct eve_out {
	struct eve *eve;
	struct counters *cnt;
	struct jbuf rec;
	struct community_ctx *cid;
	const struct enrich *enrich; /* AS/country/hosting of external peers, or NULL */
	char *batch;
	size_t blen, bcap;
};

/* Create (truncate) dir/filename; dir is created if missing. 0 or -1 with a message. */
int eve_open(struct eve *e, const char *dir, const char *filename);
/* Close the file; -1 when any write failed. */
int eve_close(struct eve *e);

int eve_out_init(struct eve_out *o, struct eve *e, struct counters *cnt);
void eve_out_flush(struct eve_out *o);
void eve_out_free(struct eve_out *o); /* flushes first */

void eve_write_flow(struct eve_out *o, const struct flow *f, enum flow_end_reason reason);

/* Append the record built in o->rec to the batch (counted; flushed when full). */
void eve_commit(struct eve_out *o);

struct detect_alert;
struct ruleset;
/* An alert record (eve_alert.c). p is the packet that raised it; f may be NULL. */
void eve_write_alert(struct eve_out *o, const struct config *cfg, const struct ruleset *rs,
		     const struct packet *p,
		     const struct flow *f, const struct detect_alert *a);

struct app_tx;
enum app_event;
/* Records of app-layer transactions and events (eve_app.c): a transaction
 * that reached `level` through data in direction dir; p may be NULL (flow end). */
void eve_write_tx(struct eve_out *o, const struct config *cfg, const struct packet *p,
		  const struct flow *f, const struct app_tx *tx, int dir, uint8_t level);
void eve_write_app_anomaly(struct eve_out *o, const struct packet *p, const struct flow *f,
			   int dir, uint16_t alproto, enum app_event ev);
/* The header of a record about flow f (timestamp: p's, else the flow's
 * last), oriented in direction dir; the object is left open. */
void eve_put_head(struct jbuf *jb, const struct packet *p, const struct flow *f, int dir,
		  const char *type);

struct intel_sighting;
/* An intel record (eve_intel.c): a live match in flow f (p may be NULL),
 * oriented in direction dir. */
void eve_write_intel(struct eve_out *o, const struct packet *p, const struct flow *f,
		     const struct intel_sighting *s, int dir);
/* The "intel" object of a sighting (live or retro-hunt). */
void eve_put_intel(struct jbuf *jb, const struct intel_sighting *s);

/* The protocol object of a transaction ("dns": {...}), for records and alerts. */
void eve_put_app(struct jbuf *jb, const struct config *cfg, const struct app_tx *tx,
		 uint8_t level);
/* The "dns" object of a message (eve_dns.c; msg is a struct dns_msg). */
void eve_put_dns(struct jbuf *jb, const void *msg, uint64_t tx_id);
/* The "http" object of a transaction (eve_http.c; txd is a struct http_txd). */
void eve_put_http(struct jbuf *jb, const void *txd, bool extended, const char *headers);
/* The "tls" object of a flow's handshake (eve_tls.c; tlsstate is a struct tls_state). */
void eve_put_tls(struct jbuf *jb, const void *tlsstate);

/* A stats record from merged counters (main thread). uptime in seconds. */
void eve_write_stats(struct eve_out *o, const struct counters *c, uint64_t uptime);

/* "TCP", "UDP", "ICMP", "IPv6-ICMP", ... or the number. out >= 8 bytes. */
const char *eve_proto_name(uint8_t proto, char *out, size_t outlen);

/* "src_geo" / "dest_geo" objects (AS, organisation, country, hosting) for
 * the record's external addresses, when enrichment is on. */
void eve_put_geo(struct eve_out *o, const struct addr *src, const struct addr *dst, int ver);

/* Text form of an address (inet_ntop). */
void eve_addr_str(const struct addr *a, int ip_ver, char *out, size_t outlen);

#endif
