/*
 * mamori-gen — command-line front end of the scenario table: writes one named scenario as a
 * pcap file, for the end-to-end cases, the fuzz seed corpus and the demo.
 *
 *   mamori-gen SCENARIO OUT.pcap   write it; exit 0, 1 if writing failed
 *   mamori-gen --list              names and one-line descriptions
 *   mamori-gen --help
 * An unknown scenario or bad usage exits 2.
 */
#include "scenarios.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	fputs("usage: mamori-gen SCENARIO OUT.pcap   write a scenario capture\n"
	      "       mamori-gen --list              list the scenarios\n"
	      "       mamori-gen --help              this text\n"
	      "Captures are deterministic: the same scenario gives the same bytes.\n",
	      out);
}

static void list(void)
{
	size_t n;
	const struct scenario *s = scenarios_all(&n);

	for (size_t i = 0; i < n; i++)
		printf("%-16s %s\n", s[i].name, s[i].summary);
}

int main(int argc, char **argv)
{
	const struct scenario *s;
	int r;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		list();
		return 0;
	}
	if (argc != 3 || argv[1][0] == '-') {
		usage(stderr);
		return 2;
	}
	s = scenarios_find(argv[1]);
	if (!s) {
		fprintf(stderr, "mamori-gen: unknown scenario '%s' (see mamori-gen --list)\n",
			argv[1]);
		return 2;
	}
	r = s->write(argv[2]);
	if (r < 0) {
		fprintf(stderr, "mamori-gen: %s: writing %s failed: %s\n", s->name, argv[2],
			strerror(-r));
		return 1;
	}
	return 0;
}
