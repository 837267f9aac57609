/*
 * eve_dns — the `dns` object of EVE records and alerts, in Suricata 8's
 * format version 3: one record per message, "type" request or response,
 * header fields (id, flags as hex, qr/aa/tc/rd/ra written only when set,
 * opcode, rcode), "queries", and for responses "answers", "authorities",
 * "additionals" with type-specific rdata (soa{}, srv{}, sshfp{} objects,
 * the name for MX), and "grouped" answer data by type.
 */
#include <stdio.h>
#include <string.h>

#include "app/dns.h"
#include "output/eve.h"

static void put_type(struct jbuf *jb, const char *key, uint16_t type)
{
	const char *n = dns_type_name(type);
	char num[8];
	if (!n) {
		snprintf(num, sizeof(num), "%u", type);
		n = num;
	}
	jb_str_plain(jb, key, n);
}

/* The rdata text that Suricata writes as "rdata" for this record, or NULL
 * when the type has an object (SOA, SRV, SSHFP) or nothing (OPT). */
static const char *rdata_text(const struct dns_rr *rr)
{
	if (!rr->has_text)
		return NULL;
	switch (rr->type) {
	case DNS_SOA:
	case DNS_SRV:
		return NULL;
	case DNS_MX: {
		const char *s = strchr(rr->text, ' ');
		return s ? s + 1 : rr->text;
	}
	default:
		return rr->text;
	}
}

static void put_rr(struct jbuf *jb, const struct dns_rr *rr)
{
	jb_open(jb, NULL);
	jb_strn(jb, "rrname", (const uint8_t *)rr->name.s, rr->name.len);
	put_type(jb, "rrtype", rr->type);
	jb_u64(jb, "ttl", rr->ttl);
	const char *t = rdata_text(rr);
	if (t) {
		jb_str(jb, "rdata", t);
	} else if (rr->type == DNS_SOA && rr->has_text) {
		jb_open(jb, "soa");
		jb_strn(jb, "mname", (const uint8_t *)rr->text, rr->soa_mlen);
		jb_strn(jb, "rname", (const uint8_t *)rr->text + rr->soa_mlen + 1, rr->soa_rlen);
		static const char *const k[5] = {"serial", "refresh", "retry", "expire", "minimum"};
		for (int i = 0; i < 5; i++)
			jb_u64(jb, k[i], rr->soa[i]);
		jb_close(jb);
	} else if (rr->type == DNS_SRV && rr->has_text) {
		unsigned pr = 0, w = 0, port = 0;
		int n = 0;
		if (sscanf(rr->text, "%u %u %u %n", &pr, &w, &port, &n) == 3) {
			jb_open(jb, "srv");
			jb_u64(jb, "priority", pr);
			jb_u64(jb, "weight", w);
			jb_u64(jb, "port", port);
			jb_str(jb, "name", rr->text + n);
			jb_close(jb);
		}
	} else if (rr->type == 44 && rr->raw_len >= 2) { /* SSHFP */
		char fp[3 * DNS_MAX_RDATA + 1];
		size_t k = 0;
		for (uint16_t i = 2; i < rr->raw_len; i++)
			k += (size_t)snprintf(fp + k, sizeof(fp) - k, i > 2 ? ":%02x" : "%02x",
					      rr->raw[i]);
		fp[k] = '\0';
		jb_open(jb, "sshfp");
		jb_str_plain(jb, "fingerprint", fp);
		jb_u64(jb, "algo", rr->raw[0]);
		jb_u64(jb, "type", rr->raw[1]);
		jb_close(jb);
	} else if (rr->type != DNS_OPT && rr->raw_len) {
		/* other types: the bytes, those above 0x7f as \xNN text (as Suricata) */
		char raw[4 * DNS_MAX_RDATA + 1];
		size_t k = 0;
		for (uint16_t i = 0; i < rr->raw_len; i++) {
			if (rr->raw[i] < 0x80)
				raw[k++] = (char)rr->raw[i];
			else
				k += (size_t)snprintf(raw + k, sizeof(raw) - k, "\\x%02x", rr->raw[i]);
		}
		jb_strn(jb, "rdata", (const uint8_t *)raw, k);
	}
	jb_close(jb);
}

