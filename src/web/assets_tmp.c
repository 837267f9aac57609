/*
 * assets_tmp — a placeholder page until the dashboard's files are built in.
 */
#include <string.h>

#include "web/assets.h"

static const unsigned char index_html[] = "<!doctype html><title>mamori</title><p>mamori</p>\n";

const struct web_asset web_assets[] = {
    {"/", "text/html; charset=utf-8", index_html, sizeof(index_html) - 1, "\"0\""},
    {"/index.html", "text/html; charset=utf-8", index_html, sizeof(index_html) - 1, "\"0\""},
};
const size_t web_assets_n = sizeof(web_assets) / sizeof(web_assets[0]);

const struct web_asset *web_asset_find(const char *path)
{
	for (size_t i = 0; i < web_assets_n; i++)
		if (!strcmp(web_assets[i].path, path))
			return &web_assets[i];
	return NULL;
}
