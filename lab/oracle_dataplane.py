"""The lab oracle's data-plane rules of issue 15 (contract v1.1), for lab/derive_expected.py.

derive_expected.py decodes captures with tshark and applies docs/CHECKS.md; this module adds
what real hosts need, stated about protocols and the plan, never about a capture:

  * capture points: each interface of a file that holds several (SLL/SLL2 interface index,
    pcapng interface id) is its own point, named FILE@INTERFACE;
  * clock offsets: each capture file's offset to the first, estimated from the same packets
    seen in both (median of the time differences), applied before anything is ordered by time;
  * dual stack: IPv6 levels, ICMPv6 (echo, errors) and NDP (neighbour advertisements teach
    MACs as ARP does); plans whose address/containers are lists of one IPv4 and one IPv6;
  * offload aggregates, MSS consistency, NAT scope and services, masquerade proven by TTL,
    plain traffic where a tunnel is planned, traceroute diagnostics, ICMP about non-plan
    destinations, ARP handover, retransmissions per point, overhead as the tunnel's MTU cost.

Hooks (each one line in derive_expected.py): ip_levels() and frame_extra() in Frame,
plan_lists()/plan_extend() in Plan, capture_problem() and prepare() in main, extend(Lab),
check_facts() and metrics().
"""
import ipaddress
import json
import statistics
import subprocess
from collections import defaultdict

INITIAL_TTLS = {32, 64, 128, 255}          # what hosts send with; a forwarded packet has less
TRACEROUTE_PORTS = range(33434, 33535)     # traceroute's default UDP probe ports
V6_ICMP = {  # ICMPv6 (type, code) -> the ICMPv4 (type, code) that the checks' rules name
    (1, 0): (3, 0), (1, 1): (3, 13), (1, 3): (3, 1), (1, 4): (3, 3), (3, 0): (11, 0), (3, 1): (11, 1),
    (137, 0): (5, 0),
}
SLL_HEADER = {"sll": 16}


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def find_all(obj, key):
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


def ip(x):
    try:
        return ipaddress.ip_address(x)
    except (ValueError, TypeError):
        return None


# --------------------------------------------------------------------------
# frames: IPv6 levels, ICMPv6/NDP, SLL, MSS, quoted ICMP packets
# --------------------------------------------------------------------------

class IP6L:
    """One IPv6 header level, with the attributes of derive_expected.IPL."""
    v6 = True

    def __init__(self, d):
        self.src = d.get("ipv6.src")
        self.dst = d.get("ipv6.dst")
        self.ttl = int(d.get("ipv6.hlim", 0))
        self.proto = int(d.get("ipv6.nxt", 0))
        self.id = int(str(d.get("ipv6.flow", "0")), 0)
        self.len = int(d.get("ipv6.plen", 0)) + 40
        self.hdr_len = 40
        self.df = True
        self.mf = False
        self.frag_offset = 0
        self.fragmented = self.proto == 44       # a Fragment header follows


def ip_levels(layers, IPL):
    """IPv4 levels, then IPv6 levels (the lab's IPv6 is never an outer level of IPv4)."""
    out = [IPL(d) for d in as_list(layers.get("ip"))]
    out += [IP6L(d) for d in as_list(layers.get("ipv6")) if isinstance(d, dict)]
    return out


def frame_extra(f, layers, h):
    """Fields the data-plane rules need, set on a derive_expected.Frame after its own decode."""
    fr = layers["frame"]
    f.iface_id = fr.get("frame.interface_id")
    f.l2_src = f.eth_src
    f.l2_len = 14 + 4 * len(as_list(layers.get("vlan")))
    sll = layers.get("sll")
    f.sll_ifindex = None
    f.sll_sent = None
    if isinstance(sll, dict):
        f.sll_ifindex = sll.get("sll.ifindex")
        f.sll_sent = str(sll.get("sll.pkttype", "")) == "4"
        f.l2_src = sll.get("sll.src.eth")
        f.l2_len = 20 if f.sll_ifindex is not None else 16
        f.eth_src = f.eth_dst = None      # SLL has no destination MAC: no next hop by MAC
    # the MSS option of a SYN (innermost TCP)
    tcps = as_list(layers.get("tcp"))
    f.mss = None
    if f.tcp is not None and f.tcp["syn"] and tcps:
        m = find_all(tcps[-1], "tcp.options.mss_val")
        f.mss = int(m[0]) if m else None
    # the packet an ICMP error quotes: its protocol, destination port, TTL
    f.quoted_l4 = None
    ic = as_list(layers.get("icmp"))
    if f.icmp is not None and ic:
        q = ic[-1]
        qu, qi = q.get("udp"), q.get("icmp")
        qip = q.get("ip") if isinstance(q.get("ip"), dict) else {}
        if isinstance(qu, dict):
            f.quoted_l4 = (17, int(qu.get("udp.dstport", 0)), int(qip.get("ip.ttl", 0) or 0))
        elif isinstance(qi, dict):
            f.quoted_l4 = (1, int(qi.get("icmp.type", -1)), int(qip.get("ip.ttl", 0) or 0))
    # ICMPv6: echo and errors as their ICMPv4 counterparts; NDP as ARP
    f.v6 = bool(f.inner is not None and getattr(f.inner, "v6", False))
    i6 = as_list(layers.get("icmpv6"))
    if f.inner is not None and f.inner.proto == 58 and i6:
        c = i6[-1]
        t, code = int(c.get("icmpv6.type", -1)), int(c.get("icmpv6.code", -1))
        plen = f.inner.len - 40 - 8
        if t in (128, 129):
            data = "".join(find_all(c, "data.data"))
            f.icmp = {"type": 8 if t == 128 else 0, "code": 0, "v6type": t,
                      "ident": int(c.get("icmpv6.echo.identifier", "0"), 0),
                      "seq": int(c.get("icmpv6.echo.sequence_number", "0"), 0), "quoted": None}
            f.l4 = (58, f.icmp["ident"], f.icmp["ident"], f.icmp["seq"], plen, h(data))
        elif t in (1, 2, 3, 137):
            q6 = c.get("ipv6") if isinstance(c.get("ipv6"), dict) else {}
            mt = (3, 4) if t == 2 else V6_ICMP.get((t, code), (3, 99))
            f.icmp = {"type": mt[0], "code": mt[1], "v6type": t, "ident": 0, "seq": 0,
                      "quoted": (q6.get("ipv6.src"), q6.get("ipv6.dst")) if q6 else None}
            qu = c.get("udp")
            if isinstance(qu, dict):
                f.quoted_l4 = (17, int(qu.get("udp.dstport", 0)), int(q6.get("ipv6.hlim", 0) or 0))
            f.l4 = (58, 0, 0, 0, plen, h(json.dumps(q6, sort_keys=True)))
        elif t in (135, 136):
            ll = find_all(c, "icmpv6.opt.linkaddr")
            if t == 136:
                tgt = c.get("icmpv6.nd.na.target_address")
                if tgt and ll:
                    f.arp = (2, ll[0], tgt)
            elif ll and f.inner.src and f.inner.src != "::":
                f.arp = (1, ll[0], f.inner.src)


def consistent_length(f):
    """The outer IP total length accounts for exactly the frame's bytes after the link header."""
    return f.ips and f.len - f.l2_len == f.ips[0].len


# --------------------------------------------------------------------------
# the plan: dual-stack lists, services
# --------------------------------------------------------------------------

