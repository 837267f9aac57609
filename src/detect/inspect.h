/*
 * inspect — evaluates a rule's matches against one buffer: content (with
 * offset/depth, relative distance/within, startswith/endswith, nocase,
 * negation), pcre, isdataat, bsize, byte_test/jump/extract/math, dataset
 * and datarep (the whole buffer against a set), in order,
 * with Suricata's backtracking: when a later relative match fails, an
 * earlier content or pcre is retried at its next occurrence. Work per
 * evaluation is capped (counted when hit) so crafted data cannot make it
 * explode.
 */
#ifndef MAMORI_DETECT_INSPECT_H
#define MAMORI_DETECT_INSPECT_H

#include <stdbool.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "detect/rule.h"

struct counters;

#define INSPECT_MAX_STEPS 3000 /* as Suricata's inspection recursion limit */

struct inspect {
	const uint8_t *buf;
	uint32_t len;
	uint64_t vars[8];
	pcre2_match_data *md; /* per thread */
	struct counters *cnt; /* the worker's (dataset adds), or NULL */
	uint32_t steps;
	bool capped; /* the step cap was hit */
};

/* Does buf match every keyword in l? in->buf/len/md must be set. */
bool inspect_list(struct inspect *in, const struct sm_list *l);

/* Case-insensitive search helper shared with the prefilter's checks. */
const uint8_t *inspect_find(const uint8_t *hay, uint32_t hlen, const uint8_t *pat, uint32_t plen,
			    bool nocase);

#endif
