/*
 * stream — TCP state tracking (RFC 9293 connection states as Suricata names
 * them) and per-direction reassembly. See stream.h for the model.
 */
#include "flow/stream.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "decode/decode.h"
#include "flow/flow.h"

/* Segments further ahead than this are not plausible (largest window). */
#define MAX_AHEAD (1 << 30)

static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

const char *tcp_state_name(uint8_t state)
{
	static const char *const names[] = {
		"none", "syn_sent", "syn_recv", "established", "fin_wait1", "fin_wait2",
		"time_wait", "last_ack", "close_wait", "closing", "closed",
	};
	return state <= TCP_CLOSED ? names[state] : "unknown";
}

void stream_ctx_init(struct stream_ctx *sc, const struct config *cfg, struct counters *cnt,
		     uint64_t memcap)
{
	memset(sc, 0, sizeof(*sc));
	sc->cfg = cfg;
	sc->cnt = cnt;
	sc->memcap = memcap;
}

static void seg_free(struct stream_ctx *sc, struct tcp_stream *st, struct tcp_seg *s)
{
	st->ooo_count--;
	st->ooo_bytes -= s->len;
	sc->memuse -= sizeof(*s) + s->len;
	free(s);
}

static void free_buffered(struct stream_ctx *sc, struct tcp_stream *st)
{
	while (st->ooo) {
		struct tcp_seg *s = st->ooo;
		st->ooo = s->next;
		seg_free(sc, st, s);
	}
	CNT_SET(sc->cnt, TCP_SEG_MEMUSE, sc->memuse);
}

/* Hand len in-order bytes to the consumer, honouring the depth. */
static void deliver(struct stream_ctx *sc, struct flow *f, int dir, const uint8_t *data,
		    uint32_t len)
{
	struct tcp_stream *st = &f->tcp.s[dir];
	uint64_t depth = sc->cfg->reassembly_depth;

	if (st->flags & TS_DEPTH || len == 0)
		return;
	if (f->detect_flags & FLOW_D_BYPASS) {
		/* encrypted, and told to let it pass (encryption-handling bypass) */
		st->flags |= TS_DEPTH;
		free_buffered(sc, st);
		return;
	}
	if (depth && st->delivered + len >= depth) {
		/* A gap may already have carried the offset past the depth. */
		len = st->delivered < depth ? (uint32_t)(depth - st->delivered) : 0;
		st->flags |= TS_DEPTH;
		CNT_INC(sc->cnt, TCP_DEPTH);
	}
	if (len && sc->sink.data)
		sc->sink.data(sc->sink.ctx, f, dir, data, len, st->delivered);
	CNT_ADD(sc->cnt, TCP_STREAM_BYTES, len);
	st->delivered += len;
	st->next_seq += len;
	if (st->flags & TS_DEPTH)
		free_buffered(sc, st);
}

/* Deliver buffered segments that the in-order edge has reached. */
static void drain(struct stream_ctx *sc, struct flow *f, int dir)
{
	struct tcp_stream *st = &f->tcp.s[dir];

	while (st->ooo && st->ooo->off <= st->delivered) {
		struct tcp_seg *s = st->ooo;
		st->ooo = s->next;
		if (s->off + s->len > st->delivered) {
			uint32_t skip = (uint32_t)(st->delivered - s->off);
			deliver(sc, f, dir, s->data + skip, s->len - skip);
		}
		seg_free(sc, st, s);
		if (!st->ooo)
			break; /* deliver() may have freed the rest at depth */
	}
	CNT_SET(sc->cnt, TCP_SEG_MEMUSE, sc->memuse);
}

