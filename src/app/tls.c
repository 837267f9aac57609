/*
 * tls — see tls.h. The record layer (RFC 8446 §5.1, RFC 5246 §6.2.1):
 *
 *   +------+---------+---------+------------------------+
 *   | type | version | length  | fragment (length bytes) |
 *   |  1   |    2    |    2    |                         |
 *   +------+---------+---------+------------------------+
 *
 * carries handshake messages (type 22), each [msg_type:1][length:3][body],
 * which may share a record or span several. The SSLv2-compatible
 * ClientHello (RFC 5246 Appendix E.2) has a two-byte header with the top
 * bit set: [0x80 | len_hi][len_lo][msg_type 1][version:2]...
 *
 * Each direction reads a record header, then streams the fragment into the
 * handshake layer. A message this parser reads is parsed in place when one
 * chunk holds all of it, else gathered in a per-direction buffer (at most
 * TLS_HS_MAX, allocated at the first need); every other message is skipped
 * without a copy.
 */
#include "app/tls.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rd.h"

#define TLS_HS_SSLV2 0xff /* pseudo message type: an SSLv2 ClientHello record body */

/* The ServerHello random of a HelloRetryRequest (RFC 8446 §4.1.3). */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* ---- the per-flow store ---- */

bool tls_store_put(struct tls_state *st, struct counters *cnt, const void *p, uint32_t n,
		   struct tls_ref *out)
{
	out->off = out->len = 0;
	if (n > TLS_STORE_MAX - st->store_len) {
		CNT_INC(cnt, APP_TLS_STORE_FULL);
		return false;
	}
	if (st->store_len + n > st->store_cap) {
		uint32_t cap = st->store_cap ? st->store_cap : 1024;
		while (cap < st->store_len + n)
			cap *= 2;
		if (cap > TLS_STORE_MAX)
			cap = TLS_STORE_MAX;
		uint8_t *s = realloc(st->store, cap);
		if (!s) {
			CNT_INC(cnt, APP_ALLOC_FAIL);
			return false;
		}
		st->store = s;
		st->store_cap = cap;
	}
	if (n)
		memcpy(st->store + st->store_len, p, n);
	out->off = st->store_len;
	out->len = n;
	st->store_len += n;
	return true;
}

bool tls_get(const struct tls_state *st, struct tls_ref ref, const uint8_t **p, uint32_t *len)
{
	if (!ref.len || !st->store || ref.off > st->store_len || ref.len > st->store_len - ref.off)
		return false;
	*p = st->store + ref.off;
	*len = ref.len;
	return true;
}

/* The idx-th entry of a packed array of references. */
static bool ref_at(const struct tls_state *st, struct tls_ref arr, uint32_t n, uint32_t idx,
		   const uint8_t **p, uint32_t *len)
{
	const uint8_t *a;
	uint32_t al;
	struct tls_ref r;
	if (idx >= n || !tls_get(st, arr, &a, &al) || (idx + 1) * sizeof(r) > al)
		return false;
	memcpy(&r, a + idx * sizeof(r), sizeof(r));
	return tls_get(st, r, p, len);
}

bool tls_cert(const struct tls_state *st, uint32_t idx, const uint8_t **p, uint32_t *len)
{
	return ref_at(st, st->certs, st->n_certs, idx, p, len);
}

bool tls_san(const struct tls_state *st, uint32_t idx, const uint8_t **p, uint32_t *len)
{
	return ref_at(st, st->sans, st->n_sans, idx, p, len);
}

void tls_state_free(struct tls_state *st)
{
	free(st->store);
	free(st->d[0].hbuf);
	free(st->d[1].hbuf);
	st->store = st->d[0].hbuf = st->d[1].hbuf = NULL;
	st->store_len = st->store_cap = st->d[0].hcap = st->d[1].hcap = 0;
}

