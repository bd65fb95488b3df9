#!/usr/bin/env bash
# Namespace lab for the live-capture tests (LiveCaptureTests.swift).
#
#   live-lab.sh up PREFIX [masquerade]   build the lab (namespaces PREFIX-*)
#   live-lab.sh traffic PREFIX           bounded traffic c1 -> c3 (ping, one TCP exchange)
#   live-lab.sh down PREFIX              delete every namespace PREFIX-* (idempotent)
#
# PREFIX must start with "cwtest-". Layout (the article's two Docker hosts):
#   PREFIX-h1: bridge br0 192.168.10.1/24, NIC eth0 192.168.56.119, forwarding on
#   PREFIX-c1 192.168.10.2, PREFIX-c2 192.168.10.3: containers on h1's br0 (veth pairs)
#   PREFIX-h2: NIC eth0 192.168.56.120 (veth peer of h1's eth0), bridge br0 192.168.20.1/24
#   PREFIX-c3 192.168.20.2: container on h2's br0
#   static routes h1 -> 192.168.20.0/24 via .120, h2 -> 192.168.10.0/24 via .119
# With "masquerade", h1 source-NATs its containers leaving by eth0 (Docker's rule).
# Nothing is configured in the root namespace: veth ends are created inside the
# namespaces. Every command is bounded in time.
set -euo pipefail

cmd=${1:?usage: live-lab.sh up|traffic|down PREFIX [masquerade]}
P=${2:?PREFIX missing}
case "$P" in cwtest-*) ;; *) echo "live-lab.sh: PREFIX must start with cwtest-" >&2; exit 2 ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

MAC_H1=02:42:c0:a8:38:77; MAC_H2=02:42:c0:a8:38:78
MAC_BR1=02:42:c0:a8:0a:01; MAC_BR2=02:42:c0:a8:14:01

nsx() { local n="$P-$1"; shift; ip netns exec "$n" "$@"; }
offload_off() { nsx "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true; }

ns_add() {
  ip netns add "$P-$1"
  nsx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  nsx "$1" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  nsx "$1" ip link set lo up
}

# container HOST NAME IP GATEWAY
container() {
  local h=$1 c=$2 addr=$3 gw=$4
  ns_add "$c"
  nsx "$h" ip link add "v-$c" type veth peer name eth0 netns "$P-$c"
  nsx "$h" ip link set "v-$c" master br0
  offload_off "$h" "v-$c"; offload_off "$c" eth0
  nsx "$h" ip link set "v-$c" up
  nsx "$c" ip link set eth0 up
  nsx "$c" ip addr add "$addr/24" dev eth0
  nsx "$c" ip route add default via "$gw"
}

# host NAME BRMAC PFX
host() {
  local h=$1 brmac=$2 pfx=$3
  ns_add "$h"
  nsx "$h" sysctl -qw net.ipv4.ip_forward=1
  nsx "$h" ip link add br0 address "$brmac" type bridge
  nsx "$h" ip addr add "$pfx.1/24" dev br0
  nsx "$h" ip link set br0 up
}

up() {
  host h1 $MAC_BR1 192.168.10
  host h2 $MAC_BR2 192.168.20
  # the "NIC" pair: h1's eth0 <-> h2's eth0, created inside h1
  nsx h1 ip link add eth0 address $MAC_H1 type veth peer name eth0 address $MAC_H2 netns "$P-h2"
  offload_off h1 eth0; offload_off h2 eth0
  nsx h1 ip addr add 192.168.56.119/24 dev eth0; nsx h1 ip link set eth0 up
  nsx h2 ip addr add 192.168.56.120/24 dev eth0; nsx h2 ip link set eth0 up
  container h1 c1 192.168.10.2 192.168.10.1
  container h1 c2 192.168.10.3 192.168.10.1
  container h2 c3 192.168.20.2 192.168.20.1
  nsx h1 ip route add 192.168.20.0/24 via 192.168.56.120
  nsx h2 ip route add 192.168.10.0/24 via 192.168.56.119
  if [ "${1:-}" = masquerade ]; then
    nsx h1 iptables -t nat -A POSTROUTING -s 192.168.10.0/24 -o eth0 -j MASQUERADE
  fi
  # bridges forward only once their ports leave the learning state: wait (bounded) until c1 reaches c3
  local i
  for i in $(seq 1 20); do
    nsx c1 ping -n -q -c 1 -W 1 192.168.20.2 >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  echo "live-lab.sh: 192.168.20.2 not reachable from 192.168.10.2" >&2
  return 1
}

traffic() {
  local ready port=5001 server
  ready=$(mktemp -u "/tmp/$P.ready.XXXXXX")
  # one-shot TCP server in c3 (ends after one connection or 10 s), started directly so $! is its PID
  ip netns exec "$P-c3" timeout 12 python3 "$HERE/live-traffic.py" server "$port" 10 "$ready" &
  server=$!
  local i
  for i in $(seq 1 50); do [ -e "$ready" ] && break; sleep 0.1; done
  nsx c1 ping -n -q -c 3 -i 0.2 -W 1 192.168.20.2 >/dev/null
  nsx c1 timeout 10 python3 "$HERE/live-traffic.py" client 192.168.20.2 "$port" 2000
  nsx c2 ping -n -q -c 2 -i 0.2 -W 1 192.168.10.2 >/dev/null
  wait "$server" || true
  rm -f "$ready"
}

down() {
  local ns
  for ns in $(ip netns list | cut -d' ' -f1 | grep -F -- "$P-" || true); do
    case "$ns" in "$P"-*) ip netns del "$ns" 2>/dev/null || true ;; esac
  done
}

case "$cmd" in
  up) up "${3:-}" ;;
  traffic) traffic ;;
  down) down ;;
  *) echo "live-lab.sh: unknown command $cmd" >&2; exit 2 ;;
esac
