/*
 * store_util — name keys, hex, address ranges and time expressions.
 */
#include "store/store_util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

size_t store_name_key(const char *name, size_t len, char *out)
{
	while (len && name[len - 1] == '.')
		len--;
	if (len == 0 || len >= STORE_NAME_MAX)
		return 0;
	/* labels from the last to the first, each copied in lower case */
	size_t o = 0, end = len;
	while (end > 0) {
		size_t start = end;
		while (start > 0 && name[start - 1] != '.')
			start--;
		if (o)
			out[o++] = '.';
		for (size_t i = start; i < end; i++)
			out[o++] = (char)tolower((unsigned char)name[i]);
		end = start ? start - 1 : 0;
		if (start == 0)
			break;
		if (end == 0) /* a leading dot: an empty first label */
			out[o++] = '.';
	}
	out[o] = '\0';
	return o;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int store_unhex(const char *p, size_t len, uint8_t *out, size_t n)
{
	size_t k = 0;
	int hi = -1;
	for (size_t i = 0; i < len; i++) {
		if ((p[i] == ':' || p[i] == '-') && hi < 0)
			continue;
		int v = hexval(p[i]);
		if (v < 0 || (hi < 0 && k == n))
			return -1;
		if (hi < 0) {
			hi = v;
		} else {
			out[k++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return k == n && hi < 0 ? 0 : -1;
}

void store_prefix_range(int ver, const uint8_t *addr, unsigned plen, uint8_t lo[16], uint8_t hi[16])
{
	unsigned n = ver == 6 ? 16 : 4;
	if (plen > n * 8)
		plen = n * 8;
	for (unsigned i = 0; i < n; i++) {
		unsigned bits = plen > i * 8 ? plen - i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		lo[i] = addr[i] & mask;
		hi[i] = (uint8_t)(addr[i] | (uint8_t)~mask);
	}
}

int store_parse_prefix(const char *s, int *ver, uint8_t addr[16], unsigned *plen)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1)
		*ver = 4;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		*ver = 6;
	else
		return -1;
	unsigned max = *ver == 4 ? 32 : 128;
	*plen = max;
	if (slash) {
		char *end;
		if (!isdigit((unsigned char)slash[1]))
			return -1;
		unsigned long l = strtoul(slash + 1, &end, 10);
		if (*end || l > max)
			return -1;
		*plen = (unsigned)l;
	}
	uint8_t hi[16];
	store_prefix_range(*ver, addr, *plen, addr, hi);
	return 0;
}

/* Digits at s[0..n) as a number; -1 unless all n are digits. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int store_parse_rfc3339(const char *s, int64_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	int y = digits(s, 4), mo, d;
	if (y < 1970 || s[4] != '-' || (mo = digits(s + 5, 2)) < 1 || mo > 12 || s[7] != '-' ||
	    (d = digits(s + 8, 2)) < 1 || d > 31)
		return -1;
	/* a day the month has (timegm would turn 02-30 into 03-02) */
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	const char *p = s + 10;
	int64_t frac_us = 0, off_s = 0;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		/* each field is checked before the next is looked at: the text may end anywhere */
		int h = digits(p + 1, 2), mi, sec = 0;
		if (h < 0 || h > 23 || p[3] != ':' || (mi = digits(p + 4, 2)) < 0 || mi > 59)
			return -1;
		p += 6;
		if (*p == ':') {
			sec = digits(p + 1, 2);
			if (sec < 0 || sec > 60)
				return -1;
			p += 3;
			if (*p == '.') {
				int64_t scale = 100000;
				p++;
				if (!isdigit((unsigned char)*p))
					return -1;
				for (; isdigit((unsigned char)*p); p++) {
					frac_us += (*p - '0') * scale;
					scale /= 10;
				}
			}
		}
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = sec;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh = digits(p + 1, 2), om;
			if (oh < 0 || oh > 23)
				return -1;
			const char *q = p + 3;
			if (*q == ':')
				q++;
			om = digits(q, 2);
			if (om < 0 || om > 59)
				return -1;
			off_s = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
			p = q + 2;
		}
	}
	if (*p)
		return -1;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = ((int64_t)t - off_s) * 1000000 + frac_us;
	return 0;
}

void store_path_arg(const char *store, const char *dir, char *out, size_t outlen)
{
	if (store)
		snprintf(out, outlen, "%s", store);
	else if (dir)
		snprintf(out, outlen, "%s/mamori.db", dir);
	else
		snprintf(out, outlen, "mamori.db");
}

int store_parse_time(const char *s, int64_t now_us, int64_t *out_us)
{
	if (!s || !*s)
		return -1;
	if (!strcmp(s, "now")) {
		*out_us = now_us;
		return 0;
	}
	if (strlen(s) >= 10 && s[4] == '-')
		return store_parse_rfc3339(s, out_us);
	/* an age: digits and one unit */
	char *end;
	if (!isdigit((unsigned char)*s))
		return -1;
	unsigned long long n = strtoull(s, &end, 10);
	int64_t unit;
	switch (*end) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	case 'w':
		unit = 7 * 86400;
		break;
	default:
		return -1;
	}
	if (end[1] || n > 100ull * 365 * 86400 / (unsigned long long)unit)
		return -1;
	*out_us = now_us - (int64_t)n * unit * 1000000;
	return 0;
}
