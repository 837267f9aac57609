/*
 * scenarios — the registration table of named scenarios (one line each, in listing order),
 * and the encapsulation scenarios: IP fragments, VLAN / QinQ, IPv6 extension headers, ICMP,
 * the five link types and the many-flows load file. The TCP scenarios are in
 * scenarios_tcp.c, the demo in scenarios_office.c, broken files in scenarios_bad.c.
 * All timestamps start at 2024-01-15T09:00:00Z; Ethernet unless stated; TTL/hop limit 64.
 */
#include "scenarios.h"
#include "scenarios_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct scenario table[] = {
    {"office", "demo: ~5 min of a small office LAN: DNS, HTTP, TLS, NTP, ping, IPv6, a SYN scan",
     scenarios_office},
    {"tcp-basic", "one clean HTTP/1.1 session: handshake, request, 3-segment response, FIN",
     scenarios_tcp_basic},
    {"tcp-retrans", "retransmitted segments with identical bytes, both directions",
     scenarios_tcp_retrans},
    {"tcp-ooo", "segments captured out of order, both directions", scenarios_tcp_ooo},
    {"tcp-overlap", "a retransmission overlapping earlier data with different bytes",
     scenarios_tcp_overlap},
    {"tcp-gap", "a segment never captured while the receiver ACKs past it", scenarios_tcp_gap},
    {"tcp-seqwrap", "ISN 0xFFFFFF00 both ways, 1 KB each way: sequence wrap-around",
     scenarios_tcp_seqwrap},
    {"tcp-midstream", "data of an established session only: no SYN, no FIN",
     scenarios_tcp_midstream},
    {"tcp-rst", "a session ended by the client's RST", scenarios_tcp_rst},
    {"tcp-split", "request and response cut inside markers, response out of order",
     scenarios_tcp_split},
    {"tcp-badsum", "a segment with a wrong TCP checksum, retransmitted right with other bytes",
     scenarios_tcp_badsum},
    {"tcp-v6", "a clean HTTP-like session over IPv6", scenarios_tcp_v6},
    {"frag-v4",
     "IPv4 fragments of 3000-byte UDP datagrams: in order, reordered, overlap, dup, "
     "incomplete",
     scenarios_frag_v4},
    {"frag-v6", "IPv6 fragment headers, same five datagrams as frag-v4", scenarios_frag_v6},
    {"vlan", "802.1Q VLANs 10 and 20 carrying the same 5-tuples: distinct flows", scenarios_vlan},
    {"qinq", "802.1ad outer + 802.1Q inner tags, same 5-tuples under two outer tags",
     scenarios_qinq},
    {"ipv6-ext", "hop-by-hop + routing + destination options before UDP and TCP",
     scenarios_ipv6_ext},
    {"icmp", "ICMP echo pairs, a port unreachable quoting UDP, ICMPv6 echo, NS/NA", scenarios_icmp},
    {"malformed", "17 packets, each with one deliberate decoder defect", scenarios_bad_malformed},
    {"linktypes-raw", "small TCP session + IPv6 UDP packet, LINKTYPE_RAW (101)",
     scenarios_linktypes_raw},
    {"linktypes-sll", "small TCP session + IPv6 UDP packet, Linux SLL (113)",
     scenarios_linktypes_sll},
    {"linktypes-sll2", "small TCP session + IPv6 UDP packet, Linux SLL2 (276)",
     scenarios_linktypes_sll2},
    {"linktypes-null", "small TCP session + IPv6 UDP packet, BSD NULL (0)",
     scenarios_linktypes_null},
    {"linktypes-loop", "small TCP session + IPv6 UDP packet, OpenBSD LOOP (108)",
     scenarios_linktypes_loop},
    {"pppoe", "linktypes' session and v6 UDP packet inside PPPoE sessions, plus PADI and LCP",
     scenarios_pppoe},
    {"pcap-ns", "tcp-basic in a nanosecond pcap with sub-microsecond timestamps",
     scenarios_tcp_pcap_ns},
    {"many-flows", "20,000 distinct UDP flows, one packet each way", scenarios_many_flows},
    {"store-load", "100,000 DNS lookups, one every 20 ms, each its own flow", scenarios_store_load},
    {"bad-truncated", "10 good records, then a record header claiming 1500 bytes, file ends",
     scenarios_bad_truncated},
    {"bad-lying-len", "record 6's caplen is 0x7fffffff", scenarios_bad_lying_len},
};

