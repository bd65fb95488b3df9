#!/usr/bin/env bash
# Crosswire capture lab (project issue 4).
#
# Builds each scenario out of network namespaces (all named cwlab-*), veth
# pairs and Linux bridges, sends bounded real traffic between containers on
# different "hosts", captures it with tcpdump and writes, per scenario,
# pcaps/<scenario>/{*.pcap,plan.yaml,expected.json}.  expected.json is derived
# from the captures by lab/derive_expected.py (an independent oracle that
# applies docs/CHECKS.md), given the facts of what the lab did.
#
# Usage (as root):  lab/make-pcaps.sh [SCENARIO...]     (default: all)
#   CWLAB_OUT=DIR    write the scenarios there instead of pcaps/
#   CWLAB_NS=NAME    name the namespaces NAME-* instead of cwlab-* (two runs at once)
# Scenarios are the sc_* functions below and those of lab/scenarios-*.sh,
# which register themselves with `scenario NAME FUNCTION ARGS...`.
# Rules kept here: nothing is configured in the root namespace (only
# namespaces are created/deleted there and veth ends are created directly in
# their namespaces); every traffic source is bounded; every wait loop has a
# maximum count; every namespace and every process started is removed by PID
# on exit, even on failure.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LAB_DIR/.." && pwd)
OUT=${CWLAB_OUT:-$REPO/pcaps}
NSP=${CWLAB_NS:-cwlab}
case "$NSP" in cwlab*) ;; *) echo "CWLAB_NS must start with cwlab" >&2; exit 2 ;; esac
TMP=$(mktemp -d /tmp/cwlab.XXXXXX)
NS_CREATED=()   # namespaces this run created
PIDS=()         # background processes this run started (still running)
CAPS=()         # "pid" of running tcpdumps (subset of PIDS)

