/*
 * flowvars — per-flow flowbits and flowints. Allocated on a flow the first
 * time a rule sets one (never per packet), capped, freed when the flow ends.
 * Owned by the worker that owns the flow; not thread-safe.
 */
#ifndef MAMORI_DETECT_FLOWVARS_H
#define MAMORI_DETECT_FLOWVARS_H

#include <stdbool.h>
#include <stdint.h>

struct flow;
struct sm;

#define FLOWVARS_MAX_INTS 64

struct flowint_val {
	uint32_t id;
	uint32_t v;
};

/* The last bytes of each direction's reassembled stream already inspected,
 * so that a pattern split across two deliveries is still seen. */
#define STREAM_TAIL 256

struct stream_tail {
	uint32_t len;
	uint8_t b[STREAM_TAIL];
};

struct flowvars {
	uint32_t n_words;
	uint64_t *bits;
	uint32_t n_ints, cap_ints;
	struct flowint_val *ints;
	struct stream_tail *tail[2];
};

/* The flow's stream tail for direction dir, created on first use; NULL on OOM. */
struct stream_tail *flowvars_tail(struct flow *f, int dir);

bool flowvars_bit(const struct flow *f, uint32_t id);
/* 0, or -1 when memory ran out (the change is lost; counted by the caller). */
int flowvars_set_bit(struct flow *f, uint32_t id, int how); /* how: 1 set, 0 unset, 2 toggle */
/* Value of a flowint; false when it is not set. */
bool flowvars_int(const struct flow *f, uint32_t id, uint32_t *v);
int flowvars_set_int(struct flow *f, uint32_t id, uint32_t v);

/* Run a post-match action (flowbits set/unset/toggle, flowint =,+,-). 0 or -1. */
int flowvars_apply(struct flow *f, const struct sm *sm);

void flowvars_free(struct flow *f);

#endif
