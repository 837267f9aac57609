/*
 * parse — the Suricata rule language: header (action, protocol, addresses,
 * ports, direction) and options (`keyword[:value];`, with Suricata's
 * backslash escaping), dispatched to the keyword registry, sticky buffers
 * and legacy content modifiers; then the checks that need the whole rule
 * (sid present, protocol and buffers agree) and the fast-pattern choice.
 */
#ifndef MAMORI_DETECT_PARSE_H
#define MAMORI_DETECT_PARSE_H

#include "detect/rule.h"

struct ruleset;

struct rule_err {
	int code;     /* KW_ERR or KW_UNSUPPORTED */
	unsigned col; /* 1-based column in the rule text */
	char kw[40];  /* the keyword (or header part) concerned */
	char msg[256];
	char reason[128];    /* for KW_UNSUPPORTED: the counted reason ("keyword xbits") */
	const char *waiting; /* loaded but waiting for this buffer (name), or NULL */
};

/*
 * Parse one rule. Returns the rule (free with rule_free), or NULL with err
 * filled. rs supplies variables, classtypes and name tables.
 */
struct rule *rule_parse(struct ruleset *rs, const char *text, struct rule_err *err);

/* Action names, as in rules and EVE ("alert", "drop", ...). */
const char *rule_action_name(int action);

#endif
