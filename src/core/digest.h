/*
 * digest — the message digests mamori uses (MD5, SHA-1, SHA-256), fetched from
 * OpenSSL's provider once per process. EVP_md5() and friends, or a fetch per
 * call, take locks inside libcrypto every time; these handles are shared by
 * every thread and live until exit.
 */
#ifndef MAMORI_CORE_DIGEST_H
#define MAMORI_CORE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

typedef struct evp_md_st EVP_MD;

enum digest_kind { DIGEST_MD5, DIGEST_SHA1, DIGEST_SHA256, DIGEST_MAX };

/* The digest, or NULL when the provider has none (a FIPS-only libcrypto
 * without MD5, say). */
const EVP_MD *digest_md(enum digest_kind k);

/* One-shot digest of p[0..n) into out (at least 32 bytes); returns its length,
 * 0 on failure. */
unsigned digest_once(enum digest_kind k, const uint8_t *p, size_t n, uint8_t *out);

#endif
