/*
 * Community ID v1 against the specification's published baseline
 * (corelight/community-id-spec, baseline/baseline_deflt.json, seed 0):
 * every tuple in both directions must give the listed id.
 */
#include <arpa/inet.h>

#include "check.h"
#include "flow/flow.h"

struct vec {
	uint8_t proto;
	const char *saddr, *daddr;
	int sport, dport; /* ICMP: type and code; -1: no ports */
	const char *id;
};

/* ICMP rows give the type and, for one-way types, the code. */
static const struct vec vecs[] = {
	{58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
	{58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 0, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
	{58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 0, "1:zavyT/cezQr1fmImYCwYnMXbgck="},
	{58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 0, "1:zavyT/cezQr1fmImYCwYnMXbgck="},
	{58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ="},
	{58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, "1:hLZd0XGWojozrvxqE0dWB1iM6R0="},
	{58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 0, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="},
	{58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 0, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="},
	{58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 0, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0="},
	{58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 0, "1:pkvHqCL88/tg1k4cPigmZXUtL00="},
	{1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
	{1, "192.168.0.1", "192.168.0.89", 0, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
	{1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM="},
	{6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
	{6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
	{132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
	{132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
	{6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
	{6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
	{17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
	{17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
	{46, "10.1.12.1", "10.1.12.2", -1, -1, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
	{46, "10.1.12.2", "10.1.12.1", -1, -1, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
};

static void check_vectors(struct community_ctx *cc, const struct vec *v, size_t n, uint16_t seed)
{
	for (size_t i = 0; i < n; i++, v++) {
		uint8_t s[16] = {0}, d[16] = {0};
		unsigned alen = strchr(v->saddr, ':') ? 16 : 4;
		int af = alen == 16 ? AF_INET6 : AF_INET;
		char out[40];
		CHECK(inet_pton(af, v->saddr, s) == 1 && inet_pton(af, v->daddr, d) == 1);
		/* Alternate the caller's context and the one-shot path. */
		CHECK(community_id_v1(i % 2 ? cc : NULL, s, d, alen, v->proto,
				      (uint16_t)(v->sport < 0 ? 0 : v->sport),
				      (uint16_t)(v->dport < 0 ? 0 : v->dport), seed, out, sizeof(out)) == 0);
		CHECK_STR(out, v->id);
	}
}

/* Seed 1 (baseline_seed1.json): TCP, UDP, ICMP echo, ICMPv6 ND, no-port rows. */
static const struct vec seed1[] = {
	{6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
	{17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
	{1, "192.168.0.89", "192.168.0.1", 8, 0, "1:03g6IloqVBdcZlPyX8r0hgoE7kA="},
	{58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0, "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="},
	{46, "10.1.12.2", "10.1.12.1", -1, -1, "1:rYir8gphR31noO9iDRQmF/BteEI="},
};

int main(void)
{
	struct community_ctx *cc = community_ctx_new();
	CHECK(cc != NULL);
	check_vectors(cc, vecs, sizeof(vecs) / sizeof(vecs[0]), 0);
	check_vectors(cc, seed1, sizeof(seed1) / sizeof(seed1[0]), 1);
	community_ctx_free(cc);
	return check_report("community");
}
