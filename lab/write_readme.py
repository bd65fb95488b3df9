#!/usr/bin/env python3
"""Write pcaps/README.md from the scenarios' expected.json (run by make-pcaps.sh)."""
import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pcaps")
out = ["# Crosswire capture lab", "",
       "Real captures of cross-host container networks, built by `lab/make-pcaps.sh` out of network",
       "namespaces (`cwlab-*`), veth pairs and Linux bridges on one machine, with bounded real traffic",
       "(ping, a few KB of TCP, UDP to a listening receiver). Hosts are the article's: host1",
       "192.168.56.119 with containers 192.168.10.0/24, host2 192.168.56.120 with 192.168.20.0/24",
       "(host3 192.168.56.121 / 192.168.30.0/24 where used); MACs are fixed and locally administered",
       "(host NICs 02:42:c0:a8:38:77/78/79, bridges 02:42:c0:a8:0a:01 / 14:01, containers",
       "02:42:c0:a8:0a:02 / 14:02, routing layer 02:42:c0:a8:38:01). IPv6 is disabled in the",
       "namespaces and offloads are off on every veth, so frames are wire-sized.", "",
       "Each directory holds the captures (classic pcap, Ethernet), the scenario's `plan.yaml`",
       "(contract §1) and `expected.json`: the verdict a correct `crosswire verify --plan plan.yaml",
       "CAPTURES...` gives, with the captures in the listed order. `expected.json` is not typed in:",
       "`lab/derive_expected.py` applies the rules of `docs/CHECKS.md` to tshark's decode of the",
       "captures, and refuses to write it when the captures contradict what the lab did (for example",
       "MASQUERADE on but no translated packet). `lab/check_pcaps.py` checks the directory's shape.", "",
       "## Regenerate", "",
       "    make pcaps            # as root: needs network namespaces; a few minutes at most",
       "    lab/make-pcaps.sh 06-ospf 08-bgp     # only some scenarios",
       "    python3 lab/check_pcaps.py",
       "",
       "The script installs tcpdump, tshark, bird2, iptables, iproute2, ethtool and python3-yaml with",
       "apt-get when missing, and removes every namespace and process it started on exit, even on",
       "failure. Captures differ from run to run in IP ids, ports and timestamps, never in what",
       "they show; the expected verdicts are re-derived on each run.", "",
       "## Readings of CHECKS.md used by the oracle", "",
       "- NAT is judged on the direction that opened the conversation (TCP SYN sender, ICMP echo",
       "  requester, else the first sender). A reply of a source-NATed flow has its destination",
       "  rewritten back and a reply of a DNATed flow its source: that is the reverse half of the",
       "  same conntrack translation, not a second NAT (02: only `nat.source` fails; 03/04: only",
       "  `nat.destination` is concerned). Of two sightings of one packet the earlier is pre-NAT.",
       "- `route.nexthop`: the sender is identified by its source MAC (plan `mac:` in 01, 02 and 14;",
       "  ARP for the host/router address elsewhere); a frame from the host that owns the",
       "  destination subnet is local delivery and not judged; container-originated frames are not",
       "  judged (the sender is not a planned host/router).",
       "- `encap.mtu` \"on the underlay\": frames whose Ethernet source or destination is a planned",
       "  host's/router's MAC, and tunnel packets.",
       "- Solution 1 (05) is planned as `routed`: container traffic crosses host -> routing layer",
       "  -> host with the TTL dropping, which is routing, not the contract's switched `bridged`.",
       "- The kernel here has no `ipip`, `gre` or `geneve` link types; 13 uses a TUN device plus a",
       "  raw-socket forwarder that produces genuine IPv4-in-IPv4 (protocol 4) on the wire.", "",
       "## Scenarios", ""]
# the scenarios of lab/scenarios-control.sh (issue 16), when this directory has some
ctl_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios-control.sh")
ctl = [ln.split()[1] for ln in open(ctl_file) if ln.startswith("scenario ")] if os.path.isfile(ctl_file) else []
ctl = [d for d in ctl if os.path.isfile(os.path.join(root, d, "expected.json"))]
if ctl:
    at = out.index("## Regenerate")
    out[at:at] = ["Control-plane scenarios (%s) come from `lab/scenarios-control.sh`: real bird2 OSPFv2 and BGP" % ", ".join(ctl),
                  "deployments (steady state, per-link MTU, point-to-point, an ASBR's default route, a route",
                  "reflector, loopback and IPv6 peering, an MD5 mismatch, an expired hold timer, a leak announced",
                  "then withdrawn, a mid-session update, a `-s 96` capture; 26-bgp-ipv6 re-enables IPv6 in its own",
                  "namespaces). Their `bgp.*` and `ospf.*` verdicts",
                  "come from `lab/oracle_control.py`, the rules of issue 16 in `docs/CHECKS.md`.", ""]
for d in sorted(os.listdir(root)):
    p = os.path.join(root, d, "expected.json")
    if not os.path.isfile(p):
        continue
    e = json.load(open(p))
    st = e["checks"]
    nonskip = ", ".join("`%s` %s" % (k, v) for k, v in st.items() if v != "skip")
    enc = "; ".join("%s: %d packets, %s bytes/packet, overhead %d bytes, ratio %s" % (
        m["kind"], m["packets"], m["overhead_bytes_per_packet"], m["overhead_bytes"], m["overhead_ratio"])
        for m in e["metrics"]["encapsulation"])
    out.append("### %s" % d)
    out.append("")
    out.append("Captures: %s (%d frames). %s" % (", ".join("`%s`" % c for c in e["captures"]),
                                                e["metrics"]["packets"], e["notes"]))
    out.append("")
    out.append("Expected: %s; every other check `skip`.%s" % (nonskip, (" Encapsulation: %s." % enc) if enc else ""))
    out.append("")
with open(os.path.join(root, "README.md"), "w") as fh:
    fh.write("\n".join(out))
