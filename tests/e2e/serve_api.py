#!/usr/bin/env python3
"""serve_api: `mamori serve`'s JSON API against the store and the command line (docs/web.md).

Builds a store from the behaviour scenario (tests/behaviour.yaml, plus three rules so
that it holds alerts: tests/e2e/servelib.py), starts `mamori serve --port 0
--port-file F` on it and checks:

- /api/session; /api/summary against figures computed from the store with sqlite3
  (attacks per day and category, sources, darknet, zone violations, incidents,
  records; the top sources, destinations and signatures);
- /api/events: type, host (address, CIDR), domain, signature, q, limit and `more`,
  paging with `until`, the forms of since/until, against `mamori query`;
- /api/incidents, /api/incidents/ID, its report (HTML, Markdown) and STIX bundle
  against `mamori incidents`, `report`, `share` (and scripts/stix-validate); 404s;
- /api/darknet against the darknet rows, /api/zones against `mamori audit --json`,
  /api/stats against the newest stats row;
- hostile and malformed requests: unknown paths and methods, bad parameters (400 with
  a JSON error, never 500), SQL in every text parameter (the store unchanged), a
  10 KiB URL, 64 KiB of headers, a body over serve.max-body, garbage and cut
  requests, slow clients that never finish their headers, bytes that are not UTF-8,
  NUL, path traversal on the embedded files and with serve.static-dir (a symbolic
  link out of it); the security headers;
- the token (Bearer, the login cookie), CSRF on POST, a non-loopback --listen without
  a token, serve.max-clients and serve.timeout;
- an intel upload (STIX 2.1) with the live feed open: the sighting arrives as an
  SSE `intel` event and in /api/events; a malformed feed is refused with the store
  untouched; serve.max-live;
- 100 threads of 10 requests each, all answered 200 with the same bodies;
- SIGTERM/SIGINT end the server with status 0 and no sanitizer report.

usage: serve_api.py MAMORI MAMORI_GEN [SHARED_DATA]
"""
import collections, http.client, json, os, re, signal, socket, subprocess, sys, tempfile
import threading, time, traceback, urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import servelib as sl  # noqa: E402

mamori, gen = sys.argv[1], sys.argv[2]
shared = sys.argv[3] if len(sys.argv) > 3 else os.path.join(sl.ROOT, "..", "shared", "data")
passed = failed = 0
failures = []


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        failures.append(what)
        print("FAIL", what, flush=True)
    return bool(cond)


def section(name, fn, *args):
    """Runs one group of checks; an exception is one failure, and the next group runs."""
    print("--", name, flush=True)
    try:
        fn(*args)
    except Exception:
        check(False, "%s: exception:\n%s" % (name, traceback.format_exc()))


def q(path, **params):
    """PATH with PARAMS as a query string (percent-encoded)."""
    return path + ("?" + urllib.parse.urlencode(params) if params else "")


def is_error(r, status):
    """Status STATUS with a JSON body {"error": "text"}."""
    j = r.json()
    return (r.status == status and isinstance(j, dict) and isinstance(j.get("error"), str)
            and j["error"] != "" and
            (r.header("content-type") or "").startswith("application/json"))


def canon(o):
    return json.dumps(o, sort_keys=True)


def query(*args):
    """`mamori query --json` on the store: the records, parsed."""
    p = sl.cli(mamori, "query", "--store", DB, "--json", *args)
    if p.returncode != 0:
        raise RuntimeError("mamori query %s exited %d: %s" % (args, p.returncode, p.stderr))
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


def newest_first(events):
    return sorted(events, key=lambda e: e["timestamp"], reverse=True)


def check_page(tag, obj, full, limit):
    """OBJ (an /api/events answer) is the newest LIMIT of FULL (every matching record):
    count, limit, more, newest first, the same records (any of those sharing the
    oldest time listed when the limit cuts through them)."""
    if not check(isinstance(obj, dict) and isinstance(obj.get("events"), list),
                 "%s: an events answer: %r" % (tag, str(obj)[:300])):
        return
    ev = obj["events"]
    check(obj.get("count") == len(ev), "%s: count %r for %d events" % (tag, obj.get("count"),
                                                                       len(ev)))
    check(obj.get("limit") == limit, "%s: limit %r, not %d" % (tag, obj.get("limit"), limit))
    ts = [e.get("timestamp", "") for e in ev]
    check(ts == sorted(ts, reverse=True), "%s: not newest first" % tag)
    full = newest_first(full)
    want = min(limit, len(full))
    # docs/web.md: a page never ends inside a group of records of one time; a
    # group the limit would cut goes whole to the next page (unless it fills it)
    cut = len(full) > limit and full[limit]["timestamp"] == full[limit - 1]["timestamp"]
    newer = cut and sum(1 for e in full[:limit] if e["timestamp"] > full[limit - 1]["timestamp"])
    if cut and newer:
        want = newer
    if len(full) > limit:
        check(obj.get("more") is True, "%s: more %r with %d records over the limit %d" %
              (tag, obj.get("more"), len(full), limit))
    elif len(full) < limit:
        check(obj.get("more") is False, "%s: more %r with %d records under the limit %d" %
              (tag, obj.get("more"), len(full), limit))
    if not check(len(ev) == want, "%s: %d events, mamori query has %d (limit %d)" %
                 (tag, len(ev), len(full), limit)):
        return
    if len(full) <= limit:
        a, b = sorted(map(canon, ev)), sorted(map(canon, full))
        if a != b:
            extra = [x for x in a if x not in b][:2]
            missing = [x for x in b if x not in a][:2]
            check(False, "%s: records differ from mamori query's: extra %s, missing %s" %
                  (tag, extra, missing))
        else:
            check(True, tag)
        return
    edge = full[limit - 1]["timestamp"]
    must = collections.Counter(canon(e) for e in full if e["timestamp"] > edge)
    may = collections.Counter(canon(e) for e in full if e["timestamp"] == edge and
                              not (cut and newer))
    got = collections.Counter(map(canon, ev))
    rest = got - must
    check(not (must - got) and not (rest - may),
          "%s: not the newest %d records of mamori query's %d: missing %s, extra %s" %
          (tag, limit, len(full), list((must - got))[:2], list(rest - may)[:2]))


def events(port, **params):
    r = sl.get(port, q("/api/events", **params))
    return r, r.json()


# ---------------------------------------------------------------------------------------

def t_session(port):
    r = sl.get(port, "/api/session")
    j = r.json() or {}
    check(r.status == 200 and (r.header("content-type") or "").startswith("application/json"),
          "GET /api/session: %r" % r)
    check(isinstance(j.get("version"), str) and j["version"], "session: version %r" %
          j.get("version"))
    v = sl.cli(mamori, "version").stdout
    check(j.get("version", "?") in v, "session: version %r, mamori version says %r" %
          (j.get("version"), v.strip()))
    check(j.get("auth") is False and j.get("authenticated") is True,
          "session without a token: auth false, authenticated true: %r" % j)
    check(isinstance(j.get("csrf"), str) and re.fullmatch(r"[0-9a-f]{16,}", j["csrf"] or ""),
          "session: csrf is hex: %r" % j.get("csrf"))
    check(isinstance(j.get("store"), str) and
          os.path.realpath(j["store"]) == os.path.realpath(DB),
          "session: store %r, not %r" % (j.get("store"), DB))
    S["csrf"] = j.get("csrf", "")
    r2 = sl.get(port, "/api/session").json() or {}
    check(r2.get("csrf") == S["csrf"], "session: the same csrf value for the server's life")


def t_summary(port):
    for days in (None, 30, 1, 7, 366):
        want = sl.expected_summary(DB, days or 30)
        r = sl.get(port, q("/api/summary", days=days) if days else "/api/summary")
        j = r.json()
        tag = "/api/summary?days=%s" % days
        if not check(r.status == 200 and isinstance(j, dict), "%s: %r" % (tag, r)):
            continue
        check(os.path.realpath(str(j.get("store"))) == os.path.realpath(DB),
              "%s: store %r" % (tag, j.get("store")))
        for k in ("clock", "from", "to", "today"):
            check(j.get(k) == want[k], "%s: %s %r, the store says %r" % (tag, k, j.get(k),
                                                                          want[k]))
        check(j.get("days") == want["days"], "%s: days %r, the store says %r" %
              (tag, j.get("days"), want["days"]))
        tot = j.get("totals") or {}
        for k, v in want["totals"].items():
            check(tot.get(k) == v, "%s: totals.%s %r, the store says %r" % (tag, k, tot.get(k),
                                                                            v))
        top = j.get("top") or {}
        e = sl.top_ok(top.get("sources"), want["sources"], "ip")
        check(not e, "%s: top sources: %s: %r" % (tag, e, top.get("sources")))
        e = sl.top_ok(top.get("destinations"), want["destinations"], "ip")
        check(not e, "%s: top destinations: %s: %r" % (tag, e, top.get("destinations")))
        sigs = {sid: c for sid, (_, c) in want["signatures"].items()}
        e = sl.top_ok(top.get("signatures"), sigs, "sid")
        check(not e, "%s: top signatures: %s: %r" % (tag, e, top.get("signatures")))
        for s in top.get("signatures") or []:
            check(s.get("msg") == want["signatures"].get(s.get("sid"), ("?",))[0],
                  "%s: signature %r: msg %r" % (tag, s.get("sid"), s.get("msg")))
    # figures that make the comparison meaningful: this store has all of them
    want = sl.expected_summary(DB)
    check(want["totals"]["alerts"] > 0 and want["totals"]["events"] > 0 and
          want["totals"]["darknet_packets"] > 0 and want["totals"]["zone_violations"] > 0 and
          want["totals"]["incidents"] > 0 and len(want["signatures"]) == 3,
          "the test store has alerts, events, darknet, zone violations and incidents: %r" %
          want["totals"])
    S["summary"] = want


