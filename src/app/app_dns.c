/*
 * app_dns — DNS over UDP and TCP as an app-layer parser.
 *
 * Each message is parsed with dns.c into the worker's scratch record and
 * handed on at once as a transaction of its own (as Suricata 8 numbers
 * them): a query reaches level 1, a response level 2. Responses are paired
 * with their queries by id (the last DNS_PENDING open queries are kept per
 * flow, the oldest evicted and counted): a response without a query is
 * counted as unsolicited, a query never answered as unanswered at flow end. Over TCP each message has a two-byte length
 * prefix (RFC 1035 4.2.2); a message split over segments is gathered in a
 * per-direction buffer of at most 2 + 65535 bytes.
 *
 * Detection is by content on port 53: the header must be plausible and the
 * first question a well-formed name. Other ports carry DNS-shaped protocols
 * (mDNS, LLMNR, NetBIOS) that are not "dns" in Suricata's or tshark's sense.
 */
#include <stdlib.h>
#include <string.h>

#include "app/applayer.h"
#include "app/dns.h"
#include "core/rd.h"
#include "detect/buffers.h"

#define DNS_PENDING 32
#define DNS_TCP_MAX (2 + 65535)

struct dns_pending {
	uint16_t id;
	uint64_t tx_id;
};

struct dns_state {
	uint64_t next_tx;
	struct dns_pending pend[DNS_PENDING];
	uint32_t n_pend;
	uint8_t *tbuf[2]; /* TCP: a message being gathered (with its prefix) */
	uint32_t tlen[2];
};

/* A plausible header and a well-formed first question name. */
static int dns_probe(const uint8_t *d, uint32_t len, int dir, bool tcp, uint16_t sp, uint16_t dp)
{
	(void)dir;
	if (sp != 53 && dp != 53)
		return APP_PROBE_NO;
	struct rd r = rd_make(d, len);
	uint32_t off = 0;
	if (tcp) {
		if (len < 2)
			return APP_PROBE_MORE;
		uint16_t ml = rd_be16(r, 0);
		if (ml < 12)
			return APP_PROBE_NO;
		off = 2;
	}
	if (!rd_has(r, off, 12))
		return tcp ? APP_PROBE_MORE : APP_PROBE_NO;
	uint16_t flags = rd_be16(r, off + 2);
	uint8_t opcode = (uint8_t)(flags >> 11 & 15);
	uint16_t qd = rd_be16(r, off + 4);
	if (opcode > 6 || opcode == 3 || (flags & 0x0040)) /* Z bit must be 0 */
		return APP_PROBE_NO;
	if (qd == 0 || qd > 8)
		return APP_PROBE_NO;
	uint32_t o = off + 12, total = 0;
	for (int labels = 0; labels < 128; labels++) {
		if (!rd_has(r, o, 1))
			return tcp ? APP_PROBE_MORE : APP_PROBE_NO;
		uint8_t l = rd_u8(r, o);
		if (l == 0)
			return rd_has(r, o + 1, 4) || tcp ? APP_PROBE_YES : APP_PROBE_NO;
		if ((l & 0xc0) == 0xc0)
			return APP_PROBE_YES;
		if (l > 63 || (total += l + 1u) > 255)
			return APP_PROBE_NO;
		o += 1u + l;
	}
	return APP_PROBE_NO;
}

static void count_tx(const struct app_call *c, bool tcp)
{
	if (tcp)
		CNT_INC(c->ac->cnt, APP_TX_DNS_TCP);
	else
		CNT_INC(c->ac->cnt, APP_TX_DNS_UDP);
}

