/*
 * scenarios_tcp — the TCP stream-reassembly scenarios (tcp-*, pcap-ns) and the small session
 * the linktypes-* scenarios repeat. Each comment states the packets, the flows and the exact
 * bytes a reassembler must deliver per direction. Unless stated otherwise: Ethernet, client
 * 10.0.0.1:49152 (02:00:00:00:00:01), server 10.0.0.2:80 (02:00:00:00:00:02), DF set, TTL 64,
 * first packet at 2024-01-15T09:00:00Z, one packet per millisecond; SYNs carry MSS 1460,
 * SACK-permitted, timestamps and window scale 7; every segment carries the timestamps
 * option; "relative" sequence numbers count from ISN + 1.
 */
#include "scenarios.h"
#include "scenarios_int.h"

#include <string.h>

#define ISN_C 0x3a1b2c3du
#define ISN_S 0x8f9e0d1cu

static const struct pcapw_link eth = {.linktype = PCAPW_LINK_ETHERNET};

static void hosts_v4(struct pcapw_host *cli, struct pcapw_host *srv)
{
	pcapw_host_set(cli, "10.0.0.1", "02:00:00:00:00:01", 49152);
	pcapw_host_set(srv, "10.0.0.2", "02:00:00:00:00:02", 80);
	cli->df = srv->df = true;
}

static struct pcapw_tcp_cfg cfg_linux(uint64_t start, uint64_t step)
{
	return (struct pcapw_tcp_cfg){
	    .start_ns = start,
	    .step_ns = step,
	    .isn = {ISN_C, ISN_S},
	    .mss = 1460,
	    .ws = true,
	    .wscale = 7,
	    .sack_perm = true,
	    .timestamps = true,
	    .segment = true,
	    .auto_ack = true,
	};
}

/* Open an Ethernet microsecond file and a conversation between the default v4 hosts. */
static int open_v4(struct pcapw *w, struct pcapw_tcp_conn *c, const char *out,
		   const struct pcapw_tcp_cfg *cfg, unsigned flags)
{
	struct pcapw_host cli, srv;
	int r = pcapw_open(w, out, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, flags);

	if (r < 0)
		return r;
	hosts_v4(&cli, &srv);
	pcapw_tcp_open(c, w, &eth, &cli, &srv, cfg);
	return 0;
}

/* The writer's error, or the conversation's, after closing the file. */
static int finish(struct pcapw *w, const struct pcapw_tcp_conn *c)
{
	int r = pcapw_close(w);

	return r < 0 ? r : c->err;
}

static const char basic_req[] = "GET /index.html HTTP/1.1\r\n"
				"Host: www.example.com\r\n"
				"User-Agent: mamori-gen/1.0\r\n"
				"Accept: */*\r\n"
				"\r\n";
static const char basic_resp_hdr[] = "HTTP/1.1 200 OK\r\n"
				     "Content-Type: text/plain\r\n"
				     "Content-Length: 4000\r\n"
				     "Connection: close\r\n"
				     "\r\n";

/*
 * tcp-basic: one clean HTTP/1.1 exchange, 13 packets, 1 TCP flow (10.0.0.1:49152 <->
 * 10.0.0.2:80), ISNs client 0x3a1b2c3d, server 0x8f9e0d1c.
 *   1-3   SYN, SYN-ACK, ACK
 *   4     client request, the 92 bytes of basic_req above (GET /index.html, Host
 *         www.example.com, User-Agent mamori-gen/1.0, Accept star-slash-star, CRLF lines)
 *   5     server ACK
 *   6-10  response, 4086 bytes in 3 segments (1448, 1448, 1190; packets 6, 7, 9) with a
 *         client ACK after the 2nd and the 3rd (packets 8, 10): the 86-byte header
 *         "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4000\r\n"
 *         "Connection: close\r\n\r\n" then a 4000-byte body whose byte k is 'a' + k % 26
 *   11-13 server FIN, client FIN-ACK, server ACK.
 * Reassembled: client->server exactly the 92-byte request, server->client exactly the 4086
 * bytes above; the session ends cleanly (both FINs acknowledged). No anomalies.
 */
