/*
 * TCP state tracking and reassembly on the generated scenarios: exact bytes
 * per direction, retransmissions, reordering, overlaps under both policies,
 * gaps, sequence wrap, mid-stream pickup, resets, IPv6, depth and caps.
 */
#include "check.h"
#include "pcapw.h"
#include "pipe_harness.h"

static struct harness H;

/* One TCP flow expected: returns it. */
static struct h_flow *one_tcp(struct harness *h)
{
	CHECK_EQ(h->nflows, 1);
	CHECK(h->flows[0].ended);
	CHECK_EQ(h->flows[0].proto, 6);
	return &h->flows[0];
}

static void test_basic(const char *scenario)
{
	h_init(&H);
	CHECK(h_run_scenario(&H, scenario) == 0);
	struct h_flow *f = one_tcp(&H);
	CHECK_EQ(f->d[0].len, 92);
	CHECK(memcmp(f->d[0].data, "GET /index.html HTTP/1.1\r\n", 26) == 0);
	CHECK_EQ(f->d[1].len, 4086); /* tshark -z follow agrees */
	CHECK(memcmp(f->d[1].data, "HTTP/1.1 200 OK", 15) == 0);
	CHECK_EQ(f->d[0].gaps + f->d[1].gaps, 0);
	CHECK(f->d[0].offsets_ok && f->d[1].offsets_ok);
	CHECK_EQ(f->tcp_state, TCP_CLOSED);
	CHECK_EQ(f->state, FLOW_STATE_CLOSED);
	CHECK_EQ(f->pkts[0] + f->pkts[1], 13);
	CHECK_EQ(H.pl.cnt.c[CNT_DEC_INVALID], 0);
	h_free(&H);
}

static void test_patterns(const char *scenario, uint32_t c2s, uint32_t s2c, bool midstream)
{
	h_init(&H);
	H.cfg.midstream = midstream;
	CHECK(h_run_scenario(&H, scenario) == 0);
	struct h_flow *f = one_tcp(&H);
	CHECK_EQ(f->d[0].len, c2s);
	CHECK(h_pattern(f->d[0].data, f->d[0].len, 'a'));
	CHECK_EQ(f->d[1].len, s2c);
	CHECK(h_pattern(f->d[1].data, f->d[1].len, 'A'));
	CHECK_EQ(f->d[0].gaps + f->d[1].gaps, 0);
	CHECK(f->d[0].offsets_ok && f->d[1].offsets_ok);
	h_free(&H);
}

static void test_retrans_ooo(void)
{
	test_patterns("tcp-retrans", 2000, 1500, false);
	h_init(&H);
	CHECK(h_run_scenario(&H, "tcp-retrans") == 0);
	CHECK(H.pl.cnt.c[CNT_TCP_RETRANS] >= 2);
	h_free(&H);

	test_patterns("tcp-ooo", 2000, 1500, false);
	h_init(&H);
	CHECK(h_run_scenario(&H, "tcp-ooo") == 0);
	CHECK(H.pl.cnt.c[CNT_TCP_OOO] >= 2);
	CHECK_EQ(H.pl.cnt.c[CNT_TCP_SEG_MEMUSE], 0); /* everything buffered was released */
	h_free(&H);
}

static void test_overlap_delivered(void)
{
	/* The overlapping copy arrives after the original was delivered in order:
	 * every TCP stack keeps the original, and so does mamori, whatever the policy. */
	for (int pol = OVERLAP_FIRST; pol <= OVERLAP_LAST; pol++) {
		h_init(&H);
		H.cfg.stream_overlap = pol;
		CHECK(h_run_scenario(&H, "tcp-overlap") == 0);
		struct h_flow *f = one_tcp(&H);
		CHECK_EQ(f->d[0].len, 300);
		CHECK(h_fill(f->d[0].data, 100, 'a'));
		CHECK(h_fill(f->d[0].data + 100, 100, 'b'));
		CHECK(h_fill(f->d[0].data + 200, 100, 'c'));
		CHECK_EQ(f->d[1].len, 100);
		CHECK(H.pl.cnt.c[CNT_TCP_RETRANS] >= 1);
		h_free(&H);
	}
}

