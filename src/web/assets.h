/*
 * assets — the dashboard's files (web/), embedded in the binary at build
 * time: the table is written by tools/embed/embed.c (mamori-embed) into the
 * build folder's web_assets.c, and the server answers static requests from
 * it. Constant data: thread-safe, nothing to free.
 */
#ifndef MAMORI_WEB_ASSETS_H
#define MAMORI_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path; /* URL path, e.g. "/app.js"; "/" is index.html */
	const char *type; /* Content-Type, with charset for text */
	const unsigned char *data;
	size_t len;
	const char *etag; /* quoted strong validator, e.g. "\"3f2a...\"" (a hash of the bytes) */
};
extern const struct web_asset web_assets[];
extern const size_t web_assets_n;
/* The asset at exactly this path, or NULL. */
const struct web_asset *web_asset_find(const char *path);

#endif
