/*
 * behave_intrusion — the `intrusion` capture's attack: one intrusion through nine stages, two
 * office hosts and two external servers, over the benign background of the behaviour
 * captures (behave_bg.c) with the internet scan and the darknet traffic as noise
 * (behave.c). It reuses the behaviours' generators (beacon, exfil, pii-upload, the horizontal
 * scan, the background's SMB session, beh_http_ex) with its own addresses and times, and
 * writes the "intrusion" object of the truth and two text fixtures beside the capture: the
 * Suricata rules that fire on it (OUT.rules) and the STIX 2.1 intel that names its C2
 * (OUT.intel.json).
 */
#include "behave.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOST_A BEH_IP(10, 10, 1, 23)	 /* the first victim */
#define HOST_B BEH_IP(10, 10, 1, 55)	 /* the staging host */
#define SRV_S  BEH_IP(185, 243, 115, 84) /* tool server and C2, known to intel */
#define SRV_X  BEH_IP(45, 67, 230, 12)	 /* exfiltration server, unknown to intel */

#define TOOL1_SIZE 49152u
#define TOOL2_SIZE 20480u
#define STAGE_SIZE 2097152u
#define EXFIL_UP   25165824ull
#define BEACONS_A  21
#define BEACONS_B  12

/* Each stage draws from its own generator. */
enum {
	TAG_TOOL_A = 0x696e01,
	TAG_BEACON_A,
	TAG_SCAN,
	TAG_SMB,
	TAG_BEACON_B,
	TAG_TOOL_B,
	TAG_STAGE,
	TAG_EXFIL,
	TAG_PII,
};

enum { CH_HTTP, CH_TLS, CH_OTHER, CH_N };
static const char *const ch_name[CH_N] = {"http", "tls", "other"};

/* A file carried over HTTP and what mamori's fileinfo names it. */
struct xfile {
	const char *name, *path; /* "update-kb5034.exe", "/assets/update-kb5034.exe" */
	uint32_t host, peer;
	uint64_t t; /* the stage's start (its DNS lookup, if any) */
	size_t size;
	uint8_t *data;
	struct beh_file f;
	struct beh_acct a; /* the session */
};

struct intrusion {
	struct xfile tool[2], stage;
	struct beh_beacon beacon[2];
	struct beh_hscan scan;
	struct beh_acct smb;
	struct beh_exfil exfil;
	struct beh_pii pii;
	unsigned open, closed, silent;
	uint8_t tool1[TOOL1_SIZE], tool2[TOOL2_SIZE];
};

/* One S/X channel of a host: the flows counted in a, n of them. */
struct link {
	uint32_t host, peer;
	int ch;
	const struct beh_acct *a;
	unsigned flows;
};

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, (uint16_t)v);
	le16(p + 2, (uint16_t)(v >> 16));
}

static void le64(uint8_t *p, uint64_t v)
{
	le32(p, (uint32_t)v);
	le32(p + 4, (uint32_t)(v >> 32));
}

/*
 * n (>= 0x400) bytes that look like a Windows x86-64 executable: DOS header ("MZ", e_lfanew
 * 0x80) and stub, "PE\0\0", COFF header (4 sections), PE32+ optional header (GUI), the
 * section table (.text .rdata .data .rsrc, raw data from 0x400 on), then bytes from r.
 */
static void pe_image(struct scen_rng *r, uint8_t *p, size_t n)
{
	static const uint8_t stub[14] = {0x0e, 0x1f, 0xba, 0x0e, 0x00, 0xb4, 0x09,
					 0xcd, 0x21, 0xb8, 0x01, 0x4c, 0xcd, 0x21};
	static const char msg[] = "This program cannot be run in DOS mode.\r\r\n$";
	static const char *const sect[4] = {".text", ".rdata", ".data", ".rsrc"};
	static const uint32_t sflags[4] = {0x60000020, 0x40000040, 0xc0000040, 0x40000040};
	uint32_t raw = (uint32_t)((n - 0x400) / 4) & ~0x1ffu, va = 0x1000;
	uint8_t *o = p + 0x98, *s = p + 0x188;

	memset(p, 0, 0x400);
	p[0] = 'M';
	p[1] = 'Z';
	le16(p + 0x02, 0x90);
	le16(p + 0x04, 3);
	le16(p + 0x08, 4);
	le16(p + 0x0c, 0xffff);
	le16(p + 0x10, 0xb8);
	le16(p + 0x18, 0x40);
	le32(p + 0x3c, 0x80);
	memcpy(p + 0x40, stub, sizeof(stub));
	memcpy(p + 0x4e, msg, sizeof(msg) - 1);
	memcpy(p + 0x80, "PE\0\0", 4);
	le16(p + 0x84, 0x8664);	    /* x86-64 */
	le16(p + 0x86, 4);	    /* sections */
	le32(p + 0x88, 1705046400); /* 2024-01-12 */
	le16(p + 0x94, 0xf0);	    /* optional header size */
	le16(p + 0x96, 0x22);	    /* executable, large address aware */
	le16(o, 0x20b);		    /* PE32+ */
	o[2] = 14;
	le32(o + 4, raw);
	le32(o + 8, 3 * raw);
	le32(o + 16, 0x1000);
	le32(o + 20, 0x1000);
	le64(o + 24, 0x140000000ull);
	le32(o + 32, 0x1000);
	le32(o + 36, 0x200);
	le16(o + 40, 6);
	le16(o + 48, 6);
	le32(o + 56, 0x1000 + 4 * ((raw + 0xfff) & ~0xfffu));
	le32(o + 60, 0x400);
	le16(o + 68, 2); /* Windows GUI */
	le16(o + 70, 0x8160);
	le64(o + 72, 0x100000);
	le64(o + 80, 0x1000);
	le64(o + 88, 0x100000);
	le64(o + 96, 0x1000);
	le32(o + 108, 16);
	for (unsigned i = 0; i < 4; i++, s += 40) {
		memcpy(s, sect[i], strlen(sect[i]));
		le32(s + 8, raw);
		le32(s + 12, va);
		le32(s + 16, raw);
		le32(s + 20, 0x400 + i * raw);
		le32(s + 36, sflags[i]);
		va += (raw + 0xfff) & ~0xfffu;
	}
	scen_rand_bytes(r, p + 0x400, n - 0x400);
}

