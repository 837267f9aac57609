/*
 * config — the registry of keys (one table line each), defaults, YAML
 * loading and --set overrides.
 */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "core/log.h"

enum ctype { T_SIZE, T_U32, T_BOOL, T_OVERLAP, T_STR, T_CSUM, T_ENUM, T_LIST };

struct ckey {
	const char *key;
	enum ctype type;
	size_t off;
	const char *def;
	const char *help;
};

#define O(f) offsetof(struct config, f)

static const struct ckey keys[] = {
    {"flow.memcap", T_SIZE, O(flow_memcap), "128mb",
     "memory for flows, per process; at the cap the idlest flow is evicted"},
    {"flow.hash-size", T_U32, O(flow_hash_size), "65536", "flow hash buckets (split over workers)"},
    {"flow-timeouts.default.new", T_U32, O(timeout_new[FPC_DEFAULT]), "30", "seconds"},
    {"flow-timeouts.default.established", T_U32, O(timeout_est[FPC_DEFAULT]), "300", "seconds"},
    {"flow-timeouts.default.closed", T_U32, O(timeout_closed[FPC_DEFAULT]), "0", "seconds"},
    {"flow-timeouts.tcp.new", T_U32, O(timeout_new[FPC_TCP]), "60", "seconds"},
    {"flow-timeouts.tcp.established", T_U32, O(timeout_est[FPC_TCP]), "600", "seconds"},
    {"flow-timeouts.tcp.closed", T_U32, O(timeout_closed[FPC_TCP]), "60", "seconds"},
    {"flow-timeouts.udp.new", T_U32, O(timeout_new[FPC_UDP]), "30", "seconds"},
    {"flow-timeouts.udp.established", T_U32, O(timeout_est[FPC_UDP]), "300", "seconds"},
    {"flow-timeouts.icmp.new", T_U32, O(timeout_new[FPC_ICMP]), "30", "seconds"},
    {"flow-timeouts.icmp.established", T_U32, O(timeout_est[FPC_ICMP]), "300", "seconds"},
    {"stream.midstream", T_BOOL, O(midstream), "false", "pick up TCP sessions without a handshake"},
    {"stream.async-oneside", T_BOOL, O(async_oneside), "false",
     "accept sessions seen in one direction only"},
    {"stream.reassembly.memcap", T_SIZE, O(reassembly_memcap), "256mb",
     "memory for buffered out-of-order TCP data; at the cap segments are dropped (counted)"},
    {"stream.reassembly.depth", T_SIZE, O(reassembly_depth), "1mb",
     "bytes reassembled per direction; 0 = no limit"},
    {"stream.reassembly.max-segments", T_U32, O(reassembly_max_segments), "1024",
     "out-of-order segments buffered per direction"},
    {"stream.reassembly.overlap-policy", T_OVERLAP, O(stream_overlap), "first",
     "first|last: which copy wins when buffered segments overlap"},
    {"defrag.memcap", T_SIZE, O(defrag_memcap), "32mb",
     "memory for fragments; at the cap new fragments are dropped (counted)"},
    {"defrag.timeout", T_U32, O(defrag_timeout), "60", "seconds an incomplete datagram is kept"},
    {"defrag.max-frags", T_U32, O(defrag_max_frags), "256", "fragments per datagram"},
    {"defrag.trackers", T_U32, O(defrag_trackers), "65536", "datagrams under reassembly at once"},
    {"defrag.overlap-policy", T_OVERLAP, O(defrag_overlap), "first", "first|last|bsd|linux"},
    {"workers", T_U32, O(workers), "0", "worker threads; 0 = one per core"},
    {"capture.ring-size", T_SIZE, O(ring_size), "8mb", "bytes of packet ring per worker"},
    {"capture.snaplen", T_U32, O(snaplen), "65535", "live capture snap length"},
    {"capture.promisc", T_BOOL, O(promisc), "true", "live capture in promiscuous mode"},
    {"stats.interval", T_U32, O(stats_interval), "8",
     "seconds between stats records; 0 = only the final one"},
    {"store.enabled", T_BOOL, O(store_enabled), "true",
     "keep every record in the SQLite store (docs/store.md); --no-store turns it off"},
    {"store.path", T_STR, O(store_path), "",
     "the store's file (--store); empty = mamori.db in the output directory"},
    {"store.batch-size", T_U32, O(store_batch_size), "1000",
     "records per store transaction (1-1000000)"},
    {"store.queue-length", T_U32, O(store_queue_len), "8",
     "full batches waiting for the store's writer; at the cap file input waits and live input "
     "drops the batch (counted)"},
    {"store.retention.days", T_U32, O(store_retention_days), "180",
     "records older than this (from the newest) are deleted, at open and every minute; 0 = keep"},
    {"store.retention.max-mb", T_U32, O(store_retention_max_mb), "20480",
     "the store's size cap in MB; above it the oldest records are deleted; 0 = no cap"},
    {"store.cache-mb", T_U32, O(store_cache_mb), "64",
     "the store writer's page cache (MB): index pages kept in memory between batches"},
    {"store.stats-interval", T_U32, O(store_stats_interval), "300",
     "seconds between stats rows in the store (the final one is always kept)"},
    {"intel.dir", T_STR, O(intel_dir), "",
     "a folder whose every file is intel matched live (read again on reload); 'mamori intel "
     "import' keeps feeds here; empty = intel/ beside the store"},
    {"outputs.eve.filename", T_STR, O(eve_filename), "eve.json",
     "file name inside the output directory"},
    {"outputs.eve.flow", T_BOOL, O(eve_flow), "true", "write flow records"},
    {"outputs.eve.stats", T_BOOL, O(eve_stats), "true", "write stats records"},
    {"outputs.eve.dns", T_BOOL, O(eve_dns), "true",
     "write dns records (Suricata's format version 3)"},
    {"outputs.eve.http", T_BOOL, O(eve_http), "true", "write http records"},
    {"outputs.eve.http-headers", T_STR, O(eve_http_headers), "",
     "add every header to http records: request, response, both or empty (Suricata's "
     "dump-all-headers)"},
    {"outputs.eve.http-extended", T_BOOL, O(eve_http_extended), "true",
     "http objects with method, protocol, status, referer, redirect and length (Suricata's "
     "extended: yes)"},
    {"outputs.eve.tls", T_BOOL, O(eve_tls), "true", "write tls records"},
    {"outputs.eve.fileinfo", T_BOOL, O(eve_fileinfo), "true",
     "write fileinfo records for files carried by HTTP"},
    {"file.hashes", T_BOOL, O(file_hashes), "true", "md5, sha1 and sha256 of every file"},
    {"file.magic", T_BOOL, O(file_magic), "false",
     "name every file's type with libmagic (costly; on by itself when a rule uses filemagic)"},
    {"file.store-dir", T_STR, O(file_store_dir), "",
     "keep every whole file here, named by its sha256; empty = off"},
    {"file.store-cap", T_SIZE, O(file_store_cap), "1gb",
     "bytes the file store may hold (files over it are not stored, and counted)"},
    {"app-layer.protocols.tls.encryption-handling", T_ENUM, O(tls_encryption), "default",
     "once a TLS session is encrypted: default (parse on; rules on raw content stop inspecting the "
     "flow, as Suricata), bypass (also stop reassembling it), full (inspect everything)"},
    {"app-layer.protocols.http.libhtp.default-config.response-body-decompress-layer-limit", T_U32,
     O(http_decompress_layers), "2",
     "content encodings (gzip, deflate) undone in a row, as Suricata"},
    {"file.body-limit", T_SIZE, O(file_body_limit), "256kb",
     "bytes of each HTTP body kept for inspection, YARA and the store"},
    {"file.yara-rules", T_STR, O(yara_rules), "",
     "YARA rules (a .yar file or a folder of them) run on every file; empty = off"},
    {"outputs.eve.intel", T_BOOL, O(eve_intel), "true",
     "write intel records (indicators seen in traffic)"},
    {"intel.files", T_STR, O(intel_files), "",
     "intel files to match live, comma-separated (also -I/--intel); read again on reload"},
    {"enrich.dir", T_STR, O(enrich_dir), "",
     "ip-location-db data (asn-ipv4.csv, asn-ipv6.csv, geo-whois-asn-country.mmdb; scripts/deps "
     "fetches them to data/ip-location-db): AS, organisation and country of external addresses on "
     "flow, alert and intel records; empty = off"},
    {"enrich.hosting-asns", T_STR, O(enrich_hosting), "",
     "AS numbers of hosting and VPS providers, one per line (data/hosting-asns.tsv): their "
     "addresses are marked hosting: true"},
    {"outputs.eve.anomaly", T_BOOL, O(eve_anomaly), "true",
     "write anomaly records for app-layer events"},
    {"outputs.eve.alert", T_BOOL, O(eve_alert), "true", "write alert records"},
    {"outputs.eve.alert.payload", T_BOOL, O(eve_alert_payload), "false",
     "add the payload (base64) to alerts"},
    {"outputs.eve.alert.payload-printable", T_BOOL, O(eve_alert_payload_printable), "false",
     "add the payload as printable text"},
    {"outputs.eve.alert.packet", T_BOOL, O(eve_alert_packet), "false",
     "add the packet (base64) to alerts"},
    {"pcap-file.checksum-checks", T_CSUM, O(checksum_mode), "auto",
     "auto|yes|no: validate checksums (-k auto|all|none)"},
    {"reference-config-file", T_STR, O(reference_file), "",
     "reference.config; empty = the one beside the rules, else built in"},
    {"threshold-file", T_STR, O(threshold_file), "",
     "threshold.config: thresholds and suppressions by gen_id/sig_id"},
    {"classification-file", T_STR, O(classification_file), "",
     "classification.config; empty = the one beside the rules, else built in"},
    {"detect.max-rule-messages", T_U32, O(detect_max_rule_messages), "20",
     "per-rule load messages printed before summarising"},
    {"profiling.rules.enabled", T_BOOL, O(profile_rules), "false",
     "profile rules (--profile-rules): checks, matches, time"},
    {"profiling.rules.limit", T_U32, O(profile_top), "10",
     "rules and databases listed in the profile summary"},
    {"detect.prefilter", T_BOOL, O(detect_prefilter), "true",
     "false: no prefilter, port groups or address index: every rule is checked (slow; to test "
     "them)"},
    {"detect.passive", T_BOOL, O(passive), "true",
     "drop and reject rules alert (mamori does not block traffic)"},
    {"datasets.defaults.memcap", T_SIZE, O(dataset_memcap), "16mb",
     "memory for the values of each dataset that gives no memcap of its own; at the cap a set adds "
     "nothing (detect.datasets.full)"},
    {"datasets.defaults.hashsize", T_U32, O(dataset_hashsize), "4096",
     "hash buckets of each dataset that gives no hashsize of its own"},
    {"datasets.rules.allow-write", T_BOOL, O(dataset_allow_write), "true",
     "rules may write datasets back (save, state)"},
    {"datasets.rules.allow-absolute-filenames", T_BOOL, O(dataset_allow_absolute), "false",
     "rules may name absolute save/state paths and paths with '..'"},
    {"default-data-dir", T_STR, O(data_dir), "",
     "folder of relative dataset save/state files (and of the configuration's load files); empty = "
     "beside the rule file for rules, the current folder for the configuration"},
    {"reputation-categories-file", T_STR, O(reputation_categories), "",
     "IP reputation categories (id,shortname,description per line) named by the iprep keyword"},
    {"reputation-files", T_LIST, O(reputation_files), "",
     "IP reputation files (address[/len],category,score per line), comma-separated or a YAML list; "
     "relative to default-reputation-path"},
    {"default-reputation-path", T_STR, O(reputation_path), "",
     "folder of relative reputation-files; empty = the current folder"},
    {"analytics.enabled", T_BOOL, O(an_enabled), "true",
     "behaviour analytics (docs/analytics.md): scans, beacons, DNS tunnels, exfiltration, zones, "
     "darknet, personal data, daily counters"},
    {"outputs.eve.analytics", T_BOOL, O(eve_analytics), "true",
     "write the analytics' records (scan, beacon, dns_tunnel, exfil, zone, darknet, pii, daily)"},
    {"analytics.ring-size", T_SIZE, O(an_ring_size), "4mb",
     "bytes of observation ring from each worker to the analytics; full: file input waits, live "
     "input drops (analytics.obs_dropped)"},
    {"analytics.pending-max", T_SIZE, O(an_pending_max), "256mb",
     "observation bytes held while a slower worker finishes a second; at the cap they are dropped "
     "(analytics.obs_dropped)"},
    {"analytics.flow-states", T_U32, O(an_flow_states), "262144",
     "flows with analytics state (TLS/HTTP name, personal-data scanners) at once; beyond it flows "
     "go without (analytics.flow_state_full)"},
    {"analytics.scan.enabled", T_BOOL, O(an_scan), "true",
     "horizontal and vertical port scans, ICMP sweeps (backscatter told apart)"},
    {"analytics.scan.window", T_U32, O(an_scan_window), "60", "seconds of the sliding window"},
    {"analytics.scan.hosts", T_U32, O(an_scan_hosts), "50",
     "distinct hosts probed on one port within the window: a horizontal scan"},
    {"analytics.scan.ports", T_U32, O(an_scan_ports), "50",
     "distinct ports probed on one host within the window: a vertical scan"},
    {"analytics.scan.sweep-hosts", T_U32, O(an_scan_sweep), "30",
     "distinct hosts sent ICMP echo requests within the window: a sweep"},
    {"analytics.scan.max-sources", T_U32, O(an_scan_max_sources), "65536",
     "sources tracked at once; at the cap the idlest is evicted (analytics.scan.evicted)"},
    {"analytics.beacon.enabled", T_BOOL, O(an_beacon), "true",
     "command-and-control beacons: regular connections from an internal host to one external peer"},
    {"analytics.beacon.min-count", T_U32, O(an_beacon_min_count), "8",
     "connections in a series before it can be a beacon"},
    {"analytics.beacon.min-interval", T_U32, O(an_beacon_min_interval), "10",
     "seconds: shorter intervals are not beacons"},
    {"analytics.beacon.max-interval", T_U32, O(an_beacon_max_interval), "21600",
     "seconds: longer intervals are not beacons"},
    {"analytics.beacon.max-jitter-pct", T_U32, O(an_beacon_jitter_pct), "20",
     "largest spread of intervals around their median, in percent of it"},
    {"analytics.beacon.max-size-pct", T_U32, O(an_beacon_size_pct), "30",
     "largest spread of bytes per connection around their median, in percent"},
    {"analytics.beacon.max-series", T_U32, O(an_beacon_max_series), "65536",
     "(host, peer) series tracked at once; at the cap the idlest is evicted "
     "(analytics.beacon.evicted)"},
    {"analytics.dns-tunnel.enabled", T_BOOL, O(an_dns_tunnel), "true",
     "DNS tunnels: long, high-entropy names, many subdomains of one domain, TXT/NULL volume"},
    {"analytics.dns-tunnel.window", T_U32, O(an_dns_window), "600", "seconds per window"},
    {"analytics.dns-tunnel.unique-subdomains", T_U32, O(an_dns_unique), "100",
     "distinct names below one domain within a window"},
    {"analytics.dns-tunnel.min-label-length", T_U32, O(an_dns_label_len), "24",
     "a label this long counts as encoded data"},
    {"analytics.dns-tunnel.min-entropy", T_U32, O(an_dns_entropy_x100), "350",
     "bits per character x100 of a label counted as encoded data"},
    {"analytics.dns-tunnel.txt-null", T_U32, O(an_dns_txt_null), "50",
     "TXT and NULL queries below one domain within a window"},
    {"analytics.dns-tunnel.max-domains", T_U32, O(an_dns_max_domains), "65536",
     "domains tracked at once; at the cap the idlest is evicted (analytics.dns_tunnel.evicted)"},
    {"analytics.exfil.enabled", T_BOOL, O(an_exfil), "true",
     "exfiltration: outbound volume per internal host and external peer against the host's "
     "baseline"},
    {"analytics.exfil.window", T_U32, O(an_exfil_window), "600", "seconds per window"},
    {"analytics.exfil.min-bytes", T_SIZE, O(an_exfil_min_bytes), "10mb",
     "bytes out to one peer within a window before it can be exfiltration"},
    {"analytics.exfil.baseline-factor", T_U32, O(an_exfil_baseline_factor), "10",
     "times the host's usual outbound bytes per window"},
    {"analytics.exfil.ratio", T_U32, O(an_exfil_ratio), "5",
     "bytes out per byte in from that peer"},
    {"analytics.exfil.hosting-weight", T_U32, O(an_exfil_hosting_weight), "2",
     "to hosting/VPS networks the thresholds are divided by this"},
    {"analytics.exfil.max-hosts", T_U32, O(an_exfil_max_hosts), "65536",
     "internal hosts (and host-peer pairs, x4) tracked; at the cap the idlest is evicted "
     "(analytics.exfil.evicted)"},
    {"analytics.zones.enabled", T_BOOL, O(an_zones), "true",
     "zone policies (analytics.zones.NAME.networks, .internet, .allow)"},
    {"analytics.darknet.enabled", T_BOOL, O(an_darknet), "true",
     "darknet telescope over analytics.darknet.prefixes"},
    {"analytics.darknet.prefixes", T_LIST, O(an_darknet_prefixes), "",
     "unused prefixes: every packet to them is counted per source, port, protocol and day"},
    {"analytics.darknet.max-sources", T_U32, O(an_darknet_max_sources), "65536",
     "(source, port, protocol) entries per day; beyond it packets are counted as other "
     "(analytics.darknet.overflow)"},
    {"analytics.pii.enabled", T_BOOL, O(an_pii), "true",
     "personal data (My Number, card numbers, e-mail, phone, postal codes) in cleartext payloads "
     "and files"},
    {"incident.gap", T_U32, O(inc_gap), "1209600",
     "seconds without activity after which a host or address joins a new incident (14 days)"},
    {"incident.alert-severity", T_U32, O(inc_alert_severity), "1",
     "alerts of this severity or higher (1 = high, 3 = low) open an incident; others only join "
     "one"},
    {"incident.inbound-alerts", T_BOOL, O(inc_inbound_alerts), "false",
     "alerts from outside HOME_NET open incidents too (default: they only join one)"},
    {"incident.max-keys", T_U32, O(inc_max_keys), "1000000",
     "hosts and infrastructure addresses and names the correlation holds (more: counted, not "
     "joined)"},
    {"incident.backfill-rows", T_U32, O(inc_backfill_rows), "10000",
     "earlier alerts and records of an address joined when it becomes an incident's "
     "infrastructure"},
    {"incident.interval", T_U32, O(inc_interval), "60",
     "mamori live: seconds between correlation passes over the store"},
    {"analytics.pii.key", T_STR, O(an_pii_key), "",
     "hex key of the keyed hash that stands for the identifiers (same key: same hashes across "
     "runs); empty = random per run"},
    {"analytics.pii.max-bytes", T_SIZE, O(an_pii_max_bytes), "4mb",
     "bytes scanned per flow direction"},
    {"analytics.pii.max-distinct", T_U32, O(an_pii_max_distinct), "4096",
     "distinct identifiers remembered per flow direction (beyond: counts say at least)"},
    {"analytics.pii.min-records", T_U32, O(an_pii_min_records), "10",
     "distinct identifiers in one flow direction before it is reported, one of them at least a My "
     "Number, card, phone number or postal address"},
    {"analytics.pii.outbound-only", T_BOOL, O(an_pii_outbound_only), "true",
     "scan only data leaving HOME_NET (an internal host sending to an external one); false: every "
     "cleartext direction"},
    {"analytics.pii.min-emails", T_U32, O(an_pii_min_emails), "1000",
     "distinct e-mail addresses alone that make a flow direction reported (mail, mailing lists and "
     "protocol vocabulary such as SSH algorithm names carry many)"},
    {"analytics.daily.enabled", T_BOOL, O(an_daily), "true",
     "daily counters: potential attacks by category, distinct attacking sources, accesses per "
     "monitored address"},
    {"analytics.daily.monitored", T_LIST, O(an_daily_monitored), "",
     "addresses whose accesses per day are counted; empty = every internal address reached from "
     "outside"},
    {"analytics.daily.max-addresses", T_U32, O(an_daily_max_addresses), "4096",
     "monitored addresses counted per day (beyond: analytics.daily.overflow)"},
    {"share.organisation", T_STR, O(share_organisation), "mamori sensor",
     "the reporting organisation: the name of the STIX identity that shares incidents "
     "(docs/incidents.md)"},
    {"share.sector", T_STR, O(share_sector), "",
     "its sectors, comma-separated, from STIX's industry-sector-ov (energy, financial-services, "
     "government-national, healthcare, manufacturing, ...); empty = not said"},
    {"share.contact", T_STR, O(share_contact), "",
     "how the receiver reaches the organisation (the identity's contact_information); empty = "
     "not said"},
    {"share.tlp", T_ENUM, O(share_tlp), "amber",
     "clear|green|amber|amber+strict|red: the TLP 2.0 marking on every shared object"},
    {"share.pseudonym-key", T_STR, O(share_pseudonym_key), "",
     "hex key (16 to 127 bytes; 'openssl rand -hex 32') of the keyed hash that replaces internal "
     "addresses in what is shared (same key: same pseudonyms across reports); empty = nothing is "
     "shared"},
    {"serve.listen", T_STR, O(serve_listen), "127.0.0.1",
     "mamori serve: the address bound (IPv4 or IPv6); beyond loopback a token is required"},
    {"serve.port", T_U32, O(serve_port), "8470", "mamori serve: the port; 0 = any free port"},
    {"serve.token-file", T_STR, O(serve_token_file), "",
     "mamori serve: a file whose first line is the access token every API request must carry; "
     "empty = no token (loopback only)"},
    {"serve.max-body", T_SIZE, O(serve_max_body), "16mb",
     "mamori serve: the largest request body (an intel upload); larger ones are refused (413)"},
    {"serve.max-clients", T_U32, O(serve_max_clients), "256",
     "mamori serve: connections at once; more are refused"},
    {"serve.max-live", T_U32, O(serve_max_live), "32",
     "mamori serve: live-feed (server-sent events) clients at once; more are refused (503)"},
    {"serve.readers", T_U32, O(serve_readers), "8",
     "mamori serve: SQLite read connections the requests share"},
    {"serve.timeout", T_U32, O(serve_timeout), "30",
     "mamori serve: seconds an idle connection is kept"},
    {"serve.static-dir", T_STR, O(serve_static_dir), "",
     "mamori serve: serve the dashboard's files from this folder instead of the copy built into "
     "the binary (development)"},
};