def plan_lists(d):
    """(plan dict with the first entry of each address/containers list, {host: [all entries]})."""
    d = dict(d)
    extra = {"containers": {}, "address": {}}
    for key in ("hosts", "routers"):
        out = []
        for n in d.get(key) or []:
            n = dict(n)
            for k in ("address", "containers"):
                if k in n:
                    vals = [str(x) for x in as_list(n[k])]
                    extra[k][n["name"]] = vals
                    n[k] = vals[0]
            out.append(n)
        d[key] = out
    return d, extra


def plan_extend(plan, extra):
    """Every family of every host: all_nets, addrs; by_addr learns the second family's addresses."""
    plan.all_nets = {n: [ipaddress.ip_network(x) for x in v] for n, v in extra["containers"].items()}
    plan.addrs = {n: list(v) for n, v in extra["address"].items()}
    for n, v in plan.addrs.items():
        for a in v:
            plan.by_addr.setdefault(a, n)
    plan.services = [ipaddress.ip_network(str(x)) for x in as_list(plan.d.get("services"))]
    sub = (plan.d.get("underlay") or {}).get("subnet")
    plan.underlay_nets = [ipaddress.ip_network(str(x)) for x in as_list(sub)]


def plan_problems(plan):
    """plan.valid contradictions of the second family (the first is derive_expected's)."""
    probs = []
    nets = [(n, net) for n, v in plan.all_nets.items() for net in v[1:]]
    allnets = [(n, net) for n, v in plan.all_nets.items() for net in v]
    for i, (a, na) in enumerate(nets):
        for b, nb in allnets:
            if (a, na) != (b, nb) and a != b and na.version == nb.version and na.overlaps(nb):
                probs.append("container subnets of %s and %s overlap" % (a, b))
    for n, v in plan.all_nets.items():
        fams = [x.version for x in v]
        if len(fams) != len(set(fams)) or len(v) > 2:
            probs.append("%s's containers list must be one IPv4 and/or one IPv6 prefix" % n)
    for r in plan.routes or []:
        if ip(r["via"]) and ip(r["via"]).version != ipaddress.ip_network(str(r["to"])).version:
            probs.append("route at %s to %s via %s of another family" % (r["at"], r["to"], r["via"]))
    return sorted(set(probs))


def h(hexstr):
    import hashlib
    return hashlib.sha1(hexstr.replace(":", "").encode()).hexdigest()[:16]


# --------------------------------------------------------------------------
# captures: which files are accepted, capture points, clock offsets
# --------------------------------------------------------------------------

def capture_problem(path, pcap_linktype):
    """None when the file can be read: classic pcap (Ethernet, SLL, SLL2) or pcapng."""
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic == b"\x0a\x0d\x0d\x0a":
        return None
    lt = pcap_linktype(path)
    if lt in (1, 113, 276):
        return None
    return "not a pcap/pcapng with link type Ethernet, LINUX_SLL or LINUX_SLL2 (%s)" % lt


def prepare(fbc, order):
    """Clock offsets per file (applied to the frames' times), then capture points per interface.
    Returns (frames by point, points in order, info)."""
    offsets = estimate_offsets(fbc, order)
    for c, o in offsets.items():
        for f in fbc[c]:
            f.t += o["offset_seconds_exact"]
    pts, porder, files = {}, [], {}
    for c in order:
        ids = {point_id(f) for f in fbc[c]} - {None}
        for f in fbc[c]:
            f.file = c
            if len(ids) > 1 or any(x.sll_ifindex is not None for x in fbc[c]):
                f.cap = "%s@%s" % (c, point_id(f))
        for f in sorted(fbc[c], key=lambda x: x.no):
            if f.cap not in pts:
                pts[f.cap] = []
                porder.append(f.cap)
            pts[f.cap].append(f)
        files[c] = sorted({f.cap for f in fbc[c]}, key=porder.index)
    info = {"offsets": offsets, "files": files}
    return pts, porder, info


def point_id(f):
    if f.sll_ifindex is not None:
        return str(f.sll_ifindex)
    return None if f.iface_id is None else str(f.iface_id)


def estimate_offsets(fbc, order):
    """Per file after the first: its clock offset to a file whose offset is known (the first: 0),
    from the packets both saw, as NTP does: per conversation, the median time difference of each
    direction; the two directions cross the points in opposite orders, so their mean cancels the
    transit time. The median over conversations seen both ways; with one-way traffic only, the
    median difference (transit time included)."""
    keyed, conv = {}, {}
    for c in order:
        k = defaultdict(list)
        for f in fbc[c]:
            key = f.key()
            if key is not None:
                k[key].append(f.t)
                e = f.ends()
                conv.setdefault(key, (frozenset(e), e[0]))
        keyed[c] = {key: ts[0] for key, ts in k.items() if len(ts) == 1 or max(ts) - min(ts) < 0.5}
    known = {order[0]: 0.0}
    out = {}
    for _ in range(len(order)):
        for c in order:
            if c in known:
                continue
            best = None
            for r in list(known):
                common = keyed[c].keys() & keyed[r].keys()
                if common and (best is None or len(common) > best[1]):
                    diffs = sorted(keyed[r][k] + known[r] - keyed[c][k] for k in common)
                    best = (r, len(common), diffs)
            if best:
                r, n, diffs = best
                ways = defaultdict(lambda: defaultdict(list))   # conversation -> direction -> diffs
                for k in keyed[c].keys() & keyed[r].keys():
                    cv, src = conv[k]
                    ways[cv][src].append(keyed[r][k] + known[r] - keyed[c][k])
                both = [statistics.mean([statistics.median(v) for v in d.values()])
                        for d in ways.values() if len(d) == 2]
                off = statistics.median(both) if both else statistics.median(diffs)
                known[c] = off
                out[c] = {"capture": c, "offset_seconds": round(off, 3) + 0.0, "matched": n,
                          "spread_seconds": round(diffs[-1] - diffs[0], 6), "offset_seconds_exact": off}
    return out