/* n (>= 32) bytes of a 7z archive's look: signature 37 7A BC AF 27 1C, version 0.4, start
 * header (CRCs from r, the next header in the last 120 bytes), then bytes from r. */
static void sevenzip(struct scen_rng *r, uint8_t *p, size_t n)
{
	static const uint8_t sig[8] = {0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0x00, 0x04};

	scen_rand_bytes(r, p, n);
	memcpy(p, sig, sizeof(sig));
	le64(p + 12, n - 32 - 120);
	le64(p + 20, 120);
}

/* host asks the resolver for name's A record (addr) at t; returns the answer's time. */
static uint64_t lookup(struct behave *b, struct scen_rng *r, uint64_t t, uint32_t host,
		       const char *name, uint32_t addr)
{
	struct pcapw_host cli = beh_host(host, 0), dns = beh_host(BEH_RESOLVER, 53);
	uint8_t a[4] = {(uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8),
			(uint8_t)addr};

	return beh_dns(b, r, t, &cli, &dns, name, 1, a, sizeof(a));
}

/* A tool from S: the lookup of dl.cdn-sync.net, then 2 ms later the BITS GET of k->path and
 * its 200 application/octet-stream answer carrying the image. */
static void tool_download(struct behave *b, struct scen_rng *r, struct xfile *k)
{
	struct pcapw_host cli = beh_host(k->host, 0), srv = beh_host(SRV_S, 80);
	struct beh_http_msg m = {
	    .host = "dl.cdn-sync.net",
	    .method = "GET",
	    .path = k->path,
	    .ua = "Microsoft BITS/7.8",
	    .server = "nginx/1.18.0",
	    .ctype = "application/octet-stream",
	    .resp = k->data,
	    .resp_len = k->size,
	};
	uint64_t t = lookup(b, r, k->t, k->host, "dl.cdn-sync.net", SRV_S) + 2 * SCEN_MS;

	pe_image(r, k->data, k->size);
	beh_file_hash(b, &k->f, k->data, k->size);
	beh_count(b, &k->a, k->host);
	beh_http_ex(b, r, t, &cli, &srv, &m);
	beh_count(b, NULL, 0);
}

/* The internal discovery: A probes port 445 of 10.10.1.1-254 but itself in random order,
 * 120 ms apart; the office hosts answer open, 40 of the others (random) closed, the rest
 * nothing. */
static void discovery(struct behave *b, struct scen_rng *r, struct intrusion *x)
{
	struct beh_hscan *s = &x->scan;
	uint32_t other[BEH_HSCAN_MAX];
	bool closed[BEH_HSCAN_MAX];
	size_t n = 0, k = 0;

	s->src = HOST_A;
	s->port = 445;
	s->t0 = BEH_MIN(9, 40);
	s->step = 120 * SCEN_MS;
	for (uint32_t i = 1; i <= 254; i++)
		if (BEH_IP(10, 10, 1, i) != HOST_A)
			s->target[n++] = BEH_IP(10, 10, 1, i);
	s->n = n;
	beh_shuffle(s->target, n, r);
	for (size_t i = 0; i < n; i++) {
		uint32_t h = s->target[i] & 255;

		if (h >= 10 && h < 10 + BEH_OFFICE_N)
			s->answer[i] = BEH_ANS_OPEN;
		else
			other[k++] = (uint32_t)i;
	}
	beh_choose(closed, k, 40, r);
	for (size_t j = 0; j < k; j++)
		s->answer[other[j]] = closed[j] ? BEH_ANS_CLOSED : BEH_ANS_SILENT;
	x->open = (unsigned)(n - k);
	x->closed = 40;
	x->silent = (unsigned)(k - 40);
	beh_hscan_run(b, r, s);
}