def t_events(port):
    # the default: alerts, intel and behaviour events, 100 at most
    r, j = events(port)
    check(r.status == 200 and (r.header("content-type") or "").startswith("application/json"),
          "GET /api/events: %r" % r)
    check_page("events (default)", j, query("--type", "alert,intel,event", "--limit", "0"), 100)
    for types in ("alert", "intel", "event", "dns", "http", "tls", "fileinfo", "flow",
                  "dns,http,tls,fileinfo", "alert,event", "flow,dns,http,tls,fileinfo,alert,intel,event"):
        r, j = events(port, type=types, limit=1000)
        check_page("events type=%s" % types, j,
                   query("--type", types, "--limit", "0"), 1000)
    # host: an address, a CIDR (either end), IPv6
    for host, types in (("10.10.1.23", "alert,intel,event"), ("10.10.1.0/24", "alert,intel,event"),
                        ("10.10.1.55", "flow,dns,http,tls,fileinfo,alert,intel,event"),
                        ("185.243.115.84", "flow,tls,alert"), ("45.67.230.0/24", "event,alert"),
                        ("10.50.0.0/16", "event"), ("2001:db8::/32", "flow,dns"),
                        ("198.51.100.23", "event")):
        r, j = events(port, host=host, type=types, limit=1000)
        check_page("events host=%s type=%s" % (host, types), j,
                   query("--host", host, "--type", types, "--limit", "0"), 1000)
    r, j = events(port, host="10.10.1.23")
    check(j and j.get("events") and all("10.10.1.23" in (e.get("src_ip"), e.get("dest_ip"))
                                        for e in j["events"]),
          "events host=10.10.1.23: every record has it at one end")
    # domain: the name and below
    for dom, types in (("share-drop.net", "dns,http,tls,fileinfo,flow"),
                       ("share-drop.net", "alert,intel"), ("upload.share-drop.net", "http"),
                       ("cdn-sync.net", "tls,flow"), ("example.net", "dns"),
                       ("no-such-name.example", "dns,http,tls")):
        r, j = events(port, domain=dom, type=types, limit=1000)
        check_page("events domain=%s type=%s" % (dom, types), j,
                   query("--domain", dom, "--type", types, "--limit", "0"), 1000)
    r, j = events(port, domain="share-drop.net", type="tls")
    check(j and j.get("events") and
          all(e["tls"]["sni"].endswith("share-drop.net") for e in j["events"]),
          "events domain=share-drop.net type=tls: every SNI is below it")
    # signature: a sid or text of the message; alerts only
    alerts = query("--type", "alert", "--limit", "0")
    for sig in ("9100003", "9100001", "share-drop", "MAMORI-TEST", "mamori-test", "9999999",
                "no such message"):
        if sig.isdigit():
            want = [a for a in alerts if a["alert"]["signature_id"] == int(sig)]
        else:
            want = [a for a in alerts if sig.lower() in a["alert"]["signature"].lower()]
        r, j = events(port, signature=sig, limit=1000)
        check_page("events signature=%s" % sig, j, want, 1000)
        check_page("events signature=%s against mamori query" % sig, j,
                   query("--signature", sig, "--type", "alert,intel,event", "--limit", "0"), 1000)
    check(len([a for a in alerts if a["alert"]["signature_id"] == 9100003]) > 5,
          "the test store has alerts of sid 9100003")
    r, j = events(port, signature="9100003", host="10.10.1.23", limit=5)
    check_page("events signature=9100003 host=10.10.1.23 limit=5", j,
               [a for a in alerts if a["alert"]["signature_id"] == 9100003 and
                "10.10.1.23" in (a["src_ip"], a["dest_ip"])], 5)
    # q: text in the main fields
    main = {
        "alert": lambda e: [e["alert"]["signature"]],
        "dns": lambda e: [x.get("rrname", "") for x in e["dns"].get("queries", [])] +
        [e["dns"].get("rrname", "")],
        "http": lambda e: [e["http"].get("hostname", ""), e["http"].get("url", "")],
        "tls": lambda e: [e["tls"].get("sni", "")],
        "fileinfo": lambda e: [e["fileinfo"].get("filename", ""),
                               e.get("http", {}).get("hostname", "")],
        "intel": lambda e: [e["intel"].get(k) or "" for k in ("indicator", "value", "actor",
                                                             "campaign")],
    }
    every = {t: query("--type", t, "--limit", "0") for t in
             ("alert", "dns", "http", "tls", "fileinfo", "intel", "event")}
    for text, types in (("share-drop", "alert,dns,http,tls,fileinfo,intel,event"),
                        ("SHARE-DROP", "alert,http,tls"), ("cdn-sync", "event,tls"),
                        ("/upload", "http"), ("beacon", "event"), ("exfil-dns", "dns,event"),
                        ("zzz-nothing-zzz", "alert,dns,event")):
        want = []
        for t in types.split(","):
            for e in every[t]:
                if t == "event":
                    hit = text.lower() in json.dumps(e).lower()
                else:
                    hit = any(text.lower() in f.lower() for f in main[t](e))
                if hit:
                    want.append(e)
        r, j = events(port, q=text, type=types, limit=1000)
        check_page("events q=%s type=%s" % (text, types), j, want, 1000)
        check_page("events q=%s type=%s against mamori query" % (text, types), j,
                   query("--text", text, "--type", types, "--limit", "0"), 1000)
    # limit and more
    all3 = query("--type", "alert,intel,event", "--limit", "0")
    for limit in (1, 5, len(all3) - 1, len(all3), len(all3) + 1, 1000):
        r, j = events(port, limit=limit)
        check_page("events limit=%d" % limit, j, all3, limit)
    # paging with until = the last event's timestamp: every record comes (a record
    # sharing the boundary time may come twice)
    for limit in (4, 5, 7):
        seen, until, pages = set(), None, 0
        while pages < 100:
            pages += 1
            p = {"limit": limit}
            if until:
                p["until"] = until
            r, j = events(port, **p)
            if r.status != 200 or not j.get("events"):
                break
            before = len(seen)
            seen.update(canon(e) for e in j["events"])
            until = j["events"][-1]["timestamp"]
            if not j.get("more") or len(seen) == before:
                break
        missing = [x for x in map(canon, all3) if x not in seen]
        check(not missing, "paging limit=%d with until=<last timestamp>: %d of %d records "
              "never listed, e.g. %s" % (limit, len(missing), len(all3),
                                         missing[:1] and missing[0][:200]))
    # the forms of time: RFC 3339 (Z, offsets, EVE's +0000), a date, ages, now
    stamps = {e["timestamp"] for e in query("--type", "flow,dns,http,tls,fileinfo,alert,intel,"
                                                     "event", "--limit", "0")}
    for name, value in (("since", "2024-01-15"), ("since", "2024-01-16"),
                        ("until", "2024-01-15"), ("until", "2024-01-16"),
                        ("since", "2024-01-15T10:00:00Z"), ("since", "2024-01-15T19:00:00+09:00"),
                        ("until", "2024-01-15T10:00:00.000000+0000"),
                        ("until", "2024-01-15T10:30:00Z"), ("since", "1h"), ("since", "90m"),
                        ("until", "30m"), ("since", "7d"), ("since", "2w"), ("since", "now"),
                        ("since", "2024-01-15T10:35:42.308000+0000")):
        if name == "until" and value in stamps:
            continue  # compared with `mamori query` only where no record has that time
        for types in ("alert,intel,event", "flow,dns"):
            r, j = events(port, type=types, limit=1000, **{name: value})
            check_page("events %s=%s type=%s" % (name, value, types), j,
                       query("--type", types, "--" + name, value, "--limit", "0"), 1000)
    r, j = events(port, since="2024-01-15T10:00:00Z", until="2024-01-15T10:45:00Z",
                  type="alert,intel,event,http", limit=1000)
    check_page("events since & until", j, query("--type", "alert,intel,event,http", "--since",
                                                "2024-01-15T10:00:00Z", "--until",
                                                "2024-01-15T10:45:00Z", "--limit", "0"), 1000)


def t_events_bad(port):
    bad = [("since", "yesterday"), ("since", "2024-13-45"), ("until", "2024-01-15T25:00:00Z"),
           ("since", "7x"), ("since", "-5d"), ("until", "2024-02-30"), ("host", "10.0.0.0/33"),
           ("host", "300.1.1.1"), ("host", "10.1.2"), ("host", "not-an-address"),
           ("host", "2001:db8::/129"), ("host", "10.0.0.1/"), ("type", "bogus"),
           ("type", "alert,bogus"), ("type", "stats"), ("type", "daily"), ("limit", "0"),
           ("limit", "-1"), ("limit", "1001"), ("limit", "99999999999999999999"),
           ("limit", "abc"), ("limit", "10abc"), ("limit", "1e3"), ("limit", "5.5")]
    for k, v in bad:
        r = sl.get(port, q("/api/events", **{k: v}))
        check(is_error(r, 400), "GET /api/events?%s=%r: 400 with a JSON error, got %r" %
              (k, v, r))
    for path in ("/api/summary?days=abc", "/api/summary?days=0", "/api/summary?days=-1",
                 "/api/summary?days=367", "/api/summary?days=99999999999999999999",
                 "/api/summary?days=1x", "/api/darknet?days=abc", "/api/darknet?days=0",
                 "/api/darknet?days=367", "/api/zones?since=yesterday",
                 "/api/zones?until=2024-02-30", "/api/incidents/1/report?format=pdf",
                 "/api/incidents/1/stix?tlp=purple", "/api/incidents/999/stix?tlp=purple"):
        r = sl.get(port, path)
        check(is_error(r, 400) or (path.startswith("/api/incidents/999") and is_error(r, 404)),
              "GET %s: 400 with a JSON error, got %r" % (path, r))
    # empty values: the default or a 400, never a 5xx
    for path in ("/api/events?until=", "/api/events?type=", "/api/events?host=",
                 "/api/events?limit=", "/api/summary?days=", "/api/incidents/1/stix?tlp=",
                 "/api/events?host=&domain=&signature=&q=&since=&until="):
        r = sl.get(port, path)
        check(r.status == 200 or is_error(r, 400), "GET %s: 200 or 400, got %r" % (path, r))
    for path in ("/api/summary?days=1", "/api/summary?days=366", "/api/events?limit=1000",
                 "/api/events?limit=1", "/api/darknet?days=366"):
        r = sl.get(port, path)
        check(r.status == 200, "GET %s: 200 at the limit, got %r" % (path, r))
    # 256 bytes per text parameter, 32 arguments
    r = sl.get(port, q("/api/events", q="x" * 256))
    check(r.status == 200, "GET /api/events?q=<256 bytes>: 200, got %r" % r)
    for k in ("q", "host", "domain", "signature", "since"):
        r = sl.get(port, q("/api/events", **{k: "x" * 257}))
        check(is_error(r, 400), "GET /api/events?%s=<257 bytes>: 400, got %r" % (k, r))
    r = sl.get(port, "/api/events?" + "&".join("x%d=1" % i for i in range(33)))
    check(is_error(r, 400), "GET /api/events with 33 arguments: 400, got %r" % r)


