#!/usr/bin/env python3
"""Bounded traffic endpoints for the Crosswire capture lab.

Every mode ends on its own: servers serve a fixed number of connections or
datagrams and give up after TIMEOUT seconds; clients retry a bounded number
of times.  Payloads are fixed byte patterns so captures are reproducible.

  traffic.py tcp-server PORT TIMEOUT READYFILE      serve one connection
  traffic.py tcp-client HOST PORT NBYTES            send NBYTES, read the reply
  traffic.py udp-server PORT COUNT TIMEOUT READYFILE answer COUNT datagrams
  traffic.py udp-client HOST PORT COUNT SIZE        send COUNT datagrams of SIZE
"""
import socket
import sys
import time


def pattern(n):
    base = bytes(range(32, 127))
    return (base * (n // len(base) + 1))[:n]


def ready(path):
    with open(path, "w") as f:
        f.write("ready\n")


def tcp_server(port, timeout, readyfile):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
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


def udp_server(port, count, timeout, readyfile):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
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
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
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


def main(a):
    m = a[0]
    if m == "tcp-server":
        return tcp_server(int(a[1]), float(a[2]), a[3])
    if m == "tcp-client":
        return tcp_client(a[1], int(a[2]), int(a[3]))
    if m == "udp-server":
        return udp_server(int(a[1]), int(a[2]), float(a[3]), a[4])
    if m == "udp-client":
        return udp_client(a[1], int(a[2]), int(a[3]), int(a[4]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