def ones_sum(data):
    """The one's-complement sum of big-endian 16-bit words, folded."""
    if len(data) % 2:
        data += b"\0"
    s = 0
    for i in range(0, len(data), 2):
        s += (data[i] << 8) | data[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def l4_state(seg, proto, src, dst, field_at):
    """'right', 'absent' (UDP zero), 'placeholder' (the pseudo-header's sum) or 'wrong';
    and the right checksum value for the segment."""
    import struct as st
    pseudo = src + dst + st.pack("!BBH", 0, proto, len(seg)) if len(src) == 4 else \
        src + dst + st.pack("!IxxxB", len(seg), proto)
    field = (seg[field_at] << 8) | seg[field_at + 1]
    zeroed = seg[:field_at] + b"\0\0" + seg[field_at + 2:]
    right = 0xFFFF - ones_sum(pseudo + zeroed)
    right = right or 0xFFFF if proto == 17 else right
    if proto == 17 and field == 0:
        return "absent", right
    if ones_sum(pseudo + seg) == 0xFFFF:
        return "right", right
    return ("placeholder" if field == ones_sum(pseudo) else "wrong"), right


def checksum_verdict(data, l2, mtu):
    """'ok', a text naming the wrong checksum, or None when the frame is not judged (cut, aggregate)."""
    import struct as st
    if len(data) < l2 + 20 or data[l2] >> 4 != 4:
        return None
    ihl = (data[l2] & 15) * 4
    tot = st.unpack("!H", data[l2 + 2:l2 + 4])[0]
    if tot > mtu or len(data) < l2 + tot:
        return None
    src, dst = data[l2 + 12:l2 + 16], data[l2 + 16:l2 + 20]
    u = l2 + ihl
    ulen = st.unpack("!H", data[u + 4:u + 6])[0]
    udp = bytearray(data[u:u + ulen])
    dport = st.unpack("!H", udp[2:4])[0]
    hdr = 8 + 8 if dport != 6081 else 8 + 8 + (udp[8] & 63) * 4
    e = hdr + 12
    while st.unpack("!H", udp[e:e + 2])[0] in (0x8100, 0x88A8):
        e += 4
    wrong_inner = None
    if st.unpack("!H", udp[e:e + 2])[0] == 0x0800:
        i = e + 2
        iihl = (udp[i] & 15) * 4
        itot = st.unpack("!H", udp[i + 2:i + 4])[0]
        if ones_sum(bytes(udp[i:i + iihl])) != 0xFFFF:
            wrong_inner = "inner IPv4 header"
        frag = st.unpack("!H", udp[i + 6:i + 8])[0] & 0x3FFF
        proto = udp[i + 9]
        t = i + iihl
        seg = bytes(udp[t:i + itot])
        if not wrong_inner and not frag and len(seg) == itot - iihl:
            isrc, idst = bytes(udp[i + 12:i + 16]), bytes(udp[i + 16:i + 20])
            if proto in (6, 17):
                at = 16 if proto == 6 else 6
                state, right = l4_state(seg, proto, isrc, idst, at)
                if state == "wrong":
                    wrong_inner = "inner TCP" if proto == 6 else "inner UDP"
                elif state == "placeholder":
                    udp[t + at:t + at + 2] = st.pack("!H", right)     # as the NIC will fill it in
            elif proto == 1 and ones_sum(seg) != 0xFFFF:
                wrong_inner = "inner ICMP"
    state, _ = l4_state(bytes(udp), 17, src, dst, 6)
    if state == "wrong":
        return "outer UDP checksum wrong"
    return "ok" if wrong_inner is None else wrong_inner + " checksum wrong"


# --------------------------------------------------------------------------
# the rules: a subclass of derive_expected.Lab
# --------------------------------------------------------------------------

def extend(Base):
    class DataPlaneLab(Base):
        # --- parties of the plan
        def planned_party(self, x):
            p, a = self.plan, ip(x)
            if a is None:
                return False
            return p.is_container(x) or x in p.by_addr or any(a.version == n.version and a in n
                                                               for n in p.underlay_nets)

        def in_services(self, x):
            a = ip(x)
            return a is not None and any(a.version == n.version and a in n for n in self.plan.services)

        def pair_planned(self, s, d):
            p = self.plan
            cs, cd = p.owner(s), p.owner(d)
            if cs and cd:
                return cs != cd
            if cs:
                return self.planned_party(d)
            if cd:
                return self.planned_party(s)
            return False

        def nat_scope(self, a, b):
            """A translation is judged when the flow is between planned parties before or after it."""
            return self.pair_planned(a.inner.src, a.inner.dst) or self.pair_planned(b.inner.src, b.inner.dst)

        def host_addrs(self, name):
            return set(self.plan.addrs.get(name, [self.plan.addr.get(name)]))

        # --- the same packet at two points: which sighting is before the other
        def matched(self):
            """As derive_expected's, but of two sightings the one with the higher TTL (IPv6: hop
            limit) is the earlier, and time (clock offsets applied) decides only between equal
            TTLs: a NAT box forwards, and capture timestamps of two interfaces of one host can
            disagree by microseconds (TCP's departure-time stamps)."""
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
                if len({f.cap for f in fs}) < 2:
                    continue
                for f in fs:
                    self.seen_multi.add((f.cap, f.no))
                fs = sorted(fs, key=lambda x: (-x.inner.ttl, x.t, self.order.index(x.cap)))
                for i in range(len(fs)):
                    for j in range(i + 1, len(fs)):
                        if fs[i].cap != fs[j].cap:
                            pairs.append((fs[i], fs[j]))
            self._pairs = pairs
            return pairs

        # --- offload aggregates
        def offload_aggregates(self):
            if getattr(self, "_agg", None) is not None:
                return self._agg
            mtu = self.plan.underlay_mtu
            agg = []
            for f in self.frames:
                if not f.ips or f.ips[0].len <= mtu or f.ips[0].fragmented or not consistent_length(f):
                    continue
                if f.tcp is not None and (not f.is_tunnel or len(f.ips) >= 2):
                    agg.append(f)
            self._agg = agg
            self._agg_ids = {(f.cap, f.no) for f in agg}
            return agg

        def is_agg(self, f):
            self.offload_aggregates()
            return (f.cap, f.no) in self._agg_ids

        # --- retransmissions, per capture point
        def transmissions(self):
            """Per (point, ends, seq, len): the distinct transmissions of a TCP segment. A copy of the
            same packet (same IPv4 id; IPv6: same hop limit) seen again at one point, e.g. in and out
            of a bridge the host routes through, is a sighting, not a transmission."""
            if getattr(self, "_tx", None) is not None:
                return self._tx
            tx = defaultdict(dict)
            for f in self.frames:
                if f.tcp is None or f.tcp["len"] == 0:
                    continue
                ident = f.inner.ttl if f.v6 else f.inner.id
                tx[(f.cap, f.ends(), f.tcp["seq"], f.tcp["len"])].setdefault(ident, f)
            self._tx = {k: sorted(v.values(), key=lambda x: x.no) for k, v in tx.items()}
            return self._tx

        def retransmissions(self):
            rtx = defaultdict(list)
            for (c, e, seq, ln), fs in self.transmissions().items():
                rtx[c] += fs[1:]
            return {c: v for c, v in rtx.items() if v}

        def tunnel_overhead_planned(self, v6inner=False):
            p = self.plan
            v6under = any(getattr(ip(a), "version", 4) == 6 for a in (p.addr.values()))
            return {"vxlan": 70 if v6under else 50, "geneve": 70 if v6under else 50,
                    "ipip": 40 if v6under else 20}.get(p.mode, 0)

        # --- checks
        def encap_mtu(self):
            p = self.plan
            if not any(self.container_traffic(f) for f in self.frames):
                return "skip", "no container traffic", []
            fails, warns, ev, wev = [], [], [], []
            frag = [f for f, head in self.tunnel_frames() if f.ips[0].fragmented]
            if frag:
                fails.append("%d fragmented tunnel frames" % len(frag))
                ev += [ev_of(f, "fragment of a tunnel packet") for f in frag[:2]]
            fn = [f for f in self.frames if f.icmp and f.icmp["type"] == 3 and f.icmp["code"] == 4]
            if fn:
                fails.append("%d ICMP fragmentation-needed/packet-too-big" % len(fn))
                ev += [ev_of(f, "ICMP fragmentation needed") for f in fn[:2]]
            big = [f for f in self.frames if f.ips and self.on_underlay(f) and f.ips[0].len > p.underlay_mtu
                   and not self.is_agg(f)]
            if big:
                fails.append("%d packets larger than the underlay MTU %d (not offload aggregates)"
                             % (len(big), p.underlay_mtu))
                ev += [ev_of(f, "IP packet larger than underlay MTU") for f in big[:2]]
            tm = p.transport.get("mtu")
            if tm is not None:
                ib = [f for f in self.frames if f.is_tunnel and len(f.ips) >= 2 and f.ips[-1].len > int(tm)
                      and not self.is_agg(f)]
                if ib:
                    fails.append("%d inner packets larger than transport.mtu %s" % (len(ib), tm))
                    ev += [ev_of(f, "inner packet larger than transport.mtu") for f in ib[:2]]
            # black hole: a segment of > 576 bytes retransmitted 2+ times at one point, never acknowledged
            acks = defaultdict(int)
            for f in self.frames:
                if f.tcp and f.tcp["ackf"]:
                    e = f.ends()
                    acks[(e[1], e[0])] = max(acks[(e[1], e[0])], f.tcp["ack"])
            cnt = {k: fs for k, fs in self.transmissions().items() if k[3] > 576 and not self.is_agg(fs[0])}
            for (c, e, seq, ln), fs in sorted(cnt.items(), key=lambda x: (self.order.index(x[1][0].cap), x[1][0].no)):
                if len(fs) >= 3 and (acks.get(e, 0) - (seq + ln)) % (1 << 32) >= (1 << 31):
                    fails.append("PMTUD black hole at %s: segment seq %d sent %d times, never acknowledged"
                                 % (c, seq, len(fs)))
                    ev.append(ev_of(fs[0], "segment never acknowledged"))
            # MSS consistency: what the containers believe against what the tunnel carries
            over = self.tunnel_overhead_planned()
            for f in self.frames:
                if f.mss is None or not self.cross_host(f):
                    continue
                hdr = 60 if f.v6 else 40
                carry = p.underlay_mtu - over - hdr
                if tm is not None and f.mss > int(tm) - hdr:
                    fails.append("SYN MSS %d above transport.mtu %s - %d" % (f.mss, tm, hdr))
                    ev.append(ev_of(f, "MSS %d" % f.mss))
                elif f.mss > carry:
                    warns.append("SYN MSS %d above what the %s path carries (%d - %d - %d = %d)"
                                 % (f.mss, p.mode, p.underlay_mtu, over, hdr, carry))
                    wev.append(ev_of(f, "MSS %d" % f.mss))
            agg = self.offload_aggregates()
            note = ""
            if agg:
                note = "; %d offload aggregates (GRO/GSO), not judged; `ethtool -K IFACE gro off gso off tso off` " \
                       "shows wire packets" % len(agg)
            if fails:
                return "fail", "; ".join(dedup(fails)) + note, dedup_ev(ev)[:4]
            if warns:
                return "warn", "; ".join(dedup(warns)) + note, dedup_ev(wev)[:4]
            return "pass", "no fragmentation, oversize packets, ICMP fragmentation-needed or MSS above the " \
                           "path" + note, []

        def on_underlay(self, f):
            if f.is_tunnel:
                return True
            src = (f.l2_src or "").lower()
            return bool(src and src in self.mac_node) or bool(f.eth_dst and f.eth_dst.lower() in self.mac_node)

        def encap_mode(self):
            st = super().encap_mode()
            p = self.plan
            if p.mode in ("routed", "bridged") or st[0] == "fail":
                return st
            plain = [f for f in self.frames if not f.is_tunnel and self.cross_host(f) and self.on_underlay(f)
                     and self.plan.owner(f.inner.src) and self.plan.owner(f.inner.dst)]
            if plain:
                return "fail", "%d cross-host container packets cross the underlay unencapsulated where %s is " \
                               "planned: the encapsulation seen is none" % (len(plain), p.mode), \
                       [ev_of(f, "plain container packet on the underlay") for f in plain[:3]]
            return st

        def metrics(self):
            per = {}
            for f, head in self.tunnel_frames():
                kind = head.tunnel["kind"]
                m = per.setdefault(kind, {"packets": 0, "frames_len": 0, "overhead": 0, "heads": set()})
                m["frames_len"] += f.len
                hk = (head.cap, head.no)
                if f is head:
                    if hk not in m["heads"]:
                        m["heads"].add(hk)
                        m["packets"] += 1
                        m["overhead"] += tunnel_cost(head)
                else:
                    m["overhead"] += f.ips[0].hdr_len     # one outer IP header per extra fragment
            out = []
            for kind in sorted(per):
                m = per[kind]
                ob = m["overhead"]
                bpp = ob / m["packets"] if m["packets"] else 0
                out.append({"kind": kind, "packets": m["packets"], "overhead_bytes": ob,
                            "overhead_bytes_per_packet": int(bpp) if float(bpp).is_integer() else round(bpp, 6),
                            "overhead_ratio": round(ob / m["frames_len"], 6) if m["frames_len"] else 0})
            return out

        def nat_translations(self):
            """(judged, egress, services): forward translations split by scope."""
            judged, egress, svc = [], [], []
            for kind, a, b in self.translations():
                if kind == "dnat" and self.in_services(a.inner.dst) and self.plan.is_container(b.inner.dst):
                    svc.append((kind, a, b))
                elif self.nat_scope(a, b):
                    judged.append((kind, a, b))
                else:
                    egress.append((kind, a, b))
            return judged, egress, svc

        def egress_list(self):
            _, egress, _ = self.nat_translations()
            return sorted({"%s %s:%s -> %s:%s (to %s)" % (k, *(a.ends()[0] if k == "snat" else a.ends()[1]),
                                                          *(b.ends()[0] if k == "snat" else b.ends()[1]),
                                                          a.inner.dst) for k, a, b in egress})

        def masquerade_by_ttl(self):
            """Forward packets (not seen translated) from a host's address to another host's containers:
            (proven: left the host's NIC with a forwarded TTL, undecided: [(frame, host)])."""
            p = self.plan
            groups = defaultdict(list)       # one packet, all its sightings
            for f in self.frames:
                if f.inner is None or f.l4 is None or f.is_tunnel:
                    continue
                a = p.by_addr.get(f.inner.src)
                b = p.owner(f.inner.dst)
                if a and b and a in p.nets and a != b and self.forward(f):
                    groups[(f.key(), a)].append(f)
            proven, undecided = [], []
            for (k, a), fs in groups.items():
                at_nic = [f for f in fs if (f.l2_src or "").lower() in self.node_macs.get(a, set())]
                if at_nic:
                    f = at_nic[0]
                    if f.inner.ttl not in INITIAL_TTLS:
                        proven.append((f, a))
                    continue                         # the host's own packet (initial TTL)
                undecided.append((fs[0], a))
            return proven, undecided

        def nat_source(self):
            p = self.plan
            if p.nat == "allowed":
                return "skip", "nat: allowed", []
            if not any(self.cross_host(f) for f in self.frames):
                return "skip", "no cross-host container traffic", []
            judged, egress, _ = self.nat_translations()
            bad, ok = [], []
            for kind, a, b in judged:
                if kind != "snat":
                    continue
                old, new = a.ends()[0], b.ends()[0]
                if p.nat == "masquerade" and new[0] in self.host_addrs(p.owner(old[0])):
                    ok.append((a, b))
                else:
                    bad.append((a, b, old, new))
            eg = [x for x in self.egress_list() if x.startswith("snat")]
            tail = "; egress NAT, not judged: %s" % ", ".join(x[5:] for x in eg[:3]) if eg else ""
            if bad:
                flows = sorted({"%s:%s -> %s:%s" % (o[0], o[1], n[0], n[1]) for _, _, o, n in bad})
                ev = dedup_ev([ev_of(b, "source translated (before: %s frame %d)" % (a.cap, a.no))
                               for a, b, _, _ in bad])[:3]
                return "fail", "%d packet(s) source-NATed: %s%s" % (len(bad), ", ".join(flows[:4]), tail), ev
            proven, undecided = self.masquerade_by_ttl() if p.nat == "none" else ([], [])
            if proven:
                hosts = sorted({a for _, a in proven})
                return "fail", "%d packet(s) left %s's NIC with its own address as source and a forwarded TTL " \
                               "(%s): %s translated them%s" % (
                                   len(proven), "/".join(hosts), ", ".join(sorted({str(f.inner.ttl) for f, _ in proven})),
                                   "/".join(hosts), tail), \
                       [ev_of(f, "host address as source, TTL %d" % f.inner.ttl) for f, _ in proven[:3]]
            if undecided:
                hosts = sorted({a for _, a in undecided})
                return "warn", "%d packet(s) from %s's address to another host's containers: a source NAT that " \
                               "cannot be proven from these capture points; a capture on %s's container bridge " \
                               "decides%s" % (len(undecided), "/".join(hosts), "/".join(hosts), tail), \
                       [ev_of(f, "possible source NAT") for f, _ in undecided[:3]]
            if ok:
                fams = sorted({"IPv6" if b.v6 else "IPv4" for a, b in ok})
                return "pass", "%d packet(s) masqueraded to their host's address (%s), as planned%s" % (
                    len(ok), ", ".join(fams), tail), []
            return "pass", "container sources unchanged across hosts" + tail, []

        def nat_destination(self):
            p = self.plan
            if p.nat == "allowed":
                return "skip", "nat: allowed", []
            if not any(f.inner is not None and (p.is_container(f.inner.dst) or f.inner.dst in p.by_addr)
                       for f in self.frames):
                return "skip", "no traffic to a container or host address", []
            judged, egress, svc = self.nat_translations()
            bad, good = [], set()
            for kind, a, b in judged:
                if kind != "dnat":
                    continue
                (od, odp), (nd, ndp) = a.ends()[1], b.ends()[1]
                proto = {6: "tcp", 17: "udp"}.get(a.inner.proto, str(a.inner.proto))
                hit = False
                for pub in p.publish:
                    hip = self.host_addrs(pub["host"])
                    to_ip, to_port = str(pub["to"]).rsplit(":", 1)
                    if od in hip and int(pub["port"]) == odp and pub.get("protocol", "tcp") == proto \
                            and to_ip.strip("[]") == nd and int(to_port) == ndp:
                        hit = True
                desc = "%s:%s/%s -> %s:%s" % (od, odp, proto, nd, ndp)
                if hit:
                    good.add(desc)
                else:
                    bad.append((a, b, desc))
            sv = sorted({"%s:%s/%s -> %s:%s" % (a.ends()[1][0], a.ends()[1][1],
                                                 {6: "tcp", 17: "udp"}.get(a.inner.proto, a.inner.proto),
                                                 b.ends()[1][0], b.ends()[1][1]) for k, a, b in svc})
            eg = [x for x in self.egress_list() if x.startswith("dnat")]
            tail = ("; service DNAT, intended: %s" % ", ".join(sv) if sv else "") + \
                   ("; DNAT towards non-plan addresses, not judged: %s" % ", ".join(x[5:] for x in eg[:3]) if eg else "")
            if bad:
                ev = dedup_ev([ev_of(b, "destination translated, not published (before: %s frame %d)" % (a.cap, a.no))
                               for a, b, _ in bad])[:3]
                return "fail", "undeclared destination NAT: %s%s" % (", ".join(sorted({x[2] for x in bad})), tail), ev
            if good:
                return "pass", "published translations: %s%s" % (", ".join(sorted(good)), tail), []
            if sv:
                return "pass", "no destination NAT besides services" + tail, []
            return "pass", "no destination NAT" + tail, []

        def probe_answers(self):
            """ICMP time-exceeded answering traceroute/mtr probes: quoted UDP to 33434-33534, or an
            echo request of a source that sends echo requests with several TTLs below 64."""
            rising = defaultdict(set)
            for f in self.frames:
                if f.icmp and f.icmp["type"] == 8 and f.inner is not None:
                    rising[(f.inner.src, f.icmp["ident"])].add(f.inner.ttl)
            multi = {k for k, v in rising.items() if len([t for t in v if t < 64]) >= 2}
            out = []
            for f in self.frames:
                ic = f.icmp
                if not ic or ic["type"] != 11 or f.quoted_l4 is None:
                    continue
                q = f.quoted_l4
                if q[0] == 17 and q[1] in TRACEROUTE_PORTS:
                    out.append(f)
                elif q[0] == 1 and q[1] == 8 and ic.get("quoted") and any(k[0] == ic["quoted"][0] for k in multi):
                    out.append(f)
            return out

        def nonplan_icmp(self):
            out = []
            for f in self.frames:
                ic = f.icmp
                if not ic or not ic.get("quoted") or not ic["quoted"][1]:
                    continue
                if ic["type"] in (3, 5, 11) and not self.planned_party(ic["quoted"][1]):
                    out.append(f)
            return out

        def route_errors(self):
            p = self.plan
            if not any(self.container_traffic(f) for f in self.frames):
                return "skip", "no container traffic", []
            diag = {(f.cap, f.no) for f in self.probe_answers()}
            nonplan = {(f.cap, f.no) for f in self.nonplan_icmp()}
            bad = []
            for f in self.frames:
                ic = f.icmp
                if not ic or (f.cap, f.no) in diag or (f.cap, f.no) in nonplan:
                    continue
                if (ic["type"] == 3 and ic["code"] in ROUTE_ERR_UNREACH) or ic["type"] in (5, 11):
                    inv = [f.inner.src, f.inner.dst] + list(ic["quoted"] or [])
                    if any(p.is_container(x) for x in inv if x):
                        bad.append((f, "ICMP%s type %d code %d from %s" % (
                            "v6" if f.v6 else "", ic.get("v6type", ic["type"]), ic["code"], f.inner.src)))
            per = defaultdict(list)
            for f in self.frames:
                k = f.key()
                if k is not None and self.container_traffic(f):
                    per[(f.cap, k)].append(f)
            for (c, k), fs in per.items():
                ttls = [x.inner.ttl for x in sorted(fs, key=lambda x: x.no)]
                if len(fs) >= 3 and all(ttls[i] > ttls[i + 1] for i in range(len(ttls) - 1)):
                    bad.append((fs[0], "forwarding loop at %s: seen %d times, TTL %s" % (c, len(fs), ttls)))
            tail = ""
            if diag:
                tail += "; %d traceroute probe answers (diagnostics)" % len(diag)
            if nonplan:
                tail += "; %d ICMP errors about destinations outside the plan, not judged" % len(nonplan)
            if bad:
                return "fail", "; ".join(sorted({m for _, m in bad})) + tail, [ev_of(f, m) for f, m in bad[:3]]
            return "pass", "no ICMP routing errors or loops on container traffic" + tail, []

        def arp_claims(self):
            claims = defaultdict(list)   # ip -> [(t, mac, frame)]
            for f in sorted(self.frames, key=lambda x: x.t):
                if f.arp and f.arp[2] and f.arp[2] not in ("0.0.0.0", "::"):
                    claims[f.arp[2]].append((f.t, f.arp[1].lower(), f))
            return claims

        def arp_conflict(self):
            if not any(f.arp for f in self.frames):
                return "skip", "no ARP", []
            fails, warns, ev, wev = [], [], [], []
            claims = self.arp_claims()
            for addr, cl in sorted(claims.items()):
                macs = []
                for t, m, f in cl:
                    if not macs or macs[-1] != m:
                        macs.append(m)
                if len(set(macs)) < 2:
                    continue
                if len(macs) != len(set(macs)):       # a MAC claims again after another: at the same time
                    fails.append("%s claimed by %s at the same time" % (addr, ", ".join(sorted(set(macs)))))
                    ev += [ev_of(f, "ARP for %s from %s" % (addr, m)) for t, m, f in cl[:3]]
                else:
                    t0 = cl[0][0]
                    steps = []
                    for i in range(1, len(cl)):
                        if cl[i][1] != cl[i - 1][1]:
                            steps.append("%s until %.3f s, %s from %.3f s" % (cl[i - 1][1], cl[i - 1][0] - t0,
                                                                              cl[i][1], cl[i][0] - t0))
                            wev += [ev_of(cl[i - 1][2], "last claim by %s" % cl[i - 1][1]),
                                    ev_of(cl[i][2], "first claim by %s" % cl[i][1])]
                    warns.append("%s handed over: %s" % (addr, "; ".join(steps)))
            if fails:
                return "fail", "; ".join(fails), ev[:4]
            if warns:
                return "warn", "; ".join(warns) + " (a failover or a reused address, not a conflict)", wev[:4]
            return "pass", "%d addresses, one MAC each" % len(claims), []

        # --- path.delivery
        def path_delivery(self):
            """Packets between hosts (the innermost source's and destination's owner or node differ),
            matched across the points of one wire: the same link source and destination MAC (SLL:
            the source only), outermost addresses, protocol and service port (the lower port). A
            point watches a class when it saw that class or its other direction (MACs swapped) by
            the end of the packet's 0.5 s window. A watching point that did not see the packet,
            whose capture began 0.5 s before it and went on 0.5 s after it, missed it. TCP segments
            with data (GRO/GSO merge and split them), fragments and cut payloads take no part.
            Per pair of points the upstream one is where the packets pass first: the least delay
            compared with the other direction's, else the point that saw what the other missed."""
            p, W = self.plan, 0.5
            def who(x):
                return p.owner(x) or p.by_addr.get(x)
            first, last = {}, {}
            for f in self.frames:
                first[f.cap] = min(first.get(f.cap, f.t), f.t)
                last[f.cap] = max(last.get(f.cap, f.t), f.t)
            groups = defaultdict(list)     # (packet key, class) -> sightings in time order
            classes, seen_by = {}, defaultdict(list)   # class -> (from, to); class -> [(t, point)]
            for f in sorted(self.frames, key=lambda x: x.t):
                if f.inner is None or f.inner.frag_offset or f.inner.mf:
                    continue
                a, b = who(f.inner.src), who(f.inner.dst)
                if not a or not b or a == b or f.key() is None:
                    continue
                if f.tcp is not None and f.tcp["len"] > 0:
                    continue
                if not f.ips:
                    continue
                o = f.ips[0]
                ports = self.outer_ports(f)
                cls = ((f.l2_src or "").lower(), (f.eth_dst or "").lower(), o.src, o.dst, o.proto, min(ports) if ports else 0)
                classes.setdefault(cls, (a, b))
                seen_by[cls].append((f.t, f.cap))
                g = groups[(f.key(), cls)]
                if g and f.t - g[-1][0]["t0"] <= W:
                    if f.cap not in g[-1][1]:
                        g[-1][1][f.cap] = f
                else:
                    g.append(({"t0": f.t}, {f.cap: f}))
            def reverse(c):
                sm, dm, s, d, pr, po = c
                for r in classes:
                    if r[2] == d and r[3] == s and r[4] == pr and r[5] == po and \
                            ((r[0] != sm) if (not dm or not r[1]) else (r[0] == dm and r[1] == sm)):
                        return r
                return None
            pairs = defaultdict(lambda: {"both": 0, "only": defaultdict(list), "delay": None})
            for (key, cls), gs in groups.items():
                rev = reverse(cls)
                for meta, sights in gs:
                    t0 = meta["t0"]
                    watch = {c for t, c in seen_by[cls] if t <= t0 + W}
                    if rev:
                        watch |= {c for t, c in seen_by[rev] if t <= t0 + W}
                    pts = sorted(sights, key=self.order_of_point)
                    for i, x in enumerate(pts):
                        for y in pts[i + 1:]:
                            pr = pairs[(cls, x, y)]
                            pr["both"] += 1
                            d = sights[y].t - sights[x].t
                            pr["delay"] = d if pr["delay"] is None else min(pr["delay"], d)
                    for q in watch - set(sights):
                        if not (first[q] <= t0 - W and last[q] >= t0 + W):
                            continue
                        for x in sights:
                            lo, hi = sorted([x, q], key=self.order_of_point)
                            pairs[(cls, lo, hi)]["only"][x].append(sights[x])
            rows = {}
            for (cls, lo, hi), pr in pairs.items():
                a, b = classes[cls]
                rev = reverse(cls)
                back = pairs.get((rev, lo, hi)) if rev else None
                ol, oh = len(pr["only"][lo]), len(pr["only"][hi])
                up = None
                if pr["both"]:
                    if back and back["both"]:
                        if pr["delay"] != back["delay"]:
                            up = pr["delay"] > back["delay"]
                    elif pr["delay"] != 0:
                        up = pr["delay"] > 0
                if up is None:
                    up = ol >= oh
                u, dn = (lo, hi) if up else (hi, lo)
                r = rows.setdefault((a, b, u, dn), {"sent": 0, "lost": []})
                r["sent"] += pr["both"] + len(pr["only"][u])
                r["lost"] += pr["only"][u]
            rows = {k: v for k, v in rows.items() if v["sent"] > 0}
            if not rows:
                return "skip", "no packet between hosts seen at two capture points of one wire", []
            max_loss = float(p.transport.get("max_loss", 0) or 0)
            bad = [(k, v) for k, v in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1], self.order_of_point(kv[0][2])))
                   if len(v["lost"]) > max_loss * v["sent"]]
            if not bad:
                return "pass", "%d packets between hosts delivered" % sum(v["sent"] for v in rows.values()), []
            ev = []
            for (a, b, u, dn), v in bad:
                for f in sorted(v["lost"], key=lambda f: (f.file, f.no))[:20]:
                    ev.append(ev_of(f, "%s -> %s: never seen at %s" % (a, b, dn)))
            (a, b, u, dn), v = bad[0]
            return "fail", "%s -> %s: %d of %d packets seen at %s never reached %s" % (
                a, b, len(v["lost"]), v["sent"], u, dn), ev[:20]

        def order_of_point(self, c):
            if not hasattr(self, "_point_order"):
                seen = []
                for f in self.frames:
                    if f.cap not in seen:
                        seen.append(f.cap)
                self._point_order = seen
            return self._point_order.index(c)

        def outer_ports(self, f):
            """The outermost UDP/TCP ports, or None."""
            if f.udp_outer is not None and f.ips and f.ips[0].proto == 17:
                return (int(f.udp_outer.get("udp.srcport", 0)), int(f.udp_outer.get("udp.dstport", 0)))
            if f.ips and f.ips[0].proto == 6 and f.tcp is not None and not f.is_tunnel:
                return (f.tcp["sport"], f.tcp["dport"])
            return None

        # --- encap.checksum
        def encap_checksum(self):
            """VXLAN/GENEVE frames, whole and not offload aggregates (outer IP above the underlay
            MTU), not sent by the capturing host (SLL outgoing): the outer UDP checksum is zero,
            right, or the offload placeholder (the pseudo-header's sum); computed as if an inner
            placeholder were already replaced by the right inner checksum (local checksum offload).
            The inner IPv4 header, TCP, UDP, ICMP checksums are right or placeholders."""
            raw = self.raw_frames()
            judged, bad = 0, []
            for f in self.frames:
                if not f.tunnel or f.tunnel["kind"] not in ("vxlan", "geneve") or not f.ips:
                    continue
                o = f.ips[0]
                if o.frag_offset or o.mf or f.sll_sent:
                    continue
                data = raw.get((f.file, f.no))
                if data is None:
                    continue
                verdict = checksum_verdict(data, f.l2_len, self.plan.underlay_mtu)
                if verdict is None:
                    continue
                judged += 1
                if verdict != "ok":
                    bad.append(ev_of(f, verdict))
            if not judged:
                return "skip", "no whole VXLAN/GENEVE frame", []
            if bad:
                return "fail", "%d tunnel frames with a wrong checksum" % len(bad), bad[:20]
            return "pass", "%d tunnel frames, checksums right" % judged, []

        def raw_frames(self):
            """Frame bytes of every tunnel frame, by (file, frame number), read with tshark -x."""
            out = {}
            for fl in {f.file for f in self.frames if f.tunnel}:
                path = self.paths[fl]
                cmd = ["tshark", "-n", "-r", path, "-d", "udp.port==8472,vxlan", "-Y", "vxlan || geneve",
                       "-T", "json", "-x", "--no-duplicate-keys"]
                js = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120).stdout or "[]")
                for pk in js:
                    ly = pk["_source"]["layers"]
                    no = int(ly["frame"]["frame.number"])
                    fr = ly.get("frame_raw")
                    if isinstance(fr, list) and fr:
                        out[(fl, no)] = bytes.fromhex(fr[0])
            return out

        # --- route.symmetry
        def route_symmetry(self):
            """The first hop of each host's containers' packets towards another host's containers
            (frames the originating host sends: its MAC, its containers' or, for tunnels, its own
            address as source): the next hop's node (the tunnel's outer destination, else the
            destination MAC's node). Two hosts whose traffic both ways is seen are symmetric when
            each goes straight to the other, or both use the same next hops; else warn, unless
            both directions are exactly the plan's next hops."""
            p = self.plan
            hops = defaultdict(lambda: defaultdict(set))
            frames = defaultdict(lambda: defaultdict(list))
            files = []
            for c in self.order:
                fl = self.fbc[c][0].file if self.fbc[c] else c
                if fl not in files:
                    files.append(fl)
            # one frame a direction: the first in the captures (by capture, then frame number)
            for f in sorted(self.frames, key=lambda x: (files.index(x.file), x.no)):
                if f.inner is None or not f.eth_src or not f.eth_dst or not p.is_container(f.inner.dst):
                    continue
                sender = self.mac_node.get(f.eth_src.lower())
                origin = p.by_addr.get(f.ips[0].src) if f.is_tunnel else p.owner(f.inner.src)
                owner = p.owner(f.inner.dst)
                if sender is None or origin != sender or sender == owner:
                    continue
                hop = p.by_addr.get(f.ips[0].dst) if f.is_tunnel else self.mac_node.get(f.eth_dst.lower())
                if hop is None:
                    continue
                hops[sender][owner].add(hop)
                if not frames[sender][owner]:
                    frames[sender][owner].append(f)
            pairs, bad, ev = 0, [], []
            for a in sorted(hops):
                for b in sorted(hops[a]):
                    if not a < b or a not in hops.get(b, {}):
                        continue
                    pairs += 1
                    fwd, rev = hops[a][b], hops[b][a]
                    if (fwd == {b} and rev == {a}) or fwd == rev:
                        continue
                    pf = p.by_addr.get(p.next_hop(a, str(p.nets[b].network_address)) or "")
                    pr = p.by_addr.get(p.next_hop(b, str(p.nets[a].network_address)) or "")
                    if fwd == {pf} and rev == {pr}:
                        continue
                    bad.append("%s -> %s via %s, %s -> %s via %s" % (a, b, "/".join(sorted(fwd)), b, a, "/".join(sorted(rev))))
                    ev += [ev_of(f, "first hop") for f in frames[a][b] + frames[b][a]]
            if pairs == 0:
                return "skip", "no host pair with container traffic leaving each towards the other", []
            if bad:
                return "warn", "the two directions take different paths: " + "; ".join(bad), dedup_ev(ev)[:4]
            return "pass", "%d host pair(s), both directions by the same path" % pairs, []

        # --- flow.answered
        def flow_answered(self):
            """Connections a container opens to another host's container (TCP SYN, echo request) and
            their answers. The requester's side is where the request is seen with its highest TTL;
            an answer (SYN-ACK, echo reply; RST refuses) reaches it when seen there sent to the
            request's link source (SLL: in the other direction). Judged when answered or refused,
            or when the request was resent (or its point went on 3 s after it) and a point of the
            requester's side sees the requester's incoming traffic."""
            p = self.plan
            files = []
            for c in self.order:
                fl = self.fbc[c][0].file if self.fbc[c] else c
                if fl not in files:
                    files.append(fl)
            pts = defaultdict(lambda: {"last": None, "dsts": set(), "sent": False, "recv": False})
            ops = {}
            for f in sorted(self.frames, key=lambda x: (x.t, files.index(x.file), x.no)):
                pt = pts[f.cap]
                pt["last"] = f.t
                if f.eth_dst:
                    pt["dsts"].add(f.eth_dst.lower())
                if f.sll_sent is not None:
                    pt["sent" if f.sll_sent else "recv"] = True
                if f.inner is None:
                    continue
                a, b = p.owner(f.inner.src), p.owner(f.inner.dst)
                if not a or not b or a == b:
                    continue
                if f.tcp is not None:
                    t = f.tcp
                    req, ans, rst = t["syn"] and not t["ackf"], t["syn"] and t["ackf"], t.get("rst", False)
                    ports, proto = (t["sport"], t["dport"]), 6
                elif f.icmp is not None and f.icmp["type"] in (0, 8):
                    req, ans, rst = f.icmp["type"] == 8, f.icmp["type"] == 0, False
                    ports, proto = (f.icmp["ident"], f.icmp["ident"]), 1
                else:
                    continue
                mac = f.l2_src.lower() if (f.eth_dst and f.l2_src) else None
                ttl = f.inner.ttl
                if req:
                    k = (f.inner.src, f.inner.dst, ports[0], ports[1], proto)
                    o = ops.get(k)
                    if o is None:
                        ops[k] = {"first": f, "point": f.cap, "ttl": ttl, "near": {f.cap}, "mac": mac,
                                  "sent": bool(f.sll_sent), "requests": 1, "req_pts": {f.cap}, "ans_pts": set(),
                                  "answered": False, "reset": False, "answer": None, "a": a, "b": b}
                        continue
                    o["req_pts"].add(f.cap)
                    if ttl > o["ttl"]:
                        o.update(first=f, point=f.cap, ttl=ttl, near={f.cap}, mac=mac, sent=bool(f.sll_sent), requests=1)
                    elif ttl == o["ttl"]:
                        o["near"].add(f.cap)
                        if o["point"] == f.cap:
                            o["requests"] += 1
                elif ans or rst:
                    o = ops.get((f.inner.dst, f.inner.src, ports[1], ports[0], proto))
                    if o is None:
                        continue
                    to_req = f.cap in o["near"] and (
                        (f.sll_sent is not None and bool(f.sll_sent) != o["sent"]) if o["mac"] is None
                        else (f.eth_dst or "").lower() == o["mac"])
                    if ans:
                        o["ans_pts"].add(f.cap)
                        o["answer"] = o["answer"] or f
                        o["answered"] = o["answered"] or to_req
                    elif to_req:
                        o["reset"] = True
            if not ops:
                return "skip", "no cross-host container connection opened", []

            def judged(o):
                if o["answered"] or o["reset"]:
                    return True
                if o["requests"] < 2 and pts[o["point"]]["last"] - o["first"].t < 3.0:
                    return False
                return any((pts[c]["recv"] if o["sent"] else pts[c]["sent"]) if o["mac"] is None else o["mac"] in pts[c]["dsts"]
                           for c in o["near"])
            js = sorted((o for o in ops.values() if judged(o)), key=lambda o: (o["first"].t, o["first"].no))
            if not js:
                return "skip", "%d cross-host connection(s) opened, none judged" % len(ops), []
            bad, ev = [], []
            for o in js:
                if o["answered"]:
                    continue
                f = o["first"]
                flow = "%s -> %s" % (f.inner.src, f.inner.dst)
                if o["reset"]:
                    bad.append(flow + ": refused (RST)")
                    ev.append(ev_of(f, "refused"))
                elif o["ans_pts"]:
                    bad.append(flow + ": answered at %s, the answer never reached %s" % (
                        ", ".join(sorted(o["ans_pts"])), o["point"]))
                    ev += [ev_of(f, "request"), ev_of(o["answer"], "answer")]
                else:
                    bad.append(flow + ": never answered (seen at %s)" % ", ".join(sorted(o["req_pts"])))
                    ev.append(ev_of(f, "never answered"))
            if bad:
                return "fail", "%d of %d cross-host connection(s) not answered: %s" % (len(bad), len(js), "; ".join(bad[:3])), \
                    dedup_ev(ev)[:4]
            return "pass", "%d cross-host connection(s) opened, all answered" % len(js), []

    return DataPlaneLab


