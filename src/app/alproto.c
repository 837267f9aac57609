/*
 * alproto — see alproto.h.
 */
#include "app/alproto.h"

#include <strings.h>

struct alproto_info {
	const char *name;
	bool tcp, udp, analysed;
};

static const struct alproto_info info[ALPROTO_MAX] = {
    [ALPROTO_UNKNOWN] = {"unknown", false, false, false},
#define ALPROTO(id, name, tcp, udp, analysed) [ALPROTO_##id] = {name, tcp, udp, analysed},
#include "app/alproto.def"
#undef ALPROTO
};

uint16_t alproto_by_name(const char *name)
{
	for (uint16_t i = 1; i < ALPROTO_MAX; i++)
		if (!strcasecmp(info[i].name, name))
			return i;
	return ALPROTO_UNKNOWN;
}

const char *alproto_name(uint16_t id)
{
	return id < ALPROTO_MAX ? info[id].name : "unknown";
}

bool alproto_over_tcp(uint16_t id)
{
	return id < ALPROTO_MAX && info[id].tcp;
}

bool alproto_over_udp(uint16_t id)
{
	return id < ALPROTO_MAX && info[id].udp;
}

bool alproto_analysed(uint16_t id)
{
	return id < ALPROTO_MAX && info[id].analysed;
}
