/*
 * pipeline — the chain one worker runs on each frame: decode, fragment
 * reassembly, flow tracking and TCP reassembly. The engine gives each worker
 * one; unit tests and fuzz targets drive one directly. Not thread-safe: one
 * pipeline per thread.
 */
#ifndef MAMORI_CORE_PIPELINE_H
#define MAMORI_CORE_PIPELINE_H

#include "core/config.h"
#include "core/counters.h"
#include "decode/decode.h"
#include "decode/defrag.h"
#include "flow/flow.h"

struct detect_thread;

struct pipeline {
	const struct config *cfg; /* borrowed */
	struct counters cnt;
	struct decode_ctx dc;
	struct flow_table *ft;
	struct defrag *df;
	struct detect_thread *dt; /* borrowed; NULL = no rules */
};

/*
 * Set up with caps divided by `share` (the number of workers sharing the
 * configured memory). 0, or -1 on OOM (everything freed).
 */
int pipeline_init(struct pipeline *pl, const struct config *cfg, unsigned share);

/* Run detection (borrowed thread state) on every packet and on reassembled
 * TCP data. */
void pipeline_set_detect(struct pipeline *pl, struct detect_thread *dt);

/* One captured frame; the bytes are borrowed for the call. */
void pipeline_packet(struct pipeline *pl, uint64_t ts, int linktype, const uint8_t *data,
		     uint32_t caplen, uint32_t wirelen);

/* Packet time has reached ts: end flows and fragment trackers that timed out. */
void pipeline_tick(struct pipeline *pl, uint64_t ts);

/* End of input: end every flow (reason shutdown). */
void pipeline_end(struct pipeline *pl);

void pipeline_free(struct pipeline *pl);

#endif
