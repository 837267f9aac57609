/*
 * community — Community ID v1 flow hashing
 * (https://github.com/corelight/community-id-spec):
 *
 *   sha1( seed:2 | saddr | daddr | proto:1 | pad:1 | sport:2 | dport:2 )
 *
 * all in network order, with the endpoints ordered so both directions give
 * the same id (the lower address, then the lower port, first). ICMP types
 * stand in for ports; request/reply types map to their counterpart, and
 * types without one are "one-way" and keep their order. The result is
 * "1:" + base64 of the digest.
 */
#include "flow/flow.h"

#include "core/digest.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* ICMP type -> counterpart type, or -1 when the message is one-way. */
static int icmp4_counterpart(uint8_t type)
{
	switch (type) {
	case 8: return 0;
	case 0: return 8;
	case 13: return 14;
	case 14: return 13;
	case 15: return 16;
	case 16: return 15;
	case 10: return 9;
	case 9: return 10;
	case 17: return 18;
	case 18: return 17;
	default: return -1;
	}
}

static int icmp6_counterpart(uint8_t type)
{
	switch (type) {
	case 128: return 129;
	case 129: return 128;
	case 133: return 134;
	case 134: return 133;
	case 135: return 136;
	case 136: return 135;
	case 130: return 131;
	case 131: return 130;
	case 139: return 140;
	case 140: return 139;
	case 144: return 145;
	case 145: return 144;
	default: return -1;
	}
}

struct community_ctx {
	EVP_MD_CTX *md;
	bool ready; /* initialised once with SHA-1; later inits reuse it */
};

struct community_ctx *community_ctx_new(void)
{
	struct community_ctx *cc = malloc(sizeof(*cc));
	if (!cc)
		return NULL;
	cc->md = EVP_MD_CTX_new();
	cc->ready = false;
	if (!cc->md || !digest_md(DIGEST_SHA1)) {
		EVP_MD_CTX_free(cc->md);
		free(cc);
		return NULL;
	}
	return cc;
}

void community_ctx_free(struct community_ctx *cc)
{
	if (!cc)
		return;
	EVP_MD_CTX_free(cc->md);
	free(cc);
}

int community_id_v1(struct community_ctx *cc, const uint8_t *saddr, const uint8_t *daddr,
		    unsigned alen, uint8_t proto, uint16_t sport, uint16_t dport, uint16_t seed,
		    char *out, unsigned outlen)
{
	uint8_t buf[2 + 16 + 16 + 4 + 4];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	bool ports = proto == 6 || proto == 17 || proto == 132 || proto == 1 || proto == 58;
	bool one_way = false;
	size_t n = 0;

	if (proto == 1 || proto == 58) {
		/* sport is the type, dport the code. */
		int cp = proto == 1 ? icmp4_counterpart((uint8_t)sport)
				    : icmp6_counterpart((uint8_t)sport);
		if (cp < 0)
			one_way = true;
		else
			dport = (uint16_t)cp;
	}
	int c = memcmp(saddr, daddr, alen);
	if (!one_way && !(c < 0 || (c == 0 && sport < dport))) {
		const uint8_t *t = saddr;
		saddr = daddr;
		daddr = t;
		uint16_t tp = sport;
		sport = dport;
		dport = tp;
	}
	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, saddr, alen);
	n += alen;
	memcpy(buf + n, daddr, alen);
	n += alen;
	buf[n++] = proto;
	buf[n++] = 0;
	if (ports) {
		buf[n++] = (uint8_t)(sport >> 8);
		buf[n++] = (uint8_t)sport;
		buf[n++] = (uint8_t)(dport >> 8);
		buf[n++] = (uint8_t)dport;
	}
	if (outlen < 32)
		return -1;
	if (cc) {
		/* The caller's context, reused: no allocation or lookup per flow. */
		if (!EVP_DigestInit_ex2(cc->md, cc->ready ? NULL : digest_md(DIGEST_SHA1), NULL) ||
		    !EVP_DigestUpdate(cc->md, buf, n) || !EVP_DigestFinal_ex(cc->md, md, &mdlen))
			return -1;
		cc->ready = true;
	} else {
		mdlen = digest_once(DIGEST_SHA1, buf, n, md);
		if (!mdlen)
			return -1;
	}
	memcpy(out, "1:", 2);
	EVP_EncodeBlock((unsigned char *)out + 2, md, (int)mdlen);
	return 0;
}

void flow_community_id(struct community_ctx *cc, const struct flow *f, uint16_t seed, char *out,
		       unsigned outlen)
{
	unsigned alen = f->ip_ver == 6 ? 16 : 4;
	uint16_t sp = f->sp, dp = f->dp;

	if (f->proto == 1 || f->proto == 58) {
		/* The initiator's first message decides (its type and code). */
		int d = f->pkts[0] ? 0 : 1;
		sp = f->icmp_type[d];
		dp = f->icmp_code[d];
		if (d == 1) {
			/* Only replies were seen: hash from the replier's side. */
			if (community_id_v1(cc, f->dst.a, f->src.a, alen, f->proto, sp, dp, seed, out,
					    outlen) < 0)
				out[0] = '\0';
			return;
		}
	}
	if (community_id_v1(cc, f->src.a, f->dst.a, alen, f->proto, sp, dp, seed, out, outlen) < 0)
		out[0] = '\0';
}
