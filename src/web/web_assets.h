/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The page's files (web/), compiled into the binary by the build
 * (scripts/embed_assets.sh writes $(OUTPUT)/gen/web_assets.c), so the
 * page needs nothing from outside. */
#ifndef HDRLOG_WEB_ASSETS_H
#define HDRLOG_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path; /* "/app.js" */
	const char *type; /* its Content-Type */
	const unsigned char *data;
	size_t len;
};

extern const struct web_asset web_assets[];
extern const size_t web_n_assets;

#endif
