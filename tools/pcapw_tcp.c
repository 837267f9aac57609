/*
 * pcapw_tcp — a scripted TCP conversation on top of the pcapw packet builder: one client, one
 * server, a clock that advances per packet, sequence and acknowledgement numbers tracked per
 * direction (RFC 793 modulo-2^32 arithmetic), and the options a Linux stack sends
 * (RFC 7323 timestamps and window scale, RFC 2018 SACK-permitted). Scenarios use it to write
 * clean sessions and, through pcapw_tcp_send_at() and pcapw_tcp_segment(), the retransmissions,
 * reorderings, overlaps and gaps a stream reassembler must survive.
 */
#include "pcapw.h"

#include <errno.h>
#include <string.h>

/* Record an error in the conversation and in its writer, so that pcapw_close() reports it. */
static int c_fail(struct pcapw_tcp_conn *c, int err)
{
	if (!c->err)
		c->err = err;
	if (c->w && !c->w->err)
		c->w->err = c->err;
	return c->err;
}

/* Timestamp clocks of the two ends: a fixed base plus milliseconds since the first packet. */
static const uint32_t ts_base[2] = {0x00100000u, 0x00200000u};

void pcapw_tcp_open(struct pcapw_tcp_conn *c, struct pcapw *w, const struct pcapw_link *lk,
		    const struct pcapw_host *cli, const struct pcapw_host *srv,
		    const struct pcapw_tcp_cfg *cfg)
{
	memset(c, 0, sizeof(*c));
	c->w = w;
	c->link = *lk;
	c->host[PCAPW_C2S] = *cli;
	c->host[PCAPW_S2C] = *srv;
	c->cfg = *cfg;
	c->now = cfg->start_ns;
	c->nxt[PCAPW_C2S] = cfg->isn[PCAPW_C2S] + 1;
	c->nxt[PCAPW_S2C] = cfg->isn[PCAPW_S2C] + 1;
	if (cli->family != srv->family || (cli->family != 4 && cli->family != 6))
		c_fail(c, -EINVAL);
}

void pcapw_tcp_wait(struct pcapw_tcp_conn *c, uint64_t ns)
{
	c->now += ns;
}

static uint16_t window(const struct pcapw_tcp_conn *c, uint8_t flags)
{
	uint16_t win = c->cfg.win ? c->cfg.win : 64240;

	if (flags & PCAPW_TH_RST)
		return 0;
	if (flags & PCAPW_TH_SYN || !c->cfg.ws)
		return win;
	return (uint16_t)(win >> c->cfg.wscale);
}

int pcapw_tcp_segment(struct pcapw_tcp_conn *c, enum pcapw_dir dir, uint8_t flags, uint32_t seq,
		      uint32_t ack, const void *data, size_t len)
{
	struct pcapw_host *src = &c->host[dir], *dst = &c->host[!dir];
	uint8_t buf[65536 + 256];
	struct pcapw_pkt p;
	struct pcapw_tcp t = {
	    .sport = src->port,
	    .dport = dst->port,
	    .seq = seq,
	    .ack = (flags & PCAPW_TH_ACK) ? ack : 0,
	    .flags = flags,
	    .win = window(c, flags),
	    .bad_csum = c->bad_csum_next,
	};
	int r;

	c->bad_csum_next = false;
	if (c->err)
		return c->err;
	if (dir != PCAPW_C2S && dir != PCAPW_S2C)
		return c_fail(c, -EINVAL);
	if (flags & PCAPW_TH_SYN) {
		t.mss = c->cfg.mss;
		t.sack_perm = c->cfg.sack_perm;
		t.ws = c->cfg.ws;
		t.wscale = c->cfg.wscale;
	}
	if (c->cfg.timestamps) {
		t.ts = true;
		t.tsval = ts_base[dir] + (uint32_t)((c->now - c->cfg.start_ns) / 1000000u);
		t.tsecr = (flags & PCAPW_TH_ACK) ? c->tsval[!dir] : 0;
	}
	pcapw_pkt_init(&p, buf, sizeof(buf));
	pcapw_add_hdrs(&p, &c->link, src, dst);
	pcapw_add_tcp(&p, &t);
	pcapw_add_raw(&p, PCAPW_NEXT_KEEP, data, len);
	r = pcapw_pkt_write(c->w, c->now, &p);
	c->tsval[dir] = t.tsval;
	c->now += c->cfg.step_ns;
	if (r < 0)
		c_fail(c, r);
	return r;
}

int pcapw_tcp_syn(struct pcapw_tcp_conn *c)
{
	return pcapw_tcp_segment(c, PCAPW_C2S, PCAPW_TH_SYN, c->cfg.isn[PCAPW_C2S], 0, NULL, 0);
}