def t_incidents(port):
    cli_list = [json.loads(l) for l in sl.cli(mamori, "incidents", "--store", DB, "--json",
                                              *sl.settings()).stdout.splitlines() if l.strip()]
    check(len(cli_list) >= 5, "the test store has incidents (%d)" % len(cli_list))
    r = sl.get(port, "/api/incidents")
    j = r.json() or {}
    check(r.status == 200 and j.get("incidents") == cli_list,
          "/api/incidents equals mamori incidents --json: %r" % (str(j)[:600],))
    all_list = [json.loads(l) for l in sl.cli(mamori, "incidents", "--store", DB, "--json",
                                              "--all", *sl.settings()).stdout.splitlines()
                if l.strip()]
    r = sl.get(port, "/api/incidents?all=1")
    check(r.status == 200 and (r.json() or {}).get("incidents") == all_list,
          "/api/incidents?all=1 equals mamori incidents --all --json")
    S["incidents"] = cli_list
    for inc in cli_list:
        n = inc["id"]
        p = sl.cli(mamori, "report", str(n), "--store", DB, "--json", *sl.settings())
        doc = json.loads(p.stdout)
        r = sl.get(port, "/api/incidents/%d" % n)
        got = r.json()
        if got != doc and isinstance(got, dict):
            diff = [k for k in set(doc) | set(got) if doc.get(k) != got.get(k)]
            check(False, "/api/incidents/%d equals mamori report %d --json: fields %s differ"
                  % (n, n, diff))
        else:
            check(r.status == 200 and got == doc,
                  "/api/incidents/%d equals mamori report %d --json: %r" % (n, n, r))
        md = sl.cli(mamori, "report", str(n), "--store", DB, *sl.settings()).stdout
        r = sl.get(port, "/api/incidents/%d/report?format=markdown" % n)
        check(r.status == 200 and (r.header("content-type") or "").startswith("text/markdown"),
              "report %d markdown: 200 text/markdown: %r %r" % (n, r, r.header("content-type")))
        check(r.text() == md, "report %d markdown equals mamori report %d" % (n, n))
        html = sl.cli(mamori, "report", str(n), "--store", DB, "--html", *sl.settings()).stdout
        r = sl.get(port, "/api/incidents/%d/report?format=html" % n)
        check(r.status == 200 and (r.header("content-type") or "").startswith("text/html"),
              "report %d html: 200 text/html: %r %r" % (n, r, r.header("content-type")))
        check(r.text() == html, "report %d html equals mamori report %d --html" % (n, n))
    n = max(cli_list, key=lambda i: i["score"])["id"]
    # STIX
    for tlp in (None, "clear", "green", "amber", "amber+strict", "red"):
        path = "/api/incidents/%d/stix" % n + ("?" + urllib.parse.urlencode({"tlp": tlp})
                                                if tlp else "")
        r = sl.get(port, path)
        cd = r.header("content-disposition") or ""
        check(r.status == 200 and cd == 'attachment; filename="mamori-incident-%d.stix.json"'
              % n, "GET %s: 200 as an attachment: %r %r" % (path, r, cd))
        args = ["share", str(n), "--store", DB, *sl.settings()] + (["--tlp", tlp] if tlp else [])
        want = json.loads(sl.cli(mamori, *args).stdout)
        check(r.json() == want, "GET %s equals mamori share %d%s" %
              (path, n, " --tlp " + tlp if tlp else ""))
        if tlp is None:
            bundle = os.path.join(TMP, "bundle.json")
            with open(bundle, "wb") as f:
                f.write(r.body)
            schemas = os.path.join(shared, "intel", "stix21", "oasis-cti-stix2-json-schemas",
                                   "schemas")
            v = subprocess.run([sys.executable, os.path.join(sl.ROOT, "scripts", "stix-validate"),
                                bundle] + ([schemas] if os.path.isdir(schemas) else []),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if v.returncode == 2:
                print("SKIP: stix-validate cannot run:", v.stdout.strip()[-300:])
            else:
                check(v.returncode == 0, "the STIX bundle of incident %d is valid: %s" %
                      (n, v.stdout[-1500:]))
    # not there
    for path in ("/api/incidents/999", "/api/incidents/abc", "/api/incidents/999/report",
                 "/api/incidents/abc/stix", "/api/incidents/999/stix"):
        r = sl.get(port, path)
        check(is_error(r, 404), "GET %s: 404 with a JSON error, got %r" % (path, r))
    for path in ("/api/incidents/0", "/api/incidents/-1", "/api/incidents/1abc",
                 "/api/incidents/99999999999999999999", "/api/incidents/1.0",
                 "/api/incidents/%2031", "/api/incidents/0x1"):
        r = sl.get(port, path)
        check(r.status in (400, 404) and is_error(r, r.status),
              "GET %s: 404 or 400 with a JSON error, got %r" % (path, r))


def t_darknet(port):
    dn = sl.expected_darknet(DB)
    wd, src, ports = dn["days"], dn["sources"], dn["ports"]
    want = sl.expected_summary(DB)
    r = sl.get(port, "/api/darknet")
    j = r.json() or {}
    check(r.status == 200 and j.get("from") == want["from"] and j.get("to") == want["to"],
          "/api/darknet: from/to as /api/summary: %r" % (str(j)[:300],))
    check(j.get("days") == wd, "/api/darknet days %r, the store says %r" % (j.get("days"), wd))
    check(j.get("totals") == dn["totals"], "/api/darknet totals %r, the store says %r" %
          (j.get("totals"), dn["totals"]))
    e = sl.top_ok(j.get("top_sources"), {k: v["packets"] for k, v in src.items()}, "ip", 20,
                  "packets")
    check(not e, "/api/darknet top_sources: %s" % e)
    for t in j.get("top_sources") or []:
        s = src.get(t.get("ip"), {"ports": (), "class": set()})
        check(t.get("ports") == len(s["ports"]) and t.get("class") in s["class"],
              "/api/darknet source %s: ports %r class %r; the store: %d, %s" %
              (t.get("ip"), t.get("ports"), t.get("class"), len(s["ports"]), s["class"]))
    tp = j.get("top_ports") or []
    keyed = [dict(t, key="%s/%s" % (str(t.get("proto", "")).lower(), t.get("port"))) for t in tp]
    e = sl.top_ok(keyed, {"%s/%d" % k: v["packets"] for k, v in ports.items()}, "key", 20,
                  "packets")
    check(not e, "/api/darknet top_ports: %s: %r" % (e, tp[:5]))
    for t in keyed:
        p = ports.get((t["key"].split("/")[0], t.get("port")))
        check(p is not None and t.get("sources") == len(p["sources"]),
              "/api/darknet port %s: sources %r" % (t["key"], t.get("sources")))
    # the analytic's own record of the day agrees
    dk = [e for e in query("--type", "event", "--limit", "0") if e["event_type"] == "darknet"]
    if dk:
        d = dk[-1]["darknet"]
        check(wd and wd[-1]["packets"] == d["packets"] and wd[-1]["entries"] == d["entries"] and
              wd[-1]["sources"] == d["sources"], "darknet rows agree with the darknet record")
    r = sl.get(port, "/api/darknet?days=1")
    check(r.status == 200 and (r.json() or {}).get("days") == wd,
          "/api/darknet?days=1: the newest day")


def t_zones(port):
    def audit(*extra):
        p = sl.cli(mamori, "audit", "--store", DB, "-c", sl.CONFIG, "--json", *extra)
        j = json.loads(p.stdout)
        j.pop("store", None)
        return j

    for params, extra in (({}, []), ({"since": "2024-01-15", "until": "2024-01-16"},
                                     ["--since", "2024-01-15", "--until", "2024-01-16"]),
                          ({"since": "2024-01-15T10:30:00Z"},
                           ["--since", "2024-01-15T10:30:00Z"])):
        r = sl.get(port, q("/api/zones", **params))
        j = r.json()
        if isinstance(j, dict):
            j.pop("store", None)
        want = audit(*extra)
        check(r.status == 200 and j == want, "/api/zones%s equals mamori audit --json%s: %r" %
              (params, " " + " ".join(extra), str(j)[:400]))
    check(want.get("zones") and want.get("compliant") is False, "the store has zone figures")


def t_stats(port):
    c = sl.open_ro(DB)
    rows = c.execute("SELECT ts, counters FROM stats ORDER BY ts DESC, id DESC").fetchall()
    c.close()
    r1 = sl.get(port, "/api/stats")
    j = r1.json() or {}
    check(r1.status == 200 and j.get("ts") == sl.eve_time(rows[0][0]),
          "/api/stats ts %r, the newest stats row %s" % (j.get("ts"), sl.eve_time(rows[0][0])))
    counters = json.loads(rows[0][1])
    check(j.get("counters") == counters, "/api/stats counters equal the newest stats row")
    h = j.get("health") or {}
    checks = h.get("checks")
    check(h.get("status") in ("ok", "degraded") and isinstance(checks, list),
          "/api/stats health: %r" % h)
    for c_ in checks or []:
        check(c_.get("group") in ("drops", "memcap", "caps") and
              c_.get("value") == counters.get(c_.get("counter"), 0) and
              isinstance(c_.get("what"), str) and c_["what"],
              "/api/stats health check %r: its counter's value" % c_)
    for g in ("drops", "memcap", "caps"):
        check(h.get(g) == sum(c_["value"] for c_ in checks or [] if c_.get("group") == g),
              "/api/stats health.%s %r is its checks' sum" % (g, h.get(g)))
    if h.get("drops") == 0 and h.get("memcap") == 0 and h.get("caps") == 0:
        check(h.get("status") == "ok", "/api/stats: nothing lost: status ok")
    if (h.get("drops") or 0) > 0:
        check(h.get("status") == "degraded", "/api/stats: drops: degraded")
    hist = j.get("history")
    check(isinstance(hist, list) and len(hist) == min(500, len(rows)),
          "/api/stats history: %d rows, the store has %d" % (len(hist or []), len(rows)))
    by_ts = {sl.eve_time(ts): json.loads(cn) for ts, cn in rows}
    for hh in hist or []:
        cn = by_ts.get(hh.get("ts"))
        check(cn is not None and hh.get("packets") == cn.get("capture.packets", 0),
              "/api/stats history row %r" % hh)
    sv = j.get("serve") or {}
    check(all(isinstance(sv.get(k), int) for k in ("requests", "errors", "live_clients")),
          "/api/stats serve: requests, errors, live_clients: %r" % sv)
    r2 = (sl.get(port, "/api/stats").json() or {}).get("serve") or {}
    check(isinstance(r2.get("requests"), int) and r2["requests"] > sv.get("requests", 1 << 62),
          "/api/stats serve.requests counts: %r then %r" % (sv.get("requests"),
                                                            r2.get("requests")))


def t_headers(port):
    for path in ("/api/summary", "/api/nope", "/", "/api/events?limit=abc"):
        r = sl.get(port, path)
        csp = r.header("content-security-policy") or ""
        check("default-src 'self'" in csp and "frame-ancestors 'none'" in csp,
              "GET %s: Content-Security-Policy %r" % (path, csp))
        check((r.header("x-content-type-options") or "").lower() == "nosniff",
              "GET %s: X-Content-Type-Options nosniff" % path)
        check((r.header("referrer-policy") or "").lower() == "no-referrer",
              "GET %s: Referrer-Policy no-referrer" % path)
        if path.startswith("/api/"):
            check("no-store" in (r.header("cache-control") or ""),
                  "GET %s: Cache-Control no-store" % path)
    r = sl.get(port, "/")
    check(r.status == 200 and (r.header("content-type") or "").startswith("text/html"),
          "GET /: the dashboard page, text/html: %r" % r)
    S["index"] = r.body


def t_host(port):
    for h in (b"evil.example", b"evil.example:%d" % port, b"127.0.0.1.evil.example",
              b"localhost.evil.example", b"10.0.0.1"):
        for path in (b"/api/summary", b"/api/session", b"/"):
            st, hdrs, body = sl.raw(port, b"GET " + path + b" HTTP/1.1\r\nHost: " + h +
                                    b"\r\nConnection: close\r\n\r\n")
            check(st == 403, "GET %s with Host: %s: 403, got %r" % (path.decode(), h.decode(), st))
    for h in (b"127.0.0.1", b"127.0.0.1:%d" % port, b"localhost:%d" % port, b"LOCALHOST"):
        st, hdrs, body = sl.raw(port, b"GET /api/summary HTTP/1.1\r\nHost: " + h +
                                b"\r\nConnection: close\r\n\r\n")
        check(st == 200, "GET /api/summary with Host: %s: 200, got %r" % (h.decode(), st))


def t_routes(port):
    for path in ("/api/nope", "/api", "/api/", "/api/incidents/1/nope", "/api/summary/x",
                 "/api/sessionx", "/nope.html", "/api/events/1"):
        r = sl.get(port, path)
        check(r.status == 404, "GET %s: 404, got %r" % (path, r))
        if path.startswith("/api/"):
            check(is_error(r, 404), "GET %s: a JSON error" % path)
    for method, path in (("DELETE", "/api/summary"), ("PUT", "/api/incidents/1"),
                         ("PATCH", "/api/events"), ("DELETE", "/api/incidents/1"),
                         ("PUT", "/api/session"), ("GET", "/api/intel"),
                         ("GET", "/api/login"), ("DELETE", "/api/intel"),
                         ("POST", "/api/summary"), ("POST", "/api/incidents/1/stix")):
        h = {"X-Mamori-CSRF": S["csrf"]} if method == "POST" else {}
        r = sl.request(port, method, path, headers=h, body=b"" if method != "GET" else None)
        check(is_error(r, 405), "%s %s: 405 with a JSON error, got %r" % (method, path, r))


INJECT = ["' OR '1'='1", "1' OR 1=1 --", "1; DROP TABLE flow; --",
          "\"); DELETE FROM event; --", "%' UNION SELECT key, value FROM meta --",
          "1 UNION ALL SELECT NULL,NULL,NULL,NULL--", "*/ OR 1=1 /*",
          "\\'; UPDATE incident SET status='closed'; --", "%", "_", "' || (SELECT 1) || '"]


def t_injection(port):
    pwn = os.path.join(TMP, "pwned.db")
    inject = INJECT + ["'; ATTACH DATABASE '%s' AS p; CREATE TABLE p.t(x); --" % pwn]
    before = sl.counts(DB)
    for s in inject:
        for k in ("type", "host", "domain", "signature", "q", "since", "until", "limit"):
            r = sl.get(port, q("/api/events", **{k: s}))
            ok = r.status in (200, 400) and (r.status == 200 or is_error(r, 400))
            check(ok, "GET /api/events?%s=%r: 200 or 400, got %r" % (k, s, r))
            if r.status == 200 and k in ("signature", "q") and s not in ("%", "_"):
                check((r.json() or {}).get("count") == 0,
                      "GET /api/events?%s=%r: no record has that text" % (k, s))
            if r.status == 200 and k == "q" and s in ("%", "_"):
                evs = (r.json() or {}).get("events", [])
                want = query("--text", s, "--type", "alert,intel,event", "--limit", "100")
                check(sorted(map(canon, evs)) == sorted(map(canon, want)),
                      "GET /api/events?q=%s: the records with that character, not a wildcard" % s)
        for path, k in (("/api/summary", "days"), ("/api/darknet", "days"), ("/api/zones", "since"),
                        ("/api/zones", "until"), ("/api/incidents", "all"),
                        ("/api/incidents/1/report", "format"), ("/api/incidents/1/stix", "tlp")):
            r = sl.get(port, q(path, **{k: s}))
            check(r.status in (200, 400) and (r.status == 200 or is_error(r, 400)),
                  "GET %s?%s=%r: 200 or 400, got %r" % (path, k, s, r))
        r = sl.get(port, "/api/incidents/" + urllib.parse.quote(s, safe=""))
        check(r.status in (400, 404), "GET /api/incidents/%r: 404 or 400, got %r" % (s, r))
        r = sl.get(port, "/api/incidents/" + urllib.parse.quote(s, safe="") + "/report")
        check(r.status in (400, 404), "GET /api/incidents/%r/report: 404 or 400, got %r" % (s, r))
        for k in ("name", "format"):
            if k == "name" and re.fullmatch(r"[A-Za-z0-9._-]+", s) and s not in (".", ".."):
                continue  # a good name: it would be uploaded
            r = sl.request(port, "POST", q("/api/intel", **{k: s}),
                           headers={"X-Mamori-CSRF": S["csrf"], "Content-Type": "text/plain"},
                           body=b"192.0.2.250\n")
            check(is_error(r, 400), "POST /api/intel?%s=%r: 400 with a JSON error, got %r" %
                  (k, s, r))
        r = sl.request(port, "POST", "/api/login", headers={"Content-Type": "application/json"},
                       body=json.dumps({"token": s}).encode())
        check(r.status < 500, "POST /api/login with %r and no token configured: not a 5xx, "
              "got %r" % (s, r))
    # names that are only allowed characters and still no file name
    for name in ("..", ".", "../x", "a/b", "a\\b", "x\x00y", "/etc/passwd", "%2e%2e"):
        r = sl.request(port, "POST", q("/api/intel", name=name),
                       headers={"X-Mamori-CSRF": S["csrf"], "Content-Type": "text/plain"},
                       body=b"192.0.2.250\n")
        check(is_error(r, 400), "POST /api/intel?name=%r: 400, got %r" % (name, r))
    check(not os.path.exists(pwn), "no database attached by a parameter")
    after = sl.counts(DB)
    check(before == after, "the store is unchanged by the injections: %r" %
          {k: (before.get(k), after.get(k)) for k in set(before) | set(after)
           if before.get(k) != after.get(k)})
    c = sl.open_ro(DB)
    ic = c.execute("PRAGMA quick_check").fetchone()[0]
    c.close()
    check(ic == "ok", "store quick_check: %s" % ic)
    check(not os.path.exists(os.path.join(STORE_DIR, "intel", "etc")) and
          not os.path.exists(os.path.join(TMP, "x")), "no file written by a refused upload name")


def t_limits(port):
    # a 10 KiB URL
    r = sl.raw(port, b"GET /api/events?q=" + b"a" * 10240 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Connection: close\r\n\r\n")
    check(r[0] is not None and 400 <= r[0] < 500, "a 10 KiB URL: 414 or 4xx, got %r" % (r[:1],))
    # a path over 4 KiB
    r = sl.raw(port, b"GET /" + b"p" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Connection: close\r\n\r\n")
    check(r[0] == 414, "a path of 5000 bytes: 414, got %r" % (r[:1],))
    check(sl.alive_and_answering(port), "answers after a 10 KiB URL")
    # 64 KiB of headers, in one header and in many
    big = b"GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 65536 + b"\r\n\r\n"
    r = sl.raw(port, big)
    check(r[0] is not None and 400 <= r[0] < 500, "64 KiB in one header: 431 or 4xx, got %r" %
          (r[:1],))
    many = b"GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(
        b"X-H%d: %s\r\n" % (i, b"v" * 60) for i in range(1024)) + b"\r\n"
    r = sl.raw(port, many)
    check(r[0] is not None and 400 <= r[0] < 500, "1024 headers (64 KiB): 431 or 4xx, got %r" %
          (r[:1],))
    check(sl.alive_and_answering(port), "answers after 64 KiB of headers")
    # a body over serve.max-body (1mb here): declared, then sent
    csrf = S["csrf"].encode()
    head = (b"POST /api/intel?name=big.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Mamori-CSRF: " + csrf +
            b"\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n")
    size = 1536 * 1024
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(head % size)
    st, _, _, _ = sl.read_response(s, 10)
    if st is None:  # not answered on the length alone: send the body
        s.close()
        st = sl.raw(port, head % size + b"1" * size, send_slowly=True)[0]
    else:
        s.close()
    check(st == 413, "a body of 1.5 MiB over serve.max-body=1mb: 413, got %r" % st)
    # chunked, no length
    body = b"192.0.2.1\n" * 1000
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body), body) for _ in range(160)) + b"0\r\n\r\n"
    st = sl.raw(port, b"POST /api/intel?name=big2.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"X-Mamori-CSRF: " + csrf + b"\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks,
                send_slowly=True)[0]
    check(st == 413, "a chunked body of 1.6 MB over serve.max-body=1mb: 413, got %r" % st)
    check(not os.path.exists(os.path.join(STORE_DIR, "intel", "big.txt")) and
          not os.path.exists(os.path.join(STORE_DIR, "intel", "big2.txt")),
          "a body over the limit is not kept")
    check(sl.alive_and_answering(port), "answers after a body over the limit")


