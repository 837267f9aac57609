/*
 * test_tls — the TLS handshake parser and its app-layer frame, on hello and
 * certificate messages built here byte by byte (the certificate is made at
 * run time with libcrypto): fields of the ClientHello, ServerHello and
 * Certificate, JA3/JA3S against hand-derived vectors, JA4 against the
 * worked example of FoxIO's specification, records and messages split at
 * every byte, TLS 1.3 (a HelloRetryRequest included), resumption, SSLv2,
 * malformed lengths and caps, and the levels and buffers the app layer
 * reports.
 */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "app/applayer.h"
#include "app/tls.h"
#include "check.h"
#include "detect/buffers.h"
#include "flow/flow.h"
#include "output/eve.h"
#include "output/json.h"

/* ---- a byte builder with nested length prefixes ---- */

struct bb {
	uint8_t b[1 << 17];
	size_t n;
};

static void u8(struct bb *b, unsigned v)
{
	b->b[b->n++] = (uint8_t)v;
}

static void u16(struct bb *b, unsigned v)
{
	u8(b, v >> 8);
	u8(b, v);
}

static void put(struct bb *b, const void *p, size_t n)
{
	if (n)
		memcpy(b->b + b->n, p, n);
	b->n += n;
}

/* Open a length prefix of w bytes; close fills it in. */
static size_t open_len(struct bb *b, int w)
{
	size_t at = b->n;
	b->n += (size_t)w;
	return at;
}

static void close_len(struct bb *b, size_t at, int w)
{
	size_t l = b->n - at - (size_t)w;
	for (int i = w - 1; i >= 0; i--, l >>= 8)
		b->b[at + (size_t)i] = (uint8_t)l;
}

static void ext(struct bb *b, unsigned type, const void *body, size_t n)
{
	u16(b, type);
	u16(b, (unsigned)n);
	put(b, body, n);
}

/* A handshake message of `type` around body[0..n) in one record. */
static void record(struct bb *out, unsigned ctype, unsigned ver, const uint8_t *p, size_t n)
{
	u8(out, ctype);
	u16(out, ver);
	u16(out, (unsigned)n);
	put(out, p, n);
}

static void message(struct bb *out, unsigned type, const uint8_t *body, size_t n)
{
	u8(out, type);
	u8(out, (unsigned)(n >> 16));
	u16(out, (unsigned)n);
	put(out, body, n);
}

/*
 * ClientHello A: TLS 1.2 legacy version, ciphers GREASE 0x0a0a, 0x1301,
 * 0xc02f; extensions GREASE 0x0a0a (empty), server_name "example.com",
 * supported_groups {0x1a1a, x25519 29, secp256r1 23}, ec_point_formats {0},
 * ALPN {h2}, signature_algorithms {0x0403, 0x0804}, supported_versions
 * {0x2a2a, 0x0304, 0x0303}; session id 32 bytes of 0x11 when sid.
 *
 * JA3 by hand from Salesforce's definition (GREASE left out, decimals):
 *   version 771; ciphers 4865-49199; extensions 0-10-11-16-13-43;
 *   curves 29-23; point formats 0
 *   -> "771,4865-49199,0-10-11-16-13-43,29-23,0"
 * whose MD5 (`printf %s ... | md5sum`) is 45375bffc36d1158dac85b42a8f8674e.
 */
static void client_hello_a(struct bb *body, bool sid)
{
	static const uint8_t rnd[32] = {1, 2, 3};
	u16(body, 0x0303);
	put(body, rnd, 32);
	if (sid) {
		u8(body, 32);
		for (int i = 0; i < 32; i++)
			u8(body, 0x11);
	} else {
		u8(body, 0);
	}
	u16(body, 6);
	u16(body, 0x0a0a);
	u16(body, 0x1301);
	u16(body, 0xc02f);
	u8(body, 1);
	u8(body, 0);
	size_t el = open_len(body, 2);
	ext(body, 0x0a0a, NULL, 0);
	static const uint8_t sni[] = {0,   14,	0,   0,	  11,  'e', 'x', 'a',
				      'm', 'p', 'l', 'e', '.', 'c', 'o', 'm'};
	ext(body, 0x0000, sni, sizeof(sni));
	static const uint8_t groups[] = {0, 6, 0x1a, 0x1a, 0, 29, 0, 23};
	ext(body, 0x000a, groups, sizeof(groups));
	static const uint8_t pf[] = {1, 0};
	ext(body, 0x000b, pf, sizeof(pf));
	static const uint8_t alpn[] = {0, 3, 2, 'h', '2'};
	ext(body, 0x0010, alpn, sizeof(alpn));
	static const uint8_t sig[] = {0, 4, 4, 3, 8, 4};
	ext(body, 0x000d, sig, sizeof(sig));
	static const uint8_t sv[] = {6, 0x2a, 0x2a, 3, 4, 3, 3};
	ext(body, 0x002b, sv, sizeof(sv));
	close_len(body, el, 2);
}

