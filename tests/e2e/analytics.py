#!/usr/bin/env python3
"""e2e analytics: every behaviour analytic against the ground truth.

Writes the behaviour capture (`mamori-gen behaviour`, seed 1: two hours of office
traffic with scans, backscatter, darknet probes, a beacon, a DNS tunnel, a 24 MB
upload, a personal-data upload and OT zone violations; tools/README.md) and its
benign background alone (`mamori-gen background`), reads both with the scenario's
configuration (tests/behaviour.yaml), and checks:

- each analytic's record against the truth file's figures (counts, bytes,
  intervals, times, peers);
- nothing but summaries on the background (no scan, beacon, dns_tunnel, exfil,
  pii or zone violation; darknet and daily totals of zero attacks);
- the same analytics records with 1 and 3 workers;
- the records and the daily rows are in the store, and `mamori audit` finds the
  three zone violations (exit 1) and attests the compliant zone.

usage: analytics.py MAMORI MAMORI_GEN
"""
import json, os, sqlite3, subprocess, sys, tempfile

failures = 0
TYPES = ("scan", "beacon", "dns_tunnel", "exfil", "zone", "darknet", "pii", "daily")
HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = os.path.join(HERE, "..", "behaviour.yaml")


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures += 1


def read(mamori, pcap, out, *extra):
    p = subprocess.run([mamori, "read", "--no-progress", "-c", CONFIG, "-o", out, *extra, pcap],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit(f"mamori read failed ({p.returncode}):\n{p.stderr[-3000:]}")
    recs = []
    with open(os.path.join(out, "eve.json")) as f:
        for line in f:
            r = json.loads(line)
            if r["event_type"] in TYPES:
                recs.append(r)
    return recs


def of(recs, t, **kv):
    out = []
    for r in recs:
        if r["event_type"] != t:
            continue
        o = r[t]
        if all((r.get(k) if k in ("src_ip", "dest_ip", "dest_port") else o.get(k)) == v
               for k, v in kv.items()):
            out.append(r)
    return out


def close(a, b, tol):
    return a is not None and abs(a - b) <= tol


def main():
    mamori, gen = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="mamori-analytics-")
    pcap, bg = os.path.join(tmp, "b.pcap"), os.path.join(tmp, "bg.pcap")
    subprocess.run([gen, "behaviour", pcap, "--seed", "1"], check=True)
    subprocess.run([gen, "background", bg, "--seed", "1"], check=True)
    truth = {b["name"]: b for b in json.load(open(pcap[:-5] + ".truth.json"))["behaviours"]}
    recs = read(mamori, pcap, os.path.join(tmp, "w1"), "-w", "1")

    # beacon: the final record of the series
    t = truth["beacon"]
    got = of(recs, "beacon", final=True, src_ip=t["src_ip"], dest_ip=t["dest_ip"])
    check(len(got) == 1, f"beacon: one final record for {t['src_ip']} -> {t['dest_ip']} ({len(got)})")
    if got:
        b = got[0]["beacon"]
        check(b.get("count") == t["count"], f"beacon: count {b.get('count')} = {t['count']}")
        check(close(b.get("interval_mean"), t["interval_s"], 0.01),
              f"beacon: mean interval {b.get('interval_mean')} = {t['interval_s']:.3f} s")
        check(b.get("sni") == t["sni"], f"beacon: sni {b.get('sni')}")
        check(b.get("bytes_toserver") == t["wire"]["bytes_up"] and
              b.get("bytes_toclient") == t["wire"]["bytes_down"],
              f"beacon: bytes {b.get('bytes_toserver')}/{b.get('bytes_toclient')} = "
              f"{t['wire']['bytes_up']}/{t['wire']['bytes_down']}")
        check(b.get("first_seen") == t["first_seen"], f"beacon: first seen {b.get('first_seen')}")
        check(b.get("jitter", 1) <= t["max_rel_deviation"],
              f"beacon: jitter {b.get('jitter')} within the truth's {t['max_rel_deviation']:.3f}")
    check(len(of(recs, "beacon")) == 2, f"beacon: two records in all ({len(of(recs, 'beacon'))})")

    # dns tunnel: the final record of the episode
    t = truth["dns-tunnel"]
    got = of(recs, "dns_tunnel", final=True, domain=t["base_domain"])
    check(len(got) == 1, f"dns_tunnel: one final record for {t['base_domain']} ({len(got)})")
    if got:
        d = got[0]["dns_tunnel"]
        for k in ("queries", "txt_null", "bytes_up", "bytes_down"):
            check(d.get(k) == t[k], f"dns_tunnel: {k} {d.get(k)} = {t[k]}")
        check(close(d.get("distinct_subdomains"), t["distinct_subdomains"],
                    0.02 * t["distinct_subdomains"]),
              f"dns_tunnel: distinct subdomains {d.get('distinct_subdomains')} = "
              f"{t['distinct_subdomains']} (2% sketch)")
        check(d.get("client") == t["src_ip"], f"dns_tunnel: client {d.get('client')}")

    # exfiltration
    t = truth["exfil"]
    got = of(recs, "exfil", src_ip=t["src_ip"], dest_ip=t["dest_ip"])
    check(len(got) == 1 and len(of(recs, "exfil")) == 1, f"exfil: one record ({len(got)})")
    if got:
        e = got[0]["exfil"]
        check(e.get("bytes_out") == t["flow"]["bytes_up"],
              f"exfil: bytes out {e.get('bytes_out')} = {t['flow']['bytes_up']}")
        check(e.get("bytes_in") == t["flow"]["bytes_down"],
              f"exfil: bytes in {e.get('bytes_in')} = {t['flow']['bytes_down']}")
        check(e.get("bytes_out", 0) >= t["bytes_payload_up"], "exfil: at least the payload")

    # personal data: the CSV body and the multipart file, both to the server
    t = truth["pii-upload"]
    got = sorted(of(recs, "pii", src_ip=t["src_ip"], dest_ip=t["dest_ip"]),
                 key=lambda r: -r["pii"]["records"])
    check(len(got) == 2 and len(of(recs, "pii")) == 2, f"pii: two records ({len(got)})")
    names = {"mynumber": "my_number", "card": "card", "email": "email", "phone_jp": "phone",
             "postal_jp": "postal_address"}
    for rec, part in zip(got, ("csv", "multipart")):
        p, want = rec["pii"], t[part]
        for ty, tn in names.items():
            check(p["types"].get(ty, {}).get("distinct") == want["distinct"][tn],
                  f"pii {part}: {ty} distinct {p['types'].get(ty, {}).get('distinct')} = "
                  f"{want['distinct'][tn]}")
        for ty, tn in (("mynumber", "my_number"), ("card", "card")):
            check(p["types"].get(ty, {}).get("rejected") == want.get("rejected", {}).get(tn, 0),
                  f"pii {part}: {ty} rejected {p['types'].get(ty, {}).get('rejected')}")
        check(p["direction"] == "to_server" and p["leaves_home_net"], f"pii {part}: outbound")
    # the identifiers never appear in clear: every sample is masked
    masked = all("*" in v.get("sample_masked", "*") for r in of(recs, "pii")
                 for v in r["pii"]["types"].values())
    check(masked, "pii: every sample is masked")

    # zones: three violations at once, as the truth lists them
    want = sorted((v["time"], v["src_ip"], v["dest_ip"], v["dest_port"], v["rule"])
                  for v in truth["zone"]["violations"])
    got = sorted((r["timestamp"], r["src_ip"], r["dest_ip"], r["dest_port"], r["zone"]["rule"])
                 for r in of(recs, "zone", kind="violation", final=False))
    check(got == want, f"zone: violations {got} = {want}")

    # scans, sweeps, backscatter and the darknet
    for name, kind, key in (("scan-horizontal", "horizontal", "distinct_targets"),
                            ("scan-vertical", "vertical", "distinct_ports"),
                            ("icmp-sweep", "sweep", "distinct_targets")):
        t = truth[name]
        got = [r for r in of(recs, "scan", kind=kind, src_ip=t["src_ip"])
               if r["scan"].get("final", True)]
        check(len(got) == 1, f"scan {kind}: one final record from {t['src_ip']} ({len(got)})")
        if got:
            s = got[0]["scan"]
            n = s.get("distinct_hosts" if key == "distinct_targets" else "distinct_ports")
            check(n == t[key], f"scan {kind}: {key} {n} = {t[key]}")
            want_open = len(t["open_ports"]) if kind == "vertical" else \
                t.get("open", t.get("replies"))
            got_open = s.get("answers", {}).get("open")
            check(got_open == want_open, f"scan {kind}: {got_open} open = {want_open}")
    t = truth["backscatter"]
    check(not [r for r in of(recs, "scan", src_ip=t["src_ip"])
               if r["scan"].get("kind") != "backscatter"],
          f"scan: {t['src_ip']}'s replies are not taken for a scan")
    dn = of(recs, "darknet")
    check(len(dn) >= 1, f"darknet: a daily summary ({len(dn)})")
    if dn:
        total = sum(g["packets"] for g in truth["darknet"]["groups"]) + truth["backscatter"]["packets"]
        check(dn[0]["darknet"].get("packets") == total,
              f"darknet: packets {dn[0]['darknet'].get('packets')} = {total}")

    # daily counters: every attack record counted once
    daily = of(recs, "daily")
    check(len(daily) == 1, "daily: one record for the one day")
    if daily:
        cats = {c["category"]: c["count"] for c in daily[0]["daily"]["attacks"]["by_category"]}
        for ty in ("beacon", "dns_tunnel", "exfil", "pii", "zone"):
            n = sum(1 for r in recs if r["event_type"] == ty and r[ty].get("category") == ty)
            check(cats.get(ty) == n, f"daily: {ty} {cats.get(ty)} = {n} records")

    # the background raises nothing
    brecs = read(mamori, bg, os.path.join(tmp, "bg"), "-w", "1")
    raised = [r for r in brecs if r["event_type"] not in ("daily", "darknet")
              and not (r["event_type"] == "zone" and r["zone"].get("kind") == "summary")]
    check(raised == [], f"background: nothing raised ({[r['event_type'] for r in raised][:5]})")
    bd = of(brecs, "daily")
    check(bd and bd[0]["daily"]["attacks"]["total"] == 0, "background: zero attacks in the day")

    # one worker and three give the same records
    recs3 = read(mamori, pcap, os.path.join(tmp, "w3"), "-w", "3")
    key = lambda r: json.dumps(r, sort_keys=True)
    check(sorted(map(key, recs)) == sorted(map(key, recs3)),
          f"workers: 1 and 3 give the same {len(recs)} analytics records")

    # the store has them; mamori audit reports the violations
    db = sqlite3.connect(os.path.join(tmp, "w1", "mamori.db"))
    n = db.execute("SELECT count(*) FROM event").fetchone()[0]
    check(n == len([r for r in recs]), f"store: {n} event rows = {len(recs)} records")
    n = db.execute("SELECT count(*) FROM daily WHERE kind='attacks'").fetchone()[0]
    check(n >= 1, f"store: {n} daily attack rows")
    p = subprocess.run([mamori, "audit", "-o", os.path.join(tmp, "w1")], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    check(p.returncode == 1, f"audit: exit {p.returncode} (violations)")
    check("ATTESTATION: zone ot-dmz" in p.stdout, "audit: ot-dmz attested")
    check(p.stdout.count("10.50.0.7") >= 2, "audit: the violations are listed")

    print(f"analytics: {'FAILED' if failures else 'passed'} ({failures} failures)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
