/*
 * incident_cmd — the incident commands: `mamori incidents` (the list),
 * `mamori report ID` (Markdown, HTML or the JSON document) and `mamori
 * share ID` (a STIX 2.1 bundle). Each runs a correlation pass over the
 * store first (incident.h) unless --no-update.
 */
#ifndef MAMORI_INCIDENT_INCIDENT_CMD_H
#define MAMORI_INCIDENT_INCIDENT_CMD_H

#include <jansson.h>

struct sqlite3_stmt;

/* argv[0] is "incidents", "report" or "share". Exit status 0 ok, 1 no such
 * incident / store or write error, 2 usage or configuration. */
int incident_cmd(int argc, char **argv);

/* The columns of an incident list row, in the order incident_list_item
 * reads them. */
#define INCIDENT_LIST_COLUMNS                                                                      \
	"id, first, last, score, severity, status, title, hosts, infra, signals, bytes_out, "      \
	"merged_into"

/* A list row (SELECT INCIDENT_LIST_COLUMNS FROM incident) as the JSON object
 * `mamori incidents --json` prints. */
json_t *incident_list_item(struct sqlite3_stmt *st);

#endif
