/*
 * test_dns — the DNS message parser: a query, a response using compression
 * (RFC 1035 §4.1.4) with A, AAAA, CNAME, MX, TXT, SOA, SRV and an unknown
 * type, a compression loop, a forward pointer chain, truncation at every
 * length, and the caps.
 */
#include <stdlib.h>
#include <string.h>

#include "app/dns.h"
#include "check.h"

/* www.example.com A? id 0x1234, RD */
static const uint8_t query[] = {
    0x12, 0x34, 0x01, 0x00, 0,	 1,   0,   0, 0,   0,	0,   0, 3, 'w', 'w', 'w', 7,
    'e',  'x',	'a',  'm',  'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1,	0,   1,
};

static size_t build_response(uint8_t *b)
{
	size_t n = 0;
	const uint8_t hdr[] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 8, 0, 0, 0, 0};
	memcpy(b, hdr, sizeof(hdr));
	n = sizeof(hdr);
	memcpy(b + n, query + 12, sizeof(query) - 12); /* the question; name at offset 12 */
	n += sizeof(query) - 12;
#define RR(type, rdlen)                                                                            \
	do {                                                                                       \
		b[n++] = 0xc0;                                                                     \
		b[n++] = 12; /* -> www.example.com */                                              \
		b[n++] = 0;                                                                        \
		b[n++] = type;                                                                     \
		b[n++] = 0;                                                                        \
		b[n++] = 1;                                                                        \
		b[n++] = 0;                                                                        \
		b[n++] = 0;                                                                        \
		b[n++] = 0x0e;                                                                     \
		b[n++] = 0x10; /* ttl 3600 */                                                      \
		b[n++] = 0;                                                                        \
		b[n++] = rdlen;                                                                    \
	} while (0)
	RR(1, 4); /* A 93.184.216.34 */
	b[n++] = 93;
	b[n++] = 184;
	b[n++] = 216;
	b[n++] = 34;
	RR(28, 16); /* AAAA 2001:db8::1 */
	memset(b + n, 0, 16);
	b[n] = 0x20;
	b[n + 1] = 0x01;
	b[n + 2] = 0x0d;
	b[n + 3] = 0xb8;
	b[n + 15] = 1;
	n += 16;
	RR(5, 6); /* CNAME cdn.<example.com>: label + pointer to offset 16 */
	b[n++] = 3;
	b[n++] = 'c';
	b[n++] = 'd';
	b[n++] = 'n';
	b[n++] = 0xc0;
	b[n++] = 16;
	RR(15, 4); /* MX 10 <example.com> */
	b[n++] = 0;
	b[n++] = 10;
	b[n++] = 0xc0;
	b[n++] = 16;
	RR(16, 9); /* TXT "abc" "defg" */
	b[n++] = 3;
	memcpy(b + n, "abc", 3);
	n += 3;
	b[n++] = 4;
	memcpy(b + n, "defg", 4);
	n += 4;
	RR(6, 24); /* SOA <example.com> <example.com> 1 2 3 4 5 */
	b[n++] = 0xc0;
	b[n++] = 16;
	b[n++] = 0xc0;
	b[n++] = 16;
	for (int i = 1; i <= 5; i++) {
		b[n++] = 0;
		b[n++] = 0;
		b[n++] = 0;
		b[n++] = (uint8_t)i;
	}
	RR(33, 8); /* SRV 1 2 443 <example.com> */
	b[n++] = 0;
	b[n++] = 1;
	b[n++] = 0;
	b[n++] = 2;
	b[n++] = 0x01;
	b[n++] = 0xbb;
	b[n++] = 0xc0;
	b[n++] = 16;
	RR(99 + 150, 3); /* an unknown type (249) kept as raw */
	b[n++] = 1;
	b[n++] = 2;
	b[n++] = 3;
	return n;
}

int main(void)
{
	struct dns_msg *m = malloc(sizeof(*m));
	uint8_t b[512];
	if (!m)
		return 1;

	CHECK_EQ(dns_parse(query, sizeof(query), m), 0);
	CHECK_EQ(m->id, 0x1234);
	CHECK(!m->response && m->rd);
	CHECK_EQ(m->n_queries, 1);
	CHECK_STR(m->queries[0].name.s, "www.example.com");
	CHECK_EQ(m->queries[0].type, DNS_A);

	size_t n = build_response(b);
	CHECK_EQ(dns_parse(b, (uint32_t)n, m), 0);
	CHECK(m->response && m->ra);
	CHECK_STR(dns_rcode_name(m->rcode), "NOERROR");
	CHECK_EQ(m->n_rrs, 8);
	CHECK_STR(m->rrs[0].name.s, "www.example.com");
	CHECK_EQ(m->rrs[0].ttl, 3600);
	CHECK_STR(m->rrs[0].text, "93.184.216.34");
	CHECK_STR(m->rrs[1].text, "2001:db8::1");
	CHECK_STR(m->rrs[2].text, "cdn.example.com");
	CHECK_STR(m->rrs[3].text, "10 example.com");
	CHECK_STR(m->rrs[4].text, "abcdefg");
	CHECK_STR(m->rrs[5].text, "example.com example.com 1 2 3 4 5");
	CHECK_STR(m->rrs[6].text, "1 2 443 example.com");
	CHECK(!m->rrs[7].has_text);
	CHECK_EQ(m->rrs[7].raw_len, 3);
	CHECK_STR(dns_type_name(DNS_SRV), "SRV");
	CHECK(dns_type_name(4242) == NULL);

	/* every truncation of the response: an error, never a crash, and what
	 * parsed before the cut is kept */
	for (size_t cut = 0; cut < n; cut++) {
		int rc = dns_parse(b, (uint32_t)cut, m);
		CHECK(rc == -1);
		CHECK(m->err != DNS_OK);
	}

	/* a name pointing to itself: a loop, caught */
	const uint8_t loop[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
	CHECK_EQ(dns_parse(loop, sizeof(loop), m), -1);
	CHECK_EQ(m->err, DNS_ERR_NAME_LOOP);

	/* a label claiming more bytes than there are */
	const uint8_t longlab[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 40, 'a', 'b', 0};
	CHECK_EQ(dns_parse(longlab, sizeof(longlab), m), -1);
	CHECK_EQ(m->err, DNS_ERR_NAME);

	/* A with rdlength 5 */
	n = build_response(b);
	b[12 + 21 + 11] = 5; /* first RR's rdlength low byte */
	CHECK_EQ(dns_parse(b, (uint32_t)n, m), -1);

	/* more questions than the cap: counted as truncated */
	uint8_t many[12 + 20 * 7]; /* 20 questions "a" type A class IN */
	memset(many, 0, sizeof(many));
	many[5] = 20;
	for (int i = 0; i < 20; i++) {
		uint8_t *q = many + 12 + i * 7;
		q[0] = 1;
		q[1] = 'a';
		q[2] = 0;
		q[4] = 1;
		q[6] = 1;
	}
	CHECK_EQ(dns_parse(many, sizeof(many), m), 0);
	CHECK_EQ(m->n_queries, DNS_MAX_QUERIES);
	CHECK(m->truncated);

	free(m);
	return check_report("test_dns");
}
