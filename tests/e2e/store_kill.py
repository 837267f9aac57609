#!/usr/bin/env python3
"""store_kill: a store survives `mamori read` killed with SIGKILL mid-run.

`mamori read -v` on the store-load capture (200,000 DNS packets, 300,000
records) with batches of 50 records prints "store: committed batch N, R rows"
after each commit. Once a few batches are committed the process is killed
with SIGKILL while it goes on writing. The store must then pass SQLite's
integrity check, hold at least every record of every batch reported committed
(the batches numbered 1, 2, ... without a gap), and open again: a second read
appends to it and `mamori query` reads it.

usage: store_kill.py MAMORI MAMORI_GEN
"""
import os, re, select, signal, sqlite3, subprocess, sys, tempfile, time

mamori, gen = sys.argv[1], sys.argv[2]
env = dict(os.environ, TZ="UTC")
passed = failed = 0
COMMITTED = re.compile(r"store: committed batch (\d+), (\d+) rows")
TABLES = ("flow", "dns", "http", "tls", "fileinfo", "alert", "intel", "stats")


def check(cond, what):
    global passed, failed
    passed += bool(cond)
    failed += not cond
    if not cond:
        print("FAIL", what)


with tempfile.TemporaryDirectory() as tmp:
    cap = os.path.join(tmp, "load.pcap")
    subprocess.run([gen, "store-load", cap], check=True)
    out = os.path.join(tmp, "out")
    p = subprocess.Popen([mamori, "read", "-v", "--no-progress", "-w", "2", "-o", out,
                          "--set", "store.batch-size=50", cap],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    batches, buf = [], b""
    deadline = time.monotonic() + 120
    killed_at = None
    while time.monotonic() < deadline:
        r, _, _ = select.select([p.stderr], [], [], 1.0)
        if r:
            chunk = os.read(p.stderr.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for l in lines:
                m = COMMITTED.search(l.decode(errors="replace"))
                if m:
                    batches.append((int(m.group(1)), int(m.group(2))))
        if len(batches) >= 5 and killed_at is None:
            p.send_signal(signal.SIGKILL)
            killed_at = len(batches)
        if p.poll() is not None:
            break
    rest = p.stderr.read()  # lines written before the kill, still in the pipe
    for l in (buf + rest).split(b"\n"):
        m = COMMITTED.search(l.decode(errors="replace"))
        if m:
            batches.append((int(m.group(1)), int(m.group(2))))
    rc = p.wait()
    check(killed_at is not None, f"5 batches committed before the end ({len(batches)})")
    check(rc == -signal.SIGKILL, f"killed mid-run with SIGKILL (exit {rc}: the run ended first?)")
    check([n for n, _ in batches] == list(range(1, len(batches) + 1)), "batches reported in order")
    reported = sum(r for _, r in batches)

    db = os.path.join(out, "mamori.db")
    con = sqlite3.connect(db)
    check(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check after SIGKILL")
    held = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES)
    con.close()
    check(held >= reported, f"the store holds every committed record: {held} >= {reported}")
    print(f"store_kill: {len(batches)} batches ({reported} records) reported committed, "
          f"{held} records in the store after SIGKILL")

    # it opens again: appended to, and read
    small = os.path.join(tmp, "office.pcap")
    subprocess.run([gen, "office", small], check=True)
    r = subprocess.run([mamori, "read", "-q", "-o", out, small], env=env)
    check(r.returncode == 0, "a later read appends to the store")
    con = sqlite3.connect(db)
    after = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES)
    check(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity after the append")
    con.close()
    check(after > held, f"records added after the crash ({after} > {held})")
    q = subprocess.run([mamori, "query", "--store", db, "--type", "tls"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check(q.returncode == 0 and q.stdout.count("tls") >= 3, "mamori query reads it")

print(f"store_kill: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
