/*
 * import — loading intel files into an indicator set (ioc.h). One importer
 * per format, each one file plus one line in importers.def. Nothing is
 * dropped silently: every value, object or pattern an importer does not take
 * is counted in the report under a reason, with the first place it occurred;
 * what is taken with a caveat (a STIX AND pattern kept as its separate
 * terms) is counted the same way as a note.
 */
#ifndef MAMORI_INTEL_IMPORT_H
#define MAMORI_INTEL_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/ioc.h"

#define IOC_REPORT_REASONS 48

struct ioc_report {
	const char *format;  /* the importer that read the file */
	uint64_t loaded;     /* indicators added */
	uint64_t duplicates; /* already in the set (their attribution added) */
	uint64_t skipped;    /* everything not taken, all reasons */
	uint64_t notes;	     /* taken with a caveat, all reasons */
	struct {
		char reason[96];
		uint64_t n;
		uint64_t where; /* first line (lists), object or attribute (JSON), 1-based */
		bool note;	/* a note: counted in notes, not in skipped */
	} skip[IOC_REPORT_REASONS];
	unsigned n_skip;
	uint64_t skip_other; /* skipped under reasons past IOC_REPORT_REASONS */
};

/* Count one thing not taken, under `reason`, first seen at `where`. */
void ioc_report_skip(struct ioc_report *r, const char *reason, uint64_t where);
/* Count one thing taken with a caveat, under `reason`, first seen at `where`. */
void ioc_report_note(struct ioc_report *r, const char *reason, uint64_t where);

/* Add one value and count the outcome: loaded, duplicate, or skipped under
 * `invalid_reason`. Returns -2 out of memory, else 0. */
int ioc_report_add(struct ioc_set *s, struct ioc_report *r, enum ioc_type t, const char *v,
		   size_t len, uint32_t meta, const char *invalid_reason, uint64_t where);
/* The same for line-oriented files: -1 out of memory (also when meta is
 * UINT32_MAX, a failed ioc_meta_add), with err "line N: out of memory". */
int ioc_report_add_line(struct ioc_set *s, struct ioc_report *r, enum ioc_type t, const char *v,
			size_t len, uint32_t meta, const char *invalid_reason, uint64_t line,
			char *err, size_t errlen);

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
	/* Optional, for files that name other files beside them (a MISP feed's
	 * manifest.json names its events): load as above, given the file's
	 * path too. NULL: load is used. */
	int (*load_path)(struct ioc_set *s, const char *path, const uint8_t *d, size_t n,
			 const struct ioc_meta *defaults, struct ioc_report *r, char *err,
			 size_t errlen);
};

/* The importer of that name, or NULL; the i-th of the registry, or NULL. */
const struct ioc_importer *ioc_importer_find(const char *name);
const struct ioc_importer *ioc_importer_at(size_t i);

/* Read a file and load it with `format` (NULL: the first importer whose sniff
 * says yes; plain lists last). A directory is read as a MISP feed: its
 * manifest.json. Returns 0, or -1 with err set ("FILE: ..."). */
int ioc_import_file(struct ioc_set *s, const char *path, const char *format,
		    const struct ioc_meta *defaults, struct ioc_report *r, char *err,
		    size_t errlen);

/* A whole file, NUL-terminated (free with free()); at most 2 GiB. NULL with
 * err set ("FILE: why") when it cannot be read. */
uint8_t *ioc_read_file(const char *path, size_t *n, char *err, size_t errlen);

#endif
