/*
 * fuzz_decode — the decode stack, fragment reassembly, flow table and TCP
 * reassembly on arbitrary frames. Input: a sequence of records
 *   [link selector:1][length:2 big-endian][frame bytes]
 * each fed as one packet 0.1 s after the previous, then the flows are ended.
 * Small caps make the memcap, eviction and segment-limit paths reachable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int links[] = {LINK_ETHERNET, LINK_RAW, LINK_SLL, LINK_SLL2, LINK_NULL, LINK_LOOP,
			    LINK_IPV4, LINK_IPV6};

static void sink_data(void *ctx, struct flow *f, int dir, const uint8_t *d, uint32_t len,
		      uint64_t off)
{
	(void)ctx;
	(void)f;
	(void)dir;
	(void)off;
	/* Touch every delivered byte so ASan checks the range. */
	volatile uint8_t x = 0;
	for (uint32_t i = 0; i < len; i++)
		x ^= d[i];
	(void)x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	static int init;
	struct pipeline pl;
	uint64_t ts = 1700000000ull * 1000000000ull;

	if (!init) {
		config_defaults(&cfg);
		cfg.flow_memcap = 64 * 1024;
		cfg.reassembly_memcap = 32 * 1024;
		cfg.reassembly_max_segments = 16;
		cfg.reassembly_depth = 4096;
		cfg.defrag_memcap = 64 * 1024;
		cfg.defrag_trackers = 8;
		cfg.defrag_max_frags = 16;
		cfg.midstream = true;
		init = 1;
	}
	cfg.stream_overlap = size & 1 ? OVERLAP_LAST : OVERLAP_FIRST;
	cfg.defrag_overlap = (int)(size % 4);
	if (pipeline_init(&pl, &cfg, 1) < 0)
		return 0;
	struct stream_sink sink = {.data = sink_data};
	flow_table_set_stream_sink(pl.ft, &sink);

	size_t off = 0;
	while (off + 3 <= size) {
		int link = links[data[off] % (sizeof(links) / sizeof(links[0]))];
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		/* A copy exactly the frame's size, so ASan sees any overread. */
		uint8_t *frame = malloc(len ? len : 1);
		if (!frame)
			break;
		memcpy(frame, data + off, len);
		pipeline_packet(&pl, ts, link, frame, (uint32_t)len, (uint32_t)len + (data[off - 3] & 0x80 ? 100 : 0));
		free(frame);
		off += len;
		ts += 100000000ull;
		if ((off & 7) == 0)
			pipeline_tick(&pl, ts);
	}
	pipeline_tick(&pl, ts + 3600ull * 1000000000ull);
	pipeline_end(&pl);
	pipeline_free(&pl);
	return 0;
}
