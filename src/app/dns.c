/*
 * dns — see dns.h.
 *
 *   0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
 *  |                      ID                       |
 *  |QR|   Opcode  |AA|TC|RD|RA|   Z    |   RCODE   |
 *  |                    QDCOUNT                    |
 *  |                    ANCOUNT                    |
 *  |                    NSCOUNT                    |
 *  |                    ARCOUNT                    |
 *  then questions (name, type, class) and resource records
 *  (name, type, class, ttl, rdlength, rdata).
 */
#include "app/dns.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/rd.h"

#define DNS_HDR 12

static const char *const rcodes[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
				     "NOTIMP",	"REFUSED", "YXDOMAIN", "YXRRSET",
				     "NXRRSET", "NOTAUTH", "NOTZONE"};

const char *dns_rcode_name(uint8_t rcode)
{
	return rcode < sizeof(rcodes) / sizeof(rcodes[0]) ? rcodes[rcode] : NULL;
}

const char *dns_type_name(uint16_t type)
{
	switch (type) {
	case DNS_A:
		return "A";
	case DNS_NS:
		return "NS";
	case DNS_CNAME:
		return "CNAME";
	case DNS_SOA:
		return "SOA";
	case DNS_PTR:
		return "PTR";
	case DNS_MX:
		return "MX";
	case DNS_TXT:
		return "TXT";
	case DNS_AAAA:
		return "AAAA";
	case DNS_SRV:
		return "SRV";
	case DNS_OPT:
		return "OPT";
	case 255:
		return "ANY";
	case 13:
		return "HINFO";
	case 35:
		return "NAPTR";
	case 43:
		return "DS";
	case 46:
		return "RRSIG";
	case 47:
		return "NSEC";
	case 48:
		return "DNSKEY";
	case 50:
		return "NSEC3";
	case 52:
		return "TLSA";
	case 64:
		return "SVCB";
	case 65:
		return "HTTPS";
	case 99:
		return "SPF";
	case 252:
		return "AXFR";
	case 257:
		return "CAA";
	case 10:
		return "NULL";
	case 44:
		return "SSHFP";
	case 17:
		return "RP";
	case 37:
		return "CERT";
	case 39:
		return "DNAME";
	case 249:
		return "TKEY";
	case 250:
		return "TSIG";
	case 251:
		return "IXFR";
	default:
		return NULL;
	}
}

/*
 * Read the name at *off. *off moves past the name as it appears at that
 * place (a compression pointer ends it). Follows at most DNS_MAX_JUMPS
 * pointers, so a loop ends with an error.
 */
static enum dns_err read_name(struct rd r, uint32_t *off, struct dns_name *out)
{
	uint32_t pos = *off, wire = 0;
	unsigned jumps = 0;
	bool jumped = false;
	out->len = 0;
	out->s[0] = '\0';
	for (;;) {
		if (!rd_has(r, pos, 1))
			return DNS_ERR_NAME;
		uint8_t l = rd_u8(r, pos);
		if ((l & 0xc0) == 0xc0) {
			if (!rd_has(r, pos, 2))
				return DNS_ERR_NAME;
			if (!jumped)
				*off = pos + 2;
			jumped = true;
			if (++jumps > DNS_MAX_JUMPS)
				return DNS_ERR_NAME_LOOP;
			pos = rd_be16(r, pos) & 0x3fffu;
			continue;
		}
		if (l & 0xc0)
			return DNS_ERR_NAME; /* extended label types (RFC 6891 §5) are obsolete */
		if (l == 0) {
			if (!jumped)
				*off = pos + 1;
			return DNS_OK;
		}
		const uint8_t *lab = rd_ptr(r, pos + 1, l);
		if (!lab)
			return DNS_ERR_NAME;
		wire += (uint32_t)l + 1;
		if (wire > 255)
			return DNS_ERR_NAME_LONG;
		/* 255 wire bytes fit in DNS_MAX_NAME with the dots and the NUL */
		if (out->len)
			out->s[out->len++] = '.';
		memcpy(out->s + out->len, lab, l);
		out->len = (uint16_t)(out->len + l);
		out->s[out->len] = '\0';
		pos += 1u + l;
	}
}