/* The staging upload: A PUTs the archive to B:8080, answered 201 with no body. */
static void staging(struct behave *b, struct scen_rng *r, struct xfile *k)
{
	struct pcapw_host cli = beh_host(HOST_A, 0), srv = beh_host(HOST_B, 8080);
	char extra[128];
	struct beh_http_msg m = {
	    .host = "10.10.1.55:8080",
	    .method = "PUT",
	    .path = k->path,
	    .ua = "curl/8.4.0",
	    .extra = extra,
	    .body = k->data,
	    .len = k->size,
	    .port = 8080,
	    .step = BEH_LAN_STEP,
	    .status = "201 Created",
	    .server = "Microsoft-HTTPAPI/2.0",
	    .ctype = "text/plain",
	    .resp = "",
	};

	snprintf(extra, sizeof(extra),
		 "Content-Type: application/x-7z-compressed\r\nContent-Length: %zu\r\n", k->size);
	sevenzip(r, k->data, k->size);
	beh_file_hash(b, &k->f, k->data, k->size);
	beh_count(b, &k->a, HOST_A);
	beh_http_ex(b, r, k->t, &cli, &srv, &m);
	beh_count(b, NULL, 0);
}

/* Every stage, each from its own generator. */
static void generate(struct behave *b, struct intrusion *x)
{
	struct scen_rng r;

	x->tool[0] = (struct xfile){.name = "update-kb5034.exe",
				    .path = "/assets/update-kb5034.exe",
				    .host = HOST_A,
				    .peer = SRV_S,
				    .t = BEH_MIN(9, 12),
				    .size = TOOL1_SIZE,
				    .data = x->tool1};
	r = beh_rng(b, TAG_TOOL_A);
	tool_download(b, &r, &x->tool[0]);

	x->beacon[0] = (struct beh_beacon){.src = HOST_A,
					   .dst = SRV_S,
					   .sni = "update.cdn-sync.net",
					   .first = BEH_MIN(9, 15),
					   .n = BEACONS_A};
	r = beh_rng(b, TAG_BEACON_A);
	lookup(b, &r, x->beacon[0].first - SCEN_S, HOST_A, "update.cdn-sync.net", SRV_S);
	beh_beacon_run(b, &r, &x->beacon[0]);

	r = beh_rng(b, TAG_SCAN);
	discovery(b, &r, x);

	{
		struct pcapw_host cli = beh_host(HOST_A, 0), srv = beh_host(HOST_B, 445);

		r = beh_rng(b, TAG_SMB);
		beh_count(b, &x->smb, HOST_A);
		beh_smb_session(b, &r, BEH_MIN(9, 52), &cli, &srv);
		beh_count(b, NULL, 0);
	}

	x->beacon[1] = (struct beh_beacon){.src = HOST_B,
					   .dst = SRV_S,
					   .sni = "update.cdn-sync.net",
					   .first = BEH_MIN(10, 0),
					   .n = BEACONS_B};
	r = beh_rng(b, TAG_BEACON_B);
	lookup(b, &r, x->beacon[1].first - SCEN_S, HOST_B, "update.cdn-sync.net", SRV_S);
	beh_beacon_run(b, &r, &x->beacon[1]);

	x->tool[1] = (struct xfile){.name = "7za.exe",
				    .path = "/assets/7za.exe",
				    .host = HOST_B,
				    .peer = SRV_S,
				    .t = BEH_MIN(10, 5),
				    .size = TOOL2_SIZE,
				    .data = x->tool2};
	r = beh_rng(b, TAG_TOOL_B);
	tool_download(b, &r, &x->tool[1]);

	x->stage = (struct xfile){.name = "stage-01.7z",
				  .path = "/drop/stage-01.7z",
				  .host = HOST_A,
				  .peer = HOST_B,
				  .t = BEH_MIN(10, 12),
				  .size = STAGE_SIZE};
	x->stage.data = malloc(STAGE_SIZE);
	if (!x->stage.data) {
		beh_fail(b, -ENOMEM);
	} else {
		r = beh_rng(b, TAG_STAGE);
		staging(b, &r, &x->stage);
		free(x->stage.data);
		x->stage.data = NULL;
	}

	x->exfil = (struct beh_exfil){.src = HOST_B,
				      .dst = SRV_X,
				      .sni = "backup.storage-eu.net",
				      .t = BEH_MIN(10, 30),
				      .up = EXFIL_UP};
	r = beh_rng(b, TAG_EXFIL);
	lookup(b, &r, x->exfil.t - SCEN_S, HOST_B, "backup.storage-eu.net", SRV_X);
	beh_exfil_run(b, &r, &x->exfil);

	x->pii = (struct beh_pii){.src = HOST_B,
				  .dst = SRV_X,
				  .host = "upload.storage-eu.net",
				  .t_csv = BEH_MIN(10, 37),
				  .t_multipart = BEH_MIN(10, 38) + 30 * SCEN_S};
	r = beh_rng(b, TAG_PII);
	lookup(b, &r, x->pii.t_csv - SCEN_S, HOST_B, "upload.storage-eu.net", SRV_X);
	beh_pii_run(b, &r, &x->pii);
}

/* ---- the fixtures ------------------------------------------------------------------------ */

