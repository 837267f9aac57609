/*
 * attack — the ATT&CK Enterprise tactics in kill-chain order, and the
 * spellings signals use for them: ids ("TA0011"), the analytics' short
 * names ("command-and-control") and ET Open's metadata names
 * ("Command_And_Control"). Pure functions over a constant table.
 */
#ifndef MAMORI_INCIDENT_ATTACK_H
#define MAMORI_INCIDENT_ATTACK_H

struct attack_tactic {
	const char *id;	  /* "TA0011" */
	const char *slug; /* "command-and-control" (the kill_chain_phases phase_name) */
	const char *name; /* "Command and Control" */
};

/* The tactics, in kill-chain order: reconnaissance first, impact last. */
extern const struct attack_tactic attack_tactics[];
extern const int attack_ntactics;

/* The index of a tactic in attack_tactics from any of its spellings (case,
 * '_', '-' and ' ' ignored), or -1. */
int attack_tactic_find(const char *s);

/* A readable technique name from a metadata spelling: '_' becomes ' '
 * ("Ingress_Tool_Transfer" -> "Ingress Tool Transfer"). */
void attack_name_clean(const char *in, char *out, unsigned outlen);

#endif