/* Skip `len` missing bytes: tell the consumer, move the in-order edge. */
static void skip_gap(struct stream_ctx *sc, struct flow *f, int dir, uint64_t len)
{
	struct tcp_stream *st = &f->tcp.s[dir];

	CNT_INC(sc->cnt, TCP_GAPS);
	CNT_ADD(sc->cnt, TCP_GAP_BYTES, len);
	if (sc->sink.gap && !(st->flags & TS_DEPTH))
		sc->sink.gap(sc->sink.ctx, f, dir, len, st->delivered);
	st->delivered += len;
	st->next_seq += (uint32_t)len;
	if (sc->cfg->reassembly_depth && st->delivered >= sc->cfg->reassembly_depth &&
	    !(st->flags & TS_DEPTH)) {
		st->flags |= TS_DEPTH;
		CNT_INC(sc->cnt, TCP_DEPTH);
		free_buffered(sc, st);
	}
}

/* Store one new piece [off, off+len) that overlaps nothing buffered. */
static int store_piece(struct stream_ctx *sc, struct tcp_stream *st, struct tcp_seg **link,
		       uint64_t off, const uint8_t *data, uint32_t len)
{
	if (st->ooo_count >= sc->cfg->reassembly_max_segments) {
		CNT_INC(sc->cnt, TCP_SEG_LIMIT);
		return -1;
	}
	if (sc->memuse + sizeof(struct tcp_seg) + len > sc->memcap) {
		CNT_INC(sc->cnt, TCP_SEG_MEMCAP);
		return -1;
	}
	struct tcp_seg *s = malloc(sizeof(*s) + len);
	if (!s) {
		CNT_INC(sc->cnt, TCP_SEG_MEMCAP);
		return -1;
	}
	s->off = off;
	s->len = len;
	memcpy(s->data, data, len);
	s->next = *link;
	*link = s;
	st->ooo_count++;
	st->ooo_bytes += len;
	sc->memuse += sizeof(*s) + len;
	return 0;
}

/*
 * Buffer out-of-order data. The buffered list stays sorted and free of
 * overlaps: parts of the new segment that fall on buffered bytes are compared
 * (first wins) or copied over them (last wins); the rest is stored.
 */
static void buffer_segment(struct stream_ctx *sc, struct flow *f, int dir, uint64_t off,
			   const uint8_t *data, uint32_t len)
{
	struct tcp_stream *st = &f->tcp.s[dir];
	int pol = sc->cfg->stream_overlap;
	bool last_wins = pol == OVERLAP_LAST || pol == OVERLAP_LINUX;
	uint64_t depth = sc->cfg->reassembly_depth;
	struct tcp_seg **link = &st->ooo;
	uint64_t end;
	bool overlapped = false, differs = false;

	if (depth) {
		if (off >= depth)
			return;
		if (off + len > depth)
			len = (uint32_t)(depth - off);
	}
	end = off + len;
	CNT_INC(sc->cnt, TCP_OOO);

	while (off < end) {
		struct tcp_seg *s = *link;
		if (!s || end <= s->off) {
			/* The rest fits before s (or at the end). */
			store_piece(sc, st, link, off, data, (uint32_t)(end - off));
			break;
		}
		if (s->off + s->len <= off) {
			link = &s->next;
			continue;
		}
		if (off < s->off) {
			uint32_t n = (uint32_t)(s->off - off);
			if (store_piece(sc, st, link, off, data, n) < 0)
				break;
			link = &(*link)->next;
			data += n;
			off += n;
			continue;
		}
		/* off lies inside s: the overlapping part. */
		uint64_t ov_end = end < s->off + s->len ? end : s->off + s->len;
		uint32_t n = (uint32_t)(ov_end - off);
		uint8_t *old = s->data + (off - s->off);
		overlapped = true;
		if (memcmp(old, data, n) != 0) {
			differs = true;
			if (last_wins)
				memcpy(old, data, n);
		}
		data += n;
		off += n;
		link = &s->next;
	}
	if (overlapped)
		CNT_INC(sc->cnt, TCP_OVERLAP);
	if (differs)
		CNT_INC(sc->cnt, TCP_OVERLAP_DIFF);
	CNT_SET(sc->cnt, TCP_SEG_MEMUSE, sc->memuse);
}

