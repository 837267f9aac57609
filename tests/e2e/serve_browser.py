#!/usr/bin/env python3
"""serve_browser: the dashboard in headless Chromium (tests/web/browser.mjs, playwright-core).

Builds the behaviour store (tests/e2e/servelib.py), starts `mamori serve` on it, computes
what the pages must show from the store (sqlite3: the overview's figures and top lists)
and from `mamori incidents --json` / `mamori report ID --json` (the incident with the
highest score), writes that to a JSON file and runs the node script with it. The
script drives the pages, checks every figure, and saves screenshots in ARTIFACTS
(overview.png, incident.png, darknet.png, zones.png, health.png, events.png).

Needs node >= 20, Chromium (/usr/bin/chromium, or $MAMORI_CHROMIUM) and playwright-core
(web/node_modules, `cd web && npm ci --ignore-scripts`): scripts/deps installs them.
Without them the test fails and says what is missing.

usage: serve_browser.py MAMORI MAMORI_GEN ARTIFACTS
"""
import json, os, re, shutil, signal, sqlite3, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import servelib as sl  # noqa: E402

mamori, gen, artifacts = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
SCRIPT = os.path.join(sl.ROOT, "tests", "web", "browser.mjs")
PLAYWRIGHT = os.path.join(sl.ROOT, "web", "node_modules", "playwright-core")


def need():
    """What is missing to run the browser, or []."""
    missing = []
    node = shutil.which("node")
    if not node:
        missing.append("node (>= 20) is not installed")
    else:
        v = subprocess.run([node, "--version"], stdout=subprocess.PIPE, text=True).stdout
        m = re.match(r"v(\d+)", v.strip())
        if not m or int(m.group(1)) < 20:
            missing.append("node %s is older than 20" % v.strip())
    chromium = os.environ.get("MAMORI_CHROMIUM", "/usr/bin/chromium")
    if not os.access(chromium, os.X_OK):
        missing.append("no Chromium at %s" % chromium)
    if not os.path.exists(os.path.join(PLAYWRIGHT, "package.json")):
        missing.append("playwright-core is not in web/node_modules "
                       "(cd web && npm ci --ignore-scripts --no-audit --no-fund)")
    return missing, chromium


missing, chromium = need()
if missing:
    print("FAIL serve_browser: cannot run the browser test: " + "; ".join(missing) +
          ". scripts/deps installs what it needs.")
    print("serve_browser: 0 passed, 1 failed")
    sys.exit(1)

os.makedirs(artifacts, exist_ok=True)
for f in os.listdir(artifacts):
    if f.endswith(".png") or f.endswith(".stix.json"):
        os.unlink(os.path.join(artifacts, f))

with tempfile.TemporaryDirectory(prefix="mamori-serve-browser-") as tmp:
    db = sl.build_store(mamori, gen, os.path.join(tmp, "store"))
    summary = sl.expected_summary(db)
    incidents = [json.loads(l) for l in sl.cli(mamori, "incidents", "--store", db, "--json",
                                               *sl.settings()).stdout.splitlines() if l.strip()]
    if not incidents:
        print("FAIL serve_browser: the store has no incident")
        sys.exit(1)
    top = max(incidents, key=lambda i: i["score"])  # the first of the highest, newest first
    doc = json.loads(sl.cli(mamori, "report", str(top["id"]), "--store", db, "--json",
                            *sl.settings()).stdout)
    host_events = [json.loads(l) for l in sl.cli(
        mamori, "query", "--store", db, "--json", "--host", doc["hosts"][0]["ip"], "--type",
        "alert,intel,event", "--limit", "100").stdout.splitlines() if l.strip()]
    dn = sl.expected_darknet(db)
    zones = json.loads(sl.cli(mamori, "audit", "--store", db, "-c", sl.CONFIG, "--json").stdout)
    c = sl.open_ro(db)
    counters = json.loads(c.execute("SELECT counters FROM stats ORDER BY ts DESC, id DESC"
                                    " LIMIT 1").fetchone()[0])
    c.close()
    # the feed the intel page uploads, and what a hunt with it finds in a copy of the store
    feed = os.path.join(tmp, "browser-feed.txt")
    with open(feed, "w") as f:
        f.write("# the C2 and exfiltration servers of the behaviour scenario\n"
                "185.243.115.84\n45.67.230.12\n")
    copy = os.path.join(tmp, "copy.db")
    src, dst = sl.open_ro(db), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    h = sl.cli(mamori, "hunt", "--store", copy, *sl.settings(), feed)
    m = re.search(r"hunt: (\d+) sightings of \d+ indicators over (\d+) stored records", h.stderr)
    if h.returncode != 0 or not m:
        print("FAIL serve_browser: mamori hunt with the feed: %s" % h.stderr[-500:])
        sys.exit(1)
    srv = sl.Server(mamori, db, tmp, "browser").start()
    health = sl.get(srv.port, "/api/stats").json()["health"]
    expected = {
        "url": "http://127.0.0.1:%d/" % srv.port,
        "chromium": chromium,
        "playwright": PLAYWRIGHT,
        "artifacts": artifacts,
        "overview": {
            "today-attacks": summary["today"]["attacks"],
            "today-date": summary["today"]["date"],
            "total-attacks": summary["totals"]["attacks"],
            "total-alerts": summary["totals"]["alerts"],
            "total-events": summary["totals"]["events"],
            "total-intel": summary["totals"]["intel"],
            "incidents-open": summary["totals"]["incidents_open"],
            "incidents": summary["totals"]["incidents"],
            "darknet-packets": summary["totals"]["darknet_packets"],
            "zone-violations": summary["totals"]["zone_violations"],
        },
        "categories": summary["totals"]["by_category"],
        "top": {"sources": summary["sources"], "destinations": summary["destinations"],
                "signatures": {str(k): v[1] for k, v in summary["signatures"].items()}},
        "incidents": [i["id"] for i in incidents],
        "incident": doc,
        "events_host": doc["hosts"][0]["ip"],
        "events_host_count": len(host_events),
        "darknet": {"total-packets": dn["totals"]["packets"],
                    "total-sources": dn["totals"]["sources"],
                    "days": len([d for d in dn["days"] if d["packets"]]),
                    "sources": {k: v["packets"] for k, v in dn["sources"].items()},
                    "ports": {"%s/%d" % k: v["packets"] for k, v in dn["ports"].items()}},
        "zones": zones,
        "counters": counters,
        "health": health,
        "intel": {"file": feed, "loaded": 2, "sightings": int(m.group(1)),
                  "records": int(m.group(2))},
    }
    path = os.path.join(tmp, "expected.json")
    with open(path, "w") as f:
        json.dump(expected, f)
    try:
        p = subprocess.run(["node", SCRIPT, path], timeout=240)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        print("FAIL serve_browser: the browser script ran over 240 s")
        rc = 1
    stop = srv.stop(signal.SIGTERM)
    bad = []
    if stop != 0:
        bad.append("the server exited %r: %s" % (stop, srv.stderr()[-1500:]))
    if srv.sanitizer_report():
        bad.append("sanitizer report: " + srv.sanitizer_report())
    for b in bad:
        print("FAIL serve_browser:", b)
    print("serve_browser: screenshots in", artifacts)
    sys.exit(1 if rc or bad else 0)
