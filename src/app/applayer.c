/*
 * applayer — see applayer.h.
 */
#include "app/applayer.h"

#include <stdlib.h>
#include <string.h>

#include "app/file.h"
#include "flow/flow.h"

#define PARSER(name) extern const struct app_parser app_parser_##name;
#include "app/parsers.def"
#undef PARSER

static const struct app_parser *const parsers[] = {
#define PARSER(name) &app_parser_##name,
#include "app/parsers.def"
#undef PARSER
};
#define N_PARSERS (sizeof(parsers) / sizeof(parsers[0]))

#define UDP_PROBE_TRIES 8 /* datagrams per direction offered to the probes */

/* app_flow.dflags[dir] */
#define AD_DONE	   0x01 /* this direction's protocol question is settled */
#define AD_FAILED  0x02 /* no parser recognised it */
#define AD_STOPPED 0x04 /* the parser gave up on it, or a gap came first */
#define AD_SEEN	   0x08 /* data has been seen */

struct app_flow {
	const struct app_parser *p;
	void *state;
	uint8_t dflags[2];
	uint8_t tries[2];
	uint16_t pb_len[2];
	uint8_t *pb[2]; /* bytes held while a probe needs more */
	bool change;	/* the parser asked for a protocol change */
};

static const char *const event_names[APP_EV_MAX] = {
    [APP_EV_MISMATCH_BOTH_DIRECTIONS] = "APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS",
    [APP_EV_UNEXPECTED_PROTOCOL] = "APPLAYER_UNEXPECTED_PROTOCOL",
    [APP_EV_WRONG_DIRECTION_FIRST] = "APPLAYER_WRONG_DIRECTION_FIRST_DATA",
    [APP_EV_PARSER_ERROR] = "APPLAYER_PARSER_ERROR",
};

const char *app_event_name(enum app_event ev)
{
	return ev < APP_EV_MAX ? event_names[ev] : "APPLAYER_UNKNOWN";
}

const struct app_parser *app_parser_for(uint16_t alproto)
{
	if (alproto == ALPROTO_HTTP1)
		alproto = ALPROTO_HTTP;
	for (size_t i = 0; i < N_PARSERS; i++)
		if (parsers[i]->alproto == alproto)
			return parsers[i];
	return NULL;
}

int app_ctx_init(struct app_ctx *ac, const struct config *cfg, struct counters *cnt)
{
	memset(ac, 0, sizeof(*ac));
	ac->cfg = cfg;
	ac->cnt = cnt;
	for (size_t i = 0; i < N_PARSERS; i++) {
		if (!parsers[i]->scratch_size)
			continue;
		ac->scratch[parsers[i]->alproto] = calloc(1, parsers[i]->scratch_size);
		if (!ac->scratch[parsers[i]->alproto]) {
			app_ctx_free(ac);
			return -1;
		}
	}
	return 0;
}

void app_ctx_free(struct app_ctx *ac)
{
	for (size_t i = 0; i < N_PARSERS; i++) {
		void *sc = ac->scratch[parsers[i]->alproto];
		if (sc && parsers[i]->scratch_free)
			parsers[i]->scratch_free(sc);
	}
	app_file_magic_close(ac->magic);
	ac->magic = NULL;
	for (size_t i = 0; i < ALPROTO_MAX; i++) {
		free(ac->scratch[i]);
		ac->scratch[i] = NULL;
	}
}

void app_ctx_set_sink(struct app_ctx *ac, const struct app_sink *sink)
{
	ac->sink = *sink;
}

void app_report_tx(const struct app_call *c, const struct app_tx *tx, int dir, uint8_t level)
{
	if (c->ac->sink.tx)
		c->ac->sink.tx(c->ac->sink.ctx, c->f, tx, dir, level);
}

void app_report_event(const struct app_call *c, int dir, enum app_event ev)
{
	struct app_ctx *ac = c->ac;
	CNT_INC(ac->cnt, APP_EVENTS);
	if (ev == APP_EV_MISMATCH_BOTH_DIRECTIONS)
		CNT_INC(ac->cnt, APP_MISMATCH);
	else if (ev == APP_EV_UNEXPECTED_PROTOCOL)
		CNT_INC(ac->cnt, APP_UNEXPECTED);
	if (ac->sink.event)
		ac->sink.event(ac->sink.ctx, c->f, dir, c->f->app_proto, ev);
}

