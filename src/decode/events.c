/*
 * events — names of the anomaly events.
 */
#include "decode/events.h"

static const char *const event_names[EV_MAX] = {
#define EV(id, name) [EV_##id] = name,
#include "decode/events.def"
#undef EV
};

const char *event_name(enum event_id id)
{
	return (unsigned)id < EV_MAX ? event_names[id] : "unknown";
}
