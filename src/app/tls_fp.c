/*
 * tls_fp — TLS fingerprints of the hellos (declared in tls.h).
 *
 * JA3 (Salesforce): "SSLVersion,Ciphers,Extensions,EllipticCurves,
 * EllipticCurvePointFormats", the ClientHello's legacy version and lists in
 * wire order as decimals joined with '-', GREASE values (RFC 8701) left out;
 * the hash is the MD5 of that text. JA3S: "SSLVersion,Cipher,Extensions" of
 * the ServerHello, same rules.
 *
 * JA4 (FoxIO, technical_details/JA4.md): a_b_c where
 *   a = "t", the version ("13", "12", "11", "10", "s3", "s2", DTLS "d1"..,
 *       else "00": the highest supported_versions entry, else the legacy
 *       version), "d" with a server_name extension else "i", the number of
 *       ciphers and of extensions (two digits, at most 99; SNI and ALPN
 *       counted), the first and last characters of the first ALPN value ("00"
 *       without one; the first and last hex digits of it when either is not
 *       alphanumeric);
 *   b = the first 12 hex digits of SHA-256 of the ciphers as 4-digit hex,
 *       sorted, comma-joined ("000000000000" when there is none);
 *   c = the same of the extensions, sorted, without SNI (0000) and ALPN
 *       (0010), then "_" and the signature algorithms in wire order when
 *       there are any ("000000000000" when no extension is left).
 * GREASE values are left out everywhere.
 */
#include "app/tls.h"
#include "core/digest.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tls_digest_hex(const char *md, const uint8_t *p, size_t n, char *out, char sep)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t dg[EVP_MAX_MD_SIZE];
	enum digest_kind kind = !strcmp(md, "MD5")	   ? DIGEST_MD5
			     : !strcmp(md, "SHA1") ? DIGEST_SHA1
						   : DIGEST_SHA256;
	unsigned dl = digest_once(kind, p, n, dg);
	out[0] = '\0';
	if (!dl)
		return;
	size_t k = 0;
	for (unsigned int i = 0; i < dl; i++) {
		if (sep && i)
			out[k++] = sep;
		out[k++] = hex[dg[i] >> 4];
		out[k++] = hex[dg[i] & 15];
	}
	out[k] = '\0';
}

/* Text appended to a fixed buffer; `full` once it did not fit. */
struct tbuf {
	char *p;
	size_t len, cap;
	bool full;
};

static void tb_char(struct tbuf *t, char c)
{
	if (t->len + 1 >= t->cap)
		t->full = true;
	if (!t->full)
		t->p[t->len++] = c;
}

/* v as decimal, or as 4 lowercase hex digits */
static void tb_num(struct tbuf *t, unsigned v, bool hex)
{
	char d[8];
	int n = 0;
	if (hex) {
		for (int i = 3; i >= 0; i--)
			d[n++] = "0123456789abcdef"[(v >> (4 * i)) & 15];
	} else {
		do
			d[n++] = (char)('0' + v % 10);
		while ((v /= 10) && n < 8);
		for (int i = 0; i < n / 2; i++) {
			char x = d[i];
			d[i] = d[n - 1 - i];
			d[n - 1 - i] = x;
		}
	}
	for (int i = 0; i < n; i++)
		tb_char(t, d[i]);
}

static void tb_list(struct tbuf *t, const uint16_t *v, uint32_t n, bool hex, char sep)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			tb_char(t, sep);
		tb_num(t, v[i], hex);
	}
}

static int cmp16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static const char *ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304:
		return "13";
	case 0x0303:
		return "12";
	case 0x0302:
		return "11";
	case 0x0301:
		return "10";
	case 0x0300:
		return "s3";
	case 0x0002:
		return "s2";
	case 0xfeff:
		return "d1";
	case 0xfefd:
		return "d2";
	case 0xfefc:
		return "d3";
	default:
		return "00";
	}
}

static bool alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* "12 hex digits" of SHA-256 over the text, or zeros for an empty list. */
static void ja4_hash12(const char *s, size_t n, bool empty, char out[13])
{
	char full[2 * 32 + 1];
	if (empty) {
		memcpy(out, "000000000000", 13);
		return;
	}
	tls_digest_hex("SHA256", (const uint8_t *)s, n, full, 0);
	memcpy(out, full, 12);
	out[12] = '\0';
}