/*
 * ClientHello B: the worked example of FoxIO's JA4 specification
 * (technical_details/JA4.md): 15 ciphers, 16 extensions in the order
 * 001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,
 * 000a,0015, ALPN h2 first, signature algorithms
 * 0403,0804,0401,0503,0805,0501,0806,0601, supported_versions with TLS 1.3;
 * GREASE values added in each list. The specification gives
 * t13d1516h2_8daaf6152771_e5627efa2ab1 (its headline example, ..._b186095e22b6,
 * hashes the extensions with SNI and ALPN and without the signature
 * algorithms, an earlier form the worked example no longer uses).
 */
static void client_hello_b(struct bb *body)
{
	static const uint16_t ciphers[] = {0x5a5a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
					   0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
					   0x009c, 0x009d, 0x002f, 0x0035};
	static const uint16_t exts[] = {0x3a3a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469,
					0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012,
					0x002b, 0xff01, 0x000b, 0x000a, 0x0015, 0xfafa};
	static const uint16_t sig[] = {0x0403, 0x0804, 0x0401, 0x0503,
				       0x0805, 0x0501, 0x0806, 0x0601};
	static const uint8_t rnd[32] = {9};
	u16(body, 0x0303);
	put(body, rnd, 32);
	u8(body, 0);
	u16(body, sizeof(ciphers));
	for (size_t i = 0; i < sizeof(ciphers) / 2; i++)
		u16(body, ciphers[i]);
	u8(body, 1);
	u8(body, 0);
	size_t el = open_len(body, 2);
	for (size_t i = 0; i < sizeof(exts) / 2; i++) {
		u16(body, exts[i]);
		size_t l = open_len(body, 2);
		switch (exts[i]) {
		case 0x0000:
			put(body,
			    "\x00\x0e\x00\x00\x0b"
			    "example.org",
			    16);
			break;
		case 0x0010:
			put(body, "\x00\x0c\x02h2\x08http/1.1", 14);
			break;
		case 0x000d:
			u16(body, sizeof(sig));
			for (size_t k = 0; k < sizeof(sig) / 2; k++)
				u16(body, sig[k]);
			break;
		case 0x002b:
			put(body, "\x04\x03\x04\x03\x03", 5);
			break;
		case 0x000a:
			put(body, "\x00\x04\x00\x1d\x00\x17", 6);
			break;
		case 0x000b:
			put(body, "\x01\x00", 2);
			break;
		default:
			break;
		}
		close_len(body, l, 2);
	}
	close_len(body, el, 2);
}

/* ServerHello: version, cipher, the session id given, extensions. */
static void server_hello(struct bb *body, unsigned ver, unsigned cipher, const uint8_t *sid,
			 size_t sidn, bool tls13, bool hrr)
{
	static const uint8_t hrr_rnd[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
					    0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
					    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
					    0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
	static const uint8_t rnd[32] = {7, 7, 7};
	u16(body, ver);
	put(body, hrr ? hrr_rnd : rnd, 32);
	u8(body, (unsigned)sidn);
	put(body, sid, sidn);
	u16(body, cipher);
	u8(body, 0);
	size_t el = open_len(body, 2);
	if (tls13) {
		ext(body, 0x002b, "\x03\x04", 2);
		static const uint8_t alpn[] = {0, 3, 2, 'h', '2'};
		ext(body, 0x0010, alpn, sizeof(alpn));
	} else {
		ext(body, 0xff01, "\x00", 1);
	}
	close_len(body, el, 2);
}

/* ---- a certificate made here ---- */

static uint8_t *make_cert(int *len, X509 **keep)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	uint8_t *der = NULL;
	if (!pk || !x)
		return NULL;
	X509_set_version(x, 2);
	/* 0x97e647: the high bit is set, so DER carries a leading 00 */
	ASN1_INTEGER_set(X509_get_serialNumber(x), 0x97e647);
	ASN1_TIME_set_string(X509_getm_notBefore(x), "240115090000Z");
	ASN1_TIME_set_string(X509_getm_notAfter(x), "20500101000000Z");
	X509_NAME *sn = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(sn, "C", MBSTRING_ASC, (const unsigned char *)"JP", -1, -1, 0);
	X509_NAME_add_entry_by_txt(sn, "O", MBSTRING_ASC, (const unsigned char *)"Example", -1, -1,
				   0);
	/* set -1 appends to the previous RDN: a multi-valued one */
	X509_NAME_add_entry_by_txt(sn, "OU", MBSTRING_ASC, (const unsigned char *)"Ops", -1, -1,
				   -1);
	X509_NAME_add_entry_by_txt(sn, "CN", MBSTRING_UTF8,
				   (const unsigned char *)"www.example.com", -1, -1, 0);
	X509_NAME *in = X509_get_issuer_name(x);
	X509_NAME_add_entry_by_txt(in, "C", MBSTRING_ASC, (const unsigned char *)"US", -1, -1, 0);
	X509_NAME_add_entry_by_txt(in, "O", MBSTRING_ASC, (const unsigned char *)"Let's Encrypt",
				   -1, -1, 0);
	X509_NAME_add_entry_by_txt(in, "CN", MBSTRING_ASC, (const unsigned char *)"R3", -1, -1, 0);
	X509_set_pubkey(x, pk);
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(
	    NULL, &ctx, NID_subject_alt_name, "DNS:www.example.com, IP:192.0.2.1, DNS:example.com");
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	X509_sign(x, pk, EVP_sha256());
	*len = i2d_X509(x, &der);
	EVP_PKEY_free(pk);
	*keep = x;
	return der;
}

