/*
 * fuzz_decode — the decode stack, fragment reassembly, flow table and TCP
 * reassembly on arbitrary frames. Input: a sequence of records
 *   [link selector:1][length:2 big-endian][frame bytes]
 * each fed as one packet 0.1 s after the previous, then the flows are ended.
 * Small caps make the memcap, eviction and segment-limit paths reachable.
 * Detection runs on every packet and on the reassembled streams with rules
 * that exercise each inspection keyword (relative chains with backtracking,
 * pcre, byte_*, isdataat, flowbits, thresholds, IP-only rules).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/pipeline.h"
#include "detect/detect.h"
#include "detect/ruleset.h"

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

static const char *const rules[] = {
	"alert tcp any any -> any any (content:\"GET\"; content:\"HTTP\"; distance:0; within:64; "
	"pcre:\"/^\\/[a-z]+/R\"; sid:1;)",
	"alert tcp any any -> any any (flow:established,to_server; content:\"|00 01|\"; "
	"byte_extract:2,0,len,relative; content:\"Z\"; distance:len; within:8; sid:2;)",
	"alert udp any any -> any any (byte_test:2,>,100,0; byte_jump:1,2,relative,multiplier 2; "
	"isdataat:1,relative; sid:3;)",
	"alert ip any any -> any any (dsize:>10; content:!\"x\"; offset:4; depth:8; sid:4;)",
	"alert tcp any any -> any any (flags:S+; flowbits:set,syn; threshold:type both,track by_src,"
	"count 2,seconds 1; sid:5;)",
	"alert tcp any any -> any any (flowbits:isset,syn; content:\"a\"; nocase; endswith; sid:6;)",
	"alert ip 10.0.0.0/8 any -> any any (sid:7;)",
	"alert tcp any any -> any any (content:\"ab\"; byte_math:bytes 1,offset 0,oper *,rvalue 3,"
	"result r,relative; isdataat:r,relative; flowint:n,+,1; sid:8;)",
	"alert icmp any any -> any any (itype:8; content:\"ping\"; fast_pattern; sid:9;)",
	"alert tcp any any -> any any (stream_size:either,>,100; content:\"zz\"; detection_filter:"
	"track by_flow,count 1,seconds 10; sid:10;)",
};

static void on_alert(void *ctx, const struct packet *p, struct flow *f, const struct detect_alert *a)
{
	(void)ctx;
	(void)f;
	volatile uint32_t x = a->r->sid + p->payload_len;
	for (uint32_t i = 0; i < a->payload_len; i++)
		x ^= a->payload[i];
	(void)x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct detect_engine *de;
	static struct counters dcnt;
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
		log_set_level(LOG_ERROR);
		struct ruleset *rs = ruleset_new(&cfg);
		for (size_t i = 0; rs && i < sizeof(rules) / sizeof(rules[0]); i++)
			if (ruleset_add_rule(rs, rules[i], "fuzz", (uint32_t)i + 1) != 0)
				abort(); /* the harness's own rules must load */
		de = rs ? detect_engine_build(rs, &cfg) : NULL;
		init = 1;
	}
	cfg.stream_overlap = size & 1 ? OVERLAP_LAST : OVERLAP_FIRST;
	cfg.defrag_overlap = (int)(size % 4);
	if (pipeline_init(&pl, &cfg, 1) < 0)
		return 0;
	struct detect_thread *dt = de ? detect_thread_new(de, &dcnt, on_alert, NULL) : NULL;
	if (dt) {
		pipeline_set_detect(&pl, dt);
	} else {
		struct stream_sink sink = {.data = sink_data};
		flow_table_set_stream_sink(pl.ft, &sink);
	}

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
	detect_thread_free(dt);
	return 0;
}