const char *tls_version_name(uint16_t v, char *out)
{
	switch (v) {
	case 0:
		return "UNDETERMINED";
	case 0x0002:
		return "SSLv2";
	case 0x0300:
		return "SSLv3";
	case 0x0301:
		return "TLSv1";
	case 0x0302:
		return "TLS 1.1";
	case 0x0303:
		return "TLS 1.2";
	case 0x0304:
		return "TLS 1.3";
	case 0xfb14:
	case 0xfb15:
	case 0xfb16:
	case 0xfb17:
	case 0xfb1a: /* Facebook's drafts 20-23 and 26 */
		snprintf(out, 24, "TLS 1.3 draft-%u-fb", v & 0xffu);
		return out;
	default:
		if (v >= 0x7f10 && v <= 0x7f1c) {
			snprintf(out, 24, "TLS 1.3 draft-%u", v & 0xffu);
			return out;
		}
		if (v > 0x7f00 && v < 0x7f10)
			return "TLS 1.3 draft-<16";
		snprintf(out, 24, "0x%04x", v);
		return out;
	}
}

/* A TLS 1.3 version: final, a draft (0x7fNN), or Facebook's (0xfbNN). */
static bool is13(uint16_t v)
{
	return v == 0x0304 || (v >> 8) == 0x7f || (v >> 8) == 0xfb;
}

/* ---- hello messages ---- */

static void push16(uint16_t *arr, uint16_t *n, uint16_t v, bool *capped)
{
	if (tls_grease(v))
		return;
	if (*n < TLS_MAX_LIST)
		arr[(*n)++] = v;
	else
		*capped = true;
}

/* A list of 16-bit values with a length prefix of lp (1 or 2) bytes that
 * fills the extension. */
static bool ext_list16(struct rd e, uint32_t lp, uint16_t *arr, uint16_t *n, bool *capped)
{
	uint32_t l = lp == 1 ? rd_u8(e, 0) : rd_be16(e, 0);
	if (!rd_has(e, 0, lp) || (l & 1) || lp + l != e.len)
		return false;
	for (uint32_t i = 0; i < l; i += 2)
		push16(arr, n, rd_be16(e, lp + i), capped);
	return true;
}

static bool ext_alpn(struct tls_hello *h, struct rd e)
{
	uint32_t l = rd_be16(e, 0);
	if (!rd_has(e, 0, 2) || 2 + l != e.len)
		return false;
	for (uint32_t o = 2; o < e.len;) {
		uint8_t nl = rd_u8(e, o);
		const uint8_t *s = rd_ptr(e, o + 1, nl);
		if (!s)
			return false;
		if (h->n_alpn < TLS_MAX_ALPN) {
			h->alpn[h->n_alpn] = s;
			h->alpn_len[h->n_alpn++] = nl;
		}
		o += 1u + nl;
	}
	return true;
}

/* server_name (RFC 6066 §3): the first host_name of the list. */
static bool ext_sni(struct tls_hello *h, struct rd e)
{
	uint32_t l = rd_be16(e, 0);
	h->has_sni = true;
	if (!rd_has(e, 0, 2) || 2 + l != e.len)
		return false;
	for (uint32_t o = 2; o < e.len;) {
		uint8_t t = rd_u8(e, o);
		uint16_t nl = rd_be16(e, o + 1);
		const uint8_t *s = rd_ptr(e, o + 3, nl);
		if (!rd_has(e, o, 3) || !s)
			return false;
		if (t == 0 && !h->sni) {
			h->sni = s;
			h->sni_len = nl;
		}
		o += 3u + nl;
	}
	return true;
}

static bool client_ext(struct tls_hello *h, uint16_t type, struct rd e)
{
	switch (type) {
	case 0x0000:
		return ext_sni(h, e);
	case 0x0010:
		return ext_alpn(h, e);
	case 0x000a: /* supported_groups */
		return ext_list16(e, 2, h->groups, &h->n_groups, &h->capped);
	case 0x000b: { /* ec_point_formats */
		uint32_t l = rd_u8(e, 0);
		if (!rd_has(e, 0, 1) || 1 + l != e.len)
			return false;
		for (uint32_t i = 0; i < l; i++) {
			if (h->n_pf < sizeof(h->pf))
				h->pf[h->n_pf++] = rd_u8(e, 1 + i);
			else
				h->capped = true;
		}
		return true;
	}
	case 0x000d: /* signature_algorithms */
		return ext_list16(e, 2, h->sigalgs, &h->n_sigalgs, &h->capped);
	case 0x002b: { /* supported_versions: the highest that is not GREASE */
		uint32_t l = rd_u8(e, 0);
		if (!rd_has(e, 0, 1) || (l & 1) || 1 + l != e.len)
			return false;
		for (uint32_t i = 0; i < l; i += 2) {
			uint16_t v = rd_be16(e, 1 + i);
			if (tls_grease(v))
				continue;
			if (!h->has_sv || v > h->sv_max)
				h->sv_max = v;
			h->has_sv = true;
		}
		return true;
	}
	default:
		return true;
	}
}

