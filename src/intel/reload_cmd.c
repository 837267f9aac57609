/*
 * reload_cmd — `mamori intel reload`: ask a running `mamori live` to read its
 * intel files again (SIGHUP to the process named by OUTDIR/mamori.pid, or
 * --pid). The new set is built beside the one in force and swapped in;
 * capture goes on meanwhile.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel/intel_cmd.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mamori intel reload [-o DIR | --pid PID]\n"
		"Make a running 'mamori live' read its intel files (-I, intel.files, intel.dir)\n"
		"again, without stopping capture. The process is the one named in DIR/mamori.pid\n"
		"(DIR: its output directory, default .), or PID.\n\n"
		"exit status: 0 asked; 1 no such process; 2 usage.\n");
}

static long read_pid(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/mamori.pid", dir);
	FILE *f = fopen(path, "r");
	long pid = 0;
	if (!f) {
		fprintf(stderr, "mamori: %s: %s (is 'mamori live -o %s' running?)\n", path,
			strerror(errno), dir);
		return -1;
	}
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 1) {
		fprintf(stderr, "mamori: %s: not a process id\n", path);
		pid = -1;
	}
	fclose(f);
	return pid;
}

int intel_reload_running(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/mamori.pid", dir);
	FILE *f = fopen(path, "r");
	long pid = 0;
	if (!f)
		return 0;
	int ok = fscanf(f, "%ld", &pid) == 1 && pid > 1;
	fclose(f);
	if (!ok || kill((pid_t)pid, SIGHUP) < 0)
		return 0;
	return (int)pid;
}

int intel_reload_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"pid", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = ".";
	long pid = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case 'p': {
			char *end;
			pid = strtol(optarg, &end, 10);
			if (*end || pid <= 1) {
				fprintf(stderr, "mamori: --pid %s: not a process id\n", optarg);
				return 2;
			}
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!pid && (pid = read_pid(dir)) < 0)
		return 1;
	if (kill((pid_t)pid, SIGHUP) < 0) {
		fprintf(stderr, "mamori: process %ld: %s\n", pid, strerror(errno));
		return 1;
	}
	printf("asked process %ld to reload its intel\n", pid);
	return 0;
}
