/*
 * file — see file.h.
 */
#include "app/file.h"

#include <errno.h>
#include <magic.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/applayer.h"
#include "core/digest.h"
#include "core/log.h"

struct app_store {
	char dir[256];
	uint64_t cap;
	uint64_t used; /* atomic */
};

static const char hexd[] = "0123456789abcdef";

int app_file_open(struct app_file *f, const uint8_t *name, uint32_t name_len, bool hashes)
{
	memset(f, 0, sizeof(*f));
	f->name_len = (uint16_t)(name_len < APP_FILE_NAME_MAX ? name_len : APP_FILE_NAME_MAX);
	if (f->name_len)
		memcpy(f->name, name, f->name_len);
	f->state = FILE_OPEN;
	if (!hashes)
		return 0;
	for (int i = 0; i < 3; i++) {
		EVP_MD_CTX *c = EVP_MD_CTX_new();
		if (!c || !digest_md((enum digest_kind)i) ||
		    EVP_DigestInit_ex2(c, digest_md((enum digest_kind)i), NULL) != 1) {
			EVP_MD_CTX_free(c);
			app_file_free(f);
			f->state = FILE_OPEN;
			return -1;
		}
		f->md[i] = c;
	}
	return 0;
}

void app_file_data(struct app_file *f, const uint8_t *d, uint32_t n)
{
	if (f->state != FILE_OPEN || !n)
		return;
	f->size += n;
	if (f->head_len < APP_FILE_HEAD) {
		uint32_t take = APP_FILE_HEAD - f->head_len;
		if (take > n)
			take = n;
		memcpy(f->head + f->head_len, d, take);
		f->head_len += take;
	}
	for (int i = 0; i < 3; i++)
		if (f->md[i])
			EVP_DigestUpdate(f->md[i], d, n);
}

static void hex(const uint8_t *d, unsigned n, char *out)
{
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = hexd[d[i] >> 4];
		out[2 * i + 1] = hexd[d[i] & 15];
	}
	out[2 * n] = '\0';
}

void app_file_close(struct app_ctx *ac, struct app_file *f, enum app_file_state state)
{
	if (f->state != FILE_OPEN)
		return;
	char *outs[3] = {f->md5, f->sha1, f->sha256};
	for (int i = 0; i < 3; i++) {
		if (!f->md[i])
			continue;
		uint8_t dg[EVP_MAX_MD_SIZE];
		unsigned n = 0;
		if (EVP_DigestFinal_ex(f->md[i], dg, &n) == 1)
			hex(dg, n, outs[i]);
		EVP_MD_CTX_free(f->md[i]);
		f->md[i] = NULL;
	}
	if (ac && ac->want_magic && f->head_len) {
		if (!ac->magic) {
			magic_t m = magic_open(MAGIC_NONE);
			if (m && magic_load(m, NULL) != 0) {
				magic_close(m);
				m = NULL;
			}
			ac->magic = m;
		}
		const char *t = ac->magic ? magic_buffer(ac->magic, f->head, f->head_len) : NULL;
		if (t)
			snprintf(f->magic, sizeof(f->magic), "%s", t);
	}
	f->state = (uint8_t)state;
}

void app_file_yara(struct app_ctx *ac, struct app_file *f, const uint8_t *d, uint32_t n)
{
	if (!ac || !ac->yara || !n)
		return;
	int m = app_yara_scan(ac->yara, d, n, f->yara, APP_YARA_MAX_MATCHES);
	f->yara_scanned = true;
	if (m < 0) {
		CNT_INC(ac->cnt, APP_YARA_ERRORS);
		return;
	}
	f->n_yara = (uint8_t)(m < APP_YARA_MAX_MATCHES ? m : APP_YARA_MAX_MATCHES);
	CNT_ADD(ac->cnt, APP_YARA_MATCHES, (uint64_t)m);
}

void app_file_free(struct app_file *f)
{
	for (int i = 0; i < 3; i++) {
		EVP_MD_CTX_free(f->md[i]);
		f->md[i] = NULL;
	}
}

void app_file_magic_close(void *magic)
{
	if (magic)
		magic_close(magic);
}

const char *app_file_state_name(uint8_t state)
{
	switch (state) {
	case FILE_OPEN:
		return "OPEN";
	case FILE_CLOSED:
		return "CLOSED";
	case FILE_TRUNCATED:
		return "TRUNCATED";
	default:
		return "UNKNOWN";
	}
}

struct app_store *app_store_new(const char *dir, uint64_t cap)
{
	struct app_store *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if ((size_t)snprintf(s->dir, sizeof(s->dir), "%s", dir) >= sizeof(s->dir) ||
	    (mkdir(dir, 0750) < 0 && errno != EEXIST)) {
		log_error("%s: cannot use as the file store: %s", dir,
			  errno ? strerror(errno) : "path too long");
		free(s);
		return NULL;
	}
	s->cap = cap;
	return s;
}

void app_store_free(struct app_store *s)
{
	free(s);
}

void app_file_store(struct app_ctx *ac, struct app_file *f, const uint8_t *d, uint32_t n,
		    bool complete)
{
	struct app_store *s = ac->store;
	if (!s || !f->sha256[0] || !complete || n != f->size) {
		if (s)
			CNT_INC(ac->cnt, APP_STORE_SKIPPED);
		return;
	}
	char sub[300], path[400], tmp[420];
	snprintf(sub, sizeof(sub), "%s/%.2s", s->dir, f->sha256);
	snprintf(path, sizeof(path), "%s/%s", sub, f->sha256);
	struct stat st;
	if (stat(path, &st) == 0) {
		f->stored = true; /* the same content is there already */
		return;
	}
	if (__atomic_add_fetch(&s->used, n, __ATOMIC_RELAXED) > s->cap) {
		__atomic_sub_fetch(&s->used, n, __ATOMIC_RELAXED);
		CNT_INC(ac->cnt, APP_STORE_FULL);
		return;
	}
	if (mkdir(sub, 0750) < 0 && errno != EEXIST) {
		CNT_INC(ac->cnt, APP_STORE_ERRORS);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)gettid());
	FILE *o = fopen(tmp, "wb");
	bool ok = o && fwrite(d, 1, n, o) == n;
	if (o && fclose(o) != 0)
		ok = false;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		CNT_INC(ac->cnt, APP_STORE_ERRORS);
		return;
	}
	f->stored = true;
	CNT_INC(ac->cnt, APP_STORE_FILES);
}
