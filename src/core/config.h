/*
 * config — every tunable cap and timeout, with defaults, loaded from one YAML
 * file (libyaml) and overridable with `--set key=value`. Keys use Suricata's
 * names where Suricata has the same setting (flow.memcap,
 * flow-timeouts.tcp.established, stream.reassembly.depth, defrag.timeout ...).
 *
 * The config is filled once at start-up by the main thread and read-only
 * afterwards (shared by workers without locks).
 */
#ifndef MAMORI_CORE_CONFIG_H
#define MAMORI_CORE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum flow_proto_class { FPC_DEFAULT, FPC_TCP, FPC_UDP, FPC_ICMP, FPC_MAX };

enum overlap_policy { OVERLAP_FIRST, OVERLAP_LAST, OVERLAP_BSD, OVERLAP_LINUX };

/* Checksum validation, as Suricata's -k: auto (off when most checksums are
 * wrong, as with offloading), all (yes), none (no). */
enum checksum_mode { CSUM_AUTO, CSUM_ALL, CSUM_NONE };
/* app-layer.protocols.tls.encryption-handling, as Suricata's */
enum tls_encryption { TLS_ENC_DEFAULT, TLS_ENC_BYPASS, TLS_ENC_FULL };

/* share.tlp: the TLP 2.0 level of what is shared, in this order */
enum share_tlp_level {
	SHARE_TLP_CLEAR,
	SHARE_TLP_GREEN,
	SHARE_TLP_AMBER,
	SHARE_TLP_AMBER_STRICT,
	SHARE_TLP_RED
};

/* Rule variables: vars.address-groups.NAME and vars.port-groups.NAME. */
#define CONFIG_MAX_VARS	  64
#define CONFIG_VAR_MAXLEN 1024

struct config_var {
	char name[48];
	char value[CONFIG_VAR_MAXLEN];
	bool port;
};

/* Datasets declared in the configuration: datasets.NAME.type, .load, .state,
 * .memcap, .hashsize (as Suricata's). */
#define CONFIG_MAX_DATASETS 64
#define CONFIG_DATASET_NAME 64 /* names up to 63 characters, as Suricata's */

struct config_dataset {
	char name[CONFIG_DATASET_NAME];
	char type[16];
	char load[256];
	char state[256];
	uint64_t memcap;   /* 0: datasets.defaults.memcap */
	uint32_t hashsize; /* 0: datasets.defaults.hashsize */
};

/* List values (comma-separated; a YAML sequence is joined with commas). */
#define CONFIG_LIST_MAXLEN 1024

/* Zones of the zone policy analytic: analytics.zones.NAME.networks (CIDR
 * list), .internet (allow|deny), .allow (the zones it may talk to; empty:
 * any). */
#define CONFIG_MAX_ZONES 32
#define CONFIG_ZONE_NAME 32

struct config_zone {
	char name[CONFIG_ZONE_NAME];
	char networks[CONFIG_LIST_MAXLEN];
	char allow[256]; /* comma-separated zone names; "" = any */
	bool internet_deny;
};

