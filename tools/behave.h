/*
 * behave — internals shared by the behaviour scenario files (behave*.c): the fixed network
 * plan, the generator state, session helpers and the truth (JSON) writers. The capture is
 * two hours of a 50-host office (benign background, behave_bg.c) with attack behaviours
 * mixed in (one table in behave.c, one function each in behave_scan.c, behave_c2.c,
 * behave_exfil.c, behave_zone.c); the flood is behave_flood.c; the intrusion capture's attack
 * is behave_intrusion.c, built from the behaviours' generators. Nothing here is used outside
 * tools/.
 *
 * Determinism: the background and every behaviour draw from their own scen_rng, seeded from
 * the run's seed and a fixed per-component constant, so a behaviour's packets do not depend on
 * the others and the background is the same with and without them.
 */
#ifndef MAMORI_TOOLS_BEHAVE_H
#define MAMORI_TOOLS_BEHAVE_H

#include "bb.h"
#include "pcapw.h"
#include "scenarios.h"
#include "scenarios_int.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define BEH_SPAN      (2 * 3600 * SCEN_S)
#define BEH_T_END     (SCEN_T0 + BEH_SPAN)
#define BEH_MIN(h, m) (SCEN_T0 + ((uint64_t)(h)-9) * 3600 * SCEN_S + (uint64_t)(m)*60 * SCEN_S)

#define BEH_IP(a, b, c, d)                                                                         \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* The network plan. */
#define BEH_OFFICE_FIRST BEH_IP(10, 10, 1, 10) /* 50 office hosts .10 - .59 */
#define BEH_OFFICE_N	 50
#define BEH_RESOLVER	 BEH_IP(10, 10, 0, 10)
#define BEH_FILESRV	 BEH_IP(10, 10, 0, 20)
#define BEH_WEBSRV	 BEH_IP(10, 10, 0, 80)
#define BEH_HMI		 BEH_IP(10, 50, 0, 7)
#define BEH_HISTORIAN	 BEH_IP(10, 50, 1, 10)
#define BEH_NTP_UP	 BEH_IP(198, 51, 100, 123)

#define BEH_LAN_STEP (300 * SCEN_US) /* per-packet clock inside the site */
#define BEH_WAN_STEP (3 * SCEN_MS)   /* ... and with the Internet */
#define BEH_BUF	     (64 * 1024)

/* Packets, frame bytes (wire length, Ethernet header included) and L4 payload bytes one
 * piece of generation wrote, split by direction: [0] from cli, [1] towards it. */
struct beh_acct {
	uint32_t cli;
	uint64_t pkts[2], bytes[2], payload[2];
	uint64_t first, last; /* timestamps, ns */
};

struct behave {
	struct pcapw w;
	struct pcapw_link lk;
	FILE *truth; /* NULL: no truth file */
	int err;     /* first generation error */
	uint64_t seed;
	struct beh_acct *acct; /* where the tap counts now, or NULL */
	uint64_t packets, bytes;
	unsigned ntruth; /* behaviour entries written */
	uint8_t buf[BEH_BUF];
};

/* A seeded generator for one component: mixes the run's seed with tag. */
struct scen_rng beh_rng(const struct behave *b, uint64_t tag);

/* lo + a uniform draw in [0, hi - lo]. */
static inline uint64_t beh_range(struct scen_rng *r, uint64_t lo, uint64_t hi)
{
	return lo + scen_rand(r) % (hi - lo + 1);
}

/* A size between lo and about lo << (d256 / 256), log-skewed towards lo (the product of three
 * uniform draws as exponent): many small, few large, like transfer sizes. */
uint64_t beh_logsize(struct scen_rng *r, uint64_t lo, unsigned d256);

/* An ephemeral port (Linux range). */
static inline uint16_t beh_eph(struct scen_rng *r)
{
	return (uint16_t)(32768 + scen_rand(r) % 28232);
}

