/*
 * log — stderr messages with a level prefix; thread-safe (one fprintf each).
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

static enum log_level log_level = LOG_INFO;

void log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

bool log_enabled(enum log_level lvl)
{
	return lvl <= log_level;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	char buf[1024];
	va_list ap;

	if (lvl > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "mamori: %s: %s\n", names[lvl], buf);
}
