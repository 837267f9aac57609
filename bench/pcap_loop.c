/*
 * pcap_loop — the physical floor for file input: a bare libpcap loop that
 * reads every packet with pcap_next_ex() and touches one byte of each (so
 * the data is really read), nothing else. `mamori read` is measured against
 * it on the same capture in the same run.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	uint64_t n = 0, bytes = 0;
	unsigned x = 0;

	for (int i = 1; i < argc; i++) {
		pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[i], PCAP_TSTAMP_PRECISION_NANO, err);
		struct pcap_pkthdr *h;
		const u_char *d;
		if (!p) {
			fprintf(stderr, "pcap_loop: %s\n", err);
			return 1;
		}
		while (pcap_next_ex(p, &h, &d) == 1) {
			n++;
			bytes += h->len;
			if (h->caplen)
				x += d[h->caplen - 1];
		}
		pcap_close(p);
	}
	printf("%llu packets %llu bytes (%u)\n", (unsigned long long)n, (unsigned long long)bytes, x & 1);
	return 0;
}