/*
 * Overlap among buffered (out-of-order) data, where policies differ: the
 * client sends [100,200) 'b', then [50,150) 'X', then [0,100) 'a'.
 * first: a*100 b*100.  last: a*100 X*50 b*50 (the newer 'X' replaced
 * buffered 'b' bytes, and the in-order 'a' is newer than the buffered 'X').
 */
static int write_buffered_overlap(const char *path)
{
	struct pcapw w;
	struct pcapw_tcp_conn c;
	struct pcapw_host cli, srv;
	struct pcapw_link lk = {.linktype = PCAPW_LINK_ETHERNET};
	struct pcapw_tcp_cfg cfg = {.start_ns = 1705309200000000000ull, .step_ns = 1000000,
				    .isn = {1000, 5000}, .mss = 1460};
	uint8_t a[100], b[100], x[100];

	memset(a, 'a', 100);
	memset(b, 'b', 100);
	memset(x, 'X', 100);
	if (pcapw_open(&w, path, PCAPW_LINK_ETHERNET, 65535, 0) < 0)
		return -1;
	pcapw_host_set(&cli, "10.9.0.1", "02:00:00:00:09:01", 40000);
	pcapw_host_set(&srv, "10.9.0.2", "02:00:00:00:09:02", 80);
	pcapw_tcp_open(&c, &w, &lk, &cli, &srv, &cfg);
	(void)pcapw_tcp_handshake(&c);
	(void)pcapw_tcp_send_at(&c, PCAPW_C2S, 100, b, 100);
	(void)pcapw_tcp_send_at(&c, PCAPW_C2S, 50, x, 100);
	(void)pcapw_tcp_send_at(&c, PCAPW_C2S, 0, a, 100);
	(void)pcapw_tcp_ack(&c, PCAPW_S2C);
	(void)pcapw_tcp_close(&c, PCAPW_C2S);
	return pcapw_close(&w);
}

static void test_overlap_buffered(void)
{
	const char *path = "/tmp/mamori-test-bufovl.pcap";
	CHECK(write_buffered_overlap(path) == 0);
	for (int pol = OVERLAP_FIRST; pol <= OVERLAP_LAST; pol++) {
		h_init(&H);
		H.cfg.stream_overlap = pol;
		CHECK(h_run_file(&H, path) == 0);
		struct h_flow *f = one_tcp(&H);
		CHECK_EQ(f->d[0].len, 200);
		CHECK(h_fill(f->d[0].data, 100, 'a'));
		if (pol == OVERLAP_FIRST) {
			CHECK(h_fill(f->d[0].data + 100, 100, 'b'));
		} else {
			CHECK(h_fill(f->d[0].data + 100, 50, 'X'));
			CHECK(h_fill(f->d[0].data + 150, 50, 'b'));
		}
		CHECK_EQ(H.pl.cnt.c[CNT_TCP_OVERLAP_DIFF], 1);
		CHECK_EQ(f->d[0].gaps, 0);
		h_free(&H);
	}
	unlink(path);
}

static void test_gap(void)
{
	h_init(&H);
	CHECK(h_run_scenario(&H, "tcp-gap") == 0);
	struct h_flow *f = one_tcp(&H);
	CHECK_EQ(f->d[0].len, 200);
	CHECK(h_fill(f->d[0].data, 100, 'a'));
	CHECK(h_fill(f->d[0].data + 100, 100, 'c'));
	CHECK_EQ(f->d[0].gaps, 1);
	CHECK_EQ(f->d[0].gap_bytes, 100);
	CHECK(f->d[0].offsets_ok);
	CHECK_EQ(f->d[1].len, 100);
	CHECK_EQ(H.pl.cnt.c[CNT_TCP_GAPS], 1);
	CHECK_EQ(f->tcp_state, TCP_CLOSED);
	h_free(&H);
}

