/*
 * tls — the TLS handshake (RFC 5246, RFC 8446; SSLv3 record versions, and
 * the SSLv2-compatible ClientHello) as far as it is sent in clear: records
 * are reassembled across TCP segments, handshake messages across records,
 * and the ClientHello, the ServerHello and the server's Certificate message
 * are parsed into a per-flow `struct tls_state`:
 *
 *   ClientHello   legacy version, session id, cipher suites, extensions
 *                 (server_name, ALPN, supported_versions, supported_groups,
 *                 ec_point_formats, signature_algorithms); JA3 and JA4
 *   ServerHello   version (supported_versions for TLS 1.3), cipher, ALPN; JA3S
 *   Certificate   the chain (DER of each), and of the first certificate the
 *                 subject, issuer, serial, SHA-1 fingerprint, validity and
 *                 subjectAltName DNS names in Suricata's text forms (tls_x509.c)
 *
 * A direction is "past the handshake" at its ChangeCipherSpec or its first
 * application-data record (TLS 1.3: the server's first record after the
 * ServerHello); from then on its bytes are not looked at. Wire bytes are read
 * only through the bounds-checked reader; malformed input is counted, never
 * trusted. Variable-length results (strings, the chain) live in one
 * per-flow store, allocated at the first need and capped at TLS_STORE_MAX.
 *
 * Not thread-safe per state; the functions hold no global state except the
 * digests fetched once (thread-safe).
 */
#ifndef MAMORI_APP_TLS_H
#define MAMORI_APP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/counters.h"

#define TLS_RECORD_MAX 18432	    /* 2^14 + 2048: the largest TLSCiphertext */
#define TLS_HS_MAX     65536	    /* a handshake message body kept at most */
#define TLS_STORE_MAX  (160 * 1024) /* per flow: strings and the certificate chain */
#define TLS_MAX_LIST   512	    /* entries of one hello list kept for the fingerprints */
#define TLS_MAX_ALPN   16	    /* ALPN names kept per side */
#define TLS_MAX_CERTS  16	    /* certificates of the chain kept */
#define TLS_MAX_SANS   1024	    /* subjectAltName DNS names kept */
#define TLS_MAX_TEXT   2048	    /* a subject or issuer text, at most */
#define TLS_X509_CACHE 256	    /* decoded certificates kept per worker */

/* Record content types (RFC 8446 §5.1) */
#define TLS_CT_CCS	 20
#define TLS_CT_ALERT	 21
#define TLS_CT_HANDSHAKE 22
#define TLS_CT_APPDATA	 23
#define TLS_CT_HEARTBEAT 24

/* Handshake types */
#define TLS_HS_CLIENT_HELLO 1
#define TLS_HS_SERVER_HELLO 2
#define TLS_HS_CERTIFICATE  11

/* Where a variable-length result lies in the flow's store. */
struct tls_ref {
	uint32_t off, len;
};

/* One direction's reassembly: the record being read and the handshake
 * message being gathered. */
struct tls_dir {
	uint8_t rhdr[5];
	uint8_t rhdr_len;
	uint8_t rtype; /* content type of the current record */
	uint32_t rrem; /* bytes of the current record still to come */
	uint32_t nrec; /* records seen */
	uint8_t hhdr[4];
	uint8_t hhdr_len;
	uint8_t htype;
	uint32_t hlen;	/* body length of the message being read */
	uint32_t hhave; /* body bytes of it seen */
	bool hkeep;	/* gathered (a message this parser reads), else skipped */
	uint8_t *hbuf;	/* body of a message that spans records or segments */
	uint32_t hcap;
	bool enc;  /* later handshake records are encrypted */
	bool done; /* past the handshake: nothing more is read */
	bool quiet;  /* handshake messages no longer read (the server's after its
		      * certificates); records are still framed, to see where
		      * encryption starts */
	bool secret; /* done because the direction went encrypted (not malformed) */
};

/* tls_state.flags */
#define TLS_F_CLIENT_HELLO 0x01
#define TLS_F_SERVER_HELLO 0x02
#define TLS_F_CERTS	   0x04 /* the server's Certificate message was parsed */
#define TLS_F_RESUMED	   0x08 /* the ServerHello echoed the client's session id */
#define TLS_F_SSLV2	   0x10 /* the client spoke SSLv2 first */
#define TLS_F_FP	   0x20 /* ja3/ja4 were computed */
#define TLS_F_FPS	   0x40 /* ja3s was computed */
#define TLS_F_HRR	   0x80 /* a HelloRetryRequest came first */

/* Everything known about a flow's handshake. Zero-initialised by the caller;
 * release with tls_state_free. */
struct tls_state {
	uint8_t flags;
	uint8_t level;		 /* progress level reported (app_tls.c) */
	uint16_t client_version; /* ClientHello legacy_version (SSLv2: its version) */
	uint16_t server_version; /* negotiated: ServerHello, else the first server record */
	uint16_t cipher;	 /* chosen by the server */
	uint8_t sid[32];	 /* the client's session id */
	uint8_t sid_len;
	char ja3_hash[33], ja3s_hash[33], ja4[37];
	char notbefore[20], notafter[20]; /* "2024-01-15T09:00:00", "" when absent */
	struct tls_ref sni, ja3, ja3s;
	struct tls_ref subject, issuer, serial, fingerprint;
	struct tls_ref calpn[TLS_MAX_ALPN], salpn[TLS_MAX_ALPN];
	uint8_t n_calpn, n_salpn;
	uint8_t n_certs;
	uint16_t n_sans;
	struct tls_ref certs; /* n_certs struct tls_ref (each certificate's DER) */
	struct tls_ref sans;  /* n_sans struct tls_ref */
	struct tls_dir d[2];
	uint8_t *store;
	uint32_t store_len, store_cap;
};

