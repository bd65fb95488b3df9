#!/usr/bin/env python3
"""User-space IP-in-IP (IPv4 protocol 4) forwarder over a TUN device.

Used by the lab when the kernel has no `ipip` link type.  It creates TUN
device NAME, and for DURATION seconds:
  * every IPv4 packet the kernel routes into NAME is sent to PEER with a raw
    socket of protocol IPPROTO_IPIP: the kernel adds the outer IPv4 header
    (protocol 4, source LOCAL, destination PEER), exactly as an ipip device
    would;
  * every protocol-4 packet received from PEER has its outer header removed
    and the inner packet written back into NAME, so the kernel routes it on.
The open raw socket also keeps the kernel from answering protocol 4 with
ICMP protocol-unreachable.

  ipip_tun.py NAME LOCAL PEER DURATION READYFILE
"""
import fcntl
import os
import select
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def main(name, local, peer, duration, readyfile):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IPIP)
    raw.bind((local, 0))
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    raw.setblocking(False)
    os.set_blocking(fd, False)
    with open(readyfile, "w") as f:
        f.write("ready\n")
    deadline = time.monotonic() + duration
    sent = received = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([fd, raw], [], [], min(left, 0.5))
        # drain what is ready (at most 256 packets a turn): one packet per select() lost
        # packets of bulk transfers to full socket buffers
        for _ in range(256 if fd in r else 0):
            try:
                pkt = os.read(fd, 65535)
            except BlockingIOError:
                break
            if pkt and pkt[0] >> 4 == 4:
                raw.sendto(pkt, (peer, 0))
                sent += 1
        for _ in range(256 if raw in r else 0):
            try:
                data, addr = raw.recvfrom(65535)
            except BlockingIOError:
                break
            if addr[0] == peer and data and data[0] >> 4 == 4:
                ihl = (data[0] & 0x0F) * 4
                os.write(fd, data[ihl:])
                received += 1
    print("ipip_tun %s: %d sent, %d received" % (name, sent, received), file=sys.stderr)
    return 0


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) != 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(a[0], a[1], a[2], float(a[3]), a[4]))
