/*
 * dns — DNS messages (RFC 1035, RFC 3596 AAAA, RFC 2782 SRV) parsed into a
 * bounded record: header, questions and resource records of the three
 * sections, names decompressed with loop protection. Wire bytes are read
 * only through the bounds-checked reader; a malformed message is an anomaly
 * code, never a crash. Over TCP each message has a two-byte length prefix
 * (RFC 1035 §4.2.2), which the caller strips.
 *
 * Everything is copied into the caller's struct dns_msg (no allocation): the
 * caps below bound it, and what does not fit is counted as truncated.
 */
#ifndef MAMORI_APP_DNS_H
#define MAMORI_APP_DNS_H

#include <stdbool.h>
#include <stdint.h>

#define DNS_MAX_NAME	256 /* presentation form, with the dots; RFC 1035 names are < 255 */
#define DNS_MAX_QUERIES 8
#define DNS_MAX_RRS	32  /* per message, all sections together */
#define DNS_MAX_RDATA	256 /* rdata kept per record (text form or raw bytes) */
#define DNS_MAX_JUMPS	64  /* compression pointers followed per name */

enum dns_type {
	DNS_A = 1,
	DNS_NS = 2,
	DNS_CNAME = 5,
	DNS_SOA = 6,
	DNS_PTR = 12,
	DNS_MX = 15,
	DNS_TXT = 16,
	DNS_AAAA = 28,
	DNS_SRV = 33,
	DNS_OPT = 41,
};

enum dns_section { DNS_SEC_ANSWER, DNS_SEC_AUTHORITY, DNS_SEC_ADDITIONAL };

/* Why a message is malformed (0 = fine). */
enum dns_err {
	DNS_OK = 0,
	DNS_ERR_SHORT,	   /* shorter than the 12-byte header */
	DNS_ERR_NAME,	   /* a name runs past the message or has a bad label */
	DNS_ERR_NAME_LOOP, /* compression pointers loop or go forward too often */
	DNS_ERR_NAME_LONG, /* a name longer than 255 bytes */
	DNS_ERR_RR_TRUNC,  /* a question or record runs past the message */
	DNS_ERR_RDATA,	   /* rdata inconsistent with its type (A not 4 bytes ...) */
};

struct dns_name {
	char s[DNS_MAX_NAME]; /* labels joined with '.', bytes as on the wire ("" = root) */
	uint16_t len;
};

struct dns_query {
	struct dns_name name;
	uint16_t type, class;
};

struct dns_rr {
	struct dns_name name;
	uint8_t section;
	uint16_t type, class;
	uint32_t ttl;
	/* type-specific text: the address (A/AAAA), target name (CNAME, NS, PTR),
	 * "pref name" (MX), strings (TXT, joined), "mname rname serial ..." (SOA),
	 * "prio weight port target" (SRV); otherwise rdata bytes in raw[] */
	char text[DNS_MAX_RDATA];
	uint8_t raw[DNS_MAX_RDATA];
	uint16_t raw_len;  /* bytes kept in raw[] */
	uint16_t rdlength; /* as on the wire */
	/* SOA: serial, refresh, retry, expire, minimum; text starts with
	 * mname (soa_mlen bytes), a space, rname (soa_rlen bytes) */
	uint32_t soa[5];
	uint16_t soa_mlen, soa_rlen;
	bool has_text;
};

struct dns_msg {
	uint16_t id;
	uint16_t flags; /* the whole flags word */
	bool response;	/* QR */
	uint8_t opcode, rcode;
	bool aa, tc, rd, ra;
	uint16_t qdcount, ancount, nscount, arcount; /* as in the header */
	uint8_t n_queries;
	struct dns_query queries[DNS_MAX_QUERIES];
	uint8_t n_rrs;
	struct dns_rr rrs[DNS_MAX_RRS];
	bool truncated;	  /* more questions or records than the caps */
	enum dns_err err; /* first problem; the parsed part stays valid */
};

/*
 * Parse one message. Returns 0 when the whole message parsed, -1 when it is
 * malformed (m->err says why; what parsed before the problem is kept).
 * Thread-safe; m is the caller's.
 */
int dns_parse(const uint8_t *buf, uint32_t len, struct dns_msg *m);

/* Suricata's names: "A", "AAAA", ... or NULL for others; rcode "NOERROR", ... */
const char *dns_type_name(uint16_t type);
const char *dns_rcode_name(uint8_t rcode);

#endif
