/*
 * kw_file — keywords on the files app-layer transactions carry (HTTP bodies
 * for now), checked once the file is whole:
 *   filename:"x"        the name contains x (case-insensitive)
 *   fileext:"pdf"       the name ends with ".pdf" (case-insensitive)
 *   filemagic:"PDF"     the type libmagic names contains it (case-insensitive)
 *   filesize:N|<N|>N|N-M
 *   filemd5:LIST  filesha1:LIST  filesha256:LIST   the hash is (or with !LIST
 *                       is not) in LIST, a file of hex hashes one per line
 *                       (# comments), relative to the rule file's folder
 * Each may be negated with ! where Suricata allows it (names, magic, lists).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/applayer.h"
#include "app/file.h"
#include "detect/keyword.h"
#include "detect/uintcmp.h"

struct file_str {
	bool negated;
	size_t len;
	char s[];
};

struct hash_list {
	bool negated;
	uint8_t hlen; /* hex digits: 32, 40 or 64 */
	uint32_t n;
	char (*v)[65]; /* sorted, lower case */
};

static uint8_t file_level_ts(int rdir)
{
	/* the level is the parser's; HTTP: request body 2, response body 4 */
	const struct app_parser *ap = app_parser_for(ALPROTO_HTTP);
	if (!ap)
		return 0;
	return ap->file_level[rdir == 1 ? 1 : 0];
}

static const struct app_file *tx_file(const struct app_tx *tx, int dir)
{
	const struct app_parser *ap = app_parser_for(tx->alproto);
	return ap && ap->file ? ap->file(tx->data, dir) : NULL;
}

static bool contains_nocase(const char *h, size_t hl, const char *n, size_t nl)
{
	if (nl > hl)
		return false;
	for (size_t i = 0; i + nl <= hl; i++)
		if (!strncasecmp(h + i, n, nl))
			return true;
	return false;
}

static int setup_str(struct rule_ctx *rc, const char *v, uint16_t kw)
{
	int rcode = rule_ctx_bind_app(rc, ALPROTO_HTTP);
	if (rcode)
		return rcode;
	bool neg = *v == '!';
	if (neg)
		v++;
	if (*v == '"') {
		v++;
	}
	size_t n = strlen(v);
	if (n && v[n - 1] == '"')
		n--;
	if (!n)
		return kw_fail(rc, KW_ERR, "an empty value");
	struct file_str *c = malloc(sizeof(*c) + n + 1);
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	c->negated = neg;
	c->len = n;
	memcpy(c->s, v, n);
	c->s[n] = '\0';
	return rule_ctx_add_pkt_sm(rc, kw, c);
}

static bool match_filename(const struct app_tx *tx, int dir, const void *ctx)
{
	const struct file_str *c = ctx;
	const struct app_file *f = tx_file(tx, dir);
	if (!f)
		return false;
	return contains_nocase(f->name, f->name_len, c->s, c->len) != c->negated;
}

static bool match_fileext(const struct app_tx *tx, int dir, const void *ctx)
{
	const struct file_str *c = ctx;
	const struct app_file *f = tx_file(tx, dir);
	if (!f)
		return false;
	bool m = f->name_len > c->len && f->name[f->name_len - c->len - 1] == '.' &&
		 !strncasecmp(f->name + f->name_len - c->len, c->s, c->len);
	return m != c->negated;
}

static bool match_filemagic(const struct app_tx *tx, int dir, const void *ctx)
{
	const struct file_str *c = ctx;
	const struct app_file *f = tx_file(tx, dir);
	if (!f)
		return false;
	return contains_nocase(f->magic, strlen(f->magic), c->s, c->len) != c->negated;
}

static bool match_filesize(const struct app_tx *tx, int dir, const void *ctx)
{
	const struct app_file *f = tx_file(tx, dir);
	return f && ucmp_match(ctx, f->size);
}

static int setup_filename(struct rule_ctx *rc, const char *v)
{
	return setup_str(rc, v, KW_filename);
}

static int setup_fileext(struct rule_ctx *rc, const char *v)
{
	return setup_str(rc, v, KW_fileext);
}

static int setup_filemagic(struct rule_ctx *rc, const char *v)
{
	return setup_str(rc, v, KW_filemagic);
}

