/*
 * report — the damage report of one incident, rendered from the incident
 * document (docs/incidents.md, what `mamori report ID --json` prints) as
 * Markdown or as one self-contained HTML file with an SVG timeline chart.
 * It is what a CSIRT hands to management and to the national centre.
 *
 * Sections, in this order: title; severity and score with the reasons; a
 * summary in plain words (which machines, since when, who, what left and how
 * much, files, personal data); affected hosts; attacker infrastructure; the
 * ATT&CK kill chain; the timeline (HTML: with the chart); the damage
 * assessment with each figure's confidence and what could not be seen;
 * visibility; signals.
 *
 * The document is untrusted: a member that is absent or of the wrong JSON
 * type is left out, every text from it is escaped for where it goes (HTML,
 * Markdown inline text and table cells), capped in length, and URL schemes
 * in it are defanged (hxxp://). The HTML loads nothing: no scripts, fonts or
 * images from elsewhere, and a Content-Security-Policy that forbids them.
 * Times are shown in UTC.
 *
 * Both functions borrow doc (any JSON value; anything but an object renders
 * as an empty document) and write to out without closing it. Thread-safe:
 * no state.
 */
#ifndef MAMORI_INCIDENT_REPORT_H
#define MAMORI_INCIDENT_REPORT_H

#include <jansson.h>
#include <stdio.h>

/* The report as Markdown (CommonMark with GFM tables). 0, or -1 when
 * writing to out failed (or memory ran out). */
int report_markdown(FILE *out, const json_t *doc);

/* The report as one HTML5 file. 0, or -1 when writing to out failed (or
 * memory ran out). */
int report_html(FILE *out, const json_t *doc);

#endif