static bool server_ext(struct tls_hello *h, uint16_t type, struct rd e)
{
	switch (type) {
	case 0x0010:
		return ext_alpn(h, e);
	case 0x002b: /* the selected version */
		if (e.len != 2)
			return false;
		h->sv_max = rd_be16(e, 0);
		h->has_sv = true;
		return true;
	default:
		return true;
	}
}

/* The extensions block at off (absent when the message ends there). */
static int hello_exts(struct tls_hello *h, struct counters *cnt, struct rd m, uint32_t off,
		      bool client)
{
	if (off == m.len)
		return 0;
	uint32_t el = rd_be16(m, off);
	if (!rd_has(m, off, 2) || !rd_has(m, off + 2, el))
		return -1;
	struct rd e = rd_sub(m, off + 2, el);
	for (uint32_t o = 0; o < e.len;) {
		if (!rd_has(e, o, 4))
			return -1;
		uint16_t type = rd_be16(e, o), l = rd_be16(e, o + 2);
		if (!rd_has(e, o + 4, l))
			return -1;
		push16(h->exts, &h->n_exts, type, &h->capped);
		struct rd x = rd_sub(e, o + 4, l);
		if (!(client ? client_ext(h, type, x) : server_ext(h, type, x)))
			CNT_INC(cnt, APP_TLS_MALFORMED_HS); /* the type still counts */
		o += 4u + l;
	}
	return 0;
}

/* The fields both hellos start with: version, random, session id. */
static int hello_head(struct tls_hello *h, struct rd m, uint32_t *off)
{
	memset(h, 0, offsetof(struct tls_hello, ciphers));
	if (!rd_has(m, 0, 35))
		return -1;
	h->version = rd_be16(m, 0);
	h->sid_len = rd_u8(m, 34);
	h->sid = rd_ptr(m, 35, h->sid_len);
	if (h->sid_len > 32 || !h->sid)
		return -1;
	*off = 35u + h->sid_len;
	return 0;
}

static void keep_alpns(struct tls_state *st, struct tls_hello *h, struct counters *cnt,
		       struct tls_ref *out, uint8_t *n)
{
	for (uint32_t i = 0; i < h->n_alpn && *n < TLS_MAX_ALPN; i++)
		if (tls_store_put(st, cnt, h->alpn[i], h->alpn_len[i], &out[*n]) && h->alpn_len[i])
			(*n)++;
}

static int client_hello(struct tls_state *st, struct tls_hello *h, struct counters *cnt,
			struct rd m)
{
	uint32_t o = 0;
	int rc = hello_head(h, m, &o);
	uint32_t cl = rd_be16(m, o);
	if (!rc && (!rd_has(m, o, 2) || (cl & 1) || !rd_has(m, o + 2, cl)))
		rc = -1;
	if (!rc) {
		for (uint32_t i = 0; i < cl; i += 2)
			push16(h->ciphers, &h->n_ciphers, rd_be16(m, o + 2 + i), &h->capped);
		o += 2 + cl;
		uint32_t ml = rd_u8(m, o);
		if (!rd_has(m, o, 1) || !rd_has(m, o + 1, ml))
			rc = -1;
		else
			rc = hello_exts(h, cnt, m, o + 1 + ml, true);
	}
	st->flags |= TLS_F_CLIENT_HELLO;
	st->client_version = h->version;
	if (h->sid) {
		memcpy(st->sid, h->sid, h->sid_len);
		st->sid_len = h->sid_len;
	}
	if (h->sni)
		tls_store_put(st, cnt, h->sni, h->sni_len, &st->sni);
	keep_alpns(st, h, cnt, st->calpn, &st->n_calpn);
	if (rc < 0) {
		CNT_INC(cnt, APP_TLS_MALFORMED_HS); /* what came before the fault is kept */
		return 0;
	}
	if (h->capped)
		CNT_INC(cnt, APP_TLS_TRUNCATED); /* a fingerprint of a cut list would mislead */
	else
		tls_fp_client(st, h, cnt);
	return 0;
}

/* A ServerHello of TLS 1.3 drafts before 22 has neither session id nor
 * compression method: version, random, cipher, extensions. Its version is
 * the draft's (drafts before 16 said 0x0304; the final one says 0x0303). */
