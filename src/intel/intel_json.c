/*
 * intel_json — helpers of the JSON intel importers (see intel_json.h).
 */
#include "intel/intel_json.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define HEAD_MAX 65536 /* what sniffing reads of a file */

/* Count what jansson would build, so that a hostile document is refused
 * before it is parsed: objects, values (every comma, colon and bracket
 * opens one at most) and the nesting depth. Strings are stepped over. */
static int precount(const uint8_t *d, size_t n, char *err, size_t errlen)
{
	uint64_t objects = 0, values = 0;
	unsigned depth = 0;
	for (size_t i = 0; i < n; i++) {
		switch (d[i]) {
		case '"':
			for (i++; i < n && d[i] != '"'; i++)
				if (d[i] == '\\')
					i++;
			break;
		case '{':
			objects++;
			/* fall through */
		case '[':
			values++;
			if (++depth > INTEL_JSON_DEPTH_MAX) {
				snprintf(err, errlen, "JSON nested deeper than %u levels",
					 INTEL_JSON_DEPTH_MAX);
				return -1;
			}
			break;
		case '}':
		case ']':
			if (depth)
				depth--;
			break;
		case ',':
		case ':':
			values++;
			break;
		default:
			break;
		}
	}
	if (objects > INTEL_JSON_OBJECTS_MAX || values > INTEL_JSON_VALUES_MAX) {
		snprintf(err, errlen, "JSON of more than %u objects or %u values (not loaded)",
			 INTEL_JSON_OBJECTS_MAX, INTEL_JSON_VALUES_MAX);
		return -1;
	}
	return 0;
}

json_t *intel_json_parse(const uint8_t *d, size_t n, char *err, size_t errlen)
{
	if (precount(d, n, err, errlen) < 0)
		return NULL;
	json_error_t je;
	json_t *root = json_loadb((const char *)d, n, 0, &je);
	if (!root)
		snprintf(err, errlen, "line %d, column %d: %s", je.line, je.column, je.text);
	return root;
}

/* ---- sniffing ---- */

static size_t ws(const uint8_t *d, size_t i, size_t n)
{
	while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
		i++;
	return i;
}

/* A string at d[i] == '"': copied (escapes kept as written, truncated) into
 * out; returns the index after its closing quote, or n. */
static size_t string_at(const uint8_t *d, size_t i, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (i++; i < n && d[i] != '"'; i++) {
		if (d[i] == '\\' && i + 1 < n) {
			i++;
			if (d[i] != '"' && d[i] != '\\' && d[i] != '/' && o + 1 < cap)
				out[o++] = '\\';
		}
		if (o + 1 < cap)
			out[o++] = (char)d[i];
	}
	out[o] = '\0';
	return i < n ? i + 1 : n;
}

/* Step over one value at d[i]; returns the index after it, or n. */
static size_t skip_value(const uint8_t *d, size_t i, size_t n)
{
	char tmp[2];
	if (i < n && d[i] == '"')
		return string_at(d, i, n, tmp, sizeof(tmp));
	if (i < n && (d[i] == '{' || d[i] == '[')) {
		unsigned depth = 0;
		for (; i < n; i++) {
			if (d[i] == '"') {
				i = string_at(d, i, n, tmp, sizeof(tmp)) - 1;
			} else if (d[i] == '{' || d[i] == '[') {
				depth++;
			} else if (d[i] == '}' || d[i] == ']') {
				if (--depth == 0)
					return i + 1;
			}
		}
		return n;
	}
	while (i < n && d[i] != ',' && d[i] != '}' && d[i] != ']')
		i++;
	return i;
}