static void test_midstream(void)
{
	test_patterns("tcp-midstream", 600, 1000, true);
	/* Without midstream pickup the session is not reassembled (but is a flow). */
	h_init(&H);
	CHECK(h_run_scenario(&H, "tcp-midstream") == 0);
	struct h_flow *f = &H.flows[0];
	CHECK_EQ(H.nflows, 1);
	CHECK_EQ(f->d[0].len + f->d[1].len, 0);
	CHECK(H.pl.cnt.c[CNT_TCP_NO_SESSION] > 0);
	h_free(&H);
}

static void test_rst(void)
{
	test_patterns("tcp-rst", 100, 1000, false);
	h_init(&H);
	CHECK(h_run_scenario(&H, "tcp-rst") == 0);
	CHECK_EQ(H.flows[0].tcp_state, TCP_CLOSED);
	h_free(&H);
}

static void test_v6(void)
{
	h_init(&H);
	CHECK(h_run_scenario(&H, "tcp-v6") == 0);
	struct h_flow *f = one_tcp(&H);
	CHECK_EQ(f->d[0].len, 46);
	CHECK(memcmp(f->d[0].data, "GET /v6.html", 12) == 0);
	CHECK_EQ(f->d[1].len, 3000);
	CHECK(h_pattern(f->d[1].data, 3000, 'A'));
	CHECK_EQ(f->tcp_state, TCP_CLOSED);
	h_free(&H);
}

static void test_depth(void)
{
	h_init(&H);
	H.cfg.reassembly_depth = 1000;
	CHECK(h_run_scenario(&H, "tcp-ooo") == 0);
	struct h_flow *f = one_tcp(&H);
	CHECK_EQ(f->d[0].len, 1000);
	CHECK(h_pattern(f->d[0].data, 1000, 'a'));
	CHECK_EQ(f->d[1].len, 1000);
	CHECK_EQ(H.pl.cnt.c[CNT_TCP_DEPTH], 2);
	CHECK_EQ(H.pl.cnt.c[CNT_TCP_SEG_MEMUSE], 0);
	h_free(&H);
}

/* A gap that carries the stream past the depth: nothing more is delivered
 * (this once computed a negative remaining depth and overran the packet). */
static void test_depth_inside_gap(void)
{
	h_init(&H);
	H.cfg.reassembly_depth = 150;
	CHECK(h_run_scenario(&H, "tcp-gap") == 0);
	struct h_flow *f = one_tcp(&H);
	CHECK_EQ(f->d[0].len, 100);
	CHECK(h_fill(f->d[0].data, 100, 'a'));
	CHECK_EQ(H.pl.cnt.c[CNT_TCP_DEPTH], 1);
	h_free(&H);
}

static void test_segment_caps(void)
{
	/* No room for out-of-order data: it is dropped (counted) and the hole
	 * becomes a gap once the peer acknowledges past it. */
	h_init(&H);
	H.cfg.reassembly_max_segments = 0;
	CHECK(h_run_scenario(&H, "tcp-ooo") == 0);
	CHECK(H.pl.cnt.c[CNT_TCP_SEG_LIMIT] > 0);
	CHECK(H.flows[0].d[0].offsets_ok && H.flows[0].d[1].offsets_ok);
	CHECK(H.flows[0].d[0].len + H.flows[0].d[0].gap_bytes == 2000);
	h_free(&H);
	h_init(&H);
	H.cfg.reassembly_memcap = 10;
	CHECK(h_run_scenario(&H, "tcp-ooo") == 0);
	CHECK(H.pl.cnt.c[CNT_TCP_SEG_MEMCAP] > 0);
	h_free(&H);
}

int main(void)
{
	test_basic("tcp-basic");
	test_basic("pcap-ns");
	test_retrans_ooo();
	test_overlap_delivered();
	test_overlap_buffered();
	test_gap();
	test_patterns("tcp-seqwrap", 1024, 1024, false);
	test_midstream();
	test_rst();
	test_v6();
	test_depth();
	test_depth_inside_gap();
	test_segment_caps();
	return check_report("stream");
}