static int tcp_basic(const char *out, unsigned flags, uint64_t start, uint64_t step)
{
	uint8_t resp[sizeof(basic_resp_hdr) - 1 + 4000];
	struct pcapw_tcp_cfg cfg = cfg_linux(start, step);
	size_t hl = sizeof(basic_resp_hdr) - 1;
	struct pcapw_tcp_conn c;
	struct pcapw w;
	int r = open_v4(&w, &c, out, &cfg, flags);

	if (r < 0)
		return r;
	memcpy(resp, basic_resp_hdr, hl);
	scen_alpha(resp + hl, 4000, 'a');
	pcapw_tcp_handshake(&c);
	pcapw_tcp_send(&c, PCAPW_C2S, basic_req, sizeof(basic_req) - 1);
	pcapw_tcp_send(&c, PCAPW_S2C, resp, sizeof(resp));
	pcapw_tcp_close(&c, PCAPW_S2C);
	return finish(&w, &c);
}

int scenarios_tcp_basic(const char *out_path)
{
	return tcp_basic(out_path, 0, SCEN_T0, SCEN_MS);
}

/*
 * pcap-ns: tcp-basic exactly (same 13 packets, same bytes, same flow) in a nanosecond-magic
 * file (0xa1b23c4d) whose timestamps are not whole microseconds: packet n (from 0) is at
 * 2024-01-15T09:00:00.000000250Z + n * 1.000000333 ms, so packet 1 is at ...00.001000583.
 * A reader must keep the nanoseconds (or round them consistently); an analyser must report
 * the same flows and bytes as for tcp-basic.
 */
int scenarios_tcp_pcap_ns(const char *out_path)
{
	return tcp_basic(out_path, PCAPW_F_NSEC, SCEN_T0 + 250, SCEN_MS + 333);
}

/*
 * tcp-retrans: retransmissions with identical payload bytes, 21 packets, 1 TCP flow.
 *   1-3   handshake
 *   4,5   client relative [0,500) and [500,1000)       6  server ACK 500
 *   7     client [1000,1500)                           8  server dup ACK 500
 *   9     client [1500,2000)                           10 server dup ACK 500
 *   11    client retransmits [500,1000), same bytes (200 ms later)
 *   12    server ACK 2000
 *   13-15 server [0,500), [500,1000), [1000,1500)      16 client ACK 500
 *   17    server retransmits [500,1000), same bytes   18 client ACK 1500
 *   19-21 client FIN, server FIN-ACK, client ACK.
 * Client->server data is 2000 bytes, byte k = 'a' + k % 26; server->client 1500 bytes,
 * byte k = 'A' + k % 26. Reassembled streams are exactly those, each byte once; 2 segments
 * are retransmissions (packets 11 and 17), neither carries different data.
 */