struct config {
	/* flow table */
	uint64_t flow_memcap;
	uint32_t flow_hash_size;
	uint32_t timeout_new[FPC_MAX];
	uint32_t timeout_est[FPC_MAX];
	uint32_t timeout_closed[FPC_MAX];
	/* tcp */
	bool midstream;
	bool async_oneside;
	uint64_t reassembly_memcap;
	uint64_t reassembly_depth;	  /* 0 = unlimited */
	uint32_t reassembly_max_segments; /* out-of-order segments kept per direction */
	int stream_overlap;
	/* defrag */
	uint64_t defrag_memcap;
	uint32_t defrag_timeout;
	uint32_t defrag_max_frags;
	uint32_t defrag_trackers;
	int defrag_overlap;
	/* runtime */
	uint32_t workers; /* 0 = number of cores */
	uint64_t ring_size;
	uint32_t stats_interval;
	bool eve_flow;
	bool eve_stats;
	bool eve_dns, eve_http, eve_tls, eve_anomaly;
	bool eve_http_extended;
	char eve_http_headers[256];
	bool eve_fileinfo, file_hashes, file_magic;
	bool eve_intel;
	char intel_files[256]; /* comma-separated */
	char enrich_dir[256];
	char enrich_hosting[256];
	char yara_rules[256];
	char file_store_dir[256];
	uint64_t file_store_cap;
	uint64_t file_body_limit;
	uint32_t http_decompress_layers;
	char eve_filename[256];
	uint32_t snaplen;
	bool promisc;
	int checksum_mode;
	int tls_encryption; /* enum tls_encryption */
	/* the store (store/) */
	bool store_enabled;
	char store_path[256]; /* "" = mamori.db in the output directory */
	uint32_t store_batch_size;
	uint32_t store_queue_len;
	uint32_t store_retention_days;
	uint32_t store_retention_max_mb;
	uint32_t store_stats_interval;
	uint32_t store_cache_mb;
	char intel_dir[256]; /* "" = the intel folder beside the store */
	/* detection */
	char classification_file[256];
	char threshold_file[256];
	char reference_file[256];
	uint32_t detect_max_rule_messages; /* per-rule load messages printed, then summarised */
	bool eve_alert;
	bool eve_alert_payload;
	bool eve_alert_payload_printable;
	bool eve_alert_packet;
	bool passive; /* drop/reject act as alert (the only mode for now) */
	bool profile_rules;
	bool detect_prefilter; /* false: check rules without prefilter or indexes (testing) */
	uint32_t profile_top;
	struct config_var vars[CONFIG_MAX_VARS];
	uint32_t n_vars;
	/* datasets (dataset and datarep keywords) */
	uint64_t dataset_memcap;
	uint32_t dataset_hashsize;
	bool dataset_allow_write;
	bool dataset_allow_absolute;
	char data_dir[256];
	struct config_dataset datasets[CONFIG_MAX_DATASETS];
	uint32_t n_datasets;
	/* IP reputation (iprep keyword) */
	char reputation_categories[256];
	char reputation_files[CONFIG_LIST_MAXLEN];
	char reputation_path[256];
	/* behaviour analytics (analytics/) */
	bool an_enabled;
	bool eve_analytics;
	uint64_t an_ring_size;	 /* observation ring per worker */
	uint64_t an_pending_max; /* observation bytes the hub holds for slower workers */
	uint32_t an_flow_states; /* flows with per-flow analytics state at once */
	bool an_scan;
	uint32_t an_scan_window, an_scan_hosts, an_scan_ports, an_scan_sweep;
	uint32_t an_scan_max_sources;
	bool an_beacon;
	uint32_t an_beacon_min_count, an_beacon_min_interval, an_beacon_max_interval;
	uint32_t an_beacon_jitter_pct, an_beacon_size_pct, an_beacon_max_series;
	bool an_dns_tunnel;
	uint32_t an_dns_window, an_dns_unique, an_dns_label_len, an_dns_entropy_x100;
	uint32_t an_dns_txt_null, an_dns_max_domains;
	bool an_exfil;
	uint32_t an_exfil_window;
	uint64_t an_exfil_min_bytes;
	uint32_t an_exfil_baseline_factor, an_exfil_ratio, an_exfil_hosting_weight;
	uint32_t an_exfil_max_hosts;
	bool an_zones;
	struct config_zone zones[CONFIG_MAX_ZONES];
	uint32_t n_zones;
	bool an_darknet;
	char an_darknet_prefixes[CONFIG_LIST_MAXLEN];
	uint32_t an_darknet_max_sources;
	bool an_pii;
	char an_pii_key[256]; /* hex; "" = a random key per run (hashes not comparable across runs)
			       */
	uint64_t an_pii_max_bytes;
	uint32_t an_pii_max_distinct;
	uint32_t an_pii_min_records;
	uint32_t an_pii_min_emails;
	bool an_pii_outbound_only;
	bool an_daily;
	char an_daily_monitored[CONFIG_LIST_MAXLEN];
	uint32_t an_daily_max_addresses;

	/* incidents (incident/) */
	uint32_t inc_gap;	     /* seconds of quiet after which activity is a new incident */
	uint32_t inc_alert_severity; /* alerts of this severity or higher (1 = high) open one */
	bool inc_inbound_alerts;     /* alerts from outside may open one, not only join */
	uint32_t inc_max_keys;	     /* hosts and infrastructure keys held in memory */
	uint32_t inc_backfill_rows;  /* earlier records joined per new infrastructure address */
	uint32_t inc_interval;	     /* live: seconds between correlation passes */
	/* sharing incidents as STIX (incident/share.c) */
	char share_organisation[256];
	char share_sector[256];
	char share_contact[256];
	int share_tlp;		       /* enum share_tlp_level */
	char share_pseudonym_key[256]; /* hex; "" = nothing is shared */
	/* the dashboard and API (web/) */
	char serve_listen[256];	    /* address bound */
	uint32_t serve_port;	    /* 0: any free port */
	char serve_token_file[256]; /* the access token's file; "" = none */
	uint64_t serve_max_body;    /* largest request body */
	uint32_t serve_max_clients; /* connections at once */
	uint32_t serve_max_live;    /* live-feed clients at once */
	uint32_t serve_readers;	    /* SQLite read connections */
	uint32_t serve_timeout;	    /* seconds an idle connection is kept */
	char serve_static_dir[256]; /* dashboard files from here, not the embedded ones */
};

/* Fill c with the defaults. */
void config_defaults(struct config *c);

/*
 * Set one key from its text form. `origin` names where the value came from
 * ("--set", "file.yaml:12") for messages. Returns 0, or -1 after printing a
 * message naming origin, key and the problem. Unknown keys warn and return 0
 * (configurations written for Suricata carry keys mamori does not use).
 */
int config_set(struct config *c, const char *key, const char *value, const char *origin);

/* Parse "key=value" (from --set). */
int config_set_kv(struct config *c, const char *kv);

/* Load a YAML file. Returns 0 or -1 after a message naming file and line. */
int config_load_file(struct config *c, const char *path);

/* Write every key with its current value and help text (for --help-config). */
void config_dump(const struct config *c, FILE *out);

/* The value of a rule variable (without '$'), or NULL. */
const char *config_var(const struct config *c, const char *name, bool port);

/* The dataset declared as datasets.NAME, or NULL. */
const struct config_dataset *config_dataset(const struct config *c, const char *name);

/* The zone declared as analytics.zones.NAME, or NULL. */
const struct config_zone *config_zone(const struct config *c, const char *name);

/* Parse sizes like "64mb", "1gb", "4096"; durations are plain seconds. */
int config_parse_size(const char *s, uint64_t *out);

#endif