static void handle_msg(const struct app_call *c, struct dns_state *st, struct dns_msg *m, bool tcp,
		       int dir, const uint8_t *d, uint32_t len)
{
	if (dns_parse(d, len, m) < 0) {
		CNT_INC(c->ac->cnt, APP_DNS_MALFORMED);
		return;
	}
	if (m->truncated)
		CNT_INC(c->ac->cnt, APP_DNS_TRUNCATED);
	/* every message is a transaction of its own, as in Suricata 8 */
	struct app_tx tx = {ALPROTO_DNS, st->next_tx++, m};
	count_tx(c, tcp);
	if (!m->response) {
		if (st->n_pend == DNS_PENDING) {
			memmove(&st->pend[0], &st->pend[1], (DNS_PENDING - 1) * sizeof(st->pend[0]));
			st->n_pend--;
			CNT_INC(c->ac->cnt, APP_DNS_TX_EVICTED);
		}
		st->pend[st->n_pend].id = m->id;
		st->pend[st->n_pend++].tx_id = tx.id;
		app_report_tx(c, &tx, dir, 1);
		return;
	}
	/* pair the response with its query */
	bool found = false;
	for (uint32_t i = 0; i < st->n_pend && !found; i++) {
		if (st->pend[i].id != m->id)
			continue;
		memmove(&st->pend[i], &st->pend[i + 1], (st->n_pend - i - 1) * sizeof(st->pend[0]));
		st->n_pend--;
		found = true;
	}
	if (!found)
		CNT_INC(c->ac->cnt, APP_DNS_UNSOLICITED);
	app_report_tx(c, &tx, dir, 2);
}

static int dns_parse_data(const struct app_call *c, void *state, void *scratch, bool tcp, int dir,
			  const uint8_t *d, uint32_t len)
{
	struct dns_state *st = state;
	struct dns_msg *m = scratch;
	if (!tcp) {
		handle_msg(c, st, m, false, dir, d, len);
		return 0;
	}
	while (len) {
		if (!st->tlen[dir]) {
			/* a whole message in place: no copy */
			if (len >= 2) {
				uint32_t ml = be16_at(d);
				if (len >= 2 + ml) {
					if (ml)
						handle_msg(c, st, m, true, dir, d + 2, ml);
					d += 2 + ml;
					len -= 2 + ml;
					continue;
				}
			}
			if (!st->tbuf[dir]) {
				st->tbuf[dir] = malloc(DNS_TCP_MAX);
				if (!st->tbuf[dir]) {
					CNT_INC(c->ac->cnt, APP_ALLOC_FAIL);
					return -1;
				}
			}
		}
		uint8_t *b = st->tbuf[dir];
		uint32_t have = st->tlen[dir];
		uint32_t need = have < 2 ? 2 - have : 2u + be16_at(b) - have;
		uint32_t take = len < need ? len : need;
		memcpy(b + have, d, take);
		st->tlen[dir] += take;
		d += take;
		len -= take;
		if (st->tlen[dir] >= 2 && st->tlen[dir] == 2u + be16_at(b)) {
			if (st->tlen[dir] > 2)
				handle_msg(c, st, m, true, dir, b + 2, st->tlen[dir] - 2);
			st->tlen[dir] = 0;
		}
	}
	return 0;
}

static void dns_gap(const struct app_call *c, void *state, int dir, uint64_t len)
{
	struct dns_state *st = state;
	(void)c;
	(void)len;
	/* the message being gathered is lost; the next segment starts a new one
	 * only by luck, so drop what is held and hope for a boundary */
	st->tlen[dir] = 0;
}

static void dns_end(const struct app_call *c, void *state, void *scratch)
{
	struct dns_state *st = state;
	(void)scratch;
	CNT_ADD(c->ac->cnt, APP_DNS_UNANSWERED, st->n_pend);
	free(st->tbuf[0]);
	free(st->tbuf[1]);
	st->tbuf[0] = st->tbuf[1] = NULL;
}

/* The name in an rr's rdata, for the types whose rdata holds names: k = 0
 * first name, 1 second (SOA rname). */
static bool rdata_name(const struct dns_rr *rr, int k, const uint8_t **p, uint32_t *len)
{
	const char *t = rr->text;
	switch (rr->type) {
	case DNS_CNAME:
	case DNS_NS:
	case DNS_PTR:
		if (k)
			return false;
		*p = (const uint8_t *)t;
		*len = (uint32_t)strlen(t);
		return true;
	case DNS_MX:
	case DNS_SRV: {
		if (k)
			return false;
		const char *s = strrchr(t, ' ');
		if (!s)
			return false;
		*p = (const uint8_t *)s + 1;
		*len = (uint32_t)strlen(s + 1);
		return true;
	}
	case DNS_SOA:
		if (k == 0) {
			*p = (const uint8_t *)t;
			*len = rr->soa_mlen;
		} else {
			*p = (const uint8_t *)t + rr->soa_mlen + 1;
			*len = rr->soa_rlen;
		}
		return strlen(t) >= (size_t)rr->soa_mlen + 1 + rr->soa_rlen;
	default:
		return false;
	}
}

