/*
 * sighting — an indicator seen in traffic: what an EVE `intel` record and a
 * row of the store's intel table hold. Live matching fills one per match
 * (the flow it was seen in); a retro-hunt fills one per indicator and stored
 * record kind, with the first and last time, the count, the internal hosts
 * and the bytes each way.
 */
#ifndef MAMORI_INTEL_SIGHTING_H
#define MAMORI_INTEL_SIGHTING_H

#include <stdbool.h>
#include <stdint.h>

#include "intel/ioc.h"

struct intel_sighting {
	uint64_t ts; /* ns since the epoch: the packet (live), the last sighting (retro) */
	/* the flow it was seen in (live; retro: the last one) */
	uint64_t flow_id;
	uint8_t ip_ver; /* 4 or 6; 0 = no flow */
	uint8_t proto;
	uint8_t src[16], dst[16]; /* src: the client */
	uint16_t sp, dp;
	/* what matched */
	enum ioc_type type;
	const char *indicator;	   /* the indicator's normalised text */
	const char *matched_field; /* "src_ip", "dest_ip", "dns.rrname", "dns.answer",
				      "http.hostname", "http.url", "tls.sni",
				      "tls.fingerprint", "tls.ja3", "tls.ja3s", "tls.ja4",
				      "fileinfo.md5", "fileinfo.sha1", "fileinfo.sha256" */
	const char *value;	   /* the traffic's value that matched (may be NULL) */
	const struct ioc_meta *meta; /* the first attribution (source, actor, ...) */
	uint32_t n_meta;	     /* how many attributions the indicator has */
	/* retro-hunt */
	bool retro;
	uint64_t first_seen, last_seen; /* ns */
	uint64_t count;			/* stored records that matched */
	uint64_t bytes_toserver, bytes_toclient;
	const char *hosts; /* internal hosts involved, comma separated (may be NULL) */
};

#endif
