/*
 * fuzz_sets — the files of the dataset, datarep and iprep keywords: the first
 * byte picks the reader (a dataset of each type, a reputation file with a
 * fixed categories file, or a categories file), the rest is the file. A
 * dataset that loads is saved and loaded again: it must hold as many values.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "detect/dataset.h"
#include "detect/iprep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void write_file(const char *path, const uint8_t *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (n && fwrite(d, 1, n, f) != n)
		abort();
	fclose(f);
}

static void cleanup(void)
{
	static const char *const names[] = {"input", "categories", "saved", "saved.tmp"};
	char path[128];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/mamori-fuzz-sets-XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
		log_set_level(LOG_ERROR);
	}
	if (size < 1 || size > 256 * 1024)
		return 0;
	char input[128], cats[128], saved[128], err[4096];
	snprintf(input, sizeof(input), "%s/input", dir);
	snprintf(cats, sizeof(cats), "%s/categories", dir);
	snprintf(saved, sizeof(saved), "%s/saved", dir);
	write_file(input, data + 1, size - 1);
	unsigned mode = data[0] % 7;
	if (mode >= 5) {
		static const char fixed[] = "1,A,a\n2,B,b\n59,C,c\n";
		if (mode == 5)
			write_file(cats, (const uint8_t *)fixed, sizeof(fixed) - 1);
		struct iprep *r = iprep_load(mode == 5 ? cats : input, mode == 5 ? "input" : "",
					     dir, err, sizeof(err));
		static const uint8_t a4[4] = {10, 0, 0, 1}, a6[16] = {0x20, 0x01, 0x0d, 0xb8};
		for (unsigned c = 0; r && c < IPREP_MAX_CATS; c++) {
			int s4 = iprep_score(r, c, a4, 4), s6 = iprep_score(r, c, a6, 6);
			if (s4 > IPREP_MAX_SCORE || s6 > IPREP_MAX_SCORE)
				abort();
		}
		iprep_free(r);
		return 0;
	}
	struct dataset_reg *reg = dataset_reg_new(1 << 20, 64);
	struct dataset_reg *reg2 = dataset_reg_new(1 << 20, 64);
	struct dataset_decl *d = calloc(1, sizeof(*d));
	if (!reg || !reg2 || !d)
		abort();
	d->type = (int)mode;
	d->origin = "fuzz";
	snprintf(d->load, sizeof(d->load), "%s", input);
	struct dataset *s = dataset_get(reg, "s", d, err, sizeof(err));
	if (s) {
		if (dataset_save(s, saved, err, sizeof(err)) < 0)
			abort();
		snprintf(d->load, sizeof(d->load), "%s", saved);
		struct dataset *again = dataset_get(reg2, "s", d, err, sizeof(err));
		if (!again || dataset_count(again) != dataset_count(s))
			abort();
	}
	free(d);
	dataset_reg_free(reg);
	dataset_reg_free(reg2);
	return 0;
}