/* The rules of OUT.rules and how many alerts each raises on the capture. */
static const struct {
	unsigned sid, alerts;
	const char *text;
} rules[] = {
    {9000101, 2,
     "alert http $EXTERNAL_NET any -> $HOME_NET any (msg:\"LOCAL HUNTING Windows executable "
     "downloaded over HTTP from an external server\"; flow:established,to_client; "
     "http.stat_code; content:\"200\"; file.data; content:\"MZ\"; startswith; "
     "content:\"PE|00 00|\"; distance:0; classtype:trojan-activity; sid:9000101; rev:1; "
     "metadata:attack_target Client_Endpoint, created_at 2024_01_10, deployment Perimeter, "
     "signature_severity Major, mitre_tactic_id TA0011, mitre_tactic_name "
     "Command_And_Control, mitre_technique_id T1105, mitre_technique_name "
     "Ingress_Tool_Transfer, updated_at 2024_01_10;)"},
    {9000102, 2,
     "alert http $HOME_NET any -> $EXTERNAL_NET any (msg:\"LOCAL HUNTING BITS client fetching "
     "an executable from an external server\"; flow:established,to_server; http.method; "
     "content:\"GET\"; http.user_agent; content:\"Microsoft BITS/\"; startswith; http.uri; "
     "content:\".exe\"; endswith; classtype:trojan-activity; sid:9000102; rev:1; "
     "metadata:attack_target Client_Endpoint, created_at 2024_01_10, deployment Perimeter, "
     "signature_severity Minor, mitre_tactic_id TA0005, mitre_tactic_name Defense_Evasion, "
     "mitre_technique_id T1197, mitre_technique_name BITS_Jobs, updated_at 2024_01_10;)"},
    {9000103, 1,
     "alert http $HOME_NET any -> $HOME_NET any (msg:\"LOCAL POLICY 7z archive uploaded with "
     "HTTP PUT between internal hosts\"; flow:established,to_server; http.method; "
     "content:\"PUT\"; http.uri; content:\".7z\"; endswith; file.data; "
     "content:\"|37 7A BC AF 27 1C|\"; startswith; classtype:policy-violation; sid:9000103; "
     "rev:1; metadata:attack_target Client_Endpoint, created_at 2024_01_10, deployment "
     "Internal, signature_severity Major, mitre_tactic_id TA0009, mitre_tactic_name "
     "Collection, mitre_technique_id T1074.002, mitre_technique_name Remote_Data_Staging, "
     "updated_at 2024_01_10;)"},
};

static int write_rules(const char *path)
{
	FILE *f = fopen(path, "w");
	int r = 0;

	if (!f)
		return errno ? -errno : -EIO;
	fputs("# Rules for the mamori-gen intrusion capture; the alerts each raises on it are\n"
	      "# the \"rules\" member of its truth file.\n",
	      f);
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		fprintf(f, "%s\n", rules[i].text);
	if (ferror(f))
		r = -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -EIO;
	return r;
}

/* The intel: an intrusion set, the C2's two names and its address, each indicator
 * "indicates" the set; fixed ids and times, TLP:GREEN (2.0). */