/* ---- feeding ---- */

static struct counters cnt;
static struct tls_hello *H;

static int feed_all(struct tls_state *st, int dir, const struct bb *b, size_t step)
{
	int p = 0;
	for (size_t o = 0; o < b->n; o += step) {
		size_t k = b->n - o < step ? b->n - o : step;
		int r = tls_feed(st, H, &cnt, dir, b->b + o, (uint32_t)k);
		if (r < 0)
			return r;
		p |= r;
	}
	return p;
}

static bool ref_is(const struct tls_state *st, struct tls_ref r, const char *want)
{
	const uint8_t *p;
	uint32_t n;
	return tls_get(st, r, &p, &n) && n == strlen(want) && !memcmp(p, want, n);
}

static void test_client_hello(void)
{
	static struct bb body, rec;
	body.n = rec.n = 0;
	client_hello_a(&body, false);
	struct bb msg = {.n = 0};
	message(&msg, 1, body.b, body.n);
	record(&rec, 22, 0x0301, msg.b, msg.n);

	for (size_t step = 1; step <= rec.n; step = step < 8 ? step + 1 : step * 3) {
		struct tls_state st;
		memset(&st, 0, sizeof(st));
		CHECK_EQ(feed_all(&st, 0, &rec, step), TLS_P_CLIENT_HELLO);
		CHECK_EQ(st.client_version, 0x0303);
		CHECK(ref_is(&st, st.sni, "example.com"));
		CHECK_EQ(st.n_calpn, 1);
		CHECK(ref_is(&st, st.calpn[0], "h2"));
		CHECK(ref_is(&st, st.ja3, "771,4865-49199,0-10-11-16-13-43,29-23,0"));
		CHECK_STR(st.ja3_hash, "45375bffc36d1158dac85b42a8f8674e");
		/* JA4 of A: 2 ciphers (1301,c02f), 6 extensions, h2; sorted
		 * extensions without SNI/ALPN 000a,000b,000d,002b, then 0403,0804 */
		CHECK(!strncmp(st.ja4, "t13d0206h2_", 11));
		tls_state_free(&st);
	}

	/* the message spanning three records */
	struct bb split = {.n = 0};
	size_t cut1 = msg.n / 3, cut2 = 2 * msg.n / 3;
	record(&split, 22, 0x0301, msg.b, cut1);
	record(&split, 22, 0x0301, msg.b + cut1, cut2 - cut1);
	record(&split, 22, 0x0301, msg.b + cut2, msg.n - cut2);
	for (size_t step = 1; step <= split.n; step += 5) {
		struct tls_state st;
		memset(&st, 0, sizeof(st));
		CHECK_EQ(feed_all(&st, 0, &split, step), TLS_P_CLIENT_HELLO);
		CHECK_STR(st.ja3_hash, "45375bffc36d1158dac85b42a8f8674e");
		tls_state_free(&st);
	}
}

