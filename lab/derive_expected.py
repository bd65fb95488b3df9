#!/usr/bin/env python3
"""Derive a lab scenario's expected.json from its captures and its plan.

This is an independent oracle for the Swift verifier: it reads the captures
with tshark (JSON decode, IP reassembly off, UDP 8472 decoded as VXLAN like
4789) and applies the rules of docs/CHECKS.md to that decode, check by check.
Nothing here is typed in per scenario: the statuses, metrics and evidence
come from the rules.

The lab also tells us what it did (--facts key=value ...).  Before writing
anything we verify that the capture shows those facts (MASQUERADE on => some
packet is seen source-translated at two points; extra BGP prefix => an UPDATE
announces it; MTU mistake => tunnel fragments or ICMP fragmentation-needed;
...).  If the capture contradicts the lab, we refuse: exit 1, no file.

Readings chosen where CHECKS.md leaves room (also written into the notes):
  * NAT direction.  A translation is judged on the packets of the direction
    that opened the conversation (TCP SYN sender, ICMP echo requester, else
    the first sender seen).  The reply of a source-NATed flow necessarily has
    its destination rewritten back, and the reply of a DNATed flow its source:
    those are the reverse halves of the same translation (conntrack), not a
    second NAT, so they are attributed to the forward translation.
  * "Pre" and "post" of a translation: of the two sightings of one packet the
    earlier one is before the NAT box.
  * route.nexthop: a frame sent by the host that owns the destination subnet
    is local delivery (no next hop to judge).
  * encap.mtu "on the underlay": frames whose Ethernet source or destination is
    a planned host's or router's MAC (plan or ARP), or tunnel packets.

usage: derive_expected.py SCENARIO_DIR --captures A.pcap B.pcap --facts k=v ...
"""
import argparse
import copy
import hashlib
import ipaddress
import json
import os
import subprocess
import sys
from collections import defaultdict

import yaml

import oracle_control                  # bgp.* and ospf.*
import oracle_dataplane as dataplane   # the data-plane rules of contract 1.1

CHECK_IDS = ["plan.valid", "nat.source", "nat.destination", "encap.mode", "encap.overhead",
             "encap.mtu", "encap.vtep", "route.nexthop", "route.errors", "bgp.session",
             "bgp.routes", "ospf.adjacency", "ospf.routes", "arp.conflict", "path.delivery", "encap.checksum",
             "flow.answered", "route.symmetry"]
VXLAN_PORTS = (4789, 8472)
GENEVE_PORT = 6081
ROUTE_ERR_UNREACH = {0, 1, 6, 7, 9, 10, 11, 12, 13}


class Refuse(Exception):
    """The capture contradicts what the lab says it did."""


# --------------------------------------------------------------------------
# tshark decode -> frames
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


class IPL:
    """One IPv4 header level of a frame."""

    def __init__(self, d):
        self.src = d.get("ip.src")
        self.dst = d.get("ip.dst")
        self.ttl = int(d.get("ip.ttl", 0))
        self.proto = int(d.get("ip.proto", 0))
        self.id = int(d.get("ip.id", "0x0"), 16)
        self.len = int(d.get("ip.len", 0))
        self.hdr_len = int(d.get("ip.hdr_len", 20))
        ft = d.get("ip.flags_tree", {})
        self.df = ft.get("ip.flags.df") == "1"
        self.mf = ft.get("ip.flags.mf") == "1"
        self.frag_offset = int(d.get("ip.frag_offset", 0))

    @property
    def fragmented(self):
        return self.mf or self.frag_offset > 0