static bool parser_port(const struct app_parser *p, uint16_t port)
{
	for (int i = 0; i < 6 && p->ports[i]; i++)
		if (p->ports[i] == port)
			return true;
	return false;
}

/* Offer data to every parser of the transport: the first that says yes, or
 * APP_PROBE_MORE when one needs more and none said yes. */
static int probe_all(const struct flow *f, int dir, const uint8_t *d, uint32_t len, bool tcp,
		     const struct app_parser **out)
{
	int r = APP_PROBE_NO;
	uint16_t sp = dir == 0 ? f->sp : f->dp, dp = dir == 0 ? f->dp : f->sp;
	for (size_t i = 0; i < N_PARSERS; i++) {
		const struct app_parser *p = parsers[i];
		if (!(tcp ? p->tcp : p->udp))
			continue;
		int v = p->probe(d, len, dir, tcp, sp, dp);
		if (v == APP_PROBE_YES) {
			*out = p;
			return APP_PROBE_YES;
		}
		if (v == APP_PROBE_MORE)
			r = APP_PROBE_MORE;
	}
	return r;
}

static void count_flow(struct app_ctx *ac, uint16_t alproto, bool tcp)
{
	switch (alproto) {
	case ALPROTO_DNS:
		if (tcp)
			CNT_INC(ac->cnt, APP_FLOW_DNS_TCP);
		else
			CNT_INC(ac->cnt, APP_FLOW_DNS_UDP);
		break;
	case ALPROTO_HTTP:
	case ALPROTO_HTTP1:
		CNT_INC(ac->cnt, APP_FLOW_HTTP);
		break;
	case ALPROTO_TLS:
		CNT_INC(ac->cnt, APP_FLOW_TLS);
		break;
	case ALPROTO_FAILED:
		if (tcp)
			CNT_INC(ac->cnt, APP_FLOW_FAILED_TCP);
		else
			CNT_INC(ac->cnt, APP_FLOW_FAILED_UDP);
		break;
	default:
		CNT_INC(ac->cnt, APP_FLOW_OTHER);
	}
}

static void drop_probe_buf(struct app_flow *af, int dir)
{
	free(af->pb[dir]);
	af->pb[dir] = NULL;
	af->pb_len[dir] = 0;
}

/* Both directions settled without a protocol: the flow is "failed". */
static void maybe_failed(struct app_ctx *ac, struct flow *f, struct app_flow *af, bool tcp)
{
	if (af->p || f->app_proto)
		return;
	for (int d = 0; d < 2; d++)
		if ((af->dflags[d] & AD_SEEN) && !(af->dflags[d] & AD_DONE))
			return;
	f->app_proto = ALPROTO_FAILED;
	count_flow(ac, ALPROTO_FAILED, tcp);
}

static void start_parser(struct app_ctx *ac, struct flow *f, struct app_flow *af,
			 const struct app_parser *p, int dir, bool tcp)
{
	struct app_call c = {ac, f};
	af->p = p;
	f->app_proto = p->alproto;
	count_flow(ac, p->alproto, tcp);
	af->state = calloc(1, p->state_size ? p->state_size : 1);
	if (!af->state) {
		CNT_INC(ac->cnt, APP_ALLOC_FAIL);
		af->dflags[0] |= AD_STOPPED;
		af->dflags[1] |= AD_STOPPED;
		return;
	}
	/* the server's port is known for another protocol (TLS on port 80);
	 * not after a protocol change, where the port was the first protocol's */
	uint16_t server_port = f->dp;
	for (size_t i = 0; i < N_PARSERS && !f->app_proto_orig; i++) {
		const struct app_parser *o = parsers[i];
		if (o != p && (tcp ? o->tcp : o->udp) && parser_port(o, server_port) &&
		    !parser_port(p, server_port)) {
			app_report_event(&c, dir, APP_EV_UNEXPECTED_PROTOCOL);
			break;
		}
	}
}

void app_change_protocol(const struct app_call *c)
{
	struct app_flow *af = c->f->app;
	if (af && !c->f->app_proto_orig)
		af->change = true; /* one change per flow, as Suricata */
}

static void drop_probe_buf(struct app_flow *af, int dir);

/* End the flow's parser (its last transactions are reported) and start over
 * with detection: the protocol changed. */
