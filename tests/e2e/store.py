#!/usr/bin/env python3
"""store: what `mamori read` keeps in its SQLite store, `mamori query` over it,
and retro-hunts with `mamori hunt` and `mamori intel import`.

Over the generated office capture (tools/scenarios_office.c), read with two
workers:
  - the store holds as many flow, dns, http, tls and fileinfo records as
    eve.json, and a second read into the same directory appends to it (eve.json
    is per run); --no-store writes none;
  - `mamori query` finds a host's records (either end of a flow, its DNS, HTTP,
    TLS and files), a domain and the names below it, a time range, a type; the
    JSON lines have EVE's fields;
  - a feed with an address, a CIDR, a domain suffix, a domain, a file hash, a
    JA3 (guessed as an MD5), a URL and an e-mail address gives exactly the
    sightings eve.json says it must: per indicator and matched field the count,
    first and last time, internal hosts and bytes each way of the flows;
    a feed of indicators absent from the capture gives none; --since narrows
    the window; `intel import` keeps the feed in the intel folder and records
    the sightings in the store.

usage: store.py MAMORI MAMORI_GEN
"""
import ipaddress, json, os, sqlite3, subprocess, sys, tempfile

mamori, gen = sys.argv[1], sys.argv[2]
env = dict(os.environ, TZ="UTC")
passed = failed = 0


def check(cond, what):
    global passed, failed
    passed += bool(cond)
    failed += not cond
    if not cond:
        print("FAIL", what)


def run(*args, ok=(0,)):
    p = subprocess.run([mamori, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, env=env)
    if p.returncode not in ok:
        print("FAIL", " ".join(args), "exited", p.returncode, p.stderr[-1500:])
        global failed
        failed += 1
    return p


def query(db, *args):
    p = run("query", "--store", db, "--json", "--limit", "0", *args)
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


PRIVATE = [ipaddress.ip_network(n) for n in
           ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
            "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1/128")]


def internal(a):
    ip = ipaddress.ip_address(a)
    return any(ip.version == n.version and ip in n for n in PRIVATE)


def in_name(name, suffix, below):
    name = name.lower().rstrip(".")
    return name == suffix or (below and name.endswith("." + suffix))


