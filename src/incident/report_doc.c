/*
 * report_doc — reading the incident document without trusting its shape,
 * formatting figures and times, and the writer that emits the same
 * structure as Markdown or HTML (see report_int.h).
 */
#include "incident/report_int.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "store/store_util.h"

/* ---- reading ---- */

const char *report_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_is_object(o) ? json_object_get(o, key) : NULL);
	return s && *s ? s : NULL;
}

bool report_u64(const json_t *o, const char *key, uint64_t *v)
{
	const json_t *j = json_is_object(o) ? json_object_get(o, key) : NULL;
	if (json_is_integer(j)) {
		json_int_t i = json_integer_value(j);
		if (i < 0)
			return false;
		*v = (uint64_t)i;
		return true;
	}
	if (json_is_real(j)) {
		double d = json_real_value(j);
		if (!(d >= 0 && d < 9.2e18) || d != floor(d))
			return false;
		*v = (uint64_t)d;
		return true;
	}
	return false;
}

bool report_real(const json_t *o, const char *key, double *v)
{
	const json_t *j = json_is_object(o) ? json_object_get(o, key) : NULL;
	if (!json_is_number(j))
		return false;
	double d = json_number_value(j);
	if (!isfinite(d))
		return false;
	*v = d;
	return true;
}

const json_t *report_arr(const json_t *o, const char *key)
{
	const json_t *j = json_is_object(o) ? json_object_get(o, key) : NULL;
	return json_is_array(j) ? j : NULL;
}

const json_t *report_obj(const json_t *o, const char *key)
{
	const json_t *j = json_is_object(o) ? json_object_get(o, key) : NULL;
	return json_is_object(j) ? j : NULL;
}

size_t report_len(const json_t *o, const char *key)
{
	return json_array_size(report_arr(o, key));
}

bool report_time(const json_t *o, const char *key, double *t)
{
	char k[64];
	if (snprintf(k, sizeof(k), "%s_epoch", key) < (int)sizeof(k) && report_real(o, k, t) &&
	    *t > -1e11 && *t < 1e11)
		return true;
	const char *s = report_str(o, key);
	int64_t us;
	if (!s || store_parse_rfc3339(s, &us) < 0)
		return false;
	*t = (double)us / 1e6;
	return true;
}

/* ---- formatting ---- */

char *report_thousands(char *b, uint64_t v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);
	size_t o = 0;
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			b[o++] = ',';
		b[o++] = tmp[i];
	}
	b[o] = '\0';
	return b;
}

char *report_size(char *b, uint64_t v)
{
	static const char *const unit[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
	if (v < 1000) {
		snprintf(b, REPORT_BUF, "%llu byte%s", (unsigned long long)v, v == 1 ? "" : "s");
		return b;
	}
	double x = (double)v / 1000;
	unsigned u = 0;
	while (x >= 999.95 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		x /= 1000;
		u++;
	}
	snprintf(b, REPORT_BUF, "%.1f %s", x, unit[u]);
	return b;
}

static size_t part(char *b, size_t o, uint64_t n, const char *what)
{
	if (!n || o >= REPORT_BUF)
		return o;
	int w = snprintf(b + o, REPORT_BUF - o, "%s%llu %s%s", o ? " " : "", (unsigned long long)n,
			 what, n == 1 ? "" : "s");
	return w > 0 ? o + (size_t)w : o;
}

char *report_duration(char *b, double seconds)
{
	if (!(seconds >= 0) || seconds > 1e11)
		seconds = 0;
	uint64_t s = (uint64_t)seconds;
	if (s < 60) {
		snprintf(b, REPORT_BUF, "%llu second%s", (unsigned long long)s, s == 1 ? "" : "s");
		return b;
	}
	uint64_t d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;
	size_t o = 0;
	b[0] = '\0';
	o = part(b, o, d, "day");
	o = part(b, o, h, "hour");
	if (d < 7)
		part(b, o, m, "minute");
	return b;
}

char *report_utc(char *b, double t)
{
	if (!(t > -1e11 && t < 1e11)) {
		snprintf(b, REPORT_BUF, "(no time)");
		return b;
	}
	time_t tt = (time_t)floor(t);
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(b, REPORT_BUF, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(b, REPORT_BUF, "%.0f", t);
	return b;
}

char *report_utc_short(char *b, double t, double ref)
{
	if (!(t > -1e11 && t < 1e11) || floor(t / 86400) != floor(ref / 86400))
		return report_utc(b, t);
	time_t tt = (time_t)floor(t);
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(b, REPORT_BUF, "%H:%M:%S", &tm))
		snprintf(b, REPORT_BUF, "%.0f", t);
	return b;
}

/* The enterprise matrix's tactics, in kill-chain order. */
static const struct {
	const char *id, *name;
} tactics[] = {
    {"TA0043", "Reconnaissance"},  {"TA0042", "Resource Development"},
    {"TA0001", "Initial Access"},  {"TA0002", "Execution"},
    {"TA0003", "Persistence"},	   {"TA0004", "Privilege Escalation"},
    {"TA0005", "Defense Evasion"}, {"TA0006", "Credential Access"},
    {"TA0007", "Discovery"},	   {"TA0008", "Lateral Movement"},
    {"TA0009", "Collection"},	   {"TA0011", "Command and Control"},
    {"TA0010", "Exfiltration"},	   {"TA0040", "Impact"},
};

int report_tactic_rank(const char *id)
{
	for (int i = 0; id && i < (int)(sizeof(tactics) / sizeof(tactics[0])); i++)
		if (!strcmp(id, tactics[i].id))
			return i;
	return 99;
}

const char *report_tactic_id(int rank)
{
	return rank >= 0 && rank < (int)(sizeof(tactics) / sizeof(tactics[0])) ? tactics[rank].id
									       : NULL;
}

const char *report_tactic_name(const char *id)
{
	int r = report_tactic_rank(id);
	return r < 99 ? tactics[r].name : NULL;
}

/* ---- writing ---- */

void report_lit(struct report_out *o, const char *s)
{
	fputs(s, o->f);
}

void report_printf(struct report_out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
}

/* One UTF-8 character at s[0..n): its code point and length; an invalid
 * byte reads as U+FFFD of length 1. */
static size_t utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len = s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (len == 0 || len > n)
		goto bad;
	uint32_t c = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c < 0xe000))
		goto bad;
	*cp = c;
	return len;
