/*
 * capture — libpcap behind the capture_* interface. For files, the byte
 * offset of a damaged record is reported: classic pcap offsets are summed as
 * records go by (24-byte file header, then 16 bytes + caplen per record, no
 * system call per packet); for pcapng the blocks are walked again after the
 * failure to find the first bad one. Everything before it has been processed.
 */
#include "capture/capture.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#define PCAP_FILE_HDR 24
#define PCAP_REC_HDR  16

/* Peek at the magic number: 0x0A0D0D0A starts a pcapng section. */
static bool is_pcapng_file(const char *path)
{
	uint8_t m[4];
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : NULL;
	bool ng = false;
	if (f) {
		ng = fread(m, 1, 4, f) == 4 && m[0] == 0x0a && m[1] == 0x0d && m[2] == 0x0d &&
		     m[3] == 0x0a;
		fclose(f);
	}
	return ng;
}

static uint32_t get32(const uint8_t *b, bool swap)
{
	uint32_t v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return swap ? __builtin_bswap32(v) : v;
}

/*
 * pcapng: the offset of the first damaged block after `good` packet blocks,
 * or of the block that follows them. -1 when the file cannot be re-read.
 */
static long pcapng_damage_offset(const char *path, uint64_t good)
{
	FILE *f = fopen(path, "rb");
	uint8_t h[12];
	bool swap = false;
	uint64_t seen = 0;
	long off = 0, size;

	if (!f || fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0) {
		if (f)
			fclose(f);
		return -1;
	}
	while (off + 12 <= size) {
		if (fseek(f, off, SEEK_SET) < 0 || fread(h, 1, 12, f) != 12)
			break;
		if (get32(h, false) == 0x0a0d0d0a) /* section header: byte order */
			swap = get32(h + 8, false) != 0x1a2b3c4d;
		uint32_t type = get32(h, swap), len = get32(h + 4, swap);
		if (len < 12 || len % 4 || (long)len > size - off)
			break; /* this block is the damaged one */
		if (seen >= good && (type == 6 || type == 3 || type == 2))
			break; /* the packet block libpcap could not use */
		if (type == 6 || type == 3 || type == 2)
			seen++;
		off += (long)len;
	}
	fclose(f);
	return off;
}

int capture_open_file(struct capture *c, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";

	memset(c, 0, sizeof(*c));
	c->fd = -1;
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
	c->pcapng = is_pcapng_file(path);
	c->offset = c->pcapng || !strcmp(path, "-") ? -1 : PCAP_FILE_HDR;
	return 0;
}

int capture_open_fp(struct capture *c, FILE *fp, const char *name)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->name = name;
	c->is_file = true;
	c->offset = -1;
	c->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!c->pcap) {
		fclose(fp);
		snprintf(c->err, sizeof(c->err), "%s: cannot read capture: %s", name, errbuf);
		return -1;
	}
	c->nano = pcap_get_tstamp_precision(c->pcap) == PCAP_TSTAMP_PRECISION_NANO;
	c->linktype = pcap_datalink(c->pcap);
	c->offset = -1; /* a stream: only the packet count locates damage */
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
	c->fd = -1;
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
	/* Non-blocking reads and our own poll(): the reader wakes at least every
	 * 100 ms for stats and signals, whatever libpcap's timeout does. */
	if (pcap_setnonblock(c->pcap, 1, errbuf) < 0) {
		snprintf(c->err, sizeof(c->err), "%s: %s", iface, errbuf);
		goto fail;
	}
	c->fd = pcap_get_selectable_fd(c->pcap);
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
	long at;

	int rc = pcap_next_ex(c->pcap, &h, &data);
	switch (rc) {
	case 1:
		c->packets++;
		if (c->offset >= 0)
			c->offset += PCAP_REC_HDR + (long)h->caplen;
		fr->ts = (uint64_t)h->ts.tv_sec * 1000000000ull +
			 (uint64_t)h->ts.tv_usec * (c->nano ? 1u : 1000u);
		fr->data = data;
		fr->caplen = h->caplen;
		fr->wirelen = h->len;
		fr->linktype = c->linktype;
		return CAPTURE_OK;
	case 0:
		if (c->fd >= 0) {
			struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
			poll(&pfd, 1, 100);
		}
		return CAPTURE_AGAIN;
	case PCAP_ERROR_BREAK:
		return CAPTURE_EOF;
	default:
		at = c->offset;
		if (c->is_file && c->pcapng && strcmp(c->name, "-") != 0)
			at = pcapng_damage_offset(c->name, c->packets);
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
