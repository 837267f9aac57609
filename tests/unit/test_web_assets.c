/*
 * The embedded dashboard (src/web/assets.h): every file of web/ and the
 * pinned Chart.js is in the table with the bytes of the source tree's file,
 * its type and its SHA-256 as ETag; "/" and "/index.html" share one copy;
 * lookups are exact. Then mamori-embed itself on bytes of every value and
 * an empty file: the arrays it writes give the same bytes back.
 */
#include <openssl/sha.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "web/assets.h"

static unsigned char *slurp(const char *name, size_t *len)
{
	FILE *f = fopen(name, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 20, n = 0, got;
	unsigned char *buf = malloc(cap);
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			unsigned char *b = realloc(buf, cap *= 2);
			if (!b)
				free(buf);
			buf = b;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

static void same_as_file(const char *path, const char *file, const char *type)
{
	char name[512], etag[80] = "\"";
	const struct web_asset *a = web_asset_find(path);
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_STR(a->path, path);
	CHECK_STR(a->type, type);
	snprintf(name, sizeof(name), "%s/%s", MAMORI_SOURCE_DIR, file);
	size_t len = 0;
	unsigned char *want = slurp(name, &len), md[SHA256_DIGEST_LENGTH];
	CHECK(want != NULL);
	if (!want)
		return;
	CHECK_EQ(a->len, len);
	CHECK(a->len == len && memcmp(a->data, want, len) == 0);
	SHA256(want, len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(etag + 1 + 2 * i, 3, "%02x", md[i]);
	strcat(etag, "\"");
	CHECK_STR(a->etag, etag);
	free(want);
}

/* The bytes of array asset_N in mamori-embed's output, parsed back. */
static size_t parse_array(const char *src, int idx, unsigned char *out, size_t cap)
{
	char head[32];
	snprintf(head, sizeof(head), "asset_%d[] = {", idx);
	const char *p = strstr(src, head), *end;
	if (!p || !(end = strstr(p, "};")))
		return (size_t)-1;
	size_t n = 0;
	for (p += strlen(head); (p = strstr(p, "0x")) && p < end; p += 4)
		if (n < cap)
			out[n++] = (unsigned char)strtoul(p, NULL, 16);
	return n;
}

static void embed_tool(void)
{
	char dir[] = "/tmp/mamori-embed-XXXXXX", bin[600], empty[600], outc[600], cmd[4096];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(bin, sizeof(bin), "%s/all.bin", dir);
	snprintf(empty, sizeof(empty), "%s/empty", dir);
	snprintf(outc, sizeof(outc), "%s/out.c", dir);
	unsigned char all[1000];
	for (size_t i = 0; i < sizeof(all); i++)
		all[i] = (unsigned char)(i * 7 + i / 256);
	FILE *f = fopen(bin, "wb");
	CHECK(f && fwrite(all, 1, sizeof(all), f) == sizeof(all));
	if (f)
		fclose(f);
	f = fopen(empty, "wb");
	CHECK(f != NULL);
	if (f)
		fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "'%s' '%s' '/a=%s=application/octet-stream' '/b=%s=text/plain' "
		 "'/c=%s=text/x; charset=latin1' '/\"q?\\=%s=image/png'",
		 MAMORI_EMBED, outc, bin, empty, bin, bin);
	CHECK_EQ(system(cmd), 0);
	size_t len = 0;
	char *src = (char *)slurp(outc, &len);
	CHECK(src != NULL);
	if (!src)
		goto out;
	char *z = realloc(src, len + 1);
	CHECK(z != NULL);
	if (!z) {
		free(src);
		goto out;
	}
	src = z;
	src[len] = '\0';
	unsigned char back[2000];
	CHECK_EQ(parse_array(src, 0, back, sizeof(back)), sizeof(all));
	CHECK(memcmp(back, all, sizeof(all)) == 0);
	/* the empty file: one placeholder element, length 0 */
	CHECK(strstr(src, "asset_1[] = {0};") != NULL);
	CHECK(strstr(src, "{\"/b\", \"text/plain; charset=utf-8\", asset_1, 0, ") != NULL);
	/* a file named twice is written once; a charset given is kept */
	CHECK(strstr(src, "asset_2[]") == NULL);
	CHECK(strstr(src, "{\"/c\", \"text/x; charset=latin1\", asset_0, 1000, ") != NULL);
	CHECK(strstr(src, "{\"/a\", \"application/octet-stream\", asset_0, 1000, ") != NULL);
	/* quotes and question marks in a path are escaped */
	CHECK(strstr(src, "{\"/\\\"q\\077\\\\\", \"image/png\", asset_0, ") != NULL);
	free(src);
	/* usage errors and unreadable files fail, and leave no output */
	remove(outc);
	snprintf(cmd, sizeof(cmd), "'%s' '%s' 'nopath' 2>/dev/null", MAMORI_EMBED, outc);
	CHECK(system(cmd) != 0);
	snprintf(cmd, sizeof(cmd), "'%s' '%s' '/x=%s/none=text/plain' 2>/dev/null", MAMORI_EMBED,
		 outc, dir);
	CHECK(system(cmd) != 0);
	f = fopen(outc, "r");
	CHECK(f == NULL);
	if (f)
		fclose(f);
out:
	remove(bin);
	remove(empty);
	remove(outc);
	rmdir(dir);
}

int main(void)
{
	same_as_file("/", "web/index.html", "text/html; charset=utf-8");
	same_as_file("/index.html", "web/index.html", "text/html; charset=utf-8");
	same_as_file("/app.js", "web/app.js", "text/javascript; charset=utf-8");
	same_as_file("/app.css", "web/app.css", "text/css; charset=utf-8");
	same_as_file("/vendor/chart.umd.min.js", "web/node_modules/chart.js/dist/chart.umd.min.js",
		     "text/javascript; charset=utf-8");
	same_as_file("/vendor/chart.js.LICENSE.md", "web/node_modules/chart.js/LICENSE.md",
		     "text/plain; charset=utf-8");
	CHECK(web_asset_find("/")->data == web_asset_find("/index.html")->data);
	/* every asset is well formed, every path once */
	for (size_t i = 0; i < web_assets_n; i++) {
		const struct web_asset *a = &web_assets[i];
		CHECK(a->path[0] == '/' && a->data && a->type && strlen(a->etag) == 66);
		CHECK(web_asset_find(a->path) == a);
	}
	CHECK(web_asset_find(NULL) == NULL);
	CHECK(web_asset_find("") == NULL);
	CHECK(web_asset_find("/app.js?v=1") == NULL);
	CHECK(web_asset_find("/./app.js") == NULL);
	CHECK(web_asset_find("/APP.JS") == NULL);
	CHECK(web_asset_find("app.js") == NULL);
	CHECK(web_asset_find("/package.json") == NULL);
	CHECK(web_asset_find("/node_modules/chart.js/LICENSE.md") == NULL);
	embed_tool();
	return check_report("web_assets");
}