int scenarios_tcp_retrans(const char *out_path)
{
	struct pcapw_tcp_cfg cfg = cfg_linux(SCEN_T0, SCEN_MS);
	uint8_t cd[2000], sd[1500];
	struct pcapw_tcp_conn c;
	struct pcapw w;
	int r = open_v4(&w, &c, out_path, &cfg, 0);

	if (r < 0)
		return r;
	scen_alpha(cd, sizeof(cd), 'a');
	scen_alpha(sd, sizeof(sd), 'A');
	pcapw_tcp_handshake(&c);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 0, cd, 500);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 500, cd + 500, 500);
	pcapw_tcp_ack_at(&c, PCAPW_S2C, 500);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 1000, cd + 1000, 500);
	pcapw_tcp_ack_at(&c, PCAPW_S2C, 500);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 1500, cd + 1500, 500);
	pcapw_tcp_ack_at(&c, PCAPW_S2C, 500);
	pcapw_tcp_wait(&c, 200 * SCEN_MS);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 500, cd + 500, 500);
	pcapw_tcp_ack(&c, PCAPW_S2C);
	pcapw_tcp_send_at(&c, PCAPW_S2C, 0, sd, 500);
	pcapw_tcp_send_at(&c, PCAPW_S2C, 500, sd + 500, 500);
	pcapw_tcp_send_at(&c, PCAPW_S2C, 1000, sd + 1000, 500);
	pcapw_tcp_ack_at(&c, PCAPW_C2S, 500);
	pcapw_tcp_wait(&c, 200 * SCEN_MS);
	pcapw_tcp_send_at(&c, PCAPW_S2C, 500, sd + 500, 500);
	pcapw_tcp_ack(&c, PCAPW_C2S);
	pcapw_tcp_close(&c, PCAPW_C2S);
	return finish(&w, &c);
}

/*
 * tcp-ooo: segments captured out of order, 19 packets, 1 TCP flow.
 *   1-3   handshake
 *   4     client [0,500)        5  client [1000,1500)    6  server dup ACK 500
 *   7     client [500,1000)     8  server ACK 1500
 *   9     client [1500,2000)    10 server ACK 2000
 *   11    server [1000,1500)    12 client ACK 0 (nothing in order yet)
 *   13    server [0,500)        14 client ACK 500
 *   15    server [500,1000)     16 client ACK 1500
 *   17-19 client FIN, server FIN-ACK, client ACK.
 * Client->server 2000 bytes, byte k = 'a' + k % 26; server->client 1500 bytes,
 * byte k = 'A' + k % 26; each stream must come out in sequence order, exactly those bytes.
 */
int scenarios_tcp_ooo(const char *out_path)
{
	struct pcapw_tcp_cfg cfg = cfg_linux(SCEN_T0, SCEN_MS);
	uint8_t cd[2000], sd[1500];
	struct pcapw_tcp_conn c;
	struct pcapw w;
	int r = open_v4(&w, &c, out_path, &cfg, 0);

	if (r < 0)
		return r;
	scen_alpha(cd, sizeof(cd), 'a');
	scen_alpha(sd, sizeof(sd), 'A');
	pcapw_tcp_handshake(&c);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 0, cd, 500);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 1000, cd + 1000, 500);
	pcapw_tcp_ack_at(&c, PCAPW_S2C, 500);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 500, cd + 500, 500);
	pcapw_tcp_ack_at(&c, PCAPW_S2C, 1500);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 1500, cd + 1500, 500);
	pcapw_tcp_ack(&c, PCAPW_S2C);
	pcapw_tcp_send_at(&c, PCAPW_S2C, 1000, sd + 1000, 500);
	pcapw_tcp_ack_at(&c, PCAPW_C2S, 0);
	pcapw_tcp_send_at(&c, PCAPW_S2C, 0, sd, 500);
	pcapw_tcp_ack_at(&c, PCAPW_C2S, 500);
	pcapw_tcp_send_at(&c, PCAPW_S2C, 500, sd + 500, 500);
	pcapw_tcp_ack(&c, PCAPW_C2S);
	pcapw_tcp_close(&c, PCAPW_C2S);
	return finish(&w, &c);
}

/*
 * tcp-overlap: a retransmission that overlaps earlier data with different bytes, 15 packets,
 * 1 TCP flow.
 *   1-3   handshake
 *   4     client [0,100)   100 x 'a'
 *   5     client [100,200) 100 x 'b'                   6  server ACK 200
 *   7     client [50,150)  100 x 'X' (overlaps 'a' and 'b' with different bytes)
 *   8     server dup ACK 200
 *   9     client [200,300) 100 x 'c'                   10 server ACK 300
 *   11    server 100 bytes, byte k = 'A' + k % 26      12 client ACK
 *   13-15 client FIN, server FIN-ACK, client ACK.
 * Client->server, 300 bytes: first-wins (keep the original data; BSD, Windows, Linux for
 * this case) gives 100 x 'a' + 100 x 'b' + 100 x 'c'; last-wins gives 50 x 'a' + 100 x 'X'
 * + 50 x 'b' + 100 x 'c'. Either way an overlap with different data must be reported once
 * (packet 7). Server->client: exactly the 100 bytes of packet 11.
 */
