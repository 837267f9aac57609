/*
 * kw_inspect — contexts of the keywords that inspect a buffer alongside
 * content and pcre (isdataat, bsize, byte_test, byte_jump, byte_extract,
 * byte_math), shared by their setup files and the inspection engine.
 */
#ifndef MAMORI_DETECT_KW_INSPECT_H
#define MAMORI_DETECT_KW_INSPECT_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/uintcmp.h"

struct isdataat_ctx {
	uint32_t n;
	int8_t var; /* CT_VAR_NONE or a byte_extract variable */
	bool negated, relative;
};

struct bsize_ctx {
	struct ucmp cmp;
};

/* byte_* number formats */
#define BYTE_BIG    0
#define BYTE_LITTLE 1
#define BYTE_DCE    2

struct byte_common {
	uint8_t nbytes;
	uint8_t endian; /* BYTE_* */
	uint8_t base;	/* 0 binary, else 8/10/16 for string */
	bool relative;
	int32_t offset;
	int8_t offset_var;
	uint64_t bitmask; /* 0 = none */
};

enum byte_op { BOP_LT, BOP_GT, BOP_EQ, BOP_LE, BOP_GE, BOP_AND, BOP_XOR };

struct byte_test_ctx {
	struct byte_common b;
	uint8_t op;
	bool negated;
	uint64_t value;
	int8_t value_var;
};

struct byte_jump_ctx {
	struct byte_common b;
	uint32_t multiplier;
	int32_t post_offset;
	bool align, from_beginning, from_end;
};

struct byte_extract_ctx {
	struct byte_common b;
	uint32_t multiplier;
	uint8_t align;
	uint8_t var; /* index of the variable it sets */
};

enum byte_math_op { BM_ADD, BM_SUB, BM_MUL, BM_DIV, BM_SHL, BM_SHR };

struct byte_math_ctx {
	struct byte_common b;
	uint8_t op;
	uint64_t rvalue;
	int8_t rvalue_var;
	uint8_t var; /* result */
};

/* dataset and datarep: the set is the ruleset's (dataset.h), borrowed */
struct dataset;

enum dataset_cmd { DATASET_CMD_SET, DATASET_CMD_UNSET, DATASET_CMD_ISSET, DATASET_CMD_ISNOTSET };

struct dataset_ctx {
	struct dataset *set;
	uint8_t cmd; /* enum dataset_cmd */
};

enum datarep_op { DATAREP_GT, DATAREP_LT, DATAREP_GE, DATAREP_LE, DATAREP_EQ, DATAREP_NE };

struct datarep_ctx {
	struct dataset *set;
	uint8_t op; /* enum datarep_op */
	uint16_t value;
};

#endif
