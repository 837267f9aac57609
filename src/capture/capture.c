/*
 * capture — libpcap behind the capture_* interface. For files the byte
 * offset of each record is tracked (ftell on libpcap's stream) so that a
 * damaged record can be named precisely; everything before it has been
 * processed by then.
 */
#include "capture/capture.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int capture_open_file(struct capture *c, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";

	memset(c, 0, sizeof(*c));
	c->name = path;
	c->is_file = true;
	c->offset = -1;
	c->pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!c->pcap) {
		snprintf(c->err, sizeof(c->err), "%s: cannot read capture: %s", path, errbuf);
		return -1;
	}
	c->nano = pcap_get_tstamp_precision(c->pcap) == PCAP_TSTAMP_PRECISION_NANO;
	c->linktype = pcap_datalink(c->pcap);
	FILE *f = pcap_file(c->pcap);
	if (f)
		c->offset = ftell(f);
	return 0;
}

int capture_open_live(struct capture *c, const char *iface, const char *bpf, uint32_t snaplen,
		      bool promisc)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;

	memset(c, 0, sizeof(*c));
	c->name = iface;
	c->offset = -1;
	c->pcap = pcap_create(iface, errbuf);
	if (!c->pcap) {
		snprintf(c->err, sizeof(c->err), "%s: %s", iface, errbuf);
		return -1;
	}
	pcap_set_snaplen(c->pcap, (int)snaplen);
	pcap_set_promisc(c->pcap, promisc);
	pcap_set_timeout(c->pcap, 100);
	pcap_set_immediate_mode(c->pcap, 1);
	pcap_set_buffer_size(c->pcap, 64 << 20);
	pcap_set_tstamp_precision(c->pcap, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(c->pcap);
	if (rc < 0) {
		snprintf(c->err, sizeof(c->err), "%s: %s", iface, pcap_geterr(c->pcap));
		goto fail;
	}
	if (bpf && *bpf) {
		if (pcap_compile(c->pcap, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			snprintf(c->err, sizeof(c->err), "--bpf '%s': %s", bpf, pcap_geterr(c->pcap));
			goto fail;
		}
		rc = pcap_setfilter(c->pcap, &prog);
		pcap_freecode(&prog);
		if (rc < 0) {
			snprintf(c->err, sizeof(c->err), "--bpf '%s': %s", bpf, pcap_geterr(c->pcap));
			goto fail;
		}
	}
	c->nano = pcap_get_tstamp_precision(c->pcap) == PCAP_TSTAMP_PRECISION_NANO;
	c->linktype = pcap_datalink(c->pcap);
	return 0;
fail:
	pcap_close(c->pcap);
	c->pcap = NULL;
	return -1;
}

int capture_next(struct capture *c, struct capture_frame *fr)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	long at = c->offset;

	int rc = pcap_next_ex(c->pcap, &h, &data);
	if (c->is_file) {
		FILE *f = pcap_file(c->pcap);
		c->offset = f ? ftell(f) : -1;
	}
	switch (rc) {
	case 1:
		c->packets++;
		fr->ts = (uint64_t)h->ts.tv_sec * 1000000000ull +
			 (uint64_t)h->ts.tv_usec * (c->nano ? 1u : 1000u);
		fr->data = data;
		fr->caplen = h->caplen;
		fr->wirelen = h->len;
		fr->linktype = c->linktype;
		return CAPTURE_OK;
	case 0:
		return CAPTURE_AGAIN;
	case PCAP_ERROR_BREAK:
		return CAPTURE_EOF;
	default:
		if (at >= 0)
			snprintf(c->err, sizeof(c->err),
				 "%s: damaged at byte offset %ld (after %llu packets): %s", c->name,
				 at, (unsigned long long)c->packets, pcap_geterr(c->pcap));
		else
			snprintf(c->err, sizeof(c->err), "%s: damaged after %llu packets: %s",
				 c->name, (unsigned long long)c->packets, pcap_geterr(c->pcap));
		return CAPTURE_ERROR;
	}
}

int capture_stats(struct capture *c, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop)
{
	struct pcap_stat st;
	if (!c->pcap || c->is_file || pcap_stats(c->pcap, &st) < 0)
		return -1;
	*recv = st.ps_recv;
	*drop = st.ps_drop;
	*ifdrop = st.ps_ifdrop;
	return 0;
}

void capture_break(struct capture *c)
{
	if (c->pcap)
		pcap_breakloop(c->pcap);
}

void capture_close(struct capture *c)
{
	if (c->pcap)
		pcap_close(c->pcap);
	c->pcap = NULL;
}
