/*
 * events — the anomaly events decoders and the stream engine raise.
 * A packet carries up to PKT_MAX_EVENTS of them; each is also counted.
 */
#ifndef MAMORI_DECODE_EVENTS_H
#define MAMORI_DECODE_EVENTS_H

enum event_id {
#define EV(id, name) EV_##id,
#include "decode/events.def"
#undef EV
	EV_MAX
};

/* "ipv4.trunc_pkt" etc.; static storage. */
const char *event_name(enum event_id id);

#endif
