/*
 * assets — lookup in the embedded dashboard files (the table itself is
 * generated at build time, see assets.h). Exact names only: no decoding,
 * no normalisation, so "/app.js?x" or "/./app.js" are simply not found.
 */
#include "web/assets.h"

#include <string.h>

const struct web_asset *web_asset_find(const char *path)
{
	if (!path)
		return NULL;
	for (size_t i = 0; i < web_assets_n; i++)
		if (strcmp(web_assets[i].path, path) == 0)
			return &web_assets[i];
	return NULL;
}