log() { echo "[cwlab] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- process and namespace bookkeeping ------------------------------------

forget_pid() { local p=$1 q; local keep=(); for q in "${PIDS[@]}"; do [ "$q" = "$p" ] || keep+=("$q"); done; PIDS=("${keep[@]}"); }

# stop_pid PID [SIGNAL]: signal one process we started, wait (bounded) for it.
stop_pid() {
  local p=$1 sig=${2:-TERM} i
  if kill -0 "$p" 2>/dev/null; then
    kill -"$sig" "$p" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then kill -KILL "$p" 2>/dev/null || true; fi
  fi
  wait "$p" 2>/dev/null || true
  forget_pid "$p"
}

# wait_pid PID MAXSECONDS: wait for a process we started to end by itself.
wait_pid() {
  local p=$1 max=$2 i
  for i in $(seq 1 $((max * 10))); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  stop_pid "$p" TERM
}

teardown() {
  local p ns
  for p in "${CAPS[@]}"; do stop_pid "$p" INT; done
  CAPS=()
  for p in "${PIDS[@]}"; do stop_pid "$p" TERM; done
  PIDS=()
  for ns in "${NS_CREATED[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  NS_CREATED=()
}

cleanup() {
  local rc=$?
  set +e
  teardown
  rm -rf "$TMP"
  [ $rc -eq 0 ] || log "failed (exit $rc); all cwlab namespaces and processes of this run removed"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- prerequisites ---------------------------------------------------------

[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces)"
missing=()
command -v tcpdump >/dev/null || missing+=(tcpdump)
command -v tshark  >/dev/null || missing+=(tshark)
command -v bird    >/dev/null || missing+=(bird2)
command -v birdc   >/dev/null || missing+=(bird2)
command -v iptables >/dev/null || missing+=(iptables)
command -v ip      >/dev/null || missing+=(iproute2)
command -v bridge  >/dev/null || missing+=(iproute2)
command -v ethtool >/dev/null || missing+=(ethtool)
command -v ping    >/dev/null || missing+=(iputils-ping)
python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get update -qq
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
  timeout 600 apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${missing[@]}" | sort -u)
fi
if ip netns list | grep -q "^$NSP-"; then
  die "$NSP-* namespaces already exist (another run, or a killed one): $(ip netns list | grep "^$NSP-" | cut -d' ' -f1 | tr '\n' ' ') — remove them with 'ip netns del NAME' first"
fi

# --- fixed, locally administered MACs (02:...) -----------------------------
MAC_H1=02:42:c0:a8:38:77; MAC_H2=02:42:c0:a8:38:78; MAC_H3=02:42:c0:a8:38:79   # host NICs (hex of .119/.120/.121)
MAC_RT=02:42:c0:a8:38:01                                                        # routing layer 192.168.56.1
MAC_BR1=02:42:c0:a8:0a:01; MAC_BR2=02:42:c0:a8:14:01; MAC_BR3=02:42:c0:a8:1e:01 # container bridges (gateways .1)
MAC_C1=02:42:c0:a8:0a:02; MAC_C2=02:42:c0:a8:14:02; MAC_C3=02:42:c0:a8:1e:02    # containers (.2)
MAC_VTEP1=02:f1:00:00:00:01; MAC_VTEP2=02:f1:00:00:00:02                        # flannel.1 devices

# --- building blocks -------------------------------------------------------

nsx() { local n="$NSP-$1"; shift; ip netns exec "$n" "$@"; }

ns_add() {
  local n="$NSP-$1"
  ip netns add "$n"
  NS_CREATED+=("$n")
  nsx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  nsx "$1" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  nsx "$1" ip link set lo up
}

offload_off() { nsx "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || log "warn: ethtool -K $2 in $1 failed"; }

# the underlay segment 192.168.56.0/24: a switch (bridge "sw") in cwlab-ul
ul_add() { ns_add ul; nsx ul ip link add sw type bridge; nsx ul ip link set sw up; }

# ul_port NS IFNAME MAC: a NIC of namespace NS plugged into the underlay switch
ul_port() {
  local ns=$1 ifn=$2 mac=$3
  nsx "$ns" ip link add "$ifn" address "$mac" type veth peer name "p-$ns" netns "$NSP-ul"
  nsx ul ip link set "p-$ns" master sw
  offload_off ul "p-$ns"; offload_off "$ns" "$ifn"
  nsx ul ip link set "p-$ns" up
  nsx "$ns" ip link set "$ifn" up
}

# host_add NS NICIP NICMAC PFX BRMAC: a Docker host: NIC eth0 on the underlay,
# container bridge br0 with PFX.1/24 (Docker's bip), forwarding on.
host_add() {
  local h=$1 nicip=$2 nicmac=$3 pfx=$4 brmac=$5
  ns_add "$h"
  nsx "$h" sysctl -qw net.ipv4.ip_forward=1
  ul_port "$h" eth0 "$nicmac"
  nsx "$h" ip addr add "$nicip/24" dev eth0
  nsx "$h" ip link add br0 address "$brmac" type bridge
  nsx "$h" ip addr add "$pfx.1/24" dev br0
  nsx "$h" ip link set br0 up
}

# container_add HOSTNS CNS IP MAC GW [MTU] [BRIDGE]: a container on the host's bridge
# (GW empty: no default route; the container only reaches its /24)
container_add() {
  local h=$1 c=$2 addr=$3 mac=$4 gw=$5 mtu=${6:-1500} br=${7:-br0}
  ns_add "$c"
  nsx "$h" ip link add "v-$c" type veth peer name eth0 address "$mac" netns "$NSP-$c"
  nsx "$h" ip link set "v-$c" mtu "$mtu" master "$br"
  offload_off "$h" "v-$c"; offload_off "$c" eth0
  nsx "$h" ip link set "v-$c" up
  nsx "$c" ip link set eth0 mtu "$mtu" up
  nsx "$c" ip addr add "$addr/24" dev eth0
  if [ -n "$gw" ]; then nsx "$c" ip route add default via "$gw"; fi
}

# nic_bridge_host NS N MAC: a host whose NIC eth0 (on the underlay) is a port of the Linux
# bridge br0, which keeps the NIC's MAC and the host address 192.168.56.(118+N)
nic_bridge_host() {
  local h=$1 n=$2 mac=$3
  ns_add "$h"
  ul_port "$h" eth0 "$mac"
  nsx "$h" ip link add br0 address "$mac" type bridge
  nsx "$h" ip link set eth0 master br0
  nsx "$h" ip addr add 192.168.56.$((118 + n))/24 dev br0
  nsx "$h" ip link set br0 up
}

# the two hosts of the article, one container each
two_hosts() {
  local cmtu=${1:-1500}
  ul_add
  host_add h1 192.168.56.119 $MAC_H1 192.168.10 $MAC_BR1
  host_add h2 192.168.56.120 $MAC_H2 192.168.20 $MAC_BR2
  container_add h1 h1c1 192.168.10.2 $MAC_C1 192.168.10.1 "$cmtu"
  container_add h2 h2c1 192.168.20.2 $MAC_C2 192.168.20.1 "$cmtu"
}

static_routes() {
  nsx h1 ip route add 192.168.20.0/24 via 192.168.56.120
  nsx h2 ip route add 192.168.10.0/24 via 192.168.56.119
}

# cap_start NS IFACE FILE: tcpdump -U into the scenario dir; waits until listening
cap_start() {
  local ns=$1 ifn=$2 file=$3 i err
  err="$TMP/tcpdump.$1.$2.err"
  # started directly (not through a shell function) so that $! is tcpdump's own PID;
  # --immediate-mode: no packets held in the capture ring when SIGINT arrives
  ip netns exec "$NSP-$ns" tcpdump -U --immediate-mode -n -Z root -s 0 -i "$ifn" -w "$SCDIR/$file" 2>"$err" &
  local p=$!
  PIDS+=("$p"); CAPS+=("$p")
  for i in $(seq 1 150); do
    grep -q "listening on" "$err" 2>/dev/null && break
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "listening on" "$err" || die "tcpdump on $ns/$ifn did not start (running: $(kill -0 "$p" 2>/dev/null && echo yes || echo no)): $(cat "$err")"
}

cap_stop_all() {
  local p
  sleep 1                        # let the last frames reach the capture
  for p in "${CAPS[@]}"; do stop_pid "$p" INT; done
  CAPS=()
}

# bg NS CMD...: start a bounded background process in a namespace, print nothing; sets BGPID
# (ip netns exec execs the command, so $! is the command's own PID)
bg() { local ns=$1; shift; ip netns exec "$NSP-$ns" "$@" >>"$TMP/bg.log" 2>&1 & BGPID=$!; PIDS+=("$BGPID"); }

wait_file() { local f=$1 i; for i in $(seq 1 50); do [ -e "$f" ] && return 0; sleep 0.1; done; die "timeout waiting for $f"; }

# traffic SRC DSTNS DSTIP [TCPHOST TCPPORT SRVPORT] [PINGSIZE]: ping, a few KB of
# TCP and some UDP to a listening receiver, all bounded.
traffic() {
  local src=$1 dstns=$2 dst=$3 tcphost=${4:-$3} tcpport=${5:-5001} srvport=${6:-5001} nbytes=${7:-4000}
  local r1="$TMP/ready.tcp.$RANDOM" r2="$TMP/ready.udp.$RANDOM" tp up
  bg "$dstns" timeout 20 python3 "$LAB_DIR/traffic.py" tcp-server "$srvport" 15 "$r1"; tp=$BGPID
  bg "$dstns" timeout 20 python3 "$LAB_DIR/traffic.py" udp-server 5002 4 15 "$r2"; up=$BGPID
  wait_file "$r1"; wait_file "$r2"
  nsx "$src" ping -n -q -c 3 -i 0.2 -W 1 "$dst" >/dev/null || log "note: ping $dst from $src had losses"
  nsx "$src" timeout 15 python3 "$LAB_DIR/traffic.py" tcp-client "$tcphost" "$tcpport" "$nbytes" >/dev/null || log "note: tcp to $tcphost:$tcpport failed"
  nsx "$src" timeout 15 python3 "$LAB_DIR/traffic.py" udp-client "$dst" 5002 4 200 >/dev/null || log "note: udp to $dst failed"
  wait_pid "$tp" 5; wait_pid "$up" 5
  FACTS+=(traffic=yes)
}

scenario_begin() {
  SC=$1; SCDIR="$OUT/$SC"; FACTS=(); NOTES=""
  log "=== $SC"
  rm -rf "$SCDIR"; mkdir -p "$SCDIR"
}

# scenario_end CAPTURE...: stop, tear down, derive expected.json
scenario_end() {
  cap_stop_all
  teardown
  local c
  for c in "$@"; do [ -s "$SCDIR/$c" ] || die "$SC: capture $c missing or empty"; done
  [ -n "${CWLAB_NODERIVE:-}" ] && return 0
  python3 "$LAB_DIR/derive_expected.py" "$SCDIR" --captures "$@" --notes "$NOTES" --facts "${FACTS[@]}" \
    || die "$SC: derive_expected.py refused (capture contradicts what the lab did)"
}

plan() { cat >"$SCDIR/plan.yaml"; }

# --- bird2 ------------------------------------------------------------------

# bird_start NS CONFFILE: one bird per host namespace, own config/socket/pidfile
bird_start() {
  local ns=$1 d="$TMP/bird-$1"
  mkdir -p "$d"; cp "$2" "$d/bird.conf"
  ip netns exec "$NSP-$ns" bird -f -c "$d/bird.conf" -s "$d/bird.ctl" -P "$d/bird.pid" >>"$d/bird.out" 2>&1 &
  PIDS+=("$!")
  local i; for i in $(seq 1 50); do [ -S "$d/bird.ctl" ] && return 0; sleep 0.1; done
  die "bird in $ns did not start: $(cat "$d/bird.out")"
}
birdc_ns() { local ns=$1; shift; nsx "$ns" timeout 5 birdc -s "$TMP/bird-$ns/bird.ctl" "$@"; }

# wait_route NS PREFIX MAXSECONDS
wait_route() {
  local ns=$1 pfx=$2 max=$3 i
  for i in $(seq 1 $((max * 4))); do
    [ -n "$(nsx "$ns" ip route show "$pfx")" ] && return 0
    sleep 0.25
  done
  return 1
}

# =========================== scenarios =====================================

sc_static() {   # 01 / 02: the article's worked example, optionally with MASQUERADE
  local name=$1 masq=$2
  scenario_begin "$name"
  two_hosts; static_routes
  if [ "$masq" = on ]; then
    nsx h1 iptables -t nat -A POSTROUTING -s 192.168.10.0/24 ! -o br0 -j MASQUERADE
    FACTS+=(masquerade=host1)
  fi
  FACTS+=(route.host1=192.168.20.0/24:192.168.56.120)
  NOTES="Lab: namespaces host1 (NIC eth0 192.168.56.119, bridge br0 192.168.10.1/24) and host2 (192.168.56.120, br0 192.168.20.1/24) on one switched underlay, one container each (192.168.10.2, 192.168.20.2), static routes as in the article. Container 192.168.10.2 pings 192.168.20.2, sends 4000 bytes over TCP to port 5001 and 4 UDP datagrams to a listening port 5002. Captured on host1's br0 and eth0, so each packet is seen at two points (TTL one lower on eth0)."
  [ "$masq" = on ] && NOTES="$NOTES Docker's default MASQUERADE rule (iptables -t nat -A POSTROUTING -s 192.168.10.0/24 ! -o br0 -j MASQUERADE) was left on in host1: on eth0 the container's packets carry 192.168.56.119, on br0 192.168.10.2 - the same packet (IP id, payload) at two points with a different source, which nat: none forbids. The replies' destinations are rewritten back by the same conntrack entry; that reverse half is not a destination NAT."
  cap_start h1 br0 host1-br0.pcap
  cap_start h1 eth0 host1-eth0.pcap
  traffic h1c1 h2c1 192.168.20.2
  plan <<EOF
version: 1
name: blog-static-routes
description: The article's worked example - two Docker hosts, own bip each, joined by static routes.$( [ "$masq" = on ] && echo " Docker's default MASQUERADE was left on on host1 (the plan forbids NAT)." )
underlay:
  mtu: 1500
  subnet: 192.168.56.0/24
hosts:
  - name: host1
    address: 192.168.56.119
    mac: "$MAC_H1"
    containers: 192.168.10.0/24
    gateway: 192.168.10.1
  - name: host2
    address: 192.168.56.120
    mac: "$MAC_H2"
    containers: 192.168.20.0/24
    gateway: 192.168.20.1
transport:
  mode: routed
nat: none
routes:
  - { at: host1, to: 192.168.20.0/24, via: 192.168.56.120 }
  - { at: host2, to: 192.168.10.0/24, via: 192.168.56.119 }
routing:
  protocol: static
EOF
  scenario_end host1-br0.pcap host1-eth0.pcap
}

sc_port() {     # 03 / 04: port mode, DNAT host2:8080 -> 192.168.20.2:80
  local name=$1 declared=$2
  scenario_begin "$name"
  two_hosts; static_routes
  nsx h2 iptables -t nat -A PREROUTING -d 192.168.56.120 -p tcp --dport 8080 -j DNAT --to-destination 192.168.20.2:80
  FACTS+=(dnat=host2:8080:tcp:192.168.20.2:80 publish_declared=$declared)
  NOTES="Lab: host1 and host2 with static routes; host2 has iptables -t nat -A PREROUTING -d 192.168.56.120 -p tcp --dport 8080 -j DNAT --to-destination 192.168.20.2:80 (docker run -p 8080:80). Container 192.168.10.2 on host1 pings 192.168.20.2, sends 4000 bytes over TCP to 192.168.56.120:8080 (served on 192.168.20.2:80) and UDP to 192.168.20.2:5002. Captured on host2's eth0 and br0: the same SYN is seen to 192.168.56.120:8080 on eth0 and to 192.168.20.2:80 on br0. The replies' source rewrite back to 192.168.56.120:8080 is the reverse half of that DNAT, not a source NAT. Plans here state no MACs: next-hop MACs come from ARP."
  [ "$declared" = yes ] && NOTES="$NOTES The mapping is declared in publish, so the translation is listed and passes." || NOTES="$NOTES The plan has no publish entry for it, so the translation is an undeclared destination NAT."
  cap_start h2 eth0 host2-eth0.pcap
  cap_start h2 br0 host2-br0.pcap
  traffic h1c1 h2c1 192.168.20.2 192.168.56.120 8080 80
  {
  cat <<EOF
version: 1
name: port-mode$( [ "$declared" = yes ] && echo "-published" || echo "-unpublished" )
description: Port mode - host2 maps tcp 8080 to container 192.168.20.2:80 (docker run -p 8080:80); a container on host1 uses it.$( [ "$declared" = yes ] || echo " The mapping is not declared in publish." )
underlay:
  subnet: 192.168.56.0/24
hosts:
  - name: host1
    address: 192.168.56.119
    containers: 192.168.10.0/24
    gateway: 192.168.10.1
  - name: host2
    address: 192.168.56.120
    containers: 192.168.20.0/24
    gateway: 192.168.20.1
transport:
  mode: routed
nat: none
EOF
  [ "$declared" = yes ] && cat <<EOF
publish:
  - { host: host2, port: 8080, protocol: tcp, to: 192.168.20.2:80 }
EOF
  cat <<EOF
routing:
  protocol: static
EOF
  } | plan
  scenario_end host2-eth0.pcap host2-br0.pcap
}

sc_solution1() {  # 05 / 16: NIC enslaved to the container bridge, routing layer with static routes
  local name=$1 mode=${2:-routed}
  scenario_begin "$name"
  ul_add
  # routing layer "core": one static route per host subnet
  ns_add rt
  nsx rt sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0
  ul_port rt eth0 $MAC_RT
  nsx rt sysctl -qw net.ipv4.conf.eth0.send_redirects=0
  nsx rt ip addr add 192.168.56.1/24 dev eth0
  nsx rt ip route add 192.168.10.0/24 via 192.168.56.119
  nsx rt ip route add 192.168.20.0/24 via 192.168.56.120
  local h n pfx mac c cmac
  for n in 1 2; do
    h=h$n; pfx=192.168.$((n * 10)); eval mac=\$MAC_H$n; eval cmac=\$MAC_C$n
    # the Linux bridge takes the NIC and keeps the NIC's management IP (and MAC)
    nic_bridge_host $h $n "$mac"
    nsx $h sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0
    nsx $h sysctl -qw net.ipv4.conf.br0.send_redirects=0
    nsx $h ip addr add $pfx.1/24 dev br0          # the Docker network's gateway on the same bridge
    nsx $h ip route add default via 192.168.56.1  # everything else: the routing layer
    container_add $h ${h}c1 $pfx.2 "$cmac" $pfx.1
  done
  FACTS+=(solution1=on router=core:192.168.56.1 redirects=off)
  local mode_note="so the plan says transport.mode routed (the spec's 'bridged' means switched with no router, which is not what happens here)."
  if [ "$mode" = bridged ]; then
    mode_note="yet this plan says transport.mode bridged: the operators' mistaken reading of a design whose NIC is a port of the container bridge. A bridged plan allows neither the TTL drops nor the frames to the routing layer's MAC, and its container subnets would lie inside the underlay's."
  fi
  NOTES="Lab (article's solution 1): in each host the NIC eth0 is a port of the Linux bridge br0, which keeps the NIC's address (192.168.56.119/.120) and MAC and also holds the container network's gateway (192.168.10.1 / 192.168.20.1); the containers sit on the same bridge, hence on the underlay's L2 segment. The routing layer is a router namespace core (192.168.56.1) with one static route per host subnet via that host's address; the hosts' default route is core. Container traffic 192.168.10.2 -> 192.168.20.2 goes container -> host1 -> core -> host2 -> container: it is routed (TTL drops by 3), not switched, $mode_note ICMP redirects are disabled on hosts and core (send_redirects=0), as on a routing layer configured for this design; otherwise host1 would redirect its containers towards core. Captured on both hosts' br0 (each sees its host's NIC traffic too), so each packet appears twice per capture: before and after the host routes it."
  local pname="solution1-bridge-plus-routing-layer"
  local pdesc="Solution 1 - each host's NIC is a port of the Linux bridge that holds its containers; the routing layer (core) has one static route per host subnet. Container traffic is routed (host -> core -> host), so the mode is routed."
  if [ "$mode" = bridged ]; then
    pname="solution1-planned-as-bridged"
    pdesc="Solution 1 planned by operators who took a NIC enslaved to the container bridge for a switched network. The plan says bridged, but container traffic is routed through host1, core and host2 (TTL drops), which route.nexthop reports."
    FACTS+=(planned_mode=bridged)
  fi
  cap_start h1 br0 host1-br0.pcap
  cap_start h2 br0 host2-br0.pcap
  traffic h1c1 h2c1 192.168.20.2
  plan <<EOF
version: 1
name: $pname
description: $pdesc
underlay:
  mtu: 1500
  subnet: 192.168.56.0/24
hosts:
  - name: host1
    address: 192.168.56.119
    containers: 192.168.10.0/24
    gateway: 192.168.10.1
  - name: host2
    address: 192.168.56.120
    containers: 192.168.20.0/24
    gateway: 192.168.20.1
routers:
  - name: core
    address: 192.168.56.1
    mac: "$MAC_RT"
transport:
  mode: $mode
nat: none
routes:
  - { at: host1, to: 192.168.20.0/24, via: 192.168.56.1 }
  - { at: host2, to: 192.168.10.0/24, via: 192.168.56.1 }
  - { at: core, to: 192.168.10.0/24, via: 192.168.56.119 }
  - { at: core, to: 192.168.20.0/24, via: 192.168.56.120 }
routing:
  protocol: static
EOF
  scenario_end host1-br0.pcap host2-br0.pcap
}

sc_bridged() {  # 15: containers on the underlay's L2 segment (macvlan-style ranges): switched, not routed
  local name=$1
  scenario_begin "$name"
  ul_add
  local h n mac cmac addr
  for n in 1 2; do
    h=h$n; eval mac=\$MAC_H$n; eval cmac=\$MAC_C$n
    # The NIC is a port of br0, which keeps the host's address and MAC; the containers
    # are on br0 too, addressed from the host's range of the underlay subnet.
    nic_bridge_host $h $n "$mac"
    addr=192.168.56.$((66 + 64 * n))       # host1 .130 in .128/26, host2 .194 in .192/26
    container_add $h ${h}c1 $addr "$cmac" ""  # on-link for the whole segment: no gateway needed
  done
  FACTS+=(bridged=on)
  NOTES="Lab (the spec's bridged mode, macvlan-style ranges): in each host the NIC eth0 is a port of the Linux bridge br0, which keeps the host's address (192.168.56.119/.120) and MAC; the containers sit on the same bridge with addresses from their host's range of the underlay subnet (host1 192.168.56.128/26, container .130; host2 192.168.56.192/26, container .194), on-link for the whole /24. Container traffic goes container -> br0 -> eth0 -> the underlay switch -> eth0 -> br0 -> container: switched, never routed (TTL unchanged, no router MAC), no tunnel, no NAT. Captured on both hosts' NICs (eth0, ports of br0)."
  cap_start h1 eth0 host1-eth0.pcap
  cap_start h2 eth0 host2-eth0.pcap
  traffic h1c1 h2c1 192.168.56.194
  plan <<EOF
version: 1
name: bridged-container-ranges
description: Containers share the underlay's L2 segment, each host owning a range of it (macvlan-style); traffic between hosts' containers is switched, with no router, tunnel or NAT.
underlay:
  mtu: 1500
  subnet: 192.168.56.0/24
hosts:
  - name: host1
    address: 192.168.56.119
    mac: "$MAC_H1"
    containers: 192.168.56.128/26
  - name: host2
    address: 192.168.56.120
    mac: "$MAC_H2"
    containers: 192.168.56.192/26
transport:
  mode: bridged
nat: none
routing:
  protocol: static
EOF
  scenario_end host1-eth0.pcap host2-eth0.pcap
}

# ospf_conf RID MYPFX PEERPFX HELLO DEAD
ospf_conf() {
  cat <<EOF
router id $1;
protocol device { scan time 2; }
protocol kernel {
  ipv4 { import none; export where net = $3; };
}
protocol ospf v2 ospf1 {
  ipv4 { import all; export none; };
  area 0.0.0.0 {
    interface "eth0" { type broadcast; hello $4; dead $5; wait $4; };
    interface "br0" { stub yes; };
  };
}
EOF
}

sc_ospf() {      # 06 / 07: solution 2 with OSPFv2 (bird2)
  local name=$1 mismatch=$2
  scenario_begin "$name"
  two_hosts
  cap_start h1 eth0 host1-eth0.pcap
  [ "$mismatch" = yes ] && cap_start h1 br0 host1-br0.pcap
  NOTES="Lab (solution 2): host1 and host2 each run bird2 (own config, control socket and PID file) with OSPFv2 area 0 on eth0 (broadcast, hello 2, dead 8) and br0 as a stub network, so each Router-LSA carries the host's container subnet as a stub link; OSPF routes to the other host's subnet are exported to the kernel. Capture on host1's eth0 starts before bird does."
  ospf_conf 192.168.56.119 192.168.10.0/24 192.168.20.0/24 2 8 >"$TMP/h1.conf"; bird_start h1 "$TMP/h1.conf"
  if [ "$mismatch" = yes ]; then
    ospf_conf 192.168.56.120 192.168.20.0/24 192.168.10.0/24 3 12 >"$TMP/h2.conf"; bird_start h2 "$TMP/h2.conf"
    FACTS+=(ospf=on ospf.mismatch=hello:2/3,dead:8/12)
    NOTES="$NOTES host2 was configured with hello 3 / dead 12: the routers ignore each other's Hellos, no adjacency forms, no LSA is flooded and no route is installed. Container 192.168.10.2 then tries to ping 192.168.20.2 and host1 answers ICMP network unreachable (seen on host1's br0, the second capture)."
    sleep 9    # several Hellos from both sides; no adjacency can form
    if wait_route h1 192.168.20.0/24 1; then die "$name: a route was learned despite the mismatch"; fi
    # containers try anyway: host1 has no route to 192.168.20.0/24
    nsx h1c1 ping -n -q -c 2 -i 0.3 -W 1 192.168.20.2 >/dev/null 2>&1 || true
    FACTS+=(ospf.adjacency=none)
  else
    ospf_conf 192.168.56.120 192.168.20.0/24 192.168.10.0/24 2 8 >"$TMP/h2.conf"; bird_start h2 "$TMP/h2.conf"
    FACTS+=(ospf=on)
    NOTES="$NOTES The adjacency reaches Full (DBD, LS Request/Update/Ack in the capture), routes are installed, then container traffic (ping, 4000 bytes TCP, UDP) crosses."
    wait_route h1 192.168.20.0/24 40 || die "$name: OSPF route to 192.168.20.0/24 not installed on host1"
    wait_route h2 192.168.10.0/24 10 || die "$name: OSPF route to 192.168.10.0/24 not installed on host2"
    log "OSPF: $(birdc_ns h1 show ospf neighbors | tail -n +3 | tr -s ' ' | tr '\n' ';')"
    FACTS+=(ospf.adjacency=full)
    traffic h1c1 h2c1 192.168.20.2
  fi
  plan <<EOF
version: 1
name: solution2-ospf
description: Solution 2 - as solution 1 but the routes come from OSPFv2 (bird2) on every host; each host announces its container subnet.$( [ "$mismatch" = yes ] && echo " host2 was configured with hello 3 / dead 12 instead of 2 / 8." )
underlay:
  mtu: 1500
  subnet: 192.168.56.0/24
hosts:
  - name: host1
    address: 192.168.56.119
    containers: 192.168.10.0/24
    gateway: 192.168.10.1
    router_id: 192.168.56.119
  - name: host2
    address: 192.168.56.120
    containers: 192.168.20.0/24
    gateway: 192.168.20.1
    router_id: 192.168.56.120
transport:
  mode: routed
nat: none
routing:
  protocol: ospf
  ospf: { area: 0.0.0.0, hello_interval: 2, dead_interval: 8 }
EOF
  if [ "$mismatch" = yes ]; then scenario_end host1-eth0.pcap host1-br0.pcap; else scenario_end host1-eth0.pcap; fi
}

# bgp_conf RID LOCALIP ASN PEERIP PEERASN EXPORTSET PEERPFX [passive] [extra static]
bgp_conf() {
  cat <<EOF
router id $1;
protocol device { scan time 2; }
protocol direct { ipv4; interface "br0"; }
protocol kernel {
  ipv4 { import none; export where source = RTS_BGP; };
}
EOF
  [ -n "${9:-}" ] && echo "protocol static extra { ipv4; route $9 blackhole; }"
  cat <<EOF
protocol bgp peer {
  local $2 as $3;
  neighbor $4 as $5;
  hold time 90;
  keepalive time 30;
  connect delay time 1;
  connect retry time 3;
  $( [ "${8:-}" = passive ] && echo "passive on;" )
  ipv4 { import all; export where net ~ [ $6 ]; };
}
EOF
}

sc_bgp() {       # 08 / 09: Calico-style BGP, no tunnel
  local name=$1 extra=$2
  scenario_begin "$name"
  two_hosts
  cap_start h1 eth0 host1-eth0.pcap
  if [ "$extra" = yes ]; then
    bgp_conf 192.168.56.120 192.168.56.120 64513 192.168.56.119 64512 "192.168.20.0/24, 192.168.99.0/24" 192.168.10.0/24 passive 192.168.99.0/24 >"$TMP/h2.conf"; bird_start h2 "$TMP/h2.conf"
    FACTS+=(bgp.extra=host2:192.168.99.0/24)
  else
    bgp_conf 192.168.56.120 192.168.56.120 64513 192.168.56.119 64512 "192.168.20.0/24" 192.168.10.0/24 passive >"$TMP/h2.conf"; bird_start h2 "$TMP/h2.conf"
  fi
  bgp_conf 192.168.56.119 192.168.56.119 64512 192.168.56.120 64513 "192.168.10.0/24" 192.168.20.0/24 >"$TMP/h1.conf"; bird_start h1 "$TMP/h1.conf"
  FACTS+=(bgp=on bgp.asn=host1:64512,host2:64513 bgp.hold=90)
  NOTES="Lab (Calico-style): host1 (AS 64512) and host2 (AS 64513) run bird2 eBGP over the underlay with hold time 90 (host2 passive, host1 connects); each exports its container subnet (protocol direct on br0), BGP routes go to the kernel, no tunnel. host1's eth0 is captured from before the session opens, so both OPENs, the UPDATEs and End-of-RIB markers are in the capture, followed by container traffic (ping, 4000 bytes TCP, UDP)."
  [ "$extra" = yes ] && NOTES="$NOTES host2 also announces 192.168.99.0/24 (a static blackhole route exported to BGP) in the same UPDATE as its own subnet; the plan has no such subnet: an extra route."
  wait_route h1 192.168.20.0/24 30 || die "$name: BGP route to 192.168.20.0/24 not installed on host1"
  wait_route h2 192.168.10.0/24 10 || die "$name: BGP route to 192.168.10.0/24 not installed on host2"
  if [ "$extra" = yes ]; then wait_route h1 192.168.99.0/24 10 || die "$name: extra prefix not learned by host1"; fi
  log "BGP: $(birdc_ns h1 show protocols peer | tail -n 1)"
  traffic h1c1 h2c1 192.168.20.2
  plan <<EOF
version: 1
name: calico-style-bgp
description: Calico-style - every host speaks eBGP (bird2) and announces its container subnet; routes go to the kernel; no tunnel, no NAT.$( [ "$extra" = yes ] && echo " host2 also announces 192.168.99.0/24, which the plan does not have." )
underlay:
  mtu: 1500
  subnet: 192.168.56.0/24
hosts:
  - name: host1
    address: 192.168.56.119
    containers: 192.168.10.0/24
    gateway: 192.168.10.1
    asn: 64512
    router_id: 192.168.56.119
  - name: host2
    address: 192.168.56.120
    containers: 192.168.20.0/24
    gateway: 192.168.20.1
    asn: 64513
    router_id: 192.168.56.120
transport:
  mode: routed
nat: none
routing:
  protocol: bgp
  bgp: { hold_time: 90 }
EOF
  scenario_end host1-eth0.pcap
}

# vxlan_host NS LOCALIP MYPFX VTEPMAC PEERIP PEERPFX PEERVTEPMAC PORT MTU: flannel's vxlan backend, by hand
vxlan_host() {
  local h=$1 lip=$2 mypfx=$3 vmac=$4 pip=$5 ppfx=$6 pvmac=$7 port=$8 mtu=$9
  # bound to eth0 the kernel refuses an MTU above eth0's MTU - 50; the MTU mistake
  # (inner 1500) is only possible on a VXLAN device not bound to a lower device
  local devopt=(dev eth0); [ "$mtu" -gt 1450 ] && devopt=()
  nsx "$h" ip link add flannel.1 address "$vmac" type vxlan id 1 local "$lip" "${devopt[@]}" dstport "$port" nolearning
  nsx "$h" ip link set flannel.1 mtu "$mtu" up
  nsx "$h" ip addr add "$mypfx.0/32" dev flannel.1
  nsx "$h" ip neigh add "$ppfx.0" lladdr "$pvmac" dev flannel.1 nud permanent
  nsx "$h" bridge fdb append "$pvmac" dev flannel.1 dst "$pip"
  nsx "$h" ip route add "$ppfx.0/24" via "$ppfx.0" dev flannel.1 onlink
}

# vxlan_plan NAME DESC PORT MTU [MORE]: the article's two hosts joined by VXLAN (VNI 1); MORE
# is appended to the transport section
vxlan_plan() {
  plan <<EOF
version: 1
name: $1
description: $2
underlay:
  mtu: 1500
  subnet: 192.168.56.0/24
hosts:
  - name: host1
    address: 192.168.56.119
    containers: 192.168.10.0/24
    gateway: 192.168.10.1
  - name: host2
    address: 192.168.56.120
    containers: 192.168.20.0/24
    gateway: 192.168.20.1
transport:
  mode: vxlan
  mtu: $4
  vxlan: { vni: 1, port: $3 }${5:-}
nat: none
routing:
  protocol: static
EOF
}

sc_vxlan() {     # 10 / 11 / 12: flannel-style VXLAN
  local name=$1 port=$2 mtu=$3
  scenario_begin "$name"
  two_hosts "$mtu"
  nsx h1 ip link set br0 mtu "$mtu"; nsx h2 ip link set br0 mtu "$mtu"
  vxlan_host h1 192.168.56.119 192.168.10 $MAC_VTEP1 192.168.56.120 192.168.20 $MAC_VTEP2 "$port" "$mtu"
  vxlan_host h2 192.168.56.120 192.168.20 $MAC_VTEP2 192.168.56.119 192.168.10 $MAC_VTEP1 "$port" "$mtu"
  FACTS+=(vxlan=vni:1,port:$port inner_mtu=$mtu underlay_mtu=1500)
  [ "$mtu" -gt 1450 ] && FACTS+=(vxlan.unbound=yes)
  NOTES="Lab (flannel VXLAN backend by hand): kernel VXLAN device flannel.1 on each host, VNI 1, UDP $port, nolearning, a permanent neighbour and FDB entry for the peer VTEP, and a route to the peer's container subnet via flannel.1. Container 192.168.10.2 pings 192.168.20.2 and sends TCP and UDP to it. Captured on host1's br0 (inner packets) and eth0 (outer VXLAN packets). Encapsulation overhead: 50 bytes per VXLAN packet (14 Ethernet + 20 IP + 8 UDP + 8 VXLAN)."
  if [ "$mtu" -gt 1450 ]; then NOTES="$NOTES The MTU mistake: containers and flannel.1 have MTU 1500 on a 1500-byte underlay. Bound to eth0 the kernel refuses a VXLAN MTU above 1450, so flannel.1 is not bound to a lower device here, and the kernel then fragments the outer UDP packets (1550 bytes of IP) into two: 1472-byte pings (with and without DF) and 1448-byte TCP segments each cost two outer frames. A verifier must flag fragmented tunnel packets (encap.mtu fail); metrics count each fragmented outer packet once and every fragment's headers as overhead."; else NOTES="$NOTES Containers use MTU 1450 (flannel's default), so nothing is fragmented."; fi
  [ "$port" = 4789 ] && NOTES="$NOTES The plan also sets max_overhead_ratio 0.05; the small packets of this exchange make the ratio much higher, so encap.overhead fails."
  cap_start h1 br0 host1-br0.pcap
  cap_start h1 eth0 host1-eth0.pcap
  if [ "$mtu" -gt 1450 ]; then
    # the MTU mistake: 1500-byte inner packets cannot fit a 1500-byte underlay with 50 bytes of VXLAN
    nsx h1c1 ping -n -q -c 2 -i 0.3 -W 1 -s 1472 -M dont 192.168.20.2 >/dev/null || log "note: big ping (DF off) losses"
    nsx h1c1 ping -n -q -c 2 -i 0.3 -W 1 -s 1472 -M do 192.168.20.2 >/dev/null 2>&1 || log "note: big ping (DF on) failed, as expected"
    traffic h1c1 h2c1 192.168.20.2 192.168.20.2 5001 5001 12000
    FACTS+=(mtu_mistake=yes)
  else
    traffic h1c1 h2c1 192.168.20.2 192.168.20.2 5001 5001 6000
  fi
  vxlan_plan "flannel-vxlan-$port$( [ "$mtu" -gt 1450 ] && echo "-mtu-mistake" )" \
    "flannel-style VXLAN backend - kernel device flannel.1 on each host, VNI 1, UDP $port.$( [ "$mtu" -gt 1450 ] && echo " The inner MTU was left at 1500 over a 1500-byte underlay." )" \
    "$port" "$mtu" "$( [ "$port" = 4789 ] && printf '\n  max_overhead_ratio: 0.05' )"
  scenario_end host1-br0.pcap host1-eth0.pcap
}

sc_ipip() {      # 13: Calico IPIP
  local name=$1 how
  scenario_begin "$name"
  two_hosts 1480
  nsx h1 ip link set br0 mtu 1480; nsx h2 ip link set br0 mtu 1480
  if nsx h1 ip link add cwprobe0 type ipip local 192.168.56.119 remote 192.168.56.120 2>"$TMP/ipip.err"; then
    nsx h1 ip link del cwprobe0
    how=kernel
    nsx h1 ip link add cwipip0 type ipip local 192.168.56.119 remote 192.168.56.120 ttl 64
    nsx h2 ip link add cwipip0 type ipip local 192.168.56.120 remote 192.168.56.119 ttl 64
  else
    how=tun
    log "kernel has no ipip link type ($(tr -d '\n' <"$TMP/ipip.err")): using TUN + python3 raw-socket forwarder"
    bg h1 timeout 40 python3 "$LAB_DIR/ipip_tun.py" cwipip0 192.168.56.119 192.168.56.120 30 "$TMP/ipip1.ready"
    bg h2 timeout 40 python3 "$LAB_DIR/ipip_tun.py" cwipip0 192.168.56.120 192.168.56.119 30 "$TMP/ipip2.ready"
    wait_file "$TMP/ipip1.ready"; wait_file "$TMP/ipip2.ready"
  fi
  nsx h1 ip link set cwipip0 mtu 1480 up; nsx h2 ip link set cwipip0 mtu 1480 up
  nsx h1 ip route add 192.168.20.0/24 dev cwipip0
  nsx h2 ip route add 192.168.10.0/24 dev cwipip0
  FACTS+=(ipip=$how)
  if [ "$how" = tun ]; then
    NOTES="Lab (Calico IPIP): this kernel has no ipip link type ('ip link add ... type ipip' fails: Unknown device type), so each host runs lab/ipip_tun.py: a TUN device cwipip0 (MTU 1480) receives the packets routed to the peer's container subnet and sends them with a raw IPPROTO_IPIP socket to the peer host; the kernel builds the outer IPv4 header (protocol 4, host address to host address) exactly as an ipip device would; received protocol-4 packets are stripped of the outer header and written back into the TUN. The packets on the wire are genuine IP-in-IP."
  else
    NOTES="Lab (Calico IPIP): kernel ipip devices cwipip0 (MTU 1480) between the hosts."
  fi
  NOTES="$NOTES Container MTU 1480. Container 192.168.10.2 pings 192.168.20.2 and sends TCP and UDP to it. Captured on host1's br0 (inner) and eth0 (outer). Overhead (contract 1.1, the tunnel's MTU cost): 20 bytes per packet, the outer IP header (version 1 counted the outer Ethernet header too: 34)."
  cap_start h1 br0 host1-br0.pcap
  cap_start h1 eth0 host1-eth0.pcap
  traffic h1c1 h2c1 192.168.20.2
  plan <<EOF
version: 1
name: calico-ipip
description: Calico IPIP - container packets between hosts are carried in IPv4 protocol 4 (IP-in-IP); container MTU 1480.
underlay:
  mtu: 1500
  subnet: 192.168.56.0/24
hosts:
  - name: host1
    address: 192.168.56.119
    containers: 192.168.10.0/24
    gateway: 192.168.10.1
  - name: host2
    address: 192.168.56.120
    containers: 192.168.20.0/24
    gateway: 192.168.20.1
transport:
  mode: ipip
  mtu: 1480
nat: none
routing:
  protocol: static
EOF
  scenario_end host1-br0.pcap host1-eth0.pcap
}

sc_wrong_route() {  # 14: host1 sends host2's subnet via host3
  local name=$1
  scenario_begin "$name"
  two_hosts
  host_add h3 192.168.56.121 $MAC_H3 192.168.30 $MAC_BR3
  container_add h3 h3c1 192.168.30.2 $MAC_C3 192.168.30.1
  nsx h1 ip route add 192.168.20.0/24 via 192.168.56.121     # the mistake
  nsx h1 ip route add 192.168.30.0/24 via 192.168.56.121
  nsx h2 ip route add 192.168.10.0/24 via 192.168.56.119
  nsx h2 ip route add 192.168.30.0/24 via 192.168.56.121
  nsx h3 ip route add 192.168.10.0/24 via 192.168.56.119
  nsx h3 ip route add 192.168.20.0/24 via 192.168.56.120     # host3 forwards it on
  FACTS+=(route.host1=192.168.20.0/24:192.168.56.121 host3.forwards=yes)
  NOTES="Lab: three hosts on one underlay (host3 192.168.56.121 with containers 192.168.30.0/24). host1 wrongly routes 192.168.20.0/24 via host3 (ip route add 192.168.20.0/24 via 192.168.56.121); host3 forwards it on to host2; host2's replies go straight to host1. The plan (no routes key) says every host reaches another host's containers via that host's address. Container 192.168.10.2 pings 192.168.20.2 and sends TCP and UDP. Captured on host1's and host3's eth0: host1's frames to 192.168.20.0/24 go to host3's MAC instead of host2's, and host3's capture shows each such packet twice (in, and out with TTL one lower). The kernel sends no ICMP redirect here (the source is not on host3's link), so route.errors passes. Plans state the hosts' MACs."
  cap_start h1 eth0 host1-eth0.pcap
  cap_start h3 eth0 host3-eth0.pcap
  traffic h1c1 h2c1 192.168.20.2
  plan <<EOF
version: 1
name: three-hosts-static
description: Three Docker hosts joined by static routes; every host reaches every other host's containers via that host's address (routes omitted = default).
underlay:
  mtu: 1500
  subnet: 192.168.56.0/24
hosts:
  - name: host1
    address: 192.168.56.119
    mac: "$MAC_H1"
    containers: 192.168.10.0/24
    gateway: 192.168.10.1
  - name: host2
    address: 192.168.56.120
    mac: "$MAC_H2"
    containers: 192.168.20.0/24
    gateway: 192.168.20.1
  - name: host3
    address: 192.168.56.121
    mac: "$MAC_H3"
    containers: 192.168.30.0/24
    gateway: 192.168.30.1
transport:
  mode: routed
nat: none
routing:
  protocol: static
EOF
  scenario_end host1-eth0.pcap host3-eth0.pcap
}

# =========================== main ==========================================

ALL=(01-static-routes 02-static-masquerade 03-port-published 04-port-unpublished
     05-solution1-bridge 06-ospf 07-ospf-hello-mismatch 08-bgp 09-bgp-extra-prefix
     10-vxlan-8472 11-vxlan-4789 12-vxlan-mtu-mistake 13-ipip 14-wrong-route 15-bridged
     16-solution1-planned-bridged)

run_one() {
  case "$1" in
    01-static-routes)       sc_static "$1" off ;;
    02-static-masquerade)   sc_static "$1" on ;;
    03-port-published)      sc_port "$1" yes ;;
    04-port-unpublished)    sc_port "$1" no ;;
    05-solution1-bridge)    sc_solution1 "$1" ;;
    06-ospf)                sc_ospf "$1" no ;;
    07-ospf-hello-mismatch) sc_ospf "$1" yes ;;
    08-bgp)                 sc_bgp "$1" no ;;
    09-bgp-extra-prefix)    sc_bgp "$1" yes ;;
    10-vxlan-8472)          sc_vxlan "$1" 8472 1450 ;;
    11-vxlan-4789)          sc_vxlan "$1" 4789 1450 ;;
    12-vxlan-mtu-mistake)   sc_vxlan "$1" 8472 1500 ;;
    13-ipip)                sc_ipip "$1" ;;
    14-wrong-route)         sc_wrong_route "$1" ;;
    15-bridged)             sc_bridged "$1" ;;
    16-solution1-planned-bridged) sc_solution1 "$1" bridged ;;
    *)
      [ -n "${EXTRA_FN[$1]:-}" ] || die "unknown scenario $1 (known: ${ALL[*]})"
      # shellcheck disable=SC2086  # the registered arguments are words
      "${EXTRA_FN[$1]}" "$1" ${EXTRA_ARGS[$1]} ;;
  esac
}

# scenario NAME FUNCTION [ARGS...]: a scenario of a lab/scenarios-*.sh file; run as FUNCTION NAME ARGS...
declare -A EXTRA_FN EXTRA_ARGS
scenario() { ALL+=("$1"); EXTRA_FN[$1]=$2; EXTRA_ARGS[$1]="${*:3}"; }
for f in "$LAB_DIR"/scenarios-*.sh; do [ -e "$f" ] && source "$f"; done

mkdir -p "$OUT"
if [ $# -eq 0 ]; then set -- "${ALL[@]}"; fi
for s in "$@"; do run_one "$s"; done
python3 "$LAB_DIR/write_readme.py" "$OUT"
# the 300 KB limit keeps the repository small; a scratch directory (CWLAB_OUT) may hold bulk transfers
python3 "$LAB_DIR/check_pcaps.py" $([ "$OUT" = "$REPO/pcaps" ] || echo --max-kb 16384) "$OUT"
log "done: $*"
