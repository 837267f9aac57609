/*
 * behave_zone — traffic that is wrong by where it goes: unsolicited packets into the darknet
 * 10.99.0.0/16 (scanning, and the backscatter of a spoofed flood elsewhere) and connections
 * across the OT zone policy (`ot` may talk only to `ot` and `ot-dmz`, never the Internet).
 */
#include "behave.h"

#include <string.h>

/* n distinct random hosts of 10.99.0.0/16 (last octet 1-254) into out. */
static void darknet_hosts(struct scen_rng *r, uint32_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool dup;

		do {
			uint32_t hi = (uint32_t)(scen_rand(r) % 256);
			uint32_t lo = (uint32_t)beh_range(r, 1, 254);

			out[i] = BEH_IP(10, 99, hi, lo);
			dup = false;
			for (size_t j = 0; j < i && !dup; j++)
				dup = out[j] == out[i];
		} while (dup);
	}
}

/* Distinct values among v[0..n). */
static uint64_t ndistinct(const uint32_t *v, size_t n)
{
	uint64_t d = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < i && v[j] != v[i])
			j++;
		d += j == i;
	}
	return d;
}

/* One bare TCP segment from src:sport to dst:dport at t. */
static void segment(struct behave *b, struct scen_rng *r, uint64_t t, uint32_t src, uint16_t sport,
		    uint32_t dst, uint16_t dport, uint8_t flags)
{
	uint32_t seq = (uint32_t)scen_rand(r);
	uint32_t ack = (uint32_t)scen_rand(r);
	struct pcapw_tcp_cfg cfg = {.start_ns = t, .isn = {seq, ack}, .mss = 1460};
	struct pcapw_host s = beh_host(src, sport), d = beh_host(dst, dport);
	struct pcapw_tcp_conn c;

	pcapw_tcp_open(&c, &b->w, &b->lk, &s, &d, &cfg);
	pcapw_tcp_segment(&c, PCAPW_C2S, flags, seq, ack, NULL, 0);
	beh_tcp_done(b, &c);
}

/*
 * backscatter: between 09:50:00 and 10:00:00 (random times), 192.0.2.77 sends 150 SYN-ACKs
 * from port 80 and 50 RST-ACKs from port 80 to 200 distinct hosts of 10.99.0.0/16, random
 * destination ports 1024-65535; nothing inside ever sent it a SYN (the replies of a victim of
 * a SYN flood with spoofed sources). Must be classified as backscatter, not as a scan.
 * Truth: src_ip, src_port 80, synack 150, rst 50, packets 200, distinct_targets 200,
 * classification "backscatter", first_seen / last_seen.
 */
void beh_backscatter(struct behave *b, struct scen_rng *r)
{
	const uint32_t src = BEH_IP(192, 0, 2, 77);
	uint32_t dst[200];
	uint64_t first = ~0ull, last = 0;

	darknet_hosts(r, dst, 200);
	for (size_t i = 0; i < 200; i++) {
		uint64_t t = BEH_MIN(9, 50) + beh_range(r, 0, 599999) * SCEN_MS;
		uint16_t dport = (uint16_t)beh_range(r, 1024, 65535);

		segment(
		    b, r, t, src, 80, dst[i], dport,
		    (uint8_t)(i < 150 ? PCAPW_TH_SYN | PCAPW_TH_ACK : PCAPW_TH_RST | PCAPW_TH_ACK));
		first = t < first ? t : first;
		last = t > last ? t : last;
	}
	beh_truth_begin(b, "backscatter");
	beh_jip(b, "src_ip", src);
	beh_ju64(b, "src_port", 80);
	beh_jstr(b, "proto", "TCP");
	beh_ju64(b, "synack", 150);
	beh_ju64(b, "rst", 50);
	beh_ju64(b, "packets", 200);
	beh_ju64(b, "distinct_targets", 200);
	beh_jstr(b, "classification", "backscatter");
	beh_jtime(b, "first_seen", first);
	beh_jtime(b, "last_seen", last);
	beh_truth_end(b);
}