static bool rr_name(const struct dns_rr *rr, const uint8_t **p, uint32_t *len)
{
	*p = (const uint8_t *)rr->name.s;
	*len = rr->name.len;
	return true;
}

/* The idx-th rrname of the records in section sec (-1: every section). */
static bool section_name(const struct dns_msg *m, int sec, uint32_t idx, const uint8_t **p,
			 uint32_t *len)
{
	for (uint32_t i = 0; i < m->n_rrs; i++) {
		if (sec >= 0 && m->rrs[i].section != sec)
			continue;
		if (idx-- == 0)
			return rr_name(&m->rrs[i], p, len);
	}
	return false;
}

static bool dns_buffer(const void *txdata, unsigned buf, int dir, uint32_t idx, const uint8_t **p,
		       uint32_t *len)
{
	const struct dns_msg *m = txdata;
	(void)dir;
	switch (buf) {
	case BUF_DNS_QUERY:
	case BUF_DNS_QUERY_NAME:
		if (m->response)
			return false;
		/* fall through */
	case BUF_DNS_QUERIES_RRNAME:
		if (idx >= m->n_queries)
			return false;
		*p = (const uint8_t *)m->queries[idx].name.s;
		*len = m->queries[idx].name.len;
		return true;
	case BUF_DNS_ANSWERS_RRNAME:
	case BUF_DNS_ANSWER_NAME:
		return m->response && section_name(m, DNS_SEC_ANSWER, idx, p, len);
	case BUF_DNS_AUTHORITIES_RRNAME:
		return m->response && section_name(m, DNS_SEC_AUTHORITY, idx, p, len);
	case BUF_DNS_ADDITIONALS_RRNAME:
		return m->response && section_name(m, DNS_SEC_ADDITIONAL, idx, p, len);
	case BUF_DNS_RESPONSE_RRNAME: {
		/* query names, then each record's name and the names in its rdata */
		if (!m->response)
			return false;
		if (idx < m->n_queries) {
			*p = (const uint8_t *)m->queries[idx].name.s;
			*len = m->queries[idx].name.len;
			return true;
		}
		idx -= m->n_queries;
		for (uint32_t i = 0; i < m->n_rrs; i++) {
			const struct dns_rr *rr = &m->rrs[i];
			if (idx-- == 0)
				return rr_name(rr, p, len);
			for (int k = 0; k < 2; k++) {
				const uint8_t *q;
				uint32_t ql;
				if (!rdata_name(rr, k, &q, &ql))
					break;
				if (idx-- == 0) {
					*p = q;
					*len = ql;
					return true;
				}
			}
		}
		return false;
	}
	default:
		return false;
	}
}

static uint8_t dns_buffer_level(unsigned buf, int rdir)
{
	switch (buf) {
	case BUF_DNS_QUERY:
	case BUF_DNS_QUERY_NAME:
		return 1;
	case BUF_DNS_QUERIES_RRNAME:
		return rdir == 1 ? 2 : 1;
	case BUF_DNS_ANSWERS_RRNAME:
	case BUF_DNS_ANSWER_NAME:
	case BUF_DNS_AUTHORITIES_RRNAME:
	case BUF_DNS_ADDITIONALS_RRNAME:
	case BUF_DNS_RESPONSE_RRNAME:
		return 2;
	default:
		return 0;
	}
}

const struct app_parser app_parser_dns = {
    .alproto = ALPROTO_DNS,
    .tcp = true,
    .udp = true,
    .ports = {53},
    .probe = dns_probe,
    .state_size = sizeof(struct dns_state),
    .scratch_size = sizeof(struct dns_msg),
    .parse = dns_parse_data,
    .gap = dns_gap,
    .end = dns_end,
    .buffer = dns_buffer,
    .buffer_level = dns_buffer_level,
    .level_dir = {-1, 0, 1},
};
