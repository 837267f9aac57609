/*
 * ruleset — loading rule files into a set of parsed rules.
 *
 * Reads files line by line (joining lines continued with a trailing
 * backslash, skipping comments and blank lines), parses each rule, and keeps
 * per-load statistics: rules loaded, rules skipped because they use something
 * mamori does not support (counted per keyword or reason), rules with errors
 * (each reported as file:line:column with the keyword), duplicate sids, and
 * rules waiting for an app-layer buffer. One bad rule never stops the load.
 *
 * Also holds what rules refer to by name: classification types (from a
 * classification.config, or the built-in table), reference systems,
 * flowbit / flowint / variable names (interned to small ids), and the address
 * and port variables from the configuration; the datasets rules name
 * (declared by the configuration's datasets.* or by the first rule naming
 * each) and the IP reputation of reputation-files.
 *
 * Built by one thread; read-only once the detection engine is built, except
 * for the values of datasets, which rules may add and remove (dataset.h).
 */
#ifndef MAMORI_DETECT_RULESET_H
#define MAMORI_DETECT_RULESET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "detect/rule.h"

struct dataset_reg;
struct iprep;

struct classtype {
	char *name, *desc;
	uint8_t priority;
};

/* A string interned to a dense id (flowbits, flowints). */
struct name_table {
	char **names;
	uint32_t n, cap;
};

/* Counted reasons for skipping rules. */
struct reason_count {
	char *reason;
	uint32_t count;
	uint32_t first_line;
	const char *first_file;
};

struct ruleset {
	const struct config *cfg; /* borrowed */
	struct rule **rules;
	uint32_t n_rules, cap_rules;

	struct classtype *classes; /* [0] unused */
	uint32_t n_classes;
	struct name_table flowbits, flowints;
	struct name_table refsys; /* reference systems (lower case) */
	char **refurl;		  /* their URL prefixes, by refsys id */

	const char *cur_file; /* the file of the rule being parsed, or NULL */
	uint32_t cur_line;
	char **files; /* names of loaded files (rules borrow them) */
	uint32_t n_files;

	/* statistics */
	uint32_t n_lines_rules; /* rule lines seen (not comments) */
	uint32_t n_loaded, n_skipped, n_errors, n_duplicates, n_waiting, n_tagged;
	uint32_t n_unknown_refs; /* references to systems not in reference.config */
	struct reason_count *skips;
	uint32_t n_skip_reasons;
	struct reason_count *waits; /* loaded rules waiting for a buffer, by buffer */
	uint32_t n_wait_reasons;
	struct dataset_reg *datasets; /* sets named by dataset/datarep (shared, see dataset.h) */
	struct iprep *iprep;	      /* reputation-files, or NULL when none are configured */
	uint32_t *sid_index; /* (gid, sid) -> rule index + 1, open addressing */
	uint32_t sid_cap;
	FILE *report;	       /* where per-rule messages go (NULL: the log) */
	uint32_t max_messages; /* per-rule messages printed before summarising */
	uint32_t n_messages;
	uint64_t load_ns;
};

/* cfg is borrowed for the ruleset's lifetime. Loads what the configuration
 * names (classification and reference files, datasets, IP reputation). NULL
 * on OOM or after a message naming the file and line that failed. */
struct ruleset *ruleset_new(const struct config *cfg);
void ruleset_free(struct ruleset *rs);

/*
 * Load a rules file (appending). Returns 0 when the file was read (whatever
 * its rules' fate), -1 when it could not be opened or read.
 */
int ruleset_load_file(struct ruleset *rs, const char *path);

/* A file, or every *.rules file of a folder in name order. 0 or -1. */
int ruleset_load_path(struct ruleset *rs, const char *path);

/*
 * Parse one rule text (as from a file line). Returns 0 loaded, 1 skipped
 * (unsupported), -1 error; messages name origin:line:column.
 */
int ruleset_add_rule(struct ruleset *rs, const char *text, const char *file, uint32_t line);

/* Classification config ("config classification: name,desc,prio"). 0 or -1. */
int ruleset_load_classification(struct ruleset *rs, const char *path);
/* reference.config ("config reference: system url"); adds or replaces. 0 or -1. */
int ruleset_load_references(struct ruleset *rs, const char *path);
/* Is the reference system known (case-insensitive)? */
bool ruleset_refsys_known(const struct ruleset *rs, const char *name);

/* Index of a classtype, or 0 when unknown. */
uint16_t ruleset_classtype(const struct ruleset *rs, const char *name);

/* Intern a name; its id, or -1 on OOM / cap (65536). */
int name_table_intern(struct name_table *t, const char *name);

/* Address/port variable lookup for addrset (vars.address-groups.*, vars.port-groups.*). */
const char *ruleset_var(void *rs, const char *name, bool port);

/* Print the load report (`mamori rules check`). */
void ruleset_report(const struct ruleset *rs, FILE *out);

#endif
