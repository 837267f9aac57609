/*
 * fuzz_dns — the DNS message parser on arbitrary bytes; every parsed name and
 * rdata text is read back so ASan checks their bounds and termination.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_msg m;
	if (size > 65535)
		return 0;
	/* an exact-size copy, so a read past the message is caught */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	dns_parse(buf, (uint32_t)size, &m);
	volatile size_t x = 0;
	for (int i = 0; i < m.n_queries; i++)
		x += strlen(m.queries[i].name.s);
	for (int i = 0; i < m.n_rrs; i++)
		x += strlen(m.rrs[i].name.s) + strlen(m.rrs[i].text) + m.rrs[i].raw_len;
	(void)x;
	free(buf);
	return 0;
}