static bool short_server_hello(uint16_t v)
{
	return v == 0x0304 || (v > 0x7f00 && v < 0x7f16) || v == 0xfb14 || v == 0xfb15;
}

static int server_hello(struct tls_state *st, struct tls_hello *h, struct counters *cnt,
			struct tls_dir *td, struct rd m)
{
	uint32_t o = 34;
	memset(h, 0, offsetof(struct tls_hello, ciphers));
	h->version = rd_be16(m, 0);
	bool ok = rd_has(m, 0, 34);
	if (ok && !short_server_hello(h->version))
		ok = hello_head(h, m, &o) == 0;
	if (!ok || !rd_has(m, o, 2)) {
		CNT_INC(cnt, APP_TLS_MALFORMED_HS);
		return -1;
	}
	if (!memcmp(rd_ptr(m, 2, 32), hrr_random, 32)) {
		/* a HelloRetryRequest: the client's second hello and the real
		 * ServerHello follow in clear */
		st->flags |= TLS_F_HRR;
		return 0;
	}
	h->cipher = rd_be16(m, o);
	o += 2;
	if (!short_server_hello(h->version)) {
		if (!rd_has(m, o, 1)) {
			CNT_INC(cnt, APP_TLS_MALFORMED_HS);
			return -1;
		}
		o++; /* compression method */
	}
	int rc = hello_exts(h, cnt, m, o, false);
	st->flags |= TLS_F_SERVER_HELLO;
	st->cipher = h->cipher;
	uint16_t v = h->has_sv ? h->sv_max : h->version;
	if (!h->has_sv && v > 0x7f00 && v < 0x7f10)
		v = 0x7f0f;
	else if (!h->has_sv && v == 0x0304)
		v = 0x7f0f; /* drafts before 16 said 0x0304 here (as Suricata names it) */
	st->server_version = v;
	if (is13(v) || is13(h->version))
		td->enc = true; /* the rest of the server's handshake is encrypted */
	else if (st->sid_len && h->sid_len == st->sid_len && !memcmp(h->sid, st->sid, st->sid_len))
		st->flags |= TLS_F_RESUMED;
	keep_alpns(st, h, cnt, st->salpn, &st->n_salpn);
	if (rc < 0)
		CNT_INC(cnt, APP_TLS_MALFORMED_HS);
	else if (h->capped)
		CNT_INC(cnt, APP_TLS_TRUNCATED);
	else
		tls_fp_server(st, h, cnt);
	return 0;
}

/* SSLv2 CLIENT-HELLO: [1][version:2][cipher_specs_len:2][sid_len:2][challenge_len:2]... */
static int sslv2_hello(struct tls_state *st, struct counters *cnt, struct rd m)
{
	uint32_t need = (uint32_t)rd_be16(m, 3) + rd_be16(m, 5) + rd_be16(m, 7);
	if (rd_u8(m, 0) != 1 || !rd_has(m, 0, 9) || !rd_has(m, 9, need)) {
		CNT_INC(cnt, APP_TLS_MALFORMED_HS);
		return -1;
	}
	st->flags |= TLS_F_CLIENT_HELLO | TLS_F_SSLV2;
	st->client_version = rd_be16(m, 1);
	CNT_INC(cnt, APP_TLS_SSLV2);
	return 0;
}

/* Certificate (RFC 5246 §7.4.2): [chain_len:3] then [len:3][DER] each. */
static int certificates(struct tls_state *st, struct tls_hello *h, struct counters *cnt,
			struct rd m)
{
	uint32_t cl = (uint32_t)rd_u8(m, 0) << 16 | rd_be16(m, 1);
	struct tls_ref refs[TLS_MAX_CERTS];
	uint32_t n = 0;
	bool bad = !rd_has(m, 0, 3) || cl + 3 != m.len;
	st->flags |= TLS_F_CERTS;
	for (uint32_t o = 3; !bad && o < m.len;) {
		uint32_t l = (uint32_t)rd_u8(m, o) << 16 | rd_be16(m, o + 1);
		const uint8_t *der = rd_ptr(m, o + 3, l);
		if (!rd_has(m, o, 3) || !der) {
			bad = true;
			break;
		}
		if (n == 0 && tls_x509_first(st, h, cnt, der, l) < 0)
			CNT_INC(cnt, APP_TLS_INVALID_CERT);
		if (n < TLS_MAX_CERTS) {
			if (tls_store_put(st, cnt, der, l, &refs[n]))
				n++;
		} else {
			CNT_INC(cnt, APP_TLS_TRUNCATED);
		}
		o += 3 + l;
	}
	if (bad)
		CNT_INC(cnt, APP_TLS_MALFORMED_HS);
	if (n && tls_store_put(st, cnt, refs, n * (uint32_t)sizeof(refs[0]), &st->certs))
		st->n_certs = (uint8_t)n;
	return 0;
}

