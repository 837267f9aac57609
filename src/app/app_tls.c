/*
 * app_tls — TLS over TCP as an app-layer parser (the handshake itself is
 * tls.c).
 *
 * One transaction per flow (tx id 0) whose data is the flow's struct
 * tls_state. It is reported at three progress levels, once each and in
 * order (a level may be skipped):
 *   1  ClientHello parsed (to server): tls.sni, ja3.*, ja4.hash
 *   2  ServerHello parsed (to client): ja3s.*
 *   3  the server's certificate chain parsed, or the server past its clear
 *      handshake without one (TLS 1.3, a resumed session: its
 *      ChangeCipherSpec or first encrypted record), or the flow ended first
 *      (to client): tls.cert_*, tls.certs, tls.subjectaltname
 * Once both directions are past the handshake their bytes are ignored, so
 * encrypted data costs a pointer test.
 *
 * Detection is by content in either direction: a handshake record (type 22,
 * version 3.0 to 3.4, a plausible length) holding a ClientHello to the
 * server or a ServerHello to the client, or an SSLv2-compatible ClientHello.
 */
#include <string.h>

#include "app/applayer.h"
#include "app/tls.h"
#include "core/rd.h"
#include "detect/buffers.h"
#include "flow/flow.h"

static int tls_probe(const uint8_t *d, uint32_t len, int dir, bool tcp, uint16_t sp, uint16_t dp)
{
	(void)sp;
	(void)dp;
	struct rd r = rd_make(d, len);
	if (!tcp || !len)
		return APP_PROBE_NO;
	uint8_t b0 = rd_u8(r, 0);
	if (b0 & 0x80) {
		/* SSLv2 record header, CLIENT-HELLO, version 2.0 or 3.x */
		if (dir != 0)
			return APP_PROBE_NO;
		if (!rd_has(r, 0, 5))
			return APP_PROBE_MORE;
		uint32_t rl = (uint32_t)(b0 & 0x7f) << 8 | rd_u8(r, 1);
		uint16_t v = rd_be16(r, 3);
		return rl >= 9 && rd_u8(r, 2) == 1 && (v == 0x0002 || (v >> 8) == 3) ? APP_PROBE_YES
										     : APP_PROBE_NO;
	}
	if (b0 != TLS_CT_HANDSHAKE)
		return APP_PROBE_NO;
	/* record: type, version, length; then the hello's type, length, version */
	static const uint8_t at[] = {1, 2, 3, 5, 9};
	for (size_t i = 0; i < sizeof(at); i++) {
		if (!rd_has(r, at[i], 1))
			return APP_PROBE_MORE;
		uint8_t v = rd_u8(r, at[i]);
		switch (at[i]) {
		case 1:
			if (v != 3)
				return APP_PROBE_NO;
			break;
		case 2:
			if (v > 4)
				return APP_PROBE_NO;
			break;
		case 3:
			if (!rd_has(r, 3, 2))
				return APP_PROBE_MORE;
			if (rd_be16(r, 3) < 4 || rd_be16(r, 3) > TLS_RECORD_MAX)
				return APP_PROBE_NO;
			break;
		case 5:
			if (v != (dir == 0 ? TLS_HS_CLIENT_HELLO : TLS_HS_SERVER_HELLO))
				return APP_PROBE_NO;
			if (!rd_has(r, 6, 3))
				return APP_PROBE_MORE;
			/* version(2) random(32) sid(1) cipher(2) compression(1) at least */
			if (((uint32_t)rd_u8(r, 6) << 16 | rd_be16(r, 7)) < 38)
				return APP_PROBE_NO;
			break;
		case 9:
			/* 3.x; a ServerHello of a TLS 1.3 draft says 0x7fNN or 0xfbNN */
			if (v != 3 && (dir == 0 || (v != 0x7f && v != 0xfb)))
				return APP_PROBE_NO;
			break;
		}
	}
	return APP_PROBE_YES;
}

static void report(const struct app_call *c, struct tls_state *st, int dir, uint8_t level)
{
	if (level <= st->level)
		return;
	if (!st->level)
		CNT_INC(c->ac->cnt, APP_TX_TLS);
	st->level = level;
	struct app_tx tx = {ALPROTO_TLS, 0, st};
	app_report_tx(c, &tx, dir, level);
}

static void progress(const struct app_call *c, struct tls_state *st, int p)
{
	if (p & TLS_P_CLIENT_HELLO)
		report(c, st, 0, 1);
	if (p & TLS_P_SERVER_HELLO) {
		if (st->flags & TLS_F_RESUMED)
			CNT_INC(c->ac->cnt, APP_TLS_RESUMED);
		report(c, st, 1, 2);
	}
	if (p & (TLS_P_CERTS | TLS_P_SERVER_END))
		report(c, st, 1, 3);
}

