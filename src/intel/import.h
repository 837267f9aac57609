/*
 * import — loading intel files into an indicator set (ioc.h). One importer
 * per format, each one file plus one line in importers.def. Nothing is
 * dropped silently: every value, object or pattern an importer does not take
 * is counted in the report under a reason, with the first place it occurred.
 */
#ifndef MAMORI_INTEL_IMPORT_H
#define MAMORI_INTEL_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/ioc.h"

#define IOC_REPORT_REASONS 32

struct ioc_report {
	const char *format; /* the importer that read the file */
	uint64_t loaded;    /* indicators added */
	uint64_t duplicates; /* already in the set (their attribution added) */
	uint64_t skipped;    /* everything not taken, all reasons */
	struct {
		char reason[96];
		uint64_t n;
		uint64_t where; /* first line (lists) or object index (JSON), 1-based */
	} skip[IOC_REPORT_REASONS];
	unsigned n_skip;
	uint64_t skip_other; /* skipped under reasons past IOC_REPORT_REASONS */
};

/* Count one thing not taken, under `reason`, first seen at `where`. */
void ioc_report_skip(struct ioc_report *r, const char *reason, uint64_t where);

/* Add one value and count the outcome: loaded, duplicate, or skipped under
 * `invalid_reason`. Returns -2 out of memory, else 0. */
int ioc_report_add(struct ioc_set *s, struct ioc_report *r, enum ioc_type t, const char *v,
		   size_t len, uint32_t meta, const char *invalid_reason, uint64_t where);

struct ioc_importer {
	const char *name;
	/* Does this look like the format? The file's name and its first bytes. */
	bool (*sniff)(const char *path, const uint8_t *d, size_t n);
	/* Load it. `defaults` gives the attribution of what the file does not
	 * attribute itself (its source: the file's name unless set). Returns 0,
	 * or -1 with a message naming the place in err (the file is unreadable
	 * as this format; what was added before stays). */
	int (*load)(struct ioc_set *s, const uint8_t *d, size_t n, const struct ioc_meta *defaults,
		    struct ioc_report *r, char *err, size_t errlen);
};

/* The importer of that name, or NULL; the i-th of the registry, or NULL. */
const struct ioc_importer *ioc_importer_find(const char *name);
const struct ioc_importer *ioc_importer_at(size_t i);

/* Read a file and load it with `format` (NULL: the first importer whose sniff
 * says yes; plain lists last). Returns 0, or -1 with err set ("FILE: ..."). */
int ioc_import_file(struct ioc_set *s, const char *path, const char *format,
		    const struct ioc_meta *defaults, struct ioc_report *r, char *err, size_t errlen);

#endif
