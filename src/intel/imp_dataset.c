/*
 * imp_dataset — Suricata dataset files (the `load`/`save` files of the
 * dataset and datarep keywords): one value per line, with ",reputation"
 * after it for datarep. md5, sha256, ipv4 and ipv6 sets are written as text;
 * string sets base64-encode each value, which is decoded here and its type
 * guessed (a domain, a URL, ...). Named only (--format dataset): its lines
 * look like any list.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "intel/import.h"

static bool dataset_sniff(const char *path, const uint8_t *d, size_t n)
{
	(void)path;
	(void)d;
	(void)n;
	return false;
}

static bool b64char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=';
}

/* base64 of printable text: decoded into out; 0 when it is not */
static size_t unbase64(const char *v, size_t len, char *out, size_t cap)
{
	if (!len || len % 4 || len / 4 * 3 > cap)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!b64char(v[i]) || (v[i] == '=' && i < len - 2))
			return 0;
	int n = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)v, (int)len);
	if (n <= 0)
		return 0;
	for (size_t i = len; i-- > 0 && v[i] == '=';)
		n--;
	for (int i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f)
			return 0;
	return (size_t)n;
}

static int dataset_load(struct ioc_set *s, const uint8_t *d, size_t n,
			const struct ioc_meta *defaults, struct ioc_report *r, char *err,
			size_t errlen)
{
	uint32_t meta = ioc_meta_add(s, defaults);
	if (meta == UINT32_MAX) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const char *p = (const char *)d, *end = p + n;
	uint64_t line = 0;
	char dec[6144];
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((eol ? eol : end) - p);
		const char *v = p;
		p += len + 1;
		line++;
		while (len && (v[len - 1] == '\r' || v[len - 1] == ' '))
			len--;
		if (!len)
			continue;
		const char *comma = memchr(v, ',', len);
		if (comma)
			len = (size_t)(comma - v); /* datarep: the reputation is not kept */
		enum ioc_type t;
		size_t skip;
		const char *val = v;
		size_t vl = len;
		/* text values first: a hash or an address is also valid base64 */
		if (!ioc_guess_type(val, vl, &t, &skip)) {
			vl = unbase64(v, len, dec, sizeof(dec));
			val = dec;
			if (!vl || !ioc_guess_type(val, vl, &t, &skip)) {
				ioc_report_skip(r,
						vl ? "a string that is not an indicator"
						   : "not a value or base64 of one",
						line);
				continue;
			}
		}
		if (ioc_report_add_line(s, r, t, val + skip, vl - skip, meta,
					"not a valid value of its type", line, err, errlen) < 0)
			return -1;
	}
	return 0;
}

const struct ioc_importer ioc_import_dataset = {
    .name = "dataset",
    .sniff = dataset_sniff,
    .load = dataset_load,
};