size_t intel_json_head(const uint8_t *d, size_t n, struct intel_json_member *m, size_t max,
		       bool *array)
{
	size_t i = 0, k = 0;
	if (n > HEAD_MAX)
		n = HEAD_MAX;
	*array = false;
	if (n >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf)
		i = 3; /* a UTF-8 byte order mark */
	i = ws(d, i, n);
	if (i < n && d[i] == '[') {
		*array = true;
		i = ws(d, i + 1, n);
	}
	if (i >= n || d[i] != '{')
		return 0;
	i = ws(d, i + 1, n);
	while (k < max && i < n && d[i] == '"') {
		struct intel_json_member *e = &m[k];
		i = ws(d, string_at(d, i, n, e->key, sizeof(e->key)), n);
		if (i >= n || d[i] != ':')
			break;
		i = ws(d, i + 1, n);
		if (i >= n)
			break;
		e->str[0] = '\0';
		if (d[i] == '"') {
			e->kind = 's';
			i = string_at(d, i, n, e->str, sizeof(e->str));
		} else {
			e->kind = d[i] == '{' || d[i] == '[' ? (char)d[i] : '-';
			i = skip_value(d, i, n);
		}
		k++;
		i = ws(d, i, n);
		if (i >= n || d[i] != ',')
			break;
		i = ws(d, i + 1, n);
	}
	return k;
}

const struct intel_json_member *intel_json_member(const struct intel_json_member *m, size_t n,
						  const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(m[i].key, key))
			return &m[i];
	return NULL;
}

/* ---- values ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* n decimal digits at s; -1 when they are not */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool intel_json_time(const char *s, int64_t *t)
{
	static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (!s || strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return false;
	int y = digits(s, 4), mo = digits(s + 5, 2), da = digits(s + 8, 2), h = 0, mi = 0, se = 0;
	if (y < 1 || mo < 1 || mo > 12 || da < 1 || (unsigned)da > mdays[mo - 1])
		return false;
	if (mo == 2 && da == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	const char *p = s + 10;
	int64_t off = 0;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (strlen(p) < 9 || p[3] != ':' || p[6] != ':')
			return false;
		h = digits(p + 1, 2);
		mi = digits(p + 4, 2);
		se = digits(p + 7, 2);
		if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
			return false;
		p += 9;
		if (*p == '.') {
			p++;
			if (*p < '0' || *p > '9')
				return false;
			while (*p >= '0' && *p <= '9')
				p++;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1, oh = digits(p + 1, 2), om = -1;
			size_t len = 0;
			if (oh >= 0 && p[3] == ':')
				om = digits(p + 4, 2), len = 6;
			else if (oh >= 0)
				om = digits(p + 3, 2), len = 5;
			if (oh > 23 || om < 0 || om > 59)
				return false;
			off = sign * ((int64_t)oh * 3600 + om * 60);
			p += len;
		}
	}
	if (*p)
		return false;
	*t = days_from_civil(y, (unsigned)mo, (unsigned)da) * 86400 + h * 3600 + mi * 60 + se - off;
	return true;
}

enum ioc_tlp intel_json_tlp(const char *s)
{
	static const struct {
		const char *name;
		enum ioc_tlp tlp;
	} names[] = {
	    {"clear", TLP_CLEAR},
	    {"white", TLP_CLEAR},
	    {"green", TLP_GREEN},
	    {"amber", TLP_AMBER},
	    {"amber+strict", TLP_AMBER_STRICT},
	    {"red", TLP_RED},
	};
	if (!s)
		return TLP_NONE;
	if (!strncasecmp(s, "tlp:", 4))
		s += 4;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(s, names[i].name))
			return names[i].tlp;
	return TLP_NONE;
}

enum ioc_tlp intel_json_tlp_max(enum ioc_tlp a, enum ioc_tlp b)
{
	return a > b ? a : b; /* the enum is in order of restriction */
}

const char *intel_json_str(const json_t *o, const char *key)
{
	return json_is_object(o) ? json_string_value(json_object_get(o, key)) : NULL;
}

bool intel_json_flag(const json_t *v)
{
	if (json_is_true(v))
		return true;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	const char *s = json_string_value(v);
	return s && (!strcmp(s, "1") || !strcasecmp(s, "true"));
}

char *intel_json_printable(char *dst, size_t cap, const char *s)
{
	size_t o = 0, len = s ? strlen(s) : 0;
	if (!cap)
		return dst;
	for (size_t i = 0; i < len && o + 1 < cap; i++) {
		if (len >= cap && o + 4 == cap) {
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		unsigned char c = (unsigned char)s[i];
		dst[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[o] = '\0';
	return dst;
}
