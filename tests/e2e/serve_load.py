#!/usr/bin/env python3
"""serve_load: `mamori serve` under wrk (100 connections, 3 s per endpoint).

Builds the behaviour store (tests/e2e/servelib.py), starts the server, and runs
`wrk -t2 -c100 -d3s` on /api/summary, /api/incidents, /api/incidents/1 and /: every
request must be answered 2xx with no socket error (connect, read, write, timeout),
and the server must stop cleanly afterwards (exit 0, no sanitizer report). No timing
is asserted: the throughput is printed (bench/serve measures it on the release build).

Needs wrk (scripts/deps installs it); without it the test fails and says so.

usage: serve_load.py MAMORI MAMORI_GEN [SECONDS]
"""
import os, shutil, signal, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import servelib as sl  # noqa: E402

mamori, gen = sys.argv[1], sys.argv[2]
seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
ENDPOINTS = ["/api/summary", "/api/incidents", "/api/incidents/1", "/"]
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL", what, flush=True)


wrk = shutil.which("wrk")
if not wrk:
    print("FAIL serve_load: wrk is not installed (scripts/deps installs it: apt-get install wrk)")
    print("serve_load: 0 passed, 1 failed")
    sys.exit(1)

with tempfile.TemporaryDirectory(prefix="mamori-serve-load-") as tmp:
    db = sl.build_store(mamori, gen, os.path.join(tmp, "store"))
    srv = sl.Server(mamori, db, tmp, "load").start()
    try:
        for ep in ENDPOINTS:
            r = sl.get(srv.port, ep)
            check(r.status == 200, "GET %s before the load: 200, got %r" % (ep, r))
            p = subprocess.run([wrk, "-t2", "-c100", "-d%ds" % seconds, "--timeout", "30s",
                                "http://127.0.0.1:%d%s" % (srv.port, ep)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=seconds + 120)
            w = sl.wrk_parse(p.stdout)
            print("serve_load: %-18s %8s requests, %8s requests/s, latency %s%s%s" %
                  (ep, w["requests"], w["rps"], w["latency"],
                   ", " + w["errors_text"] if w["errors_text"] else "",
                   ", %d non-2xx" % w["non2xx"] if w["non2xx"] else ""), flush=True)
            check(p.returncode == 0 and w["requests"], "wrk on %s ran: %s" % (ep, p.stdout[-800:]))
            check(w["socket_errors"] == 0, "wrk on %s: no socket errors: %s" %
                  (ep, w["errors_text"]))
            check(w["non2xx"] == 0, "wrk on %s: every answer 2xx: %d were not" % (ep, w["non2xx"]))
            check(sl.alive_and_answering(srv.port), "answers after the load on %s" % ep)
    finally:
        rc = srv.stop(signal.SIGTERM)
        check(rc == 0, "the server exits 0 after the load: %r %s" % (rc, srv.stderr()[-1500:]))
        rep = srv.sanitizer_report()
        check(not rep, "no sanitizer report: %s" % rep)

print(f"serve_load: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