/* The values of each T_ENUM key, in the order of its enum, NULL-terminated. */
static const char *const tls_enc_names[] = {"default", "bypass", "full", NULL};
static const char *const share_tlp_names[] = {"clear",	      "green", "amber",
					      "amber+strict", "red",   NULL};
static const struct {
	size_t off;
	const char *const *names;
} enum_keys[] = {{O(tls_encryption), tls_enc_names}, {O(share_tlp), share_tlp_names}};

static const char *const *enum_names(const struct ckey *k)
{
	for (size_t i = 0; i < sizeof(enum_keys) / sizeof(enum_keys[0]); i++)
		if (enum_keys[i].off == k->off)
			return enum_keys[i].names;
	return NULL;
}

#undef O

/* Suricata's default rule variables (suricata.yaml). */
static const char *const default_vars[][2] = {
    {"vars.address-groups.HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"},
    {"vars.address-groups.EXTERNAL_NET", "!$HOME_NET"},
    {"vars.address-groups.HTTP_SERVERS", "$HOME_NET"},
    {"vars.address-groups.SMTP_SERVERS", "$HOME_NET"},
    {"vars.address-groups.SQL_SERVERS", "$HOME_NET"},
    {"vars.address-groups.DNS_SERVERS", "$HOME_NET"},
    {"vars.address-groups.TELNET_SERVERS", "$HOME_NET"},
    {"vars.address-groups.AIM_SERVERS", "$EXTERNAL_NET"},
    {"vars.address-groups.DC_SERVERS", "$HOME_NET"},
    {"vars.address-groups.SIP_SERVERS", "$HOME_NET"},
    {"vars.address-groups.DNP3_SERVER", "$HOME_NET"},
    {"vars.address-groups.DNP3_CLIENT", "$HOME_NET"},
    {"vars.address-groups.MODBUS_CLIENT", "$HOME_NET"},
    {"vars.address-groups.MODBUS_SERVER", "$HOME_NET"},
    {"vars.address-groups.ENIP_CLIENT", "$HOME_NET"},
    {"vars.address-groups.ENIP_SERVER", "$HOME_NET"},
    {"vars.port-groups.HTTP_PORTS", "80"},
    {"vars.port-groups.SHELLCODE_PORTS", "!80"},
    {"vars.port-groups.ORACLE_PORTS", "1521"},
    {"vars.port-groups.SSH_PORTS", "22"},
    {"vars.port-groups.DNP3_PORTS", "20000"},
    {"vars.port-groups.MODBUS_PORTS", "502"},
    {"vars.port-groups.FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"},
    {"vars.port-groups.FTP_PORTS", "21"},
    {"vars.port-groups.SIP_PORTS", "[5060,5061]"},
    {"vars.port-groups.GENEVE_PORTS", "6081"},
    {"vars.port-groups.VXLAN_PORTS", "4789"},
    {"vars.port-groups.TEREDO_PORTS", "3544"},
};

