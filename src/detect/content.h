/*
 * content — the parsed form of `content` and its modifiers, shared by the
 * parser (kw_content.c), the fast-pattern choice and the inspection engine.
 */
#ifndef MAMORI_DETECT_CONTENT_H
#define MAMORI_DETECT_CONTENT_H

#include <stdint.h>

/* content.flags */
#define CT_NOCASE	 0x0001u
#define CT_NEGATED	 0x0002u
#define CT_OFFSET	 0x0004u
#define CT_DEPTH	 0x0008u
#define CT_DISTANCE	 0x0010u
#define CT_WITHIN	 0x0020u
#define CT_STARTSWITH	 0x0040u
#define CT_ENDSWITH	 0x0080u
#define CT_FAST_PATTERN	 0x0100u
#define CT_FP_ONLY	 0x0200u
#define CT_FP_CHOP	 0x0400u
#define CT_RAWBYTES	 0x0800u
#define CT_RELATIVE_NEXT 0x1000u /* the next inspection keyword is relative to this one */

#define CT_RELATIVE (CT_DISTANCE | CT_WITHIN)
#define CT_ABSOLUTE (CT_OFFSET | CT_DEPTH)

/* A modifier's value is a literal, or a byte_extract/byte_math variable. */
#define CT_VAR_NONE (-1)

struct content {
	uint8_t *pat; /* the bytes (owned) */
	uint32_t len;
	uint32_t flags;
	int32_t offset, depth, distance, within;
	int8_t offset_var, depth_var, distance_var, within_var;
	uint16_t fp_off, fp_len; /* fast_pattern:off,len */
	uint32_t id;		 /* position among the rule's contents (set by the parser) */
};

#endif
