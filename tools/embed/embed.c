/*
 * mamori-embed — writes the C source of the dashboard's embedded files (the
 * table of src/web/assets.h) at build time. It runs on the build machine,
 * from a CMake custom command, and links nothing of mamori (libcrypto only).
 *
 *   mamori-embed OUTPUT.c URLPATH=FILE=MIME...
 *
 * URLPATH is the path the server answers ("/app.js"), FILE the file to read,
 * MIME its Content-Type. The first '=' ends URLPATH, the second ends FILE
 * (so FILE may not hold a '='); the rest is MIME, to which "; charset=utf-8"
 * is added for text types (text/..., JSON, JavaScript, SVG) that name no
 * charset. Files are read as bytes (anything, NULs included) and written as
 * hex arrays; a file named twice (/ and /index.html) is written once. Each
 * entry gets an ETag: the SHA-256 of its bytes in hex, quoted (a strong
 * validator). The output is written to OUTPUT.c.tmp and renamed, so a failed
 * run leaves no half file behind. Exit status 0, 1 (a file could not be
 * read or written), 2 (usage).
 */
#include <errno.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EMBED_MAX_FILE (64u << 20) /* larger than any dashboard file; refused above */

struct entry {
	char *path, *file, *mime;
	unsigned char *data;
	size_t len;
	int array; /* the array holding the bytes (an earlier entry's for a repeat) */
	char etag[67];
};

/* The SHA-256 of the bytes in hex (OpenSSL's libcrypto). */
static void sha256_hex(const unsigned char *p, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char h[SHA256_DIGEST_LENGTH];
	SHA256(p, len, h);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[2 * i] = hex[h[i] >> 4];
		out[2 * i + 1] = hex[h[i] & 15];
	}
	out[64] = '\0';
}

/* The whole file in one allocation (free with free()); NULL with errno set. */
static unsigned char *read_file(const char *name, size_t *len)
{
	FILE *f = fopen(name, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			unsigned char *bigger =
			    cap >= EMBED_MAX_FILE ? NULL : realloc(buf, cap * 2);
			if (!bigger) {
				free(buf);
				buf = NULL;
				errno = cap >= EMBED_MAX_FILE ? EFBIG : ENOMEM;
				break;
			}
			buf = bigger;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
				errno = EIO;
			}
			break;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

static int is_text_type(const char *mime)
{
	static const char *const text[] = {"text/", "application/json", "application/javascript",
					   "image/svg+xml", "application/manifest+json"};
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		if (strncmp(mime, text[i], strlen(text[i])) == 0)
			return 1;
	return 0;
}

/* A C string literal of s: printable ASCII as is, the rest in octal. */
static void put_cstring(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f && c != '?') /* '?': no trigraphs */
			fputc(c, out);
		else
			fprintf(out, "\\%03o", c);
	}
	fputc('"', out);
}

static int parse_arg(char *arg, struct entry *e)
{
	char *eq1 = strchr(arg, '=');
	char *eq2 = eq1 ? strchr(eq1 + 1, '=') : NULL;
	if (!eq2 || arg[0] != '/' || eq2 == eq1 + 1 || eq2[1] == '\0')
		return -1;
	*eq1 = '\0';
	*eq2 = '\0';
	e->path = arg;
	e->file = eq1 + 1;
	const char *mime = eq2 + 1;
	int add = is_text_type(mime) && !strstr(mime, "charset=");
	size_t n = strlen(mime) + (add ? sizeof("; charset=utf-8") : 1);
	e->mime = malloc(n);
	if (!e->mime)
		return -1;
	snprintf(e->mime, n, "%s%s", mime, add ? "; charset=utf-8" : "");
	return 0;
}

static int write_output(FILE *out, const struct entry *e, int n)
{
	fputs("/* The dashboard's files (src/web/assets.h), written by mamori-embed at build\n"
	      " * time from web/: do not edit. */\n"
	      "#include \"web/assets.h\"\n",
	      out);
	for (int i = 0; i < n; i++) {
		if (e[i].array != i)
			continue;
		fprintf(out, "\n/* %zu bytes of ", e[i].len);
		/* the file name in a comment: no comment terminator can come of it */
		for (const char *p = e[i].file; *p; p++)
			fputc((*p == '*' || (unsigned char)*p < 0x20) ? '_' : *p, out);
		fprintf(out, " */\nstatic const unsigned char asset_%d[] = {", i);
		for (size_t j = 0; j < e[i].len; j++)
			fprintf(out, "%s0x%02x,", j % 16 ? " " : "\n\t", e[i].data[j]);
		/* an empty file still needs one element: C has no empty arrays */
		fputs(e[i].len ? "\n};\n" : "0};\n", out);
	}
	fputs("\nconst struct web_asset web_assets[] = {\n", out);
	for (int i = 0; i < n; i++) {
		fputs("\t{", out);
		put_cstring(out, e[i].path);
		fputs(", ", out);
		put_cstring(out, e[i].mime);
		fprintf(out, ", asset_%d, %zu, \"\\\"%s\\\"\"},\n", e[i].array, e[i].len,
			e[i].etag);
	}
	fprintf(out, "};\n\nconst size_t web_assets_n = %d;\n", n);
	return ferror(out) ? -1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: mamori-embed OUTPUT.c URLPATH=FILE=MIME...\n");
		return 2;
	}
	int n = argc - 2, rc = 1;
	struct entry *e = calloc((size_t)n, sizeof(*e));
	char *tmp = NULL;
	FILE *out = NULL;
	if (!e) {
		perror("mamori-embed");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		if (parse_arg(argv[i + 2], &e[i]) < 0) {
			fprintf(stderr, "mamori-embed: %s: not URLPATH=FILE=MIME\n", argv[i + 2]);
			rc = 2;
			goto out;
		}
		for (int j = 0; j < i; j++) {
			if (strcmp(e[j].path, e[i].path) == 0) {
				fprintf(stderr, "mamori-embed: %s named twice\n", e[i].path);
				rc = 2;
				goto out;
			}
		}
		e[i].array = i;
		for (int j = 0; j < i; j++) {
			if (strcmp(e[j].file, e[i].file) == 0) {
				e[i].array = j;
				e[i].len = e[j].len;
				memcpy(e[i].etag, e[j].etag, sizeof(e[i].etag));
				break;
			}
		}
		if (e[i].array != i)
			continue;
		e[i].data = read_file(e[i].file, &e[i].len);
		if (!e[i].data) {
			fprintf(stderr, "mamori-embed: %s: %s\n", e[i].file, strerror(errno));
			goto out;
		}
		sha256_hex(e[i].data, e[i].len, e[i].etag);
	}

	const char *name = argv[1];
	size_t tlen = strlen(name) + sizeof(".tmp");
	tmp = malloc(tlen);
	if (!tmp) {
		perror("mamori-embed");
		goto out;
	}
	snprintf(tmp, tlen, "%s.tmp", name);
	out = fopen(tmp, "w");
	if (!out) {
		fprintf(stderr, "mamori-embed: %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	int bad = write_output(out, e, n);
	if (fclose(out) != 0)
		bad = -1;
	out = NULL;
	if (bad < 0 || rename(tmp, name) != 0) {
		fprintf(stderr, "mamori-embed: %s: %s\n", name, strerror(errno));
		remove(tmp);
		goto out;
	}
	rc = 0;
out:
	if (out) {
		fclose(out);
		remove(tmp);
	}
	free(tmp);
	for (int i = 0; i < n; i++) {
		free(e[i].data);
		free(e[i].mime);
	}
	free(e);
	return rc;
}
