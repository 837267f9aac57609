/*
 * imp_list — plain indicator lists: one value per line, its type guessed
 * (ioc_guess_type): addresses and CIDRs, hashes by length, JA4, URLs, e-mail
 * addresses, domains ("*.example.com" or ".example.com": the name and every
 * name below it). Blank lines and lines starting with '#' or ';' are
 * comments; a value ends at the first space, tab, comma or semicolon, so
 * "value,note", "value;note" (LOKI's IOC files) and "value  # note" lines
 * work. Lines that hold no recognisable value are
 * counted as skipped with their first line number. A file that starts with
 * '{' or '[' is JSON, not a list.
 */
#include <stdio.h>
#include <string.h>

#include "intel/import.h"

static bool list_sniff(const char *path, const uint8_t *d, size_t n)
{
	(void)path;
	/* JSON that no JSON importer took is not a list either */
	size_t j = 0;
	while (j < n && (d[j] == ' ' || d[j] == '\t' || d[j] == '\r' || d[j] == '\n'))
		j++;
	if (j < n && (d[j] == '{' || d[j] == '['))
		return false;
	/* text: no NUL and no other control bytes than tab, CR, LF in the head */
	for (size_t i = 0; i < n && i < 4096; i++)
		if (d[i] < 0x20 && d[i] != '\t' && d[i] != '\r' && d[i] != '\n')
			return false;
	return true;
}

/* "192.0.2.1:8080": an IPv4 address with a port (maltrail writes these) */
static bool endpoint(const char *v, size_t len)
{
	const char *colon = memchr(v, ':', len);
	enum ioc_type t;
	size_t skip;
	if (!colon || colon + 1 == v + len)
		return false;
	for (const char *p = colon + 1; p < v + len; p++)
		if (*p < '0' || *p > '9')
			return false;
	return ioc_guess_type(v, (size_t)(colon - v), &t, &skip) && t == IOC_IPV4;
}

static int list_load(struct ioc_set *s, const uint8_t *d, size_t n, const struct ioc_meta *defaults,
		     struct ioc_report *r, char *err, size_t errlen)
{
	uint32_t meta = ioc_meta_add(s, defaults);
	if (meta == UINT32_MAX) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const char *p = (const char *)d, *end = p + n;
	uint64_t line = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		line++;
		const char *v = p;
		p = eol + 1;
		while (v < eol && (*v == ' ' || *v == '\t' || *v == '\r'))
			v++;
		if (v == eol || *v == '#' || *v == ';')
			continue;
		const char *ve = v;
		while (ve < eol && *ve != ' ' && *ve != '\t' && *ve != ',' && *ve != ';' &&
		       *ve != '\r')
			ve++;
		enum ioc_type t;
		size_t skip;
		if (!ioc_guess_type(v, (size_t)(ve - v), &t, &skip)) {
			ioc_report_skip(
			    r,
			    endpoint(v, (size_t)(ve - v))
				? "an address with a port (endpoint indicators are not kept)"
				: "not a recognisable indicator",
			    line);
			continue;
		}
		if (ioc_report_add_line(s, r, t, v + skip, (size_t)(ve - v) - skip, meta,
					"not a valid value of its type", line, err, errlen) < 0)
			return -1;
	}
	return 0;
}

const struct ioc_importer ioc_import_list = {
    .name = "list",
    .sniff = list_sniff,
    .load = list_load,
};