def tunnel_cost(head):
    """§4 (1.1): bytes from the outer IP header to the inner network-layer header."""
    o = head.ips[0]
    k = head.tunnel["kind"]
    if k == "vxlan":
        return o.hdr_len + 8 + 8 + 14
    if k == "geneve":       # outer UDP, GENEVE header and options, inner Ethernet
        return o.hdr_len + int(head.udp_outer.get("udp.length", 0)) - head.tunnel["inner_len"] + 14
    if k == "gre":
        return o.hdr_len + 4
    return o.hdr_len


ROUTE_ERR_UNREACH = {0, 1, 6, 7, 9, 10, 11, 12, 13}


def ev_of(f, detail):
    return {"capture": f.cap, "frame": f.no, "detail": detail}


def dedup(xs):
    out = []
    for x in xs:
        if x not in out:
            out.append(x)
    return out


def dedup_ev(ev):
    seen, out = set(), []
    for e in ev:
        if (e["capture"], e["frame"]) not in seen:
            seen.add((e["capture"], e["frame"]))
            out.append(e)
    return out


# --------------------------------------------------------------------------
# metrics and facts
# --------------------------------------------------------------------------

def metrics(lab, info):
    """Metrics of the data-plane rules; each key only when it has something to say."""
    out = {}
    offs = [{k: v for k, v in o.items() if k != "offset_seconds_exact"} for o in info["offsets"].values()]
    if offs:
        out["clock_offsets"] = offs
    multi = {c: pts for c, pts in info["files"].items() if len(pts) > 1}
    if multi:
        out["capture_points"] = [{"capture": c, "points": pts} for c, pts in multi.items()]
    agg = defaultdict(int)
    for f in lab.offload_aggregates():
        agg[f.cap] += 1
    if agg:
        out["offload_aggregates"] = [{"capture": c, "frames": n} for c, n in sorted(agg.items(), key=lambda x: lab.order.index(x[0]))]
    rtx = lab.retransmissions()
    if rtx:
        out["retransmissions"] = [{"capture": c, "segments": len(v)} for c, v in sorted(rtx.items(), key=lambda x: lab.order.index(x[0]))]
    eg = lab.egress_list()
    if eg:
        out["egress_nat"] = eg
    pa = lab.probe_answers()
    if pa:
        out["diagnostics"] = {"traceroute_answers": len(pa)}
    npi = lab.nonplan_icmp()
    if npi:
        out["icmp_not_judged"] = len(npi)
    return out