static void change_protocol(struct app_ctx *ac, struct flow *f, struct app_flow *af)
{
	struct app_call c = {ac, f};
	f->app_proto_orig = af->p->alproto; /* first: what the end reports asks no more */
	if (af->p->end)
		af->p->end(&c, af->state, ac->scratch[af->p->alproto]);
	af->change = false;
	free(af->state);
	af->state = NULL;
	f->app_proto = 0;
	af->p = NULL;
	for (int d = 0; d < 2; d++) {
		af->dflags[d] = 0;
		af->tries[d] = 0;
		drop_probe_buf(af, d);
	}
	CNT_INC(ac->cnt, APP_PROTO_CHANGES);
}

static void parse(struct app_ctx *ac, struct flow *f, struct app_flow *af, int dir, bool tcp,
		  const uint8_t *d, uint32_t len)
{
	if (!len || !af->state || (af->dflags[dir] & AD_STOPPED))
		return;
	struct app_call c = {ac, f};
	if (af->p->parse(&c, af->state, ac->scratch[af->p->alproto], tcp, dir, d, len) < 0) {
		af->dflags[dir] |= AD_STOPPED;
		CNT_INC(ac->cnt, APP_PARSE_ERRORS);
		app_report_event(&c, dir, APP_EV_PARSER_ERROR);
	}
	if (af->change)
		change_protocol(ac, f, af);
}

/* The other direction's first data, once the flow's protocol is known: a
 * different protocol there is a mismatch. */
static void check_other(struct app_ctx *ac, struct flow *f, struct app_flow *af, int dir,
			const uint8_t *d, uint32_t len, bool tcp)
{
	uint16_t sp = dir == 0 ? f->sp : f->dp, dp = dir == 0 ? f->dp : f->sp;
	af->dflags[dir] |= AD_DONE;
	if (af->p->probe(d, len, dir, tcp, sp, dp) != APP_PROBE_NO)
		return;
	const struct app_parser *o = NULL;
	if (probe_all(f, dir, d, len, tcp, &o) == APP_PROBE_YES && o != af->p) {
		struct app_call c = {ac, f};
		app_report_event(&c, dir, APP_EV_MISMATCH_BOTH_DIRECTIONS);
	}
}

static struct app_flow *flow_app(struct app_ctx *ac, struct flow *f)
{
	if (f->app)
		return f->app;
	f->app = calloc(1, sizeof(struct app_flow));
	if (!f->app)
		CNT_INC(ac->cnt, APP_ALLOC_FAIL);
	return f->app;
}

static void app_data(struct app_ctx *ac, struct flow *f, int dir, const uint8_t *d, uint32_t len,
		     bool tcp)
{
	if (!len || (dir != 0 && dir != 1))
		return;
	struct app_flow *af = flow_app(ac, f);
	if (!af)
		return;
	af->dflags[dir] |= AD_SEEN;
	if (af->dflags[dir] & AD_STOPPED)
		return;
	if (af->p) {
		if (!(af->dflags[dir] & AD_DONE))
			check_other(ac, f, af, dir, d, len, tcp);
		parse(ac, f, af, dir, tcp, d, len);
		return;
	}
	if (af->dflags[dir] & AD_DONE)
		return; /* this direction failed; the other may still decide */

	/* detection: the held bytes plus this chunk */
	const uint8_t *buf = d;
	uint32_t blen = len;
	bool fits = true;
	uint32_t take = len;
	if (af->pb[dir]) {
		uint32_t room = APP_PROBE_MAX - af->pb_len[dir];
		take = len < room ? len : room;
		memcpy(af->pb[dir] + af->pb_len[dir], d, take);
		af->pb_len[dir] = (uint16_t)(af->pb_len[dir] + take);
		fits = take == len;
		buf = af->pb[dir];
		blen = af->pb_len[dir];
	}
	const struct app_parser *p = NULL;
	int r = probe_all(f, dir, buf, blen, tcp, &p);
	if (r == APP_PROBE_MORE && tcp && fits && blen < APP_PROBE_MAX) {
		if (!af->pb[dir]) {
			af->pb[dir] = malloc(APP_PROBE_MAX);
			if (!af->pb[dir]) {
				CNT_INC(ac->cnt, APP_ALLOC_FAIL);
				af->dflags[dir] |= AD_DONE | AD_FAILED;
				maybe_failed(ac, f, af, tcp);
				return;
			}
			memcpy(af->pb[dir], d, len);
			af->pb_len[dir] = (uint16_t)len;
		}
		return;
	}
	if (r == APP_PROBE_YES) {
		af->dflags[dir] |= AD_DONE;
		start_parser(ac, f, af, p, dir, tcp);
		if (af->pb[dir]) {
			/* the held bytes (with the part of d that fitted), then the rest of d */
			uint8_t *held = af->pb[dir];
			af->pb[dir] = NULL;
			af->pb_len[dir] = 0;
			parse(ac, f, af, dir, tcp, held, blen);
			free(held);
			if (take < len)
				parse(ac, f, af, dir, tcp, d + take, len - take);
		} else {
			parse(ac, f, af, dir, tcp, d, len);
		}
		/* the other direction may have held bytes waiting: check and parse them */
		int o = 1 - dir;
		if (af->pb[o]) {
			uint8_t *held = af->pb[o];
			uint32_t hl = af->pb_len[o];
			af->pb[o] = NULL;
			af->pb_len[o] = 0;
			check_other(ac, f, af, o, held, hl, tcp);
			parse(ac, f, af, o, tcp, held, hl);
			free(held);
		}
		return;
	}
	/* no, or a probe still unsure at the cap */
	if (!tcp && ++af->tries[dir] < UDP_PROBE_TRIES)
		return; /* UDP: the next datagram may tell */
	af->dflags[dir] |= AD_DONE | AD_FAILED;
	drop_probe_buf(af, dir);
	maybe_failed(ac, f, af, tcp);
}