static const char intel[] =
    "{\n"
    "  \"type\": \"bundle\",\n"
    "  \"id\": \"bundle--0b6c1d2e-3f40-4a51-8b62-7c83d94ea5f0\",\n"
    "  \"objects\": [\n"
    "    {\"type\": \"identity\", \"spec_version\": \"2.1\",\n"
    "     \"id\": \"identity--1c7d2e3f-4051-4b62-9c73-8d94ea05b6a1\",\n"
    "     \"created\": \"2024-01-10T00:00:00.000Z\", \"modified\": "
    "\"2024-01-10T00:00:00.000Z\",\n"
    "     \"name\": \"Example CERT\", \"identity_class\": \"organization\"},\n"
    "    {\"type\": \"intrusion-set\", \"spec_version\": \"2.1\",\n"
    "     \"id\": \"intrusion-set--2d8e3f40-5162-4c73-ad84-9ea5f16c7b82\",\n"
    "     \"created_by_ref\": \"identity--1c7d2e3f-4051-4b62-9c73-8d94ea05b6a1\",\n"
    "     \"created\": \"2024-01-10T00:00:00.000Z\", \"modified\": "
    "\"2024-01-10T00:00:00.000Z\",\n"
    "     \"name\": \"KOI SHADOW\",\n"
    "     \"description\": \"Fictional intrusion set: tools fetched over HTTP with BITS, TLS "
    "beacons to update.cdn-sync.net.\",\n"
    "     \"first_seen\": \"2023-11-01T00:00:00.000Z\",\n"
    "     \"object_marking_refs\": "
    "[\"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\"]},\n"
    "    {\"type\": \"indicator\", \"spec_version\": \"2.1\",\n"
    "     \"id\": \"indicator--3e9f4051-6273-4d84-be95-af06a27d8c93\",\n"
    "     \"created_by_ref\": \"identity--1c7d2e3f-4051-4b62-9c73-8d94ea05b6a1\",\n"
    "     \"created\": \"2024-01-10T00:00:00.000Z\", \"modified\": "
    "\"2024-01-10T00:00:00.000Z\",\n"
    "     \"name\": \"KOI SHADOW C2 domain\", \"indicator_types\": [\"malicious-activity\"],\n"
    "     \"pattern\": \"[domain-name:value = 'update.cdn-sync.net']\", \"pattern_type\": "
    "\"stix\",\n"
    "     \"valid_from\": \"2024-01-10T00:00:00Z\", \"confidence\": 85,\n"
    "     \"object_marking_refs\": "
    "[\"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\"]},\n"
    "    {\"type\": \"indicator\", \"spec_version\": \"2.1\",\n"
    "     \"id\": \"indicator--4fa05162-7384-4e95-8fa6-b017b38e9da4\",\n"
    "     \"created_by_ref\": \"identity--1c7d2e3f-4051-4b62-9c73-8d94ea05b6a1\",\n"
    "     \"created\": \"2024-01-10T00:00:00.000Z\", \"modified\": "
    "\"2024-01-10T00:00:00.000Z\",\n"
    "     \"name\": \"KOI SHADOW tool download domain\", \"indicator_types\": "
    "[\"malicious-activity\"],\n"
    "     \"pattern\": \"[domain-name:value = 'dl.cdn-sync.net']\", \"pattern_type\": "
    "\"stix\",\n"
    "     \"valid_from\": \"2024-01-10T00:00:00Z\", \"confidence\": 85,\n"
    "     \"object_marking_refs\": "
    "[\"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\"]},\n"
    "    {\"type\": \"indicator\", \"spec_version\": \"2.1\",\n"
    "     \"id\": \"indicator--50b16273-8495-4fa6-9cb7-c128c49faeb5\",\n"
    "     \"created_by_ref\": \"identity--1c7d2e3f-4051-4b62-9c73-8d94ea05b6a1\",\n"
    "     \"created\": \"2024-01-10T00:00:00.000Z\", \"modified\": "
    "\"2024-01-10T00:00:00.000Z\",\n"
    "     \"name\": \"KOI SHADOW C2 and staging server\", \"indicator_types\": "
    "[\"malicious-activity\"],\n"
    "     \"pattern\": \"[ipv4-addr:value = '185.243.115.84']\", \"pattern_type\": \"stix\",\n"
    "     \"valid_from\": \"2024-01-10T00:00:00Z\", \"confidence\": 85,\n"
    "     \"object_marking_refs\": "
    "[\"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\"]},\n"
    "    {\"type\": \"relationship\", \"spec_version\": \"2.1\",\n"
    "     \"id\": \"relationship--61c27384-95a6-4ab7-8dc8-d2390ab0fbc6\",\n"
    "     \"created\": \"2024-01-10T00:00:00.000Z\", \"modified\": "
    "\"2024-01-10T00:00:00.000Z\",\n"
    "     \"relationship_type\": \"indicates\",\n"
    "     \"source_ref\": \"indicator--3e9f4051-6273-4d84-be95-af06a27d8c93\",\n"
    "     \"target_ref\": \"intrusion-set--2d8e3f40-5162-4c73-ad84-9ea5f16c7b82\"},\n"
    "    {\"type\": \"relationship\", \"spec_version\": \"2.1\",\n"
    "     \"id\": \"relationship--72d38495-a6b7-4bc8-9ed9-e3a41bc10cd7\",\n"
    "     \"created\": \"2024-01-10T00:00:00.000Z\", \"modified\": "
    "\"2024-01-10T00:00:00.000Z\",\n"
    "     \"relationship_type\": \"indicates\",\n"
    "     \"source_ref\": \"indicator--4fa05162-7384-4e95-8fa6-b017b38e9da4\",\n"
    "     \"target_ref\": \"intrusion-set--2d8e3f40-5162-4c73-ad84-9ea5f16c7b82\"},\n"
    "    {\"type\": \"relationship\", \"spec_version\": \"2.1\",\n"
    "     \"id\": \"relationship--83e495a6-b7c8-4cd9-afea-f4b52cd21de8\",\n"
    "     \"created\": \"2024-01-10T00:00:00.000Z\", \"modified\": "
    "\"2024-01-10T00:00:00.000Z\",\n"
    "     \"relationship_type\": \"indicates\",\n"
    "     \"source_ref\": \"indicator--50b16273-8495-4fa6-9cb7-c128c49faeb5\",\n"
    "     \"target_ref\": \"intrusion-set--2d8e3f40-5162-4c73-ad84-9ea5f16c7b82\"}\n"
    "  ]\n"
    "}\n";

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int r = 0;

	if (!f)
		return errno ? -errno : -EIO;
	if (fputs(text, f) == EOF)
		r = -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -EIO;
	return r;
}

/* ---- truth ---------------------------------------------------------------------------- */

struct tot {
	uint64_t out[CH_N], in[CH_N], first, last;
	unsigned flows;
};

static void tot_add(struct tot *t, const struct link *l)
{
	t->out[l->ch] += l->a->bytes[0];
	t->in[l->ch] += l->a->bytes[1];
	t->flows += l->flows;
	if (!t->first || l->a->first < t->first)
		t->first = l->a->first;
	if (l->a->last > t->last)
		t->last = l->a->last;
}

static uint64_t tot_sum(const uint64_t *v)
{
	return v[CH_HTTP] + v[CH_TLS] + v[CH_OTHER];
}

/* "channels":{"http":..,"tls":..,"other":..} */
static void jchannels(struct behave *b, const uint64_t *v)
{
	char s[96];

	beh_jraw(b, ",\"channels\":{");
	for (int c = 0; c < CH_N; c++) {
		snprintf(s, sizeof(s), "%s\"%s\":%" PRIu64, c ? "," : "", ch_name[c], v[c]);
		beh_jraw(b, s);
	}
	beh_jraw(b, "}");
}