#define ADDR_PREFIX    "vars.address-groups."
#define PORT_PREFIX    "vars.port-groups."
#define DATASET_PREFIX "datasets."
#define ZONE_PREFIX    "analytics.zones."

static int set_var(struct config *c, const char *key, const char *value, const char *origin)
{
	bool port = !strncmp(key, PORT_PREFIX, strlen(PORT_PREFIX));
	const char *name = key + strlen(port ? PORT_PREFIX : ADDR_PREFIX);
	size_t nl = strlen(name);
	if (nl == 0 || nl >= sizeof(c->vars[0].name) || strlen(value) >= CONFIG_VAR_MAXLEN) {
		log_error("%s: invalid variable '%s' (name up to 47, value up to %d characters)",
			  origin, key, CONFIG_VAR_MAXLEN - 1);
		return -1;
	}
	for (size_t i = 0; i < nl; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-') {
			log_error("%s: invalid variable name '%s'", origin, name);
			return -1;
		}
	}
	/* YAML and --set write lists as "[a, b]" or "a, b"; both are valid. */
	struct config_var *v = NULL;
	for (uint32_t i = 0; i < c->n_vars; i++)
		if (c->vars[i].port == port && !strcmp(c->vars[i].name, name))
			v = &c->vars[i];
	if (!v) {
		if (c->n_vars == CONFIG_MAX_VARS) {
			log_error("%s: too many variables (cap %d)", origin, CONFIG_MAX_VARS);
			return -1;
		}
		v = &c->vars[c->n_vars++];
		v->port = port;
		memcpy(v->name, name, nl + 1);
	}
	snprintf(v->value, sizeof(v->value), "%s", value);
	return 0;
}

