/*
 * fuzz_app — the application layer (protocol detection and every parser in
 * parsers.def) on crafted data of one flow. Input:
 *   [selector:1] bit 0: TCP (else UDP); bits 1-3: the server port, chosen
 *                from the ports the parsers are known for (7 = port 40000)
 *   then records (records.h): [flags:1][length:2 BE][data], flags bit 0 the
 *   direction (1 = to client), bit 1 a gap of `length` bytes instead of data.
 * Every transaction's buffers are read back and formatted as EVE objects,
 * so ASan checks what the parsers hand out.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/applayer.h"
#include "core/log.h"
#include "detect/buffers.h"
#include "flow/flow.h"
#include "output/eve.h"
#include "output/json.h"
#include "records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct jbuf jb;
static struct config cfg;

static void on_tx(void *ctx, struct flow *f, const struct app_tx *tx, int dir, uint8_t level)
{
	(void)ctx;
	(void)level;
	const struct app_parser *ap = app_parser_for(tx->alproto);
	volatile uint32_t x = 0;
	for (unsigned b = 0; ap && b < BUF_MAX; b++) {
		const uint8_t *p;
		uint32_t n;
		for (uint32_t i = 0; i < 64 && ap->buffer(tx->data, b, dir, i, &p, &n); i++)
			for (uint32_t k = 0; k < n; k++)
				x += p[k];
	}
	(void)x;
	(void)f;
	jb_reset(&jb);
	jb_open(&jb, NULL);
	eve_put_app(&jb, &cfg, tx, level);
	jb_close(&jb);
}

static void on_event(void *ctx, struct flow *f, int dir, uint16_t alproto, enum app_event ev)
{
	(void)ctx;
	(void)f;
	(void)dir;
	(void)alproto;
	(void)app_event_name(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct counters cnt;
	static struct app_ctx ac;
	static int init;
	static const uint16_t ports[8] = {53, 80, 443, 8080, 25, 22, 993, 40000};
	if (!init) {
		config_defaults(&cfg);
		log_set_level(LOG_ERROR);
		if (app_ctx_init(&ac, &cfg, &cnt) < 0 || jb_init(&jb, 4096, 1 << 20) < 0)
			abort();
		struct app_sink sink = {on_tx, on_event, NULL};
		app_ctx_set_sink(&ac, &sink);
		init = 1;
	}
	if (size < 1)
		return 0;
	bool tcp = data[0] & 1;
	struct flow f;
	memset(&f, 0, sizeof(f));
	f.proto = tcp ? 6 : 17;
	f.ip_ver = 4;
	f.sp = 40001;
	f.dp = ports[(data[0] >> 1) & 7];
	size_t off = 1;
	struct fz_rec r;
	while (fz_next(data, size, &off, &r)) {
		if (r.gap) {
			if (tcp)
				app_stream_gap(&ac, &f, r.dir, r.len);
			continue;
		}
		if (tcp)
			app_stream_data(&ac, &f, r.dir, r.copy, r.len);
		else
			app_udp_data(&ac, &f, r.dir, r.copy, r.len);
		free(r.copy);
	}
	app_flow_end(&ac, &f);
	return 0;
}
