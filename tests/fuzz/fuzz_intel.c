/*
 * fuzz_intel — one intel importer (importers.def) and the indicator store on
 * crafted files. Built once per importer, FUZZ_INTEL_IMPORTER naming it:
 * fuzz_intel_list, fuzz_intel_iprep, fuzz_intel_dataset, fuzz_intel_stix,
 * fuzz_intel_misp (tests/fuzz/CMakeLists.txt), each with its corpus in
 * corpus/intel_<name>/. The input is the file. A variant of the importer
 * named "<name>-all" (misp-all) reads the same input; an importer that reads
 * files beside its own (a MISP feed's manifest) is also given a path in a
 * directory that does not exist, so each file it names is missing. For
 * stix, the input is also parsed as a bare pattern. Every line of the file
 * is then looked up again as each type, so the normalisers and the hash
 * table's growth run under ASan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel/import.h"
#include "intel/stix_pattern.h"

#ifndef FUZZ_INTEL_IMPORTER
#error "FUZZ_INTEL_IMPORTER names the importer this target fuzzes"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const struct ioc_importer *imp, struct ioc_set *s, const uint8_t *d, size_t n)
{
	struct ioc_meta m = {"fuzz", "actor", NULL, 50, TLP_GREEN, 0, 0};
	struct ioc_report r;
	char err[128];
	memset(&r, 0, sizeof(r));
	imp->load(s, d, n, &m, &r, err, sizeof(err));
	if (imp->load_path) {
		memset(&r, 0, sizeof(r));
		imp->load_path(s, "/nonexistent-fuzz-feed/manifest.json", d, n, &m, &r, err,
			       sizeof(err));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ioc_importer *imp = ioc_importer_find(FUZZ_INTEL_IMPORTER);
	const struct ioc_importer *all = ioc_importer_find(FUZZ_INTEL_IMPORTER "-all");
	struct ioc_set *s = ioc_set_new();
	if (!imp || !s)
		abort();
	/* an exact-size copy, so a read past the input is caught */
	uint8_t *d = malloc(size ? size : 1);
	if (!d)
		abort();
	memcpy(d, data, size);
	volatile size_t x = imp->sniff("fuzz", d, size);
	run(imp, s, d, size);
	if (all)
		run(all, s, d, size);
	if (!strcmp(FUZZ_INTEL_IMPORTER, "stix")) {
		struct stix_pattern p;
		char err[64];
		if (stix_pattern_parse(&p, (const char *)d, size, err, sizeof(err)) == 0)
			for (uint32_t i = 0; i < p.n_cmp; i++)
				x += p.cmp[i].n_comp + p.cmp[i].n + strlen(p.cmp[i].object);
		stix_pattern_free(&p);
	}
	const char *p = (const char *)d, *end = p + size;
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