int scenarios_tcp_overlap(const char *out_path)
{
	struct pcapw_tcp_cfg cfg = cfg_linux(SCEN_T0, SCEN_MS);
	uint8_t a[100], b[100], x[100], cc[100], sd[100];
	struct pcapw_tcp_conn c;
	struct pcapw w;
	int r = open_v4(&w, &c, out_path, &cfg, 0);

	if (r < 0)
		return r;
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	memset(x, 'X', sizeof(x));
	memset(cc, 'c', sizeof(cc));
	scen_alpha(sd, sizeof(sd), 'A');
	pcapw_tcp_handshake(&c);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 0, a, 100);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 100, b, 100);
	pcapw_tcp_ack(&c, PCAPW_S2C);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 50, x, 100);
	pcapw_tcp_ack(&c, PCAPW_S2C);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 200, cc, 100);
	pcapw_tcp_ack(&c, PCAPW_S2C);
	pcapw_tcp_send(&c, PCAPW_S2C, sd, sizeof(sd));
	pcapw_tcp_close(&c, PCAPW_C2S);
	return finish(&w, &c);
}

/*
 * tcp-gap: data that is never captured while the receiver acknowledges past it, 11 packets,
 * 1 TCP flow.
 *   1-3   handshake
 *   4     client [0,100)   100 x 'a'
 *   5     client [200,300) 100 x 'c'   ([100,200), 100 x 'b', is never in the capture)
 *   6     server ACK 300 (acknowledges the missing bytes)
 *   7     server 100 bytes, byte k = 'A' + k % 26      8 client ACK
 *   9-11  client FIN (relative seq 300), server FIN-ACK, client ACK.
 * Client->server: 100 x 'a', a 100-byte gap at relative [100,200), 100 x 'c'; the
 * reassembler must record the gap (not wait for it forever) and still deliver the 'c' bytes
 * and see the FIN. Server->client: exactly the 100 bytes of packet 7.
 */
int scenarios_tcp_gap(const char *out_path)
{
	struct pcapw_tcp_cfg cfg = cfg_linux(SCEN_T0, SCEN_MS);
	uint8_t a[100], cc[100], sd[100];
	struct pcapw_tcp_conn c;
	struct pcapw w;
	int r = open_v4(&w, &c, out_path, &cfg, 0);

	if (r < 0)
		return r;
	memset(a, 'a', sizeof(a));
	memset(cc, 'c', sizeof(cc));
	scen_alpha(sd, sizeof(sd), 'A');
	pcapw_tcp_handshake(&c);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 0, a, 100);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 200, cc, 100);
	pcapw_tcp_ack(&c, PCAPW_S2C);
	pcapw_tcp_send(&c, PCAPW_S2C, sd, sizeof(sd));
	pcapw_tcp_close(&c, PCAPW_C2S);
	return finish(&w, &c);
}

/*
 * tcp-seqwrap: both ISNs are 0xFFFFFF00, so sequence numbers wrap through zero inside the
 * data; 18 packets, 1 TCP flow. No timestamps option, MSS 300, segments of 300 bytes.
 *   1-3   handshake (SYN seq 0xFFFFFF00, first data byte at 0xFFFFFF01 both ways)
 *   4-9   client 1024 bytes in segments of 300, 300, 300, 124 (seq 0xFFFFFF01, 0x2D, 0x159,
 *         0x285), server ACKs after the 2nd and the 4th; data byte 255 has sequence number 0
 *   10-15 server 1024 bytes the same way, client ACKs
 *   16-18 client FIN (seq 0x301), server FIN-ACK, client ACK.
 * Client->server 1024 bytes, byte k = 'a' + k % 26; server->client 1024 bytes,
 * byte k = 'A' + k % 26. A reassembler comparing sequence numbers without modular
 * arithmetic loses or duplicates data from the first segment on.
 */
