/*
 * kw_flowvars — contexts of flowbits and flowint, and their conditions
 * (flowvars.c keeps the per-flow values).
 */
#ifndef MAMORI_DETECT_KW_FLOWVARS_H
#define MAMORI_DETECT_KW_FLOWVARS_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/keyword.h"

enum { FB_SET, FB_UNSET, FB_TOGGLE, FB_ISSET, FB_ISNOTSET };

#define FLOWBITS_MAX_NAMES 8

struct flowbits_ctx {
	uint8_t op;
	bool any; /* a|b: any of; otherwise all of */
	uint8_t n;
	uint32_t ids[FLOWBITS_MAX_NAMES];
};

enum { FI_SET, FI_ADD, FI_SUB, FI_EQ, FI_NE, FI_LT, FI_LE, FI_GT, FI_GE, FI_ISSET, FI_NOTSET };

struct flowint_ctx {
	uint8_t op;
	uint32_t id;
	uint32_t value;
	int32_t value_id; /* another flowint, or -1 */
};

bool flowbits_match(const struct det_pkt *d, const void *ctx);
bool flowint_match(const struct det_pkt *d, const void *ctx);

#endif