/* One darknet source group for the truth. */
static void group(struct behave *b, bool more, uint32_t src, const char *proto, int port, size_t n,
		  const uint32_t *dst)
{
	char ip[16];

	beh_jraw(b, more ? ",{\"src_ip\":\"" : "{\"src_ip\":\"");
	beh_jraw(b, beh_ipstr(src, ip));
	beh_jraw(b, "\"");
	beh_jstr(b, "proto", proto);
	if (port >= 0)
		beh_ju64(b, "dest_port", (uint64_t)port);
	beh_ju64(b, "packets", n);
	beh_ju64(b, "distinct_dests", ndistinct(dst, n));
	beh_jraw(b, "}");
}

/*
 * darknet: between 10:00:00 and 10:20:00 (random times, random 10.99.x.y with last octet
 * 1-254, repeats possible): 203.0.113.50 sends 200 SYNs to port 23 and 100 to port 2323
 * (window 1024, random source ports); 198.51.100.99 sends 40 UDP DNS queries (A
 * example.com) to port 53 and 10 ICMP echo requests. No darknet host answers. Truth:
 * "groups", per (src_ip, proto, dest_port): packets and distinct_dests; first_seen /
 * last_seen over all 350 packets.
 */
void beh_darknet(struct behave *b, struct scen_rng *r)
{
	static uint32_t d23[200], d2323[100], d53[40], dicmp[10];
	const uint32_t scan = BEH_IP(203, 0, 113, 50), prober = BEH_IP(198, 51, 100, 99);
	struct pcapw_host pr = beh_host(prober, 0);
	uint64_t first = ~0ull, last = 0;
	uint8_t buf[256], data[32];

	memset(data, 0x61, sizeof(data));
	for (size_t i = 0; i < 350; i++) {
		uint64_t t = BEH_MIN(10, 0) + beh_range(r, 0, 1199999) * SCEN_MS;
		uint32_t hi = (uint32_t)(scen_rand(r) % 256);
		uint32_t dst = BEH_IP(10, 99, hi, beh_range(r, 1, 254));
		struct pcapw_host dh = beh_host(dst, 53);

		first = t < first ? t : first;
		last = t > last ? t : last;
		if (i < 300) {
			uint32_t seq = (uint32_t)scen_rand(r);
			struct pcapw_tcp_cfg cfg = {.start_ns = t, .isn = {seq, 0}, .win = 1024};
			struct pcapw_host s = beh_host(scan, beh_eph(r));
			struct pcapw_tcp_conn c;

			dh.port = i < 200 ? 23 : 2323;
			*(i < 200 ? &d23[i] : &d2323[i - 200]) = dst;
			pcapw_tcp_open(&c, &b->w, &b->lk, &s, &dh, &cfg);
			pcapw_tcp_syn(&c);
			beh_tcp_done(b, &c);
		} else if (i < 340) {
			d53[i - 300] = dst;
			beh_dns(b, r, t, &pr, &dh, "example.com", 1, NULL, 0);
		} else {
			struct pcapw_pkt p;

			dicmp[i - 340] = dst;
			pcapw_pkt_init(&p, buf, sizeof(buf));
			pcapw_add_hdrs(&p, &b->lk, &pr, &dh);
			pcapw_add_icmp4_echo(&p, false, 0x4d61, (uint16_t)(i - 339));
			pcapw_add_raw(&p, PCAPW_NEXT_KEEP, data, sizeof(data));
			beh_fail(b, pcapw_pkt_write(&b->w, t, &p));
		}
	}
	beh_truth_begin(b, "darknet");
	beh_jstr(b, "darknet", "10.99.0.0/16");
	beh_jraw(b, ",\"groups\":[");
	group(b, false, scan, "TCP", 23, 200, d23);
	group(b, true, scan, "TCP", 2323, 100, d2323);
	group(b, true, prober, "UDP", 53, 40, d53);
	group(b, true, prober, "ICMP", -1, 10, dicmp);
	beh_jraw(b, "]");
	beh_ju64(b, "packets", 350);
	beh_jtime(b, "first_seen", first);
	beh_jtime(b, "last_seen", last);
	beh_truth_end(b);
}

