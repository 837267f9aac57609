/*
 * defrag — IPv4 (RFC 791) and IPv6 (RFC 8200 §4.5) fragment reassembly.
 *
 * Fragments are copied into per-datagram trackers until the datagram is
 * complete; it is then rebuilt in a per-worker buffer (valid until the next
 * call) and decoded again as a new packet. Overlapping fragments are
 * resolved by the configured policy: first (earlier bytes win), last (later
 * bytes win), bsd (a fragment starting earlier wins), linux (a fragment
 * starting earlier or at the same offset wins). Caps: memory, fragments per
 * datagram, number of trackers (the oldest is dropped), and a timeout; each
 * is counted. One instance per worker, not thread-safe.
 */
#ifndef MAMORI_DECODE_DEFRAG_H
#define MAMORI_DECODE_DEFRAG_H

#include <stdint.h>

#include "core/config.h"
#include "core/counters.h"
#include "decode/packet.h"

struct defrag;

/* memcap: bytes for this instance. NULL on OOM. cfg/cnt are borrowed. */
struct defrag *defrag_new(const struct config *cfg, struct counters *cnt, uint64_t memcap);
void defrag_free(struct defrag *df);

/*
 * Add the fragment p (PKT_IPV4_FRAG or PKT_IPV6_FRAG set by decode). When it
 * completes a datagram, returns the rebuilt IP datagram and sets *len; the
 * bytes stay valid until the next defrag call. Otherwise NULL.
 */
const uint8_t *defrag_add(struct defrag *df, struct packet *p, uint32_t *len);

/* Drop trackers older than the timeout at packet time now (ns). */
void defrag_expire(struct defrag *df, uint64_t now);

#endif