/* Both directions went encrypted: as Suricata's encryption-handling, rules
 * on raw content stop inspecting the flow (default), or the flow is not
 * reassembled any more either (bypass); tls.* buffers are unaffected. */
static void encrypted(const struct app_call *c)
{
	int mode = c->ac->cfg->tls_encryption;
	if (mode == TLS_ENC_FULL || (c->f->detect_flags & FLOW_D_NOPAYLOAD))
		return;
	CNT_INC(c->ac->cnt, APP_TLS_ENCRYPTED);
	c->f->detect_flags |= FLOW_D_NOPAYLOAD;
	if (mode == TLS_ENC_BYPASS)
		c->f->detect_flags |= FLOW_D_BYPASS;
}

static int tls_parse_data(const struct app_call *c, void *state, void *scratch, bool tcp, int dir,
			  const uint8_t *d, uint32_t len)
{
	struct tls_state *st = state;
	(void)tcp;
	if (st->d[dir & 1].done)
		return 0; /* past the handshake: encrypted bytes are not looked at */
	int p = tls_feed(st, scratch, c->ac->cnt, dir, d, len);
	if (p < 0)
		return -1;
	progress(c, st, p);
	if (st->d[0].secret && st->d[1].secret)
		encrypted(c);
	return 0;
}

static void tls_gap_fn(const struct app_call *c, void *state, int dir, uint64_t len)
{
	(void)c;
	(void)len;
	tls_gap(state, dir);
}

static void tls_end(const struct app_call *c, void *state, void *scratch)
{
	struct tls_state *st = state;
	(void)scratch;
	/* a handshake that never finished in clear still gets its record */
	if (st->level)
		report(c, st, 1, 3);
	tls_state_free(st);
}

static bool tls_buffer(const void *txdata, unsigned buf, int dir, uint32_t idx, const uint8_t **p,
		       uint32_t *len)
{
	const struct tls_state *st = txdata;
	(void)dir;
	if (idx && buf != BUF_TLS_CERTS && buf != BUF_TLS_SUBJECTALTNAME)
		return false;
	switch (buf) {
	case BUF_TLS_SNI:
		return tls_get(st, st->sni, p, len);
	case BUF_JA3_STRING:
		return tls_get(st, st->ja3, p, len);
	case BUF_JA3S_STRING:
		return tls_get(st, st->ja3s, p, len);
	case BUF_JA3_HASH:
	case BUF_JA3S_HASH:
	case BUF_JA4_HASH: {
		const char *s = buf == BUF_JA3_HASH    ? st->ja3_hash
				: buf == BUF_JA3S_HASH ? st->ja3s_hash
						       : st->ja4;
		if (!s[0])
			return false;
		*p = (const uint8_t *)s;
		*len = (uint32_t)strlen(s);
		return true;
	}
	case BUF_TLS_CERT_SUBJECT:
		return tls_get(st, st->subject, p, len);
	case BUF_TLS_CERT_ISSUER:
		return tls_get(st, st->issuer, p, len);
	case BUF_TLS_CERT_SERIAL:
		return tls_get(st, st->serial, p, len);
	case BUF_TLS_CERT_FINGERPRINT:
		return tls_get(st, st->fingerprint, p, len);
	case BUF_TLS_CERTS:
		return tls_cert(st, idx, p, len);
	case BUF_TLS_SUBJECTALTNAME:
		return tls_san(st, idx, p, len);
	default:
		return false;
	}
}

static uint8_t tls_buffer_level(unsigned buf, int rdir)
{
	(void)rdir;
	switch (buf) {
	case BUF_TLS_SNI:
	case BUF_JA3_HASH:
	case BUF_JA3_STRING:
	case BUF_JA4_HASH:
		return 1;
	case BUF_JA3S_HASH:
	case BUF_JA3S_STRING:
		return 2;
	case BUF_TLS_CERT_SUBJECT:
	case BUF_TLS_CERT_ISSUER:
	case BUF_TLS_CERT_SERIAL:
	case BUF_TLS_CERT_FINGERPRINT:
	case BUF_TLS_CERTS:
	case BUF_TLS_SUBJECTALTNAME:
		return 3;
	default:
		return 0;
	}
}

static void tls_scratch_free(void *scratch)
{
	tls_hello_free(scratch);
}

const struct app_parser app_parser_tls = {
    .alproto = ALPROTO_TLS,
    .tcp = true,
    .udp = false,
    .ports = {443, 465, 993, 995, 8443},
    .probe = tls_probe,
    .state_size = sizeof(struct tls_state),
    .scratch_size = sizeof(struct tls_hello),
    .scratch_free = tls_scratch_free,
    .parse = tls_parse_data,
    .gap = tls_gap_fn,
    .end = tls_end,
    .buffer = tls_buffer,
    .buffer_level = tls_buffer_level,
    .level_dir = {-1, 0, 1, 1},
};
