/*
 * incident_cmd — the incident commands: `mamori incidents` (the list),
 * `mamori report ID` (Markdown, HTML or the JSON document) and `mamori
 * share ID` (a STIX 2.1 bundle). Each runs a correlation pass over the
 * store first (incident.h) unless --no-update.
 */
#ifndef MAMORI_INCIDENT_INCIDENT_CMD_H
#define MAMORI_INCIDENT_INCIDENT_CMD_H

/* argv[0] is "incidents", "report" or "share". Exit status 0 ok, 1 no such
 * incident / store or write error, 2 usage or configuration. */
int incident_cmd(int argc, char **argv);

#endif
