#!/usr/bin/env python3
"""Sanity test of the capture lab's output (pcaps/*/).

For every scenario directory: plan.yaml exists, parses as YAML and uses only
the keys of the contract (spec section 1); expected.json has exactly the
documented keys, all 18 check ids with a valid status, and lists captures
that exist, are classic pcap or pcapng with link type Ethernet, LINUX_SLL or
LINUX_SLL2 (tcpdump -i any; contract 1.1) and are under 1900 KB (--max-kb for
a scratch directory that is not committed);
metrics.packets equals the frames in those captures (counted from the pcap
records).  Prints one line per failure and an 'N passed, N failed' summary;
exits non-zero on any failure.

usage: check_pcaps.py [--max-kb N] [PCAPS_DIR]      (default: ../pcaps next to this file, 1900 KB)
"""
import json
import os
import struct
import sys

import yaml

CHECK_IDS = {"plan.valid", "nat.source", "nat.destination", "encap.mode", "encap.overhead",
             "encap.mtu", "encap.vtep", "route.nexthop", "route.errors", "bgp.session",
             "bgp.routes", "ospf.adjacency", "ospf.routes", "arp.conflict", "path.delivery", "encap.checksum",
             "flow.answered", "route.symmetry"}
STATUSES = {"pass", "fail", "warn", "skip"}
TOP_KEYS = {"scenario", "captures", "checks", "metrics", "evidence", "notes"}
REQUIRED_TOP = {"scenario", "captures", "checks", "metrics", "notes"}
PLAN_KEYS = {"version", "name", "description", "underlay", "hosts", "routers", "transport", "nat",
             "publish", "routes", "routing", "services"}                     # services: contract 1.1
SUB_KEYS = {
    "underlay": {"mtu", "subnet"},
    "hosts": {"name", "address", "mac", "containers", "gateway", "asn", "router_id"},
    "routers": {"name", "address", "mac"},
    "transport": {"mode", "mtu", "vxlan", "geneve", "max_overhead_ratio", "max_loss"},
    "publish": {"host", "port", "protocol", "to"},
    "routes": {"at", "to", "via"},
    "routing": {"protocol", "bgp", "ospf"},
}
DEEP_KEYS = {("transport", "vxlan"): {"vni", "port"}, ("transport", "geneve"): {"vni", "port"},
             ("routing", "bgp"): {"hold_time"}, ("routing", "ospf"): {"area", "hello_interval", "dead_interval"}}
MAX_BYTES = 1900 * 1024         # bulk offload scenarios move >= 512 KiB of TCP; --max-kb for a scratch directory
LINKTYPES = {1, 113, 276}       # Ethernet, LINUX_SLL, LINUX_SLL2 (tcpdump -i any)

passed = failed = 0


def ok(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)
    return cond


def pcap_frames(path):
    """(linktype, frame count) of a classic pcap, or (None, None)."""
    with open(path, "rb") as fh:
        data = fh.read()
    if len(data) < 24:
        return None, None
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        return pcapng_frames(data)
    if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif data[:4] in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None, None
    lt = struct.unpack(e + "I", data[20:24])[0]
    off, n = 24, 0
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        off += 16 + incl
        n += 1
    if off != len(data):
        return lt, None          # cut in the middle of a record
    return lt, n


def pcapng_frames(data):
    """(link type of the first interface, packet blocks) of a little-endian pcapng file."""
    off, n, lt = 0, 0, None
    while off + 12 <= len(data):
        btype, blen = struct.unpack("<II", data[off:off + 8])
        if blen < 12 or off + blen > len(data):
            return lt, None
        if btype == 1 and lt is None:
            lt = struct.unpack("<H", data[off + 8:off + 10])[0]
        elif btype in (3, 6):
            n += 1
        off += blen
    return lt, n


