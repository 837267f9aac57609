/*
 * report_int — what the report renderers share (internal to src/incident/):
 * reading the incident document without trusting its shape, formatting
 * figures, and a writer that turns the same calls into Markdown or HTML, so
 * that both reports say the same thing.
 *
 * Every document text goes out through report_text (escaped for the output,
 * capped, URL schemes defanged); only text written by the renderers
 * themselves goes through report_lit and report_printf. None of this keeps
 * state between calls except the writer's own struct.
 */
#ifndef MAMORI_INCIDENT_REPORT_INT_H
#define MAMORI_INCIDENT_REPORT_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define REPORT_TEXT_MAX	 400   /* bytes of one document text shown; longer is cut with … */
#define REPORT_LABEL_MAX 120   /* bytes of a name, address or label shown */
#define REPORT_LIST_MAX	 12    /* items of a list named in one sentence or cell */
#define REPORT_ROWS_MAX	 10000 /* rows of one table; the rest is counted */
#define REPORT_WORD_MAX	 32    /* HTML table cells: characters between break opportunities */
#define REPORT_BUF	 64    /* enough for any figure the formatters write */

/* ---- reading the document (absent or the wrong type: NULL / false) ---- */

/* A member that is a non-empty string. */
const char *report_str(const json_t *o, const char *key);
/* A member that is a whole number >= 0 (an integer, or a real with no
 * fraction) below 2^63. */
bool report_u64(const json_t *o, const char *key, uint64_t *v);
/* A member that is a number. */
bool report_real(const json_t *o, const char *key, double *v);
/* A member that is an array / an object. */
const json_t *report_arr(const json_t *o, const char *key);
const json_t *report_obj(const json_t *o, const char *key);
/* A time: the member KEY_epoch (a number), else KEY parsed as RFC 3339
 * ("2024-01-15T09:12:00.000000+0000", "…Z", "…+00:00"), as Unix seconds. */
bool report_time(const json_t *o, const char *key, double *t);
/* The number of elements of an array member, 0 when it is not one. */
size_t report_len(const json_t *o, const char *key);

/* ---- formatting into b[REPORT_BUF]; each returns b ---- */

char *report_thousands(char *b, uint64_t v);	       /* "25,569,472" */
char *report_size(char *b, uint64_t v);		       /* "25.6 MB", "512 bytes" */
char *report_duration(char *b, double seconds);	       /* "1 hour 46 minutes" */
char *report_utc(char *b, double t);		       /* "2024-01-15 09:12:04" */
char *report_utc_short(char *b, double t, double ref); /* "09:12:04" on ref's day */

/* The place of an ATT&CK enterprise tactic id in the kill chain (0..13;
 * 99 when it is not one), and its name (NULL when it is not one). */
int report_tactic_rank(const char *id);
const char *report_tactic_name(const char *id);
/* The id of the tactic at a place in the kill chain, NULL past the last. */
const char *report_tactic_id(int rank);

/* ---- writing ---- */

enum report_fmt { REPORT_MD, REPORT_HTML };

struct report_out {
	FILE *f;
	enum report_fmt fmt;
	bool failed;	   /* memory ran out somewhere: the call returns -1 */
	const char *align; /* the open table's column alignments, 'l' or 'r' */
	unsigned col;	   /* the next cell's column */
	bool in_cell;	   /* HTML: long words get break opportunities (<wbr>) */
};

/* Text of the renderers' own, written as is. */
void report_lit(struct report_out *o, const char *s);
void report_printf(struct report_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Document text, escaped for the output (at most max bytes of it). */
void report_text(struct report_out *o, const char *s);
void report_textn(struct report_out *o, const char *s, size_t max);
/* A hash or other hex: as code when it is hex, else as text. */
void report_hex(struct report_out *o, const char *s);
/* Figures. */
void report_count(struct report_out *o, uint64_t v); /* 1,200 */
void report_bytes(struct report_out *o, uint64_t v); /* 25.6 MB (25,569,472 bytes) */
/* A time member in UTC, or the text as written when it is not a time;
 * nothing when absent. Returns whether something was written. */
bool report_when(struct report_out *o, const json_t *obj, const char *key);

/* Structure. anchor and title are the renderers' own text. */
void report_heading(struct report_out *o, int level, const char *anchor, const char *title);
void report_para_open(struct report_out *o);
void report_para_close(struct report_out *o);
void report_strong(struct report_out *o, bool open);
void report_list_open(struct report_out *o);
void report_item(struct report_out *o, bool open);
void report_list_close(struct report_out *o);
/* A line break inside a table cell or paragraph ("; " in Markdown). */
void report_br(struct report_out *o);
/* A coloured label: cls is one of the renderers' own class names. */
void report_badge(struct report_out *o, const char *cls, const char *label);
/* A table: heads[n] titles, align a string of n column kinds, 'l' (left),
 * 'r' (right: figures) or 't' (left, not wrapped: times); borrowed until
 * report_table_close. */
void report_table_open(struct report_out *o, const char *const *heads, const char *align);
void report_row(struct report_out *o, bool open);
void report_cell(struct report_out *o, bool open);
void report_table_close(struct report_out *o);
/* A note in small print (a paragraph of its own). */
void report_note_open(struct report_out *o);
void report_note_close(struct report_out *o);

/* ---- the report ---- */

/* Severity of the document as a class name for badges ("critical", "high",
 * "medium", "low", or "unknown"). */
const char *report_severity_class(const json_t *doc);
/* Everything after the title block: reasons, summary and the sections. */
void report_body(struct report_out *o, const json_t *doc);
/* The plain-words summary (paragraphs). */
void report_summary(struct report_out *o, const json_t *doc);
/* A timeline entry's kind in words ("Beacon"); nothing when NULL. */
void report_kind(struct report_out *o, const char *kind);
/* HTML only: the SVG timeline chart as a figure with its caption. */
void report_chart(struct report_out *o, const json_t *doc);
/* Flush out; -1 when a write failed or memory ran out. */
int report_finish(struct report_out *o);

#endif
