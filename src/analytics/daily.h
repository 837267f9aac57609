/*
 * daily — the daily counters' entry for the other analytics (through
 * an_commit and an_count_attack).
 */
#ifndef MAMORI_ANALYTICS_DAILY_H
#define MAMORI_ANALYTICS_DAILY_H

#include <stdint.h>

#include "decode/packet.h"

/* n potential attacks of `category` from attacker (may be NULL) at ts. */
void daily_attack(void *st, uint64_t ts, const char *category, int ver, const struct addr *attacker,
		  uint64_t n);

#endif
