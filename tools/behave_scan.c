/*
 * behave_scan — the scanning behaviours: a horizontal SYN scan from the Internet, a vertical
 * SYN scan and an ICMP echo sweep from a compromised office host. Each probe is a bare SYN
 * (MSS 1460, window 1024, the scanner's one source port) answered by SYN-ACK (then the
 * scanner's RST) when open, by RST-ACK when closed.
 */
#include "behave.h"

#include <string.h>

void beh_shuffle(uint32_t *v, size_t n, struct scen_rng *r)
{
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)(scen_rand(r) % (i + 1));
		uint32_t x = v[i];

		v[i] = v[j];
		v[j] = x;
	}
}

void beh_choose(bool *pick, size_t n, size_t k, struct scen_rng *r)
{
	memset(pick, 0, n);
	while (k > 0) {
		size_t j = (size_t)(scen_rand(r) % n);

		if (!pick[j]) {
			pick[j] = true;
			k--;
		}
	}
}

/* One probe at t from scanner to target:port answered as ans: 3 packets when open, 2 when
 * closed, 1 when silent. */
static void probe(struct behave *b, struct scen_rng *r, uint64_t t, struct pcapw_host *scanner,
		  struct pcapw_host *target, uint16_t port, enum beh_answer ans)
{
	uint32_t isn_c = (uint32_t)scen_rand(r);
	uint32_t isn_s = (uint32_t)scen_rand(r);
	struct pcapw_tcp_cfg cfg = {
	    .start_ns = t,
	    .step_ns = 250 * SCEN_US,
	    .isn = {isn_c, isn_s},
	    .mss = 1460,
	    .win = 1024,
	};
	struct pcapw_tcp_conn c;

	target->port = port;
	pcapw_tcp_open(&c, &b->w, &b->lk, scanner, target, &cfg);
	pcapw_tcp_syn(&c);
	if (ans == BEH_ANS_OPEN) {
		c.cfg.win = 64240;
		pcapw_tcp_synack(&c);
		pcapw_tcp_segment(&c, PCAPW_C2S, PCAPW_TH_RST, isn_c + 1, 0, NULL, 0);
	} else if (ans == BEH_ANS_CLOSED) {
		pcapw_tcp_segment(&c, PCAPW_S2C, PCAPW_TH_RST | PCAPW_TH_ACK, 0, isn_c + 1, NULL,
				  0);
	}
	beh_tcp_done(b, &c);
}

void beh_hscan_run(struct behave *b, struct scen_rng *r, struct beh_hscan *s)
{
	struct pcapw_host scanner = beh_host(s->src, 0);

	scanner.port = beh_eph(r);
	beh_count(b, &s->a, s->src);
	for (size_t i = 0; i < s->n; i++) {
		struct pcapw_host tgt = beh_host(s->target[i], 0);

		probe(b, r, s->t0 + i * s->step, &scanner, &tgt, s->port,
		      (enum beh_answer)s->answer[i]);
	}
	beh_count(b, NULL, 0);
}

/*
 * scan-horizontal: from 09:20:00, 198.51.100.23 (source port fixed per scan) sends one SYN
 * to port 445 of each of 10.10.2.1-254 in random order, 230 ms apart (58.4 s in all); 20
 * targets (random) answer SYN-ACK and get an RST, the other 234 answer RST-ACK: 528 packets.
 * Truth: src_ip, dest_port 445, proto TCP, distinct_targets 254, open 20 (open_targets
 * listed), syn 254, packets 528, first_seen / last_seen of the scanner's SYNs.
 */
void beh_scan_horizontal(struct behave *b, struct scen_rng *r)
{
	struct beh_hscan s;
	uint32_t order[254];
	bool open[254];
	char ip[16];

	for (uint32_t i = 0; i < 254; i++)
		order[i] = i + 1;
	beh_shuffle(order, 254, r);
	beh_choose(open, 254, 20, r);
	s = (struct beh_hscan){.src = BEH_IP(198, 51, 100, 23),
			       .port = 445,
			       .t0 = BEH_MIN(9, 20),
			       .step = 230 * SCEN_MS,
			       .n = 254};
	for (size_t i = 0; i < 254; i++) {
		s.target[i] = BEH_IP(10, 10, 2, order[i]);
		s.answer[i] = open[i] ? BEH_ANS_OPEN : BEH_ANS_CLOSED;
	}
	beh_hscan_run(b, r, &s);
	beh_truth_begin(b, "scan-horizontal");
	beh_jip(b, "src_ip", s.src);
	beh_ju64(b, "dest_port", 445);
	beh_jstr(b, "proto", "TCP");
	beh_jstr(b, "targets", "10.10.2.1-10.10.2.254");
	beh_ju64(b, "distinct_targets", 254);
	beh_ju64(b, "syn", 254);
	beh_ju64(b, "open", 20);
	beh_jraw(b, ",\"open_targets\":[");
	for (size_t i = 0, n = 0; i < 254; i++)
		if (open[i]) {
			beh_jraw(b, n++ ? ",\"" : "\"");
			beh_jraw(b, beh_ipstr(s.target[i], ip));
			beh_jraw(b, "\"");
		}
	beh_jraw(b, "]");
	beh_ju64(b, "packets", s.a.pkts[0] + s.a.pkts[1]);
	beh_jtime(b, "first_seen", s.t0);
	beh_jtime(b, "last_seen", s.t0 + 253 * s.step);
	beh_truth_end(b);
}

