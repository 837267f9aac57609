/*
 * fuzz_pii — the personal-data scanner on arbitrary bytes, fed twice: in one
 * piece, and cut into chunks whose sizes come from the first byte. Both must
 * give the same counts, samples and hashes (records across chunk boundaries are
 * found once); every sample is a terminated string and every hash 16 hex digits.
 * A small distinct cap (selector bit 7) and a byte cap (bits 7 and 6) exercise
 * the limits; text seeds (ASCII selector) run without either.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/pii_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const struct pii_counts *a, const struct pii_counts *b)
{
	return memcmp(a->distinct, b->distinct, sizeof(a->distinct)) == 0 &&
	       memcmp(a->total, b->total, sizeof(a->total)) == 0 &&
	       memcmp(a->rejected, b->rejected, sizeof(a->rejected)) == 0 &&
	       a->overflow == b->overflow && a->distinct_overflow == b->distinct_overflow &&
	       a->bytes_scanned == b->bytes_scanned && a->truncated == b->truncated &&
	       memcmp(a->sample, b->sample, sizeof(a->sample)) == 0 &&
	       memcmp(a->sample_hash, b->sample_hash, sizeof(a->sample_hash)) == 0;
}

static void check(const struct pii_counts *c)
{
	for (int t = 0; t < PII_TYPES; t++) {
		if (!memchr(c->sample[t], 0, sizeof(c->sample[t])))
			abort();
		size_t n = strlen(c->sample_hash[t]);
		if ((n != 0 && n != 16) || (n == 0) != (c->sample[t][0] == '\0'))
			abort();
		if (c->distinct[t] > c->total[t])
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pii_key *key;
	if (!key)
		key = pii_key_new((const uint8_t *)"fuzz", 4);
	if (!key || size < 1 || size > 65536)
		return 0;
	uint8_t sel = data[0];
	data++;
	size--;
	/* an exact-size copy, so a read past the input is caught */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	uint32_t cap = sel & 0x80 ? 4 : 0;
	uint64_t max_bytes = (sel & 0xc0) == 0xc0 ? size / 2 + 1 : 0;
	struct pii_scan *one = pii_scan_new(key, cap, max_bytes);
	struct pii_scan *cut = pii_scan_new(key, cap, max_bytes);
	if (one && cut) {
		pii_scan_data(one, buf, size);
		pii_scan_end(one);
		/* first cut where the selector puts it, then chunks of 1..8 bytes or
		 * of the size of the first piece */
		size_t at = size * (sel & 0x3f) / 63;
		pii_scan_data(cut, buf, at);
		size_t step = sel & 0x20 ? (at ? at : 1) : (size_t)(sel & 7) + 1;
		while (at < size) {
			size_t n = size - at < step ? size - at : step;
			pii_scan_data(cut, buf + at, n);
			at += n;
		}
		pii_scan_end(cut);
		const struct pii_counts *a = pii_scan_counts(one), *b = pii_scan_counts(cut);
		check(a);
		if (!same(a, b))
			abort();
		/* a reset scanner is a new one */
		pii_scan_reset(cut);
		pii_scan_data(cut, buf, size);
		pii_scan_end(cut);
		if (!same(a, pii_scan_counts(cut)))
			abort();
	}
	pii_scan_free(one);
	pii_scan_free(cut);
	free(buf);
	return 0;
}
