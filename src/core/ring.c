/*
 * ring — see ring.h.
 */
#include "core/ring.h"

#include <stdlib.h>
#include <string.h>

#define HDR   sizeof(struct ring_rec)
#define SPINS 4000 /* pause loops before a consumer sleeps (a few microseconds) */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

int ring_init(struct ring *r, size_t size)
{
	size_t n = 64 * 1024;
	memset(r, 0, sizeof(*r));
	while (n < size)
		n <<= 1;
	r->buf = aligned_alloc(64, n);
	if (!r->buf)
		return -1;
	r->size = n;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->sleeping, 0);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	return 0;
}

void ring_destroy(struct ring *r)
{
	free(r->buf);
	r->buf = NULL;
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cond);
}

size_t ring_max_payload(const struct ring *r)
{
	return r->size / 4 - HDR;
}

void ring_flush(struct ring *r)
{
	if (!r->p_unpublished)
		return;
	r->p_unpublished = 0;
	atomic_store_explicit(&r->head, r->p_head, memory_order_seq_cst);
	if (atomic_load_explicit(&r->sleeping, memory_order_seq_cst)) {
		pthread_mutex_lock(&r->lock);
		pthread_cond_signal(&r->cond);
		pthread_mutex_unlock(&r->lock);
	}
}

int ring_put(struct ring *r, uint16_t kind, int linktype, uint64_t ts, const uint8_t *data,
	     uint32_t caplen, uint32_t wirelen, uint64_t seq)
{
	/* 32-byte records: the room left before the end always fits a pad header. */
	size_t need = (HDR + caplen + 31) & ~(size_t)31;
	size_t head = r->p_head;
	size_t pos = head & (r->size - 1);
	size_t pad = pos + need > r->size ? r->size - pos : 0;

	if (r->size - (head - r->p_tail_seen) < need + pad) {
		r->p_tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (r->size - (head - r->p_tail_seen) < need + pad) {
			ring_flush(r);
			return -1;
		}
	}
	if (pad) {
		struct ring_rec *pr = (struct ring_rec *)(r->buf + pos);
		pr->size = (uint32_t)pad;
		pr->kind = RING_PAD;
		head += pad;
		pos = 0;
	}
	struct ring_rec *rec = (struct ring_rec *)(r->buf + pos);
	rec->size = (uint32_t)need;
	rec->kind = kind;
	rec->linktype = (uint16_t)linktype;
	rec->caplen = caplen;
	rec->wirelen = wirelen;
	rec->ts = ts;
	rec->seq = seq;
	if (caplen)
		memcpy(rec->data, data, caplen);
	r->p_head = head + need;
	if (++r->p_unpublished >= RING_BATCH || kind == RING_STOP)
		ring_flush(r);
	return 0;
}

/* Give the consumed space back to the producer. */
static void release(struct ring *r)
{
	r->c_unreleased = 0;
	atomic_store_explicit(&r->tail, r->c_tail, memory_order_release);
}

const struct ring_rec *ring_peek(struct ring *r)
{
	for (;;) {
		if (r->c_tail == r->c_head_seen) {
			r->c_head_seen = atomic_load_explicit(&r->head, memory_order_acquire);
			for (int spins = 0; r->c_tail == r->c_head_seen; spins++) {
				if (spins == 0)
					release(r); /* let a waiting producer go on */
				if (spins < SPINS) {
					cpu_relax();
				} else {
					pthread_mutex_lock(&r->lock);
					atomic_store_explicit(&r->sleeping, 1,
							      memory_order_seq_cst);
					size_t h =
					    atomic_load_explicit(&r->head, memory_order_seq_cst);
					if (h == r->c_tail)
						pthread_cond_wait(&r->cond, &r->lock);
					atomic_store_explicit(&r->sleeping, 0,
							      memory_order_relaxed);
					pthread_mutex_unlock(&r->lock);
					spins = 0;
				}
				r->c_head_seen =
				    atomic_load_explicit(&r->head, memory_order_acquire);
			}
		}
		const struct ring_rec *rec =
		    (const struct ring_rec *)(r->buf + (r->c_tail & (r->size - 1)));
		if (rec->kind != RING_PAD)
			return rec;
		r->c_tail += rec->size;
	}
}

const struct ring_rec *ring_try_peek(struct ring *r)
{
	for (;;) {
		if (r->c_tail == r->c_head_seen) {
			r->c_head_seen = atomic_load_explicit(&r->head, memory_order_acquire);
			if (r->c_tail == r->c_head_seen) {
				release(r); /* let a waiting producer go on */
				return NULL;
			}
		}
		const struct ring_rec *rec =
		    (const struct ring_rec *)(r->buf + (r->c_tail & (r->size - 1)));
		if (rec->kind != RING_PAD)
			return rec;
		r->c_tail += rec->size;
	}
}

void ring_pop(struct ring *r, const struct ring_rec *rec)
{
	r->c_tail += rec->size;
	if (++r->c_unreleased >= RING_BATCH)
		release(r);
}