class Frame:
    def __init__(self, cap, layers):
        fr = layers["frame"]
        self.cap = cap
        self.no = int(fr["frame.number"])
        self.len = int(fr["frame.len"])
        self.t = float(fr["frame.time_epoch"])
        eths = as_list(layers.get("eth"))
        self.eth_src = eths[0].get("eth.src") if eths else None
        self.eth_dst = eths[0].get("eth.dst") if eths else None
        # ARP
        arp = layers.get("arp")
        self.arp = None
        if isinstance(arp, dict):
            self.arp = (int(arp.get("arp.opcode", 0)), arp.get("arp.src.hw_mac"), arp.get("arp.src.proto_ipv4"))
        # IP levels outside ICMP error quotes (top level of the layer list)
        self.ips = dataplane.ip_levels(layers, IPL)
        udps = as_list(layers.get("udp"))
        tcps = as_list(layers.get("tcp"))
        self.udp_outer = udps[0] if udps else None
        # tunnel identification on the outer IP
        self.tunnel = None
        o = self.ips[0] if self.ips else None
        if o is not None:
            if o.proto == 17 and self.udp_outer is not None:
                dport = int(self.udp_outer.get("udp.dstport", 0))
                sport = int(self.udp_outer.get("udp.srcport", 0))
                ulen = int(self.udp_outer.get("udp.length", 0))
                if "vxlan" in layers and (dport in VXLAN_PORTS or sport in VXLAN_PORTS):
                    vx = as_list(layers["vxlan"])[0]
                    self.tunnel = {"kind": "vxlan", "vni": int(vx.get("vxlan.vni", -1)), "port": dport,
                                   "inner_len": ulen - 8 - 8}
                elif "geneve" in layers and dport == GENEVE_PORT:
                    gv = as_list(layers["geneve"])[0]
                    optlen = int(gv.get("geneve.option_len", 0) or 0)
                    self.tunnel = {"kind": "geneve", "vni": int(gv.get("geneve.vni", "0x0"), 0), "port": dport,
                                   "inner_len": ulen - 8 - 8 - optlen}
            elif o.proto in (4, 41) and o.frag_offset == 0 and len(self.ips) + (1 if "ipv6" in layers else 0) >= 2:
                self.tunnel = {"kind": "ipip" if o.proto == 4 else "6in4", "vni": None, "port": None,
                               "inner_len": o.len - o.hdr_len}
            elif o.proto == 47:
                self.tunnel = {"kind": "gre", "vni": None, "port": None, "inner_len": None}
        # the innermost IP packet and its L4
        self.inner = self.ips[-1] if self.ips else None
        self.is_tunnel = self.tunnel is not None
        if self.is_tunnel and len(self.ips) < 2:
            self.inner = None          # first fragment cut before the inner IP
        self.l4 = None                 # (proto, sport, dport, seq, payload_len, payload_hash, extra)
        self.tcp = None
        self.icmp = None
        inner = self.inner
        n_udp_tunnel = 1 if (self.tunnel and self.tunnel["kind"] in ("vxlan", "geneve")) else 0
        if inner is not None and inner.frag_offset == 0:
            if inner.proto == 6 and tcps:
                t = tcps[-1]
                fl = t.get("tcp.flags_tree", {})
                self.tcp = {"sport": int(t["tcp.srcport"]), "dport": int(t["tcp.dstport"]),
                            "seq": int(t.get("tcp.seq_raw", 0)), "ack": int(t.get("tcp.ack_raw", 0)),
                            "syn": fl.get("tcp.flags.syn") == "1", "ackf": fl.get("tcp.flags.ack") == "1",
                            "fin": fl.get("tcp.flags.fin") == "1", "rst": fl.get("tcp.flags.reset") == "1",
                            "len": int(t.get("tcp.len", 0)), "payload": t.get("tcp.payload", "")}
                self.l4 = (6, self.tcp["sport"], self.tcp["dport"], self.tcp["seq"], self.tcp["len"],
                           h(self.tcp["payload"]))
            elif inner.proto == 17 and len(udps) > n_udp_tunnel:
                u = udps[-1]
                payload = u.get("udp.payload", "")
                self.l4 = (17, int(u["udp.srcport"]), int(u["udp.dstport"]), 0, int(u.get("udp.length", 8)) - 8,
                           h(payload))
            elif inner.proto == 1 and "icmp" in layers:
                ic = as_list(layers["icmp"])[-1]
                data = "".join(find_all({k: v for k, v in ic.items() if k not in ("ip", "icmp", "udp", "tcp")},
                                        "data.data"))
                q = ic.get("ip") if isinstance(ic.get("ip"), dict) else None
                self.icmp = {"type": int(ic.get("icmp.type", -1)), "code": int(ic.get("icmp.code", -1)),
                             "ident": int(ic.get("icmp.ident", 0) or 0), "seq": int(ic.get("icmp.seq", 0) or 0),
                             "quoted": (q.get("ip.src"), q.get("ip.dst")) if q else None}
                plen = inner.len - inner.hdr_len - 8
                if self.icmp["type"] in (0, 8):
                    self.l4 = (1, self.icmp["ident"], self.icmp["ident"], self.icmp["seq"], plen, h(data))
                else:
                    self.l4 = (1, 0, 0, 0, plen, h(json.dumps(ic.get("ip", {}), sort_keys=True)))
        dataplane.frame_extra(self, layers, h)

    def key(self):
        """Identity of 'the same packet at two points' (CHECKS.md, Words)."""
        if self.inner is None or self.l4 is None:
            return None
        proto, sport, dport, seq, plen, ph = self.l4
        return (self.inner.proto, self.inner.id, plen, ph, seq)

    def ends(self):
        """((src, sport), (dst, dport)) of the innermost packet."""
        if self.inner is None or self.l4 is None:
            return None
        return ((self.inner.src, self.l4[1]), (self.inner.dst, self.l4[2]))


def h(hexstr):
    return hashlib.sha1(hexstr.replace(":", "").encode()).hexdigest()[:16]


def read_capture(path):
    cmd = ["tshark", "-n", "-r", path, "-o", "ip.defragment:FALSE", "-d", "udp.port==8472,vxlan",
           "-T", "json", "--no-duplicate-keys"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120).stdout
    cap = os.path.basename(path)
    return [Frame(cap, p["_source"]["layers"]) for p in json.loads(out or "[]")]


