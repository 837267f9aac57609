/*
 * iprep — IP reputation for the `iprep` keyword, from Suricata's files: a
 * categories file (`id,shortname,description` per line, ids 0-59) and
 * reputation files (`address[/len],category,score` per line, scores 0-127;
 * an address may be listed once per category).
 *
 * Loaded once at start-up into immutable tables: per category and address
 * family, sorted disjoint address ranges, each with the score of the most
 * specific listed network that covers it. A lookup is one binary search
 * (longest-prefix match per category): lock-free, no allocation; the tables
 * are shared read-only by every worker.
 */
#ifndef MAMORI_DETECT_IPREP_H
#define MAMORI_DETECT_IPREP_H

#include <stddef.h>
#include <stdint.h>

#define IPREP_MAX_CATS	60 /* category ids 0-59, as Suricata */
#define IPREP_MAX_SCORE 127
#define IPREP_NAME_MAX	31 /* category short names */

struct iprep;

/*
 * Load the categories file and the reputation files (comma-separated;
 * relative names are taken in dir unless it is NULL or empty). Free with
 * iprep_free(). NULL with a message in err naming the file and line.
 */
struct iprep *iprep_load(const char *categories, const char *files, const char *dir, char *err,
			 size_t errlen);
void iprep_free(struct iprep *r);

/* The id of a category by short name (case-sensitive), or -1. */
int iprep_category(const struct iprep *r, const char *shortname);
/* The short names, comma-separated, for messages. */
void iprep_category_names(const struct iprep *r, char *out, size_t outlen);
/* Lines of the reputation files loaded. */
uint32_t iprep_entries(const struct iprep *r);

/* The score (0-127) of addr (4 bytes for ver 4, else 16) in category cat,
 * from the most specific listed network holding it; -1 when none does. */
int iprep_score(const struct iprep *r, unsigned cat, const uint8_t *addr, int ver);

#endif
