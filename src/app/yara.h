/*
 * yara — YARA scanning of extracted files (libyara): the rules of a file or
 * a folder of .yar/.yara files, compiled once and shared read-only by the
 * workers (libyara allows concurrent scans of one compiled set).
 */
#ifndef MAMORI_APP_YARA_H
#define MAMORI_APP_YARA_H

#include <stdint.h>

#define APP_YARA_MAX_MATCHES 8
#define APP_YARA_NAME_MAX    64

struct app_yara;

/* Compile every rule file at path (a file, or each *.yar / *.yara in a
 * folder). NULL after a message naming file and line on any error. */
struct app_yara *app_yara_load(const char *path);
void app_yara_free(struct app_yara *y);
uint32_t app_yara_rule_count(const struct app_yara *y);

/* Scan d[0..n): writes the names of up to max matching rules into names and
 * returns how many matched (more than max are counted, not named); -1 when
 * the scan failed (timeout, memory). */
int app_yara_scan(const struct app_yara *y, const uint8_t *d, uint32_t n,
		  char names[][APP_YARA_NAME_MAX], int max);

#endif
