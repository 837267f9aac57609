#!/usr/bin/env python3
"""audit: `mamori audit` over a store written by `mamori read` with zones.

Over the generated office capture (tools/scenarios_office.c), read with two
zones: `gw` (the gateway 10.1.0.1, internet: deny; its NTP and ping peers
are office hosts, so it is compliant) and `srv` (the intranet server
10.1.0.20, internet: deny, talks to srv and gw only: every office client
and the scanner reaching it break its policy). Checks the exit status (0
compliant, 1 violations, 2 errors), the attestation line of `gw`, the
listing of `srv`'s violations against eve.json, --zone, --json, --since,
and that the zone records and daily rows are in the store.

usage: audit.py MAMORI MAMORI_GEN
"""
import json, os, sqlite3, subprocess, sys, tempfile

mamori, gen = sys.argv[1], sys.argv[2]
env = dict(os.environ, TZ="UTC")
passed = failed = 0


def check(cond, what):
    global passed, failed
    passed += bool(cond)
    failed += not cond
    if not cond:
        print("FAIL", what)


def run(*args):
    return subprocess.run([mamori, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=env)


ZONES = ["analytics.zones.gw.networks=10.1.0.1/32", "analytics.zones.gw.internet=deny",
         "analytics.zones.srv.networks=10.1.0.20/32", "analytics.zones.srv.internet=deny",
         "analytics.zones.srv.allow=srv,gw"]

with tempfile.TemporaryDirectory() as tmp:
    pcap = os.path.join(tmp, "office.pcap")
    out = os.path.join(tmp, "out")
    subprocess.run([gen, "office", pcap], check=True, stdout=subprocess.DEVNULL)
    args = ["read", pcap, "-o", out, "--workers", "2"]
    for s in ZONES:
        args += ["--set", s]
    p = run(*args)
    check(p.returncode == 0, "read exited %d: %s" % (p.returncode, p.stderr[-800:]))
    eve = [json.loads(l) for l in open(os.path.join(out, "eve.json"))]
    viol = [e for e in eve if e.get("event_type") == "zone"
            and e["zone"]["kind"] == "violation" and not e["zone"]["final"]]
    summ = {e["zone"]["zone"]: e["zone"] for e in eve if e.get("event_type") == "zone"
            and e["zone"]["kind"] == "summary"}
    check(viol and all(v["zone"]["zone"] == "srv" and v["dest_ip"] == "10.1.0.20"
                       for v in viol), "only srv's policy is broken")
    check(summ.get("gw", {}).get("violations") == 0 and summ["gw"]["flows"] > 0,
          "gw summary: flows, no violation")
    check(summ.get("srv", {}).get("violations") == len(viol), "srv summary counts them")

    db = sqlite3.connect(os.path.join(out, "mamori.db"))
    keys = {r[0]: r[1] for r in db.execute("SELECT key, value FROM daily WHERE kind='zone'")}
    check(keys.get("gw|flows") == summ["gw"]["flows"], "daily row gw|flows")
    check(keys.get("srv|violations") == len(viol), "daily row srv|violations")
    check(set(keys) >= {"gw|packets", "gw|bytes", "srv|packets", "srv|bytes"}, "daily rows")
    db.close()

    # the whole report: violations, exit 1
    p = run("audit", "-o", out)
    check(p.returncode == 1, "audit with violations exits 1, not %d" % p.returncode)
    lines = p.stdout.splitlines()
    att = [l for l in lines if l.startswith("ATTESTATION:")]
    want = ("ATTESTATION: zone gw (10.1.0.1/32; internet: deny; talks to: any zone) had no "
            "policy violation from 2024-01-15 to 2024-01-15: %s flows and %s packets of the "
            "zone were checked." % (format(summ["gw"]["flows"], ","),
                                    format(summ["gw"]["packets"], ",")))
    check(att == [want], "attestation line: %r" % att)
    check(any(l.startswith("FINDING: zone srv") for l in lines), "finding for srv")
    listed = [l for l in lines if l.startswith("    2024-")]
    check(len(listed) == len(viol), "every violation listed (%d/%d)" % (len(listed), len(viol)))
    first = viol[0]
    check(any("%s:%d -> %s:%d" % (first["src_ip"], first["src_port"], first["dest_ip"],
                                  first["dest_port"]) in l and "not-allowed-zone" in l
              for l in listed), "the first violation's line")

    # one compliant zone: exit 0
    p = run("audit", "--store", os.path.join(out, "mamori.db"), "--zone", "gw")
    check(p.returncode == 0, "audit --zone gw exits 0, not %d" % p.returncode)
    check("ATTESTATION: zone gw" in p.stdout and "srv" not in p.stdout, "only gw reported")

    # JSON
    p = run("audit", "-o", out, "--json")
    j = json.loads(p.stdout) if p.returncode == 1 else {}
    zs = {z["zone"]: z for z in j.get("zones", [])}
    check(j.get("compliant") is False and zs.get("gw", {}).get("compliant") is True,
          "JSON compliance")
    check(zs.get("srv", {}).get("violations") == len(viol) and
          len(zs["srv"]["events"]) == len(viol), "JSON violations")
    check(zs.get("srv", {}).get("allow") == "srv,gw", "JSON policy")

    # a window after the capture: no figures, exit 2; errors: exit 2
    p = run("audit", "-o", out, "--since", "2024-02-01")
    check(p.returncode == 2, "no figures in the window exits 2, not %d" % p.returncode)
    check(run("audit", "-o", out, "--zone", "nope").returncode == 2, "unknown zone exits 2")
    check(run("audit", "--store", os.path.join(tmp, "none.db")).returncode == 2,
          "no store exits 2")
    check(run("audit", "--bogus").returncode == 2, "bad option exits 2")
    check(run("audit", "-o", out, "--since", "yesterday-ish").returncode == 2,
          "bad time exits 2")

    # the running configuration names the policy
    cfg = os.path.join(tmp, "m.yaml")
    open(cfg, "w").write("analytics:\n  zones:\n    gw:\n      networks: 10.1.0.0/30\n"
                         "      internet: deny\n")
    p = run("audit", "-o", out, "-c", cfg, "--zone", "gw")
    check(p.returncode == 0 and "zone gw (10.1.0.0/30;" in p.stdout, "policy from -c")

print("audit: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
