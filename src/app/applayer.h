/*
 * applayer — application-layer protocol detection and the parsers' frame.
 *
 * Each direction of a flow is identified by its content, not by its port:
 * the first bytes a direction carries (reassembled TCP data, or a UDP
 * datagram) are offered to every registered parser's probe (parsers.def),
 * buffering up to APP_PROBE_MAX bytes while a probe needs more. The first
 * direction identified sets the flow's app_proto; the other direction is
 * checked against it (a different protocol there is a mismatch event).
 * When neither direction can be identified the flow's app_proto is
 * "failed", as in Suricata.
 *
 * A parser turns the data into transactions. Each time a transaction
 * reaches a progress level (DNS: 1 request, 2 response; HTTP: request line,
 * headers, body ...), the parser reports it through the sink, which runs
 * detection on the transaction's buffers and writes its EVE record. Levels
 * are reported once each, in order, so a rule bound to a level is inspected
 * once per transaction.
 *
 * Per-flow state hangs off flow.app and is freed when the flow ends (after
 * the parser has flushed what it holds). One app_ctx per worker thread; not
 * thread-safe.
 */
#ifndef MAMORI_APP_APPLAYER_H
#define MAMORI_APP_APPLAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/alproto.h"
#include "core/config.h"
#include "core/counters.h"

struct flow;
struct app_yara;
struct app_store;
struct app_file;

#define APP_PROBE_MAX 512 /* bytes held per direction while a probe needs more */
#define APP_MAX_LEVEL 7	  /* progress levels per protocol (1..7) */

/* Levels with a meaning of their own, beyond a protocol's progress levels:
 * "write the transaction's record now", and "file of direction d closed"
 * (APP_LEVEL_FILE + d). Detection has no rules at these levels. */
#define APP_LEVEL_LOG  0
#define APP_LEVEL_FILE 0x40

/* A transaction as parsers hand it out: `data` is the parser's own view,
 * read through the parser's buffer function. Borrowed for the call. */
struct app_tx {
	uint16_t alproto;
	uint64_t id; /* tx_id: 0, 1, ... in the flow */
	const void *data;
};

/* App-layer events (Suricata's names), raised on a flow. */
enum app_event {
	APP_EV_MISMATCH_BOTH_DIRECTIONS, /* each direction looks like another protocol */
	APP_EV_UNEXPECTED_PROTOCOL,	 /* not the protocol the server port is known for */
	APP_EV_WRONG_DIRECTION_FIRST,	 /* the server spoke first where the client should */
	APP_EV_PARSER_ERROR,		 /* the parser gave up on a direction */
	APP_EV_MAX
};

const char *app_event_name(enum app_event ev);

/* Where the app layer's results go. */
struct app_sink {
	/* tx reached progress `level` through data flowing in direction dir */
	void (*tx)(void *ctx, struct flow *f, const struct app_tx *tx, int dir, uint8_t level);
	void (*event)(void *ctx, struct flow *f, int dir, uint16_t alproto, enum app_event ev);
	void *ctx;
};

struct app_ctx;

/* Probe results */
#define APP_PROBE_NO   0
#define APP_PROBE_YES  1
#define APP_PROBE_MORE 2

/* What a parser's functions are given: to report transactions and events. */
struct app_call {
	struct app_ctx *ac;
	struct flow *f;
};

/*
 * One application-layer parser: one file in app/ and one line in
 * parsers.def. Every function reads wire bytes only through the
 * bounds-checked reader; a malformed message becomes an event or counter.
 */
struct app_parser {
	uint16_t alproto;
	bool tcp, udp;
	uint16_t ports[6]; /* the ports the protocol is known for (0 ends) */
	/* Does this data (the first bytes of direction dir: 0 to server) look
	 * like the protocol? APP_PROBE_*. */
	int (*probe)(const uint8_t *d, uint32_t len, int dir, bool tcp, uint16_t sp, uint16_t dp);
	/* per-flow state: allocated zeroed with state_size bytes */
	size_t state_size;
	/* per-worker scratch, allocated zeroed (0 = none), and what frees what
	 * it points to (NULL: nothing) */
	size_t scratch_size;
	void (*scratch_free)(void *scratch);
	/* Data of direction dir, in order (for UDP one datagram per call).
	 * Returns 0, or -1 when the direction cannot be parsed any more. */
	int (*parse)(const struct app_call *c, void *state, void *scratch, bool tcp, int dir,
		     const uint8_t *d, uint32_t len);
	/* A gap of len bytes in direction dir (TCP); NULL: the direction stops. */
	void (*gap)(const struct app_call *c, void *state, int dir, uint64_t len);
	/* The flow ends: report what is still open, free what state points to. */
	void (*end)(const struct app_call *c, void *state, void *scratch);
	/* Buffer `buf` (see detect/buffers.def) of a transaction, seen from data in
	 * direction dir; idx selects the instance of a multi-buffer (0, 1 ...).
	 * True with *p and *len set, false when absent. */
	bool (*buffer)(const void *txdata, unsigned buf, int dir, uint32_t idx, const uint8_t **p,
		       uint32_t *len);
	/* Progress level at which a rule in direction rdir (0 to server, 1 to
	 * client, -1 either) may inspect buffer buf; 0 when the protocol does
	 * not have it. */
	uint8_t (*buffer_level)(unsigned buf, int rdir);
	/* The file a transaction carries in direction dir, or NULL (NULL
	 * function: the protocol carries none). */
	const struct app_file *(*file)(const void *txdata, int dir);
	/* Level at which the file of direction dir is whole (0: none). */
	uint8_t file_level[2];
	/* Direction of the data that completes each level (index 1..APP_MAX_LEVEL). */
	int8_t level_dir[APP_MAX_LEVEL + 1];
};

/* The registered parser of a protocol, or NULL. */
const struct app_parser *app_parser_for(uint16_t alproto);

struct app_ctx {
	const struct config *cfg;
	struct counters *cnt;
	struct app_sink sink;
	void *scratch[ALPROTO_MAX];
	void *magic; /* libmagic handle for file types, opened on first use */
	bool want_magic; /* name file types (file.magic, or a rule uses filemagic) */
	const struct app_yara *yara; /* YARA rules for files (shared), or NULL */
	struct app_store *store;     /* the file store (shared), or NULL */
};

int app_ctx_init(struct app_ctx *ac, const struct config *cfg, struct counters *cnt);
void app_ctx_free(struct app_ctx *ac);
void app_ctx_set_sink(struct app_ctx *ac, const struct app_sink *sink);

/* Reassembled TCP data of flow f in direction dir (in order). */
void app_stream_data(struct app_ctx *ac, struct flow *f, int dir, const uint8_t *d, uint32_t len);
void app_stream_gap(struct app_ctx *ac, struct flow *f, int dir, uint64_t len);
/* One UDP datagram's payload. */
void app_udp_data(struct app_ctx *ac, struct flow *f, int dir, const uint8_t *d, uint32_t len);
/* Flow end: flush the parser and free the flow's app state. */
void app_flow_end(struct app_ctx *ac, struct flow *f);

/* For parsers: report a transaction's progress, or an event. */
void app_report_tx(const struct app_call *c, const struct app_tx *tx, int dir, uint8_t level);
void app_report_event(const struct app_call *c, int dir, enum app_event ev);

/* The flow's protocol ends here and another starts (an HTTP CONNECT tunnel
 * was accepted): once the parser returns, it is ended and both directions'
 * later data goes through protocol detection again. */
void app_change_protocol(const struct app_call *c);

#endif