def t_garbage(port):
    cases = [b"GARBAGE\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,
             b"GET\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n", b"GET /api/summary HTTP/1.1\r\n"
             b"Host: 127.0.0.1\r\nContent-Length: -5\r\n\r\n",
             b"GET /api/summary HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n",
             b"POST /api/intel HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
             b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
             b"GET /api/summary HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header Line\r\n\r\n",
             b"\r\n\r\n\r\n", b"\x00\x00\x00\x00\r\n\r\n", b"GET /api/summary HTTP/9.9\r\n\r\n",
             b"GET /api/summary FOO/1.1\r\nHost: 127.0.0.1\r\n\r\n",
             b"GET http://evil.example/api/summary HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
             b"GET /api/summary HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
             b"ffffffffffffffffffff\r\n"]
    for data in cases:
        st = sl.raw(port, data, timeout=5)[0]
        check(st is None or (400 <= st < 500) or st in (200, 404, 505),
              "garbage %r: an error or nothing, never a 5xx: %r" % (data[:40], st))
        check(st is None or st < 500 or st == 505, "garbage %r: not %r" % (data[:40], st))
    check(sl.alive_and_answering(port), "answers after garbage requests")
    # requests cut in the middle
    for data in (b"GET /api/summary HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"GET /api/summ",
                 b"POST /api/intel?name=cut.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Mamori-CSRF: " +
                 S["csrf"].encode() + b"\r\nContent-Length: 1000\r\n\r\n192.0.2.1\n"):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(data)
        s.close()
    check(sl.alive_and_answering(port), "answers after requests cut in the middle")
    check(not os.path.exists(os.path.join(STORE_DIR, "intel", "cut.txt")),
          "a cut upload is not kept")
    # not UTF-8, NUL
    for path in (b"/api/events?q=%ff%fe%fd", b"/api/events?q=\xff\xfe", b"/\xff\xfe",
                 b"/api/incidents/%ff", b"/api/events?host=%ff", b"/api/events?q=%00",
                 b"/api/events?host=10.10.1.23%00", b"/api/events?type=alert%00event",
                 b"/api/session%00", b"/index.html%00.png", b"/%00", b"/api/summary?days=3%000",
                 b"/api/events?domain=%c0%ae%c0%ae", b"/api/events?q=%e2%80%ae%ed%a0%80"):
        st, hdrs, body = sl.raw(port, b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                b"Connection: close\r\n\r\n")
        check(st in (200, 400, 404), "GET %r: 200, 400 or 404, got %r" % (path, st))
        if st == 200 and b"q=%00" in path:
            check((json.loads(body or b"{}")).get("count", 0) == 0,
                  "GET %r: no record has a NUL" % path)
    check(sl.alive_and_answering(port), "answers after bytes that are not UTF-8")


