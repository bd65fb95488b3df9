#!/usr/bin/env python3
"""Sends VXLAN frames whose outer UDP checksum is wrong, as a VTEP with broken
checksum offload does: echo requests from one container to another, wrapped
in VXLAN by hand and written to a NIC with an AF_PACKET socket. The receiving
kernel drops them ("UDP: bad checksum"); captures on both NICs show them.

  vxlan_inject.py IFACE SRCMAC DSTMAC SRC DST VNI PORT ISRCMAC IDSTMAC ISRC IDST COUNT
"""
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def ipv4(src, dst, proto, payload, ident):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    return hdr[:10] + struct.pack("!H", 0xFFFF - csum(hdr)) + hdr[12:] + payload


def main(iface, smac, dmac, src, dst, vni, port, ismac, idmac, isrc, idst, count):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for seq in range(1, int(count) + 1):
        data = bytes(range(56))
        icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4242, seq) + data
        icmp = icmp[:2] + struct.pack("!H", 0xFFFF - csum(icmp)) + icmp[4:]
        inner = mac(idmac) + mac(ismac) + b"\x08\x00" + ipv4(isrc, idst, 1, icmp, 0x1000 + seq)
        vxlan = struct.pack("!II", 0x08000000, int(vni) << 8) + inner
        ulen = 8 + len(vxlan)
        sport = 40000 + seq
        pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, ulen)
        right = 0xFFFF - csum(pseudo + struct.pack("!HHHH", sport, int(port), ulen, 0) + vxlan)
        wrong = right ^ 0x5A5A                       # neither right, zero nor the offload placeholder
        udp = struct.pack("!HHHH", sport, int(port), ulen, wrong) + vxlan
        s.send(mac(dmac) + mac(smac) + b"\x08\x00" + ipv4(src, dst, 17, udp, 0x2000 + seq))
        time.sleep(0.1)


if __name__ == "__main__":
    if len(sys.argv) != 13:
        sys.exit(__doc__)
    main(*sys.argv[1:])
