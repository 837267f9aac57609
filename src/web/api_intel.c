/*
 * api_intel — POST /api/intel: an uploaded feed is imported, kept in the
 * intel folder and hunted over the store, as `mamori intel import` does
 * (store/hunt_cmd.c). One upload at a time (409 while one runs). A feed
 * that is refused changes nothing: it is neither kept nor hunted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "intel/import.h"
#include "store/hunt_cmd.h"
#include "web/web_int.h"

/* A file name of letters, digits, '.', '-', '_', not starting with '.'. */
static bool name_ok(const char *n)
{
	size_t len = strlen(n);
	if (!len || len > WEB_NAME_MAX || n[0] == '.')
		return false;
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
			return false;
	return true;
}

static int write_all(const char *path, const char *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return -1;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return close(fd);
}

/* The error without the temporary folder: "NAME:LINE: ...". */
static void strip_dir(char *err, const char *dir)
{
	size_t dl = strlen(dir);
	char *p;
	while ((p = strstr(err, dir))) {
		size_t skip = dl + (p[dl] == '/');
		memmove(p, p + skip, strlen(p + skip) + 1);
	}
}

void api_intel(struct web_req *rq, struct web_resp *rs)
{
	struct web_server *s = rq->srv;
	const char *format = web_arg(rq, "format"), *name = web_arg(rq, "name");
	char def[64];
	if (format && !*format)
		format = NULL;
	if (format && !ioc_importer_find(format)) {
		web_error(rs, 400, "format: not an importer's name ('mamori intel import --help')");
		return;
	}
	if (!name || !*name) {
		snprintf(def, sizeof(def), "upload-%lld.intel", (long long)time(NULL));
		name = def;
	}
	if (!name_ok(name)) {
		web_error(rs, 400,
			  "name: letters, digits, '.', '-' and '_' (at most %d), not "
			  "starting with '.'",
			  WEB_NAME_MAX);
		return;
	}
	if (!rq->body_len) {
		web_error(rs, 400, "the body is the feed, and it is empty");
		return;
	}
	if (pthread_mutex_trylock(&s->upload_lock) != 0) {
		web_error(rs, 409, "an upload is being imported: try again");
		return;
	}
	char dir[] = "/tmp/mamori-upload-XXXXXX", path[256];
	if (!mkdtemp(dir)) {
		pthread_mutex_unlock(&s->upload_lock);
		web_error(rs, 500, "cannot make a temporary folder: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (write_all(path, rq->body, rq->body_len) < 0) {
		unlink(path);
		rmdir(dir);
		pthread_mutex_unlock(&s->upload_lock);
		web_error(rs, 500, "cannot write the upload: %s", strerror(errno));
		return;
	}
	const char *feeds[1] = {path};
	struct hunt_job j = {s->cfg, s->store, feeds, 1, format, "180d", true, NULL, true};
	struct hunt_result r;
	int rc = hunt_run(&j, &r);
	unlink(path);
	rmdir(dir);
	pthread_mutex_unlock(&s->upload_lock);
	strip_dir(r.err, dir);
	if (r.feed_failed) {
		web_error(rs, 400, "%s", r.err[0] ? r.err : "the feed was refused");
		return;
	}
	if (rc != 0) {
		web_error(rs, 500, "%s", r.err[0] ? r.err : "the import failed");
		return;
	}
	atomic_fetch_add(&s->c.uploads, 1);
	log_info("serve: intel upload %s: %llu indicators, %llu sightings", name,
		 (unsigned long long)r.loaded, (unsigned long long)r.hs.sightings);
	json_t *o = json_object();
	json_object_set_new(o, "file", json_string(name));
	json_object_set_new(o, "format", json_string(r.format ? r.format : ""));
	json_object_set_new(o, "loaded", json_integer((json_int_t)r.loaded));
	json_object_set_new(o, "duplicates", json_integer((json_int_t)r.duplicates));
	json_object_set_new(o, "skipped", json_integer((json_int_t)r.skipped));
	json_object_set_new(o, "sightings", json_integer((json_int_t)r.hs.sightings));
	json_object_set_new(o, "matched", json_integer((json_int_t)r.hs.matched));
	json_object_set_new(o, "records", json_integer((json_int_t)r.hs.records));
	json_object_set_new(o, "incidents", json_integer(r.incidents_after));
	json_object_set_new(o, "incidents_opened",
			    json_integer(r.incidents_after > r.incidents_before
					     ? r.incidents_after - r.incidents_before
					     : 0));
	web_json(rs, 200, o);
}
