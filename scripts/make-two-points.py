#!/usr/bin/env python3
"""Two captures of one run at two points, for the multi-capture proof
(scripts/bench-two-points.sh): host1's container bridge (a.pcap) and host2's
NIC (b.pcap), COUNT packets each. host1 masquerades one TCP connection of its
container (20 packets at the start and 20 at the end: source 192.168.10.2 on
the bridge, 192.168.56.119 on the NIC, TTL 64 -> 63); the rest are container
datagrams 192.168.10.2 -> 192.168.20.2 crossing unchanged, each made unique by
a counter in its payload. host2's clock runs SKEW seconds ahead, and each
packet reaches its NIC 50 us after the bridge.

usage: make-two-points.py OUT_DIR COUNT [SKEW_SECONDS]   (writes OUT_DIR/a.pcap, b.pcap, plan.yaml)
"""
import os
import struct
import sys

C1, C2, H1 = bytes([192, 168, 10, 2]), bytes([192, 168, 20, 2]), bytes([192, 168, 56, 119])
C1MAC, BR1MAC = bytes.fromhex("02420ca80a02"), bytes.fromhex("02420a0a0a01")
H1MAC, H2MAC = bytes.fromhex("0242c0a83877"), bytes.fromhex("0242c0a83878")

PLAN = """version: 1
name: two-points-proof
underlay: { mtu: 1500, subnet: 192.168.56.0/24 }
hosts:
  - { name: host1, address: 192.168.56.119, mac: "02:42:c0:a8:38:77", containers: 192.168.10.0/24 }
  - { name: host2, address: 192.168.56.120, mac: "02:42:c0:a8:38:78", containers: 192.168.20.0/24 }
transport: { mode: routed }
nat: none
routing: { protocol: static }
"""


def checksum(header):
    s = sum(struct.unpack("!10H", header))
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, proto, ident, ttl, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, ttl, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", checksum(h)) + h[12:] + payload


def eth(src, dst, ip):
    return dst + src + b"\x08\x00" + ip


def tcp_segment(i, bridge):
    payload = b"GET /%06d HTTP/1.1\r\n\r\n" % i
    seg = struct.pack("!HHIIBBHHH", 40000, 80, 1000 + i * 100, 9000, 0x50, 0x18, 64240, 0, 0) + payload
    ip = ipv4(C1 if bridge else H1, C2, 6, 0x2000 + (i & 0xFFF), 64 if bridge else 63, seg)
    return eth(C1MAC, BR1MAC, ip) if bridge else eth(H1MAC, H2MAC, ip)


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    skew = float(sys.argv[3]) if len(sys.argv) > 3 else 90.0
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "plan.yaml"), "w") as f:
        f.write(PLAN)
    start = 1_700_000_000 * 1_000_000
    for name, bridge, shift in (("a.pcap", True, 0), ("b.pcap", False, int(skew * 1_000_000) + 50)):
        udp_header = struct.pack("!HHHH", 5000, 5001, 8 + 32, 0)
        with open(os.path.join(out, name), "wb", buffering=1 << 22) as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
            for i in range(count):
                if i < 20 or i >= count - 20:
                    frame = tcp_segment(i if i < 20 else 20 + i - (count - 20), bridge)
                else:
                    ip = ipv4(C1, C2, 17, i & 0xFFFF, 64 if bridge else 63, udp_header + struct.pack("<Q", i) + b"B" * 24)
                    frame = eth(C1MAC, BR1MAC, ip) if bridge else eth(H1MAC, H2MAC, ip)
                t = start + shift + i * 10
                f.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(frame), len(frame)))
                f.write(frame)


if __name__ == "__main__":
    main()
