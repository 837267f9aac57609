/*
 * bb — the byte builder and the application message builders shared by the scenario files
 * (see bb.h). Byte layouts follow the RFCs cited above each group.
 */
#include "bb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void bb_init(struct bb *b, uint8_t *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	b->err = 0;
}

void bb_put(struct bb *b, const void *d, size_t n)
{
	if (b->err || n > b->cap - b->len) {
		b->err = -ENOSPC;
		return;
	}
	if (d)
		memcpy(b->p + b->len, d, n);
	else
		memset(b->p + b->len, 0, n);
	b->len += n;
}

void bb_u8(struct bb *b, uint8_t v)
{
	bb_put(b, &v, 1);
}

void bb_u16(struct bb *b, uint16_t v)
{
	uint8_t d[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	bb_put(b, d, 2);
}

void bb_u32(struct bb *b, uint32_t v)
{
	uint8_t d[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	bb_put(b, d, 4);
}

void bb_str(struct bb *b, const char *s)
{
	bb_put(b, s, strlen(s));
}

void bb_rand(struct bb *b, struct scen_rng *r, size_t n)
{
	size_t at = b->len;

	bb_put(b, NULL, n);
	if (!b->err)
		scen_rand_bytes(r, b->p + at, n);
}

/* Reserve a big-endian length field of w bytes; bb_close() fills it with what follows. */
size_t bb_open(struct bb *b, unsigned w)
{
	size_t at = b->len;

	bb_put(b, NULL, w);
	return at;
}

void bb_close(struct bb *b, size_t at, unsigned w)
{
	size_t n = b->len - at - w;

	if (b->err)
		return;
	for (unsigned i = 0; i < w; i++)
		b->p[at + i] = (uint8_t)(n >> (8 * (w - 1 - i)));
}

/* ---- DNS (RFC 1035) ---- */

void bb_dns_name(struct bb *b, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);

		bb_u8(b, (uint8_t)n);
		bb_put(b, name, n);
		name += n + (dot ? 1 : 0);
	}
	bb_u8(b, 0);
}

void bb_dns_query(struct bb *b, uint16_t id, const char *name, uint16_t qtype)
{
	bb_u16(b, id);
	bb_u16(b, 0x0100); /* standard query, recursion desired */
	bb_u16(b, 1);
	bb_u16(b, 0);
	bb_u16(b, 0);
	bb_u16(b, 0);
	bb_dns_name(b, name);
	bb_u16(b, qtype);
	bb_u16(b, 1); /* IN */
}

void bb_dns_response(struct bb *b, unsigned rcode, unsigned ancount)
{
	if (b->err || b->len < 12)
		return;
	b->p[2] = 0x81;			   /* response, RD */
	b->p[3] = (uint8_t)(0x80 | rcode); /* RA */
	b->p[6] = (uint8_t)(ancount >> 8);
	b->p[7] = (uint8_t)ancount;
}

void bb_dns_rr(struct bb *b, uint16_t type, uint32_t ttl, const void *rdata, size_t len)
{
	bb_u16(b, 0xc00c); /* the name, compressed: the question's */
	bb_u16(b, type);
	bb_u16(b, 1);
	bb_u32(b, ttl);
	bb_u16(b, (uint16_t)len);
	bb_put(b, rdata, len);
}

/* ---- TLS (RFC 8446, RFC 5246) ---- */

