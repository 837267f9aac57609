/*
 * share — an incident document (docs/incidents.md, the JSON of `mamori report
 * ID --json`) as a STIX 2.1 bundle for a national CSIRT: the reporting
 * organisation, the incident and a report naming every object, indicators for
 * the attacker's addresses, domains and the files' hashes with a sighting
 * each, observed-data of the flows, ATT&CK attack patterns, intrusion sets and
 * campaigns named by intel, and the relationships between them, every object
 * marked with one TLP 2.0 marking.
 *
 * Internal addresses never leave: each becomes a pseudonym, "host-" and the
 * first 16 hex digits of HMAC-SHA-256(pseudonym key, address bytes), carried
 * by an x-mamori-host observable. The serialised bundle is scanned before it
 * is handed out; an internal address found in it (one of the document's, or
 * any inside HOME_NET) fails the share.
 *
 * The output is reproducible: ids are UUIDv5 of the object's content (the
 * observables by STIX's own deterministic-id rule), times come from the
 * document, so the same document and settings give the same bytes.
 *
 * Thread-safe: no state between calls.
 */
#ifndef MAMORI_INCIDENT_SHARE_H
#define MAMORI_INCIDENT_SHARE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

struct config;

/* The settings of a share. Strings are borrowed; NULL and "" mean unset. */
struct share_opts {
	const char *organisation;  /* the identity's name (share.organisation) */
	const char *sector;	   /* its sectors, comma-separated (share.sector) */
	const char *contact;	   /* contact_information (share.contact) */
	const char *tlp;	   /* clear, green, amber, amber+strict or red (share.tlp) */
	const char *pseudonym_key; /* hex, at least 16 bytes (share.pseudonym-key) */
	/* HOME_NET as an address expression, and the configuration its
	 * $VARIABLES are looked up in (NULL: none); NULL: the document's own
	 * hosts are the only internal addresses known */
	const char *home_net;
	const struct config *vars;
};

/* The settings from a configuration (pointers into cfg, which must outlive
 * o). */
void share_opts_from_config(struct share_opts *o, const struct config *cfg);

/*
 * The STIX 2.1 bundle of one incident document. doc is borrowed. Returns 0
 * with *bundle_out set (free with json_decref), or -1 with a message in err:
 * a setting that is wrong (no or short pseudonym key, unknown TLP, bad
 * HOME_NET), a document that does not follow docs/incidents.md (naming the
 * member), an internal address found in the bundle, or out of memory.
 */
int share_stix(const json_t *doc, const struct share_opts *o, json_t **bundle_out, char *err,
	       size_t errlen) __attribute__((warn_unused_result));

/* The bundle as share writes it: two-space indentation, members in the order
 * they were built, a final newline. NULL out of memory; free with free(). */
char *share_dumps(const json_t *bundle);

/*
 * Read an incident document from doc_path, share it with the settings of cfg
 * and write the bundle to out. Returns 0, or -1 after a message on stderr
 * naming the file and the problem. For the `share` command.
 */
int share_cmd_from_doc(const char *doc_path, const struct config *cfg, FILE *out);

#endif
