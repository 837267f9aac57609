/*
 * file — files carried by application protocols (HTTP bodies for now):
 * name, size, state, streaming md5/sha1/sha256 (libcrypto), and the type
 * libmagic names from the first bytes. A parser owns one struct app_file
 * per file; its bytes are hashed as they pass, nothing is kept but the
 * first APP_FILE_HEAD bytes (for the type).
 */
#ifndef MAMORI_APP_FILE_H
#define MAMORI_APP_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "app/yara.h"

#define APP_FILE_NAME_MAX 512
#define APP_FILE_HEAD	  2048 /* bytes given to libmagic */

enum app_file_state { FILE_NONE, FILE_OPEN, FILE_CLOSED, FILE_TRUNCATED };

struct app_file {
	char name[APP_FILE_NAME_MAX]; /* bytes as sent, not terminated */
	uint16_t name_len;
	uint8_t state;
	bool gaps;
	uint64_t size;
	void *md[3]; /* EVP_MD_CTX *: md5, sha1, sha256 while open */
	char md5[33], sha1[41], sha256[65];
	char magic[128]; /* "" when unknown */
	/* YARA: the rules that matched the file's inspected bytes */
	char yara[APP_YARA_MAX_MATCHES][APP_YARA_NAME_MAX];
	uint8_t n_yara;
	bool yara_scanned;
	bool stored; /* written to the file store */
	uint8_t head[APP_FILE_HEAD];
	uint32_t head_len;
};

struct app_ctx;

/* Open f with its name; hashes are computed when `hashes`. 0, or -1 on OOM
 * (the file is still tracked, without hashes). */
int app_file_open(struct app_file *f, const uint8_t *name, uint32_t name_len, bool hashes);
void app_file_data(struct app_file *f, const uint8_t *d, uint32_t n);
/* Close with FILE_CLOSED or FILE_TRUNCATED: finish the hashes, name the type
 * (with the worker's libmagic handle, opened on first use). */
void app_file_close(struct app_ctx *ac, struct app_file *f, enum app_file_state state);
/* Run the worker's YARA rules (if any) over the file's bytes d[0..n) (what
 * the parser kept of it). */
void app_file_yara(struct app_ctx *ac, struct app_file *f, const uint8_t *d, uint32_t n);
/*
 * The content-addressed file store: DIR/ab/abcdef... (the sha256), written
 * once per distinct content, up to `cap` bytes in all (shared by the
 * workers; at the cap files are not stored, and counted).
 */
struct app_store;
struct app_store *app_store_new(const char *dir, uint64_t cap);
void app_store_free(struct app_store *s);
/* Store a closed file whose bytes are d[0..n) when `complete` (the parser
 * kept all of it); sets f->stored. */
void app_file_store(struct app_ctx *ac, struct app_file *f, const uint8_t *d, uint32_t n,
		    bool complete);

/* Release what an open file holds (no record). */
void app_file_free(struct app_file *f);

const char *app_file_state_name(uint8_t state);

/* The worker's libmagic handle (app_ctx_free closes it). */
void app_file_magic_close(void *magic);

#endif
