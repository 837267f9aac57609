/*
 * intel_cmd — the `mamori intel` command (argv[0] is "intel").
 */
#ifndef MAMORI_INTEL_INTEL_CMD_H
#define MAMORI_INTEL_INTEL_CMD_H

int intel_cmd(int argc, char **argv);

/* `mamori intel reload` (reload_cmd.c; argv[0] is "reload"). */
int intel_reload_cmd(int argc, char **argv);

/* If a `mamori live` writing to dir runs (dir/mamori.pid names a live
 * process), ask it to reload its intel: its pid, else 0. */
int intel_reload_running(const char *dir);

#endif
