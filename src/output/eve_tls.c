/*
 * eve_tls — the `tls` object of EVE records and alerts, as Suricata 8 writes
 * it with its extended fields, in its order: subject, issuerdn,
 * subjectaltname, session_resumed (a resumed TLS < 1.3 session without a
 * certificate), serial, fingerprint, sni, version, notbefore, notafter,
 * ja3{hash,string}, ja3s{hash,string}, ja4, client_alpns, server_alpns.
 * Fields the handshake did not show are left out.
 */
#include "output/eve.h"

#include "app/tls.h"

static void put_ref(struct jbuf *jb, const char *key, const struct tls_state *st,
		    struct tls_ref ref)
{
	const uint8_t *p;
	uint32_t n;
	if (tls_get(st, ref, &p, &n))
		jb_strn(jb, key, p, n);
}

static void put_alpns(struct jbuf *jb, const char *key, const struct tls_state *st,
		      const struct tls_ref *refs, uint32_t n)
{
	if (!n)
		return;
	jb_open_array(jb, key);
	for (uint32_t i = 0; i < n; i++)
		put_ref(jb, NULL, st, refs[i]);
	jb_close_array(jb);
}

static void put_fp(struct jbuf *jb, const char *key, const struct tls_state *st, const char *hash,
		   struct tls_ref text)
{
	if (!hash[0])
		return;
	jb_open(jb, key);
	jb_str_plain(jb, "hash", hash);
	put_ref(jb, "string", st, text);
	jb_close(jb);
}

void eve_put_tls(struct jbuf *jb, const void *tlsstate)
{
	const struct tls_state *st = tlsstate;
	char vb[24];
	jb_open(jb, "tls");
	put_ref(jb, "subject", st, st->subject);
	put_ref(jb, "issuerdn", st, st->issuer);
	if (st->n_sans) {
		const uint8_t *p;
		uint32_t n;
		jb_open_array(jb, "subjectaltname");
		for (uint32_t i = 0; tls_san(st, i, &p, &n); i++)
			jb_strn(jb, NULL, p, n);
		jb_close_array(jb);
	}
	if ((st->flags & TLS_F_RESUMED) && !(st->flags & TLS_F_CERTS))
		jb_bool(jb, "session_resumed", true);
	put_ref(jb, "serial", st, st->serial);
	put_ref(jb, "fingerprint", st, st->fingerprint);
	put_ref(jb, "sni", st, st->sni);
	jb_str_plain(jb, "version", tls_version_name(st->server_version, vb));
	if (st->notbefore[0])
		jb_str_plain(jb, "notbefore", st->notbefore);
	if (st->notafter[0])
		jb_str_plain(jb, "notafter", st->notafter);
	put_fp(jb, "ja3", st, st->ja3_hash, st->ja3);
	put_fp(jb, "ja3s", st, st->ja3s_hash, st->ja3s);
	if (st->ja4[0])
		jb_str_plain(jb, "ja4", st->ja4);
	put_alpns(jb, "client_alpns", st, st->calpn, st->n_calpn);
	put_alpns(jb, "server_alpns", st, st->salpn, st->n_salpn);
	jb_close(jb);
}
