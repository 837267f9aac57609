/*
 * static — the dashboard's files: from the table built into the binary
 * (looked up by exact path, nothing else is reachable), or, with
 * serve.static-dir, from that folder first. A path from the folder is
 * refused when it holds "..", "//", a backslash or a control byte, and the
 * file it resolves to (symbolic links followed) must lie inside the
 * folder. Files are revalidated by ETag (304 when unchanged).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "web/assets.h"
#include "web/web_int.h"

#define STATIC_FILE_MAX (16u << 20)

static const struct {
	const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".md", "text/markdown; charset=utf-8"},
    {".txt", "text/plain; charset=utf-8"},
};

static const char *type_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static bool path_ok(const char *p)
{
	if (p[0] != '/' || strstr(p, "..") || strstr(p, "//") || strchr(p, '\\'))
		return false;
	for (; *p; p++)
		if ((unsigned char)*p < 32 || *p == 127)
			return false;
	return true;
}

static void not_found(struct web_resp *rs)
{
	static const char msg[] = "not found\n";
	web_text(rs, 404, "text/plain; charset=utf-8", NULL, 0);
	rs->static_body = msg;
	rs->len = sizeof(msg) - 1;
}

/* The file from serve.static-dir: 1 served, 0 not there, -1 refused. */
static int from_dir(const struct web_server *s, const char *path, struct web_resp *rs)
{
	char want[PATH_MAX], real[PATH_MAX];
	if (snprintf(want, sizeof(want), "%s%s", s->static_real,
		     strcmp(path, "/") ? path : "/index.html") >= (int)sizeof(want))
		return -1;
	if (!realpath(want, real))
		return 0;
	size_t rl = strlen(s->static_real);
	if (strncmp(real, s->static_real, rl) || real[rl] != '/')
		return -1;
	int fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > STATIC_FILE_MAX) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!buf) {
		web_error(rs, 500, "out of memory");
		return 1;
	}
	web_text(rs, 200, type_of(real), buf, got);
	return 1;
}

void web_static(struct web_req *rq, struct web_resp *rs)
{
	const struct web_server *s = rq->srv;
	const char *path = rq->path;
	if (!path_ok(path)) {
		not_found(rs);
		return;
	}
	if (s->static_dir) {
		int r = from_dir(s, path, rs);
		if (r < 0) {
			not_found(rs);
			return;
		}
		if (r > 0)
			return;
	}
	const struct web_asset *a = web_asset_find(path);
	if (!a) {
		not_found(rs);
		return;
	}
	rs->etag = a->etag;
	if (rq->if_none_match && web_same(rq->if_none_match, a->etag)) {
		web_text(rs, 304, a->type, NULL, 0);
		return;
	}
	web_text(rs, 200, a->type, NULL, 0);
	rs->static_body = a->data;
	rs->len = a->len;
}