int scenarios_tcp_seqwrap(const char *out_path)
{
	struct pcapw_tcp_cfg cfg = {
	    .start_ns = SCEN_T0,
	    .step_ns = SCEN_MS,
	    .isn = {0xFFFFFF00u, 0xFFFFFF00u},
	    .mss = 300,
	    .ws = true,
	    .wscale = 7,
	    .sack_perm = true,
	    .segment = true,
	    .auto_ack = true,
	};
	uint8_t cd[1024], sd[1024];
	struct pcapw_tcp_conn c;
	struct pcapw w;
	int r = open_v4(&w, &c, out_path, &cfg, 0);

	if (r < 0)
		return r;
	scen_alpha(cd, sizeof(cd), 'a');
	scen_alpha(sd, sizeof(sd), 'A');
	pcapw_tcp_handshake(&c);
	pcapw_tcp_send(&c, PCAPW_C2S, cd, sizeof(cd));
	pcapw_tcp_send(&c, PCAPW_S2C, sd, sizeof(sd));
	pcapw_tcp_close(&c, PCAPW_C2S);
	return finish(&w, &c);
}

/*
 * tcp-midstream: a capture that starts inside an established session: no SYN, no FIN, no RST;
 * 9 packets, 1 TCP flow, no TCP options, window 64240 unscaled.
 *   1-3   client 600 bytes as 300 + 300 (seq 0x12345679, ack 0x9abcdef1), server ACK
 *   4-9   server 1000 bytes as 300, 300, 300, 100 (seq 0x9abcdef1), client ACKs after the
 *         2nd and the 4th.
 * Client->server 600 bytes, byte k = 'a' + k % 26; server->client 1000 bytes,
 * byte k = 'A' + k % 26. An analyser that picks up sessions mid-stream must deliver both in
 * full and flag the missing handshake (e.g. stream.data_before_3whs_completed if it does not
 * accept mid-stream sessions); the flow is still open at the end of the capture.
 */
int scenarios_tcp_midstream(const char *out_path)
{
	struct pcapw_tcp_cfg cfg = {
	    .start_ns = SCEN_T0,
	    .step_ns = SCEN_MS,
	    .isn = {0x12345678u, 0x9abcdef0u},
	    .mss = 300,
	    .segment = true,
	    .auto_ack = true,
	};
	uint8_t cd[600], sd[1000];
	struct pcapw_tcp_conn c;
	struct pcapw w;
	int r = open_v4(&w, &c, out_path, &cfg, 0);

	if (r < 0)
		return r;
	scen_alpha(cd, sizeof(cd), 'a');
	scen_alpha(sd, sizeof(sd), 'A');
	pcapw_tcp_send(&c, PCAPW_C2S, cd, sizeof(cd));
	pcapw_tcp_send(&c, PCAPW_S2C, sd, sizeof(sd));
	return finish(&w, &c);
}

/*
 * tcp-rst: a session torn down by the client with RST, 8 packets, 1 TCP flow.
 *   1-3   handshake
 *   4,5   client 100 bytes (byte k = 'a' + k % 26), server ACK
 *   6,7   server 1000 bytes (byte k = 'A' + k % 26), client ACK
 *   8     client RST|ACK at relative seq 100, ack relative 1000.
 * Reassembled: exactly those 100 and 1000 bytes; the flow ends by reset (no FIN), and the RST
 * is in-window (valid).
 */