/* ---- the handshake layer ---- */

static bool wanted(const struct tls_state *st, int dir, uint8_t type)
{
	if (dir == 0)
		return type == TLS_HS_SSLV2 ||
		       (type == TLS_HS_CLIENT_HELLO && !(st->flags & TLS_F_CLIENT_HELLO));
	return (type == TLS_HS_SERVER_HELLO && !(st->flags & TLS_F_SERVER_HELLO)) ||
	       (type == TLS_HS_CERTIFICATE && !(st->flags & TLS_F_CERTS));
}

static int message(struct tls_state *st, struct tls_hello *h, struct counters *cnt, int dir,
		   uint8_t type, struct rd m)
{
	struct tls_dir *td = &st->d[dir];
	switch (type) {
	case TLS_HS_SSLV2:
		return sslv2_hello(st, cnt, m) < 0 ? 0 : TLS_P_CLIENT_HELLO;
	case TLS_HS_CLIENT_HELLO:
		client_hello(st, h, cnt, m);
		return TLS_P_CLIENT_HELLO;
	case TLS_HS_SERVER_HELLO:
		if (server_hello(st, h, cnt, td, m) < 0 || !(st->flags & TLS_F_SERVER_HELLO))
			return 0;
		return TLS_P_SERVER_HELLO;
	case TLS_HS_CERTIFICATE:
		certificates(st, h, cnt, m);
		td->quiet = true; /* nothing later in the server's flight is read */
		return TLS_P_CERTS;
	default:
		return 0;
	}
}

/* Room for a message body of td->hlen bytes. */
static bool hbuf_fit(struct tls_dir *td, struct counters *cnt)
{
	if (td->hcap >= td->hlen)
		return true;
	uint8_t *b = realloc(td->hbuf, td->hlen);
	if (!b) {
		CNT_INC(cnt, APP_ALLOC_FAIL);
		return false;
	}
	td->hbuf = b;
	td->hcap = td->hlen;
	return true;
}

/* Handshake-layer bytes of direction dir (a record fragment, or part of one). */
static int hs_feed(struct tls_state *st, struct tls_hello *h, struct counters *cnt, int dir,
		   struct rd m)
{
	struct tls_dir *td = &st->d[dir];
	int prog = 0;
	uint32_t o = 0;
	while (o < m.len && !td->done && !td->quiet) {
		if (td->hhdr_len < 4) {
			td->hhdr[td->hhdr_len++] = rd_u8(m, o++);
			if (td->hhdr_len < 4)
				continue;
			td->htype = td->hhdr[0];
			td->hlen =
			    (uint32_t)td->hhdr[1] << 16 | (uint32_t)td->hhdr[2] << 8 | td->hhdr[3];
			td->hhave = 0;
			td->hkeep = wanted(st, dir, td->htype);
			if (td->hlen > TLS_HS_MAX) {
				CNT_INC(cnt, APP_TLS_HS_TOO_LONG);
				td->hkeep = false;
			}
			if (td->hlen == 0) {
				if (td->hkeep)
					prog |=
					    message(st, h, cnt, dir, td->htype, rd_make(NULL, 0));
				td->hhdr_len = 0;
			}
			continue;
		}
		uint32_t want = td->hlen - td->hhave, avail = m.len - o;
		uint32_t take = avail < want ? avail : want;
		if (td->hkeep) {
			if (td->hhave == 0 && take == td->hlen) {
				prog |= message(st, h, cnt, dir, td->htype, rd_sub(m, o, take));
			} else if (!hbuf_fit(td, cnt)) {
				td->hkeep = false;
			} else {
				rd_copy(m, o, td->hbuf + td->hhave, take);
				if (td->hhave + take == td->hlen)
					prog |= message(st, h, cnt, dir, td->htype,
							rd_make(td->hbuf, td->hlen));
			}
		}
		td->hhave += take;
		o += take;
		if (td->hhave == td->hlen)
			td->hhdr_len = 0;
	}
	return prog;
}

