/*
 * intel_cmd — the `mamori intel` command (argv[0] is "intel").
 */
#ifndef MAMORI_INTEL_INTEL_CMD_H
#define MAMORI_INTEL_INTEL_CMD_H

int intel_cmd(int argc, char **argv);

/* `mamori intel reload` (reload_cmd.c; argv[0] is "reload"). */
int intel_reload_cmd(int argc, char **argv);

#endif
