/*
 * scenarios_int — helpers shared by the scenario files (scenarios*.c) and nothing else: the
 * fixed time base, byte patterns, a seeded PRNG and the small TCP session several scenarios
 * repeat over different encapsulations. Header-only apart from the one shared session.
 */
#ifndef MAMORI_TOOLS_SCENARIOS_INT_H
#define MAMORI_TOOLS_SCENARIOS_INT_H

#include "pcapw.h"

#include <stddef.h>
#include <stdint.h>

/* 2024-01-15T09:00:00Z in nanoseconds since the epoch: every scenario starts here. */
#define SCEN_T0 (1705309200ull * 1000000000ull)
#define SCEN_US 1000ull
#define SCEN_MS 1000000ull
#define SCEN_S	1000000000ull

#define SCEN_SNAPLEN 262144u

/* Close w after a failure and return err (or the close's own error if err is not one). */
static inline int scen_abort(struct pcapw *w, int err)
{
	int r = pcapw_close(w);

	return err < 0 ? err : r;
}

/* n bytes: base + k % 26 for byte k ('a' gives "abc...zab..."). */
static inline void scen_alpha(uint8_t *buf, size_t n, char base)
{
	for (size_t k = 0; k < n; k++)
		buf[k] = (uint8_t)(base + (char)(k % 26));
}

/* splitmix64 (Steele, Lea, Flood 2014): a tiny PRNG, seeded per scenario for determinism. */
struct scen_rng {
	uint64_t s;
};

static inline uint64_t scen_rand(struct scen_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void scen_rand_bytes(struct scen_rng *r, uint8_t *buf, size_t n)
{
	for (size_t k = 0; k < n; k++)
		buf[k] = (uint8_t)(scen_rand(r) >> 56);
}

/*
 * The small IPv4 session of the linktypes-* scenarios (scenarios_tcp.c): 10.0.4.1:50000 ->
 * 10.0.4.2:8080 on lk from t0, handshake, "hello from the client\n" (22 bytes) and its ACK,
 * "hello from the server\n" (22 bytes) and its ACK, FIN/FIN-ACK/ACK: 10 packets.
 */
int scenarios_tcp_small(struct pcapw *w, const struct pcapw_link *lk, uint64_t t0);

#endif
