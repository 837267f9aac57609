/*
 * import — the importer registry, reports, and reading files (see import.h).
 */
#include "intel/import.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMPORTER(sym) extern const struct ioc_importer sym;
#include "intel/importers.def"
#undef IMPORTER

static const struct ioc_importer *const importers[] = {
#define IMPORTER(sym) &sym,
#include "intel/importers.def"
#undef IMPORTER
};
#define N_IMPORTERS (sizeof(importers) / sizeof(importers[0]))

#define FILE_MAX (1ull << 31) /* an intel file larger than 2 GiB is refused */

static void count(struct ioc_report *r, const char *reason, uint64_t where, bool note)
{
	for (unsigned i = 0; i < r->n_skip; i++) {
		if (r->skip[i].note == note && !strcmp(r->skip[i].reason, reason)) {
			r->skip[i].n++;
			return;
		}
	}
	if (r->n_skip == IOC_REPORT_REASONS) {
		if (!note)
			r->skip_other++;
		return;
	}
	snprintf(r->skip[r->n_skip].reason, sizeof(r->skip[0].reason), "%s", reason);
	r->skip[r->n_skip].n = 1;
	r->skip[r->n_skip].where = where;
	r->skip[r->n_skip].note = note;
	r->n_skip++;
}

void ioc_report_skip(struct ioc_report *r, const char *reason, uint64_t where)
{
	r->skipped++;
	count(r, reason, where, false);
}

void ioc_report_note(struct ioc_report *r, const char *reason, uint64_t where)
{
	r->notes++;
	count(r, reason, where, true);
}

int ioc_report_add(struct ioc_set *s, struct ioc_report *r, enum ioc_type t, const char *v,
		   size_t len, uint32_t meta, const char *invalid_reason, uint64_t where)
{
	int rc = ioc_add(s, t, v, len, meta);
	if (rc == 1)
		r->loaded++;
	else if (rc == 0)
		r->duplicates++;
	else if (rc == -1)
		ioc_report_skip(r, invalid_reason, where);
	return rc == -2 ? -2 : 0;
}

int ioc_report_add_line(struct ioc_set *s, struct ioc_report *r, enum ioc_type t, const char *v,
			size_t len, uint32_t meta, const char *invalid_reason, uint64_t line,
			char *err, size_t errlen)
{
	if (meta == UINT32_MAX || ioc_report_add(s, r, t, v, len, meta, invalid_reason, line) < 0) {
		snprintf(err, errlen, "line %llu: out of memory", (unsigned long long)line);
		return -1;
	}
	return 0;
}

const struct ioc_importer *ioc_importer_find(const char *name)
{
	for (size_t i = 0; i < N_IMPORTERS; i++)
		if (!strcmp(importers[i]->name, name))
			return importers[i];
	return NULL;
}

const struct ioc_importer *ioc_importer_at(size_t i)
{
	return i < N_IMPORTERS ? importers[i] : NULL;
}

uint8_t *ioc_read_file(const char *path, size_t *n, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > FILE_MAX) {
		snprintf(err, errlen, "%s: not a regular file of at most 2 GiB", path);
		fclose(f);
		return NULL;
	}
	uint8_t *b = malloc((size_t)st.st_size + 1);
	if (!b) {
		snprintf(err, errlen, "%s: out of memory", path);
		fclose(f);
		return NULL;
	}
	*n = fread(b, 1, (size_t)st.st_size, f);
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: read error", path);
		free(b);
		return NULL;
	}
	b[*n] = '\0';
	return b;
}

/* What the file says of itself when nothing inside names its source: the
 * file's name; for a feed's manifest.json, the feed directory's. */
static const char *default_source(const char *path, char *buf, size_t cap)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strcmp(base, "manifest.json") || base == path)
		return base;
	size_t dl = (size_t)(base - 1 - path);
	while (dl && path[dl - 1] != '/')
		dl--;
	snprintf(buf, cap, "%.*s", (int)(base - 1 - path - dl), path + dl);
	return buf[0] ? buf : base;
}

int ioc_import_file(struct ioc_set *s, const char *path, const char *format,
		    const struct ioc_meta *defaults, struct ioc_report *r, char *err, size_t errlen)
{
	const struct ioc_importer *imp = NULL;
	size_t n = 0;
	memset(r, 0, sizeof(*r));
	if (format && !(imp = ioc_importer_find(format))) {
		snprintf(err, errlen, "%s: unknown intel format '%s'", path, format);
		return -1;
	}
	/* a directory: a MISP feed, read through its manifest */
	char manifest[4096];
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		size_t pl = strlen(path);
		while (pl > 1 && path[pl - 1] == '/')
			pl--;
		if ((size_t)snprintf(manifest, sizeof(manifest), "%.*s/manifest.json", (int)pl,
				     path) >= sizeof(manifest) ||
		    access(manifest, F_OK) != 0) {
			snprintf(err, errlen,
				 "%s: a directory without a manifest.json (only MISP feed "
				 "directories are read)",
				 path);
			return -1;
		}
		path = manifest;
	}
	uint8_t *d = ioc_read_file(path, &n, err, errlen);
	if (!d)
		return -1;
	for (size_t i = 0; !imp && i < N_IMPORTERS; i++)
		if (importers[i]->sniff(path, d, n))
			imp = importers[i];
	if (!imp) {
		snprintf(err, errlen, "%s: not a format mamori reads", path);
		free(d);
		return -1;
	}
	struct ioc_meta m = {.confidence = -1};
	char src[256];
	if (defaults)
		m = *defaults;
	if (!m.source)
		m.source = default_source(path, src, sizeof(src));
	r->format = imp->name;
	char e2[512] = "";
	int rc = imp->load_path ? imp->load_path(s, path, d, n, &m, r, e2, sizeof(e2))
				: imp->load(s, d, n, &m, r, e2, sizeof(e2));
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, e2);
	free(d);
	return rc;
}