static void reassemble(struct stream_ctx *sc, struct flow *f, int dir, uint32_t seq,
		       const uint8_t *data, uint32_t len)
{
	struct tcp_stream *st = &f->tcp.s[dir];
	int32_t delta = seq_diff(seq, st->next_seq);

	if (len == 0 || st->flags & TS_DEPTH)
		return;
	if (delta <= 0) {
		uint32_t skip = (uint32_t)(-(int64_t)delta);
		if (skip >= len) {
			CNT_INC(sc->cnt, TCP_RETRANS);
			return;
		}
		if (skip)
			CNT_INC(sc->cnt, TCP_OVERLAP);
		deliver(sc, f, dir, data + skip, len - skip);
		drain(sc, f, dir);
		return;
	}
	if (delta > MAX_AHEAD) {
		CNT_INC(sc->cnt, TCP_OOO);
		return;
	}
	buffer_segment(sc, f, dir, st->delivered + (uint32_t)delta, data, len);
}

/*
 * The peer acknowledged up to `ack` of direction dir's data: anything still
 * missing below it was lost by the capture. Declare those holes as gaps.
 */
static void ack_gap(struct stream_ctx *sc, struct flow *f, int dir, uint32_t ack)
{
	struct tcp_stream *st = &f->tcp.s[dir];
	uint32_t limit = ack;

	if (!(st->flags & TS_BASE_SET))
		return;
	if (st->flags & TS_FIN && seq_diff(ack, st->fin_seq) > 0)
		limit = st->fin_seq;
	int32_t dd = seq_diff(limit, st->next_seq);
	if (dd <= 0 || dd > MAX_AHEAD)
		return;
	uint64_t target = st->delivered + (uint32_t)dd;
	while (st->delivered < target) {
		if (st->ooo && st->ooo->off <= st->delivered) {
			drain(sc, f, dir);
			continue;
		}
		uint64_t gap_end = target;
		if (st->ooo && st->ooo->off < gap_end)
			gap_end = st->ooo->off;
		skip_gap(sc, f, dir, gap_end - st->delivered);
	}
	drain(sc, f, dir);
}

static void set_base(struct tcp_stream *st, uint32_t isn)
{
	st->isn = isn;
	st->next_seq = isn + 1;
	st->flags |= TS_BASE_SET;
}

static void take_options(struct tcp_stream *st, const struct packet *p)
{
	if (p->tcpo.has_mss)
		st->mss = p->tcpo.mss;
	if (p->tcpo.has_wscale) {
		st->wscale = p->tcpo.wscale > 14 ? 14 : p->tcpo.wscale;
		st->flags |= TS_WS_OK;
	}
}

/* Closing states from which FINs were sent and acknowledged. */
static void update_close_state(struct tcp_session *ss)
{
	bool fin0 = ss->s[0].flags & TS_FIN, fin1 = ss->s[1].flags & TS_FIN;
	bool ack0 = ss->s[0].flags & TS_FIN_ACKED, ack1 = ss->s[1].flags & TS_FIN_ACKED;

	if (ss->state < TCP_ESTABLISHED || ss->state == TCP_CLOSED)
		return;
	if (!fin0 && !fin1)
		return;
	if (fin0 && fin1) {
		if (ack0 && ack1)
			ss->state = TCP_CLOSED;
		else if (ack0 || ack1)
			ss->state = TCP_LAST_ACK;
		else
			ss->state = TCP_CLOSING;
	} else if (fin0 ? ack0 : ack1) {
		ss->state = TCP_FIN_WAIT2;
	} else {
		ss->state = TCP_FIN_WAIT1;
	}
}