int scenarios_tcp_rst(const char *out_path)
{
	struct pcapw_tcp_cfg cfg = cfg_linux(SCEN_T0, SCEN_MS);
	uint8_t cd[100], sd[1000];
	struct pcapw_tcp_conn c;
	struct pcapw w;
	int r = open_v4(&w, &c, out_path, &cfg, 0);

	if (r < 0)
		return r;
	scen_alpha(cd, sizeof(cd), 'a');
	scen_alpha(sd, sizeof(sd), 'A');
	pcapw_tcp_handshake(&c);
	pcapw_tcp_send(&c, PCAPW_C2S, cd, sizeof(cd));
	pcapw_tcp_send(&c, PCAPW_S2C, sd, sizeof(sd));
	pcapw_tcp_rst(&c, PCAPW_C2S);
	return finish(&w, &c);
}

static const char v6_req[] = "GET /v6.html HTTP/1.1\r\n"
			     "Host: [2001:db8::2]\r\n"
			     "\r\n";

/*
 * tcp-v6: tcp-basic's shape over IPv6: client [2001:db8::1]:49152 (02:00:00:00:00:01), server
 * [2001:db8::2]:80 (02:00:00:00:00:02), hop limit 64, MSS 1440; 13 packets, 1 TCP flow.
 *   1-3   handshake
 *   4,5   request "GET /v6.html HTTP/1.1\r\nHost: [2001:db8::2]\r\n\r\n" (46 bytes), ACK
 *   6-10  server 3000 bytes (byte k = 'A' + k % 26) in segments of 1428, 1428, 144, client
 *         ACKs after the 2nd and the 3rd (packets 8, 10)
 *   11-13 client FIN, server FIN-ACK, client ACK.
 * Reassembled: exactly those 46 and 3000 bytes; clean close. No anomalies.
 */
int scenarios_tcp_v6(const char *out_path)
{
	struct pcapw_tcp_cfg cfg = cfg_linux(SCEN_T0, SCEN_MS);
	struct pcapw_host cli, srv;
	struct pcapw_tcp_conn c;
	uint8_t sd[3000];
	struct pcapw w;
	int r = pcapw_open(&w, out_path, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, 0);

	if (r < 0)
		return r;
	cfg.mss = 1440;
	pcapw_host_set(&cli, "2001:db8::1", "02:00:00:00:00:01", 49152);
	pcapw_host_set(&srv, "2001:db8::2", "02:00:00:00:00:02", 80);
	scen_alpha(sd, sizeof(sd), 'A');
	pcapw_tcp_open(&c, &w, &eth, &cli, &srv, &cfg);
	pcapw_tcp_handshake(&c);
	pcapw_tcp_send(&c, PCAPW_C2S, v6_req, sizeof(v6_req) - 1);
	pcapw_tcp_send(&c, PCAPW_S2C, sd, sizeof(sd));
	pcapw_tcp_close(&c, PCAPW_C2S);
	return finish(&w, &c);
}

static const char small_c[] = "hello from the client\n";
static const char small_s[] = "hello from the server\n";

int scenarios_tcp_small(struct pcapw *w, const struct pcapw_link *lk, uint64_t t0)
{
	struct pcapw_tcp_cfg cfg = cfg_linux(t0, SCEN_MS);
	struct pcapw_host cli, srv;
	struct pcapw_tcp_conn c;

	pcapw_host_set(&cli, "10.0.4.1", "02:00:00:00:04:01", 50000);
	pcapw_host_set(&srv, "10.0.4.2", "02:00:00:00:04:02", 8080);
	cli.df = srv.df = true;
	pcapw_tcp_open(&c, w, lk, &cli, &srv, &cfg);
	pcapw_tcp_handshake(&c);
	pcapw_tcp_send(&c, PCAPW_C2S, small_c, sizeof(small_c) - 1);
	pcapw_tcp_send(&c, PCAPW_S2C, small_s, sizeof(small_s) - 1);
	pcapw_tcp_close(&c, PCAPW_C2S);
	return c.err;
}

