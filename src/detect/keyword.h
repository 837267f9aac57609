/*
 * keyword — the rule-keyword registry and what a keyword's setup function
 * may do to the rule being built.
 *
 * Each keyword (or a close family, such as content and its modifiers) lives
 * in one kw_*.c file that defines a `const struct kw_def kw_<name>`; one line
 * in keywords.def registers it. The parser looks keywords up by name and
 * calls `setup` with the option's value (unquoted where the keyword wants a
 * string). Setup returns 0, KW_ERR (a malformed value: the rule is an error)
 * or KW_UNSUPPORTED (a valid use mamori does not handle: the rule is skipped
 * with that reason), with the message in rc->err.
 */
#ifndef MAMORI_DETECT_KEYWORD_H
#define MAMORI_DETECT_KEYWORD_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/rule.h"

struct ruleset;
struct rule_ctx;

#define KW_OK	       0
#define KW_ERR	       (-1)
#define KW_UNSUPPORTED (-2)

/* kw_def.flags */
#define KWF_NOVALUE   0x0001 /* takes no value */
#define KWF_VALUE     0x0002 /* needs a value */
#define KWF_STRIP_Q   0x0004 /* strip surrounding quotes from the value */
#define KWF_STICKY    0x0008 /* selects a buffer */
#define KWF_MODIFIER  0x0010 /* modifies the previous content */
#define KWF_TRANSFORM 0x0020 /* transforms the current buffer */

struct packet;
struct flow;
struct detect_thread;
struct app_tx;

/* What packet-level matches see. */
struct det_pkt {
	const struct packet *p;
	struct flow *f;		 /* NULL when the packet joined no flow */
	struct detect_thread *t; /* the worker's detection state */
	/* the addresses the rule's header is checked against (for stream data,
	 * the flow's in the data's direction); NULL: the packet's */
	const uint8_t *src, *dst;
};

struct kw_def {
	const char *name;
	uint16_t flags;
	int (*setup)(struct rule_ctx *rc, const char *value);
	void (*free)(void *ctx);
	/* Packet-level keywords (in rule.pkt): does the packet match? */
	bool (*match)(const struct det_pkt *d, const void *ctx);
	/* Post-match actions (in rule.post) run when the rule matched: 0, or -1
	 * when the action could not be done (counted). NULL for the built-in
	 * ones (flowbits, flowint, thresholds). */
	int (*post)(const struct det_pkt *d, const void *ctx);
	/* App-layer transaction keywords (in rule.pkt; dns.rcode, tls.version
	 * ...): the protocol whose transactions they read, the progress level at
	 * which a rule in direction rdir (0, 1, -1 either) can check them, and
	 * the match on a transaction seen through data in direction dir. */
	uint16_t tx_alproto;
	uint8_t (*tx_level)(int rdir);
	bool (*tx_match)(const struct app_tx *tx, int dir, const void *ctx);
};

enum kw_id {
#define KW(name) KW_##name,
#include "detect/keywords.def"
#undef KW
	KW_MAX
};

const struct kw_def *kw_get(unsigned id);
/* Lookup by name (case-insensitive); -1 when unknown. */
int kw_lookup(const char *name);

/* What setup functions see while a rule is being parsed. */
struct rule_ctx {
	struct rule *r;
	struct ruleset *rs;
	int cur_buf;		   /* index in r->bufs of the sticky buffer; -1 = payload */
	struct sm_list *last_list; /* list holding the last content/pcre added */
	int last_idx;		   /* its index there, -1 = none */
	const char *kw_name;	   /* the keyword being set up, as written */
	char err[256];
	bool has_fast_pattern;
	bool stream_seen; /* a payload keyword that prefers the stream */
	char dir[512];	  /* rule_ctx_rule_dir's answer */
};

/* The list that content-like keywords append to (the current buffer). NULL on OOM/cap. */
struct sm_list *rule_ctx_buffer_list(struct rule_ctx *rc);
/* Select (or create) the buffer entry for buffer id `buf`; -1 when full. */
int rule_ctx_select_buffer(struct rule_ctx *rc, unsigned buf);
/* Add a packet-level match (rule.pkt). KW_OK, or KW_ERR with rc->err set
 * (ctx is then freed with the keyword's free function). */
int rule_ctx_add_pkt_sm(struct rule_ctx *rc, uint16_t kw, void *ctx);
/* Add to the current buffer's list and remember it as the last match. */
int rule_ctx_add_buffer_sm(struct rule_ctx *rc, uint16_t kw, void *ctx);
/* Check that app-layer buffer `buf` fits the rule's protocol, binding the
 * rule to that app-layer protocol. KW_OK, or a KW_* code with rc->err set. */
int rule_ctx_bind_buffer(struct rule_ctx *rc, unsigned buf);
/* The folder of the rule file being read ("." for a bare name), or NULL
 * when the rule comes from no file. */
const char *rule_ctx_rule_dir(struct rule_ctx *rc);
/* Bind the rule to app-layer protocol alproto for a transaction keyword.
 * KW_OK, or KW_ERR with rc->err set. */
int rule_ctx_bind_app(struct rule_ctx *rc, uint16_t alproto);
/* The most recent content (kw KW_content) in any list, or NULL. */
struct sm *rule_ctx_last_content(struct rule_ctx *rc);
/* The most recent sm of one of the given keywords in the current list, or NULL. */
struct sm *rule_ctx_last_in_list(struct rule_ctx *rc, const uint16_t *kws, unsigned n);

/* Set rc->err (printf-style); returns code. */
int kw_fail(struct rule_ctx *rc, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A packet-level number comparison (struct ucmp, see uintcmp.h) with values
 * up to max, added to rule.pkt as keyword kw. */
int kw_setup_ucmp(struct rule_ctx *rc, const char *v, uint64_t max, uint16_t kw);

/* For a `flags` match: TCP flags a packet must have, as (flags & mask) ==
 * want, when the form allows such a quick test (kw_tcp.c). */
bool flags_required(const void *ctx, uint8_t *mask, uint8_t *want);

/* "[!]N" with N from 0 to max (decimal or 0x hex). KW_OK, or KW_ERR with a message. */
int kw_parse_neg_num(struct rule_ctx *rc, const char *v, int64_t max, uint32_t *out, bool *neg);

/* Helpers for values. */
int kw_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);
/* Split at top-level commas (outside quotes) into at most n trimmed parts
 * written into buf; returns the count or -1 when there are more than n. */
int kw_split(const char *s, char *buf, size_t buflen, char **parts, int n);
char *kw_trim(char *s);

#endif
