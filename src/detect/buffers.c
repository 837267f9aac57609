/*
 * buffers — see buffers.h.
 */
#include "detect/buffers.h"

#include <stddef.h>
#include <string.h>

#include "app/alproto.h"

static const struct buffer_info table[BUF_MAX] = {
#define BUF(id, name, alias, mod, alproto, dir, ready)                                             \
	[BUF_##id] = {name, alias, mod, ALPROTO_##alproto, dir, ready},
#include "detect/buffers.def"
#undef BUF
};

const struct buffer_info *buffer_info(unsigned id)
{
	return id < BUF_MAX ? &table[id] : NULL;
}

int buffer_by_sticky(const char *name)
{
	for (int i = 0; i < BUF_MAX; i++)
		if (!strcmp(table[i].name, name) ||
		    (table[i].alias && !strcmp(table[i].alias, name)))
			return i;
	return -1;
}

int buffer_by_modifier(const char *name)
{
	for (int i = 0; i < BUF_MAX; i++)
		if (table[i].modifier && !strcmp(table[i].modifier, name))
			return i;
	return -1;
}

bool buffer_is_address(unsigned id)
{
	return id == BUF_IP_SRC || id == BUF_IP_DST;
}
