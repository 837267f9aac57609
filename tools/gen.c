/*
 * mamori-gen — command-line front end of the scenario table: writes one named scenario as a
 * pcap file, for the end-to-end cases, the fuzz seed corpus and the demo.
 *
 *   mamori-gen SCENARIO OUT.pcap [--seed N] [--count N]
 *                                  write it; exit 0, 1 if writing failed
 *   mamori-gen --list              names and one-line descriptions
 *   mamori-gen --help
 * --seed and --count are accepted only by the scenarios that take options (behaviour,
 * background, intrusion, flood). An unknown scenario or bad usage exits 2.
 */
#include "scenarios.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fputs("usage: mamori-gen SCENARIO OUT.pcap [--seed N] [--count N]\n"
	      "                                     write a scenario capture\n"
	      "       mamori-gen --list              list the scenarios\n"
	      "       mamori-gen --help              this text\n"
	      "Captures are deterministic: the same scenario (and seed) gives the same bytes.\n"
	      "--seed / --count only for the scenarios that take them (see --list).\n",
	      out);
}

static void list(void)
{
	size_t n;
	const struct scenario *s = scenarios_all(&n);

	const struct scenario_with_opts *so;

	for (size_t i = 0; i < n; i++)
		printf("%-16s %s\n", s[i].name, s[i].summary);
	so = scenarios_all_opts(&n);
	for (size_t i = 0; i < n; i++)
		printf("%-16s %s\n", so[i].name, so[i].summary);
}

/* A decimal number into *v; 0, or -1 if s is not one. */
static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return (errno || *end) ? -1 : 0;
}

/* argv[3..] into opts; 0, or -1 on bad usage (said on stderr). */
static int parse_opts(int argc, char **argv, struct scenario_opts *o)
{
	*o = (struct scenario_opts){.seed = 1};
	for (int i = 3; i < argc; i += 2) {
		bool seed = strcmp(argv[i], "--seed") == 0;

		if (!seed && strcmp(argv[i], "--count") != 0) {
			fprintf(stderr, "mamori-gen: unknown option '%s'\n", argv[i]);
			return -1;
		}
		if (parse_u64(i + 1 < argc ? argv[i + 1] : NULL, seed ? &o->seed : &o->count) < 0) {
			fprintf(stderr, "mamori-gen: %s needs a decimal number\n", argv[i]);
			return -1;
		}
		if (seed)
			o->has_seed = true;
		else
			o->has_count = true;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct scenario_with_opts *so;
	const struct scenario *s;
	struct scenario_opts opts;
	const char *name;
	int r;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		list();
		return 0;
	}
	if (argc < 3 || argv[1][0] == '-' || parse_opts(argc, argv, &opts) < 0) {
		usage(stderr);
		return 2;
	}
	s = scenarios_find(argv[1]);
	so = s ? NULL : scenarios_find_opts(argv[1]);
	if (!s && !so) {
		fprintf(stderr, "mamori-gen: unknown scenario '%s' (see mamori-gen --list)\n",
			argv[1]);
		return 2;
	}
	if (s && (opts.has_seed || opts.has_count)) {
		fprintf(stderr, "mamori-gen: %s takes no options\n", s->name);
		return 2;
	}
	name = s ? s->name : so->name;
	r = s ? s->write(argv[2]) : so->write(argv[2], &opts);
	if (r == -EINVAL && so) {
		fprintf(stderr, "mamori-gen: %s: option out of range\n", name);
		return 2;
	}
	if (r < 0) {
		fprintf(stderr, "mamori-gen: %s: writing %s failed: %s\n", name, argv[2],
			strerror(-r));
		return 1;
	}
	return 0;
}
