/*
 * pipe_harness — runs a capture file through a pipeline (as one worker does)
 * and records what the stream engine delivered per flow and direction, and
 * every flow that ended. Shared by the stream, flow and decode tests.
 */
#ifndef MAMORI_TEST_PIPE_HARNESS_H
#define MAMORI_TEST_PIPE_HARNESS_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "core/pipeline.h"
#include "scenarios.h"

#define H_MAX_FLOWS 64
#define H_MAX_BYTES 65536

struct h_dir {
	uint8_t data[H_MAX_BYTES];
	uint32_t len;      /* bytes delivered (and kept, up to H_MAX_BYTES) */
	uint64_t gap_bytes;
	unsigned gaps;
	uint64_t next_off; /* offsets must be contiguous */
	bool offsets_ok;
};

struct h_flow {
	struct flow *f; /* while alive */
	uint64_t flow_id;
	struct h_dir d[2];
	bool ended;
	enum flow_end_reason reason;
	uint8_t state, tcp_state, proto;
	uint64_t pkts[2], bytes[2];
	uint16_t sp, dp;
	uint8_t vlan_n;
};

struct harness {
	struct config cfg;
	struct pipeline pl;
	struct h_flow flows[H_MAX_FLOWS];
	unsigned nflows;
	uint64_t packets;
};

static struct h_flow *h_find(struct harness *h, struct flow *f)
{
	for (unsigned i = 0; i < h->nflows; i++)
		if (!h->flows[i].ended && h->flows[i].f == f && h->flows[i].flow_id == f->flow_id)
			return &h->flows[i];
	if (h->nflows == H_MAX_FLOWS)
		return NULL;
	struct h_flow *hf = &h->flows[h->nflows++];
	memset(hf, 0, sizeof(*hf));
	hf->f = f;
	hf->flow_id = f->flow_id;
	hf->d[0].offsets_ok = hf->d[1].offsets_ok = true;
	return hf;
}

static void h_data(void *ctx, struct flow *f, int dir, const uint8_t *d, uint32_t len, uint64_t off)
{
	struct h_flow *hf = h_find(ctx, f);
	if (!hf)
		return;
	struct h_dir *hd = &hf->d[dir];
	if (off != hd->next_off)
		hd->offsets_ok = false;
	hd->next_off = off + len;
	for (uint32_t i = 0; i < len && hd->len < H_MAX_BYTES; i++)
		hd->data[hd->len++] = d[i];
}

static void h_gap(void *ctx, struct flow *f, int dir, uint64_t len, uint64_t off)
{
	struct h_flow *hf = h_find(ctx, f);
	if (!hf)
		return;
	struct h_dir *hd = &hf->d[dir];
	if (off != hd->next_off)
		hd->offsets_ok = false;
	hd->next_off = off + len;
	hd->gaps++;
	hd->gap_bytes += len;
}

static void h_end(void *ctx, struct flow *f, enum flow_end_reason reason)
{
	struct h_flow *hf = h_find(ctx, f);
	if (!hf)
		return;
	hf->ended = true;
	hf->reason = reason;
	hf->state = f->state;
	hf->tcp_state = f->tcp.state;
	hf->proto = f->proto;
	memcpy(hf->pkts, f->pkts, sizeof(hf->pkts));
	memcpy(hf->bytes, f->bytes, sizeof(hf->bytes));
	hf->sp = f->sp;
	hf->dp = f->dp;
	hf->vlan_n = f->vlan_n;
}

/* Run the file at path; cfg already set in h->cfg. 0 or -1. */
static int h_run_file(struct harness *h, const char *path)
{
	struct capture c;
	struct capture_frame fr;
	struct stream_sink sink = {h_data, h_gap, h};

	if (pipeline_init(&h->pl, &h->cfg, 1) < 0)
		return -1;
	struct pipeline_out po = {.flow_end = h_end, .ctx = h};
	pipeline_set_out(&h->pl, &po);
	flow_table_set_stream_sink(h->pl.ft, &sink);
	if (capture_open_file(&c, path) < 0) {
		fprintf(stderr, "%s\n", c.err);
		pipeline_free(&h->pl);
		return -1;
	}
	uint64_t last_sec = 0;
	while (capture_next(&c, &fr) == CAPTURE_OK) {
		if (fr.ts / 1000000000ull != last_sec) {
			pipeline_tick(&h->pl, fr.ts);
			last_sec = fr.ts / 1000000000ull;
		}
		pipeline_packet(&h->pl, fr.ts, fr.linktype, fr.data, fr.caplen, fr.wirelen);
		h->packets++;
	}
	capture_close(&c);
	pipeline_end(&h->pl);
	return 0;
}

/* Generate scenario `name` into a temp file and run it. */
static int h_run_scenario(struct harness *h, const char *name)
{
	char path[64];
	const struct scenario *s = scenarios_find(name);
	snprintf(path, sizeof(path), "/tmp/mamori-test-XXXXXX");
	int fd = mkstemp(path);
	if (!s || fd < 0)
		return -1;
	close(fd);
	int rc = s->write(path) < 0 ? -1 : h_run_file(h, path);
	unlink(path);
	return rc;
}

static void h_init(struct harness *h)
{
	memset(h, 0, sizeof(*h));
	config_defaults(&h->cfg);
}

static void h_free(struct harness *h)
{
	pipeline_free(&h->pl);
}

/* Is buf byte k == base + k % 26 for k in [0,n)? */
static bool h_pattern(const uint8_t *buf, uint32_t n, char base)
{
	for (uint32_t k = 0; k < n; k++)
		if (buf[k] != (uint8_t)(base + k % 26))
			return false;
	return true;
}

static bool h_fill(const uint8_t *buf, uint32_t n, char c)
{
	for (uint32_t k = 0; k < n; k++)
		if (buf[k] != (uint8_t)c)
			return false;
	return true;
}

#endif
