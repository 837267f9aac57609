/*
 * yara — see yara.h.
 */
#include "app/yara.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yara.h>

#include "core/log.h"

#define SCAN_TIMEOUT_S 5

struct app_yara {
	YR_RULES *rules;
	uint32_t n_rules;
};

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static int users;

struct compile_ctx {
	int errors;
};

static void on_compile_msg(int level, const char *file, int line, const YR_RULE *rule,
			   const char *msg, void *user)
{
	struct compile_ctx *c = user;
	(void)rule;
	if (level == YARA_ERROR_LEVEL_ERROR) {
		c->errors++;
		log_error("%s:%d: yara: %s", file ? file : "?", line, msg);
	} else {
		log_warn("%s:%d: yara: %s", file ? file : "?", line, msg);
	}
}

static int add_file(YR_COMPILER *comp, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		log_error("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	int errs = yr_compiler_add_file(comp, f, NULL, path);
	fclose(f);
	return errs ? -1 : 0;
}

static bool yara_name(const char *n)
{
	size_t l = strlen(n);
	return (l > 4 && !strcmp(n + l - 4, ".yar")) || (l > 5 && !strcmp(n + l - 5, ".yara"));
}

static int compare_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct app_yara *app_yara_load(const char *path)
{
	struct app_yara *y = calloc(1, sizeof(*y));
	YR_COMPILER *comp = NULL;
	struct compile_ctx cc = {0};
	char **names = NULL;
	size_t nn = 0;
	bool ok = false;
	if (!y)
		return NULL;
	pthread_mutex_lock(&init_lock);
	if (users++ == 0 && yr_initialize() != ERROR_SUCCESS) {
		users--;
		pthread_mutex_unlock(&init_lock);
		log_error("yara: cannot initialise libyara");
		free(y);
		return NULL;
	}
	pthread_mutex_unlock(&init_lock);
	if (yr_compiler_create(&comp) != ERROR_SUCCESS) {
		log_error("yara: out of memory");
		goto out;
	}
	yr_compiler_set_callback(comp, on_compile_msg, &cc);
	struct stat st;
	if (stat(path, &st) < 0) {
		log_error("%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		if (!d) {
			log_error("%s: %s", path, strerror(errno));
			goto out;
		}
		struct dirent *e;
		while ((e = readdir(d))) {
			if (!yara_name(e->d_name))
				continue;
			char **nv = realloc(names, (nn + 1) * sizeof(*nv));
			char *full = malloc(strlen(path) + strlen(e->d_name) + 2);
			if (!nv || !full) {
				free(full);
				if (nv)
					names = nv;
				closedir(d);
				goto out;
			}
			names = nv;
			sprintf(full, "%s/%s", path, e->d_name);
			names[nn++] = full;
		}
		closedir(d);
		qsort(names, nn, sizeof(*names), compare_str);
		for (size_t i = 0; i < nn; i++)
			if (add_file(comp, names[i]) < 0)
				goto out;
		if (nn == 0)
			log_warn("%s: no .yar or .yara files", path);
	} else if (add_file(comp, path) < 0) {
		goto out;
	}
	if (cc.errors || yr_compiler_get_rules(comp, &y->rules) != ERROR_SUCCESS)
		goto out;
	YR_RULE *r;
	yr_rules_foreach(y->rules, r) y->n_rules++;
	ok = true;
out:
	if (comp)
		yr_compiler_destroy(comp);
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (!ok) {
		app_yara_free(y);
		return NULL;
	}
	log_info("yara: %u rules from %s", y->n_rules, path);
	return y;
}

void app_yara_free(struct app_yara *y)
{
	if (!y)
		return;
	if (y->rules)
		yr_rules_destroy(y->rules);
	free(y);
	pthread_mutex_lock(&init_lock);
	if (--users == 0)
		yr_finalize();
	pthread_mutex_unlock(&init_lock);
}

uint32_t app_yara_rule_count(const struct app_yara *y)
{
	return y ? y->n_rules : 0;
}

struct scan_ctx {
	char (*names)[APP_YARA_NAME_MAX];
	int max, n;
};

static int on_scan(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *user)
{
	struct scan_ctx *s = user;
	(void)ctx;
	if (msg == CALLBACK_MSG_RULE_MATCHING) {
		const YR_RULE *r = data;
		if (s->n < s->max)
			snprintf(s->names[s->n], APP_YARA_NAME_MAX, "%s", r->identifier);
		s->n++;
	}
	return CALLBACK_CONTINUE;
}

int app_yara_scan(const struct app_yara *y, const uint8_t *d, uint32_t n,
		  char names[][APP_YARA_NAME_MAX], int max)
{
	struct scan_ctx s = {names, max, 0};
	if (!y || !y->rules)
		return 0;
	if (yr_rules_scan_mem(y->rules, d, n, SCAN_FLAGS_FAST_MODE, on_scan, &s, SCAN_TIMEOUT_S) !=
	    ERROR_SUCCESS)
		return -1;
	return s.n;
}