int pcapw_tcp_synack(struct pcapw_tcp_conn *c)
{
	return pcapw_tcp_segment(c, PCAPW_S2C, PCAPW_TH_SYN | PCAPW_TH_ACK, c->cfg.isn[PCAPW_S2C],
				 c->cfg.isn[PCAPW_C2S] + 1, NULL, 0);
}

int pcapw_tcp_handshake(struct pcapw_tcp_conn *c)
{
	pcapw_tcp_syn(c);
	pcapw_tcp_synack(c);
	return pcapw_tcp_ack(c, PCAPW_C2S);
}

int pcapw_tcp_ack(struct pcapw_tcp_conn *c, enum pcapw_dir dir)
{
	if (dir != PCAPW_C2S && dir != PCAPW_S2C)
		return c_fail(c, -EINVAL);
	return pcapw_tcp_segment(c, dir, PCAPW_TH_ACK, c->nxt[dir], c->nxt[!dir], NULL, 0);
}

int pcapw_tcp_ack_at(struct pcapw_tcp_conn *c, enum pcapw_dir dir, uint32_t rel_ack)
{
	if (dir != PCAPW_C2S && dir != PCAPW_S2C)
		return c_fail(c, -EINVAL);
	return pcapw_tcp_segment(c, dir, PCAPW_TH_ACK, c->nxt[dir], c->cfg.isn[!dir] + 1 + rel_ack,
				 NULL, 0);
}

int pcapw_tcp_send(struct pcapw_tcp_conn *c, enum pcapw_dir dir, const void *data, size_t len)
{
	const uint8_t *d = data;
	size_t seg = len, off = 0;
	unsigned n = 0;

	if (dir != PCAPW_C2S && dir != PCAPW_S2C)
		return c_fail(c, -EINVAL);
	if (len && !data)
		return c_fail(c, -EINVAL);
	if (c->cfg.segment) {
		seg = c->cfg.mss ? c->cfg.mss : 536;
		if (c->cfg.timestamps && seg > 12)
			seg -= 12; /* the option rides in every segment */
	}
	while (off < len && !c->err) {
		size_t l = len - off < seg ? len - off : seg;
		bool last = off + l == len;

		pcapw_tcp_segment(c, dir, PCAPW_TH_ACK | (last ? PCAPW_TH_PSH : 0), c->nxt[dir],
				  c->nxt[!dir], d + off, l);
		c->nxt[dir] += (uint32_t)l;
		off += l;
		if (c->cfg.auto_ack && (++n % 2 == 0 || last))
			pcapw_tcp_ack(c, !dir);
	}
	return c->err;
}

int pcapw_tcp_send_at(struct pcapw_tcp_conn *c, enum pcapw_dir dir, uint32_t rel_seq,
		      const void *data, size_t len)
{
	uint32_t seq, end;

	if (dir != PCAPW_C2S && dir != PCAPW_S2C)
		return c_fail(c, -EINVAL);
	seq = c->cfg.isn[dir] + 1 + rel_seq;
	end = seq + (uint32_t)len;
	pcapw_tcp_segment(c, dir, PCAPW_TH_ACK | PCAPW_TH_PSH, seq, c->nxt[!dir], data, len);
	if ((int32_t)(end - c->nxt[dir]) > 0)
		c->nxt[dir] = end;
	return c->err;
}

int pcapw_tcp_fin(struct pcapw_tcp_conn *c, enum pcapw_dir dir)
{
	if (dir != PCAPW_C2S && dir != PCAPW_S2C)
		return c_fail(c, -EINVAL);
	pcapw_tcp_segment(c, dir, PCAPW_TH_FIN | PCAPW_TH_ACK, c->nxt[dir], c->nxt[!dir], NULL, 0);
	c->nxt[dir]++;
	return c->err;
}

int pcapw_tcp_close(struct pcapw_tcp_conn *c, enum pcapw_dir dir)
{
	if (dir != PCAPW_C2S && dir != PCAPW_S2C)
		return c_fail(c, -EINVAL);
	pcapw_tcp_fin(c, dir);
	pcapw_tcp_fin(c, !dir);
	return pcapw_tcp_ack(c, dir);
}

int pcapw_tcp_rst(struct pcapw_tcp_conn *c, enum pcapw_dir dir)
{
	if (dir != PCAPW_C2S && dir != PCAPW_S2C)
		return c_fail(c, -EINVAL);
	return pcapw_tcp_segment(c, dir, PCAPW_TH_RST | PCAPW_TH_ACK, c->nxt[dir], c->nxt[!dir],
				 NULL, 0);
}