/* The next source port of a host whose last one was prev: a random one first (prev below
 * 32768), then a few ahead, wrapping in the Linux range: a host never reuses a 5-tuple. */
static inline uint16_t beh_port_next(struct scen_rng *r, uint16_t prev)
{
	uint32_t p = prev < 32768 ? beh_eph(r) : prev + 1 + (uint32_t)(scen_rand(r) % 8);

	return (uint16_t)(p >= 61000 ? p - 61000 + 32768 : p);
}

/* A host at ip (MAC derived from the address inside 10/8, the router's MAC outside). */
struct pcapw_host beh_host(uint32_t ip, uint16_t port);
/* "a.b.c.d" into out (16 bytes). */
const char *beh_ipstr(uint32_t ip, char out[16]);

/* Record a generation error (first one kept). */
void beh_fail(struct behave *b, int err);

/* Start counting into a (a->cli set by the caller; the rest zeroed), or stop (NULL). */
void beh_count(struct behave *b, struct beh_acct *a, uint32_t cli);

/* TCP settings of a Linux client: MSS 1460, SACK, timestamps, wscale 7, segmented at the
 * MSS, ACK every second segment; ISNs from r. */
struct pcapw_tcp_cfg beh_tcp_cfg(struct scen_rng *r, uint64_t t, uint64_t step);
/* Keep the conversation's error. */
void beh_tcp_done(struct behave *b, const struct pcapw_tcp_conn *c);

/*
 * One DNS exchange from cli (its port set here) to srv port 53 at t: the query and, unless
 * rdata is NULL (no answer at all), 800 us later the NOERROR response with one answer of
 * type qtype carrying rdata. Returns the time after the last packet.
 */
uint64_t beh_dns(struct behave *b, struct scen_rng *r, uint64_t t, struct pcapw_host *cli,
		 struct pcapw_host *srv, const char *name, uint16_t qtype, const void *rdata,
		 size_t rdlen);

/*
 * A TLS 1.3 session on srv->port: handshake, ClientHello (sni), ServerHello + CCS + 2,900
 * bytes of encrypted handshake, client CCS + 53-byte Finished; then up bytes of
 * application data from the client in records of at most 16 KiB, server think time, down
 * bytes back; FIN from the client. "Bytes" are record contents (5-byte headers extra).
 * step: per-packet clock. Returns the time after the last packet.
 */
uint64_t beh_tls(struct behave *b, struct scen_rng *r, uint64_t t, struct pcapw_host *cli,
		 struct pcapw_host *srv, const char *sni, uint64_t step, uint64_t up,
		 uint64_t down);

/*
 * An HTTP/1.1 exchange on port 80 in its own session: request head (method, path, Host,
 * extra header lines) then body (len bytes, may be 0), the answer 200 with a text/html
 * body of resp bytes; FIN from the client. Returns the time after the last packet.
 */
uint64_t beh_http(struct behave *b, struct scen_rng *r, uint64_t t, struct pcapw_host *cli,
		  struct pcapw_host *srv, const char *host, const char *method, const char *path,
		  const char *extra, const void *body, size_t len, size_t resp);

/* An HTTP/1.1 exchange with every part chosen (beh_http is the browser's with a 200 text/html
 * answer of page text). NULL / 0 members take the defaults named. */
struct beh_http_msg {
	const char *host, *method, *path;
	const char *ua;	   /* NULL: Firefox 121 on Windows */
	const char *extra; /* CRLF-terminated request header lines, or NULL */
	const void *body;  /* request body, len bytes (borrowed; may be NULL with len 0) */
	size_t len;
	uint16_t port;	    /* the server's, 0: 80 */
	uint64_t step;	    /* per-packet clock, 0: BEH_WAN_STEP */
	const char *status; /* NULL: "200 OK" */
	const char *server; /* NULL: "nginx/1.24.0" */
	const char *ctype;  /* NULL: "text/html; charset=utf-8" */
	const void *resp;   /* answer body, resp_len bytes (borrowed); NULL: page text */
	size_t resp_len;
};

