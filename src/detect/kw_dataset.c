/*
 * kw_dataset — `dataset` and `datarep`, on the current sticky buffer (after
 * its transforms), as Suricata defines them:
 *   dataset:<set|unset|isset|isnotset>,<name>[,type T][,load F][,save F]
 *           [,state F][,memcap N][,hashsize N]
 *   datarep:<name>,<op>,<value>[,type T][,load F][,memcap N][,hashsize N]
 * set matches when the buffer was added (it was not there), unset when it
 * was removed; datarep compares the reputation of a buffer in the set (ops
 * > < >= <= == !=; a buffer not in the set never matches). Sets are the
 * ruleset's (dataset.h): the first declaration gives the type and files.
 *
 * Files: `load` is taken beside the rule file unless absolute; `save` and
 * `state` (load at start, save at the end) in default-data-dir, else beside
 * the rule file. As in Suricata, save/state need datasets.rules.allow-write
 * (on by default) and may be neither absolute nor hold '..' unless
 * datasets.rules.allow-absolute-filenames is set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "detect/buffers.h"
#include "detect/dataset.h"
#include "detect/keyword.h"
#include "detect/kw_inspect.h"
#include "detect/ruleset.h"

#define MAX_PARTS 16

static int need_sticky(struct rule_ctx *rc)
{
	if (rc->cur_buf < 0 || rc->r->bufs[rc->cur_buf].buf == BUF_PAYLOAD)
		return kw_fail(rc, KW_ERR, "needs a sticky buffer before it (dns.query; %s:...)",
			       rc->kw_name);
	return KW_OK;
}

static bool name_ok(const char *s)
{
	if (!*s || strlen(s) > DATASET_NAME_MAX)
		return false;
	for (; *s; s++)
		if (*s == ' ' || *s == '\t')
			return false;
	return true;
}

static bool has_dotdot(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '/' || s[2] == '\0'))
			return true;
	return false;
}

/* load: beside the rule file unless absolute. */
static void load_path(struct rule_ctx *rc, const char *in, char *out)
{
	const char *dir = rule_ctx_rule_dir(rc);
	if (in[0] == '/' || !dir)
		snprintf(out, DATASET_PATH_MAX, "%s", in);
	else
		snprintf(out, DATASET_PATH_MAX, "%s/%s", dir, in);
}

/* save and state: the rules may write only where the configuration allows. */
static int save_path(struct rule_ctx *rc, const char *in, char *out)
{
	const struct config *cfg = rc->rs->cfg;
	if (!cfg->dataset_allow_write)
		return kw_fail(rc, KW_ERR,
			       "save and state are disabled (datasets.rules.allow-write: false)");
	if (!cfg->dataset_allow_absolute && (in[0] == '/' || has_dotdot(in)))
		return kw_fail(rc, KW_ERR,
			       "'%s': absolute paths and '..' need "
			       "datasets.rules.allow-absolute-filenames",
			       in);
	if (in[0] == '/')
		snprintf(out, DATASET_PATH_MAX, "%s", in);
	else if (cfg->data_dir[0])
		snprintf(out, DATASET_PATH_MAX, "%s/%s", cfg->data_dir, in);
	else
		load_path(rc, in, out);
	return KW_OK;
}

/* The options after the positional parts, each "key value". */
static int parse_options(struct rule_ctx *rc, char **parts, int n, bool datarep,
			 struct dataset_decl *d)
{
	bool seen_load = false, seen_save = false, seen_state = false;
	for (int i = 0; i < n; i++) {
		char *key = parts[i];
		char *val = strpbrk(key, " \t");
		if (val) {
			*val++ = '\0';
			val = kw_trim(val);
		}
		if (!strcmp(key, "remove_key") || !strcmp(key, "enrichment_key") ||
		    !strcmp(key, "value_key") || !strcmp(key, "array_key"))
			return kw_fail(rc, KW_UNSUPPORTED, "JSON datasets (%s)", key);
		if (!val || !*val)
			return kw_fail(rc, KW_ERR, "option '%s' needs a value", key);
		if (!strcmp(key, "type")) {
			d->type = dataset_type_parse(val);
			if (d->type == DATASET_NOTSET)
				return kw_fail(rc, KW_ERR,
					       "unknown type '%s' (string, md5, sha256, ipv4, ip)",
					       val);
		} else if (!strcmp(key, "load") || !strcmp(key, "save") || !strcmp(key, "state")) {
			bool *seen = key[0] == 'l'   ? &seen_load
				     : key[1] == 'a' ? &seen_save
						     : &seen_state;
			if (*seen)
				return kw_fail(rc, KW_ERR, "'%s' can appear only once", key);
			*seen = true;
			if (key[0] == 'l') {
				load_path(rc, val, d->load);
				continue;
			}
			if (datarep)
				return kw_fail(rc, KW_ERR, "datarep sets are read only: no %s",
					       key);
			int rcode = save_path(rc, val, d->save);
			if (rcode)
				return rcode;
			if (key[1] == 't') {
				memcpy(d->load, d->save, sizeof(d->load));
				d->state = true;
			}
		} else if (!strcmp(key, "memcap") || !strcmp(key, "hashsize")) {
			uint64_t v;
			bool hs = key[0] == 'h';
			if (config_parse_size(val, &v) < 0 || v == 0 ||
			    (hs && v > DATASET_HASH_MAX))
				return kw_fail(rc, KW_ERR, "invalid %s '%s'%s", key, val,
					       hs ? " (1 to 16777216 buckets)" : "");
			if (hs)
				d->hashsize = (uint32_t)v;
			else
				d->memcap = v;
		} else if (!strcmp(key, "format")) {
			if (!strcmp(val, "json") || !strcmp(val, "jsonline"))
				return kw_fail(rc, KW_UNSUPPORTED, "JSON datasets (format %s)",
					       val);
			if (strcmp(val, "csv"))
				return kw_fail(rc, KW_ERR, "unknown format '%s'", val);
		} else {
			return kw_fail(rc, KW_ERR,
				       datarep
					   ? "unknown option '%s' (type, load, memcap, hashsize)"
					   : "unknown option '%s' (type, load, save, state, "
					     "memcap, hashsize)",
				       key);
		}
	}
	if (seen_state && (seen_load || seen_save))
		return kw_fail(rc, KW_ERR, "'state' cannot be mixed with 'load' or 'save'");
	if (datarep && seen_load && d->type == DATASET_NOTSET)
		return kw_fail(rc, KW_ERR, "'load' needs 'type' as well");
	return KW_OK;
}

