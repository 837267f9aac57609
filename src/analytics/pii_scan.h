/*
 * pii_scan — counts personal-data records in cleartext: TCP stream chunks, HTTP
 * bodies, extracted file contents. One scanner follows one direction of one flow
 * (or one file); its bytes arrive in chunks, and a record split across chunks is
 * found once.
 *
 * Types: Japanese Individual Numbers (My Number, check digit verified), payment
 * card numbers (Luhn and issuer range), e-mail addresses, Japanese phone numbers
 * and Japanese postal codes written next to an address.
 *
 * Identifiers never leave the scanner in clear. Each is normalised (digits only,
 * +81 written as 0; e-mail lower-cased) and hashed with HMAC-SHA256 under the
 * caller's key; the first 8 bytes of that hash make the distinct set, and the
 * same 8 bytes in hex (`sample_hash`) let an analyst recognise a value across
 * records: it is `printf %s VALUE | openssl dgst -sha256 -hmac KEY`, cut to 16
 * hex digits. The evidence sample is masked (only a few digits stay visible).
 *
 * Bounded: a scanner holds a 4 KiB window and a distinct set of at most
 * max_distinct values (it grows by doubling up to that; a value it cannot keep,
 * at the cap or out of memory, is counted in distinct_overflow and the distinct
 * counts then read "at least"); it reads at most max_bytes (the rest is counted
 * as truncated). Nothing is allocated per chunk.
 *
 * Threads: a key is read-only after pii_key_new and can be shared; a scanner
 * belongs to one thread at a time.
 */
#ifndef MAMORI_ANALYTICS_PII_SCAN_H
#define MAMORI_ANALYTICS_PII_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pii_type { PII_MYNUMBER, PII_CARD, PII_EMAIL, PII_PHONE, PII_POSTAL, PII_TYPES };

/* "mynumber", "card", "email", "phone_jp", "postal_jp"; "?" out of range. */
const char *pii_type_name(enum pii_type t);

#define PII_SAMPLE_LEN	     64 /* masked sample, NUL included */
#define PII_DEFAULT_DISTINCT 4096
#define PII_KEY_MAX	     1024 /* longest key accepted, in bytes */

struct pii_counts {
	uint32_t distinct[PII_TYPES]; /* distinct values (at least, when overflow) */
	uint32_t total[PII_TYPES];    /* occurrences */
	uint32_t rejected[PII_TYPES]; /* right shape, failed check digit or Luhn */
	bool overflow;		      /* some value could not join the distinct set */
	uint32_t distinct_overflow;   /* occurrences of such values */
	uint64_t bytes_scanned;
	bool truncated; /* more than max_bytes arrived; the rest was not read */
	/* the first value found of each type, masked ("" when none), and its keyed
	 * hash: 16 lower-case hex digits */
	char sample[PII_TYPES][PII_SAMPLE_LEN];
	char sample_hash[PII_TYPES][17];
};

/* The HMAC key. pii_key_new copies 1..PII_KEY_MAX bytes; NULL on a bad length or
 * out of memory. Free with pii_key_free, after every scanner made with it. */
struct pii_key;
struct pii_key *pii_key_new(const uint8_t *k, size_t n);
void pii_key_free(struct pii_key *k);

/*
 * A scanner. Borrows the key (which must outlive it). max_distinct 0 means
 * PII_DEFAULT_DISTINCT; max_bytes 0 means no limit. NULL when out of memory.
 * Free with pii_scan_free.
 */
struct pii_scan;
struct pii_scan *pii_scan_new(const struct pii_key *k, uint32_t max_distinct, uint64_t max_bytes);
void pii_scan_free(struct pii_scan *s);

/* The next chunk of the stream (borrowed for the call). Ignored after pii_scan_end. */
void pii_scan_data(struct pii_scan *s, const uint8_t *buf, size_t len);

/* The stream has ended: scan what was held back for a record that might have
 * continued. Counts are complete only after this. */
void pii_scan_end(struct pii_scan *s);

/* Back to the state of a new scanner (same key and limits), keeping its memory,
 * so a pool can hand it to another flow. */
void pii_scan_reset(struct pii_scan *s);

/* The counts so far; valid until the next call on the scanner. */
const struct pii_counts *pii_scan_counts(const struct pii_scan *s);

/* Records found: the sum of the distinct counts. */
uint32_t pii_scan_records(const struct pii_scan *s);

#endif
