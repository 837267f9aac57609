/*
 * bb — a byte builder for application payloads and the message builders the scenario files
 * share: DNS queries and responses (RFC 1035), TLS ClientHello with SNI and ServerHello
 * (RFC 8446, RFC 5246), opaque TLS records, HTTP/1.1 request heads (RFC 9112). Scenario
 * code builds a payload here and hands it to the pcapw packet or TCP helpers.
 *
 * A struct bb writes into a buffer the caller owns and never past its capacity; the first
 * overflow sets err to -ENOSPC and later calls do nothing (sticky, like pcapw). Nothing
 * allocates, nothing keeps global state. Random bytes come from the caller's scen_rng.
 */
#ifndef MAMORI_TOOLS_BB_H
#define MAMORI_TOOLS_BB_H

#include "scenarios_int.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bb {
	uint8_t *p; /* borrowed */
	size_t cap, len;
	int err;
};

void bb_init(struct bb *b, uint8_t *p, size_t cap);
/* n bytes of d, or n zero bytes if d is NULL. */
void bb_put(struct bb *b, const void *d, size_t n);
void bb_u8(struct bb *b, uint8_t v);
void bb_u16(struct bb *b, uint16_t v); /* big-endian */
void bb_u32(struct bb *b, uint32_t v); /* big-endian */
void bb_str(struct bb *b, const char *s);
/* n bytes from r. */
void bb_rand(struct bb *b, struct scen_rng *r, size_t n);
/* Reserve a big-endian length field of w bytes; bb_close() fills it with what follows. */
size_t bb_open(struct bb *b, unsigned w);
void bb_close(struct bb *b, size_t at, unsigned w);

/* ---- DNS (RFC 1035) ---- */

/* A name as labels ("a.b" -> 1 a 1 b 0); name must not end with a dot. */
void bb_dns_name(struct bb *b, const char *name);
/* A query: header (id, RD, one question), name, qtype, class IN. */
void bb_dns_query(struct bb *b, uint16_t id, const char *name, uint16_t qtype);
/* Turn the query in b (built by bb_dns_query at offset 0) into its response head: QR, RD,
 * RA, rcode, ancount. Append the answers with bb_dns_rr(). */
void bb_dns_response(struct bb *b, unsigned rcode, unsigned ancount);
/* One answer for the question's name (compressed pointer to offset 12), class IN. */
void bb_dns_rr(struct bb *b, uint16_t type, uint32_t ttl, const void *rdata, size_t len);

/* ---- TLS (RFC 8446, RFC 5246) ---- */

/* A ClientHello record with SNI and ALPN h2/http/1.1; tls13 adds supported_versions,
 * key_share, psk modes. */
void bb_tls_client_hello(struct bb *b, struct scen_rng *r, const char *sni, bool tls13,
			 const uint8_t sid[32]);
/* ServerHello echoing sid; TLS 1.3: TLS_AES_128_GCM_SHA256 + key share, else
 * ECDHE-RSA-AES128-GCM-SHA256 (a resumed session). */
void bb_tls_server_hello(struct bb *b, struct scen_rng *r, bool tls13, const uint8_t sid[32]);
/* ChangeCipherSpec record. */
void bb_tls_ccs(struct bb *b);
/* Opaque records of the given content type carrying n bytes in all (at most 16 KiB each). */
void bb_tls_opaque(struct bb *b, struct scen_rng *r, uint8_t type, size_t n);

/* ---- NTP (RFC 5905) ---- */

/* A version 4 client request (mode 3) sent at t. */
void bb_ntp_request(struct bb *b, uint64_t t);
/* The server's answer (mode 4, stratum 2, reference 203.0.113.123) to a request sent at
 * orig, received at recv, sent back at xmit. */
void bb_ntp_response(struct bb *b, uint64_t orig, uint64_t recv, uint64_t xmit);

/* ---- HTTP/1.1 (RFC 9112) ---- */

/* "Mon, 15 Jan 2024 09:00:00 GMT" for t (ns since the epoch). */
void bb_http_date(char *out, size_t cap, uint64_t t);
/* A browser-like request head: method path, Host, User-Agent, Accept*, keep-alive, then
 * extra (CRLF-terminated header lines, or NULL) and the blank line. */
void bb_http_request(struct bb *b, const char *method, const char *path, const char *host,
		     const char *ua, const char *extra);

#endif
