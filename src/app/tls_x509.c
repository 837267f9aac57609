/*
 * tls_x509 — the server certificate's fields in Suricata's text forms
 * (declared in tls.h), read with libcrypto's d2i_X509:
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
 * Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL,
 *                            serialNumber INTEGER, ... }, ... }
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

/* The serial number's content octets, from the wire. */
static bool der_serial(const uint8_t *der, uint32_t len, const uint8_t **p, uint32_t *n)
{
	struct rd r = rd_make(der, len);
	uint8_t tag;
	uint32_t hl, cl, off;
	if (!der_hdr(r, 0, &tag, &hl, &cl) || tag != 0x30)
		return false;
	off = hl; /* tbsCertificate */
	if (!der_hdr(r, off, &tag, &hl, &cl) || tag != 0x30)
		return false;
	off += hl;
	if (!der_hdr(r, off, &tag, &hl, &cl))
		return false;
	if (tag == 0xa0) { /* [0] EXPLICIT version */
		off += hl + cl;
		if (!der_hdr(r, off, &tag, &hl, &cl))
			return false;
	}
	if (tag != 0x02 || cl == 0)
		return false;
	*p = rd_ptr(r, off + hl, cl);
	*n = cl;
	return *p != NULL;
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
static void put_sans(struct tls_state *st, struct tls_hello *h, struct counters *cnt, X509 *x)
{
	GENERAL_NAMES *gn = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
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
	sk_GENERAL_NAME_pop_free(gn, GENERAL_NAME_free);
}

int tls_x509_first(struct tls_state *st, struct tls_hello *h, struct counters *cnt,
		   const uint8_t *der, uint32_t len)
{
	char fp[3 * 20];
	tls_digest_hex("SHA1", der, len, fp, ':');
	uint32_t slot = 2166136261u;
	for (const char *c = fp; *c; c++)
		slot = (slot ^ (uint8_t)*c) * 16777619u;
	slot %= TLS_X509_CACHE;
	X509 *x = NULL;
	if (fp[0] && h->xcache[slot].x509 && !strcmp(h->xcache[slot].fp, fp)) {
		x = h->xcache[slot].x509;
		CNT_INC(cnt, APP_TLS_CERT_CACHE_HITS);
	} else {
		const unsigned char *q = der;
		x = d2i_X509(NULL, &q, len);
		if (!x) {
			ERR_clear_error();
			return -1;
		}
		if (fp[0]) {
			X509_free(h->xcache[slot].x509);
			h->xcache[slot].x509 = x;
			snprintf(h->xcache[slot].fp, sizeof(h->xcache[slot].fp), "%s", fp);
		}
	}
	put_name(st, h, cnt, X509_get_subject_name(x), &st->subject);
	put_name(st, h, cnt, X509_get_issuer_name(x), &st->issuer);

	const uint8_t *sp;
	uint32_t sn;
	if (der_serial(der, len, &sp, &sn)) {
		static const char hex[] = "0123456789ABCDEF";
		struct text t = {h->text, 0, TLS_MAX_TEXT, false};
		for (uint32_t i = 0; i < sn; i++) {
			char b[3] = {':', hex[sp[i] >> 4], hex[sp[i] & 15]};
			put(&t, i ? b : b + 1, i ? 3 : 2);
		}
		if (t.cut)
			CNT_INC(cnt, APP_TLS_TRUNCATED);
		tls_store_put(st, cnt, t.p, (uint32_t)t.len, &st->serial);
	}

	if (fp[0])
		tls_store_put(st, cnt, fp, (uint32_t)strlen(fp), &st->fingerprint);
	time_text(X509_get0_notBefore(x), st->notbefore);
	time_text(X509_get0_notAfter(x), st->notafter);
	put_sans(st, h, cnt, x);
	if (!fp[0])
		X509_free(x); /* not cached */
	ERR_clear_error();
	return 0;
}

void tls_hello_free(struct tls_hello *h)
{
	for (int i = 0; i < TLS_X509_CACHE; i++) {
		X509_free(h->xcache[i].x509);
		h->xcache[i].x509 = NULL;
	}
}
