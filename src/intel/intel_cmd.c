/*
 * intel_cmd — `mamori intel check FILE...`: load intel files into one set
 * and report, per file, its format, what was loaded, duplicates and every
 * reason something was skipped or taken with a caveat (with its first
 * place); then the set's indicators per type, the load time and the memory
 * it holds.
 */
#include "intel/intel_cmd.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "intel/import.h"
#include "store/hunt_cmd.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mamori intel check [--format NAME] FILE|DIR...\n"
		"       mamori intel import [options] FEED...  (keep feeds, retro-hunt the store;\n"
		"                                             'mamori intel import --help')\n"
		"       mamori intel reload [-o DIR | --pid PID]\n\n"
		"Load intel files and report what loaded, what was skipped and why:\n"
		"STIX 2.1 and 2.0 bundles (indicator patterns), MISP events, API responses\n"
		"and feeds (a directory or its manifest.json), Suricata iprep and dataset\n"
		"files, CSV files with a header naming their columns, plain lists of\n"
		"addresses, CIDRs, domains, URLs, hashes, JA4 and e-mail addresses.\n\n"
		"options:\n"
		"  -f, --format NAME   the files' format (default: recognised by content):\n"
		"                      stix, misp, misp-all (MISP attributes not marked\n"
		"                      to_ids too), iprep, dataset, csv, list\n\n"
		"exit status: 0 every file loaded; 1 a file could not be read; 2 usage.\n");
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int check(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *format = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	struct ioc_set *s = ioc_set_new();
	if (!s) {
		fprintf(stderr, "mamori: out of memory\n");
		return 1;
	}
	int rc = 0;
	uint64_t loaded = 0, dup = 0, skipped = 0;
	double t0 = now();
	for (int i = optind; i < argc; i++) {
		struct ioc_report r;
		char err[512];
		if (ioc_import_file(s, argv[i], format, NULL, &r, err, sizeof(err)) < 0) {
			fprintf(stderr, "mamori: %s\n", err);
			rc = 1;
			continue;
		}
		loaded += r.loaded;
		dup += r.duplicates;
		skipped += r.skipped;
		printf("%s: %s: %" PRIu64 " loaded, %" PRIu64 " duplicates, %" PRIu64 " skipped",
		       argv[i], r.format, r.loaded, r.duplicates, r.skipped);
		if (r.notes)
			printf(", %" PRIu64 " notes", r.notes);
		printf("\n");
		for (unsigned k = 0; k < r.n_skip; k++)
			printf("  %8" PRIu64 "  %s%s (first at %" PRIu64 ")\n", r.skip[k].n,
			       r.skip[k].note ? "note: " : "", r.skip[k].reason, r.skip[k].where);
		if (r.skip_other)
			printf("  %8" PRIu64 "  for other reasons\n", r.skip_other);
	}
	double dt = now() - t0;
	struct ioc_stats st;
	ioc_set_stats(s, &st);
	printf("intel: %" PRIu64 " loaded, %" PRIu64 " duplicates, %" PRIu64 " skipped;", loaded,
	       dup, skipped);
	for (int t = 0; t < IOC_TYPE_MAX; t++)
		if (st.count[t])
			printf(" %s%s %" PRIu64, ioc_type_name((enum ioc_type)t),
			       t == IOC_DOMAIN_SUFFIX ? " (and below)" : "", st.count[t]);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("\nintel: %" PRIu64 " attributions; loaded in %.3f s; set %.1f MB; peak RSS %.1f MB\n",
	       st.metas, dt, (double)st.bytes / 1e6, (double)ru.ru_maxrss / 1024.0);
	ioc_set_free(s);
	return rc;
}

int intel_cmd(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "check"))
		return check(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "reload"))
		return intel_reload_cmd(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "import"))
		return hunt_cmd(argc - 1, argv + 1, true);
	bool help = argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
	usage(help ? stdout : stderr);
	return help ? 0 : 2;
}
