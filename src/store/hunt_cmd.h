/*
 * hunt_cmd — `mamori hunt FEED...` (retro-hunt the store with intel feeds,
 * not keeping them) and `mamori intel import FEED...` (keep the feeds in the
 * intel folder, then the same hunt). Sightings go to stdout or -o FILE as
 * EVE intel records with "retro": true, and into the store's intel table.
 */
#ifndef MAMORI_STORE_HUNT_CMD_H
#define MAMORI_STORE_HUNT_CMD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "store/hunt.h"

/* One import or hunt: feeds loaded, kept (keep), hunted over the store. */
struct hunt_job {
	const struct config *cfg;
	const char *store;	  /* the store's path */
	const char *const *feeds; /* file paths */
	int n_feeds;
	const char *format;	 /* an importer's name, or NULL: detected */
	const char *since;	 /* the hunt's window (default 180d) */
	bool keep;		 /* copy the feeds into the intel folder */
	FILE *out;		 /* the sightings as EVE lines, or NULL */
	bool stop_on_feed_error; /* no hunt when a feed was refused */
};

struct hunt_result {
	const char *format; /* the last feed's importer */
	uint64_t loaded, duplicates, skipped;
	bool feed_failed;
	bool hunted; /* the hunt ran and its sightings were stored */
	int64_t since_us;
	struct store_hunt_stats hs;
	double seconds;
	int64_t incidents_before, incidents_after; /* not merged, before and after the hunt */
	char err[512];				   /* the first problem, or "" */
};

/* Run a job. Returns the exit status hunt_cmd would (0, 1, 2); r says what
 * was done. */
int hunt_run(const struct hunt_job *j, struct hunt_result *r);

/* argv[0] is the command's name. keep: copy the feeds into intel.dir
 * first. Exit status 0, 1 (a feed or the store could not be read or
 * written), 2 (usage). */
int hunt_cmd(int argc, char **argv, bool keep);

#endif
