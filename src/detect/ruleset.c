/*
 * ruleset — see ruleset.h.
 */
#include "detect/ruleset.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "core/log.h"
#include "detect/dataset.h"
#include "detect/iprep.h"
#include "detect/keyword.h"
#include "detect/parse.h"

#define MAX_LINE  (64 * 1024) /* a rule, after joining continued lines */
#define MAX_NAMES 65536
#define MAX_RULES (4u * 1024 * 1024)

static const struct {
	const char *name, *desc;
	uint8_t prio;
} builtin_classes[] = {
#define CLASSTYPE(n, d, p) {n, d, p},
#include "detect/classtypes.def"
#undef CLASSTYPE
};

static const struct {
	const char *name, *url;
} builtin_refs[] = {
#define REFSYS(n, u) {n, u},
#include "detect/refsystems.def"
#undef REFSYS
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int name_table_intern(struct name_table *t, const char *name)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (!strcmp(t->names[i], name))
			return (int)i;
	if (t->n == MAX_NAMES)
		return -1;
	if (t->n == t->cap) {
		uint32_t nc = t->cap ? t->cap * 2 : 16;
		char **nn = realloc(t->names, nc * sizeof(*nn));
		if (!nn)
			return -1;
		t->names = nn;
		t->cap = nc;
	}
	t->names[t->n] = strdup(name);
	if (!t->names[t->n])
		return -1;
	return (int)t->n++;
}

/* Add or replace a reference system; the name is kept in lower case. */
static int refsys_set(struct ruleset *rs, const char *name, const char *url)
{
	char low[64];
	size_t n = strlen(name);
	if (n == 0 || n >= sizeof(low))
		return -1;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	uint32_t before = rs->refsys.n;
	int id = name_table_intern(&rs->refsys, low);
	if (id < 0)
		return -1;
	if (rs->refsys.n != before) {
		char **nu = realloc(rs->refurl, rs->refsys.n * sizeof(*nu));
		if (!nu)
			return -1;
		rs->refurl = nu;
		nu[id] = NULL;
	}
	char *u = strdup(url);
	if (!u)
		return -1;
	free(rs->refurl[id]);
	rs->refurl[id] = u;
	return 0;
}

bool ruleset_refsys_known(const struct ruleset *rs, const char *name)
{
	for (uint32_t i = 0; i < rs->refsys.n; i++)
		if (!strcasecmp(rs->refsys.names[i], name))
			return true;
	return false;
}

