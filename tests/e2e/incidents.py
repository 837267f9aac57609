#!/usr/bin/env python3
"""e2e incidents: the intrusion capture becomes exactly one incident, as its truth says.

Writes `mamori-gen intrusion` (seed 1: staging download, beacons, internal discovery,
staging, exfiltration with personal data, over the benign office background and
internet noise), reads it with its rules and intel (tests/behaviour.yaml; enrichment
when data/ip-location-db is there), and checks:

- `mamori incidents --json`: exactly one incident; its hosts are the truth's two hosts
  (no benign host in any incident), its infrastructure the truth's two addresses with
  their names, the actor intel names on the staging/C2 server and none on the other;
- `mamori report 1 --json`: first and last activity and dwell time to the microsecond;
  bytes sent to the infrastructure in all, per channel and per host, and bytes received,
  equal to the truth; the two tools brought in and the staged archive with the truth's
  names, sizes and digests; the two uploads (as the HTTP bodies mamori extracts); the
  personal-data records by type; ATT&CK tactics in kill-chain order;
- `mamori report 1` (Markdown) and `--html` are written; the HTML loads nothing;
- `mamori share 1`: no internal address anywhere in the bundle, a TLP:AMBER marking on
  every object, and (when python3-jsonschema and ../shared's STIX schemas are there) a
  valid bundle by scripts/stix-validate;
- re-importing the bundle into a fresh store (the capture read without intel) finds the
  same infrastructure and file digests by retro-hunt, and the fresh store's one incident
  has the same hosts and infrastructure, now attributed to the actor;
- the benign background alone (same rules and intel) gives no incident.

usage: incidents.py MAMORI MAMORI_GEN [SHARED_DATA]
"""
import json, os, subprocess, sys, tempfile

mamori, gen = sys.argv[1], sys.argv[2]
shared = sys.argv[3] if len(sys.argv) > 3 else ""
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CONFIG = os.path.join(ROOT, "tests", "behaviour.yaml")
GEO = os.path.join(ROOT, "data", "ip-location-db")
env = dict(os.environ, TZ="UTC")
KEY = "00112233445566778899aabbccddeeff"
PII_TYPES = {"mynumber": "my_number", "card": "card", "email": "email",
             "phone_jp": "phone", "postal_jp": "postal_address"}
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)


