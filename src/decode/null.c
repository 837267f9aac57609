/*
 * null — BSD loopback encapsulations: DLT_NULL (a 4-byte address family in
 * the capturing host's byte order) and DLT_LOOP (the same in network order).
 * AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD),
 * 30 (macOS) or 10 (Linux).
 */
#include "decode/decode.h"

static void decode_family(struct decode_ctx *dc, struct packet *p, struct rd r, uint32_t fam)
{
	struct rd payload = rd_sub(r, 4, r.len - 4);

	switch (fam) {
	case 2:
		decode_ethertype(dc, p, 0x0800, payload);
		break;
	case 10:
	case 24:
	case 28:
	case 30:
		decode_ethertype(dc, p, 0x86dd, payload);
		break;
	default:
		decode_event(dc, p, EV_NULL_UNSUPPORTED_TYPE);
		break;
	}
}

void decode_null(struct decode_ctx *dc, struct packet *p, struct rd r)
{
	CNT_INC(dc->cnt, DEC_NULL);
	if (!rd_has(r, 0, 4)) {
		decode_event(dc, p, EV_NULL_PKT_TOO_SMALL);
		return;
	}
	/* Host order of an unknown host: a family fits in the low 16 bits. */
	uint32_t fam = rd_le32(r, 0);
	if (fam > 0xffff)
		fam = rd_be32(r, 0);
	decode_family(dc, p, r, fam);
}

void decode_loop(struct decode_ctx *dc, struct packet *p, struct rd r)
{
	CNT_INC(dc->cnt, DEC_NULL);
	if (!rd_has(r, 0, 4)) {
		decode_event(dc, p, EV_NULL_PKT_TOO_SMALL);
		return;
	}
	decode_family(dc, p, r, rd_be32(r, 0));
}
