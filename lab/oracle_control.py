"""Control-plane rules of docs/CHECKS.md (bgp.session, bgp.routes,
ospf.adjacency, ospf.routes) for the lab's oracle, derive_expected.py.

Reads the captures with its own tshark decode (IPv4 and IPv6, TCP flags and
options, BGP and OSPF messages, cut frames) and judges them by the protocols:
  * OSPF (RFC 2328): neighbour state from Hellos (one-way, 2-Way when each
    router lists the other, DR/BDR on broadcast links), database exchange
    (DBD), full exchange (LS Update); every comparison made per link;
    AS-external/summary default routes and ASBR-summaries (type 4, mask 0) are
    not container prefixes.
  * BGP (RFC 4271, RFC 4456, RFC 2385): sessions per pair of planned nodes,
    whose ends may be any planned address of a node (address or addresses,
    router_id); attempts that never come up (SYNs unanswered, RST); OPEN and
    NOTIFICATION; every announcement and withdrawal in time; the origin of a
    route from ORIGINATOR_ID, else AS_PATH, else the sender; "missing" only
    when the speaker's OPEN or End-of-RIB is in the capture.
  * Cut messages (snaplen): BGP is not judged from frames shorter than on the
    wire; the check warns and names the snaplen.

Also checks the lab's facts about the control plane (ospf.*, bgp.*, ctl.*).
"""
import copy
import ipaddress
import json
import os
import struct
import subprocess
from collections import defaultdict

NOTIFY_CODES = {1: "Message Header Error", 2: "OPEN Message Error", 3: "UPDATE Message Error",
                4: "Hold Timer Expired", 5: "Finite State Machine Error", 6: "Cease"}
NOTIFY_SUBCODES = {
    1: {1: "Connection Not Synchronized", 2: "Bad Message Length", 3: "Bad Message Type"},
    2: {1: "Unsupported Version Number", 2: "Bad Peer AS", 3: "Bad BGP Identifier",
        4: "Unsupported Optional Parameter", 6: "Unacceptable Hold Time", 7: "Unsupported Capability"},
    3: {1: "Malformed Attribute List", 2: "Unrecognized Well-known Attribute", 3: "Missing Well-known Attribute",
        4: "Attribute Flags Error", 5: "Attribute Length Error", 6: "Invalid ORIGIN Attribute",
        8: "Invalid NEXT_HOP Attribute", 9: "Optional Attribute Error", 10: "Invalid Network Field",
        11: "Malformed AS_PATH"},
    6: {1: "Maximum Number of Prefixes Reached", 2: "Administrative Shutdown", 3: "Peer De-configured",
        4: "Administrative Reset", 5: "Connection Rejected", 6: "Other Configuration Change",
        7: "Connection Collision Resolution", 8: "Out of Resources", 9: "Hard Reset"},
}
TCP_OPT_MD5 = 19          # RFC 2385


# --------------------------------------------------------------------------
# tshark JSON helpers
# --------------------------------------------------------------------------

