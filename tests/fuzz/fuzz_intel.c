/*
 * fuzz_intel — every intel importer (importers.def) and the indicator store
 * on crafted files. Input: [selector:1] the importer (its index in the
 * registry, modulo their number), then the file. Every line of the file is
 * then looked up again as each type, so the normalisers and the hash
 * table's growth run under ASan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n_imp = 0;
	while (ioc_importer_at(n_imp))
		n_imp++;
	if (size < 1)
		return 0;
	const struct ioc_importer *imp = ioc_importer_at(data[0] % n_imp);
	struct ioc_set *s = ioc_set_new();
	if (!imp || !s)
		abort();
	data++;
	size--;
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
