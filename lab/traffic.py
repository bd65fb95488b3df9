#!/usr/bin/env python3
"""Bounded traffic endpoints for the Crosswire capture lab.

Every mode ends on its own: servers serve a fixed number of connections or
datagrams and give up after TIMEOUT seconds; clients retry a bounded number
of times.  Payloads are fixed byte patterns so captures are reproducible.

  traffic.py tcp-server PORT TIMEOUT READYFILE      serve one connection
  traffic.py tcp-client HOST PORT NBYTES            send NBYTES, read the reply
  traffic.py udp-server PORT COUNT TIMEOUT READYFILE answer COUNT datagrams
  traffic.py udp-client HOST PORT COUNT SIZE        send COUNT datagrams of SIZE
  traffic.py probe HOST PORT MAXTTL                 traceroute's UDP probes: 3 per TTL 1..MAXTTL
                                                    to PORT, PORT+1, ... (answers are not read)
  traffic.py garp IFACE IP MAC COUNT                COUNT gratuitous ARP requests for IP from MAC
A HOST with ':' is IPv6; servers take an optional last BIND address ('::' for IPv6).
"""
import socket
import struct
import sys
import time


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def pattern(n):
    base = bytes(range(32, 127))
    return (base * (n // len(base) + 1))[:n]


def ready(path):
    with open(path, "w") as f:
        f.write("ready\n")


def tcp_server(port, timeout, readyfile, bind="0.0.0.0"):
    s = socket.socket(family(bind), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((bind, port))
    s.listen(1)
    s.settimeout(timeout)
    ready(readyfile)
    try:
        c, _ = s.accept()
    except socket.timeout:
        print("tcp-server: no connection", file=sys.stderr)
        return 1
    c.settimeout(timeout)
    total = 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        total += len(d)
    c.sendall(b"received %d bytes\n" % total)
    c.close()
    s.close()
    return 0


def tcp_client(host, port, nbytes):
    last = None
    for _ in range(10):  # bounded retries
        try:
            c = socket.create_connection((host, port), timeout=5)
            break
        except OSError as e:
            last = e
            time.sleep(0.3)
    else:
        print("tcp-client: cannot connect: %s" % last, file=sys.stderr)
        return 1
    c.sendall(pattern(nbytes))
    c.shutdown(socket.SHUT_WR)
    reply = b""
    while True:
        d = c.recv(4096)
        if not d:
            break
        reply += d
    c.close()
    sys.stdout.write(reply.decode(errors="replace"))
    return 0


def udp_server(port, count, timeout, readyfile, bind="0.0.0.0"):
    s = socket.socket(family(bind), socket.SOCK_DGRAM)
    s.bind((bind, port))
    s.settimeout(timeout)
    ready(readyfile)
    for _ in range(count):
        try:
            d, peer = s.recvfrom(65536)
        except socket.timeout:
            print("udp-server: timeout", file=sys.stderr)
            return 1
        s.sendto(b"ack %d" % len(d), peer)
    return 0


def udp_client(host, port, count, size):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.settimeout(2)
    ok = 0
    for i in range(count):
        s.sendto(pattern(size), (host, port))
        try:
            s.recvfrom(4096)
            ok += 1
        except socket.timeout:
            pass
        time.sleep(0.05)
    print("udp-client: %d/%d answered" % (ok, count))
    return 0 if ok else 1


def probe(host, port, maxttl):
    """traceroute's default probes: UDP to PORT+n with TTL 1..MAXTTL, 3 per TTL."""
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    n = 0
    for ttl in range(1, maxttl + 1):
        if family(host) == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
        else:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
        for _ in range(3):
            s.sendto(pattern(32), (host, port + n))
            n += 1
            time.sleep(0.1)
    print("probe: %d probes sent" % n)
    return 0


def garp(iface, ip, mac, count):
    """Gratuitous ARP requests (sender and target address = IP, to broadcast), as keepalived sends."""
    hw = bytes.fromhex(mac.replace(":", ""))
    addr = socket.inet_aton(ip)
    frame = b"\xff" * 6 + hw + struct.pack("!H", 0x0806) + \
        struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + hw + addr + b"\x00" * 6 + addr
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for _ in range(count):
        s.send(frame)
        time.sleep(0.2)
    return 0


def main(a):
    m = a[0]
    if m == "tcp-server":
        return tcp_server(int(a[1]), float(a[2]), a[3], *a[4:5])
    if m == "tcp-client":
        return tcp_client(a[1], int(a[2]), int(a[3]))
    if m == "udp-server":
        return udp_server(int(a[1]), int(a[2]), float(a[3]), a[4], *a[5:6])
    if m == "udp-client":
        return udp_client(a[1], int(a[2]), int(a[3]), int(a[4]))
    if m == "probe":
        return probe(a[1], int(a[2]), int(a[3]))
    if m == "garp":
        return garp(a[1], a[2], a[3], int(a[4]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