const char *config_var(const struct config *c, const char *name, bool port)
{
	for (uint32_t i = 0; i < c->n_vars; i++)
		if (c->vars[i].port == port && !strcmp(c->vars[i].name, name))
			return c->vars[i].value;
	return NULL;
}

/* analytics.zones.NAME.FIELD: a zone of the zone policy analytic. */
static int set_zone(struct config *c, const char *key, const char *value, const char *origin)
{
	const char *name = key + strlen(ZONE_PREFIX);
	const char *dot = strrchr(name, '.');
	const char *field = dot ? dot + 1 : "";
	if (!dot ||
	    (strcmp(field, "networks") && strcmp(field, "allow") && strcmp(field, "internet"))) {
		log_warn("%s: unknown setting '%s' (ignored; a zone has networks, internet, allow)",
			 origin, key);
		return 0;
	}
	size_t nl = (size_t)(dot - name);
	for (size_t i = 0; i < nl; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-') {
			nl = 0;
			break;
		}
	}
	if (nl == 0 || nl >= CONFIG_ZONE_NAME || !strncmp(name, "internet", nl)) {
		log_error("%s: invalid zone name in '%s' (1 to %d letters, digits, '-' or '_'; not "
			  "'internet')",
			  origin, key, CONFIG_ZONE_NAME - 1);
		return -1;
	}
	struct config_zone *z = NULL;
	for (uint32_t i = 0; i < c->n_zones; i++)
		if (strlen(c->zones[i].name) == nl && !memcmp(c->zones[i].name, name, nl))
			z = &c->zones[i];
	if (!z) {
		if (c->n_zones == CONFIG_MAX_ZONES) {
			log_error("%s: too many zones (cap %d)", origin, CONFIG_MAX_ZONES);
			return -1;
		}
		z = &c->zones[c->n_zones++];
		memset(z, 0, sizeof(*z));
		memcpy(z->name, name, nl);
	}
	if (!strcmp(field, "internet")) {
		if (!strcasecmp(value, "deny") || !strcasecmp(value, "allow")) {
			z->internet_deny = !strcasecmp(value, "deny");
			return 0;
		}
		log_error("%s: invalid value '%s' for '%s' (allow or deny)", origin, value, key);
		return -1;
	}
	char *dst = !strcmp(field, "networks") ? z->networks : z->allow;
	size_t cap = !strcmp(field, "networks") ? sizeof(z->networks) : sizeof(z->allow);
	if (strlen(value) >= cap) {
		log_error("%s: '%s' too long (cap %zu characters)", origin, key, cap - 1);
		return -1;
	}
	strcpy(dst, value);
	return 0;
}

