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
import json, os, re, shutil, signal, subprocess, sys, tempfile

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
    srv = sl.Server(mamori, db, tmp, "browser").start()
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
