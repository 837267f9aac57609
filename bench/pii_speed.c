/*
 * pii_speed — how fast analytics/pii_scan reads cleartext: 64 MiB of random
 * printable text (few candidates: the first pass does most of the work) and
 * 64 MiB of a customer CSV in which every line holds six records (each one
 * validated, keyed-hashed and looked up in the distinct set). Fed in 64 KiB
 * chunks, as stream reassembly would; fixed seeds; best of three runs, timed
 * by CPU time (a busy neighbour on a shared machine disturbs it less).
 *
 * usage: bench_pii_speed [MiB]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analytics/pii_scan.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A My Number with its check digit (see pii_ids_mynumber). */
static void mynumber(char *o)
{
	unsigned sum = 0;
	for (int i = 0; i < 11; i++)
		o[i] = (char)('0' + (i ? rnd() % 10 : 1 + rnd() % 9));
	for (unsigned n = 1; n <= 11; n++)
		sum += (unsigned)(o[11 - n] - '0') * (n <= 6 ? n + 1 : n - 5);
	unsigned r = sum % 11;
	o[11] = (char)('0' + (r <= 1 ? 0 : 11 - r));
	o[12] = '\0';
}

/* A 16-digit Visa number, Luhn valid. */
static void card(char *o)
{
	o[0] = '4';
	for (int i = 1; i < 15; i++)
		o[i] = (char)('0' + rnd() % 10);
	unsigned sum = 0;
	for (int i = 14, k = 0; i >= 0; i--, k++) {
		unsigned v = (unsigned)(o[i] - '0');
		if (k % 2 == 0)
			v = v * 2 > 9 ? v * 2 - 9 : v * 2;
		sum += v;
	}
	o[15] = (char)('0' + (10 - sum % 10) % 10);
	o[16] = '\0';
}

static size_t fill_csv(char *buf, size_t len)
{
	size_t n = 0;
	char my[13], cc[17];
	for (unsigned id = 1; n + 256 < len; id++) {
		mynumber(my);
		card(cc);
		n += (size_t)snprintf(
		    buf + n, len - n,
		    "%u,Yamada Taro,taro.%u@example.co.jp,090-%04u-%04u,%.4s %.4s "
		    "%.4s,%s,〒%03u-%04u,東京都千代田区%u-%u\n",
		    id, rnd() % 100000, rnd() % 10000, rnd() % 10000, my, my + 4, my + 8, cc,
		    100 + rnd() % 900, rnd() % 10000, rnd() % 9 + 1, rnd() % 30 + 1);
	}
	memset(buf + n, '\n', len - n);
	return len;
}

static void run(const char *name, const struct pii_key *key, const uint8_t *buf, size_t len)
{
	double best = 0;
	uint32_t records = 0, total = 0;
	for (int rep = 0; rep < 3; rep++) {
		struct pii_scan *s = pii_scan_new(key, 0, 0);
		if (!s)
			exit(1);
		double t0 = now();
		for (size_t at = 0; at < len; at += 65536)
			pii_scan_data(s, buf + at, len - at < 65536 ? len - at : 65536);
		pii_scan_end(s);
		double dt = now() - t0;
		double mbs = len / dt / 1e6;
		if (mbs > best)
			best = mbs;
		const struct pii_counts *c = pii_scan_counts(s);
		records = pii_scan_records(s);
		total = 0;
		for (int t = 0; t < PII_TYPES; t++)
			total += c->total[t];
		pii_scan_free(s);
	}
	printf("%-10s %6.0f MiB  %8.1f MB/s  %9u occurrences  %5u distinct kept\n", name,
	       len / 1048576.0, best, total, records);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 64;
	size_t len = mib << 20;
	uint8_t *buf = malloc(len ? len : 1);
	struct pii_key *key = pii_key_new((const uint8_t *)"bench key", 9);
	if (!buf || !key)
		return 1;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(0x20 + rnd() % 95);
	run("printable", key, buf, len);
	fill_csv((char *)buf, len);
	run("csv", key, buf, len);
	pii_key_free(key);
	free(buf);
	return 0;
}
