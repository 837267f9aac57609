/*
 * mamori-embed — writes the C source of the dashboard's embedded files (the
 * table of src/web/assets.h) at build time. It runs on the build machine,
 * from a CMake custom command, and links nothing of mamori.
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

/* SHA-256 (FIPS 180-4), enough of it for ETags. */
struct sha256 {
	uint32_t h[8];
	uint64_t n;
	unsigned char buf[64];
	size_t used;
};

static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_block(struct sha256 *s, const unsigned char *p)
{
	uint32_t w[64], v[8];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, s->h, sizeof(v));
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
			      ((v[4] & v[5]) ^ (~v[4] & v[6])) + sha256_k[i] + w[i];
		uint32_t t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
			      ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++)
		s->h[i] += v[i];
}

static void sha256_init(struct sha256 *s)
{
	static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	memcpy(s->h, h0, sizeof(h0));
	s->n = 0;
	s->used = 0;
}

static void sha256_update(struct sha256 *s, const unsigned char *p, size_t len)
{
	s->n += len;
	while (len > 0) {
		size_t take = 64 - s->used < len ? 64 - s->used : len;
		memcpy(s->buf + s->used, p, take);
		s->used += take;
		p += take;
		len -= take;
		if (s->used == 64) {
			sha256_block(s, s->buf);
			s->used = 0;
		}
	}
}

static void sha256_hex(struct sha256 *s, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t bits = s->n * 8;
	unsigned char pad[72] = {0x80};
	size_t padlen = (s->used < 56 ? 56 : 120) - s->used;
	for (int i = 0; i < 8; i++)
		pad[padlen + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_update(s, pad, padlen + 8);
	for (int i = 0; i < 32; i++) {
		unsigned char b = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));
		out[2 * i] = hex[b >> 4];
		out[2 * i + 1] = hex[b & 15];
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
		struct sha256 s;
		sha256_init(&s);
		sha256_update(&s, e[i].data, e[i].len);
		sha256_hex(&s, e[i].etag);
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