/* One violation entry of the zone truth. */
static void violation(struct behave *b, bool more, uint64_t t, uint32_t src, uint16_t sport,
		      uint32_t dst, uint16_t dport, const char *proto, const char *rule,
		      const char *from, const char *to)
{
	beh_jraw(b, more ? ",{\"proto\":\"" : "{\"proto\":\"");
	beh_jraw(b, proto);
	beh_jraw(b, "\"");
	beh_jtime(b, "time", t);
	beh_jip(b, "src_ip", src);
	beh_ju64(b, "src_port", sport);
	beh_jip(b, "dest_ip", dst);
	beh_ju64(b, "dest_port", dport);
	beh_jstr(b, "rule", rule);
	beh_jstr(b, "src_zone", from);
	beh_jstr(b, "dest_zone", to);
	beh_jraw(b, "}");
}

/*
 * zone: three policy violations. 10:15:00 the HMI 10.50.0.7 sends one DNS query (A
 * update.example.com) to 8.8.8.8:53, no answer (rule "internet"); 10:40:00 the PLC
 * 10.50.0.8 sends one SYN to 93.184.216.34:443, no answer (rule "internet"); 10:50:00 the
 * office host 10.10.1.30 opens a Modbus/TCP session to 10.50.0.7:502 (handshake, 2 polls,
 * FIN; rule "not-allowed-zone": office is not `ot` or `ot-dmz`). Truth: "violations" with
 * time (first packet), src/dest ip and port, proto, rule, zones.
 */
void beh_zone(struct behave *b, struct scen_rng *r)
{
	struct pcapw_host hmi = beh_host(BEH_HMI, 0), g = beh_host(BEH_IP(8, 8, 8, 8), 53);
	struct pcapw_host office = beh_host(BEH_IP(10, 10, 1, 30), 0),
			  hmi2 = beh_host(BEH_HMI, 502);
	uint32_t isn = (uint32_t)scen_rand(r);
	struct pcapw_tcp_cfg cfg = {
	    .start_ns = BEH_MIN(10, 40), .isn = {isn, 0}, .mss = 1460, .sack_perm = true};
	struct pcapw_host plc = beh_host(BEH_IP(10, 50, 0, 8), beh_eph(r));
	struct pcapw_host web = beh_host(BEH_IP(93, 184, 216, 34), 443);
	struct pcapw_tcp_conn c;

	beh_dns(b, r, BEH_MIN(10, 15), &hmi, &g, "update.example.com", 1, NULL, 0);
	pcapw_tcp_open(&c, &b->w, &b->lk, &plc, &web, &cfg);
	pcapw_tcp_syn(&c);
	beh_tcp_done(b, &c);
	beh_modbus_session(b, r, BEH_MIN(10, 50), &office, &hmi2, 2);

	beh_truth_begin(b, "zone");
	beh_jraw(b, ",\"violations\":[");
	violation(b, false, BEH_MIN(10, 15), BEH_HMI, hmi.port, BEH_IP(8, 8, 8, 8), 53, "UDP",
		  "internet", "ot", "internet");
	violation(b, true, BEH_MIN(10, 40), BEH_IP(10, 50, 0, 8), plc.port,
		  BEH_IP(93, 184, 216, 34), 443, "TCP", "internet", "ot", "internet");
	violation(b, true, BEH_MIN(10, 50), BEH_IP(10, 10, 1, 30), office.port, BEH_HMI, 502, "TCP",
		  "not-allowed-zone", "home", "ot");
	beh_jraw(b, "]");
	beh_truth_end(b);
}
