/*
 * hunt_cmd — `mamori hunt FEED...` (retro-hunt the store with intel feeds,
 * not keeping them) and `mamori intel import FEED...` (keep the feeds in the
 * intel folder, then the same hunt). Sightings go to stdout or -o FILE as
 * EVE intel records with "retro": true, and into the store's intel table.
 */
#ifndef MAMORI_STORE_HUNT_CMD_H
#define MAMORI_STORE_HUNT_CMD_H

#include <stdbool.h>

/* argv[0] is the command's name. keep: copy the feeds into intel.dir
 * first. Exit status 0, 1 (a feed or the store could not be read or
 * written), 2 (usage). */
int hunt_cmd(int argc, char **argv, bool keep);

#endif
