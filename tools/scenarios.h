/*
 * scenarios — named traffic scenarios, each writing one deterministic pcap (fixed seeds,
 * timestamps from 2024-01-15T09:00:00Z, identical bytes on every run and host). Used by the
 * end-to-end cases in tests/cases/, the fuzz seed corpus and the demo (`mamori-gen`). What
 * each file contains and what a correct analyser must find is written above each scenario's
 * function in scenarios*.c and summarised in tools/README.md.
 *
 * All functions are thread-safe (no shared state); out_path is borrowed.
 */
#ifndef MAMORI_TOOLS_SCENARIOS_H
#define MAMORI_TOOLS_SCENARIOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Options of the scenarios that take them (mamori-gen --seed N, --count N). */
struct scenario_opts {
	uint64_t seed;	/* default 1 */
	uint64_t count; /* default: the scenario's own */
	bool has_seed, has_count;
};

struct scenario {
	const char *name;    /* "tcp-basic" */
	const char *summary; /* one line */
	/* Write the pcap at out_path (created or truncated). 0 or negative errno. */
	int (*write)(const char *out_path);
};

/* The second registration form: scenarios that take options (mamori-gen --seed, --count;
 * the summary names those each accepts). opts is borrowed. */
struct scenario_with_opts {
	const char *name;
	const char *summary;
	int (*write)(const char *out_path, const struct scenario_opts *opts);
};

/* The registration table, in listing order; *n receives its length. Static storage. */
const struct scenario *scenarios_all(size_t *n);

/* The scenario called name, or NULL. */
const struct scenario *scenarios_find(const char *name);

/* The same for the scenarios that take options. */
const struct scenario_with_opts *scenarios_all_opts(size_t *n);
const struct scenario_with_opts *scenarios_find_opts(const char *name);

/* scenarios_office.c */
int scenarios_office(const char *out_path);

/* scenarios_tcp.c */
int scenarios_tcp_basic(const char *out_path);
int scenarios_tcp_retrans(const char *out_path);
int scenarios_tcp_split(const char *out_path);
int scenarios_tcp_badsum(const char *out_path);
int scenarios_tcp_ooo(const char *out_path);
int scenarios_tcp_overlap(const char *out_path);
int scenarios_tcp_gap(const char *out_path);
int scenarios_tcp_seqwrap(const char *out_path);
int scenarios_tcp_midstream(const char *out_path);
int scenarios_tcp_rst(const char *out_path);
int scenarios_tcp_v6(const char *out_path);
int scenarios_tcp_pcap_ns(const char *out_path);

/* scenarios.c */
int scenarios_frag_v4(const char *out_path);
int scenarios_frag_v6(const char *out_path);
int scenarios_vlan(const char *out_path);
int scenarios_qinq(const char *out_path);
int scenarios_ipv6_ext(const char *out_path);
int scenarios_icmp(const char *out_path);
int scenarios_linktypes_raw(const char *out_path);
int scenarios_linktypes_sll(const char *out_path);
int scenarios_linktypes_sll2(const char *out_path);
int scenarios_linktypes_null(const char *out_path);
int scenarios_linktypes_loop(const char *out_path);
int scenarios_many_flows(const char *out_path);
int scenarios_pppoe(const char *out_path);

/* scenarios_store.c */
int scenarios_store_load(const char *out_path);

/* behave.c: the behaviour captures and their ground truth (OUT.truth.json) */
int behave_behaviour(const char *out_path, const struct scenario_opts *opts);
int behave_background(const char *out_path, const struct scenario_opts *opts);
int behave_intrusion(const char *out_path, const struct scenario_opts *opts);
int behave_flood(const char *out_path, const struct scenario_opts *opts);

/* scenarios_bad.c */
int scenarios_bad_malformed(const char *out_path);
int scenarios_bad_truncated(const char *out_path);
int scenarios_bad_lying_len(const char *out_path);

#endif
