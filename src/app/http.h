/*
 * http — what the HTTP parser (app_http.c, on libhtp) keeps per transaction
 * besides libhtp's own fields, read by detection (through the parser's
 * buffer function) and by the EVE writer (eve_http.c).
 */
#ifndef MAMORI_APP_HTTP_H
#define MAMORI_APP_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include "app/file.h"

/* A capped, growable byte buffer. */
struct http_buf {
	uint8_t *p;
	uint32_t len, cap;
};

struct htp_tx_t;

/* Per transaction; [0] request side, [1] response side. */
struct http_txd {
	struct htp_tx_t *tx; /* libhtp's transaction */
	uint64_t id;	     /* tx_id in the flow */
	void *uri_norm;	     /* bstr *: normalised "path?query" (http.uri) */
	struct http_buf body[2];    /* de-chunked, decompressed, up to the body limit */
	uint64_t body_seen[2];	    /* body bytes seen (the kept part may be less) */
	bool body_truncated[2];
	struct http_buf hdr_raw[2]; /* header block as received */
	struct http_buf hdr[2];	    /* "Name: value\r\n"..., cookies left out */
	struct http_buf names[2];   /* "\r\nName\r\nName\r\n\r\n" */
	struct http_buf start[2];   /* start line + raw headers */
	struct app_file file[2];    /* the bodies as files (state FILE_NONE: none) */
	uint8_t level;		    /* last progress level reported */
	bool done, logged;
	bool file_logged[2];
};


/* Body bytes kept for inspection per transaction (request, response). */
void http_set_body_limits(uint32_t request, uint32_t response);
/* Content encodings undone in a row (gzip over deflate ...); before any parsing. */
void http_set_decompress_layers(uint32_t layers);

#endif
