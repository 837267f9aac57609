/*
 * arp — counted, not analysed yet (ARP carries no flow).
 */
#include "decode/decode.h"

void decode_arp(struct decode_ctx *dc, struct packet *p, struct rd r)
{
	(void)p;
	(void)r;
	CNT_INC(dc->cnt, DEC_ARP);
}
