/*
 * fuzz_rules — the rule parser and loader on arbitrary text: each line (with
 * no continuations) is parsed as a rule into one ruleset, and the whole input
 * is also read as a threshold.config. Every
 * keyword's setup, the address/port set algebra, variables, transforms and
 * PCRE compilation are reachable.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/log.h"
#include "detect/ruleset.h"
#include "detect/thresholdcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	static int init;
	if (!init) {
		config_defaults(&cfg);
		/* a variable that refers to itself must be caught, not recursed */
		config_set(&cfg, "vars.address-groups.LOOP", "[$LOOP,1.2.3.4]", "fuzz");
		config_set(&cfg, "vars.port-groups.PLOOP", "$PLOOP", "fuzz");
		log_set_level(LOG_ERROR);
		init = 1;
	}
	if (size > 256 * 1024)
		return 0;
	struct ruleset *rs = ruleset_new(&cfg);
	if (!rs)
		return 0;
	rs->max_messages = 0;
	char *text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
		char *save = NULL;
		uint32_t line = 0;
		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			ruleset_add_rule(rs, l, "fuzz", ++line);
		free(text);
	}
	FILE *f = fmemopen((void *)data, size, "r");
	if (f) {
		threshold_config_free(threshold_config_read(f, "fuzz", rs));
		fclose(f);
	}
	ruleset_free(rs);
	return 0;
}