def run(*args, ok=True):
    p = subprocess.run([mamori] + list(args), env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if ok and p.returncode != 0:
        print("mamori", " ".join(args), "exited", p.returncode, p.stderr[-2000:])
    return p


def settings():
    s = ["-c", CONFIG, "--set", "stream.reassembly.depth=4mb"]
    if os.path.exists(os.path.join(GEO, "asn-ipv4.csv")):
        s += ["--set", "enrich.dir=" + GEO,
              "--set", "enrich.hosting-asns=" + os.path.join(ROOT, "data", "hosting-asns.tsv")]
    return s


def incidents(d):
    p = run("incidents", "-d", d, "--json", *settings())
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


def report(d, n):
    p = run("report", str(n), "-d", d, "--json", *settings())
    return json.loads(p.stdout) if p.returncode == 0 else {}


def check_doc(doc, truth, tag):
    hosts = sorted(h["ip"] for h in doc.get("hosts", []))
    check(hosts == sorted(h["ip"] for h in truth["hosts"]), f"{tag}: hosts {hosts}")
    infra = {f["value"]: f for f in doc.get("infrastructure", [])}
    check(sorted(infra) == sorted(f["value"] for f in truth["infrastructure"]),
          f"{tag}: infrastructure {sorted(infra)}")
    for tf in truth["infrastructure"]:
        f = infra.get(tf["value"], {})
        check(sorted(f.get("domains", [])) == sorted(tf["domains"]),
              f"{tag}: names of {tf['value']}: {f.get('domains')}")
        check(f.get("flows") == tf["flows"] and f.get("bytes_out") == tf["bytes_out"] and
              f.get("bytes_in") == tf["bytes_in"],
              f"{tag}: flows/bytes of {tf['value']}: {f.get('flows')} {f.get('bytes_out')}")
    return infra


with tempfile.TemporaryDirectory() as tmp:
    base = os.path.join(tmp, "i")
    subprocess.run([gen, "intrusion", base + ".pcap"], check=True, stdout=subprocess.DEVNULL)
    truth = json.load(open(base + ".truth.json"))["intrusion"]
    out = os.path.join(tmp, "out")
    p = run("read", base + ".pcap", "-S", base + ".rules", "-I", base + ".intel.json", "-o",
            out, "--no-progress", "-w", "2", *settings())
    check(p.returncode == 0, "read with rules and intel")

    # ---- exactly one incident, the right one ----
    inc = incidents(out)
    check(len(inc) == 1, f"one incident, not {len(inc)}: {[i.get('title') for i in inc]}")
    doc = report(out, inc[0]["id"] if inc else 1)
    infra = check_doc(doc, truth, "incident")
    check(truth["actor"] in infra.get("185.243.115.84", {}).get("actors", []),
          "the actor on the staging/C2 server")
    check(not infra.get("45.67.230.12", {}).get("actors"), "no actor on the exfil server")
    check(set(infra.get("185.243.115.84", {}).get("roles", [])) >= {"staging", "c2"},
          "roles of the staging/C2 server")
    check("exfiltration" in infra.get("45.67.230.12", {}).get("roles", []),
          "role of the exfil server")
    if os.path.exists(os.path.join(GEO, "asn-ipv4.csv")):
        check(all("asn" in f and "country" in f and "hosting" in f for f in infra.values()),
              "enrichment of the infrastructure")
    else:
        print("SKIP: no data/ip-location-db: enrichment not checked")
    check(doc.get("first_seen") == truth["first_seen"], f"first seen {doc.get('first_seen')}")
    check(doc.get("last_seen") == truth["last_seen"], f"last seen {doc.get('last_seen')}")
    check(abs(doc.get("dwell_seconds", 0) - truth["dwell_seconds"]) < 1e-5,
          f"dwell {doc.get('dwell_seconds')} != {truth['dwell_seconds']}")
    dm = doc.get("damage", {})
    bo = dm.get("bytes_out", {})
    check(bo.get("total") == truth["bytes_out"]["total"], f"bytes out {bo.get('total')}")
    for ch, v in truth["bytes_out"]["channels"].items():
        check(bo.get("channels", {}).get(ch) == v, f"bytes out over {ch}")
    by_host = {h["host"]: h for h in bo.get("by_host", [])}
    for th in truth["bytes_out"]["by_host"]:
        h = by_host.get(th["host"], {})
        check(h.get("total") == th["total"] and
              all(h.get("channels", {}).get(c) == v for c, v in th["channels"].items()),
              f"bytes out of {th['host']}: {h}")
    check([h["host"] for h in bo.get("by_host", [])] ==
          [h["host"] for h in truth["bytes_out"]["by_host"]], "hosts by bytes, largest first")
    check(dm.get("bytes_in", {}).get("total") == truth["bytes_in"]["total"], "bytes in")

    def files(kind):
        return sorted((f.get("name"), f.get("size"), f.get("sha256"), f.get("host"), f.get("peer"))
                      for f in dm.get(kind, {}).get("files", []))

    for kind in ("tools_in", "staged"):
        want = sorted((f["fileinfo_filename"], f["size"], f["sha256"], f["host"], f["peer"])
                      for f in truth[kind])
        check(files(kind) == want, f"{kind}: {files(kind)}")
    # uploads: what mamori extracts is the HTTP request body (a multipart body whole)
    want = sorted((f["fileinfo_filename"], f.get("http_body", f)["size"],
                   f.get("http_body", f)["sha256"], f["host"], f["peer"])
                  for f in truth["files_out"])
    check(files("files_out") == want, f"files out: {files('files_out')}")
    pd = dm.get("personal_data", {})
    tp = truth["personal_data"]
    check(pd.get("records") == tp["records"], f"personal-data records {pd.get('records')}")
    check(pd.get("uploads") == tp["uploads"], "uploads with personal data")
    for k, v in pd.get("by_type", {}).items():
        check(tp["distinct"].get(PII_TYPES.get(k, k)) == v, f"personal data {k}: {v}")
    check(len(pd.get("by_type", {})) == 5, "five identifier types")
    order = [t["id"] for t in doc.get("tactics", [])]
    check({"TA0007", "TA0009", "TA0011", "TA0010"} <= set(order),
          f"tactics {order}")
    check(order == sorted(order, key=lambda t: ["TA0043", "TA0042", "TA0001", "TA0002",
                                                 "TA0003", "TA0004", "TA0005", "TA0006",
                                                 "TA0007", "TA0008", "TA0009", "TA0011",
                                                 "TA0010", "TA0040"].index(t)),
          "tactics in kill-chain order")
    check(doc.get("severity") == "critical" and len(doc.get("reasons", [])) >= 3,
          f"severity {doc.get('severity')} with reasons")
    check(doc.get("signals", {}).get("alerts") == sum(truth["rules"].values()),
          f"alerts {doc.get('signals')}")

    # ---- reports ----
    md = run("report", "1", "-d", out, "--no-update", *settings())
    check(md.returncode == 0 and "10.10.1.55" in md.stdout and truth["actor"] in md.stdout,
          "Markdown report")
    html = run("report", "1", "-d", out, "--html", "--no-update", *settings())
    check(html.returncode == 0 and "<svg" in html.stdout and "http://" not in
          html.stdout.replace("http://www.w3.org/2000/svg", ""), "HTML report loads nothing")
    check(run("report", "99", "-d", out, "--no-update", *settings(), ok=False).returncode == 1,
          "no such incident: exit 1")

    # ---- sharing ----
    nokey = run("share", "1", "-d", out, "--no-update", *settings(), ok=False)
    check(nokey.returncode == 1, "share without a pseudonym key is refused")
    bundle_path = os.path.join(tmp, "bundle.json")
    sh = run("share", "1", "-d", out, "-o", bundle_path, "--no-update", "--set",
             "share.pseudonym-key=" + KEY, "--set", "share.organisation=Example Utility",
             *settings())
    check(sh.returncode == 0, "share")
    text = open(bundle_path).read() if sh.returncode == 0 else "{}"
    bundle = json.loads(text)
    check(all(ip not in text for ip in ("10.10.1.23", "10.10.1.55", "10.10.0.10")),
          "no internal address in the bundle")
    objs = bundle.get("objects", [])
    amber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
    check(all(amber in o.get("object_marking_refs", []) for o in objs
              if o.get("type") not in ("marking-definition", "extension-definition")),
          "TLP:AMBER on every object")
    types = {o.get("type") for o in objs}
    check({"identity", "incident", "report", "indicator", "sighting", "observed-data",
           "relationship", "attack-pattern", "marking-definition"} <= types,
          f"object types {sorted(types)}")
    schemas = os.path.join(shared, "intel", "stix21", "oasis-cti-stix2-json-schemas",
                           "schemas") if shared else ""
    if schemas and os.path.isdir(schemas):
        v = subprocess.run([sys.executable if os.path.exists("/usr/bin/python3") is False
                            else "/usr/bin/python3", os.path.join(ROOT, "scripts", "stix-validate"),
                            bundle_path, schemas], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if v.returncode == 2:
            print("SKIP: stix-validate cannot run:", v.stdout.strip()[-300:])
        else:
            check(v.returncode == 0, "bundle valid against the STIX 2.1 schemas: " +
                  v.stdout[-1500:])
    else:
        print("SKIP: no STIX 2.1 schemas under ../shared/data: bundle not validated")

    # ---- receiving: a fresh store, the bundle imported ----
    fresh = os.path.join(tmp, "fresh")
    p = run("read", base + ".pcap", "-o", fresh, "--no-progress", "-w", "2", *settings())
    check(p.returncode == 0, "read without intel")
    hunt = run("intel", "import", bundle_path, "--store", os.path.join(fresh, "mamori.db"),
               *settings())
    check(hunt.returncode == 0, "intel import of the bundle")
    found = {json.loads(l)["intel"]["indicator"] for l in hunt.stdout.splitlines() if l.strip()}
    for tf in truth["infrastructure"]:
        check(tf["value"] in found, f"retro-hunt finds {tf['value']}")
        for name in tf["domains"]:
            check(name in found, f"retro-hunt finds {name}")
    for f in truth["tools_in"]:
        check(f["sha256"] in found, f"retro-hunt finds {f['name']}")
    inc2 = incidents(fresh)
    check(len(inc2) == 1, f"one incident in the fresh store, not {len(inc2)}")
    doc2 = report(fresh, inc2[0]["id"] if inc2 else 1)
    infra2 = check_doc(doc2, truth, "fresh store")
    check(truth["actor"] in infra2.get("185.243.115.84", {}).get("actors", []),
          "the shared bundle's attribution comes back")
    check(doc2.get("signals", {}).get("retro", 0) > 0, "retro-hunt sightings joined it")

    # ---- the benign background alone: no incident ----
    subprocess.run([gen, "background", os.path.join(tmp, "bg.pcap")], check=True,
                   stdout=subprocess.DEVNULL)
    bg = os.path.join(tmp, "bg")
    p = run("read", os.path.join(tmp, "bg.pcap"), "-S", base + ".rules", "-I",
            base + ".intel.json", "-o", bg, "--no-progress", "-w", "2", *settings())
    check(p.returncode == 0, "read the background")
    check(incidents(bg) == [], "no incident in the benign background")

print(f"incidents: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
