/*
 * pipeline — the chain one worker runs on each frame: decode, fragment
 * reassembly, flow tracking and TCP reassembly. The engine gives each worker
 * one; unit tests and fuzz targets drive one directly. Not thread-safe: one
 * pipeline per thread.
 */
#ifndef MAMORI_CORE_PIPELINE_H
#define MAMORI_CORE_PIPELINE_H

#include "app/applayer.h"
#include "core/config.h"
#include "core/counters.h"
#include "decode/decode.h"
#include "decode/defrag.h"
#include "flow/flow.h"

struct detect_thread;

/* What the pipeline's owner (a worker) is told besides alerts: app-layer
 * transactions and events (to write their EVE records) and flow ends. p is
 * the packet whose data completed the transaction, or NULL (flow end). */
struct pipeline_out {
	void (*tx)(void *ctx, const struct packet *p, struct flow *f, const struct app_tx *tx,
		   int dir, uint8_t level);
	void (*event)(void *ctx, const struct packet *p, struct flow *f, int dir, uint16_t alproto,
		      enum app_event ev);
	/* the first packet of a flow (may be NULL) */
	void (*flow_start)(void *ctx, const struct packet *p, struct flow *f);
	flow_end_fn flow_end;
	/* reassembled TCP data and UDP payloads, direction dir (may be NULL) */
	void (*data)(void *ctx, struct flow *f, int dir, const uint8_t *d, uint32_t n);
	void *ctx;
};

struct pipeline {
	const struct config *cfg; /* borrowed */
	struct counters cnt;
	struct decode_ctx dc;
	struct flow_table *ft;
	struct defrag *df;
	struct detect_thread *dt; /* borrowed; NULL = no rules */
	struct app_ctx app;
	struct pipeline_out out;
	const struct packet *cur; /* the packet being handled, or NULL */
	uint64_t pcap_cnt; /* set by the caller: the next frame's number in the input (from 1) */
};

/*
 * Set up with caps divided by `share` (the number of workers sharing the
 * configured memory). 0, or -1 on OOM (everything freed).
 */
int pipeline_init(struct pipeline *pl, const struct config *cfg, unsigned share);

/* Run detection (borrowed thread state) on every packet and on reassembled
 * TCP data. */
void pipeline_set_detect(struct pipeline *pl, struct detect_thread *dt);

/* Where transactions, app-layer events and flow ends go. */
void pipeline_set_out(struct pipeline *pl, const struct pipeline_out *out);

/* One captured frame; the bytes are borrowed for the call. */
void pipeline_packet(struct pipeline *pl, uint64_t ts, int linktype, const uint8_t *data,
		     uint32_t caplen, uint32_t wirelen);

/* Packet time has reached ts: end flows and fragment trackers that timed out. */
void pipeline_tick(struct pipeline *pl, uint64_t ts);

/* End of input: end every flow (reason shutdown). */
void pipeline_end(struct pipeline *pl);

void pipeline_free(struct pipeline *pl);

#endif