static int setup_filesize(struct rule_ctx *rc, const char *v)
{
	int rcode = rule_ctx_bind_app(rc, ALPROTO_HTTP);
	if (rcode)
		return rcode;
	struct ucmp *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	if (ucmp_parse(v, UINT64_MAX, c) < 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "a size expected, got '%s'", v);
	}
	return rule_ctx_add_pkt_sm(rc, KW_filesize, c);
}

static int cmp_hash(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void free_list(void *p)
{
	struct hash_list *l = p;
	if (l)
		free(l->v);
	free(l);
}

/* Load a hash list: one hex hash of hlen digits per line. */
static int setup_hashes(struct rule_ctx *rc, const char *v, uint8_t hlen, uint16_t kw)
{
	int rcode = rule_ctx_bind_app(rc, ALPROTO_HTTP);
	if (rcode)
		return rcode;
	struct hash_list *l = calloc(1, sizeof(*l));
	if (!l)
		return kw_fail(rc, KW_ERR, "out of memory");
	l->hlen = hlen;
	if (*v == '!') {
		l->negated = true;
		v++;
	}
	char path[1024];
	const char *dir = rule_ctx_rule_dir(rc);
	if (*v == '/' || !dir)
		snprintf(path, sizeof(path), "%s", v);
	else
		snprintf(path, sizeof(path), "%s/%s", dir, v);
	FILE *f = fopen(path, "r");
	if (!f) {
		free_list(l);
		return kw_fail(rc, KW_ERR, "%s: cannot open: %s", path, strerror(errno));
	}
	char line[256];
	uint32_t lineno = 0, cap = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#')
			continue;
		size_t n = 0;
		while (isxdigit((unsigned char)s[n]))
			n++;
		if (n != hlen || (s[n] && !isspace((unsigned char)s[n]))) {
			fclose(f);
			free_list(l);
			return kw_fail(rc, KW_ERR, "%s:%u: not a %u-digit hex hash", path, lineno,
				       hlen);
		}
		if (l->n == cap) {
			cap = cap ? cap * 2 : 64;
			char(*nv)[65] = realloc(l->v, cap * sizeof(*nv));
			if (!nv) {
				fclose(f);
				free_list(l);
				return kw_fail(rc, KW_ERR, "out of memory");
			}
			l->v = nv;
		}
		for (size_t i = 0; i < n; i++)
			l->v[l->n][i] = (char)tolower((unsigned char)s[i]);
		l->v[l->n++][n] = '\0';
	}
	fclose(f);
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_hash);
	return rule_ctx_add_pkt_sm(rc, kw, l);
}

static bool match_hashes(const struct app_tx *tx, int dir, const void *ctx)
{
	const struct hash_list *l = ctx;
	const struct app_file *f = tx_file(tx, dir);
	if (!f)
		return false;
	const char *h = l->hlen == 32 ? f->md5 : l->hlen == 40 ? f->sha1 : f->sha256;
	if (!h[0])
		return false;
	bool in = l->n && bsearch(h, l->v, l->n, sizeof(*l->v), cmp_hash) != NULL;
	return in != l->negated;
}

static int setup_md5(struct rule_ctx *rc, const char *v)
{
	return setup_hashes(rc, v, 32, KW_filemd5);
}

static int setup_sha1(struct rule_ctx *rc, const char *v)
{
	return setup_hashes(rc, v, 40, KW_filesha1);
}

static int setup_sha256(struct rule_ctx *rc, const char *v)
{
	return setup_hashes(rc, v, 64, KW_filesha256);
}

#define FILE_KW(var, name, setup, fr, match)                                                       \
	const struct kw_def kw_##var = {name,	      KWF_VALUE,     setup, fr, NULL, NULL,        \
					ALPROTO_HTTP, file_level_ts, match}

FILE_KW(filename, "filename", setup_filename, free, match_filename);
FILE_KW(fileext, "fileext", setup_fileext, free, match_fileext);
FILE_KW(filemagic, "filemagic", setup_filemagic, free, match_filemagic);
FILE_KW(filesize, "filesize", setup_filesize, free, match_filesize);
FILE_KW(filemd5, "filemd5", setup_md5, free_list, match_hashes);
FILE_KW(filesha1, "filesha1", setup_sha1, free_list, match_hashes);
FILE_KW(filesha256, "filesha256", setup_sha256, free_list, match_hashes);
