/*
 * stix_pattern — the STIX patterning language (STIX 2.0 part 5, STIX 2.1
 * section 9), parsed for the STIX importer (imp_stix.c): every comparison
 * of a pattern with its object path, operator and values, and the shape
 * that joins them (AND, OR, FOLLOWEDBY, qualifiers). The importer keeps the
 * comparisons that name an indicator and says why it drops the others.
 *
 *   pattern      := obs-expr { (AND | OR | FOLLOWEDBY) obs-expr } (precedence
 *                   AND, then OR, then FOLLOWEDBY)
 *   obs-expr     := '[' comparisons ']' | '(' pattern ')', then qualifiers:
 *                   WITHIN n SECONDS, REPEATS n TIMES, START t'..' STOP t'..'
 *   comparisons  := test { (AND | OR) test }, parentheses group them
 *   test         := path [NOT] op value | path [NOT] IN '(' value, ... ')' |
 *                   EXISTS path;  op: = != <> < <= > >= LIKE MATCHES
 *                   ISSUBSET ISSUPERSET
 *   path         := object-type ':' name { '.' name | '[' n | '*' ']' }, a
 *                   name an identifier or a quoted string ('SHA-256')
 *   value        := 'string' (escapes \' and \\) | h'hex' | b'base64' |
 *                   t'time' | integer | float | true | false
 *
 * Keywords are read in any case. Bounded: STIX_PATTERN_LEN_MAX characters,
 * STIX_PATTERN_TERMS_MAX comparisons and values, STIX_PATTERN_DEPTH_MAX
 * levels of parentheses; past them the pattern does not parse.
 * Thread-safe: the pattern owns everything it points to.
 */
#ifndef MAMORI_INTEL_STIX_PATTERN_H
#define MAMORI_INTEL_STIX_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STIX_PATTERN_LEN_MAX   65536
#define STIX_PATTERN_TERMS_MAX 4096
#define STIX_PATTERN_DEPTH_MAX 64
#define STIX_PATH_MAX	       16 /* components of an object path */

enum stix_op {
	STIX_OP_EQ,
	STIX_OP_NEQ,
	STIX_OP_LT,
	STIX_OP_LE,
	STIX_OP_GT,
	STIX_OP_GE,
	STIX_OP_IN,
	STIX_OP_LIKE,
	STIX_OP_MATCHES,
	STIX_OP_ISSUBSET,
	STIX_OP_ISSUPERSET,
	STIX_OP_EXISTS,
};
/* "=", "!=", ..., "IN", "LIKE", ... */
const char *stix_op_name(enum stix_op op);

enum stix_lit {
	STIX_LIT_STRING, /* text unescaped */
	STIX_LIT_HEX,	 /* h'..': text is its hex digits */
	STIX_LIT_BINARY, /* b'..': text is its base64 */
	STIX_LIT_TIME,	 /* t'..': text is the time as written */
	STIX_LIT_INT,	 /* text as written */
	STIX_LIT_FLOAT,
	STIX_LIT_BOOL,
};

struct stix_literal {
	enum stix_lit type;
	const char *text; /* NUL-terminated; may hold a NUL before len (strings) */
	size_t len;
};

struct stix_comparison {
	const char *object;		 /* "file" */
	const char *comp[STIX_PATH_MAX]; /* "hashes", "SHA-256"; an index as "[*]", "[0]" */
	unsigned n_comp;
	uint32_t index_mask; /* bit i: comp[i] is an index */
	enum stix_op op;
	bool negated;	   /* NOT before the operator */
	uint32_t first, n; /* its values: lit[first..first+n); IN: the set; EXISTS: none */
};

#define STIX_PAT_AND	    1u /* comparisons or observations joined by AND */
#define STIX_PAT_OR	    2u
#define STIX_PAT_FOLLOWEDBY 4u
#define STIX_PAT_QUALIFIER  8u /* WITHIN, REPEATS or START/STOP */

struct stix_pattern {
	struct stix_comparison *cmp;
	uint32_t n_cmp;
	struct stix_literal *lit;
	uint32_t n_lit;
	unsigned flags; /* STIX_PAT_* */
	size_t err_at;	/* after a failed parse: the offset where it failed */
	/* internal */
	char *arena;
	size_t arena_len, arena_cap;
	uint32_t cap_cmp, cap_lit;
};

/* Parse text (len bytes, not NUL-terminated) into p (free with
 * stix_pattern_free, also after a failure). Returns 0, or -1 with a short
 * fixed message in err ("expected ']'", "unterminated string", ...) and the
 * offset in p->err_at; -2 out of memory. */
int stix_pattern_parse(struct stix_pattern *p, const char *text, size_t len, char *err,
		       size_t errlen);
void stix_pattern_free(struct stix_pattern *p);

#endif