static void put_section(struct jbuf *jb, const struct dns_msg *m, int sec, const char *key)
{
	bool any = false;
	for (uint32_t i = 0; i < m->n_rrs; i++) {
		if (m->rrs[i].section != sec)
			continue;
		if (!any)
			jb_open_array(jb, key);
		any = true;
		put_rr(jb, &m->rrs[i]);
	}
	if (any)
		jb_close_array(jb);
}

/* "grouped": answer rdata by type, types in first-seen order */
static void put_grouped(struct jbuf *jb, const struct dns_msg *m)
{
	bool open = false;
	for (uint32_t i = 0; i < m->n_rrs; i++) {
		const struct dns_rr *ri = &m->rrs[i];
		if (ri->section != DNS_SEC_ANSWER || !rdata_text(ri))
			continue;
		bool seen = false;
		for (uint32_t k = 0; k < i && !seen; k++)
			seen = m->rrs[k].section == DNS_SEC_ANSWER && m->rrs[k].type == ri->type &&
			       rdata_text(&m->rrs[k]);
		if (seen)
			continue;
		if (!open)
			jb_open(jb, "grouped");
		open = true;
		const char *n = dns_type_name(ri->type);
		char num[8];
		if (!n) {
			snprintf(num, sizeof(num), "%u", ri->type);
			n = num;
		}
		jb_open_array(jb, n);
		for (uint32_t k = i; k < m->n_rrs; k++)
			if (m->rrs[k].section == DNS_SEC_ANSWER && m->rrs[k].type == ri->type &&
			    rdata_text(&m->rrs[k]))
				jb_str(jb, NULL, rdata_text(&m->rrs[k]));
		jb_close_array(jb);
	}
	if (open)
		jb_close(jb);
}

void eve_put_dns(struct jbuf *jb, const void *msg, uint64_t tx_id)
{
	const struct dns_msg *m = msg;
	char fl[8];
	jb_open(jb, "dns");
	jb_u64(jb, "version", 3);
	jb_str_plain(jb, "type", m->response ? "response" : "request");
	jb_u64(jb, "tx_id", tx_id);
	jb_u64(jb, "id", m->id);
	snprintf(fl, sizeof(fl), "%04x", m->flags);
	jb_str_plain(jb, "flags", fl);
	if (m->response)
		jb_bool(jb, "qr", true);
	if (m->aa)
		jb_bool(jb, "aa", true);
	if (m->tc)
		jb_bool(jb, "tc", true);
	if (m->rd)
		jb_bool(jb, "rd", true);
	if (m->ra)
		jb_bool(jb, "ra", true);
	if (m->flags & 0x0040)
		jb_bool(jb, "z", true);
	jb_u64(jb, "opcode", m->opcode);
	const char *rc = dns_rcode_name(m->rcode);
	if (rc)
		jb_str_plain(jb, "rcode", rc);
	else
		jb_u64(jb, "rcode", m->rcode);
	if (m->n_queries) {
		jb_open_array(jb, "queries");
		for (uint32_t i = 0; i < m->n_queries; i++) {
			jb_open(jb, NULL);
			jb_strn(jb, "rrname", (const uint8_t *)m->queries[i].name.s,
				m->queries[i].name.len);
			put_type(jb, "rrtype", m->queries[i].type);
			jb_close(jb);
		}
		jb_close_array(jb);
	}
	if (m->response) {
		put_section(jb, m, DNS_SEC_ANSWER, "answers");
		put_section(jb, m, DNS_SEC_AUTHORITY, "authorities");
		put_section(jb, m, DNS_SEC_ADDITIONAL, "additionals");
		put_grouped(jb, m);
	}
	jb_close(jb);
}