static void test_ja4_spec(void)
{
	static struct bb body;
	struct bb msg = {.n = 0}, rec = {.n = 0};
	body.n = 0;
	client_hello_b(&body);
	message(&msg, 1, body.b, body.n);
	record(&rec, 22, 0x0301, msg.b, msg.n);
	struct tls_state st;
	memset(&st, 0, sizeof(st));
	CHECK_EQ(feed_all(&st, 0, &rec, rec.n), TLS_P_CLIENT_HELLO);
	CHECK_STR(st.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
	CHECK_EQ(st.n_calpn, 2);
	tls_state_free(&st);
}

/* JA4's a part without SNI, with an ALPN value that is not alphanumeric. */
static void test_ja4_edges(void)
{
	struct bb body = {.n = 0}, msg = {.n = 0}, rec = {.n = 0};
	static const uint8_t rnd[32];
	u16(&body, 0x0301);
	put(&body, rnd, 32);
	u8(&body, 0);
	u16(&body, 2);
	u16(&body, 0x002f);
	u8(&body, 1);
	u8(&body, 0);
	size_t el = open_len(&body, 2);
	static const uint8_t alpn[] = {0, 4, 3, 0xab, 'x', '!'};
	ext(&body, 0x0010, alpn, sizeof(alpn));
	close_len(&body, el, 2);
	message(&msg, 1, body.b, body.n);
	record(&rec, 22, 0x0301, msg.b, msg.n);
	struct tls_state st;
	memset(&st, 0, sizeof(st));
	CHECK_EQ(feed_all(&st, 0, &rec, rec.n), TLS_P_CLIENT_HELLO);
	/* TLS 1.0, no SNI, 1 cipher, 1 extension, hex digits of 0xab..'!' */
	CHECK(!strncmp(st.ja4, "t10i0101a1_", 11));
	/* the only extension is ALPN: nothing left to hash */
	CHECK(strlen(st.ja4) == 36 && !strcmp(st.ja4 + 24, "000000000000"));
	CHECK(ref_is(&st, st.ja3, "769,47,16,,"));
	tls_state_free(&st);
}

static void test_server_cert(void)
{
	X509 *x = NULL;
	int dl = 0;
	uint8_t *der = make_cert(&dl, &x);
	CHECK(der != NULL);
	if (!der)
		return;
	static struct bb flight, sh, certmsg;
	flight.n = sh.n = certmsg.n = 0;
	struct bb shm = {.n = 0};
	server_hello(&sh, 0x0303, 0xc02f, NULL, 0, false, false);
	message(&shm, 2, sh.b, sh.n);
	/* Certificate: the chain is this certificate twice */
	size_t cl = open_len(&certmsg, 3);
	for (int i = 0; i < 2; i++) {
		size_t l = open_len(&certmsg, 3);
		put(&certmsg, der, (size_t)dl);
		close_len(&certmsg, l, 3);
	}
	close_len(&certmsg, cl, 3);
	static struct bb hs;
	hs.n = 0;
	put(&hs, shm.b, shm.n);
	message(&hs, 11, certmsg.b, certmsg.n);
	message(&hs, 14, NULL, 0); /* ServerHelloDone */
	/* the flight in records of at most 300 bytes */
	for (size_t o = 0; o < hs.n; o += 300)
		record(&flight, 22, 0x0303, hs.b + o, hs.n - o < 300 ? hs.n - o : 300);

	char fp[60], vb[24];
	unsigned char md[20];
	unsigned int ml = 0;
	X509_digest(x, EVP_sha1(), md, &ml);
	for (unsigned i = 0, k = 0; i < ml; i++)
		k += (unsigned)snprintf(fp + k, sizeof(fp) - k, i ? ":%02x" : "%02x", md[i]);

	for (size_t step = 1; step <= flight.n; step = step < 4 ? step + 1 : step * 2 + 1) {
		struct tls_state st;
		memset(&st, 0, sizeof(st));
		CHECK_EQ(feed_all(&st, 1, &flight, step), TLS_P_SERVER_HELLO | TLS_P_CERTS);
		CHECK_STR(tls_version_name(st.server_version, vb), "TLS 1.2");
		CHECK_EQ(st.cipher, 0xc02f);
		CHECK(ref_is(&st, st.ja3s, "771,49199,65281"));
		CHECK_STR(st.ja3s_hash, "fbe78c619e7ea20046131294ad087f05");
		/* a multi-valued RDN in wire order: DER sorts the SET, shorter first */
		CHECK(ref_is(&st, st.subject, "C=JP, OU=Ops + O=Example, CN=www.example.com"));
		CHECK(ref_is(&st, st.issuer, "C=US, O=Let's Encrypt, CN=R3"));
		CHECK(ref_is(&st, st.serial, "00:97:E6:47"));
		CHECK(ref_is(&st, st.fingerprint, fp));
		CHECK_STR(st.notbefore, "2024-01-15T09:00:00");
		CHECK_STR(st.notafter, "2050-01-01T00:00:00");
		const uint8_t *p;
		uint32_t n;
		CHECK_EQ(st.n_sans, 2);
		CHECK(tls_san(&st, 0, &p, &n) && n == 15 && !memcmp(p, "www.example.com", 15));
		CHECK(tls_san(&st, 1, &p, &n) && n == 11 && !memcmp(p, "example.com", 11));
		CHECK(!tls_san(&st, 2, &p, &n));
		CHECK_EQ(st.n_certs, 2);
		CHECK(tls_cert(&st, 1, &p, &n) && n == (uint32_t)dl && !memcmp(p, der, n));
		/* later handshake messages are not read; record headers still are,
		 * up to the ChangeCipherSpec where the direction goes encrypted */
		CHECK(st.d[1].quiet && !st.d[1].done && !st.d[1].secret);
		static const uint8_t ccs[6] = {20, 3, 3, 0, 1, 1};
		tls_feed(&st, H, &cnt, 1, ccs, sizeof(ccs));
		CHECK(st.d[1].done && st.d[1].secret);
		tls_state_free(&st);
	}

	/* a certificate libcrypto cannot read: counted, the chain still kept */
	memset(&cnt, 0, sizeof(cnt));
	certmsg.b[10] ^= 0xff;
	certmsg.b[11] ^= 0xff;
	struct bb bad = {.n = 0}, badm = {.n = 0};
	message(&badm, 11, certmsg.b, certmsg.n);
	record(&bad, 22, 0x0303, badm.b, badm.n);
	struct tls_state st;
	memset(&st, 0, sizeof(st));
	CHECK_EQ(feed_all(&st, 1, &bad, bad.n), TLS_P_CERTS);
	CHECK_EQ(cnt.c[CNT_APP_TLS_INVALID_CERT], 1);
	CHECK_EQ(st.n_certs, 2);
	CHECK(!st.subject.len);
	tls_state_free(&st);
	OPENSSL_free(der);
	X509_free(x);
}

static void test_tls13_and_resume(void)
{
	static struct bb a;
	struct bb sh = {.n = 0}, m = {.n = 0}, s = {.n = 0};
	char vb[24];
	uint8_t sid[32];
	memset(sid, 0x11, sizeof(sid));

	/* TLS 1.3: ServerHello, CCS, application data */
	server_hello(&sh, 0x0303, 0x1301, sid, 32, true, false);
	message(&m, 2, sh.b, sh.n);
	record(&s, 22, 0x0303, m.b, m.n);
	record(&s, 20, 0x0303, (const uint8_t *)"\x01", 1);
	record(&s, 23, 0x0303, (const uint8_t *)"xxxxxxxx", 8);
	struct tls_state st;
	memset(&st, 0, sizeof(st));
	a.n = 0;
	client_hello_a(&a, true);
	struct bb cm = {.n = 0}, cr = {.n = 0};
	message(&cm, 1, a.b, a.n);
	record(&cr, 22, 0x0301, cm.b, cm.n);
	CHECK_EQ(feed_all(&st, 0, &cr, cr.n), TLS_P_CLIENT_HELLO);
	CHECK_EQ(feed_all(&st, 1, &s, s.n), TLS_P_SERVER_HELLO | TLS_P_SERVER_END);
	CHECK_STR(tls_version_name(st.server_version, vb), "TLS 1.3");
	CHECK(!(st.flags & TLS_F_RESUMED)); /* TLS 1.3 echoes the id: not a resumption */
	CHECK(ref_is(&st, st.ja3s, "771,4865,43-16"));
	CHECK_STR(st.ja3s_hash, "2b83a23dea22815f9c4ffaaeaebdc796");
	CHECK(ref_is(&st, st.salpn[0], "h2"));
	/* the client past its handshake too: both done, more bytes are ignored */
	struct bb cc = {.n = 0};
	record(&cc, 20, 0x0303, (const uint8_t *)"\x01", 1);
	CHECK_EQ(feed_all(&st, 0, &cc, cc.n), 0);
	CHECK(tls_done(&st));
	CHECK_EQ(tls_feed(&st, H, &cnt, 0, (const uint8_t *)"garbage", 7), 0);
	tls_state_free(&st);

	/* TLS 1.2 resumed: the ServerHello echoes the client's session id */
	memset(&st, 0, sizeof(st));
	CHECK_EQ(feed_all(&st, 0, &cr, cr.n), TLS_P_CLIENT_HELLO);
	sh.n = m.n = s.n = 0;
	server_hello(&sh, 0x0303, 0xc02f, sid, 32, false, false);
	message(&m, 2, sh.b, sh.n);
	record(&s, 22, 0x0303, m.b, m.n);
	record(&s, 20, 0x0303, (const uint8_t *)"\x01", 1);
	CHECK_EQ(feed_all(&st, 1, &s, s.n), TLS_P_SERVER_HELLO | TLS_P_SERVER_END);
	CHECK(st.flags & TLS_F_RESUMED);
	tls_state_free(&st);

	/* a HelloRetryRequest and its compatibility CCS, then the real ServerHello */
	memset(&st, 0, sizeof(st));
	sh.n = m.n = s.n = 0;
	server_hello(&sh, 0x0303, 0x1301, sid, 32, true, true);
	message(&m, 2, sh.b, sh.n);
	record(&s, 22, 0x0303, m.b, m.n);
	record(&s, 20, 0x0303, (const uint8_t *)"\x01", 1);
	CHECK_EQ(feed_all(&st, 1, &s, s.n), 0);
	CHECK(st.flags & TLS_F_HRR);
	CHECK(!st.d[1].done);
	sh.n = m.n = s.n = 0;
	server_hello(&sh, 0x0303, 0x1302, sid, 32, true, false);
	message(&m, 2, sh.b, sh.n);
	record(&s, 22, 0x0303, m.b, m.n);
	record(&s, 23, 0x0303, (const uint8_t *)"zz", 2);
	CHECK_EQ(feed_all(&st, 1, &s, s.n), TLS_P_SERVER_HELLO | TLS_P_SERVER_END);
	CHECK_EQ(st.cipher, 0x1302);
	tls_state_free(&st);
}

static void test_sslv2(void)
{
	/* SSLv2 CLIENT-HELLO offering version 3.1, one cipher spec, a 16-byte challenge */
	struct bb b = {.n = 0};
	u8(&b, 0x80);
	u8(&b, 9 + 3 + 16);
	u8(&b, 1);
	u16(&b, 0x0301);
	u16(&b, 3);
	u16(&b, 0);
	u16(&b, 16);
	put(&b, "\x00\x00\x2f", 3);
	for (int i = 0; i < 16; i++)
		u8(&b, (unsigned)i);
	struct tls_state st;
	memset(&st, 0, sizeof(st));
	memset(&cnt, 0, sizeof(cnt));
	CHECK_EQ(feed_all(&st, 0, &b, 3), TLS_P_CLIENT_HELLO);
	CHECK(st.flags & TLS_F_SSLV2);
	CHECK_EQ(st.client_version, 0x0301);
	CHECK_EQ(cnt.c[CNT_APP_TLS_SSLV2], 1);
	CHECK(!st.ja3_hash[0]);
	tls_state_free(&st);
}

static void test_malformed(void)
{
	struct tls_state st;
	char vb[24];

	/* a record header that is not TLS */
	memset(&cnt, 0, sizeof(cnt));
	memset(&st, 0, sizeof(st));
	CHECK_EQ(tls_feed(&st, H, &cnt, 0, (const uint8_t *)"\x16\x09\x01\x00\x10", 5), -1);
	CHECK_EQ(cnt.c[CNT_APP_TLS_MALFORMED_RECORD], 1);
	CHECK(st.d[0].done);
	tls_state_free(&st);

	/* a record longer than TLS allows */
	memset(&st, 0, sizeof(st));
	CHECK_EQ(tls_feed(&st, H, &cnt, 1, (const uint8_t *)"\x17\x03\x03\x48\x01", 5), -1);
	CHECK_EQ(cnt.c[CNT_APP_TLS_MALFORMED_RECORD], 2);
	tls_state_free(&st);

	/* a handshake message over the 64 KiB cap: skipped, counted; the next one is read */
	static struct bb big, body;
	big.n = body.n = 0;
	struct bb hs = {.n = 0};
	u8(&hs, 1);
	u8(&hs, 0x01);
	u16(&hs, 0x0001); /* 65537 bytes */
	static uint8_t zero[TLS_RECORD_MAX];
	size_t left = 65537;
	record(&big, 22, 0x0301, hs.b, hs.n);
	while (left) {
		size_t k = left < 16384 ? left : 16384;
		record(&big, 22, 0x0301, zero, k);
		left -= k;
	}
	client_hello_a(&body, false);
	struct bb m = {.n = 0};
	message(&m, 1, body.b, body.n);
	record(&big, 22, 0x0301, m.b, m.n);
	memset(&st, 0, sizeof(st));
	memset(&cnt, 0, sizeof(cnt));
	CHECK_EQ(feed_all(&st, 0, &big, 1000), TLS_P_CLIENT_HELLO);
	CHECK_EQ(cnt.c[CNT_APP_TLS_HS_TOO_LONG], 1);
	CHECK(st.d[0].hcap == 0 || st.d[0].hcap < 65537);
	CHECK_STR(st.ja3_hash, "45375bffc36d1158dac85b42a8f8674e");
	tls_state_free(&st);

	/* the ClientHello cut at every length, its lengths made consistent with
	 * the cut: never a crash, malformed unless whole */
	for (size_t cut = 0; cut <= body.n; cut++) {
		struct bb r = {.n = 0}, mm = {.n = 0};
		message(&mm, 1, body.b, cut);
		record(&r, 22, 0x0301, mm.b, mm.n);
		memset(&st, 0, sizeof(st));
		memset(&cnt, 0, sizeof(cnt));
		int p = feed_all(&st, 0, &r, r.n);
		CHECK(p == TLS_P_CLIENT_HELLO);
		if (cut < body.n && cnt.c[CNT_APP_TLS_MALFORMED_HS] == 0)
			CHECK(cut > 40); /* only cuts between extensions parse as whole */
		tls_state_free(&st);
	}
	/* the ServerHello likewise */
	struct bb sh = {.n = 0};
	server_hello(&sh, 0x0303, 0xc02f, NULL, 0, true, false);
	for (size_t cut = 0; cut <= sh.n; cut++) {
		struct bb r = {.n = 0}, mm = {.n = 0};
		message(&mm, 2, sh.b, cut);
		record(&r, 22, 0x0303, mm.b, mm.n);
		memset(&st, 0, sizeof(st));
		(void)feed_all(&st, 1, &r, r.n);
		(void)tls_version_name(st.server_version, vb);
		tls_state_free(&st);
	}

	/* an odd cipher-suite length and an extension running past the block */
	body.n = 0;
	client_hello_a(&body, false);
	body.b[35] = 5; /* cipher length 6 -> 5 */
	struct bb r = {.n = 0}, mm = {.n = 0};
	message(&mm, 1, body.b, body.n);
	record(&r, 22, 0x0301, mm.b, mm.n);
	memset(&st, 0, sizeof(st));
	memset(&cnt, 0, sizeof(cnt));
	CHECK_EQ(feed_all(&st, 0, &r, r.n), TLS_P_CLIENT_HELLO);
	CHECK_EQ(cnt.c[CNT_APP_TLS_MALFORMED_HS], 1);
	CHECK(!st.ja3_hash[0]);
	tls_state_free(&st);

	/* a Certificate whose chain length disagrees with the message */
	struct bb c = {.n = 0}, cr = {.n = 0};
	message(&c, 11,
		(const uint8_t *)"\x00\x00\x09\x00\x00\x05"
				 "abcde",
		11);
	record(&cr, 22, 0x0303, c.b, c.n);
	memset(&st, 0, sizeof(st));
	memset(&cnt, 0, sizeof(cnt));
	CHECK_EQ(feed_all(&st, 1, &cr, cr.n), TLS_P_CERTS);
	CHECK_EQ(cnt.c[CNT_APP_TLS_MALFORMED_HS], 1);
	CHECK_EQ(st.n_certs, 0);
	tls_state_free(&st);

	CHECK_STR(tls_version_name(0x0300, vb), "SSLv3");
	CHECK_STR(tls_version_name(0x0301, vb), "TLSv1");
	CHECK_STR(tls_version_name(0x7f1c, vb), "TLS 1.3 draft-28");
	CHECK_STR(tls_version_name(0xfb1a, vb), "TLS 1.3 draft-26-fb");
	CHECK_STR(tls_version_name(0x1234, vb), "0x1234");
	CHECK(tls_grease(0x0a0a) && tls_grease(0xfafa) && !tls_grease(0x0a1a) &&
	      !tls_grease(0x1301));
}

/* ---- the app layer: probe, levels, buffers ---- */

static uint8_t levels[8];
static int n_levels;
static const struct tls_state *last;

static void on_tx(void *ctx, struct flow *f, const struct app_tx *tx, int dir, uint8_t level)
{
	(void)ctx;
	(void)f;
	if (n_levels < 8)
		levels[n_levels++] = (uint8_t)(level * 2 + dir);
	last = tx->data;
	CHECK_EQ(tx->id, 0);
}

static void test_app(void)
{
	static struct config cfg;
	static struct app_ctx ac;
	config_defaults(&cfg);
	memset(&cnt, 0, sizeof(cnt));
	CHECK_EQ(app_ctx_init(&ac, &cfg, &cnt), 0);
	struct app_sink sink = {on_tx, NULL, NULL};
	app_ctx_set_sink(&ac, &sink);
	const struct app_parser *ap = app_parser_for(ALPROTO_TLS);
	CHECK(ap != NULL);
	if (!ap)
		return;

	static struct bb body;
	struct bb m = {.n = 0}, cr = {.n = 0}, sh = {.n = 0}, sm = {.n = 0}, sr = {.n = 0};
	body.n = 0;
	client_hello_a(&body, false);
	message(&m, 1, body.b, body.n);
	record(&cr, 22, 0x0301, m.b, m.n);
	server_hello(&sh, 0x0303, 0x1301, NULL, 0, true, false);
	message(&sm, 2, sh.b, sh.n);
	record(&sr, 22, 0x0303, sm.b, sm.n);
	record(&sr, 23, 0x0303, (const uint8_t *)"abc", 3);

	CHECK_EQ(ap->probe(cr.b, 3, 0, true, 40000, 443), APP_PROBE_MORE);
	CHECK_EQ(ap->probe(cr.b, (uint32_t)cr.n, 0, true, 40000, 443), APP_PROBE_YES);
	CHECK_EQ(ap->probe(cr.b, (uint32_t)cr.n, 1, true, 443, 40000), APP_PROBE_NO);
	CHECK_EQ(ap->probe(sr.b, (uint32_t)sr.n, 1, true, 443, 40000), APP_PROBE_YES);
	CHECK_EQ(ap->probe((const uint8_t *)"GET / HTTP/1.1\r\n", 16, 0, true, 1, 443),
		 APP_PROBE_NO);
	CHECK_EQ(ap->buffer_level(BUF_TLS_SNI, 0), 1);
	CHECK_EQ(ap->buffer_level(BUF_JA3S_HASH, 1), 2);
	CHECK_EQ(ap->buffer_level(BUF_TLS_SUBJECTALTNAME, 1), 3);
	CHECK_EQ(ap->buffer_level(BUF_DNS_QUERY, 0), 0);

	struct flow f;
	memset(&f, 0, sizeof(f));
	f.proto = 6;
	f.ip_ver = 4;
	f.sp = 40000;
	f.dp = 4433; /* not a known port: found by content */
	n_levels = 0;
	/* the ClientHello in 2-byte pieces (the probe buffers), then the server */
	for (size_t o = 0; o < cr.n; o += 2)
		app_stream_data(&ac, &f, 0, cr.b + o, (uint32_t)(cr.n - o < 2 ? cr.n - o : 2));
	app_stream_data(&ac, &f, 1, sr.b, (uint32_t)sr.n);
	CHECK_EQ(f.app_proto, ALPROTO_TLS);
	CHECK_EQ(n_levels, 3);
	CHECK(levels[0] == 2 && levels[1] == 5 &&
	      levels[2] == 7); /* 1/to server, 2 and 3/to client */
	const uint8_t *p;
	uint32_t n;
	CHECK(ap->buffer(last, BUF_TLS_SNI, 0, 0, &p, &n) && n == 11 &&
	      !memcmp(p, "example.com", 11));
	CHECK(!ap->buffer(last, BUF_TLS_SNI, 0, 1, &p, &n));
	CHECK(ap->buffer(last, BUF_JA3_HASH, 0, 0, &p, &n) && n == 32);
	CHECK(ap->buffer(last, BUF_JA4_HASH, 0, 0, &p, &n) && n == 36);
	CHECK(ap->buffer(last, BUF_JA3S_STRING, 1, 0, &p, &n));
	CHECK(!ap->buffer(last, BUF_TLS_CERT_SUBJECT, 1, 0, &p, &n));
	CHECK(!ap->buffer(last, BUF_TLS_CERTS, 1, 0, &p, &n));

	/* the EVE object of this handshake */
	struct jbuf jb;
	CHECK_EQ(jb_init(&jb, 256, 1 << 16), 0);
	jb_open(&jb, NULL);
	eve_put_tls(&jb, last);
	jb_close(&jb);
	jb.p[jb.len] = '\0';
	CHECK(strstr(jb.p, "\"sni\":\"example.com\",\"version\":\"TLS 1.3\",\"ja3\":{\"hash\":"
			   "\"45375bffc36d1158dac85b42a8f8674e\"") != NULL);
	CHECK(strstr(jb.p, "\"client_alpns\":[\"h2\"],\"server_alpns\":[\"h2\"]") != NULL);
	jb_free(&jb);
	app_flow_end(&ac, &f);
	CHECK_EQ(n_levels, 3);
	CHECK_EQ(cnt.c[CNT_APP_TX_TLS], 1);

	/* a ClientHello alone: level 3 comes at the flow's end */
	memset(&f, 0, sizeof(f));
	f.proto = 6;
	f.ip_ver = 4;
	f.sp = 40001;
	f.dp = 443;
	n_levels = 0;
	app_stream_data(&ac, &f, 0, cr.b, (uint32_t)cr.n);
	CHECK_EQ(n_levels, 1);
	app_flow_end(&ac, &f);
	CHECK(n_levels == 2 && levels[1] == 7);
	app_ctx_free(&ac);
}

int main(void)
{
	H = calloc(1, sizeof(*H));
	if (!H)
		return 1;
	test_client_hello();
	test_ja4_spec();
	test_ja4_edges();
	test_server_cert();
	test_tls13_and_resume();
	test_sslv2();
	test_malformed();
	test_app();
	tls_hello_free(H);
	free(H);
	return check_report("test_tls");
}