/* A server certificate's decoded fields (tls_x509.c), cached per worker. */
struct tls_x509_entry {
	char fp[60];	    /* SHA-1 fingerprint text: the key */
	void *subject, *issuer; /* X509_NAME * */
	void *sans;		    /* GENERAL_NAMES *, or NULL */
	char notbefore[20], notafter[20];
};

/* A hello message's lists, GREASE values removed: per-worker scratch. The
 * scalars come first: hello parsing clears them, not the arrays. */
struct tls_hello {
	uint16_t version; /* legacy_version */
	uint16_t sv_max;  /* highest supported_versions entry (client), selected (server) */
	bool has_sv;	  /* a supported_versions extension with a usable entry */
	bool has_sni;	  /* a server_name extension */
	bool capped;	  /* a list was longer than TLS_MAX_LIST */
	uint16_t cipher;  /* ServerHello */
	uint16_t n_ciphers, n_exts, n_groups, n_sigalgs, n_pf, n_alpn;
	const uint8_t *alpn[TLS_MAX_ALPN]; /* borrowed from the message */
	uint8_t alpn_len[TLS_MAX_ALPN];
	const uint8_t *sni; /* borrowed */
	uint16_t sni_len;
	const uint8_t *sid; /* borrowed */
	uint8_t sid_len;
	/* not cleared: */
	uint16_t ciphers[TLS_MAX_LIST];
	uint16_t exts[TLS_MAX_LIST];
	uint16_t groups[TLS_MAX_LIST];
	uint16_t sigalgs[TLS_MAX_LIST];
	uint8_t pf[256];
	char text[TLS_MAX_LIST * 4 * 6 + 64]; /* JA3 / JA4 raw strings, names */
	/* server certificates already decoded, by SHA-1 fingerprint: decoding
	 * with libcrypto costs more than the rest of a handshake, and most
	 * sessions present a certificate seen before */
	struct tls_x509_entry xcache[TLS_X509_CACHE];
};

/* Free the decoded certificates a scratch holds. */
void tls_hello_free(struct tls_hello *h);

/* What a tls_feed call completed (bits). */
#define TLS_P_CLIENT_HELLO 0x01
#define TLS_P_SERVER_HELLO 0x02
#define TLS_P_CERTS	   0x04 /* the server's chain is parsed */
#define TLS_P_SERVER_END   0x08 /* the server is past its clear handshake */

/*
 * Feed the next bytes of direction dir (0: client to server), in stream
 * order. Returns the TLS_P_* bits completed by these bytes, or -1 when the
 * direction is not TLS (a malformed record header: counted, and the
 * direction is then ignored). `h` is scratch; cnt receives the
 * app_layer.tls.* counts. Bytes are borrowed for the call.
 */
int tls_feed(struct tls_state *st, struct tls_hello *h, struct counters *cnt, int dir,
	     const uint8_t *d, uint32_t len);

/* A hole in direction dir's stream: what was being read is lost, and the
 * direction is no longer read. */
void tls_gap(struct tls_state *st, int dir);

/* Both directions are past the handshake (or no longer read). */
bool tls_done(const struct tls_state *st);

/* Free what the state holds (not the state itself). */
void tls_state_free(struct tls_state *st);

/* Bytes of a reference (false when absent or empty). */
bool tls_get(const struct tls_state *st, struct tls_ref ref, const uint8_t **p, uint32_t *len);
/* The idx-th certificate's DER, subjectAltName DNS name, client / server ALPN. */
bool tls_cert(const struct tls_state *st, uint32_t idx, const uint8_t **p, uint32_t *len);
bool tls_san(const struct tls_state *st, uint32_t idx, const uint8_t **p, uint32_t *len);

/* Suricata's name of a version ("TLS 1.2", "TLSv1", "SSLv3", "TLS 1.3 draft-28",
 * "UNDETERMINED", else "0x%04x"); out >= 24 bytes. */
const char *tls_version_name(uint16_t v, char *out);

/* Is v a GREASE value (RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa)? */
static inline bool tls_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* The JA3 / JA3S / JA4 text and hashes of a parsed hello (tls_fp.c), into
 * st. ja3: "771,4865-4866,0-23,29-23,0" and its MD5; ja4 FoxIO's a_b_c. */
void tls_fp_client(struct tls_state *st, struct tls_hello *h, struct counters *cnt);
void tls_fp_server(struct tls_state *st, struct tls_hello *h, struct counters *cnt);

/* Parse the first certificate of the chain into st (tls_x509.c). 0, or -1
 * when libcrypto cannot read it (counted by the caller). */
int tls_x509_first(struct tls_state *st, struct tls_hello *h, struct counters *cnt,
		   const uint8_t *der, uint32_t len);

/* For tls_fp.c / tls_x509.c: append n bytes to the flow's store. */
bool tls_store_put(struct tls_state *st, struct counters *cnt, const void *p, uint32_t n,
		   struct tls_ref *out);

/* Lowercase hex digest (md: "MD5", "SHA1", "SHA256") of p into out
 * (2 * digest size + 1 bytes); sep ':' puts colons between bytes, 0 none. */
void tls_digest_hex(const char *md, const uint8_t *p, size_t n, char *out, char sep);

#endif