const struct config_zone *config_zone(const struct config *c, const char *name)
{
	for (uint32_t i = 0; i < c->n_zones; i++)
		if (!strcmp(c->zones[i].name, name))
			return &c->zones[i];
	return NULL;
}

/* Keys whose value may be a YAML sequence besides the T_LIST keys. */
static bool zone_list_key(const char *key)
{
	size_t n = strlen(key);
	return !strncmp(key, ZONE_PREFIX, strlen(ZONE_PREFIX)) &&
	       ((n > 9 && !strcmp(key + n - 9, ".networks")) ||
		(n > 6 && !strcmp(key + n - 6, ".allow")));
}

static const char *const dataset_types[] = {"string", "md5", "sha256", "ipv4", "ipv6", "ip"};

/* datasets.NAME.FIELD: a dataset declared in the configuration. */
static int set_dataset(struct config *c, const char *key, const char *value, const char *origin)
{
	const char *name = key + strlen(DATASET_PREFIX);
	const char *dot = strrchr(name, '.');
	if (!dot) {
		log_warn("%s: unknown setting '%s' (ignored)", origin, key);
		return 0;
	}
	const char *field = dot + 1;
	static const char *const fields[] = {"type", "load", "state", "memcap", "hashsize"};
	bool known = false;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		known |= !strcmp(field, fields[i]);
	if (!known) {
		log_warn("%s: unknown setting '%s' (ignored)", origin, key);
		return 0;
	}
	size_t nl = (size_t)(dot - name);
	if (nl == 0 || nl >= CONFIG_DATASET_NAME || memchr(name, ' ', nl) ||
	    memchr(name, '\t', nl)) {
		log_error("%s: invalid dataset name in '%s' (1 to %d characters, no blanks)",
			  origin, key, CONFIG_DATASET_NAME - 1);
		return -1;
	}
	struct config_dataset *d = NULL;
	for (uint32_t i = 0; i < c->n_datasets; i++)
		if (strlen(c->datasets[i].name) == nl && !memcmp(c->datasets[i].name, name, nl))
			d = &c->datasets[i];
	if (!d) {
		if (c->n_datasets == CONFIG_MAX_DATASETS) {
			log_error("%s: too many datasets (cap %d)", origin, CONFIG_MAX_DATASETS);
			return -1;
		}
		d = &c->datasets[c->n_datasets++];
		memset(d, 0, sizeof(*d));
		memcpy(d->name, name, nl);
	}
	uint64_t v;
	if (!strcmp(field, "type")) {
		for (size_t i = 0; i < sizeof(dataset_types) / sizeof(dataset_types[0]); i++) {
			if (!strcmp(value, dataset_types[i])) {
				snprintf(d->type, sizeof(d->type), "%s", value);
				return 0;
			}
		}
		log_error("%s: invalid value '%s' for '%s' (string, md5, sha256, ipv4, ipv6 or ip)",
			  origin, value, key);
		return -1;
	}
	if (!strcmp(field, "load") || !strcmp(field, "state")) {
		char *dst = field[0] == 'l' ? d->load : d->state;
		if (!*value || strlen(value) >= sizeof(d->load)) {
			log_error("%s: invalid value '%s' for '%s' (a path up to 255 characters)",
				  origin, value, key);
			return -1;
		}
		strcpy(dst, value);
		return 0;
	}
	/* memcap or hashsize */
	bool hs = field[0] == 'h';
	if (config_parse_size(value, &v) < 0 || v == 0 || (hs && v > UINT32_MAX)) {
		log_error("%s: invalid value '%s' for '%s' (%s)", origin, value, key,
			  hs ? "hash buckets" : "a size such as 16mb");
		return -1;
	}
	if (hs)
		d->hashsize = (uint32_t)v;
	else
		d->memcap = v;
	return 0;
}

