/*
 * transform — buffer transforms (transforms.def): a sticky buffer followed
 * by `dotprefix;`, `to_lowercase;` ... is inspected after the transform.
 * Rules with the same buffer and the same transforms share one prefilter.
 */
#ifndef MAMORI_DETECT_TRANSFORM_H
#define MAMORI_DETECT_TRANSFORM_H

#include <stdint.h>

enum xform_id {
#define XFORM(id, name, arg) XFORM_##id,
#include "detect/transforms.def"
#undef XFORM
	XFORM_MAX
};

/* An xor key (owned by the rule's buffer entry as xform_arg). */
struct xform_xor {
	uint32_t len;
	uint8_t key[];
};

/*
 * Apply transform id to in[0..len) writing at most cap bytes to out.
 * Returns the output length. `arg` is the xform_arg the setup built.
 * Thread-safe (no shared state).
 */
uint32_t xform_apply(unsigned id, const void *arg, const uint8_t *in, uint32_t len, uint8_t *out,
		     uint32_t cap);

#endif