def t_slowloris(port):
    stop = threading.Event()
    socks = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /api/summary HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        socks.append(s)

    def drip():
        i = 0
        while not stop.is_set():
            for s in socks:
                try:
                    s.sendall(b"X-%d: y\r\n" % i)
                except OSError:
                    pass
            i += 1
            stop.wait(0.5)

    t = threading.Thread(target=drip, daemon=True)
    t.start()
    ok, slow = 0, 0.0
    try:
        time.sleep(0.5)
        for i in range(30):
            t0 = time.monotonic()
            try:
                r = sl.get(port, ["/api/summary", "/api/incidents", "/api/session"][i % 3],
                           timeout=20)
                ok += r.status == 200
            except OSError:
                pass
            slow = max(slow, time.monotonic() - t0)
    finally:
        stop.set()
        t.join()
        for s in socks:
            s.close()
    check(ok == 30, "with 20 clients dripping headers, 30 other requests answered: %d (slowest "
          "%.1f s)" % (ok, slow))


WEB = os.path.join(sl.ROOT, "web")
ASSETS = [("/", "index.html", "text/html"), ("/index.html", "index.html", "text/html"),
          ("/app.js", "app.js", "text/javascript"), ("/lib.js", "lib.js", "text/javascript"),
          ("/app.css", "app.css", "text/css"), ("/favicon.svg", "favicon.svg", "image/svg+xml"),
          ("/vendor/chart.umd.min.js", "node_modules/chart.js/dist/chart.umd.min.js",
           "text/javascript")]


def t_assets(port):
    """The embedded dashboard: the files of web/ byte for byte, with their types."""
    for path, file, ctype in ASSETS:
        with open(os.path.join(WEB, file), "rb") as f:
            want = f.read()
        r = sl.get(port, path)
        check(r.status == 200 and r.body == want, "GET %s: 200 with web/%s: %r" % (path, file, r))
        check((r.header("content-type") or "").startswith(ctype),
              "GET %s: Content-Type %s: %r" % (path, ctype, r.header("content-type")))
        check("default-src 'self'" in (r.header("content-security-policy") or "") and
              r.header("x-content-type-options") == "nosniff", "GET %s: security headers" % path)
        tag = r.header("etag")
        if tag:
            r2 = sl.get(port, path, headers={"If-None-Match": tag})
            check(r2.status == 304 and not r2.body, "GET %s with If-None-Match: 304: %r" % (path, r2))


def t_traversal_embedded(port):
    idx = S.get("index") or b""
    files = set()
    for _, file, _ in ASSETS:
        with open(os.path.join(WEB, file), "rb") as f:
            files.add(f.read())
    for path in (b"/../../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd", b"/vendor/../../CMakeLists.txt",
                 b"//etc/passwd", b"/..\\..\\etc\\passwd", b"/%5c..%5c..%5cetc%5cpasswd",
                 b"/..%2f..%2fetc%2fpasswd", b"/.%2e/.%2e/etc/passwd", b"/%252e%252e/etc/passwd",
                 b"/etc/passwd", b"/CMakeLists.txt", b"/src/main.c", b"/../CMakeLists.txt",
                 b"/./index.html/../../CMakeLists.txt", b"/.git/config",
                 b"/index.html/", b"/%2e%2e%2f%2e%2e%2fetc%2fpasswd", b"/....//....//etc/passwd",
                 b"/vendor/%2e%2e/%2e%2e/CMakeLists.txt", b"/" + b"../" * 20 + b"etc/passwd",
                 b"/index.html%00.png", b"/index.html%00/../../CMakeLists.txt",
                 b"/vendor/../app.js", b"/vendor/%2e%2e/app.js", b"/vendor//chart.umd.min.js",
                 b"/./app.js", b"/app.js/", b"/APP.JS", b"/vendor/", b"/vendor",
                 b"/vendor/chart.umd.min.js/..", b"/%61pp.js/../app.js", b"/app.js\\"):
        st, hdrs, body = sl.raw(port, b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                b"Connection: close\r\n\r\n")
        check(st in (400, 404), "GET %r (embedded files): 404 or 400, got %r" % (path, st))
        check(b"root:" not in body and b"cmake_minimum_required" not in body and
              b"#include" not in body and b"[core]" not in body and (not idx or body != idx) and
              body not in files,
              "GET %r: no file content" % path)


def t_csrf(port):
    feed = b"192.0.2.251\n"
    hdr = {"Content-Type": "text/plain"}
    before = sl.counts(DB)
    for h, what in (({}, "no X-Mamori-CSRF"), ({"X-Mamori-CSRF": "0" * 32}, "a wrong value"),
                    ({"X-Mamori-CSRF": ""}, "an empty value"),
                    ({"X-Mamori-CSRF": S["csrf"][:-1]}, "a value one character short"),
                    ({"X-Mamori-CSRF": S["csrf"], "Origin": "http://evil.example"},
                     "Origin: http://evil.example"),
                    ({"X-Mamori-CSRF": S["csrf"], "Origin": "null"}, "Origin: null"),
                    ({"X-Mamori-CSRF": S["csrf"], "Origin": "http://127.0.0.1:%d.evil.example"
                      % port}, "an Origin that starts like this server's"),
                    ({"X-Mamori-CSRF": S["csrf"], "Origin": "http://127.0.0.1:%d" % (port + 1)},
                     "the Origin of another port")):
        r = sl.request(port, "POST", "/api/intel?name=csrf.txt", headers=dict(hdr, **h), body=feed)
        check(is_error(r, 403), "POST /api/intel with %s: 403 with a JSON error, got %r" %
              (what, r))
    check(sl.counts(DB) == before and
          not os.path.exists(os.path.join(STORE_DIR, "intel", "csrf.txt")),
          "refused uploads change nothing")


