/*
 * tls_x509 — the server certificate's fields in Suricata's text forms
 * (declared in tls.h). The DER is walked down to the TBSCertificate's parts
 * (RFC 5280 §4.1) with bounds-checked reads, and each part is decoded with
 * libcrypto (d2i_X509_NAME, d2i_ASN1_TIME, d2i_GENERAL_NAMES). A whole
 * d2i_X509 would also decode the public key through OpenSSL 3's provider
 * decoders, which costs more than the rest of a handshake and takes global
 * locks; the key is not needed here.
 *
 *   subject, issuer  RDNs joined with ", " (the attributes of a multi-valued
 *                    RDN with " + "), each "ABBREV=value": C, ST, L, O, OU,
 *                    CN, DC, Email, else the attribute's short name; string
 *                    values as their bytes, other types as upper-case hex
 *                    ("C=US, O=Let's Encrypt, CN=R3")
 *   serial           the INTEGER's content octets as on the wire, upper-case
 *                    hex joined with ':' ("00:97:E6:47"), read from the DER
 *                    directly so a leading 00 stays as sent
 *   fingerprint      SHA-1 of the DER, lower-case hex joined with ':'
 *   notbefore/after  "2024-01-15T09:00:00" (UTC)
 *   subjectaltname   the dNSName entries
 *
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
 * TBSCertificate ::= SEQUENCE { [0] EXPLICIT version OPTIONAL, serialNumber
 *     INTEGER, signature AlgorithmIdentifier, issuer Name, validity SEQUENCE
 *     { notBefore Time, notAfter Time }, subject Name, subjectPublicKeyInfo,
 *     [1] issuerUniqueID OPTIONAL, [2] subjectUniqueID OPTIONAL,
 *     [3] EXPLICIT extensions SEQUENCE OF Extension OPTIONAL }
 * Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
 *     extnValue OCTET STRING }
 *
 * Decoded fields are kept per worker by the certificate's SHA-1 fingerprint
 * (most sessions present a certificate seen before).
 */
#include "app/tls.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/rd.h"

/* A DER header at off: tag, header length and content length. */
static bool der_hdr(struct rd r, uint32_t off, uint8_t *tag, uint32_t *hl, uint32_t *cl)
{
	uint8_t l = rd_u8(r, off + 1);
	if (!rd_has(r, off, 2))
		return false;
	*tag = rd_u8(r, off);
	if (l < 0x80) {
		*hl = 2;
		*cl = l;
	} else {
		uint32_t n = l & 0x7fu;
		if (n == 0 || n > 4 || !rd_has(r, off + 2, n))
			return false;
		*cl = 0;
		for (uint32_t i = 0; i < n; i++)
			*cl = *cl << 8 | rd_u8(r, off + 2 + i);
		*hl = 2 + n;
	}
	return rd_has(r, off + *hl, *cl);
}

/* The parts of a TBSCertificate that are read: each a whole DER element
 * (header included) except `serial` (its content octets, as sent) and `exts`
 * (the content of the SEQUENCE OF Extension; len 0 when absent). */
struct tbs {
	struct rd serial, issuer, not_before, not_after, subject, exts;
};

/* The element at *off of r, of tag `want` (any when 0): its span with header
 * (whole) and its content; *off moves past it. */
static bool der_next(struct rd r, uint32_t *off, uint8_t want, struct rd *whole, struct rd *content)
{
	uint8_t tag;
	uint32_t hl, cl;
	if (!der_hdr(r, *off, &tag, &hl, &cl) || (want && tag != want))
		return false;
	if (whole)
		*whole = rd_sub(r, *off, hl + cl);
	if (content)
		*content = rd_sub(r, *off + hl, cl);
	*off += hl + cl;
	return true;
}

static bool der_tbs(const uint8_t *der, uint32_t len, struct tbs *t)
{
	struct rd cert, tbs, val, ext;
	uint32_t off = 0;
	memset(t, 0, sizeof(*t));
	if (!der_next(rd_make(der, len), &off, 0x30, NULL, &cert))
		return false;
	off = 0;
	if (!der_next(cert, &off, 0x30, NULL, &tbs))
		return false;
	off = 0;
	if (rd_u8(tbs, 0) == 0xa0 && !der_next(tbs, &off, 0xa0, NULL, NULL))
		return false; /* [0] EXPLICIT version */
	if (!der_next(tbs, &off, 0x02, NULL, &t->serial) || t->serial.len == 0 ||
	    !der_next(tbs, &off, 0x30, NULL, NULL) ||		  /* signature */
	    !der_next(tbs, &off, 0x30, &t->issuer, NULL) ||	  /* issuer */
	    !der_next(tbs, &off, 0x30, NULL, &val) ||		  /* validity */
	    !der_next(tbs, &off, 0x30, &t->subject, NULL) ||	  /* subject */
	    !der_next(tbs, &off, 0x30, NULL, NULL))		  /* subjectPublicKeyInfo */
		return false;
	uint32_t vo = 0;
	if (!der_next(val, &vo, 0, &t->not_before, NULL) ||
	    !der_next(val, &vo, 0, &t->not_after, NULL))
		return false;
	while (off < tbs.len) {
		uint8_t tag = rd_u8(tbs, off);
		if (tag == 0xa3) {
			uint32_t eo = 0;
			if (!der_next(tbs, &off, 0xa3, NULL, &ext) ||
			    !der_next(ext, &eo, 0x30, NULL, &t->exts))
				return false;
			break;
		}
		if (!der_next(tbs, &off, 0, NULL, NULL)) /* [1], [2] unique ids */
			return false;
	}
	return true;
}