def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def find_all(obj, key):
    """Every value of `key` anywhere in a tshark JSON tree, in document order."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                out.extend(as_list(v))
            elif isinstance(v, (dict, list)):
                out.extend(find_all(v, key))
    elif isinstance(obj, list):
        for v in obj:
            out.extend(find_all(v, key))
    return out


def find_dicts(obj, key):
    """Every dict that has `key` directly, in document order."""
    out = []
    if isinstance(obj, dict):
        if key in obj:
            out.append(obj)
        for v in obj.values():
            if isinstance(v, (dict, list)):
                out.extend(find_dicts(v, key))
    elif isinstance(obj, list):
        for v in obj:
            out.extend(find_dicts(v, key))
    return out


def ev_of(f, detail):
    return {"capture": f.cap, "frame": f.no, "detail": detail}


# --------------------------------------------------------------------------
# decode
# --------------------------------------------------------------------------

class CtlFrame:
    """One frame of TCP port 179 or OSPF: the fields the rules read."""

    def __init__(self, cap, layers):
        fr = layers["frame"]
        self.cap = cap
        self.no = int(fr["frame.number"])
        self.t = float(fr["frame.time_epoch"])
        self.len = int(fr["frame.len"])
        self.caplen = int(fr.get("frame.cap_len", self.len))
        ip = as_list(layers.get("ip")) or as_list(layers.get("ipv6"))
        self.src = self.dst = None
        if ip:
            self.src = ip[0].get("ip.src") or ip[0].get("ipv6.src")
            self.dst = ip[0].get("ip.dst") or ip[0].get("ipv6.dst")
        self.tcp = None
        tcps = as_list(layers.get("tcp"))
        if tcps:
            t = tcps[0]
            fl = t.get("tcp.flags_tree", {})
            kinds = {int(k) for k in find_all(t.get("tcp.options_tree", {}), "tcp.option_kind") if str(k).isdigit()}
            self.tcp = {"sport": int(t["tcp.srcport"]), "dport": int(t["tcp.dstport"]),
                        "syn": fl.get("tcp.flags.syn") == "1", "ack": fl.get("tcp.flags.ack") == "1",
                        "rst": fl.get("tcp.flags.reset") == "1", "fin": fl.get("tcp.flags.fin") == "1",
                        "len": int(t.get("tcp.len", 0)), "md5": TCP_OPT_MD5 in kinds}
        self.bgp = [b for b in as_list(layers.get("bgp")) if isinstance(b, dict) and "bgp.type" in b]
        self.ospf = layers.get("ospf") if isinstance(layers.get("ospf"), dict) else None

    @property
    def cut(self):
        return self.caplen < self.len


def read_control(path):
    cmd = ["tshark", "-n", "-r", path, "-o", "ip.defragment:FALSE", "-Y", "tcp.port == 179 || ospf",
           "-T", "json", "--no-duplicate-keys"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120).stdout
    cap = os.path.basename(path)
    return [CtlFrame(cap, p["_source"]["layers"]) for p in json.loads(out or "[]")]


def pcap_header(path):
    """(snaplen, time of the first record or None) of a classic pcap file."""
    with open(path, "rb") as fh:
        hdr = fh.read(40)
    if len(hdr) < 24:
        return None, None
    e = "<" if hdr[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nano = hdr[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    snap = struct.unpack(e + "I", hdr[16:20])[0]
    if len(hdr) < 32:
        return snap, None
    sec, frac = struct.unpack(e + "II", hdr[24:32])
    return snap, sec + frac / (1e9 if nano else 1e6)


# --------------------------------------------------------------------------
# the rules
# --------------------------------------------------------------------------

class Control:
    def __init__(self, plan_dict, paths, order):
        self.d = plan_dict
        self.order = order
        heads = {os.path.basename(p): pcap_header(p) for p in paths}
        self.snaplen = {c: h[0] for c, h in heads.items()}
        self.fbc = {os.path.basename(p): read_control(p) for p in paths}
        self.frames = [f for c in order for f in self.fbc[os.path.basename(c)]]
        # times are given from the start of the earliest capture
        self.t0 = min([h[1] for h in heads.values() if h[1] is not None] + [f.t for f in self.frames] or [0.0])
        nodes = (plan_dict.get("hosts") or []) + (plan_dict.get("routers") or [])
        self.node_addrs = {}          # node -> every planned address (address(es), router_id)
        self.by_addr = {}
        for n in nodes:
            addrs = [str(a) for a in as_list(n.get("address"))]
            if n.get("router_id"):
                addrs.append(str(n["router_id"]))
            self.node_addrs[n["name"]] = [str(ipaddress.ip_address(a)) for a in addrs]
            for a in self.node_addrs[n["name"]]:
                self.by_addr.setdefault(a, n["name"])
        self.by_rid = {}
        for n in nodes:
            self.by_rid.setdefault(str(n.get("router_id") or as_list(n.get("address"))[0]), n["name"])
            for a in self.node_addrs[n["name"]]:
                self.by_rid.setdefault(a, n["name"])
        self.nets = {}                # host -> [container prefixes]
        for h in plan_dict.get("hosts") or []:
            self.nets[h["name"]] = [ipaddress.ip_network(str(c)) for c in as_list(h.get("containers"))]
        self.planned = {net: n for n, nets in self.nets.items() for net in nets}
        self.asn = {h["name"]: h.get("asn") for h in plan_dict.get("hosts") or []}
        self.routing = plan_dict.get("routing") or {}

    def node(self, addr):
        if addr is None:
            return None
        try:
            return self.by_addr.get(str(ipaddress.ip_address(addr)))
        except ValueError:
            return None

    def name(self, addr):
        return self.node(addr) or addr

    def when(self, f):
        return "frame %d of %s, %.1f s" % (f.no, f.cap, f.t - self.t0)

    # ---------------------------------------------------------------- BGP
    def bgp_frames(self):
        return [f for f in self.frames if f.tcp and 179 in (f.tcp["sport"], f.tcp["dport"])]

    def bgp_msgs(self):
        """[(frame, message)] of whole BGP messages (none from cut frames)."""
        return [(f, b) for f in self.bgp_frames() if not f.cut for b in f.bgp]

    def cut_segments(self):
        return [f for f in self.bgp_frames() if f.cut and f.tcp["len"] > 0]

    def cut_reason(self):
        cut = self.cut_segments()
        if not cut:
            return None
        snaps = sorted({self.snaplen.get(f.cap) for f in cut} - {None})
        return "BGP messages cut by snaplen %s: %d of %d BGP segments with data are shorter in the capture than " \
               "on the wire" % ("/".join(str(s) for s in snaps) or "?", len(cut),
                                len([f for f in self.bgp_frames() if f.tcp["len"] > 0]))

    def sessions(self):
        """Per pair of ends (sorted names): attempts, SYNs, answers, messages, events over time."""
        out = {}
        for f in self.bgp_frames():
            a, b = self.name(f.src), self.name(f.dst)
            key = tuple(sorted([a, b]))
            s = out.setdefault(key, {"syn": 0, "synack": 0, "rst": 0, "md5": 0, "msgs": 0, "opens": {},
                                     "events": [], "first": f, "unplanned": []})
            t = f.tcp
            if t["syn"] and not t["ack"]:
                s["syn"] += 1
                s["md5"] += 1 if t["md5"] else 0
            elif t["syn"] and t["ack"]:
                s["synack"] += 1
            if t["rst"]:
                s["rst"] += 1
            for x in (f.src, f.dst):
                if self.node(x) is None and x not in s["unplanned"]:
                    s["unplanned"].append(x)
                    s["unplanned_ev"] = f
            if f.cut:
                continue
            for m in f.bgp:
                s["msgs"] += 1
                typ = int(m["bgp.type"])
                if typ == 1:
                    s["opens"].setdefault(self.name(f.src), (f, m))
                    s["events"].append("OPEN from %s (%s)" % (self.name(f.src), self.when(f)))
                elif typ == 3:
                    s["events"].append("NOTIFICATION %s from %s (%s)" % (self.notify_words(m), self.name(f.src),
                                                                          self.when(f)))
        return out

    @staticmethod
    def notify_words(m):
        code = int(m.get("bgp.notify.major_error", 0))
        sub = None
        for k, v in m.items():
            if k.startswith("bgp.notify.minor"):
                try:
                    sub = int(v)
                except ValueError:
                    pass
        words = NOTIFY_CODES.get(code, "code %d" % code)
        sw = NOTIFY_SUBCODES.get(code, {}).get(sub) if sub else None
        return "%s (code %d%s)" % (words + (", " + sw if sw else ""), code, "/%d" % sub if sub else "")

    def bgp_session(self):
        bf = self.bgp_frames()
        if not bf:
            return "skip", "no BGP traffic", []
        hold = (self.routing.get("bgp") or {}).get("hold_time")
        fails, warns, ev, lines = [], [], [], []
        for key, s in sorted(self.sessions().items()):
            label = "%s-%s" % key
            if s["unplanned"]:
                fails.append("session end %s is not a planned address of a host or router" % ", ".join(s["unplanned"]))
                ev.append(ev_of(s["unplanned_ev"], "unplanned BGP peer"))
            if s["msgs"] == 0 and s["synack"] == 0 and s["syn"] > 0 and not self.cut_reason():
                how = "unanswered" if s["rst"] == 0 else "answered by RST (%d)" % s["rst"]
                fails.append("no session between %s and %s: %d SYNs to 179 %s%s" % (
                    key[0], key[1], s["syn"], how, " (MD5 option set)" if s["md5"] else ""))
                ev.append(ev_of(s["first"], "SYN to 179"))
                continue
            for who, (f, m) in sorted(s["opens"].items()):
                asn = int(m.get("bgp.open.myas", 0))
                four = find_all(m, "bgp.cap.4as")
                if asn == 23456 and four:
                    asn = int(four[0])
                want = self.asn.get(who)
                if want is not None and asn != int(want):
                    fails.append("OPEN from %s with AS %d, planned %s" % (who, asn, want))
                    ev.append(ev_of(f, "OPEN AS %d" % asn))
                ht = int(m.get("bgp.open.holdtime", -1))
                if hold is not None and ht != int(hold):
                    fails.append("OPEN from %s with hold time %d, planned %s" % (who, ht, hold))
                    ev.append(ev_of(f, "OPEN hold time %d" % ht))
            for f in bf:
                if f.cut or tuple(sorted([self.name(f.src), self.name(f.dst)])) != key:
                    continue
                for m in f.bgp:
                    if int(m["bgp.type"]) != 3:
                        continue
                    msg = "NOTIFICATION %s from %s to %s (%s)" % (self.notify_words(m), self.name(f.src),
                                                                   self.name(f.dst), self.when(f))
                    if int(m.get("bgp.notify.major_error", 0)) == 6:
                        warns.append(msg)
                    else:
                        fails.append(msg)
                        ev.append(ev_of(f, "NOTIFICATION"))
            if s["events"]:
                lines.append("%s: %s" % (label, "; ".join(s["events"][:6])))
        reason = self.cut_reason()
        if fails:
            return "fail", "; ".join(dict.fromkeys(fails)), ev[:4]
        if reason:
            return "warn", reason + "; sessions not judged", [ev_of(f, "BGP segment cut") for f in self.cut_segments()[:2]]
        if warns:
            return "warn", "; ".join(dict.fromkeys(warns)), []
        opens = sum(len(s["opens"]) for s in self.sessions().values())
        if opens == 0:
            return "warn", "BGP traffic but no OPEN seen (capture started after the session came up)", []
        return "pass", "%d OPENs with the planned ASNs%s; %s" % (
            opens, " and hold time %s" % hold if hold is not None else "", " | ".join(lines)), []

    def updates(self):
        """[(frame, sender, origin, reflected, announced [(prefix, next hop)], withdrawn [prefix], eor)]"""
        out = []
        asn_hosts = defaultdict(list)
        for n, a in self.asn.items():
            if a is not None:
                asn_hosts[int(a)].append(n)
        for f, b in self.bgp_msgs():
            if int(b["bgp.type"]) != 2:
                continue
            sender = self.name(f.src)
            path = [int(x) for x in find_all(b, "bgp.update.path_attribute.as_path_segment.as4")
                    + find_all(b, "bgp.update.path_attribute.as_path_segment.as2")]
            orig_id = find_all(b, "bgp.update.path_attribute.originator_id")
            nh4 = find_all(b, "bgp.update.path_attribute.next_hop")
            nh6 = find_all(b, "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6") + \
                find_all(b, "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv4")
            ann, wd = [], []
            for d in find_dicts(b.get("bgp.update.nlri", {}), "bgp.nlri_prefix"):
                ann.append((ipaddress.ip_network("%s/%s" % (d["bgp.nlri_prefix"], d["bgp.prefix_length"])),
                            nh4[0] if nh4 else None))
            for d in find_dicts(b.get("bgp.update.withdrawn_routes", {}), "bgp.withdrawn_prefix"):
                wd.append(ipaddress.ip_network("%s/%s" % (d["bgp.withdrawn_prefix"], d["bgp.prefix_length"])))
            for attr in find_dicts(b, "bgp.update.path_attribute.type_code"):
                tc = int(attr["bgp.update.path_attribute.type_code"])
                if tc not in (14, 15):
                    continue
                for key in ("bgp.mp_reach_nlri_ipv6_prefix", "bgp.mp_reach_nlri_ipv4_prefix",
                            "bgp.mp_unreach_nlri_ipv6_prefix", "bgp.mp_unreach_nlri_ipv4_prefix"):
                    for d in find_dicts(attr, key):
                        net = ipaddress.ip_network("%s/%s" % (d[key], d["bgp.prefix_length"]), strict=False)
                        if tc == 14:
                            ann.append((net, nh6[0] if nh6 else None))
                        else:
                            wd.append(net)
            has_attrs = bool(find_dicts(b, "bgp.update.path_attribute.type_code"))
            only_unreach = has_attrs and all(int(a["bgp.update.path_attribute.type_code"]) == 15
                                             for a in find_dicts(b, "bgp.update.path_attribute.type_code"))
            eor = not ann and not wd and (not has_attrs or only_unreach)
            if orig_id:
                origin = self.by_rid.get(orig_id[0], orig_id[0])
            elif path:
                hosts = asn_hosts.get(path[-1], [])
                origin = hosts if hosts else "AS%d" % path[-1]   # a list: resolved per prefix by its owner
            else:
                origin = sender
            out.append((f, sender, origin, bool(orig_id), ann, wd, eor))
        return out

    def bgp_routes(self):
        reason = self.cut_reason()
        ups = self.updates()
        if reason:
            return "warn", reason + "; routes not judged", [ev_of(f, "BGP segment cut") for f in self.cut_segments()[:2]]
        if not ups:
            return "skip", "no BGP UPDATE", []
        extra, wrong, ev = [], [], []
        state = {}                  # (owner, prefix) -> announced now by its owner's route
        leaks = {}                  # (sender, prefix) -> [announce frame, withdraw frame]
        for f, sender, origin, reflected, ann, wd, eor in ups:
            for net in wd:
                if (sender, net) in leaks and leaks[(sender, net)][1] is None:
                    leaks[(sender, net)][1] = f
                owner = self.planned.get(net)
                if owner is not None and sender == owner:
                    state[(owner, net)] = False
            for net, nh in ann:
                owner = self.planned.get(net)
                org = origin
                if isinstance(org, list):
                    org = owner if owner in org else (org[0] if len(org) == 1 else "AS%s" % self.asn.get(org[0]))
                if owner is None:
                    if (sender, net) not in leaks or leaks[(sender, net)][1] is not None:
                        leaks[(sender, net)] = [f, None]
                        ev.append(ev_of(f, "extra prefix %s" % net))
                    continue
                if org != owner:
                    extra.append("%s originated by %s, owned by %s" % (net, org, owner))
                    ev.append(ev_of(f, "%s originated by non-owner" % net))
                    continue
                if sender == owner or reflected:
                    if nh is None or self.node(nh) != owner:
                        wrong.append("%s from %s with next hop %s" % (net, sender, nh))
                        ev.append(ev_of(f, "wrong next hop %s" % nh))
                if sender == owner:
                    state[(owner, net)] = True
        for (sender, net), (fa, fw) in leaks.items():
            extra.append("%s announced by %s at %s%s" % (
                net, sender, self.when(fa), ", withdrawn at %s" % self.when(fw) if fw else ", never withdrawn"))
        # who is in a session, and whose full table is in the capture (OPEN or End-of-RIB)
        speakers = {self.node(x) for f in self.bgp_frames() for x in (f.src, f.dst)} - {None}   # either end of a session
        complete = {self.node(f.src) for f, b in self.bgp_msgs() if int(b["bgp.type"]) == 1}
        complete |= {s for f, s, o, r, a, w, eor in ups if eor}
        missing, not_seen = [], []
        for s in sorted(speakers):
            for net in self.nets.get(s, []):
                if state.get((s, net)):
                    continue
                (missing if s in complete else not_seen).append("%s (%s)" % (s, net))
        probs = []
        if extra:
            probs.append("extra: " + ", ".join(dict.fromkeys(extra)))
        if wrong:
            probs.append("wrong next hop: " + ", ".join(dict.fromkeys(wrong)))
        if missing:
            probs.append("missing: " + ", ".join(missing))
        ns = "not seen (session up before the capture: no OPEN or End-of-RIB from the speaker): " + \
             ", ".join(not_seen) if not_seen else None
        if probs:
            return "fail", "; ".join(probs + ([ns] if ns else [])), ev[:4]
        present = sorted("%s by %s" % (net, o) for (o, net), v in state.items() if v)
        if ns:
            return "warn", ns + ("; announced: " + ", ".join(present) if present else ""), []
        return "pass", "announced: " + ", ".join(present), []

    # ---------------------------------------------------------------- OSPF
    def ospf_pkts(self):
        out = []
        for f in self.frames:
            if f.ospf:
                hd = f.ospf.get("ospf.header", {})
                out.append((f, int(hd.get("ospf.msg", 0)), hd.get("ospf.srcrouter"), hd.get("ospf.area_id"), f.ospf))
        return out

    def rname(self, rid):
        return self.by_rid.get(rid, rid)

    def links(self):
        """OSPF links: Hellos grouped by capture point and subnet (mask 0 or /32: the
        capture's point-to-point link), then merged where routers list each other."""
        pk = self.ospf_pkts()
        link_of = {}                       # (cap, rid) -> link key
        parent = {}

        def find(k):
            while parent.setdefault(k, k) != k:
                k = parent[k]
            return k
        hellos = []
        for f, msg, rid, area, o in pk:
            if msg != 1:
                continue
            hl = o.get("ospf.hello", {})
            mask = hl.get("ospf.hello.network_mask", "0.0.0.0")
            plen = ipaddress.ip_network("0.0.0.0/%s" % mask).prefixlen
            if 0 < plen < 32:
                lk = (f.cap, str(ipaddress.ip_network("%s/%s" % (f.src, mask), strict=False)))
            else:
                lk = (f.cap, "point-to-point")
            find(lk)
            link_of.setdefault((f.cap, rid), lk)
            hellos.append((f, rid, area, hl, lk, mask))
        for f, rid, area, hl, lk, mask in hellos:
            for nb in as_list(hl.get("ospf.hello.active_neighbor")):
                other = link_of.get((f.cap, nb))
                if other is not None:
                    parent[find(other)] = find(lk)
        groups = defaultdict(lambda: {"hellos": [], "dbd": [], "lsx": 0})
        for f, rid, area, hl, lk, mask in hellos:
            groups[find(lk)]["hellos"].append((f, rid, area, hl, mask))
        for f, msg, rid, area, o in pk:
            lk = link_of.get((f.cap, rid))
            if lk is None:
                continue
            if msg == 2:
                groups[find(lk)]["dbd"].append((f, rid, [int(m) for m in find_all(o, "ospf.db.interface_mtu")]))
            elif msg in (3, 4, 5):
                groups[find(lk)]["lsx"] += 1
        return groups

    def ospf_adjacency(self):
        pk = self.ospf_pkts()
        if not pk:
            return "skip", "no OSPF traffic", []
        want = self.routing.get("ospf") or {}
        probs, ev, notes, singles = [], [], [], []
        for lk, g in sorted(self.links().items()):
            where = "link %s (%s)" % (lk[1], lk[0])
            params, lists, drs = {}, defaultdict(set), {}
            for f, rid, area, hl, mask in g["hellos"]:
                p = {"area": area, "mask": mask, "hello": int(hl.get("ospf.hello.hello_interval", 0)),
                     "dead": int(hl.get("ospf.hello.router_dead_interval", 0))}
                params.setdefault(rid, (p, f))
                lists[rid] |= set(as_list(hl.get("ospf.hello.active_neighbor")))
                dr, bdr = hl.get("ospf.hello.designated_router"), hl.get("ospf.hello.backup_designated_router")
                if dr and dr != "0.0.0.0":
                    drs[rid] = (dr, bdr)
                for k, wk in (("area", "area"), ("hello", "hello_interval"), ("dead", "dead_interval")):
                    if wk in want and str(p[k]) != str(want[wk]):
                        probs.append("Hello from %s on %s has %s %s, planned %s" % (self.rname(rid), where, k, p[k], want[wk]))
                        ev.append(ev_of(f, "Hello %s %s" % (k, p[k])))
            ptp = lk[1] == "point-to-point"
            for k in ("area", "hello", "dead") + (() if ptp else ("mask",)):
                vals = {r: v[0][k] for r, v in params.items()}
                if len(set(vals.values())) > 1:
                    probs.append("routers on %s disagree on %s: %s" % (where, k, ", ".join(
                        "%s=%s" % (self.rname(r), vals[r]) for r in sorted(vals))))
                    ev += [ev_of(v[1], "Hello %s %s" % (k, v[0][k])) for r, v in sorted(params.items())]
            mtus = defaultdict(set)
            for f, rid, ms in g["dbd"]:
                mtus[rid] |= set(ms)
            allm = set().union(*mtus.values()) if mtus else set()
            if len(allm) > 1:
                probs.append("DBD interface MTUs differ on %s: %s" % (where, ", ".join(
                    "%s %s" % (self.rname(r), "/".join(str(m) for m in sorted(mtus[r]))) for r in sorted(mtus))))
                ev += [ev_of(f, "DBD MTU %s" % "/".join(map(str, ms))) for f, rid, ms in g["dbd"][:2]]
            routers = sorted(params)
            if len(routers) == 1:
                singles.append("%s on %s" % (self.rname(routers[0]), where))
                continue
            two_way = all(any(o in lists[r] for o in routers if o != r) for r in routers)
            dbd_from = {rid for f, rid, ms in g["dbd"]}
            if not two_way and len(dbd_from) < 2:
                one = [self.rname(r) for r in routers if lists[r]]
                probs.append("Hellos from %s on %s but they do not list each other (%s)" % (
                    ", ".join(self.rname(r) for r in routers), where,
                    "one-way: only %s lists a neighbour" % ", ".join(one) if one else "no neighbour listed"))
                ev.append(ev_of(g["hellos"][0][0], "Hello without the other router"))
                continue
            if len(dbd_from) >= 2 and g["lsx"]:
                state = "full exchange seen"
            elif len(dbd_from) >= 2:
                state = "exchange seen"
            else:
                state = "2-Way (from Hellos), DBD not seen, MTU not compared"
            dr = ""
            if not ptp:
                if not drs:
                    probs.append("no DR elected on broadcast %s (every Hello has DR 0.0.0.0)" % where)
                    continue
                d, b = list(drs.values())[-1]
                by_ip = {f.src: rid for f, rid, area, hl, mask in g["hellos"]}   # DR/BDR are interface addresses
                dr = ", DR %s, BDR %s" % (self.rname(by_ip.get(d, d)),
                                          self.rname(by_ip.get(b, b)) if b and b != "0.0.0.0" else "none")
            p0 = params[routers[0]][0]
            mt = "/".join(str(m) for m in sorted(allm))
            notes.append("%s: %s %s%s, hello %s dead %s%s" % (where, ", ".join(self.rname(r) for r in routers), state,
                                                                dr, p0["hello"], p0["dead"], ", MTU %s" % mt if mt else ""))
        if probs:
            seen, uniq = set(), []
            for e in ev:
                if (e["capture"], e["frame"]) not in seen:
                    seen.add((e["capture"], e["frame"]))
                    uniq.append(e)
            return "fail", "; ".join(dict.fromkeys(probs)), uniq[:4]
        if not notes:
            return "warn", "Hellos from a single router only (%s)" % "; ".join(singles), []
        return "pass", "; ".join(notes + ["single router: %s" % s for s in singles]), []

    def ospf_lsas(self):
        out = []   # (frame, type, advrouter, [prefixes], default?)
        for f, msg, rid, area, o in self.ospf_pkts():
            if msg != 4:
                continue
            for lsa in find_dicts(o, "ospf.lsa"):
                if "ospf.advrouter" not in lsa or "ospf.lsa.id" not in lsa:
                    continue
                t = int(lsa["ospf.lsa"])
                adv = lsa.get("ospf.advrouter")
                pfx = []
                if t == 1:
                    for link in find_dicts(lsa, "ospf.lsa.router.linktype"):
                        if link["ospf.lsa.router.linktype"] == "3":
                            pfx.append(ipaddress.ip_network("%s/%s" % (link["ospf.lsa.router.linkid"],
                                                                       link["ospf.lsa.router.linkdata"]), strict=False))
                elif t in (2, 3, 5, 7):
                    # type 4 (ASBR-summary) names a router, its mask is 0: no prefix (RFC 2328 12.4.3.1)
                    masks = [v for k, v in lsa.items() if k.endswith("netmask")]
                    if masks:
                        pfx.append(ipaddress.ip_network("%s/%s" % (lsa["ospf.lsa.id"], masks[0]), strict=False))
                out.append((f, t, adv, pfx))
        return out

    def ospf_routes(self):
        lsas = self.ospf_lsas()
        if not lsas:
            return "skip", "no LSA seen", []
        probs, ev, adv_by, defaults = [], [], defaultdict(set), set()
        router_lsa = set()
        for f, t, adv, pfx in lsas:
            who = self.rname(adv)
            if t == 1:
                router_lsa.add(who)
            for net in pfx:
                if net.prefixlen == 0:
                    defaults.add("%s (type %d)" % (who, t))     # a default route: no container subnet
                    continue
                adv_by[who].add(net)
                owner = self.planned.get(net)
                if owner is not None and owner != who and t != 3:
                    probs.append("%s advertised by %s, owned by %s" % (net, who, owner))
                    ev.append(ev_of(f, "%s from non-owner" % net))
                elif owner is None and any(net.version == c.version and net.overlaps(c) for c in self.planned):
                    probs.append("%s from %s overlaps a container subnet" % (net, who))
                    ev.append(ev_of(f, "overlapping prefix %s" % net))
        for who in sorted(router_lsa):
            for net in self.nets.get(who, []):
                if net.version == 4 and net not in adv_by[who]:
                    probs.append("%s originates a Router-LSA without its subnet %s" % (who, net))
        if probs:
            return "fail", "; ".join(dict.fromkeys(probs)), ev[:4]
        return "pass", "advertised: " + ", ".join("%s by %s" % (net, who) for who in sorted(adv_by)
                                                   for net in sorted(adv_by[who]) if net in self.planned) + \
            ("; default route from %s (not a container subnet)" % ", ".join(sorted(defaults)) if defaults else ""), []

    def results(self):
        return {"bgp.session": self.bgp_session(), "bgp.routes": self.bgp_routes(),
                "ospf.adjacency": self.ospf_adjacency(), "ospf.routes": self.ospf_routes()}

    # ---------------------------------------------------------------- facts
    def check_facts(self, facts, require):
        """The lab's control-plane facts, each checked against the captures."""
        pk = self.ospf_pkts()
        msgs = self.bgp_msgs()
        adj = facts.get("ospf.adjacency") or facts.get("ctl.ospf.adjacency")
        if adj == "full":
            require(len({rid for f, m, rid, a, o in pk if m == 2}) >= 2, "OSPF adjacency formed but no DBD from both")
            require(any(m == 4 for f, m, rid, a, o in pk), "OSPF adjacency formed but no LS Update")
        if adj == "none":
            require(len({rid for f, m, rid, a, o in pk if m == 1}) >= 2, "mismatch case: Hellos from both routers expected")
            require(not any(m == 2 for f, m, rid, a, o in pk), "mismatch case: a DBD was exchanged")
        if adj == "none" or "ctl.ospf.mismatch" in facts:
            hs = {int(o.get("ospf.hello", {}).get("ospf.hello.hello_interval", 0)) for f, m, rid, a, o in pk if m == 1}
            require(len(hs) > 1, "mismatch case: Hellos do not differ in hello interval")
        if facts.get("ctl.ospf.steady") == "yes":
            lists = defaultdict(set)
            for f, m, rid, a, o in pk:
                if m == 1:
                    lists[rid] |= set(as_list(o.get("ospf.hello", {}).get("ospf.hello.active_neighbor")))
            require(len(lists) >= 2 and all(any(x in lists[r] for x in lists if x != r) for r in lists),
                    "steady state: Hellos from two routers listing each other expected")
            require(not any(m in (2, 3, 4) for f, m, rid, a, o in pk),
                    "steady state: a DBD or LS Request/Update is in the capture (captured before Full?)")
        if "ctl.ospf.mtu" in facts:
            for item in facts["ctl.ospf.mtu"].split(","):
                cap, pair = item.split(":")
                want = {int(x) for x in pair.split("/")}
                got = {int(m) for f, m_, rid, a, o in pk if m_ == 2 and f.cap == cap
                       for m in find_all(o, "ospf.db.interface_mtu")}
                require(got == want, "DBD MTUs on %s are %s, the lab set %s" % (cap, sorted(got), sorted(want)))
        if facts.get("ctl.ospf.ptp") == "yes":
            masks = {o.get("ospf.hello", {}).get("ospf.hello.network_mask") for f, m, rid, a, o in pk if m == 1}
            require(masks and masks <= {"0.0.0.0", "255.255.255.255"},
                    "point-to-point link but Hellos carry masks %s" % sorted(masks - {None}))
            require(len({rid for f, m, rid, a, o in pk if m == 1}) >= 2, "point-to-point: Hellos from both routers expected")
        if "ctl.ospf.default" in facts:
            rid = self.node_rid(facts["ctl.ospf.default"])
            require(any(t == 5 and adv == rid and any(n.prefixlen == 0 for n in pfx) for f, t, adv, pfx in self.ospf_lsas()),
                    "no AS-external LSA 0.0.0.0/0 from %s" % facts["ctl.ospf.default"])
        if facts.get("bgp") == "on":
            opens = {f.src for f, b in msgs if int(b["bgp.type"]) == 1}
            require(len(opens) >= 2, "BGP session came up but OPENs from both ends are not in the capture")
            hold = int(facts.get("bgp.hold", 0))
            require(all(int(b.get("bgp.open.holdtime", -1)) == hold for f, b in msgs if int(b["bgp.type"]) == 1),
                    "OPEN hold time differs from the configured %d" % hold)
        if "bgp.extra" in facts:
            host, pfx = facts["bgp.extra"].split(":")
            net = ipaddress.ip_network(pfx)
            require(any(s == host and any(n == net for n, nh in ann) for f, s, o, r, ann, wd, e in self.updates()),
                    "extra prefix %s announced by %s is not in any UPDATE" % (pfx, host))
        for pair in (facts.get("ctl.bgp.up") or "").split(",") if facts.get("ctl.bgp.up") else []:
            a, b = pair.split("-")
            s = self.sessions().get(tuple(sorted([a, b])), {})
            require(set(s.get("opens", {})) >= {a, b}, "session %s came up but OPENs from both are not in the capture" % pair)
        if "ctl.bgp.ends" in facts:
            a, b = facts["ctl.bgp.ends"].split("-")
            require(any({f.src, f.dst} == {a, b} for f, m in msgs), "no BGP message between %s and %s" % (a, b))
        if "ctl.bgp.reflected" in facts:
            rr, pfx, owner = facts["ctl.bgp.reflected"].split(":")
            net = ipaddress.ip_network(pfx)
            require(any(s == rr and r and o == owner and any(n == net for n, nh in ann)
                        for f, s, o, r, ann, wd, e in self.updates()),
                    "%s is not seen reflected by %s with ORIGINATOR_ID of %s" % (pfx, rr, owner))
        if "ctl.bgp.v6" in facts:
            host, pfx = facts["ctl.bgp.v6"].split(":", 1)
            net = ipaddress.ip_network(pfx)
            require(any(s == host and any(n == net for n, nh in ann) for f, s, o, r, ann, wd, e in self.updates()),
                    "IPv6 prefix %s from %s is not in any UPDATE" % (pfx, host))
        if "ctl.bgp.never_up" in facts:
            a, b = facts["ctl.bgp.never_up"].split("-")
            s = self.sessions().get(tuple(sorted([a, b])), {})
            require(s.get("syn", 0) >= 2 and s.get("synack", 0) == 0 and s.get("msgs", 0) == 0,
                    "session %s-%s said never to come up, but SYNs %s, SYN-ACKs %s, messages %s" % (
                        a, b, s.get("syn"), s.get("synack"), s.get("msgs")))
        if facts.get("ctl.bgp.md5") == "yes":
            syns = [f for f in self.bgp_frames() if f.tcp["syn"] and not f.tcp["ack"]]
            require(syns and all(f.tcp["md5"] for f in syns), "TCP MD5 set but SYNs without the MD5 option")
        if "ctl.bgp.hold_expired" in facts:
            who = facts["ctl.bgp.hold_expired"]
            require(any(int(m["bgp.type"]) == 3 and int(m.get("bgp.notify.major_error", 0)) == 4 and self.node(f.src) == who
                        for f, m in msgs), "no Hold Timer Expired NOTIFICATION from %s" % who)
        if "ctl.bgp.leak" in facts:
            host, pfx = facts["ctl.bgp.leak"].split(":")
            net = ipaddress.ip_network(pfx)
            ups = self.updates()
            ia = [i for i, u in enumerate(ups) if u[1] == host and any(n == net for n, nh in u[4])]
            iw = [i for i, u in enumerate(ups) if u[1] == host and net in u[5]]
            require(ia and iw and min(ia) < max(iw), "leak %s from %s not seen announced then withdrawn" % (pfx, host))
        if "ctl.bgp.midsession" in facts:
            host = facts["ctl.bgp.midsession"]
            require(not any(int(m["bgp.type"]) == 1 for f, m in msgs), "mid-session capture but an OPEN is in it")
            require(any(u[1] == host for u in self.updates()), "mid-session capture but no UPDATE from %s" % host)
        if "ctl.snaplen" in facts:
            snap = int(facts["ctl.snaplen"])
            require(all(v == snap for v in self.snaplen.values()), "captures' snaplen %s, the lab set %d" % (self.snaplen, snap))
            require(len(self.cut_segments()) > 0, "snaplen %d but no BGP segment is cut" % snap)

    def node_rid(self, name):
        for n in (self.d.get("hosts") or []) + (self.d.get("routers") or []):
            if n["name"] == name:
                return str(n.get("router_id") or as_list(n["address"])[0])
        return None
