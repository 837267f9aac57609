/*
 * capture — packet sources: capture files (pcap with µs or ns timestamps,
 * pcapng; via libpcap) and live interfaces (libpcap). A source yields raw
 * frames with a nanosecond timestamp; the bytes are borrowed until the next
 * call.
 */
#ifndef MAMORI_CAPTURE_CAPTURE_H
#define MAMORI_CAPTURE_CAPTURE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>

struct capture_frame {
	uint64_t ts; /* ns */
	const uint8_t *data;
	uint32_t caplen, wirelen;
	int linktype;
};

struct capture {
	pcap_t *pcap;
	const char *name; /* file path or interface, borrowed */
	int linktype;
	bool is_file;
	bool nano;
	int fd;           /* live: selectable descriptor, else -1 */
	uint64_t packets;
	bool pcapng;      /* a pcapng file (else classic pcap) */
	long offset;      /* pcap: file offset of the next record; -1 when unknown */
	char err[512];    /* last error, with file name and offset */
};

enum { CAPTURE_OK = 1, CAPTURE_EOF = 0, CAPTURE_ERROR = -1, CAPTURE_AGAIN = -2 };

/* Open a capture file ("-" for stdin). 0, or -1 with c->err set. */
int capture_open_file(struct capture *c, const char *path);

/* Read a capture from an open stream (takes ownership of fp). 0 or -1. */
int capture_open_fp(struct capture *c, FILE *fp, const char *name);

/* Open a live interface with an optional BPF filter. 0, or -1 with c->err set. */
int capture_open_live(struct capture *c, const char *iface, const char *bpf, uint32_t snaplen,
		      bool promisc);

/*
 * Next frame: CAPTURE_OK, CAPTURE_EOF, CAPTURE_AGAIN (live: timeout, no
 * packet) or CAPTURE_ERROR (c->err names the file and byte offset).
 */
int capture_next(struct capture *c, struct capture_frame *fr);

/* Live: kernel counters. 0 or -1. */
int capture_stats(struct capture *c, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop);

/* Make a blocked capture_next() return (signal-safe). */
void capture_break(struct capture *c);

void capture_close(struct capture *c);

#endif