static const struct scenario_with_opts table_opts[] = {
    {"behaviour",
     "[--seed N] 2 h of a 50-host office with 10 attack behaviours mixed in; writes "
     "OUT.truth.json",
     behave_behaviour},
    {"background", "[--seed N] the behaviour capture's benign traffic alone (and its truth)",
     behave_background},
    {"intrusion",
     "[--seed N] one multi-stage intrusion over the behaviour background; writes "
     "OUT.truth.json, OUT.rules, OUT.intel.json",
     behave_intrusion},
    {"flood",
     "[--count N] [--seed N] N SYNs (default 10,000,000) from N distinct sources, streamed",
     behave_flood},
};

const struct scenario *scenarios_all(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

const struct scenario *scenarios_find(const char *name)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

const struct scenario_with_opts *scenarios_all_opts(size_t *n)
{
	*n = sizeof(table_opts) / sizeof(table_opts[0]);
	return table_opts;
}

const struct scenario_with_opts *scenarios_find_opts(const char *name)
{
	for (size_t i = 0; i < sizeof(table_opts) / sizeof(table_opts[0]); i++)
		if (strcmp(table_opts[i].name, name) == 0)
			return &table_opts[i];
	return NULL;
}

static const struct pcapw_link eth = {.linktype = PCAPW_LINK_ETHERNET};

/* ---- fragments ----------------------------------------------------------------------- */

#define FRAG_PAYLOAD 2992 /* + 8-byte UDP header = a 3000-byte datagram */

/*
 * Five 3000-byte UDP datagrams (8-byte header + 2992 payload bytes) from src port 40000 + d
 * to dst port 40100, d = 1..5; payload byte k of datagram d is (k + 16 * d) mod 256. Each
 * datagram starts 100 ms after the previous one, fragments 1 ms apart. fsz is the fragment
 * data size (1480 for IPv4, 1448 for IPv6): fragments A [0,fsz), B [fsz,2fsz), C [2fsz,3000).
 *   d=1  A B C               in order
 *   d=2  C A B               out of order
 *   d=3  A B X C             X: 80 bytes of 'X' at datagram offset fsz, MF set, overlapping
 *                            the start of B with different bytes
 *   d=4  A B B C             B duplicated with identical bytes
 *   d=5  A C                 B never sent: the datagram never completes
 */
static int frag_scenario(const char *out, const char *sip, const char *dip, size_t fsz,
			 uint32_t id0)
{
	static const char order[5][5] = {"ABC", "CAB", "ABXC", "ABBC", "AC"};
	uint8_t payload[FRAG_PAYLOAD], dgram[FRAG_PAYLOAD + 8], xs[80];
	struct pcapw_host src, dst;
	struct pcapw_frag f[3];
	struct pcapw w;
	int r = pcapw_open(&w, out, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, 0);

	if (r < 0)
		return r;
	pcapw_host_set(&src, sip, "02:00:00:00:01:01", 0);
	pcapw_host_set(&dst, dip, "02:00:00:00:01:02", 40100);
	memset(xs, 'X', sizeof(xs));
	if (pcapw_frag_split(f, 3, sizeof(dgram), fsz) != 3)
		return scen_abort(&w, -EINVAL);
	for (unsigned d = 1; d <= 5; d++) {
		uint64_t t = SCEN_T0 + (d - 1) * 100 * SCEN_MS;

		src.port = (uint16_t)(40000 + d);
		for (size_t k = 0; k < sizeof(payload); k++)
			payload[k] = (uint8_t)(k + 16 * d);
		r = pcapw_udp_datagram(dgram, sizeof(dgram), &src, &dst, payload, sizeof(payload));
		if (r < 0)
			return scen_abort(&w, r);
		for (const char *o = order[d - 1]; *o; o++, t += SCEN_MS) {
			if (*o == 'X') {
				struct pcapw_frag x = {.off = f[1].off, .len = 80, .more = true};

				pcapw_frag_write(&w, t, &eth, &src, &dst, 17, id0 + d, &x, xs);
			} else {
				const struct pcapw_frag *fr = &f[*o - 'A'];

				pcapw_frag_write(&w, t, &eth, &src, &dst, 17, id0 + d, fr,
						 dgram + fr->off);
			}
		}
	}
	return pcapw_close(&w);
}

/*
 * frag-v4: 10.0.1.1 -> 10.0.1.2 (02:00:00:00:01:01 -> :02), the five datagrams above with
 * 1480-byte fragments (offsets 0, 1480, 2960; the last carries 40 bytes), IP ids 0x1001 to
 * 0x1005 for d = 1..5; 16 packets, packet numbers 1-3, 4-6, 7-10, 11-14, 15-16 per datagram.
 * A reassembler must deliver 4 UDP datagrams (4 UDP flows 10.0.1.1:40001..40004 ->
 * 10.0.1.2:40100, one 2992-byte payload each):
 *   d=1, d=2, d=4: exactly the pattern bytes, valid UDP checksum; d=4's duplicate fragment
 *     (packet 13) is identical, so it is not a conflict
 *   d=3: an overlap with different data (ipv4.frag_overlap, packet 9): first-wins keeps the
 *     pattern (valid checksum), last-wins puts 80 x 'X' at UDP payload bytes [1472,1552)
 *     (checksum then fails)
 *   d=5 (id 0x1005, src port 40005): never completes, no UDP payload; its 2 fragments are
 *     dropped when the reassembly timeout or memcap evicts them.
 */
int scenarios_frag_v4(const char *out_path)
{
	return frag_scenario(out_path, "10.0.1.1", "10.0.1.2", 1480, 0x1000);
}

/*
 * frag-v6: the same five datagrams over IPv6, 2001:db8:f::1 -> 2001:db8:f::2, each fragment
 * an IPv6 header + fragment header (next header 17, identification 0xf001 to 0xf005) + data;
 * 1448-byte fragments (offsets 0, 1448, 2896; the last carries 104 bytes); 16 packets. Same
 * findings as frag-v4; the 'X' overlap covers UDP payload bytes [1440,1520)
 * (ipv6.frag_overlap; RFC 5722 says discard the whole datagram, also acceptable if reported).
 */
int scenarios_frag_v6(const char *out_path)
{
	return frag_scenario(out_path, "2001:db8:f::1", "2001:db8:f::2", 1448, 0xf000);
}

/* ---- VLAN / QinQ --------------------------------------------------------------------- */

/*
 * One tagged conversation set, tag number n: a TCP session 10.0.2.1:40000 -> 10.0.2.2:80
 * (handshake, request, ACK, response, ACK, FIN/FIN-ACK/ACK: 10 packets, ISNs n * 0x01000000
 * and n * 0x01000000 + 0x8000) and a UDP exchange 10.0.2.1:40001 <-> 10.0.2.2:40002 (2
 * packets), starting at t0, one packet per millisecond.
 */
static int tagged_set(struct pcapw *w, const struct pcapw_link *lk, unsigned n, uint64_t t0)
{
	char req[64], resp[96], u1[32], u2[32];
	struct pcapw_tcp_cfg cfg = {
	    .start_ns = t0,
	    .step_ns = SCEN_MS,
	    .isn = {n * 0x01000000u, n * 0x01000000u + 0x8000u},
	    .mss = 1460,
	    .sack_perm = true,
	    .auto_ack = true,
	};
	struct pcapw_host cli, srv;
	struct pcapw_tcp_conn c;
	int lr, ls, l1, l2;

	lr = snprintf(req, sizeof(req), "GET /tag%u HTTP/1.1\r\nHost: tag%u.example\r\n\r\n", n, n);
	ls = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\ntag%02u", n);
	l1 = snprintf(u1, sizeof(u1), "udp request on tag %u", n);
	l2 = snprintf(u2, sizeof(u2), "udp reply on tag %u", n);
	pcapw_host_set(&cli, "10.0.2.1", "02:00:00:00:02:01", 40000);
	pcapw_host_set(&srv, "10.0.2.2", "02:00:00:00:02:02", 80);
	pcapw_tcp_open(&c, w, lk, &cli, &srv, &cfg);
	pcapw_tcp_handshake(&c);
	pcapw_tcp_send(&c, PCAPW_C2S, req, (size_t)lr);
	pcapw_tcp_send(&c, PCAPW_S2C, resp, (size_t)ls);
	pcapw_tcp_close(&c, PCAPW_C2S);
	cli.port = 40001;
	srv.port = 40002;
	pcapw_udp_write(w, c.now, lk, &cli, &srv, u1, (size_t)l1);
	pcapw_udp_write(w, c.now + SCEN_MS, lk, &srv, &cli, u2, (size_t)l2);
	return c.err;
}

/*
 * vlan: the tagged set above twice, on 802.1Q VLAN 10 (tag number 10) and VLAN 20 (tag
 * number 20), interleaved in time (VLAN 20 starts 0.5 ms after VLAN 10); 24 packets. The
 * two TCP sessions and the two UDP exchanges have identical 5-tuples, so an analyser must
 * key flows on the VLAN id: 2 TCP flows and 2 UDP flows. Per VLAN n the client sends
 * "GET /tagN HTTP/1.1\r\nHost: tagN.example\r\n\r\n" (N = 10 or 20) and the server
 * "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\ntagNN"; the UDP payloads are
 * "udp request on tag N" and "udp reply on tag N". Mixing the VLANs would show as a flood of
 * out-of-window segments.
 */
int scenarios_vlan(const char *out_path)
{
	struct pcapw_link v10 = {.linktype = PCAPW_LINK_ETHERNET, .nvlan = 1, .vlan = {10}};
	struct pcapw_link v20 = {.linktype = PCAPW_LINK_ETHERNET, .nvlan = 1, .vlan = {20}};
	struct pcapw w;
	int r = pcapw_open(&w, out_path, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, PCAPW_F_SORT);

	if (r < 0)
		return r;
	r = tagged_set(&w, &v10, 10, SCEN_T0);
	if (r == 0)
		r = tagged_set(&w, &v20, 20, SCEN_T0 + 500 * SCEN_US);
	if (r < 0)
		return scen_abort(&w, r);
	return pcapw_close(&w);
}

/*
 * qinq: the tagged set twice under 802.1ad outer tag (TPID 0x88a8) 100 and 200, both with
 * inner 802.1Q tag (TPID 0x8100) VLAN 10, tag numbers 100 and 200, interleaved (the second
 * starts 0.5 ms later); 24 packets. 2 TCP and 2 UDP flows with identical 5-tuples and inner
 * VLAN: only the outer tag tells them apart. Payloads as in vlan with N = 100 / 200.
 */
int scenarios_qinq(const char *out_path)
{
	struct pcapw_link o100 = {.linktype = PCAPW_LINK_ETHERNET, .nvlan = 2, .vlan = {100, 10}};
	struct pcapw_link o200 = {.linktype = PCAPW_LINK_ETHERNET, .nvlan = 2, .vlan = {200, 10}};
	struct pcapw w;
	int r = pcapw_open(&w, out_path, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, PCAPW_F_SORT);

	if (r < 0)
		return r;
	r = tagged_set(&w, &o100, 100, SCEN_T0);
	if (r == 0)
		r = tagged_set(&w, &o200, 200, SCEN_T0 + 500 * SCEN_US);
	if (r < 0)
		return scen_abort(&w, r);
	return pcapw_close(&w);
}

/* ---- IPv6 extension headers ---------------------------------------------------------- */

static const char ext_uq[] = "ext-hdr udp request";
static const char ext_ur[] = "ext-hdr udp reply";
static const char ext_tq[] = "ext-hdr tcp request\n";
static const char ext_tr[] = "ext-hdr tcp response\n";

/*
 * ipv6-ext: between 2001:db8:6::1 and 2001:db8:6::2, every packet carries hop-by-hop
 * (8 bytes, PadN), routing (segment routing type 4, segments left 0, one segment = the
 * destination, 24 bytes) and destination options (8 bytes, PadN) before the transport
 * header; 12 packets.
 *   1,2   UDP [::1]:40000 -> [::2]:40001 "ext-hdr udp request" (19 bytes), reply
 *         "ext-hdr udp reply" (17 bytes)
 *   3-12  TCP [::1]:49152 -> [::2]:80: handshake, "ext-hdr tcp request\n" (20 bytes), ACK,
 *         "ext-hdr tcp response\n" (21 bytes), ACK, FIN/FIN-ACK/ACK.
 * 1 UDP flow, 1 TCP flow with exactly those bytes; transport checksums are valid (the
 * pseudo-header uses the IPv6 destination: segments left is 0). No anomalies: an analyser
 * must walk the 3-header chain to find the transport layer.
 */
int scenarios_ipv6_ext(const char *out_path)
{
	struct pcapw_link lk = {.linktype = PCAPW_LINK_ETHERNET,
				.v6_ext = PCAPW_EXT_HBH | PCAPW_EXT_ROUTING | PCAPW_EXT_DSTOPTS};
	struct pcapw_tcp_cfg cfg = {
	    .start_ns = SCEN_T0 + 10 * SCEN_MS,
	    .step_ns = SCEN_MS,
	    .isn = {0x600d0001u, 0x600d8001u},
	    .mss = 1400,
	    .sack_perm = true,
	    .auto_ack = true,
	};
	struct pcapw_host a, b;
	struct pcapw_tcp_conn c;
	struct pcapw w;
	int r = pcapw_open(&w, out_path, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, 0);

	if (r < 0)
		return r;
	pcapw_host_set(&a, "2001:db8:6::1", "02:00:00:00:06:01", 40000);
	pcapw_host_set(&b, "2001:db8:6::2", "02:00:00:00:06:02", 40001);
	pcapw_udp_write(&w, SCEN_T0, &lk, &a, &b, ext_uq, sizeof(ext_uq) - 1);
	pcapw_udp_write(&w, SCEN_T0 + SCEN_MS, &lk, &b, &a, ext_ur, sizeof(ext_ur) - 1);
	a.port = 49152;
	b.port = 80;
	pcapw_tcp_open(&c, &w, &lk, &a, &b, &cfg);
	pcapw_tcp_handshake(&c);
	pcapw_tcp_send(&c, PCAPW_C2S, ext_tq, sizeof(ext_tq) - 1);
	pcapw_tcp_send(&c, PCAPW_S2C, ext_tr, sizeof(ext_tr) - 1);
	pcapw_tcp_close(&c, PCAPW_C2S);
	r = pcapw_close(&w);
	return r < 0 ? r : c.err;
}

/* ---- ICMP ---------------------------------------------------------------------------- */

/* Linux ping data: an 8-byte timeval (seconds, microseconds, little-endian) then 0x10... */
static void ping_data(uint8_t d[56], uint64_t t)
{
	uint32_t sec = (uint32_t)(t / SCEN_S), usec = (uint32_t)(t % SCEN_S / SCEN_US);

	for (int i = 0; i < 4; i++) {
		d[i] = (uint8_t)(sec >> (8 * i));
		d[4 + i] = (uint8_t)(usec >> (8 * i));
	}
	for (int k = 8; k < 56; k++)
		d[k] = (uint8_t)(0x10 + k - 8);
}

static int icmp_write(struct pcapw *w, uint64_t t, struct pcapw_host *src,
		      const struct pcapw_host *dst, int kind, uint16_t seq, const void *data,
		      size_t len)
{
	uint8_t buf[2048];
	struct pcapw_pkt p;

	pcapw_pkt_init(&p, buf, sizeof(buf));
	pcapw_add_hdrs(&p, &eth, src, dst);
	switch (kind) {
	case 0: /* echo request */
	case 1: /* echo reply */
		if (src->family == 4)
			pcapw_add_icmp4_echo(&p, kind == 1, 0x0100, seq);
		else
			pcapw_add_icmp6_echo(&p, kind == 1, 0x0200, seq);
		break;
	case 2:
		pcapw_add_icmp4_unreach(&p, 3, data, len);
		len = 0;
		break;
	case 3:
		pcapw_add_icmp6_ns(&p, dst->ip, src->mac);
		len = 0;
		break;
	default: /* neighbor advertisement: solicited + override, data = target + option */
		pcapw_add_icmp6(&p, 136, 0, 0x60000000u);
		break;
	}
	pcapw_add_raw(&p, PCAPW_NEXT_KEEP, data, len);
	return pcapw_pkt_write(w, t, &p);
}

/*
 * icmp: hosts 10.0.3.1 / 10.0.3.2 and 2001:db8:3::1 / 2001:db8:3::2 (MACs :03:01, :03:02);
 * 12 packets, one per 100 ms except the echo pairs (reply 1 ms after its request):
 *   1-6   ICMP echo request/reply x 3, 10.0.3.1 -> 10.0.3.2, id 0x0100, seq 1..3, 56 data
 *         bytes (Linux ping layout), each reply echoing its request's data
 *   7     UDP 10.0.3.1:40000 -> 10.0.3.2:33434 "is anyone there?" (16 bytes)
 *   8     ICMP destination unreachable / port unreachable (3/3) from 10.0.3.2 quoting packet
 *         7's IPv4 header and the first 8 bytes of its UDP header
 *   9,10  ICMPv6 echo request/reply 2001:db8:3::1 <-> ::2, id 0x0200, seq 1, 56 bytes
 *   11    neighbor solicitation from 2001:db8:3::1 to ff02::1:ff00:2 for target
 *         2001:db8:3::2, hop limit 255, source link-layer address option
 *   12    neighbor advertisement (solicited, override) from 2001:db8:3::2 to 2001:db8:3::1
 *         with target link-layer address option.
 * All checksums valid. An analyser must pair 4 echo exchanges, see 1 UDP flow and attribute
 * the unreachable to it (quoted 5-tuple 10.0.3.1:40000 -> 10.0.3.2:33434), and decode the
 * NS/NA targets. No anomalies.
 */
int scenarios_icmp(const char *out_path)
{
	static const char probe[] = "is anyone there?";
	struct pcapw_host a, b, a6, b6, sol;
	uint8_t data[64], buf[256];
	uint64_t t = SCEN_T0;
	struct pcapw_pkt p;
	struct pcapw w;
	int r = pcapw_open(&w, out_path, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, 0);

	if (r < 0)
		return r;
	pcapw_host_set(&a, "10.0.3.1", "02:00:00:00:03:01", 40000);
	pcapw_host_set(&b, "10.0.3.2", "02:00:00:00:03:02", 33434);
	pcapw_host_set(&a6, "2001:db8:3::1", "02:00:00:00:03:01", 0);
	pcapw_host_set(&b6, "2001:db8:3::2", "02:00:00:00:03:02", 0);
	a.df = b.df = true;
	for (uint16_t seq = 1; seq <= 3; seq++, t += 100 * SCEN_MS) {
		ping_data(data, t);
		icmp_write(&w, t, &a, &b, 0, seq, data, 56);
		icmp_write(&w, t + SCEN_MS, &b, &a, 1, seq, data, 56);
	}
	/* The probe, written and kept (without link header) for the ICMP error to quote. */
	pcapw_pkt_init(&p, buf, sizeof(buf));
	pcapw_add_hdrs(&p, &eth, &a, &b);
	pcapw_add_udp(&p, &(struct pcapw_udp){.sport = a.port, .dport = b.port});
	pcapw_add_raw(&p, PCAPW_NEXT_KEEP, probe, sizeof(probe) - 1);
	pcapw_pkt_write(&w, t, &p);
	t += 100 * SCEN_MS;
	icmp_write(&w, t, &b, &a, 2, 0, buf + 14, (size_t)p.len - 14);
	t += 100 * SCEN_MS;
	ping_data(data, t);
	icmp_write(&w, t, &a6, &b6, 0, 1, data, 56);
	icmp_write(&w, t + SCEN_MS, &b6, &a6, 1, 1, data, 56);
	t += 100 * SCEN_MS;
	pcapw_host_solicited(&sol, b6.ip);
	a6.ttl = 255;
	icmp_write(&w, t, &a6, &sol, 3, 0, NULL, 0);
	t += 100 * SCEN_MS;
	memcpy(data, b6.ip, 16);
	data[16] = 2; /* target link-layer address */
	data[17] = 1;
	memcpy(data + 18, b6.mac, 6);
	b6.ttl = 255;
	icmp_write(&w, t, &b6, &a6, 4, 0, data, 24);
	return pcapw_close(&w);
}

/* ---- link types ---------------------------------------------------------------------- */

static const char lt_udp[] = "v6 udp on this link\n";

/*
 * linktypes-*: the same 11 packets in each link type: the small session of
 * scenarios_int.h (10.0.4.1:50000 -> 10.0.4.2:8080, "hello from the client\n" /
 * "hello from the server\n", 22 bytes each way, clean close, 10 packets from
 * 2024-01-15T09:00:00Z) then, 20 ms after the start, one IPv6 UDP packet
 * [2001:db8:4::1]:40000 -> [2001:db8:4::2]:40001 "v6 udp on this link\n" (20 bytes).
 * 1 TCP flow, 1 UDP flow in every file. Link headers: raw (101) none; SLL (113) packet type
 * 0, ARPHRD_ETHER, the sender's MAC; SLL2 (276) interface index 2; NULL (0) family 2 / 24
 * little-endian; LOOP (108) family 2 / 24 big-endian.
 */
static int linktypes(const char *out, uint32_t linktype)
{
	struct pcapw_link lk = {.linktype = linktype};
	struct pcapw_host a, b;
	struct pcapw w;
	int r = pcapw_open(&w, out, linktype, SCEN_SNAPLEN, 0), s;

	if (r < 0)
		return r;
	s = scenarios_tcp_small(&w, &lk, SCEN_T0);
	pcapw_host_set(&a, "2001:db8:4::1", "02:00:00:00:04:01", 40000);
	pcapw_host_set(&b, "2001:db8:4::2", "02:00:00:00:04:02", 40001);
	pcapw_udp_write(&w, SCEN_T0 + 20 * SCEN_MS, &lk, &a, &b, lt_udp, sizeof(lt_udp) - 1);
	r = pcapw_close(&w);
	return r < 0 ? r : s;
}

int scenarios_linktypes_raw(const char *out_path)
{
	return linktypes(out_path, PCAPW_LINK_RAW);
}

int scenarios_linktypes_sll(const char *out_path)
{
	return linktypes(out_path, PCAPW_LINK_SLL);
}

int scenarios_linktypes_sll2(const char *out_path)
{
	return linktypes(out_path, PCAPW_LINK_SLL2);
}

int scenarios_linktypes_null(const char *out_path)
{
	return linktypes(out_path, PCAPW_LINK_NULL);
}

int scenarios_linktypes_loop(const char *out_path)
{
	return linktypes(out_path, PCAPW_LINK_LOOP);
}

/* ---- load ---------------------------------------------------------------------------- */

#define MANY_FLOWS 20000

/*
 * many-flows: 20,000 UDP flows, flow i (0..19999) from 10.20.(i / 250).(i % 250 + 1) port
 * 50000 + i % 4000 to 10.30.0.1 port 40000: a request "flow NNNNN request" and a reply
 * "flow NNNNN reply" (NNNNN = i, 5 digits), 40,000 packets, 50 us apart (2 s in all), the
 * reply right after its request. An analyser with a flow table large enough must count
 * exactly 20,000 UDP flows, each with 1 packet each way; with a memcap below that it must
 * count the flows it refused or evicted and not crash.
 */
int scenarios_many_flows(const char *out_path)
{
	struct pcapw_host cli, srv;
	char req[32], rep[32];
	uint64_t t = SCEN_T0;
	struct pcapw w;
	int r = pcapw_open(&w, out_path, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, 0);

	if (r < 0)
		return r;
	pcapw_host_set(&cli, "10.20.0.1", "02:00:00:00:14:01", 10000);
	pcapw_host_set(&srv, "10.30.0.1", "02:00:00:00:1e:01", 40000);
	for (unsigned i = 0; i < MANY_FLOWS && r == 0; i++) {
		int lq = snprintf(req, sizeof(req), "flow %05u request", i);
		int lp = snprintf(rep, sizeof(rep), "flow %05u reply", i);

		cli.ip[2] = (uint8_t)(i / 250);
		cli.ip[3] = (uint8_t)(i % 250 + 1);
		cli.port = (uint16_t)(50000 + i % 4000);
		pcapw_udp_write(&w, t, &eth, &cli, &srv, req, (size_t)lq);
		r = pcapw_udp_write(&w, t + 50 * SCEN_US, &eth, &srv, &cli, rep, (size_t)lp);
		t += 100 * SCEN_US;
	}
	return scen_abort(&w, r);
}

/* ---- PPPoE ------------------------------------------------------------------------- */

/* Ethernet + PPPoE session header + PPP protocol in front of ip[0..len). */
static size_t pppoe_wrap(uint8_t *out, uint16_t ethertype, uint16_t ppp_proto, const uint8_t *ip,
			 size_t len)
{
	static const uint8_t macs[12] = {0x02, 0, 0, 0, 0x0e, 0x02, 0x02, 0, 0, 0, 0x0e, 0x01};
	memcpy(out, macs, 12);
	out[12] = (uint8_t)(ethertype >> 8);
	out[13] = (uint8_t)ethertype;
	out[14] = 0x11;				  /* version 1, type 1 */
	out[15] = ethertype == 0x8863 ? 0x09 : 0; /* PADI, or session data */
	out[16] = 0x12;				  /* session id 0x1234 */
	out[17] = 0x34;
	size_t plen = len + (ethertype == 0x8864 ? 2 : 0);
	out[18] = (uint8_t)(plen >> 8);
	out[19] = (uint8_t)plen;
	size_t off = 20;
	if (ethertype == 0x8864) {
		out[20] = (uint8_t)(ppp_proto >> 8);
		out[21] = (uint8_t)ppp_proto;
		off = 22;
	}
	memcpy(out + off, ip, len);
	return off + len;
}

/*
 * pppoe: the 11 packets of linktypes-raw (1 TCP flow 10.0.4.1:50000 -> 10.0.4.2:8080,
 * 22 bytes each way, clean close; 1 IPv6 UDP flow), each carried in an Ethernet frame as
 * PPPoE session data (EtherType 0x8864, session 0x1234, PPP protocol 0x0021 / 0x0057),
 * preceded by a PPPoE discovery PADI (0x8863) and a PPP LCP echo (0xc021): 13 packets,
 * 11 of them IP, no anomalies.
 */
int scenarios_pppoe(const char *out_path)
{
	char *mem = NULL;
	size_t memlen = 0;
	FILE *fp = open_memstream(&mem, &memlen);
	struct pcapw raw, w;
	uint8_t frame[2048];
	static const uint8_t lcp_echo[8] = {0x09, 0x01, 0x00, 0x08, 0xde, 0xad, 0xbe, 0xef};
	int r;

	if (!fp)
		return -ENOMEM;
	r = pcapw_open_stream(&raw, fp, PCAPW_LINK_RAW, SCEN_SNAPLEN, 0);
	if (r == 0) {
		struct pcapw_link lk = {.linktype = PCAPW_LINK_RAW};
		struct pcapw_host a, b;
		(void)scenarios_tcp_small(&raw, &lk, SCEN_T0);
		pcapw_host_set(&a, "2001:db8:4::1", "02:00:00:00:04:01", 40000);
		pcapw_host_set(&b, "2001:db8:4::2", "02:00:00:00:04:02", 40001);
		pcapw_udp_write(&raw, SCEN_T0 + 20 * SCEN_MS, &lk, &a, &b, lt_udp,
				sizeof(lt_udp) - 1);
		r = pcapw_close(&raw);
	}
	fclose(fp);
	if (r == 0)
		r = pcapw_open(&w, out_path, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, 0);
	if (r < 0) {
		free(mem);
		return r;
	}
	size_t n = pppoe_wrap(frame, 0x8863, 0, (const uint8_t *)"\x01\x01\x00\x00", 4);
	pcapw_write(&w, SCEN_T0 - 2 * SCEN_MS, frame, (uint32_t)n, (uint32_t)n);
	n = pppoe_wrap(frame, 0x8864, 0xc021, lcp_echo, sizeof(lcp_echo));
	pcapw_write(&w, SCEN_T0 - SCEN_MS, frame, (uint32_t)n, (uint32_t)n);
	/* Re-read the raw records (24-byte file header, 16-byte record headers). */
	for (size_t off = 24; off + 16 <= memlen;) {
		const uint8_t *h = (const uint8_t *)mem + off;
		uint32_t sec = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
			       (uint32_t)h[3] << 24;
		uint32_t usec = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 |
				(uint32_t)h[7] << 24;
		uint32_t cap = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 |
			       (uint32_t)h[11] << 24;
		if (cap > memlen - off - 16 || cap + 22 > sizeof(frame))
			break;
		const uint8_t *ip = h + 16;
		n = pppoe_wrap(frame, 0x8864, (ip[0] >> 4) == 6 ? 0x0057 : 0x0021, ip, cap);
		pcapw_write(&w, (uint64_t)sec * 1000000000ull + (uint64_t)usec * 1000ull, frame,
			    (uint32_t)n, (uint32_t)n);
		off += 16 + cap;
	}
	free(mem);
	return pcapw_close(&w);
}
