/*
 * alproto — names of application-layer protocols (Suricata's `app_proto`
 * values), from alproto.def. Protocol detection and the parsers (app/) fill a
 * flow's app_proto with these ids; rules name them in their header or with
 * app-layer-protocol.
 */
#ifndef MAMORI_APP_ALPROTO_H
#define MAMORI_APP_ALPROTO_H

#include <stdbool.h>
#include <stdint.h>

enum alproto {
	ALPROTO_UNKNOWN = 0,
#define ALPROTO(id, name, tcp, udp, analysed) ALPROTO_##id,
#include "app/alproto.def"
#undef ALPROTO
	ALPROTO_MAX
};

/* Id of a name ("http"), or ALPROTO_UNKNOWN. Case-insensitive. */
uint16_t alproto_by_name(const char *name);
/* Name of an id; "unknown" for 0 or out of range. */
const char *alproto_name(uint16_t id);
bool alproto_over_tcp(uint16_t id);
bool alproto_over_udp(uint16_t id);
bool alproto_analysed(uint16_t id);

#endif
