/*
 * scenarios_bad — captures that are wrong on purpose: `malformed` (one decoder defect per
 * packet, for the decoders' anomaly events) and the two damaged files bad-truncated and
 * bad-lying-len (for the capture reader). The file-level damage is applied to a clean
 * in-memory capture of the 10-packet small session (scenarios_int.h), so the byte offsets
 * stated below are fixed; each function checks its offset and fails if it ever drifts.
 */
#include "scenarios.h"
#include "scenarios_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- malformed ----------------------------------------------------------------------- */

struct bad_ctx {
	struct pcapw w;
	struct pcapw_host a, b; /* 10.0.9.1:40000 -> 10.0.9.2:80 */
	struct pcapw_host a6, b6;
	uint64_t t;
	uint8_t buf[2048];
	struct pcapw_pkt p;
};

/* Start a packet: Ethernet + IPv4 (or IPv6) a -> b; returns the IP header offset. */
static int bad_begin(struct bad_ctx *x, int family)
{
	pcapw_pkt_init(&x->p, x->buf, sizeof(x->buf));
	if (family == 6)
		return pcapw_add_hdrs(&x->p, &(struct pcapw_link){.linktype = PCAPW_LINK_ETHERNET},
				      &x->a6, &x->b6);
	return pcapw_add_hdrs(&x->p, &(struct pcapw_link){.linktype = PCAPW_LINK_ETHERNET}, &x->a,
			      &x->b);
}

/* A UDP datagram a:40000 -> b:40001 carrying "defect" bytes. */
static void bad_udp(struct bad_ctx *x, bool no_csum)
{
	pcapw_add_udp(&x->p,
		      &(struct pcapw_udp){.sport = 40000, .dport = 40001, .no_csum = no_csum});
	pcapw_add_raw(&x->p, PCAPW_NEXT_KEEP, "defect", 6);
}

/* A TCP header whose sequence number differs per packet n, so defects do not look related. */
static struct pcapw_tcp bad_tcp_hdr(uint32_t n)
{
	return (struct pcapw_tcp){.sport = 40000,
				  .dport = 80,
				  .seq = 1000 * n,
				  .ack = 2000,
				  .flags = PCAPW_TH_ACK | PCAPW_TH_PSH,
				  .win = 502};
}

static int bad_finish(struct bad_ctx *x)
{
	return pcapw_pkt_finish(&x->p);
}