void app_stream_data(struct app_ctx *ac, struct flow *f, int dir, const uint8_t *d, uint32_t len)
{
	app_data(ac, f, dir, d, len, true);
}

void app_udp_data(struct app_ctx *ac, struct flow *f, int dir, const uint8_t *d, uint32_t len)
{
	app_data(ac, f, dir, d, len, false);
}

void app_stream_gap(struct app_ctx *ac, struct flow *f, int dir, uint64_t len)
{
	if (dir != 0 && dir != 1)
		return;
	struct app_flow *af = flow_app(ac, f);
	if (!af)
		return;
	CNT_INC(ac->cnt, APP_GAPS);
	af->dflags[dir] |= AD_SEEN;
	if (!af->p) {
		/* a hole before the protocol is known: give up on this direction */
		af->dflags[dir] |= AD_DONE | AD_FAILED;
		drop_probe_buf(af, dir);
		maybe_failed(ac, f, af, true);
		return;
	}
	if (af->dflags[dir] & AD_STOPPED)
		return;
	struct app_call c = {ac, f};
	if (af->p->gap && af->state)
		af->p->gap(&c, af->state, dir, len);
	else
		af->dflags[dir] |= AD_STOPPED;
}

void app_flow_end(struct app_ctx *ac, struct flow *f)
{
	struct app_flow *af = f->app;
	if (!af)
		return;
	bool tcp = f->proto == 6;
	/* bytes still held for a probe: offer them as they are */
	for (int d = 0; d < 2 && !af->p; d++) {
		if (!af->pb[d])
			continue;
		const struct app_parser *p = NULL;
		if (probe_all(f, d, af->pb[d], af->pb_len[d], tcp, &p) == APP_PROBE_YES) {
			uint8_t *held = af->pb[d];
			uint32_t hl = af->pb_len[d];
			af->pb[d] = NULL;
			af->dflags[d] |= AD_DONE;
			start_parser(ac, f, af, p, d, tcp);
			parse(ac, f, af, d, tcp, held, hl);
			free(held);
		} else {
			af->dflags[d] |= AD_DONE | AD_FAILED;
		}
	}
	if (!af->p) {
		for (int d = 0; d < 2; d++)
			if (af->dflags[d] & AD_SEEN)
				af->dflags[d] |= AD_DONE;
		maybe_failed(ac, f, af, tcp);
	}
	if (af->p && af->state) {
		struct app_call c = {ac, f};
		if (af->p->end)
			af->p->end(&c, af->state, ac->scratch[af->p->alproto]);
	}
	free(af->state);
	drop_probe_buf(af, 0);
	drop_probe_buf(af, 1);
	free(af);
	f->app = NULL;
}