def check_facts(lab, facts, info):
    """What the lab says it did (facts of lab/scenarios-realhosts.sh) against the captures."""
    p, fr, need = lab.plan, lab.frames, []

    def require(cond, msg):
        if not cond:
            need.append(msg)

    if "offload" in facts:
        agg = lab.offload_aggregates()
        require(agg, "offloads left on but no offload aggregate in the captures")
        if facts["offload"] == "nic":
            require(any(f.is_tunnel for f in agg), "offloads on: no tunnel aggregate on the NIC")
    if "bulk" in facts:
        # the sequence space covered at one point: at least 512 KiB of the transfer
        lo, hi = {}, defaultdict(int)
        for f in fr:
            if f.tcp and lab.cross_host(f) and f.tcp["dport"] == 5001 and f.tcp["len"]:
                lo[f.cap] = min(lo.get(f.cap, f.tcp["seq"]), f.tcp["seq"])
                hi[f.cap] = max(hi[f.cap], f.tcp["seq"] + f.tcp["len"])
        span = {c: hi[c] - lo[c] for c in lo}
        require(max(span.values() or [0]) >= 512 * 1024,
                "bulk transfer of %s bytes: under 512 KiB at every point (%s)" % (facts["bulk"], span))
    if "egress" in facts:
        e = facts["egress"]
        require(any(k == "snat" and a.inner.dst == e for k, a, b in lab.translations()),
                "egress masquerade to %s not seen translated" % e)
    for k in ("service_dnat", "service_dnat2"):
        if k in facts:
            sip, sport, proto, cip, cport = facts[k].split(":")
            require(any(kk == "dnat" and a.inner.dst == sip and a.l4[2] == int(sport) and b.inner.dst == cip
                        and b.l4[2] == int(cport) for kk, a, b in lab.translations()),
                    "service DNAT %s not seen" % facts[k])
    if "masquerade_nic_only" in facts:
        proven, _ = lab.masquerade_by_ttl()
        require(proven, "MASQUERADE on, NICs captured, but no forwarded packet with the host's address")
    if facts.get("linktype") == "sll2":
        require(any(f.sll_ifindex is not None for f in fr) and len(lab.order) >= 3,
                "tcpdump -i any: no SLL2 records from several interfaces")
    if facts.get("merged") == "yes":
        require(len(lab.order) >= 2 and all("@" in c for c in lab.order), "mergecap: not several interfaces in one file")
    if facts.get("plain_crosshost") == "yes":
        require(not any(f.is_tunnel for f in fr) and any(lab.cross_host(f) and lab.on_underlay(f) for f in fr),
                "plain cross-host traffic expected on the underlay, without tunnel")
    if facts.get("traceroute") == "yes":
        require(len(lab.probe_answers()) >= 2, "traceroute probes ran but fewer than 2 time-exceeded answers")
    if "icmp_nonplan" in facts:
        require(any(f.icmp["quoted"][1] == facts["icmp_nonplan"] for f in lab.nonplan_icmp()),
                "no ICMP error about %s" % facts["icmp_nonplan"])
    if "garp" in facts:
        cl = lab.arp_claims().get(facts["garp"], [])
        require(len({m for t, m, f in cl}) >= 2, "gratuitous ARP handover of %s not seen" % facts["garp"])
    if facts.get("blackhole") == "yes":
        require(any(len(v) >= 2 for v in lab.retransmissions().values()), "black hole without retransmissions")
    if facts.get("dualstack") == "yes":
        require(any(lab.cross_host(f) and f.v6 for f in fr), "no IPv6 cross-host container traffic")
        v6 = set(p.addrs.get("host1", [])[1:])
        require(any(k == "snat" and b.inner.src in v6 for k, a, b in lab.translations()), "NAT66 not seen")
        require(any(f.arp and ":" in f.arp[2] for f in fr), "no NDP neighbour advertisement")
    if "clock_shift" in facts:
        cap, sec = facts["clock_shift"].split(":")
        o = info["offsets"].get(cap)
        require(o is not None and abs(o["offset_seconds"] + float(sec)) < 1.0,
                "clock of %s shifted by %s s but the offset found is %s" % (cap, sec, o))
    return need
