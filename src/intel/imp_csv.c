/*
 * imp_csv — CSV files whose header line names their columns, as JPCERT/CC's
 * phishing URL lists ("date,URL,description"). Indicators are read from the
 * columns whose name says what they hold:
 *
 *   url                                          URL
 *   domain, hostname, host, fqdn                 domain
 *   ip, ip address, ipv4, ipv6, ip-dst, dst_ip, ...   address or CIDR
 *   md5, sha1, sha256 (sha-1, sha_256, ...)      file hash
 *   email, e-mail address, sender                e-mail address
 *   ja3, ja4                                     fingerprint
 *   indicator, ioc, value, observable            its type guessed per value
 *
 * (names in any case; spaces, '-' and '_' do not matter). Other columns
 * (dates, descriptions) are not kept. Recognised by content: a first line of
 * at least two fields, one of them such a name and none of them an
 * indicator. Fields follow RFC 4180 (quoted with "...", "" for a quote
 * inside), one record per line; an empty cell is not a value.
 */
#include <stdio.h>
#include <string.h>

#include "intel/import.h"

#define COLUMNS_MAX 64
#define FIELD_MAX   8192
#define T_ADDR	    IOC_TYPE_MAX       /* an address or CIDR, by the value */
#define T_GUESS	    (IOC_TYPE_MAX + 1) /* any type, by the value */
#define T_NONE	    (IOC_TYPE_MAX + 2) /* not an indicator column */

/* The column a header names. */
static int column_type(const char *name, size_t len)
{
	static const struct {
		const char *name;
		int t;
	} names[] = {
	    {"url", IOC_URL},
	    {"domain", IOC_DOMAIN},
	    {"domainname", IOC_DOMAIN},
	    {"hostname", IOC_DOMAIN},
	    {"host", IOC_DOMAIN},
	    {"fqdn", IOC_DOMAIN},
	    {"ip", T_ADDR},
	    {"ipaddress", T_ADDR},
	    {"ipv4", T_ADDR},
	    {"ipv6", T_ADDR},
	    {"ipdst", T_ADDR},
	    {"ipsrc", T_ADDR},
	    {"dstip", T_ADDR},
	    {"srcip", T_ADDR},
	    {"md5", IOC_MD5},
	    {"sha1", IOC_SHA1},
	    {"sha256", IOC_SHA256},
	    {"email", IOC_EMAIL},
	    {"emailaddress", IOC_EMAIL},
	    {"sender", IOC_EMAIL},
	    {"ja3", IOC_JA3},
	    {"ja4", IOC_JA4},
	    {"indicator", T_GUESS},
	    {"ioc", T_GUESS},
	    {"value", T_GUESS},
	    {"observable", T_GUESS},
	};
	char q[32];
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c == ' ' || c == '-' || c == '_' || c == '\t' || c == '\r')
			continue;
		if (o + 1 == sizeof(q))
			return T_NONE;
		q[o++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	q[o] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(q, names[i].name))
			return names[i].t;
	return T_NONE;
}

/* The next field of the record at *p (up to eol) into out (unquoted);
 * returns its length, *p moved past its comma; false at the record's end. */
static bool field(const char **p, const char *eol, char *out, size_t *len, bool *more)
{
	const char *s = *p;
	size_t o = 0;
	if (s > eol)
		return false;
	if (s < eol && *s == '"') {
		for (s++; s < eol; s++) {
			if (*s == '"') {
				if (s + 1 < eol && s[1] == '"')
					s++;
				else
					break;
			}
			if (o < FIELD_MAX)
				out[o++] = *s;
		}
		if (s < eol)
			s++; /* the closing quote */
		while (s < eol && *s != ',')
			s++;
	} else {
		for (; s < eol && *s != ','; s++)
			if (o < FIELD_MAX)
				out[o++] = *s;
	}
	while (o && (out[o - 1] == '\r' || out[o - 1] == ' ' || out[o - 1] == '\t'))
		o--;
	*len = o;
	*more = s < eol;
	*p = s + 1;
	return true;
}

static const char *line_end(const char *p, const char *end)
{
	const char *e = memchr(p, '\n', (size_t)(end - p));
	return e ? e : end;
}

