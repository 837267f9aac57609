/*
 * ring — see ring.h. The producer publishes `head` with release order after
 * copying; the consumer publishes `tail` after it is done with a record. A
 * consumer that finds the ring empty spins briefly, then sleeps on a
 * condition variable; the producer signals only when `sleeping` is set.
 */
#include "core/ring.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#define HDR sizeof(struct ring_rec)

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

int ring_put(struct ring *r, uint16_t kind, int linktype, uint64_t ts, const uint8_t *data,
	     uint32_t caplen, uint32_t wirelen)
{
	/* 32-byte records: the room left before the end always fits a pad header. */
	size_t need = (HDR + caplen + 31) & ~(size_t)31;
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	size_t pos = head & (r->size - 1);
	size_t pad = 0;

	if (pos + need > r->size)
		pad = r->size - pos; /* skip to the start of the buffer */
	if (r->size - (head - tail) < need + pad)
		return -1;
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
	if (caplen)
		memcpy(rec->data, data, caplen);
	atomic_store_explicit(&r->head, head + need, memory_order_seq_cst);
	if (atomic_load_explicit(&r->sleeping, memory_order_seq_cst)) {
		pthread_mutex_lock(&r->lock);
		pthread_cond_signal(&r->cond);
		pthread_mutex_unlock(&r->lock);
	}
	return 0;
}

const struct ring_rec *ring_peek(struct ring *r)
{
	for (;;) {
		size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
		size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
		int spins = 0;
		while (head == tail) {
			if (++spins < 200) {
				sched_yield();
			} else {
				pthread_mutex_lock(&r->lock);
				atomic_store_explicit(&r->sleeping, 1, memory_order_seq_cst);
				head = atomic_load_explicit(&r->head, memory_order_seq_cst);
				if (head == tail)
					pthread_cond_wait(&r->cond, &r->lock);
				atomic_store_explicit(&r->sleeping, 0, memory_order_relaxed);
				pthread_mutex_unlock(&r->lock);
				spins = 0;
			}
			head = atomic_load_explicit(&r->head, memory_order_acquire);
		}
		const struct ring_rec *rec =
			(const struct ring_rec *)(r->buf + (tail & (r->size - 1)));
		if (rec->kind != RING_PAD)
			return rec;
		atomic_store_explicit(&r->tail, tail + rec->size, memory_order_release);
	}
}

void ring_pop(struct ring *r, const struct ring_rec *rec)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	atomic_store_explicit(&r->tail, tail + rec->size, memory_order_release);
}
