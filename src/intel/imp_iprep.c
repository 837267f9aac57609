/*
 * imp_iprep — Suricata IP reputation files: "address[/len],category,score"
 * per line (score 0-127), '#' comments. Each category of a file becomes an
 * attribution (source "FILE category N", confidence the score scaled to
 * 0-100); the categories file that names the numbers is Suricata's and is
 * not needed to load the addresses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel/import.h"

/* "addr,cat,score": the address part, category and score; false otherwise */
static bool parse_line(const char *v, size_t len, size_t *alen, unsigned *cat, unsigned *score)
{
	const char *c1 = memchr(v, ',', len);
	if (!c1)
		return false;
	const char *c2 = memchr(c1 + 1, ',', len - (size_t)(c1 + 1 - v));
	if (!c2)
		return false;
	unsigned vals[2] = {0, 0};
	const char *parts[2][2] = {{c1 + 1, c2}, {c2 + 1, v + len}};
	for (int k = 0; k < 2; k++) {
		const char *p = parts[k][0], *e = parts[k][1];
		while (e > p && (e[-1] == ' ' || e[-1] == '\r' || e[-1] == '\t'))
			e--;
		if (p == e || e - p > 3)
			return false;
		for (; p < e; p++) {
			if (*p < '0' || *p > '9')
				return false;
			vals[k] = vals[k] * 10 + (unsigned)(*p - '0');
		}
	}
	if (vals[0] > 255 || vals[1] > 127)
		return false;
	*alen = (size_t)(c1 - v);
	*cat = vals[0];
	*score = vals[1];
	return true;
}

static bool iprep_sniff(const char *path, const uint8_t *d, size_t n)
{
	(void)path;
	/* the first line that is not a comment parses as addr,cat,score */
	const char *p = (const char *)d, *end = p + (n < 65536 ? n : 65536);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((eol ? eol : end) - p);
		if (len && *p != '#') {
			size_t alen;
			unsigned cat, score;
			enum ioc_type t;
			size_t skip;
			return parse_line(p, len, &alen, &cat, &score) &&
			       ioc_guess_type(p, alen, &t, &skip) &&
			       (t == IOC_IPV4 || t == IOC_IPV6);
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return false;
}

static int iprep_load(struct ioc_set *s, const uint8_t *d, size_t n,
		      const struct ioc_meta *defaults, struct ioc_report *r, char *err,
		      size_t errlen)
{
	uint32_t metas[256];
	for (int i = 0; i < 256; i++)
		metas[i] = UINT32_MAX;
	const char *p = (const char *)d, *end = p + n;
	uint64_t line = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((eol ? eol : end) - p);
		const char *v = p;
		p += len + 1;
		line++;
		while (len && (*v == ' ' || *v == '\t')) {
			v++;
			len--;
		}
		if (!len || *v == '#' || (len == 1 && *v == '\r'))
			continue;
		size_t alen;
		unsigned cat, score;
		enum ioc_type t;
		size_t skip;
		if (!parse_line(v, len, &alen, &cat, &score)) {
			ioc_report_skip(r, "not address,category,score", line);
			continue;
		}
		if (!ioc_guess_type(v, alen, &t, &skip) || (t != IOC_IPV4 && t != IOC_IPV6)) {
			ioc_report_skip(r, "not an address or CIDR", line);
			continue;
		}
		/* one attribution per category and score */
		char src[300];
		snprintf(src, sizeof(src), "%s category %u",
			 defaults->source ? defaults->source : "", cat);
		struct ioc_meta m = *defaults;
		m.source = src;
		m.confidence = (int)(score * 100 / 127);
		uint32_t id = metas[cat];
		const struct ioc_meta *have = id != UINT32_MAX ? ioc_meta_get(s, id) : NULL;
		if (!have || have->confidence != m.confidence)
			id = metas[cat] = ioc_meta_add(s, &m);
		if (ioc_report_add_line(s, r, t, v, alen, id, "not a valid address", line, err,
					errlen) < 0)
			return -1;
	}
	return 0;
}

const struct ioc_importer ioc_import_iprep = {
    .name = "iprep",
    .sniff = iprep_sniff,
    .load = iprep_load,
};
