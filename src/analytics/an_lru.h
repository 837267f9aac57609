/*
 * an_lru — the index an analytic keeps beside a fixed array of entries: a
 * chained hash of the entries' keys and a recency list, so that a lookup is
 * one hash and a short chain, and the idlest entry is found at once when the
 * table is full. Everything is allocated at init for `cap` entries; nothing
 * is allocated afterwards.
 *
 * The analytic owns the entries (an array of cap structs) and their keys;
 * this index owns only the links, indexed like the entries. Hub thread only.
 *
 * Use: for (i = an_lru_find(t, h); i != AN_LRU_NONE; i = an_lru_next(t, i))
 * compare the key of entry i; an_lru_touch() on use; an_lru_add() for a new
 * key (it evicts the idlest entry at the cap and says so); an_lru_del() to
 * drop one.
 */
#ifndef MAMORI_ANALYTICS_AN_LRU_H
#define MAMORI_ANALYTICS_AN_LRU_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define AN_LRU_NONE UINT32_MAX

struct an_lru_link {
	uint32_t hnext;	     /* next in the hash chain, or in the free list */
	uint32_t prev, next; /* recency: prev is more recent */
	uint64_t hash;
};

struct an_lru {
	uint32_t *bucket; /* mask + 1 chain heads */
	struct an_lru_link *link;
	uint32_t mask, cap, n;
	uint32_t used;	     /* entries handed out so far (the rest never used) */
	uint32_t free;	     /* deleted entries, chained through hnext */
	uint32_t head, tail; /* most and least recently used */
};

/* Room for cap entries (at least 1). 0, or -1 when out of memory. */
static inline int an_lru_init(struct an_lru *t, uint32_t cap)
{
	uint32_t nb = 16;
	if (!cap)
		cap = 1;
	while (nb < cap && nb < (1u << 31))
		nb *= 2;
	t->bucket = malloc((size_t)nb * sizeof(*t->bucket));
	t->link = calloc(cap, sizeof(*t->link));
	if (!t->bucket || !t->link) {
		free(t->bucket);
		free(t->link);
		t->bucket = NULL;
		t->link = NULL;
		return -1;
	}
	for (uint32_t i = 0; i < nb; i++)
		t->bucket[i] = AN_LRU_NONE;
	t->mask = nb - 1;
	t->cap = cap;
	t->n = t->used = 0;
	t->free = t->head = t->tail = AN_LRU_NONE;
	return 0;
}

static inline void an_lru_free(struct an_lru *t)
{
	free(t->bucket);
	free(t->link);
	t->bucket = NULL;
	t->link = NULL;
}

/* The first entry whose hash is h (AN_LRU_NONE: none); the caller checks the key. */
static inline uint32_t an_lru_find(const struct an_lru *t, uint64_t h)
{
	uint32_t i = t->bucket[h & t->mask];
	while (i != AN_LRU_NONE && t->link[i].hash != h)
		i = t->link[i].hnext;
	return i;
}

/* The next entry after i with the same hash. */
static inline uint32_t an_lru_next(const struct an_lru *t, uint32_t i)
{
	uint64_t h = t->link[i].hash;
	for (i = t->link[i].hnext; i != AN_LRU_NONE && t->link[i].hash != h;)
		i = t->link[i].hnext;
	return i;
}

static inline void an_lru__unlist(struct an_lru *t, uint32_t i)
{
	struct an_lru_link *l = &t->link[i];
	if (l->prev != AN_LRU_NONE)
		t->link[l->prev].next = l->next;
	else
		t->head = l->next;
	if (l->next != AN_LRU_NONE)
		t->link[l->next].prev = l->prev;
	else
		t->tail = l->prev;
}

static inline void an_lru__push(struct an_lru *t, uint32_t i)
{
	struct an_lru_link *l = &t->link[i];
	l->prev = AN_LRU_NONE;
	l->next = t->head;
	if (t->head != AN_LRU_NONE)
		t->link[t->head].prev = i;
	t->head = i;
	if (t->tail == AN_LRU_NONE)
		t->tail = i;
}

static inline void an_lru__unchain(struct an_lru *t, uint32_t i)
{
	uint32_t *pp = &t->bucket[t->link[i].hash & t->mask];
	while (*pp != i)
		pp = &t->link[*pp].hnext;
	*pp = t->link[i].hnext;
}

/* Entry i was used now: it becomes the most recent. */
static inline void an_lru_touch(struct an_lru *t, uint32_t i)
{
	if (t->head == i)
		return;
	an_lru__unlist(t, i);
	an_lru__push(t, i);
}

/* Drop entry i; its index may be handed out again. */
static inline void an_lru_del(struct an_lru *t, uint32_t i)
{
	an_lru__unchain(t, i);
	an_lru__unlist(t, i);
	t->link[i].hnext = t->free;
	t->free = i;
	t->n--;
}

/*
 * An entry for a new key of hash h, the most recent. At the cap it is the
 * idlest entry's, taken from it: *evicted is set and the caller must read
 * what it needs of the old entry before overwriting it.
 */
static inline uint32_t an_lru_add(struct an_lru *t, uint64_t h, bool *evicted)
{
	uint32_t i;
	*evicted = false;
	if (t->free != AN_LRU_NONE) {
		i = t->free;
		t->free = t->link[i].hnext;
	} else if (t->used < t->cap) {
		i = t->used++;
	} else {
		i = t->tail;
		an_lru__unchain(t, i);
		an_lru__unlist(t, i);
		t->n--;
		*evicted = true;
	}
	struct an_lru_link *l = &t->link[i];
	l->hash = h;
	l->hnext = t->bucket[h & t->mask];
	t->bucket[h & t->mask] = i;
	an_lru__push(t, i);
	t->n++;
	return i;
}

#endif