/* The opening of a session: returns false when the packet is not tracked. */
static bool track_open(struct stream_ctx *sc, struct flow *f, struct packet *p)
{
	struct tcp_session *ss = &f->tcp;
	int d = p->dir;
	uint8_t fl = p->tcp_flags;
	const struct config *cfg = sc->cfg;

	switch (ss->state) {
	case TCP_NONE:
		if ((fl & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN) {
			set_base(&ss->s[d], p->tcp_seq);
			ss->s[d].flags |= TS_SYN;
			take_options(&ss->s[d], p);
			ss->state = TCP_SYN_SENT;
		} else if (fl & TH_RST) {
			CNT_INC(sc->cnt, TCP_NO_SESSION);
			return false;
		} else if (cfg->midstream && (fl & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK)) {
			set_base(&ss->s[d], p->tcp_seq);
			ss->s[d].flags |= TS_SYN;
			set_base(&ss->s[d ^ 1], p->tcp_ack - 1);
			ss->state = TCP_SYN_RECV;
			ss->flags |= TCPS_MIDSTREAM;
			CNT_INC(sc->cnt, TCP_MIDSTREAM);
		} else if (cfg->midstream && !(fl & TH_SYN)) {
			set_base(&ss->s[d], p->tcp_seq - 1);
			if (fl & TH_ACK)
				set_base(&ss->s[d ^ 1], p->tcp_ack - 1);
			ss->state = TCP_ESTABLISHED;
			ss->flags |= TCPS_MIDSTREAM;
			CNT_INC(sc->cnt, TCP_MIDSTREAM);
		} else {
			CNT_INC(sc->cnt, TCP_NO_SESSION);
			return false;
		}
		ss->flags |= TCPS_TRACKED;
		CNT_INC(sc->cnt, TCP_SESSIONS);
		return true;
	case TCP_SYN_SENT:
		if ((fl & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) && (ss->s[d].flags & TS_SYN) == 0) {
			if (p->tcp_ack != ss->s[d ^ 1].isn + 1) {
				packet_event(sc->cnt, p, EV_STREAM_PKT_INVALID_ACK);
				return false;
			}
			set_base(&ss->s[d], p->tcp_seq);
			ss->s[d].flags |= TS_SYN;
			take_options(&ss->s[d], p);
			ss->state = TCP_SYN_RECV;
		} else if ((fl & (TH_SYN | TH_ACK)) == TH_SYN) {
			if (ss->s[d].flags & TS_SYN) {
				/* A retransmitted SYN, maybe with a new ISN. */
				set_base(&ss->s[d], p->tcp_seq);
			} else {
				/* Simultaneous open. */
				set_base(&ss->s[d], p->tcp_seq);
				ss->s[d].flags |= TS_SYN;
				ss->state = TCP_SYN_RECV;
			}
		} else if (!(fl & (TH_SYN | TH_RST)) && cfg->async_oneside && d == 0) {
			if (fl & TH_ACK && !(ss->s[1].flags & TS_BASE_SET))
				set_base(&ss->s[1], p->tcp_ack - 1);
			ss->state = TCP_ESTABLISHED;
			ss->flags |= TCPS_ASYNC;
		} else if (!(fl & TH_RST) && !(fl & TH_SYN) && cfg->midstream) {
			if (!(ss->s[d].flags & TS_BASE_SET))
				set_base(&ss->s[d], p->tcp_seq - 1);
			if (fl & TH_ACK && !(ss->s[d ^ 1].flags & TS_BASE_SET))
				set_base(&ss->s[d ^ 1], p->tcp_ack - 1);
			ss->state = TCP_ESTABLISHED;
		}
		return true;
	case TCP_SYN_RECV:
		if ((fl & (TH_SYN | TH_ACK)) == TH_ACK) {
			if (!(ss->s[d ^ 1].flags & TS_BASE_SET))
				set_base(&ss->s[d ^ 1], p->tcp_ack - 1);
			if (!(ss->s[d].flags & TS_BASE_SET))
				set_base(&ss->s[d], p->tcp_seq - 1);
			ss->state = TCP_ESTABLISHED;
		}
		return true;
	default:
		return true;
	}
}

/* Validation per -k: all always; none never; auto samples the first 1000
 * segments without rejecting any, then validates only if at most 10% were
 * wrong (more means checksum offloading on the capturing host). */
static bool checksum_rejects(struct stream_ctx *sc, const struct packet *p)
{
	int mode = sc->cfg->checksum_mode;
	if (mode == CSUM_NONE || (mode == CSUM_AUTO && sc->csum_auto_off))
		return false;
	CNT_INC(sc->cnt, TCP_CHECKSUM_CHECKED);
	bool bad = l4_checksum_check(p) < 0;
	if (bad)
		CNT_INC(sc->cnt, TCP_INVALID_CHECKSUM);
	if (mode == CSUM_AUTO && sc->csum_seen < 1000) {
		sc->csum_bad += bad;
		if (++sc->csum_seen == 1000 && sc->csum_bad * 10 > sc->csum_seen) {
			sc->csum_auto_off = true;
			log_warn("%u of the first 1000 TCP segments have wrong checksums (offloading?): "
				 "checksum validation is off (-k all forces it)",
				 sc->csum_bad);
		}
		return false;
	}
	return bad;
}

void stream_handle(struct stream_ctx *sc, struct flow *f, struct packet *p)
{
	struct tcp_session *ss = &f->tcp;
	int d = p->dir;
	uint8_t fl = p->tcp_flags;

	if (checksum_rejects(sc, p))
		return;

	if ((fl & (TH_SYN | TH_ACK)) == TH_SYN)
		CNT_INC(sc->cnt, TCP_SYN);
	else if ((fl & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
		CNT_INC(sc->cnt, TCP_SYNACK);
	if (fl & TH_RST)
		CNT_INC(sc->cnt, TCP_RST);
	if (fl & TH_FIN)
		CNT_INC(sc->cnt, TCP_FIN);

	if (ss->state < TCP_ESTABLISHED && !track_open(sc, f, p))
		return;
	if (!(ss->flags & TCPS_TRACKED))
		return;

	struct tcp_stream *snd = &ss->s[d], *rcv = &ss->s[d ^ 1];

	if (ss->state >= TCP_ESTABLISHED && (fl & (TH_SYN | TH_ACK)) == TH_SYN &&
	    p->tcp_seq != snd->isn)
		packet_event(sc->cnt, p, EV_STREAM_SYN_ON_ESTABLISHED);

	if (fl & TH_RST) {
		/* Accept a reset that lands near where this side is. */
		if (!(snd->flags & TS_BASE_SET) ||
		    (seq_diff(p->tcp_seq, snd->next_seq) >= -1 &&
		     seq_diff(p->tcp_seq, snd->next_seq) < (1 << 24))) {
			snd->flags |= TS_RST;
			ss->state = TCP_CLOSED;
		} else {
			packet_event(sc->cnt, p, EV_STREAM_RST_INVALID);
		}
		return;
	}

	if (fl & TH_ACK && rcv->flags & TS_BASE_SET) {
		if (!(snd->flags & TS_ACK_SET) || seq_diff(p->tcp_ack, snd->ack) > 0) {
			snd->ack = p->tcp_ack;
			snd->flags |= TS_ACK_SET;
		}
		if (rcv->flags & TS_FIN && seq_diff(p->tcp_ack, rcv->fin_seq) > 0)
			rcv->flags |= TS_FIN_ACKED;
		if (ss->state >= TCP_ESTABLISHED)
			ack_gap(sc, f, d ^ 1, p->tcp_ack);
	}

	uint32_t seq = p->tcp_seq + ((fl & TH_SYN) ? 1 : 0);
	if (p->payload_len && snd->flags & TS_BASE_SET)
		reassemble(sc, f, d, seq, packet_payload(p), p->payload_len);

	if (fl & TH_FIN && !(snd->flags & TS_FIN)) {
		snd->flags |= TS_FIN;
		snd->fin_seq = seq + p->payload_len;
		if (ss->state < TCP_ESTABLISHED)
			ss->state = TCP_ESTABLISHED;
	}
	update_close_state(ss);
}

void stream_flow_end(struct stream_ctx *sc, struct flow *f)
{
	for (int d = 0; d < 2; d++) {
		struct tcp_stream *st = &f->tcp.s[d];
		while (st->ooo && !(st->flags & TS_DEPTH)) {
			if (st->ooo->off > st->delivered)
				skip_gap(sc, f, d, st->ooo->off - st->delivered);
			drain(sc, f, d);
		}
		free_buffered(sc, st);
	}
}