/* Declare or find the set named by a rule; KW_OK with *out. */
static int get_set(struct rule_ctx *rc, const char *name, char **opts, int n, bool datarep,
		   struct dataset **out)
{
	if (!rc->rs || !rc->rs->datasets)
		return kw_fail(rc, KW_ERR, "no ruleset to hold the set");
	if (!name_ok(name))
		return kw_fail(rc, KW_ERR, "invalid set name '%s' (1 to %d characters, no blanks)",
			       name, DATASET_NAME_MAX);
	struct dataset_decl *d = calloc(1, sizeof(*d));
	if (!d)
		return kw_fail(rc, KW_ERR, "out of memory");
	d->type = DATASET_NOTSET;
	int rcode = parse_options(rc, opts, n, datarep, d);
	if (rcode) {
		free(d);
		return rcode;
	}
	char origin[600];
	if (rc->rs->cur_file)
		snprintf(origin, sizeof(origin), "%s:%u", rc->rs->cur_file, rc->rs->cur_line);
	else
		snprintf(origin, sizeof(origin), "a rule");
	d->origin = origin;
	char err[DATASET_PATH_MAX * 2 + 200];
	*out = dataset_get(rc->rs->datasets, name, d, err, sizeof(err));
	free(d);
	if (!*out)
		return kw_fail(rc, KW_ERR, "%s", err);
	return KW_OK;
}

static int setup_dataset(struct rule_ctx *rc, const char *v)
{
	static const char *const cmds[] = {"set", "unset", "isset", "isnotset"};
	char buf[4096], *p[MAX_PARTS];
	int rcode = need_sticky(rc);
	if (rcode)
		return rcode;
	int n = kw_split(v, buf, sizeof(buf), p, MAX_PARTS);
	if (n < 2)
		return kw_fail(rc, KW_ERR,
			       "expected <set|unset|isset|isnotset>,<name>[,type T][,load F]"
			       "[,save F][,state F][,memcap N][,hashsize N]");
	int cmd = -1;
	for (int i = 0; i < 4; i++)
		if (!strcmp(p[0], cmds[i]))
			cmd = i;
	if (cmd < 0)
		return kw_fail(rc, KW_ERR, "unknown command '%s' (set, unset, isset, isnotset)",
			       p[0]);
	struct dataset *set;
	rcode = get_set(rc, p[1], p + 2, n - 2, false, &set);
	if (rcode)
		return rcode;
	if (cmd == DATASET_CMD_SET || cmd == DATASET_CMD_UNSET)
		dataset_mark_writable(set);
	struct dataset_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	c->set = set;
	c->cmd = (uint8_t)cmd;
	if (rule_ctx_add_buffer_sm(rc, KW_dataset, c) < 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "out of memory or too many keywords");
	}
	return KW_OK;
}

static int setup_datarep(struct rule_ctx *rc, const char *v)
{
	static const char *const ops[] = {">", "<", ">=", "<=", "==", "!="};
	char buf[4096], *p[MAX_PARTS];
	int rcode = need_sticky(rc);
	if (rcode)
		return rcode;
	int n = kw_split(v, buf, sizeof(buf), p, MAX_PARTS);
	if (n < 3)
		return kw_fail(rc, KW_ERR,
			       "expected <name>,<op>,<value>[,type T][,load F][,memcap N]"
			       "[,hashsize N]");
	int op = -1;
	for (int i = 0; i < 6; i++)
		if (!strcmp(p[1], ops[i]))
			op = i;
	if (op < 0)
		return kw_fail(rc, KW_ERR, "unknown operator '%s' (>, <, >=, <=, ==, !=)", p[1]);
	int64_t value;
	if (kw_parse_int(p[2], 0, UINT16_MAX, &value) < 0)
		return kw_fail(rc, KW_ERR, "reputation '%s' is not a number from 0 to 65535", p[2]);
	struct dataset *set;
	rcode = get_set(rc, p[0], p + 3, n - 3, true, &set);
	if (rcode)
		return rcode;
	struct datarep_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	c->set = set;
	c->op = (uint8_t)op;
	c->value = (uint16_t)value;
	if (rule_ctx_add_buffer_sm(rc, KW_datarep, c) < 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "out of memory or too many keywords");
	}
	return KW_OK;
}

const struct kw_def kw_dataset = {"dataset", KWF_VALUE, setup_dataset, free, NULL,
				  NULL,	     0,		NULL,	       NULL};
const struct kw_def kw_datarep = {"datarep", KWF_VALUE, setup_datarep, free, NULL,
				  NULL,	     0,		NULL,	       NULL};
