/*
 * pcapw — classic pcap writer and layered packet builder (see pcapw.h for the contract).
 * Test tooling only: the writer feeds unit tests, fuzz seeds and the demo scenarios. The
 * TCP conversation helper lives in pcapw_tcp.c.
 *
 * File format (libpcap's classic format, always little-endian here):
 *   global header: magic u32, version 2.4 (u16 u16), thiszone i32, sigfigs u32, snaplen u32,
 *                  linktype u32                                            (24 bytes)
 *   record header: ts_sec u32, ts_usec-or-nsec u32, caplen u32, wirelen u32  (16 bytes)
 */
#include "pcapw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_MAGIC_NSEC 0xa1b23c4du

struct pcapw_rec {
	uint64_t ts;
	uint64_t seq;
	uint32_t caplen, wirelen;
	uint8_t *data;
};

/* ---- byte order helpers -------------------------------------------------------------- */

static void put16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put16le(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* ---- writer -------------------------------------------------------------------------- */

static int w_fail(struct pcapw *w, int err)
{
	if (!w->err)
		w->err = err;
	return w->err;
}

static int w_put(struct pcapw *w, const void *data, size_t len)
{
	if (len && fwrite(data, 1, len, w->fp) != len)
		return w_fail(w, -EIO);
	w->offset += len;
	return 0;
}

int pcapw_open_stream(struct pcapw *w, FILE *fp, uint32_t linktype, uint32_t snaplen,
		      unsigned flags)
{
	uint8_t hdr[24];

	memset(w, 0, sizeof(*w));
	if (!fp || (flags & ~(PCAPW_F_NSEC | PCAPW_F_SORT)))
		return -EINVAL;
	w->fp = fp;
	w->flags = flags;
	w->linktype = linktype;
	w->snaplen = snaplen;
	put32le(hdr, (flags & PCAPW_F_NSEC) ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC);
	put16le(hdr + 4, 2);
	put16le(hdr + 6, 4);
	put32le(hdr + 8, 0);
	put32le(hdr + 12, 0);
	put32le(hdr + 16, snaplen);
	put32le(hdr + 20, linktype);
	return w_put(w, hdr, sizeof(hdr));
}

int pcapw_open(struct pcapw *w, const char *path, uint32_t linktype, uint32_t snaplen,
	       unsigned flags)
{
	FILE *fp;
	int r;

	memset(w, 0, sizeof(*w));
	if (!path || (flags & ~(PCAPW_F_NSEC | PCAPW_F_SORT)))
		return -EINVAL;
	fp = fopen(path, "wb");
	if (!fp)
		return errno ? -errno : -EIO;
	r = pcapw_open_stream(w, fp, linktype, snaplen, flags);
	if (r < 0) {
		fclose(fp);
		memset(w, 0, sizeof(*w));
		return r;
	}
	w->own_fp = true;
	return 0;
}

static int w_record(struct pcapw *w, uint64_t ts_ns, const void *data, uint32_t caplen,
		    uint32_t wirelen)
{
	uint8_t hdr[16];
	uint64_t sec = ts_ns / 1000000000u, frac = ts_ns % 1000000000u;

	if (!(w->flags & PCAPW_F_NSEC))
		frac /= 1000u;
	put32le(hdr, (uint32_t)sec);
	put32le(hdr + 4, (uint32_t)frac);
	put32le(hdr + 8, caplen);
	put32le(hdr + 12, wirelen);
	if (w_put(w, hdr, sizeof(hdr)) < 0)
		return w->err;
	return w_put(w, data, caplen);
}

static int w_enqueue(struct pcapw *w, uint64_t ts_ns, const void *data, uint32_t caplen,
		     uint32_t wirelen)
{
	struct pcapw_rec *r;

	if (caplen > PCAPW_SORT_MAX_BYTES - w->qbytes)
		return w_fail(w, -ENOMEM);
	if (w->qlen == w->qcap) {
		size_t ncap = w->qcap ? w->qcap * 2 : 256;
		struct pcapw_rec *nq = realloc(w->q, ncap * sizeof(*nq));

		if (!nq)
			return w_fail(w, -ENOMEM);
		w->q = nq;
		w->qcap = ncap;
	}
	r = &w->q[w->qlen];
	r->data = malloc(caplen ? caplen : 1);
	if (!r->data)
		return w_fail(w, -ENOMEM);
	if (caplen)
		memcpy(r->data, data, caplen);
	r->ts = ts_ns;
	r->seq = w->nrecords;
	r->caplen = caplen;
	r->wirelen = wirelen;
	w->qlen++;
	w->qbytes += caplen;
	return 0;
}

int pcapw_write(struct pcapw *w, uint64_t ts_ns, const void *data, uint32_t caplen,
		uint32_t wirelen)
{
	int r;

	if (w->err)
		return w->err;
	if (!w->fp || (caplen && !data))
		return w_fail(w, -EINVAL);
	if (w->flags & PCAPW_F_SORT)
		r = w_enqueue(w, ts_ns, data, caplen, wirelen);
	else
		r = w_record(w, ts_ns, data, caplen, wirelen);
	if (r == 0) {
		w->nrecords++;
		if (w->tap)
			w->tap(w->tap_ctx, ts_ns, data, caplen, wirelen);
	}
	return r;
}

void pcapw_set_tap(struct pcapw *w, pcapw_tap_fn fn, void *ctx)
{
	w->tap = fn;
	w->tap_ctx = ctx;
}

int pcapw_write_raw(struct pcapw *w, const void *data, size_t len)
{
	if (w->err)
		return w->err;
	if (!w->fp || (w->flags & PCAPW_F_SORT) || (len && !data))
		return w_fail(w, -EINVAL);
	return w_put(w, data, len);
}

uint64_t pcapw_tell(const struct pcapw *w)
{
	return (w->flags & PCAPW_F_SORT) ? 0 : w->offset;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct pcapw_rec *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

int pcapw_close(struct pcapw *w)
{
	int err;

	if (w->q) {
		if (!w->err) {
			qsort(w->q, w->qlen, sizeof(*w->q), rec_cmp);
			for (size_t i = 0; i < w->qlen && !w->err; i++)
				w_record(w, w->q[i].ts, w->q[i].data, w->q[i].caplen,
					 w->q[i].wirelen);
		}
		for (size_t i = 0; i < w->qlen; i++)
			free(w->q[i].data);
		free(w->q);
	}
	if (w->fp) {
		if (fflush(w->fp) != 0)
			w_fail(w, -EIO);
		if (w->own_fp && fclose(w->fp) != 0)
			w_fail(w, -EIO);
	}
	err = w->err;
	memset(w, 0, sizeof(*w));
	return err;
}

/* ---- checksums ----------------------------------------------------------------------- */

static uint32_t sum16(const uint8_t *d, size_t n, uint32_t acc)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)d[i] << 8 | d[i + 1];
	if (n & 1)
		acc += (uint32_t)d[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

uint16_t pcapw_csum(const void *data, size_t len, uint32_t init)
{
	return fold(sum16(data, len, init));
}

void pcapw_ipv4_fix_csum(uint8_t *hdr)
{
	size_t hl = (size_t)(hdr[0] & 0x0f) * 4;

	put16be(hdr + 10, 0);
	put16be(hdr + 10, pcapw_csum(hdr, hl, 0));
}

/* Partial sum of the pseudo-header (RFC 793 / RFC 8200 8.1). */
static uint32_t pseudo_sum(int family, const uint8_t *src, const uint8_t *dst, uint8_t proto,
			   uint32_t len)
{
	size_t alen = family == 6 ? 16 : 4;
	uint32_t acc = sum16(src, alen, 0);

	acc = sum16(dst, alen, acc);
	acc += proto;
	acc += len >> 16;
	acc += len & 0xffff;
	return acc;
}

/* A checksum that is certainly wrong: for the bad_csum knobs. */
static uint16_t wrong(uint16_t good)
{
	return good == 0x1234 ? 0x4321 : 0x1234;
}

/* ---- packet builder ------------------------------------------------------------------ */

enum next_ns { NS_NONE, NS_ETHERTYPE, NS_IPPROTO, NS_AF_LE, NS_AF_BE };

#define LF_BADCSUM 0x1
#define LF_NOCSUM  0x2

void pcapw_pkt_init(struct pcapw_pkt *p, uint8_t *buf, size_t cap)
{
	memset(p, 0, sizeof(*p));
	p->buf = buf;
	p->cap = cap;
}

static int p_fail(struct pcapw_pkt *p, int err)
{
	if (!p->err)
		p->err = err;
	return p->err;
}

/*
 * Reserve hlen zeroed bytes for a new layer. next_rel: offset of its next-protocol field
 * inside the header, or -1. Returns the layer's offset or negative errno.
 */
static int push(struct pcapw_pkt *p, enum pcapw_layer_kind kind, size_t hlen, enum next_ns ns,
		int next_rel, int32_t next_val)
{
	struct pcapw_layer *l;

	if (p->err)
		return p->err;
	if (!p->buf && p->cap)
		return p_fail(p, -EINVAL);
	if (p->nlayers == PCAPW_MAX_LAYERS || p->len > UINT32_MAX - hlen)
		return p_fail(p, -EINVAL);
	if (hlen > p->cap - p->len)
		return p_fail(p, -ENOSPC);
	l = &p->layer[p->nlayers++];
	l->kind = (uint8_t)kind;
	l->next_ns = (uint8_t)ns;
	l->flags = 0;
	l->off = (uint32_t)p->len;
	l->len = (uint32_t)hlen;
	l->next_off = next_rel < 0 ? -1 : (int32_t)(p->len + (size_t)next_rel);
	l->next_val = next_val;
	if (hlen)
		memset(p->buf + p->len, 0, hlen);
	p->len += hlen;
	return (int)l->off;
}

/* The value layer l announces in the next-protocol namespace ns, or -1. */
static int32_t announce(const struct pcapw_layer *l, enum next_ns ns)
{
	switch (l->kind) {
	case PCAPW_L_RAW:
		return l->next_val;
	case PCAPW_L_VLAN:
		return ns == NS_ETHERTYPE ? l->next_val : -1;
	case PCAPW_L_IPV6_EXT:
		return ns == NS_IPPROTO ? l->next_val : -1;
	case PCAPW_L_IPV4:
		switch (ns) {
		case NS_ETHERTYPE:
			return 0x0800;
		case NS_IPPROTO:
			return 4;
		case NS_AF_LE:
		case NS_AF_BE:
			return 2;
		default:
			return -1;
		}
	case PCAPW_L_IPV6:
		switch (ns) {
		case NS_ETHERTYPE:
			return 0x86dd;
		case NS_IPPROTO:
			return 41;
		case NS_AF_LE:
		case NS_AF_BE:
			return 24;
		default:
			return -1;
		}
	case PCAPW_L_TCP:
		return ns == NS_IPPROTO ? 6 : -1;
	case PCAPW_L_UDP:
		return ns == NS_IPPROTO ? 17 : -1;
	case PCAPW_L_ICMP4:
		return ns == NS_IPPROTO ? 1 : -1;
	case PCAPW_L_ICMP6:
		return ns == NS_IPPROTO ? 58 : -1;
	default:
		return -1;
	}
}

static void write_next(struct pcapw_pkt *p, const struct pcapw_layer *l, int32_t v)
{
	uint8_t *f = p->buf + l->next_off;

	switch (l->next_ns) {
	case NS_ETHERTYPE:
		put16be(f, (uint16_t)v);
		break;
	case NS_IPPROTO:
		*f = (uint8_t)v;
		break;
	case NS_AF_LE:
		put32le(f, (uint32_t)v);
		break;
	case NS_AF_BE:
		put32be(f, (uint32_t)v);
		break;
	default:
		break;
	}
}

/* The IP layer (v4 or v6) that carries layer i, or NULL. */
static const struct pcapw_layer *ip_of(const struct pcapw_pkt *p, unsigned i)
{
	while (i-- > 0) {
		const struct pcapw_layer *l = &p->layer[i];

		if (l->kind == PCAPW_L_IPV4 || l->kind == PCAPW_L_IPV6)
			return l;
		if (l->kind != PCAPW_L_IPV6_EXT)
			return NULL;
	}
	return NULL;
}

/* Checksum the transport layer i spanning [off, end), the field at off + field. */
static void l4_csum(struct pcapw_pkt *p, unsigned i, size_t end, uint8_t proto, size_t field,
		    bool pseudo)
{
	const struct pcapw_layer *l = &p->layer[i], *ip = ip_of(p, i);
	uint8_t *h = p->buf + l->off;
	uint32_t len = (uint32_t)(end - l->off), acc = 0;
	uint16_t c;

	if (field + 2 > l->len)
		return;
	put16be(h + field, 0);
	if (l->flags & LF_NOCSUM)
		return;
	if (pseudo && ip) {
		const uint8_t *ih = p->buf + ip->off;

		if (ip->kind == PCAPW_L_IPV4)
			acc = pseudo_sum(4, ih + 12, ih + 16, proto, len);
		else
			acc = pseudo_sum(6, ih + 8, ih + 24, proto, len);
	}
	c = fold(sum16(h, len, acc));
	if (c == 0 && proto == 17)
		c = 0xffff; /* RFC 768: a computed zero is sent as all ones */
	if (l->flags & LF_BADCSUM)
		c = wrong(c);
	put16be(h + field, c);
}

int pcapw_pkt_finish(struct pcapw_pkt *p)
{
	size_t end;

	if (p->err)
		return p->err;
	end = p->len;
	for (unsigned i = p->nlayers; i-- > 0;) {
		struct pcapw_layer *l = &p->layer[i];
		uint8_t *h = p->buf + l->off;

		if (l->next_off >= 0 && i + 1 < p->nlayers) {
			int32_t v = announce(&p->layer[i + 1], (enum next_ns)l->next_ns);

			if (v >= 0)
				write_next(p, l, v);
		}
		switch (l->kind) {
		case PCAPW_L_TCP:
			l4_csum(p, i, end, 6, 16, true);
			break;
		case PCAPW_L_UDP:
			if (end - l->off > 0xffff)
				return p_fail(p, -EINVAL);
			put16be(h + 4, (uint16_t)(end - l->off));
			l4_csum(p, i, end, 17, 6, true);
			break;
		case PCAPW_L_ICMP4:
			l4_csum(p, i, end, 1, 2, false);
			break;
		case PCAPW_L_ICMP6:
			l4_csum(p, i, end, 58, 2, true);
			break;
		case PCAPW_L_IPV4:
			if (end - l->off > 0xffff)
				return p_fail(p, -EINVAL);
			put16be(h + 2, (uint16_t)(end - l->off));
			pcapw_ipv4_fix_csum(h);
			if (l->flags & LF_BADCSUM)
				put16be(h + 10, wrong((uint16_t)(h[10] << 8 | h[11])));
			break;
		case PCAPW_L_IPV6:
			if (end - l->off - 40 > 0xffff)
				return p_fail(p, -EINVAL);
			put16be(h + 4, (uint16_t)(end - l->off - 40));
			break;
		default:
			break;
		}
	}
	if (p->len < p->min_len) {
		if (p->min_len > p->cap)
			return p_fail(p, -ENOSPC);
		memset(p->buf + p->len, 0, p->min_len - p->len);
		p->len = p->min_len;
	}
	if (p->len > INT32_MAX)
		return p_fail(p, -EINVAL);
	return (int)p->len;
}

int pcapw_pkt_find_nth(const struct pcapw_pkt *p, enum pcapw_layer_kind kind, unsigned nth)
{
	for (unsigned i = 0; i < p->nlayers; i++)
		if (p->layer[i].kind == kind && nth-- == 0)
			return (int)p->layer[i].off;
	return -ENOENT;
}

int pcapw_pkt_find(const struct pcapw_pkt *p, enum pcapw_layer_kind kind)
{
	return pcapw_pkt_find_nth(p, kind, 0);
}

int pcapw_pkt_write(struct pcapw *w, uint64_t ts_ns, struct pcapw_pkt *p)
{
	int n = pcapw_pkt_finish(p);
	uint32_t cap;

	if (n < 0)
		return w_fail(w, n);
	cap = (uint32_t)n < w->snaplen ? (uint32_t)n : w->snaplen;
	return pcapw_write(w, ts_ns, p->buf, cap, (uint32_t)n);
}

/* ---- link layers --------------------------------------------------------------------- */

int pcapw_add_eth(struct pcapw_pkt *p, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	int off = push(p, PCAPW_L_ETH, 14, NS_ETHERTYPE, 12, -1);

	if (off < 0)
		return off;
	memcpy(p->buf + off, dst, 6);
	memcpy(p->buf + off + 6, src, 6);
	put16be(p->buf + off + 12, type);
	return off;
}

int pcapw_add_vlan(struct pcapw_pkt *p, uint16_t tpid, uint16_t tci)
{
	/* The tag's TPID sits in the previous header's type field: this layer announces it. */
	int off = push(p, PCAPW_L_VLAN, 4, NS_ETHERTYPE, 2, tpid);

	if (off < 0)
		return off;
	put16be(p->buf + off, tci);
	return off;
}

int pcapw_add_sll(struct pcapw_pkt *p, uint16_t pkttype, const uint8_t addr[6])
{
	/* pkttype u16, ARPHRD u16, address length u16, address [8], protocol u16 */
	int off = push(p, PCAPW_L_SLL, 16, NS_ETHERTYPE, 14, -1);

	if (off < 0)
		return off;
	put16be(p->buf + off, pkttype);
	put16be(p->buf + off + 2, 1); /* ARPHRD_ETHER */
	put16be(p->buf + off + 4, 6);
	memcpy(p->buf + off + 6, addr, 6);
	return off;
}

int pcapw_add_sll2(struct pcapw_pkt *p, uint32_t ifindex, uint8_t pkttype, const uint8_t addr[6])
{
	/* protocol u16, reserved u16, ifindex u32, ARPHRD u16, pkttype u8, addr len u8,
	 * address [8] */
	int off = push(p, PCAPW_L_SLL2, 20, NS_ETHERTYPE, 0, -1);

	if (off < 0)
		return off;
	put32be(p->buf + off + 4, ifindex);
	put16be(p->buf + off + 8, 1);
	p->buf[off + 10] = pkttype;
	p->buf[off + 11] = 6;
	memcpy(p->buf + off + 12, addr, 6);
	return off;
}

int pcapw_add_null(struct pcapw_pkt *p)
{
	return push(p, PCAPW_L_NULL, 4, NS_AF_LE, 0, -1);
}

int pcapw_add_loop(struct pcapw_pkt *p)
{
	return push(p, PCAPW_L_LOOP, 4, NS_AF_BE, 0, -1);
}

/* ---- IP ------------------------------------------------------------------------------ */

int pcapw_add_ipv4(struct pcapw_pkt *p, const struct pcapw_ipv4 *ip)
{
	size_t olen = (ip->optlen + 3) & ~(size_t)3;
	uint8_t *h;
	int off;

	if (olen > 40 || (ip->optlen && !ip->opts) || (ip->frag_off & 7))
		return p_fail(p, -EINVAL);
	off = push(p, PCAPW_L_IPV4, 20 + olen, NS_IPPROTO, 9, -1);
	if (off < 0)
		return off;
	h = p->buf + off;
	h[0] = (uint8_t)(0x40 | (20 + olen) / 4);
	h[1] = ip->tos;
	put16be(h + 4, ip->id);
	put16be(h + 6, (uint16_t)((ip->df ? 0x4000 : 0) | (ip->mf ? 0x2000 : 0) |
				  ((ip->frag_off >> 3) & 0x1fff)));
	h[8] = ip->ttl;
	h[9] = ip->proto;
	memcpy(h + 12, ip->src, 4);
	memcpy(h + 16, ip->dst, 4);
	if (ip->optlen)
		memcpy(h + 20, ip->opts, ip->optlen);
	if (ip->bad_csum)
		p->layer[p->nlayers - 1].flags |= LF_BADCSUM;
	return off;
}

int pcapw_add_ipv6(struct pcapw_pkt *p, const struct pcapw_ipv6 *ip)
{
	int off = push(p, PCAPW_L_IPV6, 40, NS_IPPROTO, 6, -1);
	uint8_t *h;

	if (off < 0)
		return off;
	h = p->buf + off;
	put32be(h, 6u << 28 | (uint32_t)ip->tclass << 20 | (ip->flow & 0xfffff));
	h[6] = ip->nxt ? ip->nxt : 59;
	h[7] = ip->hlim;
	memcpy(h + 8, ip->src, 16);
	memcpy(h + 24, ip->dst, 16);
	return off;
}

int pcapw_add_ipv6_ext(struct pcapw_pkt *p, uint8_t type, const void *body, size_t len)
{
	size_t total = (2 + len + 7) & ~(size_t)7, pad;
	uint8_t *h;
	int off;

	if ((type != 0 && type != 43 && type != 60) || total > 2048 || (len && !body))
		return p_fail(p, -EINVAL);
	off = push(p, PCAPW_L_IPV6_EXT, total, NS_IPPROTO, 0, type);
	if (off < 0)
		return off;
	h = p->buf + off;
	h[0] = 59;
	h[1] = (uint8_t)(total / 8 - 1);
	if (len)
		memcpy(h + 2, body, len);
	pad = total - 2 - len;
	if (type != 43 && pad == 1) {
		h[2 + len] = 0; /* Pad1 */
	} else if (type != 43 && pad >= 2) {
		h[2 + len] = 1; /* PadN */
		h[3 + len] = (uint8_t)(pad - 2);
	}
	return off;
}

int pcapw_add_ipv6_frag(struct pcapw_pkt *p, uint8_t nxt, uint16_t off, bool more, uint32_t id)
{
	uint8_t *h;
	int o;

	if (off & 7)
		return p_fail(p, -EINVAL);
	o = push(p, PCAPW_L_IPV6_EXT, 8, NS_IPPROTO, 0, 44);
	if (o < 0)
		return o;
	h = p->buf + o;
	h[0] = nxt;
	put16be(h + 2, (uint16_t)(off | (more ? 1 : 0)));
	put32be(h + 4, id);
	return o;
}

int pcapw_add_ipv6_std_ext(struct pcapw_pkt *p, unsigned mask)
{
	static const uint8_t padn[6] = {1, 4, 0, 0, 0, 0};
	uint8_t srh[22] = {4, 0, 0, 0, 0, 0}; /* type 4, SL 0, last entry 0, flags, tag */
	int off = (int)p->len, ip;

	if (mask & PCAPW_EXT_HBH)
		pcapw_add_ipv6_ext(p, 0, padn, sizeof(padn));
	if (mask & PCAPW_EXT_ROUTING) {
		ip = pcapw_pkt_find(p, PCAPW_L_IPV6);
		if (ip < 0)
			return p_fail(p, -EINVAL);
		memcpy(srh + 6, p->buf + ip + 24, 16); /* segment list[0]: the destination */
		pcapw_add_ipv6_ext(p, 43, srh, sizeof(srh));
	}
	if (mask & PCAPW_EXT_DSTOPTS)
		pcapw_add_ipv6_ext(p, 60, padn, sizeof(padn));
	return p->err ? p->err : off;
}

/* ---- transport ----------------------------------------------------------------------- */

/* Serialise the TCP options of t into o (40 bytes). Returns the padded length or -EINVAL. */
static int tcp_opts(const struct pcapw_tcp *t, uint8_t o[40])
{
	uint8_t tmp[80];
	size_t n = 0;

	if (t->nsack > 4 || t->raw_optlen > 40 || (t->raw_optlen && !t->raw_opts))
		return -EINVAL;
	if (t->mss) {
		tmp[n++] = 2;
		tmp[n++] = 4;
		put16be(tmp + n, t->mss);
		n += 2;
	}
	if (t->sack_perm && t->ts) {
		tmp[n++] = 4;
		tmp[n++] = 2;
	} else if (t->sack_perm || t->ts) {
		tmp[n++] = 1;
		tmp[n++] = 1;
		if (t->sack_perm) {
			tmp[n++] = 4;
			tmp[n++] = 2;
		}
	}
	if (t->ts) {
		tmp[n++] = 8;
		tmp[n++] = 10;
		put32be(tmp + n, t->tsval);
		put32be(tmp + n + 4, t->tsecr);
		n += 8;
	}
	if (t->ws) {
		tmp[n++] = 1;
		tmp[n++] = 3;
		tmp[n++] = 3;
		tmp[n++] = t->wscale;
	}
	if (t->nsack) {
		tmp[n++] = 1;
		tmp[n++] = 1;
		tmp[n++] = 5;
		tmp[n++] = (uint8_t)(2 + 8 * t->nsack);
		for (unsigned i = 0; i < t->nsack; i++) {
			put32be(tmp + n, t->sack[i][0]);
			put32be(tmp + n + 4, t->sack[i][1]);
			n += 8;
		}
	}
	if (n + t->raw_optlen > 40)
		return -EINVAL;
	if (t->raw_optlen)
		memcpy(tmp + n, t->raw_opts, t->raw_optlen);
	n += t->raw_optlen;
	while (n & 3)
		tmp[n++] = 0; /* EOL */
	memcpy(o, tmp, n);
	return (int)n;
}

int pcapw_add_tcp(struct pcapw_pkt *p, const struct pcapw_tcp *t)
{
	uint8_t opts[40];
	int olen = tcp_opts(t, opts), off;
	uint8_t *h;

	if (olen < 0)
		return p_fail(p, olen);
	off = push(p, PCAPW_L_TCP, 20 + (size_t)olen, NS_NONE, -1, -1);
	if (off < 0)
		return off;
	h = p->buf + off;
	put16be(h, t->sport);
	put16be(h + 2, t->dport);
	put32be(h + 4, t->seq);
	put32be(h + 8, t->ack);
	h[12] = (uint8_t)(((20 + olen) / 4) << 4);
	h[13] = t->flags;
	put16be(h + 14, t->win);
	put16be(h + 18, t->urp);
	memcpy(h + 20, opts, (size_t)olen);
	if (t->bad_csum)
		p->layer[p->nlayers - 1].flags |= LF_BADCSUM;
	return off;
}

int pcapw_add_udp(struct pcapw_pkt *p, const struct pcapw_udp *u)
{
	int off = push(p, PCAPW_L_UDP, 8, NS_NONE, -1, -1);

	if (off < 0)
		return off;
	put16be(p->buf + off, u->sport);
	put16be(p->buf + off + 2, u->dport);
	if (u->bad_csum)
		p->layer[p->nlayers - 1].flags |= LF_BADCSUM;
	if (u->no_csum)
		p->layer[p->nlayers - 1].flags |= LF_NOCSUM;
	return off;
}

static int icmp_hdr(struct pcapw_pkt *p, enum pcapw_layer_kind kind, uint8_t type, uint8_t code,
		    uint32_t rest)
{
	int off = push(p, kind, 8, NS_NONE, -1, -1);

	if (off < 0)
		return off;
	p->buf[off] = type;
	p->buf[off + 1] = code;
	put32be(p->buf + off + 4, rest);
	return off;
}

int pcapw_add_icmp4(struct pcapw_pkt *p, uint8_t type, uint8_t code, uint32_t rest)
{
	return icmp_hdr(p, PCAPW_L_ICMP4, type, code, rest);
}

int pcapw_add_icmp4_echo(struct pcapw_pkt *p, bool reply, uint16_t id, uint16_t seq)
{
	return icmp_hdr(p, PCAPW_L_ICMP4, reply ? 0 : 8, 0, (uint32_t)id << 16 | seq);
}

int pcapw_add_icmp4_unreach(struct pcapw_pkt *p, uint8_t code, const uint8_t *orig, size_t orig_len)
{
	size_t q;
	int off;

	if (!orig || orig_len < 20)
		return p_fail(p, -EINVAL);
	q = (size_t)(orig[0] & 0x0f) * 4 + 8;
	if (q > orig_len)
		q = orig_len;
	off = icmp_hdr(p, PCAPW_L_ICMP4, 3, code, 0);
	if (off < 0)
		return off;
	pcapw_add_raw(p, PCAPW_NEXT_KEEP, orig, q);
	return p->err ? p->err : off;
}

int pcapw_add_icmp6(struct pcapw_pkt *p, uint8_t type, uint8_t code, uint32_t rest)
{
	return icmp_hdr(p, PCAPW_L_ICMP6, type, code, rest);
}

int pcapw_add_icmp6_echo(struct pcapw_pkt *p, bool reply, uint16_t id, uint16_t seq)
{
	return icmp_hdr(p, PCAPW_L_ICMP6, reply ? 129 : 128, 0, (uint32_t)id << 16 | seq);
}

int pcapw_add_icmp6_ns(struct pcapw_pkt *p, const uint8_t target[16], const uint8_t *sll_mac)
{
	uint8_t body[24];
	size_t n = 16;
	int off = icmp_hdr(p, PCAPW_L_ICMP6, 135, 0, 0);

	if (off < 0)
		return off;
	memcpy(body, target, 16);
	if (sll_mac) {
		body[16] = 1; /* source link-layer address, length in units of 8 bytes */
		body[17] = 1;
		memcpy(body + 18, sll_mac, 6);
		n = 24;
	}
	pcapw_add_raw(p, PCAPW_NEXT_KEEP, body, n);
	return p->err ? p->err : off;
}

int pcapw_add_raw(struct pcapw_pkt *p, int proto, const void *data, size_t len)
{
	int off = push(p, PCAPW_L_RAW, len, NS_NONE, -1, proto < 0 ? -1 : proto);

	if (off >= 0 && data && len)
		memcpy(p->buf + off, data, len);
	return off;
}

/* ---- hosts and links ----------------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (lo < 0 || s[2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 3;
	}
	return 0;
}

int pcapw_host_set(struct pcapw_host *h, const char *ip, const char *mac, uint16_t port)
{
	memset(h, 0, sizeof(*h));
	h->port = port;
	if (!ip)
		return -EINVAL;
	if (inet_pton(AF_INET, ip, h->ip) == 1)
		h->family = 4;
	else if (inet_pton(AF_INET6, ip, h->ip) == 1)
		h->family = 6;
	else
		return -EINVAL;
	if (mac && parse_mac(mac, h->mac) < 0)
		return -EINVAL;
	return 0;
}

void pcapw_host_solicited(struct pcapw_host *h, const uint8_t target[16])
{
	static const uint8_t pfx[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};

	memset(h, 0, sizeof(*h));
	h->family = 6;
	memcpy(h->ip, pfx, sizeof(pfx));
	memcpy(h->ip + 13, target + 13, 3);
	h->mac[0] = 0x33;
	h->mac[1] = 0x33;
	memcpy(h->mac + 2, h->ip + 12, 4);
	h->ttl = 255;
}

int pcapw_add_link(struct pcapw_pkt *p, const struct pcapw_link *lk, const uint8_t src_mac[6],
		   const uint8_t dst_mac[6])
{
	int off = (int)p->len;

	switch (lk->linktype) {
	case PCAPW_LINK_ETHERNET:
		if (lk->nvlan > 2)
			return p_fail(p, -EINVAL);
		pcapw_add_eth(p, dst_mac, src_mac, 0);
		for (unsigned i = 0; i < lk->nvlan; i++)
			pcapw_add_vlan(p, lk->nvlan == 2 && i == 0 ? 0x88a8 : 0x8100, lk->vlan[i]);
		p->min_len = lk->min_frame;
		break;
	case PCAPW_LINK_SLL:
		pcapw_add_sll(p, 0, src_mac);
		break;
	case PCAPW_LINK_SLL2:
		pcapw_add_sll2(p, 2, 0, src_mac);
		break;
	case PCAPW_LINK_NULL:
		pcapw_add_null(p);
		break;
	case PCAPW_LINK_LOOP:
		pcapw_add_loop(p);
		break;
	case PCAPW_LINK_RAW:
		break;
	default:
		return p_fail(p, -EPROTONOSUPPORT);
	}
	return p->err ? p->err : off;
}

int pcapw_add_hdrs(struct pcapw_pkt *p, const struct pcapw_link *lk, struct pcapw_host *src,
		   const struct pcapw_host *dst)
{
	uint8_t ttl = src->ttl ? src->ttl : 64;
	int off;

	if (src->family != dst->family || (src->family != 4 && src->family != 6))
		return p_fail(p, -EINVAL);
	if (pcapw_add_link(p, lk, src->mac, dst->mac) < 0)
		return p->err;
	if (src->family == 4) {
		struct pcapw_ipv4 ip = {.ttl = ttl, .id = src->ip_id++, .df = src->df};

		memcpy(ip.src, src->ip, 4);
		memcpy(ip.dst, dst->ip, 4);
		return pcapw_add_ipv4(p, &ip);
	}
	struct pcapw_ipv6 ip6 = {.hlim = ttl};

	memcpy(ip6.src, src->ip, 16);
	memcpy(ip6.dst, dst->ip, 16);
	off = pcapw_add_ipv6(p, &ip6);
	if (off >= 0 && lk->v6_ext)
		pcapw_add_ipv6_std_ext(p, lk->v6_ext);
	return p->err ? p->err : off;
}

int pcapw_udp_write(struct pcapw *w, uint64_t ts_ns, const struct pcapw_link *lk,
		    struct pcapw_host *src, const struct pcapw_host *dst, const void *data,
		    size_t len)
{
	uint8_t buf[65536 + 128];
	struct pcapw_pkt p;

	pcapw_pkt_init(&p, buf, sizeof(buf));
	pcapw_add_hdrs(&p, lk, src, dst);
	pcapw_add_udp(&p, &(struct pcapw_udp){.sport = src->port, .dport = dst->port});
	pcapw_add_raw(&p, PCAPW_NEXT_KEEP, data, len);
	return pcapw_pkt_write(w, ts_ns, &p);
}

/* ---- fragmentation ------------------------------------------------------------------- */

int pcapw_udp_datagram(uint8_t *buf, size_t cap, const struct pcapw_host *src,
		       const struct pcapw_host *dst, const void *data, size_t len)
{
	size_t total = 8 + len;
	uint16_t c;

	if (src->family != dst->family || (src->family != 4 && src->family != 6) || (len && !data))
		return -EINVAL;
	if (total > 0xffff)
		return -EINVAL;
	if (total > cap)
		return -ENOSPC;
	put16be(buf, src->port);
	put16be(buf + 2, dst->port);
	put16be(buf + 4, (uint16_t)total);
	put16be(buf + 6, 0);
	if (len)
		memcpy(buf + 8, data, len);
	c = fold(sum16(buf, total, pseudo_sum(src->family, src->ip, dst->ip, 17, (uint32_t)total)));
	put16be(buf + 6, c ? c : 0xffff);
	return (int)total;
}

int pcapw_frag_split(struct pcapw_frag *out, size_t max, size_t total, size_t fragsize)
{
	size_t step = fragsize & ~(size_t)7, n = 0;

	if (!step || total > 0xffff)
		return -EINVAL;
	for (size_t off = 0; off < total; off += step) {
		if (n == max)
			return -ENOSPC;
		out[n].off = (uint32_t)off;
		out[n].len = (uint32_t)(total - off < step ? total - off : step);
		out[n].more = off + step < total;
		n++;
	}
	return (int)n;
}

int pcapw_frag_write(struct pcapw *w, uint64_t ts_ns, const struct pcapw_link *lk,
		     struct pcapw_host *src, const struct pcapw_host *dst, uint8_t proto,
		     uint32_t id, const struct pcapw_frag *f, const uint8_t *data)
{
	uint8_t buf[65536 + 256];
	struct pcapw_pkt p;
	uint8_t ttl = src->ttl ? src->ttl : 64;

	if (w->err)
		return w->err;
	if (src->family != dst->family || f->off > 0xfff8 || (f->off & 7) || (f->len && !data))
		return w_fail(w, -EINVAL);
	pcapw_pkt_init(&p, buf, sizeof(buf));
	pcapw_add_link(&p, lk, src->mac, dst->mac);
	if (src->family == 4) {
		struct pcapw_ipv4 ip = {.ttl = ttl,
					.proto = proto,
					.id = (uint16_t)id,
					.mf = f->more,
					.frag_off = (uint16_t)f->off};

		memcpy(ip.src, src->ip, 4);
		memcpy(ip.dst, dst->ip, 4);
		pcapw_add_ipv4(&p, &ip);
	} else {
		struct pcapw_ipv6 ip6 = {.hlim = ttl};

		memcpy(ip6.src, src->ip, 16);
		memcpy(ip6.dst, dst->ip, 16);
		pcapw_add_ipv6(&p, &ip6);
		if (lk->v6_ext)
			pcapw_add_ipv6_std_ext(&p, lk->v6_ext);
		pcapw_add_ipv6_frag(&p, proto, (uint16_t)f->off, f->more, id);
	}
	pcapw_add_raw(&p, PCAPW_NEXT_KEEP, data, f->len);
	return pcapw_pkt_write(w, ts_ns, &p);
}
