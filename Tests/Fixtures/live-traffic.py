#!/usr/bin/env python3
"""One bounded TCP exchange for the live-capture tests.

  live-traffic.py server PORT TIMEOUT READYFILE   serve one connection, answer, exit
  live-traffic.py client HOST PORT NBYTES         send NBYTES, print the answer
"""
import socket
import sys


def server(port, timeout, readyfile):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(1)
    s.settimeout(timeout)
    open(readyfile, "w").write("ready\n")
    try:
        c, _ = s.accept()
    except socket.timeout:
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
    return 0


def client(host, port, n):
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(bytes(range(32, 127)) * (n // 95) + b"x" * (n % 95))
    s.shutdown(socket.SHUT_WR)
    s.settimeout(5)
    print(s.recv(100).decode().strip())
    s.close()
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "server":
        sys.exit(server(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]))
    sys.exit(client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
