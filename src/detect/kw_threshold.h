/*
 * kw_threshold — the parsed `threshold` and `detection_filter` settings.
 */
#ifndef MAMORI_DETECT_KW_THRESHOLD_H
#define MAMORI_DETECT_KW_THRESHOLD_H

#include <stdint.h>

enum thr_type { THR_LIMIT, THR_THRESHOLD, THR_BOTH, THR_DETECTION_FILTER };
enum thr_track { TRACK_SRC, TRACK_DST, TRACK_RULE, TRACK_BOTH, TRACK_FLOW };

struct threshold_ctx {
	uint8_t type, track;
	uint32_t count, seconds;
};

#endif