/* The subjectAltName extension's value (a GeneralNames DER), if present. */
static bool der_san(struct rd exts, struct rd *value)
{
	static const uint8_t san_oid[5] = {0x06, 0x03, 0x55, 0x1d, 0x11}; /* 2.5.29.17 */
	uint32_t off = 0;
	struct rd e, oid;
	while (off < exts.len) {
		if (!der_next(exts, &off, 0x30, NULL, &e))
			return false;
		uint32_t eo = 0;
		if (!der_next(e, &eo, 0x06, &oid, NULL))
			return false;
		if (oid.len != sizeof(san_oid) || memcmp(oid.p, san_oid, sizeof(san_oid)))
			continue;
		if (rd_u8(e, eo) == 0x01 && !der_next(e, &eo, 0x01, NULL, NULL))
			return false; /* critical */
		return der_next(e, &eo, 0x04, NULL, value);
	}
	return false;
}

static const char *attr_abbrev(int nid)
{
	switch (nid) {
	case NID_commonName:
		return "CN";
	case NID_countryName:
		return "C";
	case NID_localityName:
		return "L";
	case NID_stateOrProvinceName:
		return "ST";
	case NID_organizationName:
		return "O";
	case NID_organizationalUnitName:
		return "OU";
	case NID_domainComponent:
		return "DC";
	case NID_pkcs9_emailAddress:
		return "Email";
	case NID_serialNumber:
		return "serialNumber";
	case NID_surname:
		return "surname";
	case NID_givenName:
		return "givenName";
	case NID_title:
		return "title";
	case NID_description:
		return "description";
	case NID_streetAddress:
		return "streetAddress";
	case NID_postalCode:
		return "postalCode";
	case NID_businessCategory:
		return "businessCategory";
	default:
		return NULL;
	}
}

static bool string_type(int t)
{
	switch (t) {
	case V_ASN1_NUMERICSTRING:
	case V_ASN1_BMPSTRING:
	case V_ASN1_VISIBLESTRING:
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_GENERALSTRING:
	case V_ASN1_OBJECT_DESCRIPTOR:
	case V_ASN1_GRAPHICSTRING:
	case V_ASN1_T61STRING:
	case V_ASN1_VIDEOTEXSTRING:
	case V_ASN1_UTF8STRING:
	case V_ASN1_IA5STRING:
		return true;
	default:
		return false;
	}
}

struct text {
	char *p;
	size_t len, cap;
	bool cut;
};

static void put(struct text *t, const void *s, size_t n)
{
	if (n > t->cap - t->len) {
		n = t->cap - t->len;
		t->cut = true;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
}

static void name_text(const X509_NAME *nm, struct text *t)
{
	static const char hex[] = "0123456789ABCDEF";
	int prev_set = -1;
	for (int i = 0; i < X509_NAME_entry_count(nm); i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(nm, i);
		const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(e);
		const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);
		int set = X509_NAME_ENTRY_set(e);
		if (i)
			put(t, set == prev_set ? " + " : ", ", set == prev_set ? 3 : 2);
		prev_set = set;
		const char *ab = attr_abbrev(OBJ_obj2nid(obj));
		char oid[96];
		if (ab) {
			put(t, ab, strlen(ab));
		} else {
			int n = OBJ_obj2txt(oid, sizeof(oid), obj, 1);
			put(t, "OID(", 4);
			if (n > 0)
				put(t, oid, strlen(oid));
			put(t, ")", 1);
		}
		put(t, "=", 1);
		const unsigned char *d = ASN1_STRING_get0_data(v);
		int dl = ASN1_STRING_length(v);
		if (string_type(ASN1_STRING_type(v))) {
			put(t, d, (size_t)dl);
		} else {
			for (int k = 0; k < dl; k++) {
				char h2[2] = {hex[d[k] >> 4], hex[d[k] & 15]};
				put(t, h2, 2);
			}
		}
	}
}