/* Text of the rdata of the types mamori names; false when it has none. */
static enum dns_err rdata_text(struct rd r, uint32_t off, uint16_t rdlen, struct dns_rr *rr)
{
	struct rd rdv = rd_sub(r, off, rdlen);
	struct dns_name n1, n2;
	uint32_t o;
	rr->has_text = true;
	switch (rr->type) {
	case DNS_A:
		if (rdlen != 4)
			return DNS_ERR_RDATA;
		inet_ntop(AF_INET, rd_ptr(r, off, 4), rr->text, sizeof(rr->text));
		return DNS_OK;
	case DNS_AAAA:
		if (rdlen != 16)
			return DNS_ERR_RDATA;
		inet_ntop(AF_INET6, rd_ptr(r, off, 16), rr->text, sizeof(rr->text));
		return DNS_OK;
	case DNS_CNAME:
	case DNS_NS:
	case DNS_PTR: {
		o = off;
		enum dns_err e = read_name(r, &o, &n1);
		if (e)
			return e;
		snprintf(rr->text, sizeof(rr->text), "%s", n1.s);
		return DNS_OK;
	}
	case DNS_MX: {
		if (rdlen < 3)
			return DNS_ERR_RDATA;
		o = off + 2;
		enum dns_err e = read_name(r, &o, &n1);
		if (e)
			return e;
		snprintf(rr->text, sizeof(rr->text), "%u %s", rd_be16(r, off), n1.s);
		return DNS_OK;
	}
	case DNS_SRV: {
		if (rdlen < 7)
			return DNS_ERR_RDATA;
		o = off + 6;
		enum dns_err e = read_name(r, &o, &n1);
		if (e)
			return e;
		snprintf(rr->text, sizeof(rr->text), "%u %u %u %s", rd_be16(r, off),
			 rd_be16(r, off + 2), rd_be16(r, off + 4), n1.s);
		return DNS_OK;
	}
	case DNS_SOA: {
		o = off;
		enum dns_err e = read_name(r, &o, &n1);
		if (!e)
			e = read_name(r, &o, &n2);
		if (e)
			return e;
		if (o + 20 > off + (uint32_t)rdlen)
			return DNS_ERR_RDATA;
		for (int i = 0; i < 5; i++)
			rr->soa[i] = rd_be32(r, o + 4u * (uint32_t)i);
		rr->soa_mlen = n1.len < 100 ? n1.len : 100;
		rr->soa_rlen = n2.len < 100 ? n2.len : 100;
		snprintf(rr->text, sizeof(rr->text), "%.100s %.100s %u %u %u %u %u", n1.s, n2.s,
			 rr->soa[0], rr->soa[1], rr->soa[2], rr->soa[3], rr->soa[4]);
		return DNS_OK;
	}
	case DNS_TXT: {
		/* character-strings joined as they come (cut at the cap) */
		size_t n = 0;
		for (uint32_t p = 0; p < rdv.len;) {
			uint8_t l = rd_u8(rdv, p);
			const uint8_t *s = rd_ptr(rdv, p + 1, l);
			if (!s)
				return DNS_ERR_RDATA;
			size_t take = l < sizeof(rr->text) - 1 - n ? l : sizeof(rr->text) - 1 - n;
			memcpy(rr->text + n, s, take);
			n += take;
			p += 1u + l;
		}
		rr->text[n] = '\0';
		return DNS_OK;
	}
	default:
		rr->has_text = false;
		return DNS_OK;
	}
}

int dns_parse(const uint8_t *buf, uint32_t len, struct dns_msg *m)
{
	struct rd r = rd_make(buf, len);
	memset(m, 0, sizeof(*m));
	if (len < DNS_HDR) {
		m->err = DNS_ERR_SHORT;
		return -1;
	}
	m->id = rd_be16(r, 0);
	m->flags = rd_be16(r, 2);
	m->response = m->flags >> 15;
	m->opcode = (uint8_t)(m->flags >> 11 & 15);
	m->aa = m->flags >> 10 & 1;
	m->tc = m->flags >> 9 & 1;
	m->rd = m->flags >> 8 & 1;
	m->ra = m->flags >> 7 & 1;
	m->rcode = (uint8_t)(m->flags & 15);
	m->qdcount = rd_be16(r, 4);
	m->ancount = rd_be16(r, 6);
	m->nscount = rd_be16(r, 8);
	m->arcount = rd_be16(r, 10);

	uint32_t off = DNS_HDR;
	enum dns_err e = DNS_OK;
	for (uint32_t i = 0; i < m->qdcount && !e; i++) {
		struct dns_query tmp,
		    *q = m->n_queries < DNS_MAX_QUERIES ? &m->queries[m->n_queries] : &tmp;
		e = read_name(r, &off, &q->name);
		if (e)
			break;
		if (!rd_has(r, off, 4)) {
			e = DNS_ERR_RR_TRUNC;
			break;
		}
		q->type = rd_be16(r, off);
		q->class = rd_be16(r, off + 2);
		off += 4;
		if (q == &tmp)
			m->truncated = true;
		else
			m->n_queries++;
	}
	const uint16_t counts[3] = {m->ancount, m->nscount, m->arcount};
	for (int sec = 0; sec < 3 && !e; sec++) {
		for (uint32_t i = 0; i < counts[sec] && !e; i++) {
			struct dns_rr tmp, *rr = m->n_rrs < DNS_MAX_RRS ? &m->rrs[m->n_rrs] : &tmp;
			memset(rr, 0, sizeof(*rr));
			e = read_name(r, &off, &rr->name);
			if (e)
				break;
			if (!rd_has(r, off, 10)) {
				e = DNS_ERR_RR_TRUNC;
				break;
			}
			rr->section = (uint8_t)sec;
			rr->type = rd_be16(r, off);
			rr->class = rd_be16(r, off + 2);
			rr->ttl = rd_be32(r, off + 4);
			rr->rdlength = rd_be16(r, off + 8);
			off += 10;
			if (!rd_has(r, off, rr->rdlength)) {
				e = DNS_ERR_RR_TRUNC;
				break;
			}
			rr->raw_len = rr->rdlength < DNS_MAX_RDATA ? rr->rdlength : DNS_MAX_RDATA;
			rd_copy(r, off, rr->raw, rr->raw_len);
			e = rdata_text(r, off, rr->rdlength, rr);
			off += rr->rdlength;
			if (e)
				break;
			if (rr == &tmp)
				m->truncated = true;
			else
				m->n_rrs++;
		}
	}
	m->err = e;
	return e ? -1 : 0;
}