/* ,"key":{"total":..,"channels":{..},"by_host":[..]} of one direction, by_host largest
 * first. */
static void jbytes(struct behave *b, const char *key, const struct tot *all, const struct tot *h,
		   const uint32_t *ip, bool in)
{
	const uint64_t *v[2] = {in ? h[0].in : h[0].out, in ? h[1].in : h[1].out};
	int big = tot_sum(v[1]) > tot_sum(v[0]);
	char s[128], ips[16];

	snprintf(s, sizeof(s), ",\"%s\":{\"total\":%" PRIu64, key,
		 tot_sum(in ? all->in : all->out));
	beh_jraw(b, s);
	jchannels(b, in ? all->in : all->out);
	for (int k = 0; k < 2; k++) {
		int i = k ? !big : big;

		snprintf(s, sizeof(s), "%s{\"host\":\"%s\",\"total\":%" PRIu64,
			 k ? "," : ",\"by_host\":[", beh_ipstr(ip[i], ips), tot_sum(v[i]));
		beh_jraw(b, s);
		jchannels(b, v[i]);
		beh_jraw(b, "}");
	}
	beh_jraw(b, "]}");
}

/* A file object's members after the first: sizes and digests. */
static void jdigests(struct behave *b, const struct beh_file *f)
{
	beh_ju64(b, "size", f->size);
	beh_jstr(b, "md5", f->md5);
	beh_jstr(b, "sha1", f->sha1);
	beh_jstr(b, "sha256", f->sha256);
}

static void jxfile(struct behave *b, const struct xfile *k, const char *url, bool first)
{
	char s[128];

	snprintf(s, sizeof(s), "%s{\"name\":\"%s\"", first ? "" : ",", k->name);
	beh_jraw(b, s);
	beh_jstr(b, "fileinfo_filename", k->path);
	jdigests(b, &k->f);
	beh_jtime(b, "ts", k->a.first);
	beh_jip(b, "host", k->host);
	beh_jip(b, "peer", k->peer);
	beh_jstr(b, "url", url);
	beh_jacct(b, "flow", &k->a);
	beh_jraw(b, "}");
}

/* Stages: name, start, ATT&CK tactic and technique, host and peer. */
struct stage {
	const char *name;
	uint64_t t;
	const char *tactic_id, *tactic, *tech_id, *tech;
	uint32_t host;
	const char *peer;
};