/* ---- the record layer ---- */

/* Header bytes the current record needs: 2 for an SSLv2 first record. */
static uint32_t hdr_need(const struct tls_dir *td)
{
	return td->nrec == 0 && td->rhdr_len >= 1 && (td->rhdr[0] & 0x80) ? 2 : 5;
}

/* A record header is complete: check it and set up its body. */
static int record_start(struct tls_state *st, struct counters *cnt, int dir, int *prog)
{
	struct tls_dir *td = &st->d[dir];
	const uint8_t *b = td->rhdr;
	if (td->nrec++ == 0 && (b[0] & 0x80)) {
		uint32_t rl = (uint32_t)(b[0] & 0x7f) << 8 | b[1];
		if (dir == 1) {
			/* an SSLv2 server: nothing of it is parsed */
			st->server_version = 0x0002;
			td->done = true;
			*prog |= TLS_P_SERVER_END;
			return 0;
		}
		if (rl < 9) {
			CNT_INC(cnt, APP_TLS_MALFORMED_RECORD);
			return -1;
		}
		/* the body is one message of its own */
		td->rtype = TLS_CT_HANDSHAKE;
		td->rrem = rl;
		td->hhdr_len = 4;
		td->htype = TLS_HS_SSLV2;
		td->hlen = rl;
		td->hhave = 0;
		td->hkeep = true;
		return 0;
	}
	uint8_t type = b[0];
	uint16_t ver = be16_at(b + 1), rl = be16_at(b + 3);
	if (type < TLS_CT_CCS || type > TLS_CT_HEARTBEAT || (ver >> 8) != 3 || (ver & 0xff) > 4 ||
	    rl > TLS_RECORD_MAX) {
		CNT_INC(cnt, APP_TLS_MALFORMED_RECORD);
		return -1;
	}
	if (dir == 1 && !st->server_version)
		st->server_version = ver; /* until a ServerHello says better */
	td->rtype = type;
	td->rrem = rl;
	if (type == TLS_CT_CCS && dir == 1 && (st->flags & TLS_F_HRR) &&
	    !(st->flags & TLS_F_SERVER_HELLO))
		return 0; /* TLS 1.3's compatibility CCS after a HelloRetryRequest */
	if (type == TLS_CT_CCS || type == TLS_CT_APPDATA || (type == TLS_CT_HANDSHAKE && td->enc)) {
		td->done = true;
		td->secret = true;
		if (dir == 1)
			*prog |= TLS_P_SERVER_END;
	}
	return 0;
}

int tls_feed(struct tls_state *st, struct tls_hello *h, struct counters *cnt, int dir,
	     const uint8_t *d, uint32_t len)
{
	struct tls_dir *td = &st->d[dir & 1];
	struct rd r = rd_make(d, len);
	int prog = 0;
	uint32_t o = 0;
	dir &= 1;
	while (o < r.len && !td->done) {
		if (td->rrem == 0) {
			while (td->rhdr_len < hdr_need(td) && o < r.len)
				td->rhdr[td->rhdr_len++] = rd_u8(r, o++);
			if (td->rhdr_len < hdr_need(td))
				break;
			td->rhdr_len = 0;
			if (record_start(st, cnt, dir, &prog) < 0) {
				td->done = true;
				prog = -1;
				break;
			}
			continue;
		}
		uint32_t avail = r.len - o, take = avail < td->rrem ? avail : td->rrem;
		if (td->rtype == TLS_CT_HANDSHAKE && !td->quiet)
			prog |= hs_feed(st, h, cnt, dir, rd_sub(r, o, take));
		o += take;
		td->rrem -= take;
	}
	if ((td->done || td->quiet) && td->hbuf) {
		free(td->hbuf);
		td->hbuf = NULL;
		td->hcap = 0;
	}
	return prog;
}

void tls_gap(struct tls_state *st, int dir)
{
	struct tls_dir *td = &st->d[dir & 1];
	td->done = true;
	free(td->hbuf);
	td->hbuf = NULL;
	td->hcap = 0;
}

bool tls_done(const struct tls_state *st)
{
	return st->d[0].done && st->d[1].done;
}