static void bad_emit(struct bad_ctx *x, uint32_t caplen, uint32_t wirelen)
{
	pcapw_write(&x->w, x->t, x->buf, caplen, wirelen);
	x->t += 10 * SCEN_MS;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * malformed: 17 packets, each with exactly one deliberate defect, 10 ms apart, Ethernet
 * 02:00:00:00:09:01 -> :02, IPv4 10.0.9.1 -> 10.0.9.2 (IPv6 2001:db8:9::1 -> ::2), all other
 * fields and checksums valid unless the defect is the checksum. Packet n carries defect n;
 * the name in brackets is the decoder event a correct analyser raises (events.def):
 *   1  10-byte frame, shorter than an Ethernet header                [ethernet.pkt_too_small]
 *   2  IPv4 header with version 5 (UDP inside)                       [ipv4.wrong_ip_version]
 *   3  IPv4 IHL 4 (16-byte header)                                   [ipv4.hlen_too_small]
 *   4  IPv4 total length 1000, 48 bytes captured and on the wire     [ipv4.trunc_pkt]
 *   5  IPv4 total length 16 < IHL * 4 = 20                   [ipv4.iplen_smaller_than_hlen]
 *   6  IPv4 header checksum wrong (0x1234), UDP inside               [ipv4.checksum_invalid]
 *   7  IPv4 option record-route with length 1 (minimum 2; a parser that advances by the
 *      length must not loop), IHL 6                                  [ipv4.opt_invalid_len]
 *   8  TCP data offset 3 (12-byte header)                            [tcp.hlen_too_small]
 *   9  TCP header truncated: IPv4 protocol 6, only 12 bytes follow   [tcp.pkt_too_small]
 *   10 TCP data offset 6 with a timestamps option of length 10 in the 4 option bytes
 *                                                                    [tcp.opt_invalid_len]
 *   11 UDP length 500, 14 bytes present (checksum 0: not computed)   [udp.pkt_too_small]
 *   12 UDP length 4 < 8, 14 bytes present (checksum 0)               [udp.len_invalid]
 *   13 ICMP message of 4 bytes (type 8, code 0, valid checksum)      [icmpv4.pkt_too_small]
 *   14 IPv6 payload length 1000, 14 bytes of UDP present             [ipv6.trunc_pkt]
 *   15 IPv6 hop-by-hop header claiming 16 bytes (length 1), payload length 8: truncated
 *                                                                    [ipv6.trunc_exthdr]
 *   16 ethertype 0x8100 followed by only 2 bytes                     [vlan.header_too_small]
 *   17 a valid IPv4 TCP packet with 100 payload bytes (154 on the wire) stored with caplen 44:
 *      snaplen truncation inside the TCP header. Not malformed: the analyser must notice
 *      caplen < wirelen, never read past caplen, and count the packet as truncated.
 * No flow carries reassemblable data. tshark counts 1 TCP conversation (packet 10) and 2 UDP
 * ones (packets 4, 6, 7 and 11 share 10.0.9.1:40000 -> 10.0.9.2:40001; packet 14 over IPv6).
 */
int scenarios_bad_malformed(const char *out_path)
{
	struct bad_ctx *x = calloc(1, sizeof(*x));
	int ip, l4, n, r;

	if (!x)
		return -ENOMEM;
	r = pcapw_open(&x->w, out_path, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, 0);
	if (r < 0) {
		free(x);
		return r;
	}
	x->t = SCEN_T0;
	pcapw_host_set(&x->a, "10.0.9.1", "02:00:00:00:09:01", 40000);
	pcapw_host_set(&x->b, "10.0.9.2", "02:00:00:00:09:02", 80);
	pcapw_host_set(&x->a6, "2001:db8:9::1", "02:00:00:00:09:01", 40000);
	pcapw_host_set(&x->b6, "2001:db8:9::2", "02:00:00:00:09:02", 80);

	/* 1: runt frame */
	bad_begin(x, 4);
	n = bad_finish(x);
	bad_emit(x, 10, 10);

	/* 2: version 5 */
	ip = bad_begin(x, 4);
	bad_udp(x, false);
	n = bad_finish(x);
	x->buf[ip] = 0x55;
	pcapw_ipv4_fix_csum(x->buf + ip);
	bad_emit(x, (uint32_t)n, (uint32_t)n);

	/* 3: IHL 4 (the checksum still covers the 20 bytes actually written) */
	ip = bad_begin(x, 4);
	bad_udp(x, false);
	n = bad_finish(x);
	x->buf[ip] = 0x44;
	bad_emit(x, (uint32_t)n, (uint32_t)n);

	/* 4: total length beyond the frame */
	ip = bad_begin(x, 4);
	bad_udp(x, false);
	n = bad_finish(x);
	put16(x->buf + ip + 2, 1000);
	pcapw_ipv4_fix_csum(x->buf + ip);
	bad_emit(x, (uint32_t)n, (uint32_t)n);

	/* 5: total length shorter than the header */
	ip = bad_begin(x, 4);
	bad_udp(x, false);
	n = bad_finish(x);
	put16(x->buf + ip + 2, 16);
	pcapw_ipv4_fix_csum(x->buf + ip);
	bad_emit(x, (uint32_t)n, (uint32_t)n);

	/* 6: bad header checksum */
	{
		struct pcapw_ipv4 h = {
		    .ttl = 64, .id = 6, .src = {10, 0, 9, 1}, .dst = {10, 0, 9, 2}};

		h.bad_csum = true;
		pcapw_pkt_init(&x->p, x->buf, sizeof(x->buf));
		pcapw_add_eth(&x->p, x->b.mac, x->a.mac, 0);
		pcapw_add_ipv4(&x->p, &h);
		bad_udp(x, false);
		n = bad_finish(x);
		bad_emit(x, (uint32_t)n, (uint32_t)n);
	}

	/* 7: option with invalid length */
	{
		static const uint8_t rr[4] = {7, 1, 0, 0};
		struct pcapw_ipv4 h = {.ttl = 64,
				       .id = 7,
				       .src = {10, 0, 9, 1},
				       .dst = {10, 0, 9, 2},
				       .opts = rr,
				       .optlen = sizeof(rr)};

		pcapw_pkt_init(&x->p, x->buf, sizeof(x->buf));
		pcapw_add_eth(&x->p, x->b.mac, x->a.mac, 0);
		pcapw_add_ipv4(&x->p, &h);
		bad_udp(x, false);
		n = bad_finish(x);
		bad_emit(x, (uint32_t)n, (uint32_t)n);
	}

	/* 8: TCP data offset 3; patched before finish so the checksum covers it */
	{
		struct pcapw_tcp t = bad_tcp_hdr(8);

		bad_begin(x, 4);
		l4 = pcapw_add_tcp(&x->p, &t);
		if (l4 >= 0)
			x->buf[l4 + 12] = 0x30;
		pcapw_add_raw(&x->p, PCAPW_NEXT_KEEP, "defect", 6);
		n = bad_finish(x);
		bad_emit(x, (uint32_t)n, (uint32_t)n);
	}

	/* 9: 12 bytes of TCP header */
	{
		uint8_t th[12] = {0x9c, 0x40, 0x00, 0x50, 0, 0, 0x23, 0x28, 0, 0, 0x07, 0xd0};

		bad_begin(x, 4);
		pcapw_add_raw(&x->p, 6, th, sizeof(th));
		n = bad_finish(x);
		bad_emit(x, (uint32_t)n, (uint32_t)n);
	}

	/* 10: option running past the header */
	{
		static const uint8_t ts[4] = {8, 10, 0, 0};
		struct pcapw_tcp t = bad_tcp_hdr(10);

		t.raw_opts = ts;
		t.raw_optlen = sizeof(ts);
		bad_begin(x, 4);
		pcapw_add_tcp(&x->p, &t);
		pcapw_add_raw(&x->p, PCAPW_NEXT_KEEP, "defect", 6);
		n = bad_finish(x);
		bad_emit(x, (uint32_t)n, (uint32_t)n);
	}

	/* 11, 12: UDP length too large, too small (no checksum, so only the length lies) */
	for (int i = 0; i < 2; i++) {
		bad_begin(x, 4);
		l4 = pcapw_pkt_find(&x->p, PCAPW_L_IPV4) + 20;
		bad_udp(x, true);
		n = bad_finish(x);
		put16(x->buf + l4 + 4, i == 0 ? 500 : 4);
		bad_emit(x, (uint32_t)n, (uint32_t)n);
	}

	/* 13: 4-byte ICMP */
	{
		uint8_t ic[4] = {8, 0, 0, 0};
		uint16_t c = pcapw_csum(ic, 4, 0);

		put16(ic + 2, c);
		bad_begin(x, 4);
		pcapw_add_raw(&x->p, 1, ic, sizeof(ic));
		n = bad_finish(x);
		bad_emit(x, (uint32_t)n, (uint32_t)n);
	}

	/* 14: IPv6 payload length beyond the frame */
	ip = bad_begin(x, 6);
	bad_udp(x, false);
	n = bad_finish(x);
	put16(x->buf + ip + 4, 1000);
	bad_emit(x, (uint32_t)n, (uint32_t)n);

	/* 15: truncated hop-by-hop header */
	{
		uint8_t hbh[8] = {17, 1, 1, 4, 0, 0, 0, 0};

		bad_begin(x, 6);
		pcapw_add_raw(&x->p, 0, hbh, sizeof(hbh));
		n = bad_finish(x);
		bad_emit(x, (uint32_t)n, (uint32_t)n);
	}

	/* 16: VLAN tag cut after the TCI */
	pcapw_pkt_init(&x->p, x->buf, sizeof(x->buf));
	pcapw_add_eth(&x->p, x->b.mac, x->a.mac, 0x8100);
	pcapw_add_raw(&x->p, PCAPW_NEXT_KEEP, "\x00\x0a", 2);
	n = bad_finish(x);
	bad_emit(x, (uint32_t)n, (uint32_t)n);

	/* 17: snaplen truncation inside the TCP header */
	{
		struct pcapw_tcp t = bad_tcp_hdr(17);
		uint8_t data[100];

		scen_alpha(data, sizeof(data), 'a');
		bad_begin(x, 4);
		pcapw_add_tcp(&x->p, &t);
		pcapw_add_raw(&x->p, PCAPW_NEXT_KEEP, data, sizeof(data));
		n = bad_finish(x);
		bad_emit(x, 44, (uint32_t)n);
	}

	r = x->p.err;
	n = pcapw_close(&x->w);
	free(x);
	return n < 0 ? n : r;
}

/* ---- damaged files ------------------------------------------------------------------- */

/* The small session as a complete in-memory pcap (Ethernet). Free *buf with free(). */
static int small_capture(char **buf, size_t *len)
{
	struct pcapw_link lk = {.linktype = PCAPW_LINK_ETHERNET};
	FILE *fp = open_memstream(buf, len);
	struct pcapw w;
	int r, s;

	if (!fp)
		return -ENOMEM;
	r = pcapw_open_stream(&w, fp, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, 0);
	if (r < 0) {
		fclose(fp);
		free(*buf);
		return r;
	}
	s = scenarios_tcp_small(&w, &lk, SCEN_T0);
	r = pcapw_close(&w);
	if (fclose(fp) != 0 && r == 0)
		r = -EIO;
	if (r == 0)
		r = s;
	if (r < 0)
		free(*buf);
	return r;
}

static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Offset of record n (from 1) in a capture, or 0 if there are fewer records. */
static size_t record_off(const uint8_t *cap, size_t len, unsigned n)
{
	size_t off = 24;

	while (--n > 0) {
		if (off + 16 > len)
			return 0;
		off += 16 + get32le(cap + off + 8);
	}
	return off + 16 <= len ? off : 0;
}

#define TRUNCATED_OFFSET 904 /* see bad-truncated */
#define LYING_OFFSET	 472 /* see bad-lying-len */

/*
 * bad-truncated: the small session's 10 packets (10.0.4.1:50000 -> 10.0.4.2:8080 on
 * Ethernet, 1 TCP flow, 22 bytes each way, clean close; see scenarios_int.h), then an 11th
 * record header at byte offset 904, 1 ms after record 10, claiming caplen = wirelen = 1500,
 * followed by only the first 100 bytes of that 1500-byte frame (a server data segment);
 * the file ends at byte 1020. A reader must deliver the 10 good packets, then report a
 * truncated file (not a crash, not a silent clean end, not a 100- or 1500-byte packet).
 */
int scenarios_bad_truncated(const char *out_path)
{
	struct pcapw_link lk = {.linktype = PCAPW_LINK_ETHERNET};
	uint8_t hdr[16], frame[1500], data[1446];
	struct pcapw_host cli, srv;
	struct pcapw_pkt p;
	struct pcapw w;
	char *cap = NULL;
	size_t len = 0, last;
	uint32_t sec, usec;
	int r = small_capture(&cap, &len);

	if (r < 0)
		return r;
	last = record_off((uint8_t *)cap, len, 10);
	if (len != TRUNCATED_OFFSET || last == 0) {
		free(cap);
		return -EPROTO;
	}
	sec = get32le((uint8_t *)cap + last);
	usec = get32le((uint8_t *)cap + last + 4) + 1000;
	put32le(hdr, sec + usec / 1000000);
	put32le(hdr + 4, usec % 1000000);
	put32le(hdr + 8, 1500);
	put32le(hdr + 12, 1500);
	pcapw_host_set(&cli, "10.0.4.1", "02:00:00:00:04:01", 50000);
	pcapw_host_set(&srv, "10.0.4.2", "02:00:00:00:04:02", 8080);
	scen_alpha(data, sizeof(data), 'A');
	pcapw_pkt_init(&p, frame, sizeof(frame));
	pcapw_add_hdrs(&p, &lk, &srv, &cli);
	pcapw_add_tcp(&p, &(struct pcapw_tcp){.sport = 8080,
					      .dport = 50000,
					      .seq = 0x8f9e0d1cu + 24,
					      .ack = 0x3a1b2c3du + 24,
					      .flags = PCAPW_TH_ACK,
					      .win = 502});
	pcapw_add_raw(&p, PCAPW_NEXT_KEEP, data, sizeof(data));
	r = pcapw_pkt_finish(&p);
	if (r != 1500) {
		free(cap);
		return r < 0 ? r : -EPROTO;
	}
	r = pcapw_open(&w, out_path, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, 0);
	if (r < 0) {
		free(cap);
		return r;
	}
	pcapw_write_raw(&w, cap + 24, len - 24);
	pcapw_write_raw(&w, hdr, sizeof(hdr));
	pcapw_write_raw(&w, frame, 100);
	free(cap);
	return pcapw_close(&w);
}

/*
 * bad-lying-len: the small session's 10 records where record 6 (the server's 22-byte data
 * segment) has its caplen field set to 0x7fffffff; its header starts at byte offset 472 (the
 * caplen field at 480), its real 88 bytes and records 7-10 follow unchanged. A reader must
 * deliver records 1-5, then refuse record 6 (caplen above snaplen and above any sane
 * maximum) without allocating or reading 2 GiB, and stop with an error.
 */
int scenarios_bad_lying_len(const char *out_path)
{
	struct pcapw w;
	char *cap = NULL;
	size_t len = 0, off;
	int r = small_capture(&cap, &len);

	if (r < 0)
		return r;
	off = record_off((uint8_t *)cap, len, 6);
	if (off != LYING_OFFSET) {
		free(cap);
		return -EPROTO;
	}
	cap[off + 8] = (char)0xff;
	cap[off + 9] = (char)0xff;
	cap[off + 10] = (char)0xff;
	cap[off + 11] = 0x7f;
	r = pcapw_open(&w, out_path, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, 0);
	if (r < 0) {
		free(cap);
		return r;
	}
	pcapw_write_raw(&w, cap + 24, len - 24);
	free(cap);
	return pcapw_close(&w);
}