static void truth(struct behave *b, const struct intrusion *x, uint64_t packets)
{
	const uint32_t hosts[2] = {HOST_A, HOST_B};
	const struct link links[] = {
	    {HOST_A, SRV_S, CH_HTTP, &x->tool[0].a, 1},
	    {HOST_A, SRV_S, CH_TLS, &x->beacon[0].a, x->beacon[0].n},
	    {HOST_B, SRV_S, CH_TLS, &x->beacon[1].a, x->beacon[1].n},
	    {HOST_B, SRV_S, CH_HTTP, &x->tool[1].a, 1},
	    {HOST_B, SRV_X, CH_TLS, &x->exfil.a, 1},
	    {HOST_B, SRV_X, CH_HTTP, &x->pii.a_csv, 1},
	    {HOST_B, SRV_X, CH_HTTP, &x->pii.a_multipart, 1},
	};
	const struct stage st[] = {
	    {"ingress-tool-transfer", x->tool[0].a.first, "TA0011", "Command and Control", "T1105",
	     "Ingress Tool Transfer", HOST_A, "185.243.115.84"},
	    {"c2-beacon", x->beacon[0].a.first, "TA0011", "Command and Control", "T1071.001",
	     "Web Protocols", HOST_A, "185.243.115.84"},
	    {"network-discovery", x->scan.a.first, "TA0007", "Discovery", "T1046",
	     "Network Service Discovery", HOST_A, "10.10.1.0/24"},
	    {"lateral-movement", x->smb.first, "TA0008", "Lateral Movement", "T1021.002",
	     "SMB/Windows Admin Shares", HOST_A, "10.10.1.55"},
	    {"c2-beacon", x->beacon[1].a.first, "TA0011", "Command and Control", "T1071.001",
	     "Web Protocols", HOST_B, "185.243.115.84"},
	    {"ingress-tool-transfer", x->tool[1].a.first, "TA0011", "Command and Control", "T1105",
	     "Ingress Tool Transfer", HOST_B, "185.243.115.84"},
	    {"remote-data-staging", x->stage.a.first, "TA0009", "Collection", "T1074.002",
	     "Remote Data Staging", HOST_A, "10.10.1.55"},
	    {"exfiltration-tls", x->exfil.a.first, "TA0010", "Exfiltration", "T1048.002",
	     "Exfiltration Over Asymmetric Encrypted Non-C2 Protocol", HOST_B, "45.67.230.12"},
	    {"exfiltration-http", x->pii.a_csv.first, "TA0010", "Exfiltration", "T1048.003",
	     "Exfiltration Over Unencrypted Non-C2 Protocol", HOST_B, "45.67.230.12"},
	};
	static const char *const roles[2] = {
	    "[\"c2-client\",\"discovery\",\"lateral-source\",\"staging\"]",
	    "[\"c2-client\",\"lateral-target\",\"staging\",\"exfiltration\"]"};
	struct tot all, host[2], infra[2];
	char s[256], ips[16];

	memset(&all, 0, sizeof(all));
	memset(host, 0, sizeof(host));
	memset(infra, 0, sizeof(infra));
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		tot_add(&all, &links[i]);
		tot_add(&host[links[i].host == HOST_B], &links[i]);
		tot_add(&infra[links[i].peer == SRV_X], &links[i]);
	}
	beh_jraw(b, ",\n \"intrusion\":{\"hosts\":[");
	for (int i = 0; i < 2; i++) {
		snprintf(s, sizeof(s), "%s{\"ip\":\"%s\",\"roles\":%s", i ? "," : "",
			 beh_ipstr(hosts[i], ips), roles[i]);
		beh_jraw(b, s);
		beh_jtime(b, "first_seen", host[i].first);
		beh_jtime(b, "last_seen", host[i].last);
		beh_jraw(b, "}");
	}
	beh_jraw(b, "]");
	beh_jstr(b, "benign_hosts_note",
		 "every other host is benign; 10.10.1.23 and 10.10.1.55 also have their benign "
		 "background traffic (browsing, SMB to 10.10.0.20), which is not part of the "
		 "intrusion; the internet scanner 198.51.100.23 and the darknet sources are noise");
	beh_jstr(b, "actor", "KOI SHADOW");
	beh_jraw(b, ",\"infrastructure\":[{\"type\":\"ipv4-addr\",\"value\":\"185.243.115.84\","
		    "\"domains\":[\"dl.cdn-sync.net\",\"update.cdn-sync.net\"],"
		    "\"roles\":[\"staging\",\"c2\"],\"in_intel\":true,\"actors\":[\"KOI SHADOW\"]");
	beh_ju64(b, "flows", infra[0].flows);
	beh_ju64(b, "bytes_out", tot_sum(infra[0].out));
	beh_ju64(b, "bytes_in", tot_sum(infra[0].in));
	beh_jtime(b, "first_seen", infra[0].first);
	beh_jtime(b, "last_seen", infra[0].last);
	beh_jraw(b, "},{\"type\":\"ipv4-addr\",\"value\":\"45.67.230.12\","
		    "\"domains\":[\"backup.storage-eu.net\",\"upload.storage-eu.net\"],"
		    "\"roles\":[\"exfiltration\"],\"in_intel\":false,\"actors\":[]");
	beh_ju64(b, "flows", infra[1].flows);
	beh_ju64(b, "bytes_out", tot_sum(infra[1].out));
	beh_ju64(b, "bytes_in", tot_sum(infra[1].in));
	beh_jtime(b, "first_seen", infra[1].first);
	beh_jtime(b, "last_seen", infra[1].last);
	beh_jraw(b, "}]");
	beh_jtime(b, "first_seen", all.first);
	beh_jtime(b, "last_seen", all.last);
	beh_jf6(b, "dwell_seconds", (double)(all.last - all.first) / (double)SCEN_S);
	beh_ju64(b, "flows", all.flows);
	beh_ju64(b, "packets", packets);
	jbytes(b, "bytes_out", &all, host, hosts, false);
	jbytes(b, "bytes_in", &all, host, hosts, true);

	beh_jraw(b, ",\"tools_in\":[");
	jxfile(b, &x->tool[0], "http://dl.cdn-sync.net/assets/update-kb5034.exe", true);
	jxfile(b, &x->tool[1], "http://dl.cdn-sync.net/assets/7za.exe", false);
	beh_jraw(b, "],\"staged\":[");
	jxfile(b, &x->stage, "http://10.10.1.55:8080/drop/stage-01.7z", true);
	beh_jraw(b, "],\"files_out\":[{\"name\":\"upload\"");
	beh_jstr(b, "fileinfo_filename", "/upload");
	jdigests(b, &x->pii.csv);
	beh_jtime(b, "ts", x->pii.a_csv.first);
	beh_jip(b, "host", HOST_B);
	beh_jip(b, "peer", SRV_X);
	beh_jstr(b, "url", "http://upload.storage-eu.net/upload");
	beh_jstr(b, "content_type", "text/csv");
	beh_jraw(b, "},{\"name\":\"customers.xlsx.csv\"");
	beh_jstr(b, "fileinfo_filename", "/upload");
	jdigests(b, &x->pii.part);
	beh_jtime(b, "ts", x->pii.a_multipart.first);
	beh_jip(b, "host", HOST_B);
	beh_jip(b, "peer", SRV_X);
	beh_jstr(b, "url", "http://upload.storage-eu.net/upload");
	beh_jstr(b, "content_type", "multipart/form-data");
	beh_jraw(b, ",\"http_body\":{\"content_type\":\"multipart/form-data\"");
	jdigests(b, &x->pii.multipart);
	beh_jraw(b, "}}]");

	beh_jraw(b, ",\"personal_data\":{\"name\":\"pii-upload\"");
	beh_pii_total(b);
	beh_pii_truth(b, &x->pii);
	beh_jraw(b, "}");

	beh_jraw(b, ",\"rules\":{");
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		snprintf(s, sizeof(s), "%s\"%u\":%u", i ? "," : "", rules[i].sid, rules[i].alerts);
		beh_jraw(b, s);
	}
	beh_jraw(b, "},\"stages\":[");
	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		snprintf(s, sizeof(s), "%s{\"name\":\"%s\"", i ? "," : "", st[i].name);
		beh_jraw(b, s);
		beh_jtime(b, "time", st[i].t);
		beh_jstr(b, "tactic_id", st[i].tactic_id);
		beh_jstr(b, "tactic", st[i].tactic);
		beh_jstr(b, "technique_id", st[i].tech_id);
		beh_jstr(b, "technique", st[i].tech);
		beh_jip(b, "host", st[i].host);
		beh_jstr(b, "peer", st[i].peer);
		beh_jraw(b, "}");
	}
	beh_jraw(b, "]");

	beh_jraw(b, ",\"beacons\":[{\"name\":\"beacon\"");
	beh_beacon_truth(b, &x->beacon[0]);
	beh_jraw(b, "},{\"name\":\"beacon\"");
	beh_beacon_truth(b, &x->beacon[1]);
	beh_jraw(b, "}],\"discovery\":{\"name\":\"scan-horizontal\"");
	beh_jip(b, "src_ip", x->scan.src);
	beh_ju64(b, "dest_port", x->scan.port);
	beh_jstr(b, "proto", "TCP");
	beh_jstr(b, "targets", "10.10.1.1-10.10.1.254 but 10.10.1.23");
	beh_ju64(b, "distinct_targets", x->scan.n);
	beh_ju64(b, "syn", x->scan.n);
	beh_ju64(b, "open", x->open);
	beh_ju64(b, "closed", x->closed);
	beh_ju64(b, "unanswered", x->silent);
	beh_ju64(b, "packets", x->scan.a.pkts[0] + x->scan.a.pkts[1]);
	beh_jtime(b, "first_seen", x->scan.t0);
	beh_jtime(b, "last_seen", x->scan.t0 + (x->scan.n - 1) * x->scan.step);
	beh_jraw(b, "},\"lateral\":{\"name\":\"smb\"");
	beh_jip(b, "src_ip", HOST_A);
	beh_jip(b, "dest_ip", HOST_B);
	beh_ju64(b, "dest_port", 445);
	beh_jstr(b, "proto", "TCP");
	beh_jacct(b, "flow", &x->smb);
	beh_jraw(b, "},\"exfil\":{\"name\":\"exfil\"");
	beh_exfil_truth(b, &x->exfil);
	beh_jraw(b, "}}");
}

