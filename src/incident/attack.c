/*
 * attack — the tactic table and its spellings (attack.h).
 */
#include "incident/attack.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

const struct attack_tactic attack_tactics[] = {
    {"TA0043", "reconnaissance", "Reconnaissance"},
    {"TA0042", "resource-development", "Resource Development"},
    {"TA0001", "initial-access", "Initial Access"},
    {"TA0002", "execution", "Execution"},
    {"TA0003", "persistence", "Persistence"},
    {"TA0004", "privilege-escalation", "Privilege Escalation"},
    {"TA0005", "defense-evasion", "Defense Evasion"},
    {"TA0006", "credential-access", "Credential Access"},
    {"TA0007", "discovery", "Discovery"},
    {"TA0008", "lateral-movement", "Lateral Movement"},
    {"TA0009", "collection", "Collection"},
    {"TA0011", "command-and-control", "Command and Control"},
    {"TA0010", "exfiltration", "Exfiltration"},
    {"TA0040", "impact", "Impact"},
};
const int attack_ntactics = (int)(sizeof(attack_tactics) / sizeof(attack_tactics[0]));

/* Equal ignoring case and the separators '_', '-', ' '. */
static bool loose_eq(const char *a, const char *b)
{
	for (;;) {
		while (*a == '_' || *a == '-' || *a == ' ')
			a++;
		while (*b == '_' || *b == '-' || *b == ' ')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++;
		b++;
	}
}

int attack_tactic_find(const char *s)
{
	if (!s || !*s)
		return -1;
	for (int i = 0; i < attack_ntactics; i++)
		if (!strcasecmp(s, attack_tactics[i].id) || loose_eq(s, attack_tactics[i].slug))
			return i;
	return -1;
}

void attack_name_clean(const char *in, char *out, unsigned outlen)
{
	unsigned n = 0;
	if (!outlen)
		return;
	for (; in && *in && n + 1 < outlen; in++)
		out[n++] = *in == '_' ? ' ' : *in;
	out[n] = '\0';
}