static void ja4(struct tls_state *st, struct tls_hello *h)
{
	char a[16], b[13], c[13];
	const uint8_t *al = NULL;
	uint32_t all = 0;
	/* the first ALPN value that is not GREASE */
	for (uint32_t i = 0; i < h->n_alpn && !al; i++) {
		bool grease = h->alpn_len[i] == 2 &&
			      tls_grease((uint16_t)(h->alpn[i][0] << 8 | h->alpn[i][1]));
		if (!grease) {
			al = h->alpn[i];
			all = h->alpn_len[i];
		}
	}
	char a0 = '0', a1 = '0';
	if (al && all) {
		a0 = (char)al[0];
		a1 = (char)al[all - 1];
		if (!alnum(al[0]) || !alnum(al[all - 1])) {
			a0 = "0123456789abcdef"[al[0] >> 4];
			a1 = "0123456789abcdef"[al[all - 1] & 15];
		}
	}
	snprintf(a, sizeof(a), "t%s%c%02u%02u%c%c", ja4_version(h->has_sv ? h->sv_max : h->version),
		 h->has_sni ? 'd' : 'i', h->n_ciphers < 99 ? h->n_ciphers : 99,
		 h->n_exts < 99 ? h->n_exts : 99, a0, a1);

	struct tbuf t = {h->text, 0, sizeof(h->text), false};
	qsort(h->ciphers, h->n_ciphers, sizeof(h->ciphers[0]), cmp16);
	tb_list(&t, h->ciphers, h->n_ciphers, true, ',');
	ja4_hash12(t.p, t.len, h->n_ciphers == 0, b);

	uint16_t n = 0;
	for (uint32_t i = 0; i < h->n_exts; i++)
		if (h->exts[i] != 0x0000 && h->exts[i] != 0x0010)
			h->exts[n++] = h->exts[i];
	qsort(h->exts, n, sizeof(h->exts[0]), cmp16);
	t.len = 0;
	tb_list(&t, h->exts, n, true, ',');
	if (h->n_sigalgs) {
		tb_char(&t, '_');
		tb_list(&t, h->sigalgs, h->n_sigalgs, true, ',');
	}
	ja4_hash12(t.p, t.len, n == 0, c);
	snprintf(st->ja4, sizeof(st->ja4), "%.10s_%s_%s", a, b, c);
}

void tls_fp_client(struct tls_state *st, struct tls_hello *h, struct counters *cnt)
{
	struct tbuf t = {h->text, 0, sizeof(h->text), false};
	tb_num(&t, h->version, false);
	tb_char(&t, ',');
	tb_list(&t, h->ciphers, h->n_ciphers, false, '-');
	tb_char(&t, ',');
	tb_list(&t, h->exts, h->n_exts, false, '-');
	tb_char(&t, ',');
	tb_list(&t, h->groups, h->n_groups, false, '-');
	tb_char(&t, ',');
	for (uint32_t i = 0; i < h->n_pf; i++) {
		if (i)
			tb_char(&t, '-');
		tb_num(&t, h->pf[i], false);
	}
	if (t.full || !tls_store_put(st, cnt, t.p, (uint32_t)t.len, &st->ja3))
		return;
	tls_digest_hex("MD5", (const uint8_t *)t.p, t.len, st->ja3_hash, 0);
	ja4(st, h); /* reorders h's lists: after JA3 */
	st->flags |= TLS_F_FP;
}

void tls_fp_server(struct tls_state *st, struct tls_hello *h, struct counters *cnt)
{
	struct tbuf t = {h->text, 0, sizeof(h->text), false};
	tb_num(&t, h->version, false);
	tb_char(&t, ',');
	tb_num(&t, h->cipher, false);
	tb_char(&t, ',');
	tb_list(&t, h->exts, h->n_exts, false, '-');
	if (t.full || !tls_store_put(st, cnt, t.p, (uint32_t)t.len, &st->ja3s))
		return;
	tls_digest_hex("MD5", (const uint8_t *)t.p, t.len, st->ja3s_hash, 0);
	st->flags |= TLS_F_FPS;
}