/*
 * The intrusion (times on 2024-01-15, A = 10.10.1.23, B = 10.10.1.55, S = 185.243.115.84,
 * X = 45.67.230.12; every lookup asks 10.10.0.10 for an A record, answered 800 us later):
 *  09:12:00  A looks up dl.cdn-sync.net (S), 2 ms later GETs
 *            http://dl.cdn-sync.net/assets/update-kb5034.exe from S:80 with User-Agent
 *            "Microsoft BITS/7.8": 200, application/octet-stream, 49,152 bytes starting
 *            "MZ" (a PE32+ image, pe_image)
 *  09:14:59  A looks up update.cdn-sync.net; from 09:15:00 21 TLS beacons to S:443 (SNI
 *            update.cdn-sync.net, 300 s +- 10 %, beh_beacon_run)
 *  09:40:00  A SYN-scans port 445 of 10.10.1.1-254 but itself (253 targets, random order,
 *            120 ms apart, 30.2 s): the 49 other office hosts answer SYN-ACK and get A's
 *            RST, 40 others (random) RST-ACK, 164 nothing
 *  09:52:00  A -> B:445 one encrypted SMB 3 session (beh_smb_session)
 *  09:59:59  B looks up update.cdn-sync.net; from 10:00:00 12 TLS beacons to S:443
 *  10:05:00  B looks up dl.cdn-sync.net and GETs /assets/7za.exe: 20,480 bytes, "MZ"
 *  10:12:00  A -> B:8080 "PUT /drop/stage-01.7z" (curl, application/x-7z-compressed),
 *            2,097,152 bytes starting 37 7A BC AF 27 1C; 201 Created, no body
 *  10:29:59  B looks up backup.storage-eu.net (X); at 10:30:00 one TLS session to X:443
 *            with 25,165,824 bytes of application data up (beh_exfil_run)
 *  10:36:59  B looks up upload.storage-eu.net (X); at 10:37:00 and 10:38:30 the CSV and
 *            multipart POST /upload of pii-upload to X:80 (beh_pii_run)
 * The truth's "intrusion" object (tools/README.md) holds the exact figures; the flows with
 * S and X are the tool downloads, the beacons, the exfil and the uploads (38 flows).
 */
void beh_intrusion(struct behave *b, const char *out_path)
{
	struct intrusion *x = calloc(1, sizeof(*x));
	char *rpath = beh_side_path(out_path, ".rules");
	char *ipath = beh_side_path(out_path, ".intel.json");
	uint64_t packets = b->packets;

	if (!x || !rpath || !ipath) {
		beh_fail(b, -ENOMEM);
		goto out;
	}
	generate(b, x);
	truth(b, x, b->packets - packets);
	beh_fail(b, write_rules(rpath));
	beh_fail(b, write_text(ipath, intel));
out:
	free(x);
	free(rpath);
	free(ipath);
}