static void time_text(const ASN1_TIME *at, char out[20])
{
	struct tm tm;
	out[0] = '\0';
	if (!at || ASN1_TIME_to_tm(at, &tm) != 1)
		return;
	snprintf(out, 20, "%04d-%02d-%02dT%02d:%02d:%02d", (tm.tm_year + 1900) % 10000,
		 (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
		 tm.tm_sec % 100);
}

static void put_name(struct tls_state *st, struct tls_hello *h, struct counters *cnt,
		     const X509_NAME *nm, struct tls_ref *out)
{
	struct text t = {h->text, 0, TLS_MAX_TEXT, false};
	if (!nm)
		return;
	name_text(nm, &t);
	if (t.cut)
		CNT_INC(cnt, APP_TLS_TRUNCATED);
	tls_store_put(st, cnt, t.p, (uint32_t)t.len, out);
}

/* The dNSName entries, then the packed array of their references (built in
 * h->text, which holds TLS_MAX_SANS of them). */
static void put_sans(struct tls_state *st, struct tls_hello *h, struct counters *cnt,
		     const GENERAL_NAMES *gn)
{
	uint32_t kept = 0;
	_Static_assert(sizeof(h->text) >= TLS_MAX_SANS * sizeof(struct tls_ref), "text too small");
	if (!gn)
		return;
	for (int i = 0; i < sk_GENERAL_NAME_num(gn); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gn, i);
		struct tls_ref r;
		if (g->type != GEN_DNS || ASN1_STRING_length(g->d.dNSName) <= 0)
			continue;
		if (kept == TLS_MAX_SANS) {
			CNT_INC(cnt, APP_TLS_TRUNCATED);
			break;
		}
		if (!tls_store_put(st, cnt, ASN1_STRING_get0_data(g->d.dNSName),
				   (uint32_t)ASN1_STRING_length(g->d.dNSName), &r))
			break;
		memcpy(h->text + kept * sizeof(r), &r, sizeof(r));
		kept++;
	}
	if (kept &&
	    tls_store_put(st, cnt, h->text, kept * (uint32_t)sizeof(struct tls_ref), &st->sans))
		st->n_sans = (uint16_t)kept;
}

static void entry_free(struct tls_x509_entry *e)
{
	X509_NAME_free(e->subject);
	X509_NAME_free(e->issuer);
	GENERAL_NAMES_free(e->sans);
	memset(e, 0, sizeof(*e));
}

/* Decode the parts of a certificate into e; false when one cannot be read. */
static bool decode(struct tls_x509_entry *e, const struct tbs *t)
{
	const unsigned char *q = t->subject.p;
	e->subject = d2i_X509_NAME(NULL, &q, t->subject.len);
	q = t->issuer.p;
	e->issuer = d2i_X509_NAME(NULL, &q, t->issuer.len);
	if (!e->subject || !e->issuer)
		return false;
	for (int i = 0; i < 2; i++) {
		struct rd r = i ? t->not_after : t->not_before;
		q = r.p;
		ASN1_TIME *at = d2i_ASN1_TIME(NULL, &q, r.len);
		if (!at)
			return false;
		time_text(at, i ? e->notafter : e->notbefore);
		ASN1_TIME_free(at);
	}
	struct rd san;
	if (der_san(t->exts, &san)) {
		q = san.p;
		e->sans = d2i_GENERAL_NAMES(NULL, &q, san.len);
	}
	return true;
}

int tls_x509_first(struct tls_state *st, struct tls_hello *h, struct counters *cnt,
		   const uint8_t *der, uint32_t len)
{
	struct tbs t;
	char fp[3 * 20];
	if (!der_tbs(der, len, &t))
		return -1;
	tls_digest_hex("SHA1", der, len, fp, ':');
	uint32_t slot = 2166136261u;
	for (const char *c = fp; *c; c++)
		slot = (slot ^ (uint8_t)*c) * 16777619u;
	struct tls_x509_entry *e = &h->xcache[slot % TLS_X509_CACHE];
	if (fp[0] && e->subject && !strcmp(e->fp, fp)) {
		CNT_INC(cnt, APP_TLS_CERT_CACHE_HITS);
	} else {
		entry_free(e);
		if (!decode(e, &t)) {
			entry_free(e);
			ERR_clear_error();
			return -1;
		}
		/* without a fingerprint the entry is used once and not found again */
		snprintf(e->fp, sizeof(e->fp), "%s", fp);
	}
	put_name(st, h, cnt, e->subject, &st->subject);
	put_name(st, h, cnt, e->issuer, &st->issuer);

	static const char hex[] = "0123456789ABCDEF";
	struct text tx = {h->text, 0, TLS_MAX_TEXT, false};
	for (uint32_t i = 0; i < t.serial.len; i++) {
		char b[3] = {':', hex[t.serial.p[i] >> 4], hex[t.serial.p[i] & 15]};
		put(&tx, i ? b : b + 1, i ? 3 : 2);
	}
	if (tx.cut)
		CNT_INC(cnt, APP_TLS_TRUNCATED);
	tls_store_put(st, cnt, tx.p, (uint32_t)tx.len, &st->serial);

	if (fp[0])
		tls_store_put(st, cnt, fp, (uint32_t)strlen(fp), &st->fingerprint);
	memcpy(st->notbefore, e->notbefore, sizeof(st->notbefore));
	memcpy(st->notafter, e->notafter, sizeof(st->notafter));
	if (e->sans)
		put_sans(st, h, cnt, e->sans);
	ERR_clear_error();
	return 0;
}

void tls_hello_free(struct tls_hello *h)
{
	for (int i = 0; i < TLS_X509_CACHE; i++)
		entry_free(&h->xcache[i]);
}