def pcap_linktype(path):
    """Link type of a classic pcap file, or None when it is not classic pcap."""
    import struct
    with open(path, "rb") as fh:
        hdr = fh.read(24)
    if len(hdr) < 24:
        return None
    magic = hdr[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        return struct.unpack("<I", hdr[20:24])[0]
    if magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        return struct.unpack(">I", hdr[20:24])[0]
    return None


# --------------------------------------------------------------------------
# the plan
# --------------------------------------------------------------------------

class Plan:
    def __init__(self, d):
        d, lists = dataplane.plan_lists(d)      # (1.1) dual stack: first entries here, all in lists
        self.d = d
        self.hosts = d.get("hosts") or []
        self.routers = d.get("routers") or []
        self.nat = d.get("nat", "none")
        self.mode = d["transport"]["mode"]
        self.transport = d["transport"]
        self.underlay_mtu = int((d.get("underlay") or {}).get("mtu", 1500))
        self.publish = d.get("publish") or []
        self.routes = d.get("routes")            # None = default routes
        self.routing = d.get("routing") or {}
        self.nets = {hh["name"]: ipaddress.ip_network(hh["containers"]) for hh in self.hosts}
        self.addr = {n["name"]: n["address"] for n in self.hosts + self.routers}
        self.by_addr = {n["address"]: n["name"] for n in self.hosts + self.routers}
        self.by_rid = {}
        for hh in self.hosts:
            self.by_rid[hh.get("router_id", hh["address"])] = hh["name"]
            self.by_rid.setdefault(hh["address"], hh["name"])
        self.asn = {hh["name"]: hh.get("asn") for hh in self.hosts}
        self.plan_mac = {n["name"]: str(n["mac"]).lower() for n in self.hosts + self.routers if n.get("mac")}
        self.router_names = {r["name"] for r in self.routers}
        dataplane.plan_extend(self, lists)

    def owner(self, ip):
        if ip is None:
            return None
        try:
            a = ipaddress.ip_address(ip)
        except ValueError:
            return None
        for name, nets in self.all_nets.items():
            if any(a.version == net.version and a in net for net in nets):
                return name
        return None

    def is_container(self, ip):
        return self.owner(ip) is not None

    def next_hop(self, at, dst_ip):
        """Planned next-hop address for traffic at `at` to dst_ip, or None."""
        if self.routes is None:
            o = self.owner(dst_ip)
            return self.addr.get(o) if o else None
        a = ipaddress.ip_address(dst_ip)
        best = None
        for r in self.routes:
            if r["at"] != at:
                continue
            net = ipaddress.ip_network(r["to"])
            if a.version == net.version and a in net and (best is None or net.prefixlen > best[0].prefixlen):
                best = (net, r["via"])
        return best[1] if best else None


def plan_valid(plan, more=()):
    problems = list(more)
    hosts = plan.hosts
    nets = [(hh["name"], ipaddress.ip_network(hh["containers"])) for hh in hosts]
    for i in range(len(nets)):
        for j in range(i + 1, len(nets)):
            if nets[i][1].version == nets[j][1].version and nets[i][1].overlaps(nets[j][1]):
                problems.append("container subnets of %s and %s overlap" % (nets[i][0], nets[j][0]))
    for n in hosts + plan.routers:
        a = ipaddress.ip_address(n["address"])
        for name, net in nets:
            if a.version == net.version and a in net:
                problems.append("%s's address %s is inside %s's container subnet" % (n["name"], a, name))
    underlay = (plan.d.get("underlay") or {}).get("subnet")
    if underlay:
        u = ipaddress.ip_network(underlay)
        for name, net in nets:
            inside = net.version == u.version and net.subnet_of(u)
            if plan.mode == "bridged" and not inside:
                problems.append("%s's containers %s are not inside the underlay %s, which a bridged plan needs" % (name, net, u))
            elif plan.mode != "bridged" and net.version == u.version and net.overlaps(u):
                problems.append("%s's containers %s overlap the underlay %s in %s mode" % (name, net, u, plan.mode))
    names = {n["name"] for n in hosts + plan.routers}
    for r in plan.routes or []:
        if r["at"] not in names:
            problems.append("route at unknown host/router %s" % r["at"])
    seen = {}
    for n in hosts + plan.routers:
        if n["address"] in seen:
            problems.append("%s and %s share address %s" % (seen[n["address"]], n["name"], n["address"]))
        seen[n["address"]] = n["name"]
    for p in plan.publish:
        if p["host"] not in plan.nets:
            problems.append("publish names unknown host %s" % p["host"])
        else:
            ip = str(p["to"]).rsplit(":", 1)[0]
            if ipaddress.ip_address(ip) not in plan.nets[p["host"]]:
                problems.append("publish target %s is outside %s's containers" % (p["to"], p["host"]))
    if problems:
        return "fail", "; ".join(problems), []
    return "pass", "plan is consistent", []


# --------------------------------------------------------------------------
# the checks
# --------------------------------------------------------------------------

class Lab:
    def __init__(self, plan, frames_by_cap, order):
        self.plan = plan
        self.order = order
        self.fbc = frames_by_cap
        self.frames = [f for c in order for f in frames_by_cap[c]]
        self.arp_ip_mac = defaultdict(set)      # ip -> MACs claimed in ARP
        for f in self.frames:
            if f.arp and f.arp[2] and f.arp[2] != "0.0.0.0":
                self.arp_ip_mac[f.arp[2]].add(f.arp[1].lower())
        # MACs of planned hosts/routers: plan first, else ARP for their address
        self.node_macs = {}
        for name, addr in plan.addr.items():
            macs = set()
            if name in plan.plan_mac:
                macs.add(plan.plan_mac[name])
            else:
                macs |= self.arp_ip_mac.get(addr, set())
            self.node_macs[name] = macs
        self.mac_node = {}
        for name, macs in self.node_macs.items():
            for m in macs:
                self.mac_node.setdefault(m, name)
        self._pairs = None
        self._init = None

    # --- basic predicates
    def container_traffic(self, f):
        return f.inner is not None and (self.plan.is_container(f.inner.src) or self.plan.is_container(f.inner.dst))

    def cross_host(self, f):
        if not self.container_traffic(f):
            return False
        return self.plan.owner(f.inner.src) != self.plan.owner(f.inner.dst)

    def mac_of_ip(self, ip):
        name = self.plan.by_addr.get(ip)
        if name and self.node_macs.get(name):
            return self.node_macs[name]
        return self.arp_ip_mac.get(ip, set())

    # --- conversations and "the same packet at two points"
    def initiators(self):
        """Per capture: conversation -> initiating endpoint (SYN sender, echo requester, first sender)."""
        if self._init is not None:
            return self._init
        init = {}
        for c in self.order:
            seen = {}
            for f in sorted(self.fbc[c], key=lambda x: (x.t, x.no)):
                e = f.ends()
                if e is None:
                    continue
                conv = (c, f.inner.proto, frozenset(e))
                if f.tcp is not None and f.tcp["syn"] and not f.tcp["ackf"]:
                    seen[conv] = e[0]
                elif f.icmp is not None and f.icmp["type"] == 8:
                    seen[conv] = e[0]
                elif f.icmp is not None and f.icmp["type"] == 0:
                    seen.setdefault(conv, e[1])
                else:
                    seen.setdefault(conv, e[0])
            init.update(seen)
        self._init = init
        return init

    def forward(self, f):
        e = f.ends()
        conv = (f.cap, f.inner.proto, frozenset(e))
        return self.initiators().get(conv) == e[0]

    def matched(self):
        """[(pre, post)] sightings of one packet at two different points, pre = earlier."""
        if self._pairs is not None:
            return self._pairs
        by_key = defaultdict(list)
        for f in self.frames:
            k = f.key()
            if k is not None:
                by_key[k].append(f)
        pairs = []
        self.seen_multi = set()
        for k, fs in by_key.items():
            caps = {f.cap for f in fs}
            if len(caps) < 2:
                continue
            for f in fs:
                self.seen_multi.add((f.cap, f.no))
            fs = sorted(fs, key=lambda x: (x.t, self.order.index(x.cap)))
            for i in range(len(fs)):
                for j in range(i + 1, len(fs)):
                    if fs[i].cap != fs[j].cap:
                        pairs.append((fs[i], fs[j]))
        self._pairs = pairs
        return pairs

    def translations(self):
        """Forward-direction translations: list of (kind, pre, post)."""
        out = []
        for a, b in self.matched():
            ea, eb = a.ends(), b.ends()
            if not self.forward(a):
                continue  # reply half: the reverse of the forward translation
            if ea[0] != eb[0]:
                out.append(("snat", a, b))
            if ea[1] != eb[1]:
                out.append(("dnat", a, b))
        return out

    # --- checks
    def nat_source(self):
        p = self.plan
        if p.nat == "allowed":
            return "skip", "nat: allowed", []
        if not any(self.cross_host(f) for f in self.frames):
            return "skip", "no cross-host container traffic", []
        bad, ok = [], []
        for kind, a, b in self.translations():
            if kind != "snat":
                continue
            old, new = a.ends()[0], b.ends()[0]
            if p.nat == "masquerade" and new[0] == p.addr.get(p.owner(old[0])):
                ok.append((a, b))
            else:
                bad.append((a, b, old, new))
        if bad:
            flows = sorted({"%s:%s -> %s:%s" % (o[0], o[1], n[0], n[1]) for _, _, o, n in bad})
            ev = []
            for a, b, _, _ in bad[:3]:
                ev.append(ev_of(b, "source translated (before: %s frame %d)" % (a.cap, a.no)))
            return "fail", "%d packet(s) source-NATed: %s" % (len(bad), ", ".join(flows[:4])), ev
        # one point only: the translation pattern
        self.matched()
        talks = set()
        for f in self.frames:
            if self.container_traffic(f) and p.owner(f.inner.src) and p.owner(f.inner.dst):
                talks.add((p.owner(f.inner.src), p.owner(f.inner.dst)))
        warn = []
        for f in self.frames:
            if f.inner is None or (f.cap, f.no) in self.seen_multi:
                continue
            b = p.owner(f.inner.dst)
            a = p.by_addr.get(f.inner.src)
            if b and a and a in p.nets and a != b and (a, b) in talks and f.l4 is not None and self.forward(f):
                warn.append(f)
        if warn:
            return "warn", "%d packet(s) from a host address to containers of another host whose containers " \
                           "also talk to them (translation pattern, seen at one point only)" % len(warn), \
                   [ev_of(f, "possible source NAT") for f in warn[:3]]
        if ok:
            return "pass", "%d packet(s) masqueraded to their host's address, as planned" % len(ok), []
        return "pass", "container sources unchanged across hosts", []

    def nat_destination(self):
        p = self.plan
        if p.nat == "allowed":
            return "skip", "nat: allowed", []
        if not any(f.inner is not None and (p.is_container(f.inner.dst) or f.inner.dst in p.by_addr)
                   for f in self.frames):
            return "skip", "no traffic to a container or host address", []
        bad, good = [], set()
        for kind, a, b in self.translations():
            if kind != "dnat":
                continue
            (od, odp), (nd, ndp) = a.ends()[1], b.ends()[1]
            proto = {6: "tcp", 17: "udp"}.get(a.inner.proto, str(a.inner.proto))
            hit = False
            for pub in p.publish:
                hip = p.addr.get(pub["host"])
                to_ip, to_port = str(pub["to"]).rsplit(":", 1)
                if hip == od and int(pub["port"]) == odp and pub.get("protocol", "tcp") == proto \
                        and to_ip == nd and int(to_port) == ndp:
                    hit = True
            if hit:
                good.add("%s:%s/%s -> %s:%s" % (od, odp, proto, nd, ndp))
            else:
                bad.append((a, b, "%s:%s/%s -> %s:%s" % (od, odp, proto, nd, ndp)))
        if bad:
            ev = []
            for a, b, _ in bad[:3]:
                ev.append(ev_of(b, "destination translated, not published (before: %s frame %d)" % (a.cap, a.no)))
            return "fail", "undeclared destination NAT: %s" % ", ".join(sorted({x[2] for x in bad})), ev
        if good:
            return "pass", "published translations: %s" % ", ".join(sorted(good)), []
        return "pass", "no destination NAT", []

    def tunnel_frames(self):
        """Tunnel frames, including non-first fragments of tunnel packets."""
        groups = defaultdict(list)   # (cap, src, dst, id, proto) -> frames
        for f in self.frames:
            if f.ips:
                o = f.ips[0]
                groups[(f.cap, o.src, o.dst, o.id, o.proto)].append(f)
        out = []
        for g, fs in groups.items():
            heads = [f for f in fs if f.is_tunnel]
            if not heads:
                continue
            for f in fs:
                if f.is_tunnel or f.ips[0].fragmented:
                    out.append((f, heads[0]))
        return out

    def encap_mode(self):
        p = self.plan
        if not any(self.container_traffic(f) for f in self.frames):
            return "skip", "no container traffic", []
        tf = [f for f in self.frames if f.is_tunnel]
        if p.mode in ("routed", "bridged"):
            bad = [f for f in tf if (f.ips[0].src in p.by_addr and f.ips[0].dst in p.by_addr)
                   or self.container_traffic(f)]
            if bad:
                return "fail", "%s tunnel packets seen in %s mode" % (bad[0].tunnel["kind"], p.mode), \
                       [ev_of(f, "tunnel packet") for f in bad[:3]]
            return "pass", "no tunnel, as planned (%s)" % p.mode, []
        want = p.mode
        cfg = p.transport.get(want) or {}
        wvni = cfg.get("vni")
        wport = cfg.get("port", 4789 if want == "vxlan" else GENEVE_PORT if want == "geneve" else None)
        bad = []
        for f in tf:
            t = f.tunnel
            if t["kind"] != want or (want in ("vxlan", "geneve") and
                                     ((wvni is not None and t["vni"] != int(wvni)) or t["port"] != int(wport))):
                bad.append(f)
        if bad:
            t = bad[0].tunnel
            return "fail", "unplanned tunnel: %s vni %s port %s" % (t["kind"], t["vni"], t["port"]), \
                   [ev_of(f, "unplanned tunnel") for f in bad[:3]]
        if not tf:
            return "skip", "no tunnel traffic", []
        desc = want + ("" if want == "ipip" else " vni %s port %s" % (wvni, wport))
        return "pass", "%d tunnel packets, all %s" % (len(tf), desc), []

    def metrics(self):
        per = {}
        tf = self.tunnel_frames()
        heads_done = set()
        for f, head in tf:
            kind = head.tunnel["kind"]
            m = per.setdefault(kind, {"packets": 0, "frames_len": 0, "inner_len": 0})
            m["frames_len"] += f.len
            hk = (head.cap, head.no)
            if hk not in heads_done:
                heads_done.add(hk)
                m["packets"] += 1
                m["inner_len"] += head.tunnel["inner_len"] or 0
        out = []
        for kind in sorted(per):
            m = per[kind]
            ob = m["frames_len"] - m["inner_len"]
            bpp = ob / m["packets"] if m["packets"] else 0
            out.append({"kind": kind, "packets": m["packets"], "overhead_bytes": ob,
                        "overhead_bytes_per_packet": int(bpp) if float(bpp).is_integer() else round(bpp, 6),
                        "overhead_ratio": round(ob / m["frames_len"], 6) if m["frames_len"] else 0})
        return out

    def encap_overhead(self, metrics):
        if not metrics:
            return "skip", "no tunnel packet", []
        mx = self.plan.transport.get("max_overhead_ratio")
        desc = "; ".join("%s: %d packets, %s bytes/packet, ratio %s" % (m["kind"], m["packets"],
                         m["overhead_bytes_per_packet"], m["overhead_ratio"]) for m in metrics)
        if mx is not None:
            over = [m for m in metrics if m["overhead_ratio"] > float(mx)]
            if over:
                return "fail", "%s above max_overhead_ratio %s" % (desc, mx), []
        return "pass", desc, []

    def on_underlay(self, f):
        if f.is_tunnel:
            return True
        return bool(f.eth_src and f.eth_src.lower() in self.mac_node) or \
            bool(f.eth_dst and f.eth_dst.lower() in self.mac_node)

    def encap_mtu(self):
        p = self.plan
        if not any(self.container_traffic(f) for f in self.frames):
            return "skip", "no container traffic", []
        probs, ev = [], []
        frag = [f for f, head in self.tunnel_frames() if f.ips[0].fragmented]
        if frag:
            probs.append("%d fragmented tunnel frames" % len(frag))
            ev += [ev_of(f, "fragment of a tunnel packet") for f in frag[:2]]
        fn = [f for f in self.frames if f.icmp and f.icmp["type"] == 3 and f.icmp["code"] == 4]
        if fn:
            probs.append("%d ICMP fragmentation-needed" % len(fn))
            ev += [ev_of(f, "ICMP fragmentation needed") for f in fn[:2]]
        big = [f for f in self.frames if f.ips and self.on_underlay(f) and f.ips[0].len > p.underlay_mtu]
        if big:
            probs.append("%d packets larger than the underlay MTU %d" % (len(big), p.underlay_mtu))
            ev += [ev_of(f, "IP packet larger than underlay MTU") for f in big[:2]]
        tm = p.transport.get("mtu")
        if tm is not None:
            ib = [f for f in self.frames if f.is_tunnel and len(f.ips) >= 2 and f.ips[-1].len > int(tm)]
            if ib:
                probs.append("%d inner packets larger than transport.mtu %s" % (len(ib), tm))
                ev += [ev_of(f, "inner packet larger than transport.mtu") for f in ib[:2]]
        # black hole: same TCP segment (>576 bytes) sent 3+ times at one point, never acknowledged
        acks = defaultdict(int)
        for f in self.frames:
            if f.tcp and f.tcp["ackf"]:
                e = f.ends()
                k = (e[1], e[0])
                acks[k] = max(acks[k], f.tcp["ack"])
        cnt = defaultdict(list)
        for f in self.frames:
            if f.tcp and f.tcp["len"] > 576:
                e = f.ends()
                cnt[(f.cap, e, f.tcp["seq"], f.tcp["len"])].append(f)
        for (c, e, seq, ln), fs in cnt.items():
            if len(fs) >= 3 and (acks.get(e, 0) - (seq + ln)) % (1 << 32) >= (1 << 31):
                probs.append("PMTUD black hole: segment seq %d sent %d times unacknowledged" % (seq, len(fs)))
                ev.append(ev_of(fs[0], "segment never acknowledged"))
        if probs:
            return "fail", "; ".join(probs), ev
        return "pass", "no fragmentation, oversize packets or ICMP fragmentation-needed", []

    def encap_vtep(self):
        p = self.plan
        tf = [f for f in self.frames if f.is_tunnel and len(f.ips) >= 2 and p.is_container(f.ips[-1].dst)]
        if not tf:
            return "skip", "no tunnel packet carries traffic to a container subnet", []
        bad = [f for f in tf if f.ips[0].dst != p.addr[p.owner(f.ips[-1].dst)]]
        if bad:
            return "fail", "%d tunnel packets sent to a VTEP that does not own the inner destination" % len(bad), \
                   [ev_of(f, "outer destination is not the owner of the inner destination") for f in bad[:3]]
        return "pass", "%d tunnel packets, each to the host owning its inner destination" % len(tf), []

    def route_nexthop(self):
        p = self.plan
        judged, bad, why = 0, [], set()
        for f in self.frames:
            if f.inner is None or not p.is_container(f.inner.dst) or not f.eth_src:
                continue
            sender = self.mac_node.get(f.eth_src.lower())
            if sender is None:
                why.add("sender is not a planned host/router")
                continue
            owner = p.owner(f.inner.dst)
            if sender == owner:
                continue                      # local delivery by the owning host
            nh = p.next_hop(sender, f.inner.dst)
            if nh is None:
                why.add("no planned route at %s" % sender)
                continue
            if f.is_tunnel:
                judged += 1
                if f.ips[0].dst != nh:
                    bad.append((f, "tunnel to %s, planned %s" % (f.ips[0].dst, nh)))
                    continue
            macs = self.mac_of_ip(nh)
            if not macs:
                why.add("next-hop MAC of %s unknown" % nh)
                continue
            if not f.is_tunnel:
                judged += 1
            if f.eth_dst.lower() not in macs:
                got = self.mac_node.get(f.eth_dst.lower()) or f.eth_dst
                bad.append((f, "%s sent %s-bound traffic to %s, planned next hop %s (%s)"
                            % (sender, p.nets[owner], got, nh, "/".join(sorted(macs)))))
        if p.mode == "bridged":
            routers_macs = {m for n in p.router_names for m in self.node_macs.get(n, set())}
            for f in self.frames:
                if self.cross_host(f) and f.eth_dst and f.eth_dst.lower() in routers_macs:
                    judged += 1
                    bad.append((f, "container traffic sent to router %s in bridged mode" % self.mac_node[f.eth_dst.lower()]))
            for a, b in self.matched():
                if self.cross_host(a) and b.inner.ttl < a.inner.ttl:
                    bad.append((b, "container traffic routed in bridged mode (TTL %d -> %d)" % (a.inner.ttl, b.inner.ttl)))
                # Every packet seen unchanged at two points was judged: switched or not.
                if a.ends() == b.ends():
                    judged += 1
        if bad:
            msgs = sorted({m for _, m in bad})
            return "fail", "%d frames off the planned next hop: %s" % (len(bad), "; ".join(msgs[:3])), \
                   [ev_of(f, m) for f, m in bad[:3]]
        if judged:
            return "pass", "%d frames judged, all to the planned next hop" % judged, []
        return "skip", "no frame could be judged (%s)" % (", ".join(sorted(why)) or "no cross-host container traffic"), []

    def route_errors(self):
        p = self.plan
        if not any(self.container_traffic(f) for f in self.frames):
            return "skip", "no container traffic", []
        bad = []
        for f in self.frames:
            ic = f.icmp
            if not ic:
                continue
            if (ic["type"] == 3 and ic["code"] in ROUTE_ERR_UNREACH) or ic["type"] in (5, 11):
                inv = [f.inner.src, f.inner.dst] + list(ic["quoted"] or [])
                if any(p.is_container(x) for x in inv if x):
                    bad.append((f, "ICMP type %d code %d from %s" % (ic["type"], ic["code"], f.inner.src)))
        # forwarding loop: same packet 3+ times at one point with decreasing TTL
        per = defaultdict(list)
        for f in self.frames:
            k = f.key()
            if k is not None and self.container_traffic(f):
                per[(f.cap, k)].append(f)
        for (c, k), fs in per.items():
            ttls = [x.inner.ttl for x in sorted(fs, key=lambda x: x.no)]
            if len(fs) >= 3 and all(ttls[i] > ttls[i + 1] for i in range(len(ttls) - 1)):
                bad.append((fs[0], "forwarding loop: seen %d times, TTL %s" % (len(fs), ttls)))
        if bad:
            return "fail", "; ".join(sorted({m for _, m in bad})), [ev_of(f, m) for f, m in bad[:3]]
        return "pass", "no ICMP routing errors or loops on container traffic", []

    def arp_conflict(self):
        if not any(f.arp for f in self.frames):
            return "skip", "no ARP", []
        bad = {ip: m for ip, m in self.arp_ip_mac.items() if len(m) > 1}
        if bad:
            ev = [ev_of(f, "ARP for %s" % f.arp[2]) for f in self.frames if f.arp and f.arp[2] in bad][:3]
            return "fail", "; ".join("%s claimed by %s" % (ip, ", ".join(sorted(m))) for ip, m in bad.items()), ev
        return "pass", "%d addresses, one MAC each" % len(self.arp_ip_mac), []


def ev_of(f, detail):
    return {"capture": f.cap, "frame": f.no, "detail": detail}


# --------------------------------------------------------------------------
# facts: what the lab did, checked against the capture
# --------------------------------------------------------------------------

def check_facts(lab, ctl, facts, results):
    p = lab.plan
    fr = lab.frames
    need = []

    def require(cond, msg):
        if not cond:
            need.append(msg)

    if facts.get("traffic") == "yes":
        # the lab's traffic() ran: ping, a TCP transfer closed with FIN, 4 UDP datagrams to port 5002
        require(any(lab.cross_host(f) for f in fr), "no cross-host container traffic in the captures")
        require(any(f.tcp and f.tcp["len"] == 0 and f.tcp["seq"] and lab.cross_host(f) and
                    f.icmp is None for f in fr) and any(f.tcp and "fin" in f.tcp and f.tcp["fin"] for f in fr),
                "the TCP transfer's end (FIN) is not in the captures (capture cut short?)")
        require(max([sum(1 for f in lab.fbc[c] if f.l4 and f.l4[0] == 17 and f.l4[2] == 5002)
                     for c in lab.order] + [0]) >= 4,
                "the 4 UDP datagrams to port 5002 are not in any capture (capture cut short?)")
    if "masquerade" in facts:
        h = facts["masquerade"]
        require(any(k == "snat" and b.inner.src == p.addr[h] for k, a, b in lab.translations()),
                "MASQUERADE was on at %s but no packet is seen translated to %s" % (h, p.addr[h]))
    else:
        require(not any(k == "snat" for k, a, b in lab.translations()), "source NAT seen but the lab set none")
    if "dnat" in facts:
        host, port, proto, ip, cport = facts["dnat"].split(":")
        require(any(k == "dnat" and a.inner.dst == p.addr[host] and a.l4[2] == int(port) and b.inner.dst == ip
                    and b.l4[2] == int(cport) for k, a, b in lab.translations()),
                "DNAT was set but no packet is seen translated %s:%s -> %s:%s" % (host, port, ip, cport))
    if "solution1" in facts:
        rmac = lab.node_macs.get("core", set())
        require(any(f.eth_dst in rmac and lab.cross_host(f) for f in fr), "no container traffic via the routing layer")
    ctl.check_facts(facts, require)       # the control plane's facts: oracle_control.py
    if "vxlan" in facts:
        kv = dict(x.split(":") for x in facts["vxlan"].split(","))
        require(any(f.tunnel and f.tunnel["kind"] == "vxlan" and f.tunnel["vni"] == int(kv["vni"]) and
                    f.tunnel["port"] == int(kv["port"]) for f in fr),
                "no VXLAN vni %s port %s in the captures" % (kv["vni"], kv["port"]))
    if facts.get("mtu_mistake") == "yes":
        require(any(f.ips[0].fragmented for f, h_ in lab.tunnel_frames()) or
                any(f.icmp and f.icmp["type"] == 3 and f.icmp["code"] == 4 for f in fr),
                "MTU mistake but neither tunnel fragments nor ICMP fragmentation-needed are in the captures")
    elif "vxlan" in facts:
        require(not any(f.ips[0].fragmented for f, h_ in lab.tunnel_frames()), "tunnel fragments with a correct MTU")
    if "ipip" in facts:
        require(any(f.tunnel and f.tunnel["kind"] == "ipip" for f in fr), "no IP-in-IP packet in the captures")
    if facts.get("bridged") == "on":
        require(any(lab.cross_host(a) and a.inner.ttl == b.inner.ttl for a, b in lab.matched()),
                "switched lab but no container packet is seen at two points with the same TTL")
        require(not any(lab.cross_host(a) and b.inner.ttl < a.inner.ttl for a, b in lab.matched()),
                "switched lab but a container packet lost TTL between two points")
    if facts.get("planned_mode") == "bridged":
        require(p.mode == "bridged", "the lab planned this scenario as bridged but the plan says %s" % p.mode)
    if "route.host1" in facts:
        pfx, via = facts["route.host1"].split(":")
        net = ipaddress.ip_network(pfx)
        vmacs = lab.mac_of_ip(via)
        hmacs = lab.node_macs.get("host1", set())
        require(any(f.inner and f.eth_src in hmacs and f.eth_dst in vmacs and ipaddress.ip_address(f.inner.dst) in net
                    for f in fr), "host1 is said to route %s via %s but no such frame is captured" % (pfx, via))
    need += dataplane.check_facts(lab, facts, lab.dpinfo)
    if need:
        raise Refuse("; ".join(need))


# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario_dir")
    ap.add_argument("--captures", nargs="+", required=True)
    ap.add_argument("--facts", nargs="*", default=[])
    ap.add_argument("--notes", default="")
    ap.add_argument("--stdout", action="store_true", help="print instead of writing expected.json")
    a = ap.parse_args()
    sd = a.scenario_dir
    facts = dict(x.split("=", 1) for x in a.facts)
    with open(os.path.join(sd, "plan.yaml")) as fh:
        raw_plan = yaml.safe_load(fh)
    plan = Plan(copy.deepcopy(raw_plan))   # the data-plane rules read dual-stack lists themselves
    fbc = {}
    for c in a.captures:
        path = os.path.join(sd, c)
        bad = dataplane.capture_problem(path, pcap_linktype)
        if bad:
            print("derive_expected: %s: %s" % (path, bad), file=sys.stderr)
            return 1
        fbc[c] = read_capture(path)
    points, order, dpinfo = dataplane.prepare(fbc, list(a.captures))   # clock offsets, capture points
    lab = dataplane.extend(Lab)(plan, points, order)
    lab.dpinfo = dpinfo
    lab.paths = {c: os.path.join(sd, c) for c in a.captures}
    ctl = oracle_control.Control(raw_plan, [os.path.join(sd, c) for c in a.captures], list(a.captures))
    metrics_enc = lab.metrics()
    results = {
        "plan.valid": plan_valid(plan, dataplane.plan_problems(plan)),
        "nat.source": lab.nat_source(),
        "nat.destination": lab.nat_destination(),
        "encap.mode": lab.encap_mode(),
        "encap.overhead": lab.encap_overhead(metrics_enc),
        "encap.mtu": lab.encap_mtu(),
        "encap.vtep": lab.encap_vtep(),
        "route.nexthop": lab.route_nexthop(),
        "route.errors": lab.route_errors(),
        "arp.conflict": lab.arp_conflict(),
        "path.delivery": lab.path_delivery(),
        "encap.checksum": lab.encap_checksum(),
        "flow.answered": lab.flow_answered(),
        "route.symmetry": lab.route_symmetry(),
        **ctl.results(),                 # bgp.*, ospf.*: oracle_control.py
    }
    try:
        check_facts(lab, ctl, facts, results)
    except Refuse as e:
        print("derive_expected: REFUSING %s: the capture contradicts what the lab did: %s" % (sd, e), file=sys.stderr)
        return 1
    concl = " ".join("%s %s (%s)." % (cid, results[cid][0], results[cid][1]) for cid in CHECK_IDS
                     if results[cid][0] != "skip")
    skipped = ", ".join(cid for cid in CHECK_IDS if results[cid][0] == "skip")
    notes = (a.notes + " " if a.notes else "") + "A correct verifier concludes: " + concl + \
        (" Skipped (nothing to judge): %s." % skipped if skipped else "")
    out = {
        "scenario": os.path.basename(os.path.normpath(sd)),
        "captures": list(a.captures),
        "checks": {cid: results[cid][0] for cid in CHECK_IDS},
        "metrics": {"packets": len(lab.frames), "encapsulation": metrics_enc, **dataplane.metrics(lab, dpinfo)},
        "evidence": {cid: [{"capture": e["capture"], "frame": e["frame"]} for e in results[cid][2]]
                     for cid in CHECK_IDS if results[cid][0] in ("fail", "warn") and results[cid][2]},
        "notes": notes,
    }
    text = json.dumps(out, indent=2) + "\n"
    if a.stdout:
        sys.stdout.write(text)
    else:
        with open(os.path.join(sd, "expected.json"), "w") as fh:
            fh.write(text)
        print("derive_expected: %s: %s" % (out["scenario"], " ".join("%s=%s" % (k, v) for k, v in out["checks"].items()
                                                                       if v != "skip")), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