static const uint16_t ch_suites13[] = {0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f,
				       0xcca9, 0xcca8, 0xc02c, 0xc030, 0xc013,
				       0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
static const uint16_t ch_suites12[] = {0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
				       0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
static const uint16_t sig_algs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};

/* A ClientHello record with SNI; tls13 adds supported_versions, key_share, psk modes. */
void bb_tls_client_hello(struct bb *b, struct scen_rng *r, const char *sni, bool tls13,
			 const uint8_t sid[32])
{
	const uint16_t *suites = tls13 ? ch_suites13 : ch_suites12;
	size_t nsuites = tls13 ? sizeof(ch_suites13) / 2 : sizeof(ch_suites12) / 2;
	size_t rec, hs, l, exts, e, e2;

	bb_u8(b, 22);
	bb_u16(b, 0x0301);
	rec = bb_open(b, 2);
	bb_u8(b, 1); /* client_hello */
	hs = bb_open(b, 3);
	bb_u16(b, 0x0303);
	bb_rand(b, r, 32);
	bb_u8(b, 32);
	bb_put(b, sid, 32);
	l = bb_open(b, 2);
	for (size_t i = 0; i < nsuites; i++)
		bb_u16(b, suites[i]);
	bb_close(b, l, 2);
	bb_u8(b, 1);
	bb_u8(b, 0); /* null compression */
	exts = bb_open(b, 2);
	bb_u16(b, 0x0000); /* server_name */
	e = bb_open(b, 2);
	l = bb_open(b, 2);
	bb_u8(b, 0); /* host_name */
	e2 = bb_open(b, 2);
	bb_str(b, sni);
	bb_close(b, e2, 2);
	bb_close(b, l, 2);
	bb_close(b, e, 2);
	bb_u16(b, 0x0017); /* extended_master_secret */
	bb_u16(b, 0);
	bb_u16(b, 0xff01); /* renegotiation_info */
	bb_u16(b, 1);
	bb_u8(b, 0);
	bb_u16(b, 0x000a); /* supported_groups: x25519, secp256r1, secp384r1 */
	bb_u16(b, 8);
	bb_u16(b, 6);
	bb_u16(b, 0x001d);
	bb_u16(b, 0x0017);
	bb_u16(b, 0x0018);
	bb_u16(b, 0x000b); /* ec_point_formats: uncompressed */
	bb_u16(b, 2);
	bb_u8(b, 1);
	bb_u8(b, 0);
	bb_u16(b, 0x0023); /* session_ticket, empty */
	bb_u16(b, 0);
	bb_u16(b, 0x0010); /* ALPN: h2, http/1.1 */
	e = bb_open(b, 2);
	l = bb_open(b, 2);
	bb_u8(b, 2);
	bb_str(b, "h2");
	bb_u8(b, 8);
	bb_str(b, "http/1.1");
	bb_close(b, l, 2);
	bb_close(b, e, 2);
	bb_u16(b, 0x0005); /* status_request: OCSP */
	bb_u16(b, 5);
	bb_u8(b, 1);
	bb_u16(b, 0);
	bb_u16(b, 0);
	bb_u16(b, 0x000d); /* signature_algorithms */
	bb_u16(b, (uint16_t)(2 + sizeof(sig_algs)));
	bb_u16(b, (uint16_t)sizeof(sig_algs));
	for (size_t i = 0; i < sizeof(sig_algs) / 2; i++)
		bb_u16(b, sig_algs[i]);
	if (tls13) {
		bb_u16(b, 0x0033); /* key_share: one x25519 share */
		bb_u16(b, 38);
		bb_u16(b, 36);
		bb_u16(b, 0x001d);
		bb_u16(b, 32);
		bb_rand(b, r, 32);
		bb_u16(b, 0x002d); /* psk_key_exchange_modes: psk_dhe_ke */
		bb_u16(b, 2);
		bb_u8(b, 1);
		bb_u8(b, 1);
		bb_u16(b, 0x002b); /* supported_versions: TLS 1.3, TLS 1.2 */
		bb_u16(b, 5);
		bb_u8(b, 4);
		bb_u16(b, 0x0304);
		bb_u16(b, 0x0303);
	}
	bb_close(b, exts, 2);
	bb_close(b, hs, 3);
	bb_close(b, rec, 2);
}

/* ServerHello echoing sid; TLS 1.3: TLS_AES_128_GCM_SHA256 + key share, else
 * ECDHE-RSA-AES128-GCM-SHA256 (a resumed session). */
void bb_tls_server_hello(struct bb *b, struct scen_rng *r, bool tls13, const uint8_t sid[32])
{
	size_t rec, hs, exts;

	bb_u8(b, 22);
	bb_u16(b, 0x0303);
	rec = bb_open(b, 2);
	bb_u8(b, 2); /* server_hello */
	hs = bb_open(b, 3);
	bb_u16(b, 0x0303);
	bb_rand(b, r, 32);
	bb_u8(b, 32);
	bb_put(b, sid, 32);
	bb_u16(b, tls13 ? 0x1301 : 0xc02f);
	bb_u8(b, 0);
	exts = bb_open(b, 2);
	if (tls13) {
		bb_u16(b, 0x002b);
		bb_u16(b, 2);
		bb_u16(b, 0x0304);
		bb_u16(b, 0x0033);
		bb_u16(b, 36);
		bb_u16(b, 0x001d);
		bb_u16(b, 32);
		bb_rand(b, r, 32);
	} else {
		bb_u16(b, 0xff01);
		bb_u16(b, 1);
		bb_u8(b, 0);
		bb_u16(b, 0x0017);
		bb_u16(b, 0);
		bb_u16(b, 0x000b);
		bb_u16(b, 2);
		bb_u8(b, 1);
		bb_u8(b, 0);
	}
	bb_close(b, exts, 2);
	bb_close(b, hs, 3);
	bb_close(b, rec, 2);
}

void bb_tls_ccs(struct bb *b)
{
	static const uint8_t ccs[6] = {20, 3, 3, 0, 1, 1};

	bb_put(b, ccs, sizeof(ccs));
}

/* Opaque records of the given content type carrying n bytes in all (at most 16 KiB each). */
void bb_tls_opaque(struct bb *b, struct scen_rng *r, uint8_t type, size_t n)
{
	while (n > 0 && !b->err) {
		size_t l = n < 16384 ? n : 16384;

		bb_u8(b, type);
		bb_u16(b, 0x0303);
		bb_u16(b, (uint16_t)l);
		bb_rand(b, r, l);
		n -= l;
	}
}

/* ---- NTP (RFC 5905) ---- */

#define NTP_UNIX_OFFSET 2208988800ull /* seconds from 1900 to 1970 */

static void ntp_ts(struct bb *b, uint64_t t)
{
	bb_u32(b, (uint32_t)(t / SCEN_S + NTP_UNIX_OFFSET));
	bb_u32(b, (uint32_t)(((t % SCEN_S) << 32) / SCEN_S));
}

void bb_ntp_request(struct bb *b, uint64_t t)
{
	bb_u8(b, 0x23); /* LI 0, version 4, mode 3 (client) */
	bb_u8(b, 0);
	bb_u8(b, 6);
	bb_u8(b, 0xe9);
	bb_put(b, NULL, 36);
	ntp_ts(b, t);
}

void bb_ntp_response(struct bb *b, uint64_t orig, uint64_t recv, uint64_t xmit)
{
	bb_u8(b, 0x24); /* version 4, mode 4 (server) */
	bb_u8(b, 2);	/* stratum */
	bb_u8(b, 6);
	bb_u8(b, 0xe9);
	bb_u32(b, 0x00000a3d); /* root delay ~40 ms */
	bb_u32(b, 0x00000c0f); /* root dispersion */
	bb_u32(b, 0xcb00717b); /* reference id: upstream 203.0.113.123 */
	ntp_ts(b, orig - 512 * SCEN_S);
	ntp_ts(b, orig); /* origin: the client's transmit time */
	ntp_ts(b, recv);
	ntp_ts(b, xmit);
}

/* ---- HTTP/1.1 (RFC 9112) ---- */

void bb_http_date(char *out, size_t cap, uint64_t t)
{
	time_t s = (time_t)(t / SCEN_S);
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(out, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

void bb_http_request(struct bb *b, const char *method, const char *path, const char *host,
		     const char *ua, const char *extra)
{
	char hdr[768];
	int n = snprintf(hdr, sizeof(hdr),
			 "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
			 "Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n"
			 "Accept-Language: ja,en-US;q=0.7,en;q=0.3\r\n"
			 "Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n%s\r\n",
			 method, path, host, ua, extra ? extra : "");

	if (n < 0 || (size_t)n >= sizeof(hdr)) {
		if (!b->err)
			b->err = -ENOSPC;
		return;
	}
	bb_put(b, hdr, (size_t)n);
}