bad:
	*cp = 0xfffd;
	return 1;
}

/* Characters that could reorder or hide text around them: shown as U+FFFD. */
static bool bidi_control(uint32_t c)
{
	return c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

void report_textn(struct report_out *o, const char *s, size_t max)
{
	if (!s)
		return;
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, run = 0;
	while (i < n) {
		/* a table column is as wide as its longest word: none is
		 * longer than REPORT_WORD_MAX characters */
		if (o->in_cell && run >= REPORT_WORD_MAX) {
			fputs("<wbr>", o->f);
			run = 0;
		}
		if (i >= max) {
			fputs("…", o->f);
			return;
		}
		/* defanged: no reader or renderer takes it for a link */
		if ((p[i] | 0x20) == 'h' && !strncasecmp((const char *)p + i, "http", 4) &&
		    (!strncmp((const char *)p + i + 4, "://", 3) ||
		     !strncasecmp((const char *)p + i + 4, "s://", 4))) {
			fputs("hxxp", o->f);
			i += 4;
			continue;
		}
		if ((p[i] | 0x20) == 'f' && !strncasecmp((const char *)p + i, "ftp://", 6)) {
			fputs("fxp", o->f);
			i += 3;
			continue;
		}
		uint32_t c;
		size_t len = utf8(p + i, n - i, &c);
		run = c == ' ' || c < 0x20 ? 0 : run + 1;
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 ||
		    c == 0x2029) {
			fputc(' ', o->f);
		} else if (c == 0xfffd || bidi_control(c)) {
			fputs("\xef\xbf\xbd", o->f);
		} else if (c >= 0x80) {
			fwrite(p + i, 1, len, o->f);
		} else if (o->fmt == REPORT_HTML) {
			switch (c) {
			case '&':
				fputs("&amp;", o->f);
				break;
			case '<':
				fputs("&lt;", o->f);
				break;
			case '>':
				fputs("&gt;", o->f);
				break;
			case '"':
				fputs("&quot;", o->f);
				break;
			case '\'':
				fputs("&#39;", o->f);
				break;
			default:
				fputc((int)c, o->f);
			}
		} else {
			/* Markdown: every character that can open markup (emphasis,
			 * code, links, raw HTML, entities, headings, table cells) */
			if (strchr("\\`*_[]<>|#~&", (int)c))
				fputc('\\', o->f);
			fputc((int)c, o->f);
		}
		i += len;
	}
}

void report_text(struct report_out *o, const char *s)
{
	report_textn(o, s, REPORT_TEXT_MAX);
}

void report_hex(struct report_out *o, const char *s)
{
	if (!s)
		return;
	size_t n = strspn(s, "0123456789abcdefABCDEF");
	if (n == 0 || s[n] != '\0' || n > 128) {
		report_text(o, s);
		return;
	}
	report_lit(o, o->fmt == REPORT_HTML ? "<code>" : "`");
	report_lit(o, s);
	report_lit(o, o->fmt == REPORT_HTML ? "</code>" : "`");
}

void report_count(struct report_out *o, uint64_t v)
{
	char b[REPORT_BUF];
	report_lit(o, report_thousands(b, v));
}

void report_bytes(struct report_out *o, uint64_t v)
{
	char a[REPORT_BUF], b[REPORT_BUF];
	if (v < 1000)
		report_lit(o, report_size(a, v));
	else
		report_printf(o, "%s (%s bytes)", report_size(a, v), report_thousands(b, v));
}

