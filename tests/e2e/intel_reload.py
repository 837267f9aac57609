#!/usr/bin/env python3
"""intel_reload: `mamori live lo -I FILE` matches the indicators of FILE; after the
file changes, `mamori intel reload -o DIR` (SIGHUP through DIR/mamori.pid) swaps in
the new set while capture goes on: datagrams sent at a steady rate before, during and
after the reload are all counted (none lost), flows to the address added by the
reload raise intel records, flows to the address it removed no longer do. The new
file holds 100,000 further addresses so that loading it takes a while. Then
`mamori intel import` keeps a partner's feed beside the live run's store and makes it
reload again: the feed's address is matched from then on. Needs
permission to capture on lo (root or CAP_NET_RAW); skips otherwise.

usage: intel_reload.py MAMORI
"""
import atexit, json, os, signal, socket, subprocess, sys, tempfile, time

mamori = sys.argv[1]
PORT = 39993
passed = failed = 0


def check(cond, what):
    global passed, failed
    passed += bool(cond)
    failed += not cond
    if not cond:
        print("FAIL", what)


def stats_of(path):
    last = None
    for line in open(path):
        if not line.endswith("\n"):
            break  # being written
        r = json.loads(line)
        if r["event_type"] == "stats":
            last = r["stats"]
    return last


with tempfile.TemporaryDirectory() as tmp:
    intel = os.path.join(tmp, "intel.txt")
    with open(intel, "w") as f:
        f.write("# before the reload\n127.0.0.2\n")
    out = os.path.join(tmp, "out")
    p = subprocess.Popen([mamori, "live", "lo", "--bpf", f"udp port {PORT}", "-w", "2",
                          "-o", out, "-I", intel, "--set", "stats.interval=1"],
                         stderr=subprocess.PIPE, text=True, env=dict(os.environ, TZ="UTC"))
    atexit.register(lambda: p.poll() is None and p.kill())  # never left running
    time.sleep(1.5)
    if p.poll() is not None:
        err = p.stderr.read()
        if "ermission" in err or "not permitted" in err:
            print("intel_reload: SKIP: no permission to capture on lo:", err.strip()[:200])
            sys.exit(0)
        print("FAIL mamori live exited early:", err[:300])
        sys.exit(1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = 0

    def burst(dst, n, sport_sock=None):
        global sent
        for _ in range(n):
            (sport_sock or s).sendto(b"x" * 32, (dst, PORT))
            sent += 1
            time.sleep(0.002)

    burst("127.0.0.2", 50)  # matched by the first set
    with open(intel + ".new", "w") as f:
        f.write("# after the reload\n127.0.0.3\n")
        for i in range(100000):
            f.write(f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}\n")
    os.replace(intel + ".new", intel)
    r = subprocess.run([mamori, "intel", "reload", "-o", out], capture_output=True, text=True)
    check(r.returncode == 0, f"intel reload: {r.returncode} {r.stderr}")
    # traffic goes on during the reload, on a flow that existed before it
    burst("127.0.0.1", 500)
    deadline = time.time() + 60
    while time.time() < deadline:
        st = stats_of(os.path.join(out, "eve.json"))
        if st and st.get("intel", {}).get("reloads") == 1:
            break
        burst("127.0.0.1", 20)
    s2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # a new flow each
    s3 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    burst("127.0.0.3", 50, s2)  # matched by the new set
    burst("127.0.0.2", 50, s3)  # no longer matched
    # 'mamori intel import' keeps a feed in intel/ beside the store the live run
    # writes (OUT/mamori.db), retro-hunts it, and makes the live run reload
    feed = os.path.join(tmp, "partner.txt")
    with open(feed, "w") as f:
        f.write("127.0.0.4\n")
    r = subprocess.run([mamori, "intel", "import", "--store", os.path.join(out, "mamori.db"), feed],
                       capture_output=True, text=True)
    check(r.returncode == 0 and "reload its intel" in r.stderr, f"intel import: {r.returncode} {r.stderr[-300:]}")
    deadline = time.time() + 60
    while time.time() < deadline:
        st = stats_of(os.path.join(out, "eve.json"))
        if st and st.get("intel", {}).get("reloads") == 2:
            break
        burst("127.0.0.1", 20)
    s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    burst("127.0.0.4", 50, s4)  # matched through the imported feed
    time.sleep(1.2)
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = None
    err = p.stderr.read()
    check(rc == 0, f"clean exit, got {rc}: {err[-300:]}")
    check(not os.path.exists(os.path.join(out, "mamori.pid")), "pid file removed at exit")
    recs = [json.loads(l) for l in open(os.path.join(out, "eve.json"))]
    st = [r["stats"] for r in recs if r["event_type"] == "stats"][-1]
    intel_recs = [r for r in recs if r["event_type"] == "intel"]
    by_dst = {}
    for r in intel_recs:
        by_dst[r["dest_ip"]] = by_dst.get(r["dest_ip"], 0) + 1
    check(st["intel"]["reloads"] == 2 and st["intel"]["reload_failures"] == 0,
          f"two reloads: {st['intel']}")
    check(st["intel"]["indicators"] == 100002, f"indicators after the reloads: {st['intel']}")
    check(by_dst == {"127.0.0.2": 1, "127.0.0.3": 1, "127.0.0.4": 1},
          f"intel records: one flow to 127.0.0.2 before, one to 127.0.0.3 after, one to "
          f"127.0.0.4 after the import: {by_dst}")
    check(st["capture"]["packets"] == sent, f"every datagram counted: {st['capture']['packets']} of {sent}")
    check(st["capture"]["kernel_drops"] == 0 and st["capture"]["ring_drops"] == 0,
          f"no drops: {st['capture']}")
    check("reloaded 100001 indicators" in err, "reload logged")
print(f"intel_reload: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