const struct config_dataset *config_dataset(const struct config *c, const char *name)
{
	for (uint32_t i = 0; i < c->n_datasets; i++)
		if (!strcmp(c->datasets[i].name, name))
			return &c->datasets[i];
	return NULL;
}

static const struct ckey *find_key(const char *key)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

int config_parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	while (*end == ' ')
		end++;
	uint64_t mul = 1;
	if (*end) {
		if (!strcasecmp(end, "kb") || !strcasecmp(end, "k") || !strcasecmp(end, "kib"))
			mul = 1024;
		else if (!strcasecmp(end, "mb") || !strcasecmp(end, "m") || !strcasecmp(end, "mib"))
			mul = 1024 * 1024;
		else if (!strcasecmp(end, "gb") || !strcasecmp(end, "g") || !strcasecmp(end, "gib"))
			mul = 1024ull * 1024 * 1024;
		else
			return -1;
	}
	if (v > UINT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1", "enabled"};
	static const char *const no[] = {"false", "no", "off", "0", "disabled"};
	for (size_t i = 0; i < 5; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int parse_overlap(const char *s, int *out)
{
	static const char *const names[] = {"first", "last", "bsd", "linux"};
	for (int i = 0; i < 4; i++) {
		if (!strcasecmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

int config_set(struct config *c, const char *key, const char *value, const char *origin)
{
	const struct ckey *k = find_key(key);
	char *base = (char *)c;

	if (!strncmp(key, ADDR_PREFIX, strlen(ADDR_PREFIX)) ||
	    !strncmp(key, PORT_PREFIX, strlen(PORT_PREFIX)))
		return set_var(c, key, value, origin);
	if (!k && !strncmp(key, DATASET_PREFIX, strlen(DATASET_PREFIX)))
		return set_dataset(c, key, value, origin);
	if (!k && !strncmp(key, ZONE_PREFIX, strlen(ZONE_PREFIX)))
		return set_zone(c, key, value, origin);
	if (!k) {
		log_warn("%s: unknown setting '%s' (ignored)", origin, key);
		return 0;
	}
	switch (k->type) {
	case T_SIZE: {
		uint64_t v;
		if (config_parse_size(value, &v) < 0)
			goto bad;
		memcpy(base + k->off, &v, sizeof(v));
		return 0;
	}
	case T_U32: {
		uint64_t v;
		char *end;
		errno = 0;
		if (!isdigit((unsigned char)*value))
			goto bad;
		v = strtoull(value, &end, 10);
		if (errno || *end || v > UINT32_MAX)
			goto bad;
		uint32_t u = (uint32_t)v;
		memcpy(base + k->off, &u, sizeof(u));
		return 0;
	}
	case T_BOOL: {
		bool b;
		if (parse_bool(value, &b) < 0)
			goto bad;
		memcpy(base + k->off, &b, sizeof(b));
		return 0;
	}
	case T_OVERLAP: {
		int o;
		if (parse_overlap(value, &o) < 0)
			goto bad;
		memcpy(base + k->off, &o, sizeof(o));
		return 0;
	}
	case T_STR:
		/* every string key is a char[256] */
		if (strlen(value) >= 256 ||
		    (k->off == offsetof(struct config, eve_filename) && strchr(value, '/')))
			goto bad;
		strcpy(base + k->off, value);
		return 0;
	case T_LIST:
		/* every list key is a char[CONFIG_LIST_MAXLEN] */
		if (strlen(value) >= CONFIG_LIST_MAXLEN)
			goto bad;
		strcpy(base + k->off, value);
		return 0;
	case T_CSUM: {
		static const char *const names[][2] = {
		    {"auto", "auto"}, {"yes", "all"}, {"no", "none"}};
		for (int i = 0; i < 3; i++) {
			if (!strcasecmp(value, names[i][0]) || !strcasecmp(value, names[i][1])) {
				int m = i;
				memcpy(base + k->off, &m, sizeof(m));
				return 0;
			}
		}
		goto bad;
	}
	case T_ENUM:
		for (int i = 0; enum_names(k)[i]; i++) {
			if (!strcasecmp(value, enum_names(k)[i])) {
				memcpy(base + k->off, &i, sizeof(i));
				return 0;
			}
		}
		goto bad;
	}
bad:
	log_error("%s: invalid value '%s' for '%s' (%s)", origin, value, key, k->help);
	return -1;
}

int config_set_kv(struct config *c, const char *kv)
{
	char key[128];
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key)) {
		log_error("--set: expected key=value, got '%s'", kv);
		return -1;
	}
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	return config_set(c, key, eq + 1, "--set");
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (config_set(c, keys[i].key, keys[i].def, "default") < 0)
			abort(); /* a bad default is a programming error */
	for (size_t i = 0; i < sizeof(default_vars) / sizeof(default_vars[0]); i++)
		if (config_set(c, default_vars[i][0], default_vars[i][1], "default") < 0)
			abort();
}

void config_dump(const struct config *c, FILE *out)
{
	const char *base = (const char *)c;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct ckey *k = &keys[i];
		char val[300];
		switch (k->type) {
		case T_SIZE: {
			uint64_t v;
			memcpy(&v, base + k->off, sizeof(v));
			snprintf(val, sizeof(val), "%" PRIu64, v);
			break;
		}
		case T_U32: {
			uint32_t v;
			memcpy(&v, base + k->off, sizeof(v));
			snprintf(val, sizeof(val), "%" PRIu32, v);
			break;
		}
		case T_BOOL: {
			bool v;
			memcpy(&v, base + k->off, sizeof(v));
			snprintf(val, sizeof(val), "%s", v ? "true" : "false");
			break;
		}
		case T_OVERLAP: {
			static const char *const names[] = {"first", "last", "bsd", "linux"};
			int v;
			memcpy(&v, base + k->off, sizeof(v));
			snprintf(val, sizeof(val), "%s", names[v & 3]);
			break;
		}
		case T_STR:
		case T_LIST:
			snprintf(val, sizeof(val), "%s", base + k->off);
			break;
		case T_CSUM: {
			static const char *const names[] = {"auto", "yes", "no"};
			int v;
			memcpy(&v, base + k->off, sizeof(v));
			snprintf(val, sizeof(val), "%s", names[v % 3]);
			break;
		}
		case T_ENUM: {
			int v;
			memcpy(&v, base + k->off, sizeof(v));
			snprintf(val, sizeof(val), "%s", enum_names(k)[v]);
			break;
		}
		}
		fprintf(out, "  %-36s %-12s %s (default %s)\n", k->key, val, k->help, k->def);
	}
	for (uint32_t i = 0; i < c->n_vars; i++)
		fprintf(out, "  %s%-*s %s\n", c->vars[i].port ? PORT_PREFIX : ADDR_PREFIX,
			36 - (int)strlen(c->vars[i].port ? PORT_PREFIX : ADDR_PREFIX),
			c->vars[i].name, c->vars[i].value);
	for (uint32_t i = 0; i < c->n_datasets; i++) {
		const struct config_dataset *d = &c->datasets[i];
		fprintf(out, "  %s%s: type %s", DATASET_PREFIX, d->name,
			d->type[0] ? d->type : "?");
		if (d->load[0])
			fprintf(out, ", load %s", d->load);
		if (d->state[0])
			fprintf(out, ", state %s", d->state);
		if (d->memcap)
			fprintf(out, ", memcap %" PRIu64, d->memcap);
		if (d->hashsize)
			fprintf(out, ", hashsize %" PRIu32, d->hashsize);
		fprintf(out, "\n");
	}
	for (uint32_t i = 0; i < c->n_zones; i++) {
		const struct config_zone *z = &c->zones[i];
		fprintf(out, "  %s%s: networks %s, internet %s, talks to %s\n", ZONE_PREFIX,
			z->name, z->networks[0] ? z->networks : "(none)",
			z->internet_deny ? "deny" : "allow", z->allow[0] ? z->allow : "any zone");
	}
}

/* YAML: nested mappings become dotted keys; scalars are values. A sequence
 * of scalars under a list key is joined with commas; other sequences are
 * ignored. */
#define MAX_DEPTH 16

/* The dotted key of the mapping path stack[0..depth); 0, or -1 when too long. */
static int path_key(char (*stack)[128], int depth, char *key, size_t cap)
{
	size_t n = 0;
	key[0] = '\0';
	for (int i = 0; i < depth; i++) {
		n += (size_t)snprintf(key + n, cap - n, "%s%s", i ? "." : "", stack[i]);
		if (n >= cap)
			return -1;
	}
	return 0;
}

int config_load_file(struct config *c, const char *path)
{
	FILE *f = fopen(path, "rb");
	yaml_parser_t parser;
	yaml_event_t ev;
	char stack[MAX_DEPTH][128];
	int depth = 0; /* mapping nesting */
	bool want_key[MAX_DEPTH + 1];
	int seq_depth = 0;	  /* inside a sequence: values are ignored */
	char list_key[1024] = ""; /* a list key whose sequence is being joined */
	char list_val[CONFIG_LIST_MAXLEN];
	size_t list_len = 0;
	int rc = -1;
	bool done = false;

	if (!f) {
		log_error("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		log_error("%s: out of memory", path);
		return -1;
	}
	yaml_parser_set_input_file(&parser, f);
	want_key[0] = true;

	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			log_error("%s:%zu:%zu: YAML error: %s", path, parser.problem_mark.line + 1,
				  parser.problem_mark.column + 1,
				  parser.problem ? parser.problem : "parse error");
			goto out;
		}
		char origin[512];
		snprintf(origin, sizeof(origin), "%s:%zu", path, ev.start_mark.line + 1);
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_MAPPING_START_EVENT:
			if (seq_depth)
				break;
			if (depth >= MAX_DEPTH) {
				log_error("%s: nesting too deep", origin);
				yaml_event_delete(&ev);
				goto out;
			}
			depth++;
			want_key[depth] = true;
			break;
		case YAML_MAPPING_END_EVENT:
			if (seq_depth)
				break;
			depth--;
			if (depth > 0)
				want_key[depth] = true;
			break;
		case YAML_SEQUENCE_START_EVENT:
			if (seq_depth == 0 && depth > 0 && !want_key[depth] &&
			    path_key(stack, depth, list_key, sizeof(list_key)) == 0) {
				const struct ckey *k = find_key(list_key);
				if ((!k || k->type != T_LIST) && !zone_list_key(list_key))
					list_key[0] = '\0';
				list_len = 0;
				list_val[0] = '\0';
			}
			seq_depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
			if (--seq_depth == 0 && list_key[0]) {
				int r = config_set(c, list_key, list_val, origin);
				list_key[0] = '\0';
				if (r < 0) {
					yaml_event_delete(&ev);
					goto out;
				}
			}
			if (seq_depth == 0 && depth > 0)
				want_key[depth] = true;
			break;
		case YAML_SCALAR_EVENT: {
			const char *s = (const char *)ev.data.scalar.value;
			if (seq_depth == 1 && list_key[0]) {
				size_t sl = strlen(s);
				if (list_len + sl + 2 > sizeof(list_val)) {
					log_error("%s: list '%s' too long (cap %d characters)",
						  origin, list_key, CONFIG_LIST_MAXLEN - 1);
					yaml_event_delete(&ev);
					goto out;
				}
				if (list_len)
					list_val[list_len++] = ',';
				memcpy(list_val + list_len, s, sl + 1);
				list_len += sl;
				break;
			}
			if (seq_depth || depth == 0)
				break;
			if (want_key[depth]) {
				snprintf(stack[depth - 1], sizeof(stack[0]), "%s", s);
				want_key[depth] = false;
			} else {
				char key[1024];
				if (path_key(stack, depth, key, sizeof(key)) < 0 ||
				    config_set(c, key, s, origin) < 0) {
					yaml_event_delete(&ev);
					goto out;
				}
				want_key[depth] = true;
			}
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	rc = 0;
out:
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}