/*
 * The exchange of m in its own session at t: request head (method, path, Host, User-Agent,
 * Accept lines, extra) then the body; after 30 ms the answer head (status, Date, Server,
 * Content-Type, Content-Length) and body; FIN from the client. Returns the time after the
 * last packet.
 */
uint64_t beh_http_ex(struct behave *b, struct scen_rng *r, uint64_t t, struct pcapw_host *cli,
		     struct pcapw_host *srv, const struct beh_http_msg *m);

/* What an analyser extracting files computes of a body: its size and digests (lower-case
 * hex). */
struct beh_file {
	uint64_t size;
	char md5[33], sha1[41], sha256[65];
};
/* The digests of d[0..n) into f (libcrypto). */
void beh_file_hash(struct behave *b, struct beh_file *f, const void *d, size_t n);

/* One Modbus/TCP read-holding-registers exchange on c: request (12 bytes), response
 * (9 + 2 * nregs bytes), the client's ACK. */
void beh_modbus_poll(struct pcapw_tcp_conn *c, struct scen_rng *r, uint16_t tid, uint8_t nregs);
/* A short Modbus session: handshake, polls exchanges, FIN from the client. */
uint64_t beh_modbus_session(struct behave *b, struct scen_rng *r, uint64_t t,
			    struct pcapw_host *cli, struct pcapw_host *srv, unsigned polls);

/* ---- truth: one JSON object per behaviour ---- */

/* Open the behaviour's object: {"name":"..." (with the comma between entries). */
void beh_truth_begin(struct behave *b, const char *name);
void beh_truth_end(struct behave *b);
/* ,"key":... members of the open object (or, for _raw, any text). */
void beh_jraw(struct behave *b, const char *text);
void beh_jstr(struct behave *b, const char *key, const char *v);
void beh_jip(struct behave *b, const char *key, uint32_t ip);
void beh_ju64(struct behave *b, const char *key, uint64_t v);
void beh_jf6(struct behave *b, const char *key, double v); /* %.6f */
/* "key":"2024-01-15T09:05:00.000000+0000","key_epoch":1705309500.000000 */
void beh_jtime(struct behave *b, const char *key, uint64_t t);
/* "key":{"packets_up":..,"packets_down":..,"bytes_up":..,"bytes_down":..,
 * "payload_up":..,"payload_down":..,"first_seen":..,"last_seen":..} */
void beh_jacct(struct behave *b, const char *key, const struct beh_acct *a);

/* ---- the parts ---- */

/* behave_bg.c: the benign background; counts its sessions into *sessions. */
void beh_background(struct behave *b, uint64_t *sessions);
/* One SMB 3 session from cli to srv (port 445) at t: 2 to 6 encrypted exchanges, requests
 * 120 B .. 20 KB, answers 200 B .. 60 KB; FIN from the client. Returns the time after the
 * last packet. */
uint64_t beh_smb_session(struct behave *b, struct scen_rng *r, uint64_t t, struct pcapw_host *cli,
			 struct pcapw_host *srv);

/* ---- the attack behaviours' generators, shared with the intrusion (behave_intrusion.c):
 * each _run writes the packets and fills the out members, each _truth writes the members of
 * the behaviour's truth object (from src_ip on) into the object open now ---- */

/* behave_scan.c */
void beh_shuffle(uint32_t *v, size_t n, struct scen_rng *r); /* Fisher-Yates */
/* Mark k of the n entries of pick, chosen by r. */
void beh_choose(bool *pick, size_t n, size_t k, struct scen_rng *r);