with tempfile.TemporaryDirectory() as tmp:
    cap = os.path.join(tmp, "office.pcap")
    subprocess.run([gen, "office", cap], check=True)
    out = os.path.join(tmp, "out")
    run("read", "-w", "2", "-q", "-o", out, cap)
    db = os.path.join(out, "mamori.db")
    eve = [json.loads(l) for l in open(os.path.join(out, "eve.json"))]
    by = {}
    for r in eve:
        by.setdefault(r["event_type"], []).append(r)
    flows_by_id = {r["flow_id"]: r for r in by["flow"]}

    # ---- the store holds what eve.json holds ----
    con = sqlite3.connect(db)
    for t in ("flow", "dns", "http", "tls", "fileinfo"):
        n = con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        check(n == len(by.get(t, [])), f"store {t}: {n} rows, eve.json {len(by.get(t, []))}")
    check(con.execute("SELECT count(*) FROM stats").fetchone()[0] == 1, "one stats row")
    check(con.execute("PRAGMA user_version").fetchone()[0] >= 1, "schema version set")
    check(con.execute("PRAGMA journal_mode").fetchone()[0] == "wal", "WAL")
    con.close()

    # ---- query ----
    allq = query(db)
    check(sum(1 for r in allq if r["event_type"] == "flow") == len(by["flow"]), "query: every flow")
    tls = query(db, "--type", "tls")
    check(sorted(r["tls"]["sni"] for r in tls) ==
          sorted(r["tls"]["sni"] for r in by["tls"]), "query --type tls: the SNIs")
    check(all(r["tls"].get("ja3", {}).get("hash") for r in tls), "query: tls records carry JA3")
    e = {r["flow_id"]: r for r in by["tls"]}
    check(all(r["src_ip"] == e[r["flow_id"]]["src_ip"] and r["dest_port"] == e[r["flow_id"]]["dest_port"]
              for r in tls), "query: tls tuples as EVE's")

    host = "10.1.0.104"
    got = query(db, "--host", host, "--type", "flow")
    want = [r for r in by["flow"] if host in (r["src_ip"], r["dest_ip"])]
    check(len(got) == len(want) and len(want) > 0, f"query --host {host}: {len(got)} flows, eve {len(want)}")
    got = query(db, "--host", "10.1.0.104/32", "--type", "dns,tls,http")
    want = [r for t in ("dns", "tls", "http") for r in by.get(t, [])
            if host in (r["src_ip"], r["dest_ip"])]
    check(len(got) == len(want), f"query --host: app records of the host's flows {len(got)} / {len(want)}")
    got = query(db, "--host", "93.184.216.0/24", "--type", "dns")
    want = [r for r in by["dns"] if "93.184.216.34" in r["dns"].get("grouped", {}).get("A", [])]
    check(len(got) == len(want) and len(want) > 0, f"query --host CIDR: DNS answers {len(got)} / {len(want)}")

    got = query(db, "--domain", "example.co.jp", "--type", "dns")
    want = [r for r in by["dns"] if any(in_name(q["rrname"], "example.co.jp", True)
                                        for q in r["dns"].get("queries", []))]
    check(len(got) == len(want) and len(want) > 0, f"query --domain: {len(got)} dns, eve {len(want)}")
    got = query(db, "--domain", "EXAMPLE.co.jp.", "--type", "flow")
    fids = {r["flow_id"] for t in ("tls", "http") for r in by.get(t, [])
            if in_name(r[t].get("sni" if t == "tls" else "hostname", ""), "example.co.jp", True)}
    check({r["flow_id"] for r in got} == fids, "query --domain: the flows that carried the name")
    got = query(db, "--domain", "co.jp.example")
    check(got == [], "query: an absent domain finds nothing")

    since, until = "2024-01-15T09:02:00Z", "2024-01-15T09:03:00Z"
    got = query(db, "--type", "flow", "--since", since, "--until", until)
    want = [r for r in by["flow"] if "2024-01-15T09:02:00" <= r["flow"]["start"] < "2024-01-15T09:03:00"]
    check(len(got) == len(want) and len(want) > 0, f"query --since --until: {len(got)} / {len(want)}")
    got = query(db, "--type", "flow", "--since", "2m")  # before the newest record
    check(0 < len(got) < len(by["flow"]), f"query --since 2m: {len(got)}")
    p = run("query", "--store", db, "--limit", "5")
    check(len(p.stdout.splitlines()) == 5 and ("flow" in p.stdout or "dns" in p.stdout), "query: a table")
    newest = query(db, "--limit", "3", "--type", "dns")
    check([r["timestamp"] for r in newest] == sorted(r["timestamp"] for r in by["dns"])[-3:],
          "query --limit: the newest, oldest first")
    check(run("query", "--store", db, "--since", "yesterday-ish", ok=(2,)).returncode == 2, "bad time: usage")
    check(run("query", "--store", db, "--host", "10.1", ok=(1,)).returncode == 1, "bad host")
    check(run("query", "--store", os.path.join(tmp, "none.db"), ok=(1,)).returncode == 1, "no store")

    # ---- hunt ----
    feed = os.path.join(tmp, "feed.txt")
    sha = by["fileinfo"][0]["fileinfo"]["sha256"]
    ja3 = by["tls"][0]["tls"]["ja3"]["hash"]
    with open(feed, "w") as f:
        f.write("# test feed\n93.184.216.0/24\n203.0.113.44\n.example.co.jp\ncdn.example.net\n"
                f"{sha}\n{ja3}\nhttp://intranet.example.co.jp/\nphish@example.org\n")
    p = run("hunt", "--store", db, feed)
    sight = [json.loads(l) for l in p.stdout.splitlines()]
    got = {(s["intel"]["indicator"], s["intel"]["matched_field"]): s for s in sight}
    check(all(s["event_type"] == "intel" and s["intel"]["retro"] is True for s in sight), "retro intel records")
    check("e-mail" in p.stderr, "e-mail indicators reported as not checked")

    def bytes_of(fids):
        b = [0, 0]
        for fid in set(fids):
            fl = flows_by_id.get(fid)
            if fl:
                b[0] += fl["flow"]["bytes_toserver"]
                b[1] += fl["flow"]["bytes_toclient"]
        return b

    def expect(ind, field, recs, ts, hosts, flows=None, fids=None):
        s = got.get((ind, field))
        if not recs:
            check(s is None, f"{ind} {field}: no sighting expected, got {s}")
            return
        if s is None:
            check(False, f"{ind} {field}: sighting missing")
            return
        i = s["intel"]
        check(i["count"] == len(recs), f"{ind} {field}: count {i['count']} != {len(recs)}")
        check(i["first_seen"] == min(ts(r) for r in recs), f"{ind} {field}: first_seen")
        check(i["last_seen"] == max(ts(r) for r in recs), f"{ind} {field}: last_seen")
        check(sorted(i["hosts"]) == sorted(hosts), f"{ind} {field}: hosts {i['hosts']} != {sorted(hosts)}")
        b = bytes_of(fids) if fids is not None else [sum(r["flow"]["bytes_toserver"] for r in flows),
                                                     sum(r["flow"]["bytes_toclient"] for r in flows)]
        check([i["bytes_toserver"], i["bytes_toclient"]] == b,
              f"{ind} {field}: bytes {[i['bytes_toserver'], i['bytes_toclient']]} != {b}")
        check(i["source"] == "feed.txt" and i["type"] in ("ipv4", "domain", "sha256", "md5", "url"),
              f"{ind} {field}: attribution")

    start = lambda r: r["flow"]["start"]
    stamp = lambda r: r["timestamp"]
    for ind, net in (("93.184.216.0/24", ipaddress.ip_network("93.184.216.0/24")),
                     ("203.0.113.44", ipaddress.ip_network("203.0.113.44/32"))):
        inn = lambda a: ipaddress.ip_address(a).version == 4 and ipaddress.ip_address(a) in net
        fl = [r for r in by["flow"] if inn(r["dest_ip"])]
        expect(ind, "dest_ip", fl, start, {r["src_ip"] for r in fl if internal(r["src_ip"])}, flows=fl)
        fl = [r for r in by["flow"] if inn(r["src_ip"])]
        expect(ind, "src_ip", fl, start, {r["dest_ip"] for r in fl if internal(r["dest_ip"])}, flows=fl)
        dn = [r for r in by["dns"] if any(inn(a) for a in r["dns"].get("grouped", {}).get("A", []))]
        expect(ind, "dns.answer", dn, stamp, {r["dest_ip"] for r in dn if internal(r["dest_ip"])},
               fids=[r["flow_id"] for r in dn])
    for ind, below in (("example.co.jp", True), ("cdn.example.net", False)):
        dn = [r for r in by["dns"] if in_name(r["dns"]["queries"][0]["rrname"], ind, below)]
        client = lambda r: r["src_ip"] if r["dns"]["type"] == "request" else r["dest_ip"]
        expect(ind, "dns.rrname", dn, stamp, {client(r) for r in dn if internal(client(r))},
               fids=[r["flow_id"] for r in dn])
        for t, key, field in (("http", "hostname", "http.hostname"), ("tls", "sni", "tls.sni")):
            rs = [r for r in by[t] if in_name(r[t].get(key, ""), ind, below)]
            hs = {a for r in rs for a in (r["src_ip"], r["dest_ip"]) if internal(a)}
            expect(ind, field, rs, stamp, hs, fids=[r["flow_id"] for r in rs])
    fi = [r for r in by["fileinfo"] if r["fileinfo"].get("sha256") == sha]
    expect(sha, "fileinfo.sha256", fi, stamp,
           {a for r in fi for a in (r["src_ip"], r["dest_ip"]) if internal(a)}, fids=[r["flow_id"] for r in fi])
    tl = [r for r in by["tls"] if r["tls"].get("ja3", {}).get("hash") == ja3]
    expect(ja3, "tls.ja3", tl, stamp, {a for r in tl for a in (r["src_ip"], r["dest_ip"]) if internal(a)},
           fids=[r["flow_id"] for r in tl])
    ht = [r for r in by["http"] if r["http"].get("hostname") == "intranet.example.co.jp"
          and r["http"].get("url") == "/"]
    expect("http://intranet.example.co.jp/", "http.url", ht, stamp,
           {a for r in ht for a in (r["src_ip"], r["dest_ip"]) if internal(a)}, fids=[r["flow_id"] for r in ht])
    check(not any(k[0] == "phish@example.org" for k in got), "e-mail: no sighting")
    expected_keys = {k for k in got}
    check(len(sight) == len(expected_keys), "one sighting per indicator and field")

    # a feed of indicators that are not in the capture
    miss = os.path.join(tmp, "miss.txt")
    with open(miss, "w") as f:
        f.write("198.51.100.200\n192.0.2.0/24\n.example.invalid\nexample.co\n"
                "0123456789abcdef0123456789abcdef\n" + "ab" * 32 + "\n")
    p = run("hunt", "--store", db, miss)
    check(p.stdout == "", f"non-matching feed: no sightings ({p.stdout[:200]})")
    check("0 sightings" in p.stderr, "non-matching feed: reported as none")

    # the window
    p = run("hunt", "--store", db, "--since", "2024-01-15T09:04:00Z", feed)
    late = [json.loads(l) for l in p.stdout.splitlines()]
    check(0 < len(late) < len(sight) and all(s["intel"]["first_seen"] >= "2024-01-15T09:04:00" for s in late),
          "hunt --since: only sightings in the window")

    # intel import: kept, hunted, recorded; the store's intel rows
    before = len(query(db, "--type", "intel"))
    p = run("intel", "import", "--store", db, "-o", os.path.join(tmp, "import.json"), feed)
    kept = os.path.join(out, "intel", "feed.txt")
    check(os.path.exists(kept) and open(kept).read() == open(feed).read(), "import: the feed is kept beside the store")
    imported = [json.loads(l) for l in open(os.path.join(tmp, "import.json"))]
    check(len(imported) == len(sight), "import: the same sightings as hunt")
    rows = query(db, "--type", "intel")
    check(len(rows) == before + len(sight), f"import: sightings in the store ({len(rows)})")
    check(all(r["intel"]["retro"] for r in rows), "stored intel records are retro")
    d = os.path.join(tmp, "intel-dir")
    run("intel", "import", "--store", db, "--set", f"intel.dir={d}", "-q", miss)
    check(os.path.exists(os.path.join(d, "miss.txt")), "import: intel.dir is where feeds go")
    nostore = os.path.join(tmp, "nostore")
    os.mkdir(nostore)
    p = run("intel", "import", "--store", os.path.join(nostore, "mamori.db"), feed)
    check(os.path.exists(os.path.join(nostore, "intel", "feed.txt")) and p.stdout == "",
          "import without a store: kept, nothing hunted")

    # ---- appending, and --no-store ----
    run("read", "-w", "1", "-q", "-o", out, cap)
    con = sqlite3.connect(db)
    n = con.execute("SELECT count(*) FROM flow").fetchone()[0]
    check(n == 2 * len(by["flow"]), f"a second read appends ({n} flows)")
    check(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity")
    con.close()
    again = [json.loads(l) for l in open(os.path.join(out, "eve.json"))]
    check(len([r for r in again if r["event_type"] != "intel"]) == len(eve), "eve.json is per run")
    # the feed 'mamori intel import' kept in intel/ beside the store is matched live
    live = [r for r in again if r["event_type"] == "intel"]
    check(live and all(r["intel"]["source"] == "feed.txt" and not r["intel"]["retro"] for r in live),
          f"the kept feed is matched live by the next run ({len(live)} intel records)")
    out2 = os.path.join(tmp, "out2")
    run("read", "-q", "--no-store", "-o", out2, cap)
    check(not os.path.exists(os.path.join(out2, "mamori.db")), "--no-store: no store")
    other = os.path.join(tmp, "elsewhere.db")
    run("read", "-q", "--store", other, "-o", out2, cap)
    check(os.path.exists(other), "--store PATH")

print(f"store: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
