/*
 * fuzz_pcapfile — the capture-file reader (libpcap behind capture.c) and the
 * whole per-packet pipeline on arbitrary file bytes: pcap (µs/ns) and pcapng.
 */
#include <stdint.h>
#include <stdio.h>

#include "capture/capture.h"
#include "core/pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	static int init;
	struct capture c;
	struct capture_frame fr;
	struct pipeline pl;

	if (!init) {
		config_defaults(&cfg);
		cfg.flow_memcap = 256 * 1024;
		cfg.defrag_memcap = 64 * 1024;
		cfg.reassembly_memcap = 64 * 1024;
		init = 1;
	}
	if (size == 0)
		return 0;
	FILE *fp = fmemopen((void *)data, size, "rb");
	if (!fp)
		return 0;
	if (capture_open_fp(&c, fp, "fuzz") < 0)
		return 0;
	if (pipeline_init(&pl, &cfg, 1) == 0) {
		int n = 0;
		while (capture_next(&c, &fr) == CAPTURE_OK && n++ < 10000)
			pipeline_packet(&pl, fr.ts, fr.linktype, fr.data, fr.caplen, fr.wirelen);
		pipeline_end(&pl);
		pipeline_free(&pl);
	}
	capture_close(&c);
	return 0;
}
