/*
 * kw_pcre — the compiled form of a `pcre` keyword (see kw_pcre.c).
 */
#ifndef MAMORI_DETECT_KW_PCRE_H
#define MAMORI_DETECT_KW_PCRE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>

#define PCRE_NEGATED  0x01u
#define PCRE_RELATIVE 0x02u
#define PCRE_RAWBYTES 0x04u
#define PCRE_JIT      0x08u

struct pcre_ctx {
	pcre2_code *re;
	uint32_t flags;
	uint32_t captures;
};

#endif