def t_csrf_ok(port):
    hdr = {"Content-Type": "text/plain", "X-Mamori-CSRF": S["csrf"]}
    r = sl.request(port, "POST", "/api/intel?name=csrf-ok.txt", headers=hdr,
                   body=b"192.0.2.252\n")
    check(r.status == 200 and (r.json() or {}).get("file") == "csrf-ok.txt",
          "POST /api/intel with the right X-Mamori-CSRF: 200: %r" % r)
    r = sl.request(port, "POST", "/api/intel?name=csrf-ok2.txt&format=list",
                   headers=dict(hdr, Origin="http://127.0.0.1:%d" % port), body=b"192.0.2.253\n")
    check(r.status == 200 and (r.json() or {}).get("format") == "list",
          "POST /api/intel with the right header and this server's Origin: 200: %r" % r)
    path = os.path.join(STORE_DIR, "intel", "csrf-ok.txt")
    check(os.path.exists(path) and open(path, "rb").read() == b"192.0.2.252\n",
          "the upload is kept in the intel folder as its name")
    # uploads at once: each imported or refused as busy (409), never anything else
    res = []

    def up(i):
        try:
            r = sl.request(port, "POST", "/api/intel?name=par-%d.txt&format=list" % i, headers=hdr,
                           body=("".join("192.0.2.%d\n" % k for k in range(1, 200)) +
                                 "45.67.230.12\n").encode(), timeout=120)
            res.append(r.status)
        except OSError as e:
            res.append(type(e).__name__)

    ts = [threading.Thread(target=up, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    check(all(x in (200, 409) for x in res) and 200 in res,
          "4 uploads at once: 200 or 409 each, one at least imported: %r" % res)
    check(sl.alive_and_answering(port), "answers after uploads at once")


class SSE:
    """A live-feed client on a raw socket: the status, then events as they come."""

    def __init__(self, port, headers=b""):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.s.sendall(b"GET /api/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream"
                       b"\r\n" + headers + b"\r\n")
        self.r = sl.SockReader(self.s, 20)
        head = self.r.until(b"\r\n\r\n")
        self.status, self.headers = sl.parse_head(head or b"")
        self.events, self.comments = [], 0
        self.cond = threading.Condition()
        self.closed = False
        self.t = None
        if self.status == 200:
            self.chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"
            self.t = threading.Thread(target=self.run, daemon=True)
            self.t.start()

    def body_bytes(self):
        """The next piece of the body (de-chunked), b'' at the end."""
        self.r.end = time.monotonic() + 3600
        if not self.chunked:
            if self.r.buf or self.r.more():
                out, self.r.buf = self.r.buf, b""
                return out
            return b""
        line = self.r.until(b"\r\n")
        if line is None:
            return b""
        n = int(line.split(b";")[0] or b"0", 16)
        if n == 0:
            return b""
        data = self.r.take(n)
        self.r.until(b"\r\n")
        return data

    def run(self):
        text = b""
        cur = {}
        try:
            while True:
                d = self.body_bytes()
                if not d:
                    break
                text += d
                while b"\n" in text:
                    line, _, text = text.partition(b"\n")
                    line = line.rstrip(b"\r").decode("utf-8", "replace")
                    if line == "":
                        if cur:
                            with self.cond:
                                self.events.append(cur)
                                self.cond.notify_all()
                        cur = {}
                    elif line.startswith(":"):
                        self.comments += 1
                    else:
                        k, _, v = line.partition(":")
                        v = v[1:] if v.startswith(" ") else v
                        if k == "data":
                            cur["data"] = cur["data"] + "\n" + v if "data" in cur else v
                        else:
                            cur[k] = v
        except (OSError, ValueError):
            pass
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def wait(self, pred, timeout):
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for e in self.events:
                    if pred(e):
                        return e
                left = end - time.monotonic()
                if left <= 0 or self.closed:
                    return None
                self.cond.wait(left)

    def close(self):
        try:
            self.s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.s.close()


STIX = {
    "type": "bundle", "id": "bundle--6f1c3a52-3f7e-4a0b-9d51-0c0a4f6f9e11",
    "objects": [
        {"type": "identity", "spec_version": "2.1",
         "id": "identity--0b8e2b8e-9a6c-4d4e-8e5a-6e7f0c1d2e3f",
         "created": "2024-01-10T00:00:00.000Z", "modified": "2024-01-10T00:00:00.000Z",
         "name": "serve_api test feed", "identity_class": "organization"},
        {"type": "indicator", "spec_version": "2.1",
         "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
         "created_by_ref": "identity--0b8e2b8e-9a6c-4d4e-8e5a-6e7f0c1d2e3f",
         "created": "2024-01-10T00:00:00.000Z", "modified": "2024-01-10T00:00:00.000Z",
         "name": "C2 server", "indicator_types": ["malicious-activity"],
         "pattern": "[ipv4-addr:value = '185.243.115.84']", "pattern_type": "stix",
         "valid_from": "2024-01-10T00:00:00Z"},
        {"type": "indicator", "spec_version": "2.1",
         "id": "indicator--2b4f5e4e-0c8c-4f51-9b0e-5d6a7f8e9a0b",
         "created_by_ref": "identity--0b8e2b8e-9a6c-4d4e-8e5a-6e7f0c1d2e3f",
         "created": "2024-01-10T00:00:00.000Z", "modified": "2024-01-10T00:00:00.000Z",
         "name": "exfiltration server", "indicator_types": ["malicious-activity"],
         "pattern": "[ipv4-addr:value = '45.67.230.12']", "pattern_type": "stix",
         "valid_from": "2024-01-10T00:00:00Z"},
    ]}


def t_live(port):
    csrf = S["csrf"]
    a = SSE(port)
    check(a.status == 200 and a.headers.get("content-type", "").startswith("text/event-stream"),
          "GET /api/live: 200 text/event-stream: %r %r" % (a.status, a.headers))
    b = SSE(port)
    check(b.status == 200, "a second live client: 200 (%r)" % b.status)
    c = SSE(port)
    check(c.status == 503, "a third live client with serve.max-live=2: 503, got %r" % c.status)
    c.close()
    st = (sl.get(port, "/api/stats").json() or {}).get("serve", {})
    check(st.get("live_clients") == 2, "/api/stats serve.live_clients 2 with two open: %r" % st)
    b.close()
    # no replay: nothing but comments before something new reaches the store
    time.sleep(2.5)
    check(not [e for e in a.events if "data" in e],
          "the live feed starts at the newest rows: %r" % a.events[:2])
    before = sl.counts(DB)
    intel_before = before.get("intel", 0)
    # a malformed feed: refused, the store untouched
    bad = b'{"type": "bundle", "objects": [{"type": "indicator", "pattern": '
    r = sl.request(port, "POST", "/api/intel?name=bad.json&format=stix",
                   headers={"X-Mamori-CSRF": csrf, "Content-Type": "application/json"}, body=bad)
    err = (r.json() or {}).get("error", "")
    check(is_error(r, 400) and re.search(r"line|offset|column", err),
          "a malformed STIX feed: 400 naming where: %r" % r)
    r = sl.request(port, "POST", "/api/intel?name=bad2.json",
                   headers={"X-Mamori-CSRF": csrf}, body=b"\x00\xff\xfe garbage \x01\x02")
    check(is_error(r, 400), "a feed of binary garbage: 400: %r" % r)
    check(sl.counts(DB) == before, "the store is untouched by refused feeds")
    # the upload
    body = json.dumps(STIX).encode()
    t0 = time.monotonic()
    r = sl.request(port, "POST", "/api/intel?name=serve-test.json",
                   headers={"X-Mamori-CSRF": csrf, "Content-Type": "application/json"},
                   body=body, timeout=120)
    j = r.json() or {}
    check(r.status == 200 and j.get("file") == "serve-test.json" and j.get("format") == "stix" and
          j.get("loaded") == 2 and j.get("skipped") == 0 and j.get("duplicates") == 0,
          "POST /api/intel (STIX): 200 with 2 loaded: %r" % r)
    check(isinstance(j.get("sightings"), int) and j["sightings"] > 0, "sightings > 0: %r" % j)
    after = sl.counts(DB)
    c_ = sl.open_ro(DB)
    new = c_.execute("SELECT indicator, count FROM intel WHERE rowid > (SELECT coalesce(max(rowid),"
                     " 0) - ? FROM intel)", (after["intel"] - intel_before,)).fetchall()
    c_.close()
    check(j.get("sightings") == after["intel"] - intel_before,
          "sightings %r: the new intel rows %d" % (j.get("sightings"), after["intel"] - intel_before))
    check(j.get("records") == sum(n for _, n in new),
          "records %r: the new rows' records %d" % (j.get("records"), sum(n for _, n in new)))
    check(isinstance(j.get("incidents"), int), "incidents: %r" % j.get("incidents"))
    kept = os.path.join(STORE_DIR, "intel", "serve-test.json")
    check(os.path.exists(kept) and open(kept, "rb").read() == body,
          "the feed is kept in the intel folder as serve-test.json")
    e = a.wait(lambda e: e.get("event") == "intel" and
               "185.243.115.84" in e.get("data", ""), 15)
    check(e is not None, "the live feed sends the intel sighting within 15 s of the upload "
          "(%.1f s): %r" % (time.monotonic() - t0, a.events[:3]))
    if e:
        d = json.loads(e["data"])
        check(d.get("event_type") == "intel" and d.get("intel", {}).get("indicator") ==
              "185.243.115.84", "its data is the EVE intel record: %r" % d)
        rows = query("--type", "intel", "--limit", "0")
        check(canon(d) in map(canon, rows), "the live record equals mamori query's")
    inc = a.wait(lambda e: e.get("event") == "incident", 15)
    check(inc is not None, "the live feed sends the incident that changed: %r" % a.events[:5])
    if inc:
        d = json.loads(inc["data"])
        lst = [json.loads(l) for l in sl.cli(mamori, "incidents", "--store", DB, "--json",
                                             "--no-update", *sl.settings()).stdout.splitlines()]
        check(any(d == i for i in lst), "its data is an item of /api/incidents: %r" % d)
        check(inc.get("id") == "incident:%s" % d.get("id"),
              "its id is incident:N: %r" % inc.get("id"))
    r, jj = events(port, type="intel", limit=1000)
    check_page("events type=intel after the upload", jj,
               query("--type", "intel", "--limit", "0"), 1000)
    check(any(x["intel"]["indicator"] == "185.243.115.84" for x in jj.get("events", [])),
          "/api/events?type=intel lists the sighting of 185.243.115.84")
    r = sl.get(port, "/api/incidents")
    lst = [json.loads(l) for l in sl.cli(mamori, "incidents", "--store", DB, "--json",
                                         "--no-update", *sl.settings()).stdout.splitlines()]
    check((r.json() or {}).get("incidents") == lst,
          "/api/incidents after the upload equals mamori incidents --json")
    want = sl.expected_summary(DB)
    got = (sl.get(port, "/api/summary").json() or {}).get("totals", {})
    check(got.get("intel") == want["totals"]["intel"] and want["totals"]["intel"] > 0,
          "/api/summary totals.intel after the upload: %r, the store %r" %
          (got.get("intel"), want["totals"]["intel"]))
    # a list feed
    r = sl.request(port, "POST", "/api/intel?name=list.txt&format=list",
                   headers={"X-Mamori-CSRF": csrf, "Content-Type": "text/plain"},
                   body=b"# a list\n10.99.0.0/16\n")
    check(r.status == 200 and (r.json() or {}).get("loaded") == 1,
          "POST /api/intel (a list): 200, 1 loaded: %r" % r)
    S["live"] = a


def t_concurrency(port):
    paths = ["/api/summary", "/api/incidents", "/api/incidents/1", "/api/events?limit=50",
             "/api/darknet", "/api/zones", "/api/session", "/", "/api/events?type=flow&limit=200",
             "/api/incidents/1/report?format=html"]
    want = {p: sl.get(port, p).body for p in paths}
    bad, errors = [], []
    lock = threading.Lock()

    def worker(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120) if i % 2 else None
        try:
            for k in range(10):
                p = paths[(i + k) % len(paths)]
                try:
                    r = sl.request(port, "GET", p, conn=conn, timeout=120)
                    if r.status != 200 or r.body != want[p]:
                        with lock:
                            bad.append((p, r.status, r.body[:100]))
                except Exception as e:  # noqa: BLE001
                    with lock:
                        errors.append("%s: %s: %s" % (p, type(e).__name__, e))
                    if conn:
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        finally:
            if conn:
                conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(100)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.monotonic() - t0
    check(not errors, "100 threads x 10 requests: no exceptions: %d, e.g. %s" %
          (len(errors), errors[:3]))
    check(not bad, "100 threads x 10 requests: all 200 with the same bodies: %d not, e.g. %s" %
          (len(bad), bad[:3]))
    print("concurrency: 1000 requests in %.1f s" % dt)


def t_stop(server, sig, what, addr="127.0.0.1"):
    port = server.port
    rc = server.stop(sig)
    check(rc == 0, "%s: exit status 0, got %r: %s" % (what, rc, server.stderr()[-1500:]))
    rep = server.sanitizer_report()
    check(not rep, "%s: no sanitizer report: %s" % (what, rep))
    want = "serve: dashboard at http://%s:%s/" % (addr, port)
    check(want in server.stderr(), "%s: printed %r: %r" % (what, want, server.stderr()[:300]))


def run_serve(*args, timeout=30):
    """`mamori serve ARGS` expected to end by itself: its exit status, or 'running'."""
    p = subprocess.Popen([mamori, "serve", *args], env=sl.env(), stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    try:
        _, err = p.communicate(timeout=timeout)
        return p.returncode, err
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return "still running after %d s" % timeout, ""


def t_token():
    tok = "tok-" + os.urandom(16).hex()
    tf = os.path.join(TMP, "token")
    with open(tf, "w") as f:
        f.write(tok + "\n# the rest of the file is not the token\n")
    srv = sl.Server(mamori, DB, TMP, "token", ["--token-file", tf]).start()
    port = srv.port
    try:
        r = sl.get(port, "/api/session")
        j = r.json() or {}
        check(r.status == 200 and j.get("auth") is True and j.get("authenticated") is False and
              "csrf" not in j, "token: /api/session without it: auth, not authenticated, no "
              "csrf: %r" % r)
        for path in ("/api/summary", "/api/events", "/api/incidents", "/api/incidents/1",
                     "/api/incidents/1/stix", "/api/darknet", "/api/zones", "/api/stats",
                     "/api/live", "/api/nope"):
            r = sl.get(port, path)
            check(is_error(r, 401), "token: GET %s without it: 401, got %r" % (path, r))
        bearer = {"Authorization": "Bearer " + tok}
        for path in ("/api/summary", "/api/incidents", "/api/incidents/1", "/api/stats"):
            r = sl.get(port, path, headers=bearer)
            check(r.status == 200, "token: GET %s with Bearer: 200, got %r" % (path, r))
        for h, what in (({"Authorization": "Bearer " + tok[:-1]}, "a token one character short"),
                        ({"Authorization": "Bearer " + tok + "x"}, "a longer token"),
                        ({"Authorization": "Bearer wrong"}, "a wrong token"),
                        ({"Authorization": "Bearer "}, "an empty token"),
                        ({"Authorization": "Basic " + tok}, "the Basic scheme"),
                        ({"Authorization": tok}, "no scheme"),
                        ({"Cookie": "mamori_session=" + tok}, "the token as the cookie"),
                        ({"Cookie": "mamori_session=00"}, "a wrong cookie")):
            r = sl.get(port, "/api/summary", headers=h)
            check(is_error(r, 401), "token: %s: 401, got %r" % (what, r))
        r = sl.get(port, "/api/session", headers=bearer)
        j = r.json() or {}
        check(j.get("authenticated") is True and isinstance(j.get("csrf"), str),
              "token: /api/session with it: authenticated, csrf: %r" % j)
        csrf = j.get("csrf", "")
        # login
        r = sl.request(port, "POST", "/api/login", headers={"Content-Type": "application/json"},
                       body=json.dumps({"token": "wrong"}).encode())
        check(is_error(r, 401) and "set-cookie" not in r.headers,
              "token: POST /api/login with a wrong token: 401, no cookie: %r" % r)
        r = sl.request(port, "POST", "/api/login", headers={"Content-Type": "application/json"},
                       body=b"not json")
        check(r.status in (400, 401) and "set-cookie" not in r.headers,
              "token: POST /api/login with no JSON: 400 or 401: %r" % r)
        r = sl.request(port, "POST", "/api/login",
                       headers={"Content-Type": "application/json",
                                "Origin": "http://evil.example"},
                       body=json.dumps({"token": tok}).encode())
        check(r.status == 403 and "set-cookie" not in r.headers,
              "token: POST /api/login from Origin http://evil.example: 403, got %r" % r)
        r = sl.request(port, "POST", "/api/login", headers={"Content-Type": "application/json"},
                       body=json.dumps({"token": tok}).encode())
        ck = r.header("set-cookie") or ""
        check(r.status == 204, "token: POST /api/login: 204, got %r" % r)
        m = re.match(r"\s*mamori_session=([^;]*)", ck)
        attrs = [a.strip().lower() for a in ck.split(";")[1:]]
        check(m and m.group(1) and "httponly" in attrs and "samesite=strict" in attrs,
              "token: the session cookie is HttpOnly, SameSite=Strict: %r" % ck)
        check(m and tok not in ck and tok.encode().hex() not in ck,
              "token: the cookie does not hold the token: %r" % ck)
        cookie = {"Cookie": "mamori_session=" + (m.group(1) if m else "")}
        for path in ("/api/summary", "/api/incidents/1", "/api/stats"):
            r = sl.get(port, path, headers=cookie)
            check(r.status == 200, "token: GET %s with the cookie: 200, got %r" % (path, r))
        r = sl.get(port, "/api/session", headers=cookie)
        check((r.json() or {}).get("authenticated") is True and
              (r.json() or {}).get("csrf") == csrf,
              "token: /api/session with the cookie: authenticated, the same csrf")
        if m and m.group(1):
            v = m.group(1)
            bad = v[:-1] + ("0" if v[-1] != "0" else "1")
            r = sl.get(port, "/api/summary", headers={"Cookie": "mamori_session=" + bad})
            check(is_error(r, 401), "token: a cookie with one character changed: 401, got %r" % r)
            r = sl.get(port, "/api/summary",
                       headers={"Cookie": "other=1; mamori_session=%s; more=2" % v})
            check(r.status == 200, "token: the cookie among others: 200, got %r" % r)
        # the dashboard's files need no token
        r = sl.get(port, "/")
        check(r.status == 200, "token: GET / without it: 200, got %r" % r)
        # CSRF with the token
        r = sl.request(port, "POST", "/api/intel?name=tok.txt", headers=bearer,
                       body=b"192.0.2.254\n")
        check(is_error(r, 403), "token: POST /api/intel with Bearer and no CSRF header: 403: %r"
              % r)
        r = sl.request(port, "POST", "/api/intel?name=tok.txt",
                       headers={"X-Mamori-CSRF": csrf}, body=b"192.0.2.254\n")
        check(is_error(r, 401), "token: POST /api/intel with the CSRF header, no token: 401: %r"
              % r)
        r = sl.request(port, "POST", "/api/intel?name=tok.txt",
                       headers=dict(cookie, **{"X-Mamori-CSRF": csrf}), body=b"192.0.2.254\n")
        check(r.status == 200, "token: POST /api/intel with the cookie and CSRF: 200: %r" % r)
        # the live feed with the token
        s = SSE(port, b"Authorization: Bearer " + tok.encode() + b"\r\n")
        check(s.status == 200, "token: GET /api/live with Bearer: 200 (%r)" % s.status)
        s.close()
        # a reconnecting client's Last-Event-ID is not replayed
        s = SSE(port, b"Authorization: Bearer " + tok.encode() + b"\r\nLast-Event-ID: incident:1\r\n")
        time.sleep(2.5)
        check(s.status == 200 and not [e for e in s.events if "data" in e],
              "token: GET /api/live with Last-Event-ID: nothing replayed: %r" % s.events[:2])
        s.close()
    finally:
        t_stop(srv, signal.SIGINT, "token server, SIGINT")


def t_static_dir():
    base = os.path.join(TMP, "static")
    root = os.path.join(base, "site")
    os.makedirs(os.path.join(root, "sub"))
    with open(os.path.join(root, "index.html"), "w") as f:
        f.write("<!doctype html><title>t</title><p>STATIC-DIR-INDEX</p>")
    with open(os.path.join(root, "sub", "a.js"), "w") as f:
        f.write("// STATIC-DIR-JS\n")
    with open(os.path.join(base, "outside.txt"), "w") as f:
        f.write("OUTSIDE-SECRET\n")
    os.symlink(os.path.join(base, "outside.txt"), os.path.join(root, "link.txt"))
    os.symlink("/etc/passwd", os.path.join(root, "passwd"))
    os.symlink(base, os.path.join(root, "up"))
    srv = sl.Server(mamori, DB, TMP, "static", ["--set", "serve.static-dir=" + root,
                                                "--set", "serve.readers=1"]).start()
    port = srv.port
    try:
        r = sl.get(port, "/")
        check(r.status == 200 and b"STATIC-DIR-INDEX" in r.body,
              "static-dir: / is the folder's index.html: %r" % r)
        r = sl.get(port, "/sub/a.js")
        check(r.status == 200 and b"STATIC-DIR-JS" in r.body,
              "static-dir: /sub/a.js: %r" % r)
        check((r.header("x-content-type-options") or "") == "nosniff" and
              "default-src 'self'" in (r.header("content-security-policy") or ""),
              "static-dir: security headers on files")
        for path in (b"/link.txt", b"/passwd", b"/up/outside.txt",
                     b"/../outside.txt", b"/%2e%2e/outside.txt", b"/..%2foutside.txt",
                     b"/sub/../../outside.txt", b"/sub/%2e%2e/%2e%2e/outside.txt",
                     b"//etc/passwd", b"/..\\outside.txt", b"/%5c..%5coutside.txt",
                     b"/sub\\..\\..\\outside.txt", b"/index.html%00.txt", b"/sub%00/a.js",
                     b"/../../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd",
                     b"/vendor/../../CMakeLists.txt", b"/.%2e/outside.txt",
                     b"/%252e%252e/outside.txt", b"/" + b"../" * 20 + b"etc/passwd",
                     b"/sub/../index.html"):
            st, hdrs, body = sl.raw(port, b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    b"Connection: close\r\n\r\n")
            check(st in (400, 404), "static-dir: GET %r: 404 or 400, got %r" % (path, st))
            check(b"OUTSIDE-SECRET" not in body and b"root:" not in body and
                  b"cmake_minimum_required" not in body and b"STATIC-DIR-INDEX" not in body,
                  "static-dir: GET %r: no file content" % path)
        check(sl.get(port, "/api/summary").status == 200, "static-dir: the API answers")
        # serve.readers=1: requests at once wait for the one read connection
        res = []

        def one(p):
            try:
                res.append(sl.get(port, p, timeout=120).status)
            except OSError as e:
                res.append(type(e).__name__)

        ts = [threading.Thread(target=one, args=(p,)) for p in
              ["/api/summary", "/api/incidents/1", "/api/events?limit=200", "/api/darknet"] * 5]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        check(res == [200] * 20, "serve.readers=1: 20 requests at once all answered 200: %r" % res)
    finally:
        t_stop(srv, signal.SIGTERM, "static-dir server")


def t_clients_timeout():
    srv = sl.Server(mamori, DB, TMP, "limits",
                    ["--set", "serve.max-clients=4", "--set", "serve.timeout=2"]).start()
    port = srv.port
    try:
        # serve.timeout: an idle connection is closed
        s = socket.create_connection(("127.0.0.1", port), timeout=15)
        t0 = time.monotonic()
        try:
            d = s.recv(1)
        except (socket.timeout, OSError):
            d = None
        dt = time.monotonic() - t0
        s.close()
        check(d == b"" and dt < 12, "serve.timeout=2: an idle connection is closed (%.1f s, %r)"
              % (dt, d))
        # a client that never finishes its headers is closed too
        s = socket.create_connection(("127.0.0.1", port), timeout=15)
        s.sendall(b"GET /api/summary HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        t0 = time.monotonic()
        try:
            d = s.recv(4096)
        except (socket.timeout, OSError):
            d = None
        dt = time.monotonic() - t0
        s.close()
        check(d is not None and dt < 12,
              "serve.timeout=2: a request never finished is ended (%.1f s, %r)" % (dt, d))
        # serve.max-clients: 4 held, a fifth refused, then answered once they are gone
        time.sleep(0.5)
        held = []
        for _ in range(4):
            h = socket.create_connection(("127.0.0.1", port), timeout=5)
            h.sendall(b"GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            held.append(h)
        for h in held:
            sl.read_response(h, 10)
        try:
            r = sl.get(port, "/api/session", timeout=5)
            st = r.status
        except (OSError, http.client.HTTPException) as e:
            st = type(e).__name__
        check(st != 200, "serve.max-clients=4: a fifth connection is refused (got %r)" % (st,))
        for h in held:
            h.close()
        ok = False
        for _ in range(40):
            time.sleep(0.25)
            try:
                ok = sl.get(port, "/api/session", timeout=5).status == 200
            except (OSError, http.client.HTTPException):
                ok = False
            if ok:
                break
        check(ok, "serve.max-clients=4: answered again once the four are gone")
    finally:
        t_stop(srv, signal.SIGTERM, "max-clients/timeout server")


def t_listen():
    rc, err = run_serve("--store", DB, *sl.settings(), "--listen", "0.0.0.0", "--port", "0")
    check(rc == 2, "--listen 0.0.0.0 without a token: exit status 2, got %r: %s" % (rc, err[-300:]))
    rc, err = run_serve("--store", DB, *sl.settings(), "--listen", "::", "--port", "0")
    check(rc == 2, "--listen :: without a token: exit status 2, got %r: %s" % (rc, err[-300:]))
    rc, err = run_serve("--store", DB, *sl.settings(), "--listen", "0.0.0.0", "--set",
                        "serve.token-file=" + os.path.join(TMP, "no-such-token"), "--port", "0")
    check(isinstance(rc, int) and rc != 0,
          "--listen 0.0.0.0 with a token file that is not there: refused (%r)" % (rc,))
    rc, err = run_serve("--store", os.path.join(TMP, "none", "x.db"), "--port", "0")
    check(isinstance(rc, int) and rc != 0, "a store that is not there: refused (%r)" % (rc,))
    rc, err = run_serve("--store", DB, "--port", "abc")
    check(rc == 2, "--port abc: usage, exit status 2 (%r)" % (rc,))
    tf = os.path.join(TMP, "token2")
    with open(tf, "w") as f:
        f.write("another-token-0123456789\n")
    srv = sl.Server(mamori, DB, TMP, "any", ["--listen", "0.0.0.0", "--token-file", tf]).start()
    try:
        r = sl.get(srv.port, "/api/summary",
                   headers={"Authorization": "Bearer another-token-0123456789"})
        check(r.status == 200, "--listen 0.0.0.0 with a token: serves: %r" % r)
    finally:
        t_stop(srv, signal.SIGTERM, "0.0.0.0 server", "0.0.0.0")


# ---------------------------------------------------------------------------------------

S = {}
with tempfile.TemporaryDirectory(prefix="mamori-serve-api-") as TMP:
    STORE_DIR = os.path.join(TMP, "store")
    t0 = time.monotonic()
    DB = sl.build_store(mamori, gen, STORE_DIR)
    print("store built in %.1f s" % (time.monotonic() - t0))
    A = sl.Server(mamori, DB, TMP, "main", ["--set", "serve.max-body=1mb",
                                            "--set", "serve.max-live=2"])
    try:
        A.start()
    except RuntimeError as e:
        check(False, str(e))
        print(f"serve_api: {passed} passed, {failed} failed")
        sys.exit(1)
    P = A.port
    try:
        section("session", t_session, P)
        section("summary", t_summary, P)
        section("events", t_events, P)
        section("bad parameters", t_events_bad, P)
        section("incidents", t_incidents, P)
        section("darknet", t_darknet, P)
        section("zones", t_zones, P)
        section("stats", t_stats, P)
        section("headers", t_headers, P)
        section("embedded files", t_assets, P)
        section("routes and methods", t_routes, P)
        section("Host", t_host, P)
        BEFORE = sl.counts(DB)
        section("SQL in parameters", t_injection, P)
        section("limits", t_limits, P)
        section("garbage", t_garbage, P)
        section("slow clients", t_slowloris, P)
        section("traversal (embedded)", t_traversal_embedded, P)
        section("CSRF refused", t_csrf, P)
        AFTER = sl.counts(DB)
        check(BEFORE == AFTER, "the hostile requests left the store as it was: %r" %
              {k: (BEFORE.get(k), AFTER.get(k)) for k in BEFORE if BEFORE.get(k) != AFTER.get(k)})
        section("concurrency", t_concurrency, P)
        section("live feed and intel upload", t_live, P)
        section("CSRF accepted", t_csrf_ok, P)
        check(A.alive(), "the server is still running")
    finally:
        t_stop(A, signal.SIGTERM, "main server, SIGTERM with a live client open")
        if S.get("live"):
            S["live"].close()
    section("token", t_token)
    section("static-dir", t_static_dir)
    section("max-clients and timeout", t_clients_timeout)
    section("listen", t_listen)

print(f"serve_api: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