/* The header's column types and names (cut, printable); how many columns.
 * *indicator_field: some field is itself an indicator (data, not a header). */
static size_t header(const char *p, const char *eol, int *types, char (*names)[24],
		     bool *indicator_field)
{
	char buf[FIELD_MAX];
	size_t n = 0, len;
	bool more = true;
	*indicator_field = false;
	while (more && n < COLUMNS_MAX && field(&p, eol, buf, &len, &more)) {
		const char *v = buf;
		enum ioc_type t;
		size_t skip;
		while (len && (*v == ' ' || *v == '\t'))
			v++, len--;
		if (len && ioc_guess_type(v, len, &t, &skip))
			*indicator_field = true;
		types[n] = column_type(v, len);
		snprintf(names[n], sizeof(names[n]), "%.*s", (int)(len < 20 ? len : 20), v);
		for (char *c = names[n]; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				*c = '?';
		n++;
	}
	return n;
}

static bool csv_sniff(const char *path, const uint8_t *d, size_t n)
{
	(void)path;
	const char *p = (const char *)d, *end = p + (n < 4096 ? n : 4096);
	if (end - p >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	for (const char *q = p; q < end; q++)
		if ((unsigned char)*q < 0x20 && *q != '\t' && *q != '\r' && *q != '\n')
			return false;
	const char *eol = line_end(p, end);
	if (eol == end && n > 4096)
		return false; /* a first line longer than the head */
	int types[COLUMNS_MAX];
	char names[COLUMNS_MAX][24];
	bool ind;
	size_t cols = header(p, eol, types, names, &ind), named = 0;
	for (size_t i = 0; i < cols; i++)
		named += types[i] != T_NONE;
	return cols >= 2 && named && !ind;
}

static int csv_load(struct ioc_set *s, const uint8_t *d, size_t n, const struct ioc_meta *defaults,
		    struct ioc_report *r, char *err, size_t errlen)
{
	char buf[FIELD_MAX];
	uint32_t meta = ioc_meta_add(s, defaults);
	if (meta == UINT32_MAX) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const char *p = (const char *)d, *end = p + n;
	if (end - p >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	int types[COLUMNS_MAX];
	char names[COLUMNS_MAX][24];
	const char *eol = line_end(p, end);
	bool ind, more;
	size_t cols = header(p, eol, types, names, &ind), named = 0, len;
	for (size_t i = 0; i < cols; i++)
		named += types[i] != T_NONE;
	if (!named) {
		snprintf(err, errlen,
			 "line 1: no column names an indicator (url, domain, ip, ...)");
		return -1;
	}
	uint64_t line = 1;
	for (p = eol + 1; p < end; p = eol + 1) {
		eol = line_end(p, end);
		line++;
		more = true;
		const char *q = p;
		for (size_t c = 0; more && c < cols && field(&q, eol, buf, &len, &more); c++) {
			const char *v = buf;
			while (len && (*v == ' ' || *v == '\t'))
				v++, len--;
			if (types[c] == T_NONE || !len)
				continue;
			enum ioc_type t = (enum ioc_type)types[c];
			size_t skip = 0;
			char why[96];
			if (types[c] == T_ADDR || types[c] == T_GUESS) {
				bool ok = ioc_guess_type(v, len, &t, &skip);
				if (!ok || (types[c] == T_ADDR && t != IOC_IPV4 && t != IOC_IPV6)) {
					snprintf(why, sizeof(why), "%s column: not %s", names[c],
						 types[c] == T_ADDR ? "an address or CIDR"
								    : "a recognisable indicator");
					ioc_report_skip(r, why, line);
					continue;
				}
			}
			snprintf(why, sizeof(why), "%s column: not a valid %s", names[c],
				 ioc_type_name(t));
			if (ioc_report_add_line(s, r, t, v + skip, len - skip, meta, why, line, err,
						errlen) < 0)
				return -1;
		}
	}
	return 0;
}

const struct ioc_importer ioc_import_csv = {
    .name = "csv",
    .sniff = csv_sniff,
    .load = csv_load,
};