static const char split_req[] = "GET /a HTTP/1.1\r\n"
				"Host: www.example.com\r\n"
				"X-Marker: split-across-segments\r\n"
				"\r\n";
static const char split_resp[] = "HTTP/1.1 200 OK\r\n"
				 "Content-Length: 27\r\n"
				 "\r\n"
				 "confidential-report-content";

/*
 * tcp-split: patterns that no single packet holds. 10.0.0.1:49152 -> 10.0.0.2:80, 13 packets:
 *   1-3   handshake
 *   4,5   the request in two segments cut inside "split-across-segments" (request byte 53)
 *   6     server ACK
 *   7     response bytes [50,66) first (out of order), 8 client dup ACK
 *   9     response bytes [0,50): the cut is inside "confidential-report-content" (body
 *         starts at byte 39)
 *   10    client ACK; 11-13 server FIN, client FIN-ACK, server ACK.
 * Only reassembly shows "split-across-segments" (to server) and "confidential-report-content"
 * (to client); detection must find each exactly once.
 */
int scenarios_tcp_split(const char *out_path)
{
	struct pcapw_tcp_cfg cfg = cfg_linux(SCEN_T0, SCEN_MS);
	struct pcapw_tcp_conn c;
	struct pcapw w;
	size_t rq = sizeof(split_req) - 1, rs = sizeof(split_resp) - 1;
	int r = open_v4(&w, &c, out_path, &cfg, 0);

	if (r < 0)
		return r;
	pcapw_tcp_handshake(&c);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 0, split_req, 53);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 53, split_req + 53, rq - 53);
	pcapw_tcp_ack(&c, PCAPW_S2C);
	pcapw_tcp_send_at(&c, PCAPW_S2C, 50, split_resp + 50, rs - 50);
	pcapw_tcp_ack_at(&c, PCAPW_C2S, 0);
	pcapw_tcp_send_at(&c, PCAPW_S2C, 0, split_resp, 50);
	pcapw_tcp_ack(&c, PCAPW_C2S);
	pcapw_tcp_close(&c, PCAPW_S2C);
	return finish(&w, &c);
}

static const char badsum_bad[] = "GET /b HTTP/1.1\r\nX-Tag: corrupted\r\n\r\n";
static const char badsum_good[] = "GET /b HTTP/1.1\r\nX-Tag: original!\r\n\r\n";

/*
 * tcp-badsum: a segment with a wrong TCP checksum, then its retransmission with a right
 * one and other bytes. 10.0.0.1:49152 -> 10.0.0.2:80, 9 packets:
 *   1-3  handshake
 *   4    request (37 bytes) "... X-Tag: corrupted ...", TCP checksum wrong
 *   5    the same sequence range, "... X-Tag: original! ...", checksum right
 *   6    server ACK; 7-9 client FIN, server FIN-ACK, client ACK
 * With checksum validation (-k all) the stream holds "original!"; without (-k none, or
 * auto on a capture this small) the first copy wins: "corrupted".
 */
int scenarios_tcp_badsum(const char *out_path)
{
	struct pcapw_tcp_cfg cfg = cfg_linux(SCEN_T0, SCEN_MS);
	struct pcapw_tcp_conn c;
	struct pcapw w;
	int r = open_v4(&w, &c, out_path, &cfg, 0);

	if (r < 0)
		return r;
	pcapw_tcp_handshake(&c);
	c.bad_csum_next = true;
	pcapw_tcp_send_at(&c, PCAPW_C2S, 0, badsum_bad, sizeof(badsum_bad) - 1);
	pcapw_tcp_send_at(&c, PCAPW_C2S, 0, badsum_good, sizeof(badsum_good) - 1);
	pcapw_tcp_ack(&c, PCAPW_S2C);
	pcapw_tcp_close(&c, PCAPW_C2S);
	return finish(&w, &c);
}