/*
 * scan-vertical: from 09:25:00, office host 10.10.1.23 (one source port) sends a SYN to
 * each port 1-1024 of 10.10.0.20 in random order, 29 ms apart (29.7 s); 22, 80, 139, 445
 * answer SYN-ACK then get an RST, the other 1020 RST-ACK: 2052 packets. Truth: src_ip,
 * dest_ip, distinct_ports 1024, open_ports, packets, first_seen / last_seen of the SYNs.
 */
void beh_scan_vertical(struct behave *b, struct scen_rng *r)
{
	static uint32_t order[1024];
	struct pcapw_host scanner = beh_host(BEH_IP(10, 10, 1, 23), 0);
	struct pcapw_host tgt = beh_host(BEH_FILESRV, 0);
	uint64_t t0 = BEH_MIN(9, 25), step = 29 * SCEN_MS;
	struct beh_acct a;

	for (uint32_t i = 0; i < 1024; i++)
		order[i] = i + 1;
	beh_shuffle(order, 1024, r);
	scanner.port = beh_eph(r);
	beh_count(b, &a, BEH_IP(10, 10, 1, 23));
	for (size_t i = 0; i < 1024; i++) {
		uint32_t p = order[i];

		probe(b, r, t0 + i * step, &scanner, &tgt, (uint16_t)p,
		      p == 22 || p == 80 || p == 139 || p == 445 ? BEH_ANS_OPEN : BEH_ANS_CLOSED);
	}
	beh_count(b, NULL, 0);
	beh_truth_begin(b, "scan-vertical");
	beh_jip(b, "src_ip", BEH_IP(10, 10, 1, 23));
	beh_jip(b, "dest_ip", BEH_FILESRV);
	beh_jstr(b, "proto", "TCP");
	beh_ju64(b, "distinct_ports", 1024);
	beh_jstr(b, "ports", "1-1024");
	beh_jraw(b, ",\"open_ports\":[22,80,139,445]");
	beh_ju64(b, "packets", a.pkts[0] + a.pkts[1]);
	beh_jtime(b, "first_seen", t0);
	beh_jtime(b, "last_seen", t0 + 1023 * step);
	beh_truth_end(b);
}

/*
 * icmp-sweep: from 09:28:00, 10.10.1.23 sends one ICMP echo request (id fixed, seq 1..100,
 * 56 data bytes) to each of 10.10.3.1-100 in random order, 200 ms apart; 30 of them
 * (random) reply 400 us later: 130 packets. Truth: src_ip, distinct_targets 100, replies 30,
 * packets 130, first_seen / last_seen of the requests.
 */
void beh_icmp_sweep(struct behave *b, struct scen_rng *r)
{
	uint32_t order[100];
	bool reply[100];
	struct pcapw_host src = beh_host(BEH_IP(10, 10, 1, 23), 0);
	uint64_t t0 = BEH_MIN(9, 28), step = 200 * SCEN_MS;
	uint16_t id = (uint16_t)scen_rand(r);
	uint8_t buf[256], data[56];
	struct beh_acct a;

	for (uint32_t i = 0; i < 100; i++)
		order[i] = i + 1;
	beh_shuffle(order, 100, r);
	beh_choose(reply, 100, 30, r);
	for (int k = 0; k < 56; k++)
		data[k] = (uint8_t)(0x10 + k);
	beh_count(b, &a, BEH_IP(10, 10, 1, 23));
	for (size_t i = 0; i < 100; i++) {
		struct pcapw_host dst = beh_host(BEH_IP(10, 10, 3, order[i]), 0);

		for (int rep = 0; rep < (reply[i] ? 2 : 1); rep++) {
			struct pcapw_pkt p;

			pcapw_pkt_init(&p, buf, sizeof(buf));
			pcapw_add_hdrs(&p, &b->lk, rep ? &dst : &src, rep ? &src : &dst);
			pcapw_add_icmp4_echo(&p, rep, id, (uint16_t)(i + 1));
			pcapw_add_raw(&p, PCAPW_NEXT_KEEP, data, sizeof(data));
			beh_fail(b, pcapw_pkt_write(
					&b->w, t0 + i * step + (uint64_t)rep * 400 * SCEN_US, &p));
		}
	}
	beh_count(b, NULL, 0);
	beh_truth_begin(b, "icmp-sweep");
	beh_jip(b, "src_ip", BEH_IP(10, 10, 1, 23));
	beh_jstr(b, "proto", "ICMP");
	beh_jstr(b, "targets", "10.10.3.1-10.10.3.100");
	beh_ju64(b, "distinct_targets", 100);
	beh_ju64(b, "replies", 30);
	beh_ju64(b, "packets", a.pkts[0] + a.pkts[1]);
	beh_jtime(b, "first_seen", t0);
	beh_jtime(b, "last_seen", t0 + 99 * step);
	beh_truth_end(b);
}
