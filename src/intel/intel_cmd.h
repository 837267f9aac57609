/*
 * intel_cmd — the `mamori intel` command (argv[0] is "intel").
 */
#ifndef MAMORI_INTEL_INTEL_CMD_H
#define MAMORI_INTEL_INTEL_CMD_H

int intel_cmd(int argc, char **argv);

#endif
