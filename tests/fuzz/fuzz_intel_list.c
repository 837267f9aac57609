/*
 * fuzz_intel_list — the plain-list importer and the indicator store on
 * arbitrary text: every line is loaded (type guessed, normalised, interned),
 * then looked up again as each type, so the normalisers and the hash table's
 * growth run under ASan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ioc_importer *imp = ioc_importer_find("list");
	struct ioc_set *s = ioc_set_new();
	if (!imp || !s)
		abort();
	/* an exact-size copy, so a read past the input is caught */
	uint8_t *d = malloc(size ? size : 1);
	if (!d)
		abort();
	memcpy(d, data, size);
	struct ioc_meta m = {"fuzz", "actor", NULL, 50, TLP_GREEN, 0, 0};
	struct ioc_report r;
	char err[128];
	memset(&r, 0, sizeof(r));
	imp->load(s, d, size, &m, &r, err, sizeof(err));
	const char *p = (const char *)d, *end = p + size;
	volatile size_t x = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((eol ? eol : end) - p);
		struct ioc_hit h;
		for (int t = 0; t < IOC_TYPE_MAX; t++)
			if (ioc_match(s, (enum ioc_type)t, p, len, &h))
				x += strlen(h.indicator) + ioc_hit_meta(s, &h, 0);
		if (len >= 16) {
			x += ioc_match_ip(s, 4, (const uint8_t *)p, &h);
			x += ioc_match_ip(s, 6, (const uint8_t *)p, &h);
		}
		p += len + 1;
	}
	(void)x;
	free(d);
	ioc_set_free(s);
	return 0;
}
