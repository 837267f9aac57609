/*
 * ring — a single-producer/single-consumer byte ring carrying packet records
 * from the reader thread to one worker. Records are copied in (the capture
 * buffer is reused by libpcap) and read in place by the worker. Fixed size,
 * allocated once; a full ring is the producer's decision: wait (file input)
 * or drop (live input), counted either way.
 *
 * Both sides publish their position in batches (RING_BATCH records), so the
 * shared cache lines move once per batch, not once per packet; the producer
 * calls ring_flush() before it may pause (end of input, ticks, idle live
 * capture). A consumer with nothing to do spins briefly with the CPU's pause
 * instruction, then sleeps on a condition variable that the producer signals
 * only when it publishes to a sleeping consumer.
 */
#ifndef MAMORI_CORE_RING_H
#define MAMORI_CORE_RING_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RING_BATCH 64

enum ring_kind { RING_PACKET = 1, RING_TICK = 2, RING_STOP = 3, RING_PAD = 4 };

struct ring_rec {
	uint32_t size; /* whole record, header included, a multiple of 32 */
	uint16_t kind;
	uint16_t linktype;
	uint32_t caplen;
	uint32_t wirelen;
	uint64_t ts;
	uint64_t seq; /* the packet's number in the input (pcap_cnt) */
	uint8_t data[];
};

struct ring {
	uint8_t *buf;
	size_t size; /* power of two */
	/* producer's private state */
	_Alignas(64) size_t p_head; /* next write position */
	size_t p_tail_seen;	    /* last tail read from the consumer */
	unsigned p_unpublished;	    /* records written since the last publish */
	/* consumer's private state */
	_Alignas(64) size_t c_tail; /* next read position */
	size_t c_head_seen;	    /* last head read from the producer */
	unsigned c_unreleased;	    /* records consumed since the last release */
	/* shared */
	_Alignas(64) atomic_size_t head; /* published by the producer */
	_Alignas(64) atomic_size_t tail; /* released by the consumer */
	_Alignas(64) atomic_int sleeping;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

/* size is rounded up to a power of two (at least 64 KiB). 0 or -1. */
int ring_init(struct ring *r, size_t size);
void ring_destroy(struct ring *r);

/*
 * Producer: copy one record in. Returns 0, or -1 when there is no room now
 * (nothing written; the ring was flushed so the consumer can make room).
 * caplen must be at most ring_max_payload().
 */
int ring_put(struct ring *r, uint16_t kind, int linktype, uint64_t ts, const uint8_t *data,
	     uint32_t caplen, uint32_t wirelen, uint64_t seq);

/* Producer: publish everything written so far and wake a sleeping consumer. */
void ring_flush(struct ring *r);

/* Largest packet payload a record can carry in this ring. */
size_t ring_max_payload(const struct ring *r);

/* Consumer: the next record, blocking until one arrives. */
const struct ring_rec *ring_peek(struct ring *r);
/* Consumer: the next record, or NULL when none is there now. */
const struct ring_rec *ring_try_peek(struct ring *r);
/* Consumer: done with the record returned by ring_peek. */
void ring_pop(struct ring *r, const struct ring_rec *rec);

#endif