enum beh_answer { BEH_ANS_CLOSED, BEH_ANS_OPEN, BEH_ANS_SILENT };
#define BEH_HSCAN_MAX 256
/* A horizontal SYN scan from src (one source port): target[i]:port probed at t0 + i * step,
 * answered as answer[i]: SYN-ACK then the scanner's RST (open), RST-ACK (closed), nothing
 * (silent). */
struct beh_hscan {
	uint32_t src;
	uint16_t port;
	uint64_t t0, step;
	size_t n;
	uint32_t target[BEH_HSCAN_MAX];
	uint8_t answer[BEH_HSCAN_MAX]; /* enum beh_answer */
	struct beh_acct a;	       /* out: every packet of the scan */
};
void beh_hscan_run(struct behave *b, struct scen_rng *r, struct beh_hscan *s);

/* behave_c2.c: n TLS sessions from src to dst:443 with SNI sni, the first at first, then
 * every 300 s +- 10 % (the whole draw repeated until the last starts before 10:59:50). */
#define BEH_BEACON_MAX 32
struct beh_beacon {
	uint32_t src, dst;
	const char *sni;
	uint64_t first;
	unsigned n;
	uint64_t start[BEH_BEACON_MAX]; /* out: each session's SYN */
	uint64_t up, down;		/* out: application bytes (record contents) */
	struct beh_acct a;		/* out */
};
void beh_beacon_run(struct behave *b, struct scen_rng *r, struct beh_beacon *c);
void beh_beacon_truth(struct behave *b, const struct beh_beacon *c);

/* behave_exfil.c: one TLS session from src to dst:443 (SNI sni) at t sending up bytes of
 * application data, 12 ms per packet; 1,200 bytes back. */
struct beh_exfil {
	uint32_t src, dst;
	const char *sni;
	uint64_t t, up;
	struct beh_acct a; /* out */
};
void beh_exfil_run(struct behave *b, struct scen_rng *r, struct beh_exfil *e);
void beh_exfil_truth(struct behave *b, const struct beh_exfil *e);

/* behave_exfil.c: the two personal-data POSTs of pii-upload from src to dst:80, Host host,
 * the CSV one at t_csv, the multipart one at t_multipart. */
struct beh_pii {
	uint32_t src, dst;
	const char *host;
	uint64_t t_csv, t_multipart;
	struct beh_acct a_csv, a_multipart; /* out: each session */
	struct beh_file csv;		    /* out: the CSV request body */
	struct beh_file multipart;	    /* out: the whole multipart request body */
	struct beh_file part;		    /* out: the file inside it */
};
void beh_pii_run(struct behave *b, struct scen_rng *r, struct beh_pii *p);
void beh_pii_truth(struct behave *b, const struct beh_pii *p);
/* ,"uploads":2,"rows":620,"records":600,"distinct":{... 600 each}: both uploads together. */
void beh_pii_total(struct behave *b);

/* behave_intrusion.c: the intrusion's packets, its "intrusion" truth member, and the
 * fixtures beside out_path (OUT.rules, OUT.intel.json). */
void beh_intrusion(struct behave *b, const char *out_path);
/* out_path with ".pcap" (if it ends so) replaced by suffix; malloc'd, NULL on no memory. */
char *beh_side_path(const char *out_path, const char *suffix);

/* The behaviours, each writing its packets and its truth object. */
void beh_scan_horizontal(struct behave *b, struct scen_rng *r);
void beh_scan_vertical(struct behave *b, struct scen_rng *r);
void beh_icmp_sweep(struct behave *b, struct scen_rng *r);
void beh_beacon(struct behave *b, struct scen_rng *r);
void beh_dns_tunnel(struct behave *b, struct scen_rng *r);
void beh_exfil(struct behave *b, struct scen_rng *r);
void beh_pii_upload(struct behave *b, struct scen_rng *r);
void beh_backscatter(struct behave *b, struct scen_rng *r);
void beh_darknet(struct behave *b, struct scen_rng *r);
void beh_zone(struct behave *b, struct scen_rng *r);

#endif
