/*
 * EVE formatting helpers: address text identical to inet_ntop for IPv4 and
 * for IPv6 (zero-run compression, ties, mapped and compatible addresses),
 * over hand-picked and pseudo-random addresses; protocol names.
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "check.h"
#include "output/eve.h"

static void same_as_ntop(const uint8_t *a, int v)
{
	struct addr ad = {{0}};
	char mine[64], ref[64];
	memcpy(ad.a, a, v == 6 ? 16 : 4);
	eve_addr_str(&ad, v, mine, sizeof(mine));
	inet_ntop(v == 6 ? AF_INET6 : AF_INET, a, ref, sizeof(ref));
	CHECK_STR(mine, ref);
}

int main(void)
{
	static const char *const six[] = {
		"::", "::1", "1::", "2001:db8::1", "2001:db8:0:0:1:0:0:1", "2001:0:0:1:0:0:0:1",
		"fe80::200:86ff:fe05:80da", "::ffff:10.1.2.3", "::10.1.2.3", "::ffff:0:0",
		"1:2:3:4:5:6:7:8", "1:0:3:4:5:6:7:8", "0:0:1::", "ff02::1:ff00:2", "::fffe:1.2.3.4",
		"1:2:3:4:5:6::", "0:1:0:0:0:0:0:0", "64:ff9b::192.0.2.33",
	};
	for (size_t i = 0; i < sizeof(six) / sizeof(six[0]); i++) {
		uint8_t a[16];
		CHECK(inet_pton(AF_INET6, six[i], a) == 1);
		same_as_ntop(a, 6);
	}
	/* Random addresses with many zero groups. */
	srand(7);
	for (int n = 0; n < 20000; n++) {
		uint8_t a[16];
		for (int g = 0; g < 8; g++) {
			int z = rand() % 3 == 0;
			a[2 * g] = z ? 0 : (uint8_t)(rand() % 3 ? rand() : 0);
			a[2 * g + 1] = z ? 0 : (uint8_t)rand();
		}
		if (n % 5 == 0)
			memset(a, 0, 10 + (n % 3));
		same_as_ntop(a, 6);
		same_as_ntop(a, 4);
	}
	char buf[8];
	CHECK_STR(eve_proto_name(6, buf, sizeof(buf)), "TCP");
	CHECK_STR(eve_proto_name(58, buf, sizeof(buf)), "IPv6-ICMP");
	CHECK_STR(eve_proto_name(253, buf, sizeof(buf)), "253");
	return check_report("eve");
}