int ruleset_load_references(struct ruleset *rs, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		log_error("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		char *s = kw_trim(line);
		const char *pfx = "config reference:";
		if (!*s || *s == '#')
			continue;
		if (strncmp(s, pfx, strlen(pfx))) {
			log_warn("%s:%u: not a reference line (ignored)", path, lineno);
			continue;
		}
		char *name = kw_trim(s + strlen(pfx));
		char *sp = strpbrk(name, " \t");
		if (!sp) {
			log_error("%s:%u: expected 'config reference: system URL'", path, lineno);
			rc = -1;
			continue;
		}
		*sp = '\0';
		if (refsys_set(rs, name, kw_trim(sp + 1)) < 0) {
			log_error("%s:%u: invalid or too many reference systems", path, lineno);
			rc = -1;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

static void name_table_free(struct name_table *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

/* Add or replace a classtype. 0 or -1 (OOM). */
static int class_set(struct ruleset *rs, const char *name, const char *desc, uint8_t prio)
{
	for (uint32_t i = 1; i < rs->n_classes; i++) {
		if (!strcmp(rs->classes[i].name, name)) {
			char *d = strdup(desc);
			if (!d)
				return -1;
			free(rs->classes[i].desc);
			rs->classes[i].desc = d;
			rs->classes[i].priority = prio;
			return 0;
		}
	}
	if (rs->n_classes >= 65535)
		return -1;
	struct classtype *nc = realloc(rs->classes, (rs->n_classes + 1) * sizeof(*nc));
	if (!nc)
		return -1;
	rs->classes = nc;
	nc[rs->n_classes].name = strdup(name);
	nc[rs->n_classes].desc = strdup(desc);
	nc[rs->n_classes].priority = prio;
	if (!nc[rs->n_classes].name || !nc[rs->n_classes].desc) {
		free(nc[rs->n_classes].name);
		free(nc[rs->n_classes].desc);
		return -1;
	}
	rs->n_classes++;
	return 0;
}

/* A path of the configuration: relative ones are taken in default-data-dir
 * when it is set. */
static void config_path(const struct config *cfg, const char *in, char *out, size_t outlen)
{
	if (in[0] != '/' && cfg->data_dir[0])
		snprintf(out, outlen, "%s/%s", cfg->data_dir, in);
	else
		snprintf(out, outlen, "%s", in);
}

/* Declare the configuration's datasets (datasets.NAME.*), loading their files. */
static int config_datasets(struct ruleset *rs)
{
	const struct config *cfg = rs->cfg;
	for (uint32_t i = 0; i < cfg->n_datasets; i++) {
		const struct config_dataset *cd = &cfg->datasets[i];
		char origin[CONFIG_DATASET_NAME + 32], err[DATASET_PATH_MAX + 256];
		snprintf(origin, sizeof(origin), "the configuration (datasets.%s)", cd->name);
		if (!cd->type[0]) {
			log_warn("datasets.%s: no type: the set is not declared", cd->name);
			continue;
		}
		struct dataset_decl *d = calloc(1, sizeof(*d));
		if (!d)
			return -1;
		d->type = dataset_type_parse(cd->type);
		d->memcap = cd->memcap;
		d->hashsize = cd->hashsize;
		d->origin = origin;
		if (cd->state[0]) {
			config_path(cfg, cd->state, d->save, sizeof(d->save));
			memcpy(d->load, d->save, sizeof(d->load));
			d->state = true;
		} else if (cd->load[0]) {
			config_path(cfg, cd->load, d->load, sizeof(d->load));
		}
		struct dataset *s = dataset_get(rs->datasets, cd->name, d, err, sizeof(err));
		free(d);
		if (!s) {
			log_error("datasets.%s: %s", cd->name, err);
			return -1;
		}
	}
	return 0;
}

/* reputation-categories-file and reputation-files: both, or neither. */
static int config_reputation(struct ruleset *rs)
{
	const struct config *cfg = rs->cfg;
	if (!cfg->reputation_categories[0] && !cfg->reputation_files[0])
		return 0;
	if (!cfg->reputation_categories[0] || !cfg->reputation_files[0]) {
		const char *missing =
		    cfg->reputation_files[0] ? "reputation-categories-file" : "reputation-files";
		log_error("IP reputation: %s is not set", missing);
		return -1;
	}
	char err[4300];
	rs->iprep = iprep_load(cfg->reputation_categories, cfg->reputation_files,
			       cfg->reputation_path, err, sizeof(err));
	if (!rs->iprep) {
		log_error("IP reputation: %s", err);
		return -1;
	}
	log_info("IP reputation: %u entries", iprep_entries(rs->iprep));
	return 0;
}

struct ruleset *ruleset_new(const struct config *cfg)
{
	struct ruleset *rs = calloc(1, sizeof(*rs));
	if (!rs)
		return NULL;
	rs->cfg = cfg;
	rs->max_messages = cfg->detect_max_rule_messages;
	rs->classes = calloc(1, sizeof(*rs->classes)); /* [0]: none */
	if (!rs->classes) {
		free(rs);
		return NULL;
	}
	rs->n_classes = 1;
	for (size_t i = 0; i < sizeof(builtin_classes) / sizeof(builtin_classes[0]); i++) {
		if (class_set(rs, builtin_classes[i].name, builtin_classes[i].desc,
			      builtin_classes[i].prio) < 0) {
			ruleset_free(rs);
			return NULL;
		}
	}
	for (size_t i = 0; i < sizeof(builtin_refs) / sizeof(builtin_refs[0]); i++) {
		if (refsys_set(rs, builtin_refs[i].name, builtin_refs[i].url) < 0) {
			ruleset_free(rs);
			return NULL;
		}
	}
	if (cfg->reference_file[0] && ruleset_load_references(rs, cfg->reference_file) < 0) {
		ruleset_free(rs);
		return NULL;
	}
	if (cfg->classification_file[0] &&
	    ruleset_load_classification(rs, cfg->classification_file) < 0) {
		ruleset_free(rs);
		return NULL;
	}
	rs->datasets = dataset_reg_new(cfg->dataset_memcap, cfg->dataset_hashsize);
	if (!rs->datasets || config_datasets(rs) < 0 || config_reputation(rs) < 0) {
		ruleset_free(rs);
		return NULL;
	}
	return rs;
}

static void reasons_free(struct reason_count *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		free(r[i].reason);
	free(r);
}

void ruleset_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (uint32_t i = 0; i < rs->n_rules; i++)
		rule_free(rs->rules[i]);
	free(rs->rules);
	for (uint32_t i = 1; i < rs->n_classes; i++) {
		free(rs->classes[i].name);
		free(rs->classes[i].desc);
	}
	free(rs->classes);
	name_table_free(&rs->flowbits);
	name_table_free(&rs->flowints);
	for (uint32_t i = 0; rs->refurl && i < rs->refsys.n; i++)
		free(rs->refurl[i]);
	free(rs->refurl);
	name_table_free(&rs->refsys);
	for (uint32_t i = 0; i < rs->n_files; i++)
		free(rs->files[i]);
	free(rs->files);
	reasons_free(rs->skips, rs->n_skip_reasons);
	reasons_free(rs->waits, rs->n_wait_reasons);
	dataset_reg_free(rs->datasets);
	iprep_free(rs->iprep);
	free(rs->sid_index);
	free(rs);
}

uint16_t ruleset_classtype(const struct ruleset *rs, const char *name)
{
	for (uint32_t i = 1; i < rs->n_classes; i++)
		if (!strcmp(rs->classes[i].name, name))
			return (uint16_t)i;
	return 0;
}

const char *ruleset_var(void *ctx, const char *name, bool port)
{
	const struct ruleset *rs = ctx;
	return config_var(rs->cfg, name, port);
}

/* Read one line of any length up to MAX_LINE; 1 ok, 0 EOF, -1 too long. */
static int read_line(FILE *f, char **buf, size_t *cap, size_t *len)
{
	ssize_t n = getline(buf, cap, f);
	if (n < 0)
		return 0;
	if ((size_t)n > MAX_LINE)
		return -1;
	while (n > 0 && ((*buf)[n - 1] == '\n' || (*buf)[n - 1] == '\r'))
		(*buf)[--n] = '\0';
	*len = (size_t)n;
	return 1;
}

int ruleset_load_classification(struct ruleset *rs, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		log_error("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0, len;
	uint32_t lineno = 0;
	int rc = 0, r;
	while ((r = read_line(f, &line, &cap, &len)) != 0) {
		lineno++;
		if (r < 0) {
			log_error("%s:%u: line too long", path, lineno);
			rc = -1;
			break;
		}
		char *s = kw_trim(line);
		if (!*s || *s == '#')
			continue;
		const char *pfx = "config classification:";
		if (strncmp(s, pfx, strlen(pfx))) {
			log_warn("%s:%u: not a classification line (ignored)", path, lineno);
			continue;
		}
		char buf[1024], *p[3];
		int64_t prio;
		if (kw_split(s + strlen(pfx), buf, sizeof(buf), p, 3) != 3 ||
		    kw_parse_int(p[2], 1, 255, &prio) < 0 || !*p[0]) {
			log_error(
			    "%s:%u: expected 'config classification: name,description,priority'",
			    path, lineno);
			rc = -1;
			continue;
		}
		if (class_set(rs, p[0], p[1], (uint8_t)prio) < 0) {
			log_error("%s:%u: out of memory", path, lineno);
			rc = -1;
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

static void count_reason(struct reason_count **arr, uint32_t *n, const char *reason,
			 const char *file, uint32_t line)
{
	for (uint32_t i = 0; i < *n; i++) {
		if (!strcmp((*arr)[i].reason, reason)) {
			(*arr)[i].count++;
			return;
		}
	}
	struct reason_count *na = realloc(*arr, (*n + 1) * sizeof(*na));
	if (!na)
		return;
	*arr = na;
	na[*n].reason = strdup(reason);
	if (!na[*n].reason)
		return;
	na[*n].count = 1;
	na[*n].first_file = file;
	na[*n].first_line = line;
	(*n)++;
}

static void message(struct ruleset *rs, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void message(struct ruleset *rs, int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	if (rs->n_messages++ >= rs->max_messages)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (rs->report)
		fprintf(rs->report, "%s\n", buf);
	else if (level == LOG_ERROR)
		log_error("%s", buf);
	else
		log_debug("%s", buf); /* skipped rules: `rules check` lists them */
}

/* sid index: open addressing over (gid << 32 | sid) -> rule index + 1. */
static int64_t sid_find(const struct ruleset *rs, uint64_t key, uint32_t *slot)
{
	if (!rs->sid_cap)
		return -1;
	uint32_t mask = rs->sid_cap - 1;
	uint32_t i = (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
	for (;;) {
		uint32_t v = rs->sid_index[i];
		if (!v) {
			*slot = i;
			return -1;
		}
		const struct rule *r = rs->rules[v - 1];
		if (((uint64_t)r->gid << 32 | r->sid) == key) {
			*slot = i;
			return v - 1;
		}
		i = (i + 1) & mask;
	}
}

static int sid_grow(struct ruleset *rs)
{
	uint32_t nc = rs->sid_cap ? rs->sid_cap * 2 : 1024;
	uint32_t *old = rs->sid_index, oc = rs->sid_cap;
	rs->sid_index = calloc(nc, sizeof(uint32_t));
	if (!rs->sid_index) {
		rs->sid_index = old;
		return -1;
	}
	rs->sid_cap = nc;
	for (uint32_t i = 0; i < oc; i++) {
		if (!old[i])
			continue;
		const struct rule *r = rs->rules[old[i] - 1];
		uint32_t slot;
		sid_find(rs, (uint64_t)r->gid << 32 | r->sid, &slot);
		rs->sid_index[slot] = old[i];
	}
	free(old);
	return 0;
}

int ruleset_add_rule(struct ruleset *rs, const char *text, const char *file, uint32_t line)
{
	struct rule_err e;
	rs->n_lines_rules++;
	rs->cur_file = file;
	rs->cur_line = line;
	struct rule *r = rule_parse(rs, text, &e);
	rs->cur_file = NULL;
	if (!r) {
		if (e.code == KW_UNSUPPORTED) {
			rs->n_skipped++;
			char reason[160];
			if (!strcmp(e.msg, "unsupported keyword"))
				snprintf(reason, sizeof(reason), "keyword %s", e.reason);
			else
				snprintf(reason, sizeof(reason), "%s",
					 e.reason[0] ? e.reason : e.kw);
			count_reason(&rs->skips, &rs->n_skip_reasons, reason, file, line);
			message(rs, LOG_INFO, "%s:%u:%u: skipped: %s: %s", file, line, e.col, e.kw,
				e.msg);
			return 1;
		}
		rs->n_errors++;
		message(rs, LOG_ERROR, "%s:%u:%u: error: %s: %s", file, line, e.col, e.kw, e.msg);
		return -1;
	}
	r->file = file;
	r->line = line;
	if (rs->n_rules * 2 >= rs->sid_cap && sid_grow(rs) < 0)
		goto oom;
	uint32_t slot;
	uint64_t key = (uint64_t)r->gid << 32 | r->sid;
	int64_t dup = sid_find(rs, key, &slot);
	if (dup >= 0) {
		struct rule *o = rs->rules[dup];
		rs->n_duplicates++;
		message(rs, LOG_ERROR,
			"%s:%u: duplicate sid %u (gid %u), first at %s:%u: keeping rev %u", file,
			line, r->sid, r->gid, o->file, o->line, r->rev > o->rev ? r->rev : o->rev);
		if (r->rev > o->rev) {
			r->id = o->id;
			rs->rules[dup] = r;
			rule_free(o);
		} else {
			rule_free(r);
		}
		return -1;
	}
	if (rs->n_rules == MAX_RULES)
		goto oom;
	if (rs->n_rules == rs->cap_rules) {
		uint32_t nc = rs->cap_rules ? rs->cap_rules * 2 : 1024;
		struct rule **nr = realloc(rs->rules, nc * sizeof(*nr));
		if (!nr)
			goto oom;
		rs->rules = nr;
		rs->cap_rules = nc;
	}
	r->id = rs->n_rules;
	rs->rules[rs->n_rules++] = r;
	rs->sid_index[slot] = rs->n_rules;
	rs->n_loaded++;
	if (e.waiting) {
		rs->n_waiting++;
		count_reason(&rs->waits, &rs->n_wait_reasons, e.waiting, file, line);
	}
	return 0;
oom:
	rule_free(r);
	rs->n_errors++;
	message(rs, LOG_ERROR, "%s:%u: out of memory (or more than %u rules)", file, line,
		MAX_RULES);
	return -1;
}

/* Keep the file name for the rules that borrow it. */
static const char *keep_name(struct ruleset *rs, const char *path)
{
	char **nf = realloc(rs->files, (rs->n_files + 1) * sizeof(*nf));
	if (!nf)
		return NULL;
	rs->files = nf;
	nf[rs->n_files] = strdup(path);
	return nf[rs->n_files] ? nf[rs->n_files++] : NULL;
}

int ruleset_load_file(struct ruleset *rs, const char *path)
{
	uint64_t t0 = now_ns();
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		log_error("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	const char *name = keep_name(rs, path);
	if (!name) {
		if (f != stdin)
			fclose(f);
		log_error("%s: out of memory", path);
		return -1;
	}
	char *line = NULL, *rule = NULL;
	size_t cap = 0, len, rlen = 0;
	uint32_t lineno = 0, start = 0;
	int r, rc = 0;
	while ((r = read_line(f, &line, &cap, &len)) != 0) {
		lineno++;
		if (r < 0) {
			rs->n_errors++;
			message(rs, LOG_ERROR, "%s:%u: line longer than %d bytes", name, lineno,
				MAX_LINE);
			free(rule);
			rule = NULL;
			rlen = 0;
			continue;
		}
		if (!rule) {
			char *s = line;
			while (*s == ' ' || *s == '\t')
				s++;
			if (!*s || *s == '#')
				continue;
			start = lineno;
		}
		bool cont = len > 0 && line[len - 1] == '\\';
		if (cont)
			line[--len] = '\0';
		if (rlen + len > MAX_LINE) {
			rs->n_errors++;
			message(rs, LOG_ERROR, "%s:%u: rule longer than %d bytes", name, start,
				MAX_LINE);
			free(rule);
			rule = NULL;
			rlen = 0;
			continue;
		}
		char *nr = realloc(rule, rlen + len + 1);
		if (!nr) {
			rc = -1;
			break;
		}
		rule = nr;
		memcpy(rule + rlen, line, len + 1);
		rlen += len;
		if (cont)
			continue;
		ruleset_add_rule(rs, rule, name, start);
		free(rule);
		rule = NULL;
		rlen = 0;
	}
	if (rule && rc == 0) /* a continuation on the last line */
		ruleset_add_rule(rs, rule, name, start);
	if (ferror(f)) {
		log_error("%s: read error: %s", path, strerror(errno));
		rc = -1;
	}
	free(rule);
	free(line);
	if (f != stdin)
		fclose(f);
	rs->load_ns += now_ns() - t0;
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ruleset_load_path(struct ruleset *rs, const char *path)
{
	struct stat st;
	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return ruleset_load_file(rs, path);
	DIR *d = opendir(path);
	if (!d) {
		log_error("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 7 || strcmp(de->d_name + l - 6, ".rules"))
			continue;
		char **nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn || asprintf(&nn[n], "%s/%s", path, de->d_name) < 0) {
			names = nn ? nn : names;
			rc = -1;
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (names)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && ruleset_load_file(rs, names[i]) < 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	if (rc < 0)
		log_error("%s: could not load every rules file", path);
	return rc;
}

static int cmp_reason(const void *a, const void *b)
{
	const struct reason_count *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->reason, y->reason);
}

void ruleset_report(const struct ruleset *rs, FILE *out)
{
	uint32_t total = rs->n_loaded + rs->n_skipped + rs->n_errors;
	if (rs->n_messages > rs->max_messages)
		fprintf(
		    out,
		    "(%u more messages not shown; --set detect.max-rule-messages=N shows more)\n",
		    rs->n_messages - rs->max_messages);
	fprintf(out, "rules: %u read, %u loaded (%.1f%%), %u skipped as unsupported, %u errors",
		total, rs->n_loaded, total ? 100.0 * rs->n_loaded / total : 0.0, rs->n_skipped,
		rs->n_errors);
	if (rs->n_duplicates)
		fprintf(out, " (%u duplicate sids)", rs->n_duplicates);
	fprintf(out, "\n");
	if (rs->n_skip_reasons) {
		struct reason_count *s = malloc(rs->n_skip_reasons * sizeof(*s));
		if (s) {
			memcpy(s, rs->skips, rs->n_skip_reasons * sizeof(*s));
			qsort(s, rs->n_skip_reasons, sizeof(*s), cmp_reason);
			fprintf(out, "skipped, by reason:\n");
			for (uint32_t i = 0; i < rs->n_skip_reasons; i++)
				fprintf(out, "  %6u  %s (first at %s:%u)\n", s[i].count,
					s[i].reason, s[i].first_file, s[i].first_line);
			free(s);
		}
	}
	if (rs->n_wait_reasons) {
		struct reason_count *s = malloc(rs->n_wait_reasons * sizeof(*s));
		if (s) {
			memcpy(s, rs->waits, rs->n_wait_reasons * sizeof(*s));
			qsort(s, rs->n_wait_reasons, sizeof(*s), cmp_reason);
			fprintf(out,
				"loaded, waiting for the application layer (%u rules), by first "
				"buffer:\n",
				rs->n_waiting);
			for (uint32_t i = 0; i < rs->n_wait_reasons; i++)
				fprintf(out, "  %6u  %s\n", s[i].count, s[i].reason);
			free(s);
		}
	}
	if (rs->n_tagged)
		fprintf(out, "tag: accepted on %u rules (tagging is not done)\n", rs->n_tagged);
	if (rs->n_unknown_refs)
		fprintf(out,
			"references: %u to systems not in reference.config (kept as written)\n",
			rs->n_unknown_refs);
	fprintf(out, "flowbits: %u names; flowints: %u names; load time %.3f s\n", rs->flowbits.n,
		rs->flowints.n, rs->load_ns / 1e9);
}