bool report_when(struct report_out *o, const json_t *obj, const char *key)
{
	char b[REPORT_BUF];
	double t;
	if (report_time(obj, key, &t)) {
		report_lit(o, report_utc(b, t));
		return true;
	}
	const char *s = report_str(obj, key);
	if (s)
		report_textn(o, s, 40);
	return s != NULL;
}

/* ---- structure ---- */

void report_heading(struct report_out *o, int level, const char *anchor, const char *title)
{
	if (o->fmt == REPORT_HTML) {
		if (anchor)
			report_printf(o, "<h%d id=\"%s\">%s</h%d>\n", level, anchor, title, level);
		else
			report_printf(o, "<h%d>%s</h%d>\n", level, title, level);
	} else {
		report_printf(o, "%.*s %s\n\n", level, "######", title);
	}
}

void report_para_open(struct report_out *o)
{
	if (o->fmt == REPORT_HTML)
		report_lit(o, "<p>");
}

void report_para_close(struct report_out *o)
{
	report_lit(o, o->fmt == REPORT_HTML ? "</p>\n" : "\n\n");
}

void report_note_open(struct report_out *o)
{
	report_lit(o, o->fmt == REPORT_HTML ? "<p class=\"note\">" : "_");
}

void report_note_close(struct report_out *o)
{
	report_lit(o, o->fmt == REPORT_HTML ? "</p>\n" : "_\n\n");
}

void report_strong(struct report_out *o, bool open)
{
	if (o->fmt == REPORT_HTML)
		report_lit(o, open ? "<strong>" : "</strong>");
	else
		report_lit(o, "**");
}

void report_list_open(struct report_out *o)
{
	if (o->fmt == REPORT_HTML)
		report_lit(o, "<ul>\n");
}

void report_item(struct report_out *o, bool open)
{
	if (o->fmt == REPORT_HTML)
		report_lit(o, open ? "<li>" : "</li>\n");
	else
		report_lit(o, open ? "- " : "\n");
}

void report_list_close(struct report_out *o)
{
	report_lit(o, o->fmt == REPORT_HTML ? "</ul>\n" : "\n");
}

void report_br(struct report_out *o)
{
	report_lit(o, o->fmt == REPORT_HTML ? "<br>" : "; ");
}

void report_badge(struct report_out *o, const char *cls, const char *label)
{
	if (o->fmt == REPORT_HTML)
		report_printf(o, "<span class=\"badge %s\">%s</span>", cls, label);
	else
		report_printf(o, "**%s**", label);
}

void report_table_open(struct report_out *o, const char *const *heads, const char *align)
{
	size_t n = strlen(align);
	o->align = align;
	o->col = 0;
	if (o->fmt == REPORT_HTML) {
		report_lit(o, n <= 3 ? "<div class=\"tw\"><table class=\"fit\">\n<thead><tr>"
				     : "<div class=\"tw\"><table>\n<thead><tr>");
		for (size_t i = 0; i < n; i++)
			report_printf(o, "<th%s>%s</th>", align[i] == 'r' ? " class=\"r\"" : "",
				      heads[i]);
		report_lit(o, "</tr></thead>\n<tbody>\n");
		return;
	}
	report_lit(o, "|");
	for (size_t i = 0; i < n; i++)
		report_printf(o, " %s |", heads[i]);
	report_lit(o, "\n|");
	for (size_t i = 0; i < n; i++)
		report_lit(o, align[i] == 'r' ? " ---: |" : " --- |");
	report_lit(o, "\n");
}

void report_row(struct report_out *o, bool open)
{
	if (open) {
		o->col = 0;
		report_lit(o, o->fmt == REPORT_HTML ? "<tr>" : "|");
		return;
	}
	/* cells not written are empty: a row is never short */
	size_t n = o->align ? strlen(o->align) : 0;
	while (o->col < n) {
		report_cell(o, true);
		report_cell(o, false);
	}
	report_lit(o, o->fmt == REPORT_HTML ? "</tr>\n" : "\n");
}

void report_cell(struct report_out *o, bool open)
{
	if (o->fmt == REPORT_HTML) {
		char a = o->align && o->col < strlen(o->align) ? o->align[o->col] : 'l';
		if (open)
			report_lit(o, a == 'r'	 ? "<td class=\"r\">"
				      : a == 't' ? "<td class=\"t\">"
						 : "<td>");
		else
			report_lit(o, "</td>");
	} else {
		report_lit(o, open ? " " : " |");
	}
	o->in_cell = open && o->fmt == REPORT_HTML;
	if (!open)
		o->col++;
}

void report_table_close(struct report_out *o)
{
	report_lit(o, o->fmt == REPORT_HTML ? "</tbody>\n</table></div>\n" : "\n");
	o->align = NULL;
}

int report_finish(struct report_out *o)
{
	if (fflush(o->f) != 0 || ferror(o->f) || o->failed)
		return -1;
	return 0;
}