def check_plan(sd, name):
    path = os.path.join(sd, "plan.yaml")
    if not ok(os.path.isfile(path), "%s: plan.yaml missing" % name):
        return
    try:
        with open(path) as fh:
            plan = yaml.safe_load(fh)
    except yaml.YAMLError as e:
        ok(False, "%s: plan.yaml does not parse: %s" % (name, e))
        return
    if not ok(isinstance(plan, dict), "%s: plan.yaml is not a mapping" % name):
        return
    ok(set(plan) <= PLAN_KEYS, "%s: plan has unknown keys %s" % (name, sorted(set(plan) - PLAN_KEYS)))
    for k in ("version", "name", "hosts", "transport"):
        ok(k in plan, "%s: plan lacks %s" % (name, k))
    ok(plan.get("version") == 1, "%s: plan version is not 1" % name)
    for k, allowed in SUB_KEYS.items():
        v = plan.get(k)
        items = v if isinstance(v, list) else [v] if isinstance(v, dict) else []
        for it in items:
            if ok(isinstance(it, dict), "%s: %s entry is not a mapping" % (name, k)):
                ok(set(it) <= allowed, "%s: %s has unknown keys %s" % (name, k, sorted(set(it) - allowed)))
    for (a, b), allowed in DEEP_KEYS.items():
        v = (plan.get(a) or {}).get(b) if isinstance(plan.get(a), dict) else None
        if isinstance(v, dict):
            ok(set(v) <= allowed, "%s: %s.%s has unknown keys %s" % (name, a, b, sorted(set(v) - allowed)))
    t = plan.get("transport") or {}
    ok(t.get("mode") in ("routed", "bridged", "vxlan", "geneve", "ipip"), "%s: bad transport.mode" % name)
    ok(plan.get("nat", "none") in ("none", "masquerade", "allowed"), "%s: bad nat" % name)
    ok(len(plan.get("hosts") or []) >= 1, "%s: no hosts" % name)


def check_expected(sd, name):
    path = os.path.join(sd, "expected.json")
    if not ok(os.path.isfile(path), "%s: expected.json missing" % name):
        return
    try:
        with open(path) as fh:
            exp = json.load(fh)
    except ValueError as e:
        ok(False, "%s: expected.json does not parse: %s" % (name, e))
        return
    ok(REQUIRED_TOP <= set(exp) <= TOP_KEYS, "%s: expected.json keys %s" % (name, sorted(exp)))
    ok(exp.get("scenario") == name, "%s: scenario is %r" % (name, exp.get("scenario")))
    checks = exp.get("checks") or {}
    ok(set(checks) == CHECK_IDS, "%s: check ids differ: missing %s, extra %s"
       % (name, sorted(CHECK_IDS - set(checks)), sorted(set(checks) - CHECK_IDS)))
    bad = {k: v for k, v in checks.items() if v not in STATUSES}
    ok(not bad, "%s: invalid statuses %s" % (name, bad))
    caps = exp.get("captures") or []
    ok(len(caps) >= 1, "%s: no captures listed" % name)
    total = 0
    for c in caps:
        p = os.path.join(sd, c)
        if not ok(os.path.isfile(p), "%s: capture %s missing" % (name, c)):
            continue
        ok(c.endswith(".pcap") or c.endswith(".pcapng"), "%s: %s is not *.pcap or *.pcapng" % (name, c))
        ok(os.path.getsize(p) < MAX_BYTES, "%s: %s is %d bytes (limit %d KB)" % (name, c, os.path.getsize(p),
                                                                            MAX_BYTES // 1024))
        lt, n = pcap_frames(p)
        ok(lt in LINKTYPES, "%s: %s is not pcap/pcapng with link type Ethernet, SLL or SLL2 (%s)" % (name, c, lt))
        ok(n is not None, "%s: %s ends in the middle of a record" % (name, c))
        total += n or 0
    m = exp.get("metrics") or {}
    ok(m.get("packets") == total, "%s: metrics.packets %s != %d frames in the captures" % (name, m.get("packets"), total))
    for enc in m.get("encapsulation", []):
        ok({"kind", "packets", "overhead_bytes", "overhead_bytes_per_packet", "overhead_ratio"} <= set(enc),
           "%s: encapsulation entry lacks keys: %s" % (name, enc))
    for cid, evs in (exp.get("evidence") or {}).items():
        ok(cid in CHECK_IDS, "%s: evidence for unknown check %s" % (name, cid))
        for e in evs:
            ok(str(e.get("capture")).split("@")[0] in caps and isinstance(e.get("frame"), int) and e["frame"] >= 1,
               "%s: bad evidence %s" % (name, e))
    ok(isinstance(exp.get("notes"), str) and exp["notes"], "%s: notes empty" % name)


def main():
    global MAX_BYTES
    if len(sys.argv) > 2 and sys.argv[1] == "--max-kb":
        MAX_BYTES = int(sys.argv[2]) * 1024
        del sys.argv[1:3]
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pcaps")
    dirs = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    ok(len(dirs) > 0, "no scenario directories in %s" % root)
    for d in dirs:
        check_plan(os.path.join(root, d), d)
        check_expected(os.path.join(root, d), d)
    print("%d passed, %d failed (%d scenarios)" % (passed, failed, len(dirs)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
