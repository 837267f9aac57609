/*
 * scenarios_store — captures for the store's tests: long runs of packet time that keep
 * producing records, so that a reader can be stopped while its store is being written.
 */
#include "scenarios.h"
#include "scenarios_int.h"

#include <stdio.h>
#include <string.h>

#define LOOKUPS	    100000
#define LOOKUP_STEP (20 * SCEN_MS)

/* A DNS message (RFC 1035 §4.1): one question, `name` type A class IN, and for a
 * response one A answer (a pointer to the question's name, TTL 300). Returns its length. */
static size_t dns_message(uint8_t *out, uint16_t id, const char *name, bool response,
			  const uint8_t addr[4])
{
	size_t n = 0;
	static const uint8_t tail[] = {0, 1, 0, 1};
	out[n++] = (uint8_t)(id >> 8);
	out[n++] = (uint8_t)id;
	out[n++] = response ? 0x81 : 0x01; /* QR, RD */
	out[n++] = response ? 0x80 : 0x00; /* RA, NOERROR */
	memcpy(out + n, (const uint8_t[]){0, 1, 0, (uint8_t)response, 0, 0, 0, 0}, 8);
	n += 8;
	for (const char *p = name; *p;) {
		size_t l = strcspn(p, ".");
		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p += l + (p[l] == '.');
	}
	out[n++] = 0;
	memcpy(out + n, tail, 4);
	n += 4;
	if (response) {
		static const uint8_t rr[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4};
		memcpy(out + n, rr, sizeof(rr));
		n += sizeof(rr);
		memcpy(out + n, addr, 4);
		n += 4;
	}
	return n;
}

/*
 * store-load: 100,000 DNS lookups over UDP, one every 20 ms (2,000 s of packet time,
 * 200,000 packets), lookup i from 10.50.(i / 250 % 200).(i % 250 + 1) port 20000 + i % 40000
 * to the resolver 10.50.255.53:53: a query for h<i>.load.example type A and, 1 ms later, its
 * answer 198.18.(i / 256 % 256).(i % 256) (TTL 300). Every lookup is a flow of its own (one
 * packet each way; Suricata's UDP timeouts end it 300 s later), so the dns and flow records
 * keep coming for the whole capture: 200,000 dns records and 100,000 flows.
 */
int scenarios_store_load(const char *out_path)
{
	static const struct pcapw_link eth = {.linktype = PCAPW_LINK_ETHERNET};
	struct pcapw_host cli, srv;
	struct pcapw w;
	uint8_t msg[512];
	char name[64];
	int r = pcapw_open(&w, out_path, PCAPW_LINK_ETHERNET, SCEN_SNAPLEN, 0);

	if (r < 0)
		return r;
	pcapw_host_set(&cli, "10.50.0.1", "02:00:00:00:32:01", 20000);
	pcapw_host_set(&srv, "10.50.255.53", "02:00:00:00:32:35", 53);
	for (unsigned i = 0; i < LOOKUPS && r == 0; i++) {
		uint64_t t = SCEN_T0 + (uint64_t)i * LOOKUP_STEP;
		uint8_t addr[4] = {198, 18, (uint8_t)(i / 256 % 256), (uint8_t)(i % 256)};
		cli.ip[2] = (uint8_t)(i / 250 % 200);
		cli.ip[3] = (uint8_t)(i % 250 + 1);
		cli.port = (uint16_t)(20000 + i % 40000);
		snprintf(name, sizeof(name), "h%u.load.example", i);
		size_t n = dns_message(msg, (uint16_t)i, name, false, addr);
		pcapw_udp_write(&w, t, &eth, &cli, &srv, msg, n);
		n = dns_message(msg, (uint16_t)i, name, true, addr);
		r = pcapw_udp_write(&w, t + SCEN_MS, &eth, &srv, &cli, msg, n);
	}
	return scen_abort(&w, r);
}
