/*
 * behave_flood — the `flood` scenario: N TCP SYNs from N distinct public IPv4 sources, for
 * the analyser's per-source tables at their caps. Written as it is generated (no sorting,
 * no seeking, constant memory), so OUT may be /dev/stdout or a pipe ("-" is stdout too).
 */
#include "behave.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Public unicast space 1.0.0.0-223.255.255.255 less 10/8, 127/8, 172.16/12, 192.168/16. */
#define FLOOD_SPACE   (221ull * (1u << 24) - (1u << 20) - (1u << 16))
#define FLOOD_DEFAULT 10000000ull

/* A keyed bijection of [0, 2^32): four Feistel rounds over 16-bit halves. */
static uint32_t feistel(uint32_t x, const uint64_t key[4])
{
	uint32_t l = x >> 16, r = x & 0xffff;

	for (int i = 0; i < 4; i++) {
		uint64_t z = (r ^ key[i]) * 0xbf58476d1ce4e5b9ull;
		uint32_t f = (uint32_t)((z ^ (z >> 31)) >> 17) & 0xffff;
		uint32_t t = l ^ f;

		l = r;
		r = t;
	}
	return l << 16 | r;
}

/* Index i (< FLOOD_SPACE) of the permutation to an address: cycle-walk the bijection into
 * [0, FLOOD_SPACE), then step over the excluded blocks in address order. */
static uint32_t flood_src(uint64_t i, const uint64_t key[4])
{
	uint32_t v = (uint32_t)i;

	do
		v = feistel(v, key);
	while (v >= FLOOD_SPACE);
	v += 1u << 24; /* from 1.0.0.0 */
	if (v >= BEH_IP(10, 0, 0, 0))
		v += 1u << 24;
	if (v >= BEH_IP(127, 0, 0, 0))
		v += 1u << 24;
	if (v >= BEH_IP(172, 16, 0, 0))
		v += 1u << 20;
	if (v >= BEH_IP(192, 168, 0, 0))
		v += 1u << 16;
	return v;
}

/*
 * flood [--count N] [--seed S]: N (default 10,000,000, at most 3,706,650,624) TCP SYNs, one
 * every 1 ms from 09:00:00, Ethernet, 60-byte frames (window 1024, no options). Packet i
 * comes from flood_src(i): N distinct addresses of 1.0.0.0-223.255.255.255 outside 10/8,
 * 127/8, 172.16/12, 192.168/16 in a seeded order, random source port; it goes to a random
 * host of 10.10.0.0/16 or of the darknet 10.99.0.0/16 (even odds), random port 1-65535.
 * No truth file: every source is distinct and every packet a SYN.
 */
int behave_flood(const char *out_path, const struct scenario_opts *opts)
{
	uint64_t n = opts->has_count ? opts->count : FLOOD_DEFAULT;
	struct scen_rng r = {.s = opts->seed ^ 0x666c6f6f64ull};
	struct pcapw_link lk = {.linktype = PCAPW_LINK_ETHERNET, .min_frame = 60};
	uint64_t key[4];
	struct pcapw w;
	uint8_t buf[128];
	int rc;

	if (n > FLOOD_SPACE)
		return -EINVAL;
	for (int i = 0; i < 4; i++)
		key[i] = scen_rand(&r);
	rc = strcmp(out_path, "-") == 0
		 ? pcapw_open_stream(&w, stdout, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, 0)
		 : pcapw_open(&w, out_path, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, 0);
	if (rc < 0)
		return rc;
	for (uint64_t i = 0; i < n && !w.err; i++) {
		uint32_t hi = (uint32_t)scen_rand(&r);
		uint16_t dport = (uint16_t)beh_range(&r, 1, 65535);
		uint32_t seq = (uint32_t)scen_rand(&r);
		struct pcapw_host s = beh_host(flood_src(i, key), beh_eph(&r));
		struct pcapw_host d =
		    beh_host(BEH_IP(10, (hi & 1) ? 99 : 10, hi >> 8 & 255, hi >> 16 & 255), dport);
		struct pcapw_tcp t = {.sport = s.port,
				      .dport = dport,
				      .seq = seq,
				      .flags = PCAPW_TH_SYN,
				      .win = 1024};
		struct pcapw_pkt p;

		pcapw_pkt_init(&p, buf, sizeof(buf));
		pcapw_add_hdrs(&p, &lk, &s, &d);
		pcapw_add_tcp(&p, &t);
		pcapw_pkt_write(&w, SCEN_T0 + i * SCEN_MS, &p);
	}
	return pcapw_close(&w);
}
