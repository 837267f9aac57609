/*
 * kw_dns — DNS transaction keywords, as Suricata 8 defines them:
 *   dns.opcode:[!]N   the header's opcode (requests and responses)
 *   dns.rcode:[!]N    the header's rcode (requests and responses)
 *   dns.rrtype:[!]N   the type of a question (any of them)
 * each with Suricata's number forms (N, <N, >N, N-M ...). Without a flow
 * direction a rule checks both the query and the response.
 */
#include <stdlib.h>

#include "app/applayer.h"
#include "app/dns.h"
#include "detect/keyword.h"
#include "detect/uintcmp.h"

static uint8_t dns_level(int rdir)
{
	return rdir == 1 ? 2 : 1;
}

static int setup_dns_num(struct rule_ctx *rc, const char *v, uint64_t max, uint16_t kw)
{
	int rcode = rule_ctx_bind_app(rc, ALPROTO_DNS);
	if (rcode)
		return rcode;
	struct ucmp *c = calloc(1, sizeof(*c));
	if (!c)
		return kw_fail(rc, KW_ERR, "out of memory");
	if (ucmp_parse(v, max, c) < 0) {
		free(c);
		return kw_fail(rc, KW_ERR, "a number up to %llu expected, got '%s'",
			       (unsigned long long)max, v);
	}
	return rule_ctx_add_pkt_sm(rc, kw, c);
}

static bool match_opcode(const struct app_tx *tx, int dir, const void *ctx)
{
	const struct dns_msg *m = tx->data;
	(void)dir;
	return ucmp_match(ctx, m->opcode);
}

static bool match_rcode(const struct app_tx *tx, int dir, const void *ctx)
{
	const struct dns_msg *m = tx->data;
	(void)dir;
	return ucmp_match(ctx, m->rcode);
}

static bool match_rrtype(const struct app_tx *tx, int dir, const void *ctx)
{
	const struct dns_msg *m = tx->data;
	(void)dir;
	for (uint32_t i = 0; i < m->n_queries; i++)
		if (ucmp_match(ctx, m->queries[i].type))
			return true;
	return false;
}

static int setup_opcode(struct rule_ctx *rc, const char *v)
{
	return setup_dns_num(rc, v, 15, KW_dns_opcode);
}

static int setup_rcode(struct rule_ctx *rc, const char *v)
{
	return setup_dns_num(rc, v, 15, KW_dns_rcode);
}

static int setup_rrtype(struct rule_ctx *rc, const char *v)
{
	return setup_dns_num(rc, v, 65535, KW_dns_rrtype);
}

const struct kw_def kw_dns_opcode = {"dns.opcode", KWF_VALUE, setup_opcode, free, NULL, NULL,
				     ALPROTO_DNS, dns_level, match_opcode};
const struct kw_def kw_dns_rcode = {"dns.rcode", KWF_VALUE, setup_rcode, free, NULL, NULL,
				    ALPROTO_DNS, dns_level, match_rcode};
const struct kw_def kw_dns_rrtype = {"dns.rrtype", KWF_VALUE, setup_rrtype, free, NULL, NULL,
				     ALPROTO_DNS, dns_level, match_rrtype};
