/*
 * buffers — the registry of inspection buffers (buffers.def): the packet
 * payload / reassembled stream, the packet's addresses (ip.src and ip.dst:
 * 4 bytes for IPv4, 16 for IPv6, as Suricata's), and the named app-layer
 * buffers rules bind to with sticky-buffer keywords (http.uri; ...) or legacy
 * content modifiers (http_uri). Each has a direction and the app-layer
 * protocol it belongs to.
 */
#ifndef MAMORI_DETECT_BUFFERS_H
#define MAMORI_DETECT_BUFFERS_H

#include <stdbool.h>
#include <stdint.h>

enum buffer_id {
#define BUF(id, name, alias, mod, alproto, dir, ready) BUF_##id,
#include "detect/buffers.def"
#undef BUF
	BUF_MAX
};

#define BUF_DIR_TOSERVER 1
#define BUF_DIR_TOCLIENT 2

struct buffer_info {
	const char *name;
	const char *alias;    /* legacy sticky name, or NULL */
	const char *modifier; /* legacy content modifier, or NULL */
	uint16_t alproto;
	uint8_t dir;
	bool ready;
};

const struct buffer_info *buffer_info(unsigned id);
/* Lookup by sticky name or alias; -1 when unknown. */
int buffer_by_sticky(const char *name);
/* Lookup by legacy content-modifier name; -1 when unknown. */
int buffer_by_modifier(const char *name);
/* ip.src or ip.dst: a buffer of the packet (or view) itself. */
bool buffer_is_address(unsigned id);

#endif
