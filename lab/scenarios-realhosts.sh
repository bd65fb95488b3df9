# Crosswire capture lab: the real-host scenarios of issue 15 (data-plane verdicts that hold on
# real hosts). Sourced by lab/make-pcaps.sh, which provides the building blocks (nsx, ns_add,
# ul_add, host_add, container_add, cap_start, traffic, scenario_begin/scenario_end, plan) and
# runs the registered scenarios: lab/make-pcaps.sh 40-vxlan-offload-bulk ...
# The same rules hold here: nothing is configured in the root namespace, every traffic source
# and wait loop is bounded, the "internet" is a namespace with documentation addresses
# (203.0.113.0/24, 198.51.100.0/24, 2001:db8::/32), and the trap removes every namespace.
# These scenarios use plan format 1.1 (services, dual-stack lists): the expected verdicts are
# derived by lab/derive_expected.py with lab/oracle_dataplane.py.

# --- building blocks with the veth offloads left at their defaults (TSO/GSO on) ------------

# rh_ul_port NS IFNAME MAC: ul_port without offload_off
rh_ul_port() {
  local ns=$1 ifn=$2 mac=$3
  nsx "$ns" ip link add "$ifn" address "$mac" type veth peer name "p-$ns" netns "$NSP-ul"
  nsx ul ip link set "p-$ns" master sw
  nsx ul ip link set "p-$ns" up
  nsx "$ns" ip link set "$ifn" up
}

# rh_host_add NS NICIP NICMAC PFX BRMAC: host_add without offload_off
rh_host_add() {
  local h=$1 nicip=$2 nicmac=$3 pfx=$4 brmac=$5
  ns_add "$h"
  nsx "$h" sysctl -qw net.ipv4.ip_forward=1
  rh_ul_port "$h" eth0 "$nicmac"
  nsx "$h" ip addr add "$nicip/24" dev eth0
  nsx "$h" ip link add br0 address "$brmac" type bridge
  nsx "$h" ip addr add "$pfx.1/24" dev br0
  nsx "$h" ip link set br0 up
}

# rh_container_add HOSTNS CNS IP MAC GW MTU: container_add without offload_off
rh_container_add() {
  local h=$1 c=$2 addr=$3 mac=$4 gw=$5 mtu=$6
  ns_add "$c"
  nsx "$h" ip link add "v-$c" type veth peer name eth0 address "$mac" netns "$NSP-$c"
  nsx "$h" ip link set "v-$c" mtu "$mtu" master br0
  nsx "$h" ip link set "v-$c" up
  nsx "$c" ip link set eth0 mtu "$mtu" up
  nsx "$c" ip addr add "$addr/24" dev eth0
  nsx "$c" ip route add default via "$gw"
}

rh_two_hosts_offload() {
  local cmtu=$1
  ul_add
  rh_host_add h1 192.168.56.119 $MAC_H1 192.168.10 $MAC_BR1
  rh_host_add h2 192.168.56.120 $MAC_H2 192.168.20 $MAC_BR2
  rh_container_add h1 h1c1 192.168.10.2 $MAC_C1 192.168.10.1 "$cmtu"
  rh_container_add h2 h2c1 192.168.20.2 $MAC_C2 192.168.20.1 "$cmtu"
  nsx h1 ip link set br0 mtu "$cmtu"; nsx h2 ip link set br0 mtu "$cmtu"
}

# rh_cap NS FILE TCPDUMP-ARGS...: cap_start with tcpdump's interface options given (-i any -y LINUX_SLL2)
rh_cap() {
  local ns=$1 file=$2 i err; shift 2
  err="$TMP/tcpdump.$ns.$file.err"
  ip netns exec "$NSP-$ns" tcpdump -U --immediate-mode -n -Z root -s 0 "$@" -w "$SCDIR/$file" 2>"$err" &
  local p=$!
  PIDS+=("$p"); CAPS+=("$p")
  for i in $(seq 1 150); do
    grep -q "listening on" "$err" 2>/dev/null && break
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "listening on" "$err" || die "tcpdump $* in $ns did not start: $(cat "$err")"
}

# rh_router NS: the underlay's router 192.168.56.1 (MAC_RT), forwarding, no redirects
rh_router() {
  ns_add rt
  nsx rt sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0
  ul_port rt eth0 $MAC_RT
  nsx rt ip addr add 192.168.56.1/24 dev eth0
}

# rh_internet: namespace "inet" (203.0.113.10, a documentation address) behind the router's eth1
rh_internet() {
  ns_add inet
  nsx rt ip link add eth1 type veth peer name eth0 netns "$NSP-inet"
  offload_off rt eth1; offload_off inet eth0
  nsx rt ip addr add 203.0.113.1/24 dev eth1; nsx rt ip link set eth1 up
  nsx inet ip link set eth0 up; nsx inet ip addr add 203.0.113.10/24 dev eth0
  nsx inet ip route add default via 203.0.113.1
}

# rh_masquerade NS PFX PEERPFX: Docker's MASQUERADE, with the exception every routed multi-host
# setup adds (the article's: traffic to the other host's containers keeps its source)
rh_masquerade() {
  nsx "$1" iptables -t nat -A POSTROUTING -s "$2.0/24" -d "$3.0/24" -j RETURN
  nsx "$1" iptables -t nat -A POSTROUTING -s "$2.0/24" ! -o br0 -j MASQUERADE
}

# rh_server NS PROTO PORT [BIND]: one bounded server (tcp: one connection, udp: 4 datagrams); sets SRVPID
rh_server() {
  local r="$TMP/ready.$2.$3.$RANDOM"
  if [ "$2" = tcp ]; then bg "$1" timeout 20 python3 "$LAB_DIR/traffic.py" tcp-server "$3" 15 "$r" ${4:+"$4"}
  else bg "$1" timeout 20 python3 "$LAB_DIR/traffic.py" udp-server "$3" 4 15 "$r" ${4:+"$4"}; fi
  SRVPID=$BGPID
  wait_file "$r"
}

rh_static_plan() {   # rh_static_plan NAME DESCRIPTION MODE-LINES: the two hosts' plan, routed unless told
  cat <<EOF
version: 1
name: $1
description: $2
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
EOF
}

# =========================== scenarios =====================================

sc_offload_bulk() {   # 40 / 41: a bulk transfer over a tunnel with every veth offload at its default
  local name=$1 kind=$2 how
  scenario_begin "$name"
  if [ "$kind" = vxlan ]; then
    rh_two_hosts_offload 1450
    vxlan_host h1 192.168.56.119 192.168.10 $MAC_VTEP1 192.168.56.120 192.168.20 $MAC_VTEP2 8472 1450
    vxlan_host h2 192.168.56.120 192.168.20 $MAC_VTEP2 192.168.56.119 192.168.10 $MAC_VTEP1 8472 1450
    FACTS+=(vxlan=vni:1,port:8472 inner_mtu=1450 underlay_mtu=1500 offload=nic)
    NOTES="Lab (flannel VXLAN backend by hand, as 10-vxlan-8472) with every offload left at the veth defaults (tx/rx checksum, TSO, GSO, tx-udp_tnl-segmentation on; no ethtool -K anywhere): the kernel hands GSO super-packets from the container through br0 and flannel.1 to eth0 unsegmented, so the capture on host1's NIC shows VXLAN frames of tens of KB whose inner packet is TCP (what tcpdump shows on every real host), and host1's br0 shows the inner TCP super-frames. Container 192.168.10.2 (MTU 1450) pings 192.168.20.2, sends 600,000 bytes (over 512 KiB) over TCP to port 5001 and 4 UDP datagrams to port 5002. Captured on host1's br0 and eth0. The oversize frames are offload aggregates, not wire packets: counted, never an MTU failure."
  else
    rh_two_hosts_offload 1480
    if nsx h1 ip link add cwprobe0 type ipip local 192.168.56.119 remote 192.168.56.120 2>/dev/null; then
      nsx h1 ip link del cwprobe0; how=kernel
      nsx h1 ip link add cwipip0 type ipip local 192.168.56.119 remote 192.168.56.120 ttl 64
      nsx h2 ip link add cwipip0 type ipip local 192.168.56.120 remote 192.168.56.119 ttl 64
    else
      how=tun
      bg h1 timeout 60 python3 "$LAB_DIR/ipip_tun.py" cwipip0 192.168.56.119 192.168.56.120 50 "$TMP/ipip1.ready"
      bg h2 timeout 60 python3 "$LAB_DIR/ipip_tun.py" cwipip0 192.168.56.120 192.168.56.119 50 "$TMP/ipip2.ready"
      wait_file "$TMP/ipip1.ready"; wait_file "$TMP/ipip2.ready"
    fi
    nsx h1 ip link set cwipip0 mtu 1480 up; nsx h2 ip link set cwipip0 mtu 1480 up
    nsx h1 ip route add 192.168.20.0/24 dev cwipip0
    nsx h2 ip route add 192.168.10.0/24 dev cwipip0
    FACTS+=(ipip=$how offload=bridge)
    NOTES="Lab (Calico IPIP, as 13-ipip) with every veth offload left at its defaults (TSO, GSO, checksum offload on; no ethtool -K anywhere). Container 192.168.10.2 (MTU 1480) pings 192.168.20.2, sends 600,000 bytes (over 512 KiB) over TCP to port 5001 and 4 UDP datagrams. Captured on host1's br0 and eth0."
    if [ "$how" = tun ]; then
      NOTES="$NOTES This kernel has no ipip link type, so the tunnel is lab/ipip_tun.py (a TUN device and a raw IPPROTO_IPIP socket, see 13-ipip). A TUN device without offloads makes the kernel segment the GSO super-packets before the tunnel: host1's br0 shows the containers' TCP super-frames (offload aggregates of plain TCP, up to 64 KB), host1's eth0 shows wire-sized IP-in-IP (a kernel ipip device would carry the aggregates into the NIC capture too, as VXLAN does in 40)."
    fi
  fi
  cap_start h1 br0 host1-br0.pcap
  cap_start h1 eth0 host1-eth0.pcap
  traffic h1c1 h2c1 192.168.20.2 192.168.20.2 5001 5001 600000
  FACTS+=(bulk=600000)
  local pname=calico-ipip-offloads-on pdesc="Calico IPIP between two hosts whose NICs keep their default offloads; a bulk TCP transfer."
  if [ "$kind" = vxlan ]; then
    pname=flannel-vxlan-offloads-on
    pdesc="flannel-style VXLAN, VNI 1 on UDP 8472, between two hosts whose NICs keep their default offloads; a bulk TCP transfer."
  fi
  {
    rh_static_plan "$pname" "$pdesc"
    if [ "$kind" = vxlan ]; then
      printf 'transport:\n  mode: vxlan\n  mtu: 1450\n  vxlan: { vni: 1, port: 8472 }\n'
    else
      printf 'transport:\n  mode: ipip\n  mtu: 1480\n'
    fi
    printf 'nat: none\nrouting:\n  protocol: static\n'
  } | plan
  scenario_end host1-br0.pcap host1-eth0.pcap
}

sc_egress_masquerade() {   # 42: Docker's MASQUERADE towards the internet, plan nat: none
  local name=$1 srv
  scenario_begin "$name"
  two_hosts; static_routes
  rh_router; rh_internet
  nsx h1 ip route add default via 192.168.56.1; nsx h2 ip route add default via 192.168.56.1
  rh_masquerade h1 192.168.10 192.168.20; rh_masquerade h2 192.168.20 192.168.10
  FACTS+=(masquerade=host1 egress=203.0.113.10 route.host1=192.168.20.0/24:192.168.56.120)
  NOTES="Lab: host1 and host2 with static routes between their container subnets, as 01, and a default route to the underlay's router edge (192.168.56.1), behind which the namespace inet (203.0.113.10, a documentation address) plays the internet. Both hosts have Docker's MASQUERADE (iptables -t nat -A POSTROUTING -s 192.168.10.0/24 ! -o br0 -j MASQUERADE) preceded by the RETURN rule every routed multi-host setup adds for the other host's containers (-s 192.168.10.0/24 -d 192.168.20.0/24 -j RETURN), so container traffic between hosts keeps its addresses. Container 192.168.10.2 pings 192.168.20.2 and sends TCP and UDP to it (untranslated), then a DNS-like UDP query to 203.0.113.10:53 and an HTTP-like TCP request (4000 bytes) to 203.0.113.10:80, which leave host1's NIC from 192.168.56.119 (the normal egress masquerade of every Docker host). Captured on host1's br0 and eth0. The plan says nat: none: the egress translations are listed as egress NAT, not judged."
  cap_start h1 br0 host1-br0.pcap
  cap_start h1 eth0 host1-eth0.pcap
  traffic h1c1 h2c1 192.168.20.2
  rh_server inet udp 53; srv=$SRVPID
  nsx h1c1 timeout 15 python3 "$LAB_DIR/traffic.py" udp-client 203.0.113.10 53 4 40 >/dev/null || log "note: udp to 203.0.113.10:53 failed"
  wait_pid "$srv" 5
  rh_server inet tcp 80; srv=$SRVPID
  nsx h1c1 timeout 15 python3 "$LAB_DIR/traffic.py" tcp-client 203.0.113.10 80 4000 >/dev/null || log "note: tcp to 203.0.113.10:80 failed"
  wait_pid "$srv" 5
  rh_article_plan docker-egress-masquerade "Two Docker hosts joined by static routes; containers reach the internet through Docker's MASQUERADE and the underlay's router; no NAT between the hosts' containers." none edge
  scenario_end host1-br0.pcap host1-eth0.pcap
}

sc_service_dnat() {   # 43: kube-proxy's DNAT from a ClusterIP to a pod on the other host
  local name=$1 srv
  scenario_begin "$name"
  two_hosts; static_routes
  nsx h1 iptables -t nat -A PREROUTING -d 10.96.0.10/32 -p udp --dport 53 -j DNAT --to-destination 192.168.20.2:5353
  nsx h1 iptables -t nat -A PREROUTING -d 10.96.0.1/32 -p tcp --dport 443 -j DNAT --to-destination 192.168.20.2:8443
  FACTS+=(service_dnat=10.96.0.10:53:udp:192.168.20.2:5353 service_dnat2=10.96.0.1:443:tcp:192.168.20.2:8443)
  NOTES="Lab (Kubernetes services, kube-proxy in iptables mode): host1 has iptables -t nat -A PREROUTING -d 10.96.0.10/32 -p udp --dport 53 -j DNAT --to-destination 192.168.20.2:5353 (the cluster DNS service) and -d 10.96.0.1/32 -p tcp --dport 443 -j DNAT --to-destination 192.168.20.2:8443 (a ClusterIP service), both backed by the pod 192.168.20.2 on host2. Pod 192.168.10.2 pings 192.168.20.2, sends 4000 bytes over TCP to 10.96.0.1:443, UDP to 192.168.20.2:5002 and 4 DNS-like UDP queries to 10.96.0.10:53. Captured on host1's v-h1c1 (the pod's veth, where kube-proxy users capture: cali*/veth*; with br_netfilter loaded the bridge itself already shows the translated packet) and eth0 (to the pod): the same packet at two points, to the ClusterIP and to the pod. The plan declares services: [10.96.0.0/12], so these DNATs are intended."
  cap_start h1 v-h1c1 host1-veth.pcap
  cap_start h1 eth0 host1-eth0.pcap
  traffic h1c1 h2c1 192.168.20.2 10.96.0.1 443 8443
  rh_server h2c1 udp 5353; srv=$SRVPID
  nsx h1c1 timeout 15 python3 "$LAB_DIR/traffic.py" udp-client 10.96.0.10 53 4 40 >/dev/null || log "note: udp to 10.96.0.10:53 failed"
  wait_pid "$srv" 5
  {
    rh_static_plan k8s-clusterip-services "Two Kubernetes nodes with routed pod subnets (static routes); kube-proxy DNATs ClusterIPs of 10.96.0.0/12 to pods."
    cat <<EOF
transport:
  mode: routed
nat: none
services: [10.96.0.0/12]
routes:
  - { at: host1, to: 192.168.20.0/24, via: 192.168.56.120 }
  - { at: host2, to: 192.168.10.0/24, via: 192.168.56.119 }
routing:
  protocol: static
EOF
  } | plan
  scenario_end host1-veth.pcap host1-eth0.pcap
}

# the 01/02 plan (nat: none), for the scenarios that capture the same network differently
# rh_article_plan NAME DESCRIPTION [NAT] [edge]: the article's static routes; "edge" adds the underlay's router
rh_article_plan() {
  {
    rh_static_plan "$1" "$2"
    if [ "${4:-}" = edge ]; then printf 'routers:\n  - name: edge\n    address: 192.168.56.1\n    mac: "%s"\n' "$MAC_RT"; fi
    cat <<EOF
transport:
  mode: routed
nat: ${3:-none}
routes:
  - { at: host1, to: 192.168.20.0/24, via: 192.168.56.120 }
  - { at: host2, to: 192.168.10.0/24, via: 192.168.56.119 }
routing:
  protocol: static
EOF
  } | plan
}

sc_masq_nic_only() {   # 44: MASQUERADE on, only both hosts' NICs captured
  local name=$1
  scenario_begin "$name"
  two_hosts; static_routes
  nsx h1 iptables -t nat -A POSTROUTING -s 192.168.10.0/24 ! -o br0 -j MASQUERADE
  FACTS+=(masquerade_nic_only=host1)
  NOTES="Lab: as 02-static-masquerade (Docker's MASQUERADE left on in host1, plan nat: none), but captured only on the two hosts' NICs (host1's eth0 and host2's eth0), as users often do. No capture point sees the container source 192.168.10.2 before translation: every packet of 192.168.10.2's traffic to 192.168.20.2 is seen at both NICs with source 192.168.56.119, unchanged between them. The proof is the TTL: the packets leave host1's NIC (source MAC host1's) with host1's address and TTL 63, one below the container's 64, so host1 forwarded them, and a forwarded packet carrying the forwarder's own address was source-translated by it."
  cap_start h1 eth0 host1-eth0.pcap
  cap_start h2 eth0 host2-eth0.pcap
  traffic h1c1 h2c1 192.168.20.2
  rh_article_plan blog-static-routes "The article's worked example; Docker's MASQUERADE was left on on host1 and only the hosts' NICs were captured."
  scenario_end host1-eth0.pcap host2-eth0.pcap
}

sc_tcpdump_any() {   # 45: one tcpdump -i any (SLL2) capture on host1
  local name=$1 idx
  scenario_begin "$name"
  two_hosts; static_routes
  nsx h1 iptables -t nat -A POSTROUTING -s 192.168.10.0/24 ! -o br0 -j MASQUERADE
  idx=$(nsx h1 ip -o link show | awk -F': ' '{print $1 "=" $2}' | sed 's/@.*//' | tr '\n' ' ')
  FACTS+=(masquerade=host1 linktype=sll2)
  NOTES="Lab: as 02-static-masquerade (Docker's MASQUERADE left on in host1, plan nat: none), captured by one tcpdump -i any -y LINUX_SLL2 in host1: one file, link type LINUX_SLL2, whose records carry the interface index (host1's interfaces: ${idx% }). Each container packet appears on v-h1c1 and br0 (source 192.168.10.2, TTL 64) and on eth0 (source 192.168.56.119, TTL 63). Each interface of the file is its own capture point (file@ifindex): the translation is proven inside one file, and one forwarding step (TTL 64 -> 63) is not a loop. SLL2 carries the source MAC only, so next hops by MAC cannot be judged."
  rh_cap h1 host1-any.pcap -i any -y LINUX_SLL2
  traffic h1c1 h2c1 192.168.20.2
  rh_article_plan blog-static-routes "The article's worked example; Docker's MASQUERADE was left on on host1; captured with tcpdump -i any."
  scenario_end host1-any.pcap
}

sc_mergecap() {   # 46: two capture points merged into one pcapng with mergecap
  local name=$1
  scenario_begin "$name"
  two_hosts; static_routes
  nsx h2 iptables -t nat -A PREROUTING -d 192.168.56.120 -p tcp --dport 8080 -j DNAT --to-destination 192.168.20.2:80
  FACTS+=(dnat=host2:8080:tcp:192.168.20.2:80 merged=yes)
  NOTES="Lab: as 04-port-unpublished (host2 has iptables -t nat -A PREROUTING -d 192.168.56.120 -p tcp --dport 8080 -j DNAT --to-destination 192.168.20.2:80, and the plan publishes nothing); host2's eth0 and br0 were captured apart and merged with mergecap -I none -w host2-merged.pcapng (-I none keeps the two interface descriptions apart; mergecap's default merges identical ones) host2-eth0.pcap host2-br0.pcap: one pcapng file with two interfaces (ids 0 = eth0, 1 = br0). Each interface id is its own capture point (file@id), so the undeclared DNAT is proven inside one file."
  cap_start h2 eth0 host2-eth0.pcap
  cap_start h2 br0 host2-br0.pcap
  traffic h1c1 h2c1 192.168.20.2 192.168.56.120 8080 80
  cap_stop_all
  mergecap -I none -w "$SCDIR/host2-merged.pcapng" "$SCDIR/host2-eth0.pcap" "$SCDIR/host2-br0.pcap"
  rm -f "$SCDIR/host2-eth0.pcap" "$SCDIR/host2-br0.pcap"
  rh_article_plan port-mode-unpublished "Port mode; host2 DNATs 8080 to a container but the plan publishes nothing; two capture points merged into one pcapng."
  scenario_end host2-merged.pcapng
}

sc_vxlan_planned_plain() {   # 47: plan says vxlan, traffic crosses unencapsulated
  local name=$1
  scenario_begin "$name"
  two_hosts; static_routes
  FACTS+=(plain_crosshost=yes)
  NOTES="Lab: two hosts joined by static routes with no tunnel at all (as 01), containers at MTU 1500, while the plan says flannel VXLAN (VNI 1, UDP 8472, inner MTU 1450): flannel was never started and the operator's routes carry the traffic. Container 192.168.10.2 pings 192.168.20.2 and sends TCP and UDP to it. Captured on host1's br0 and eth0: on eth0 the container packets cross the underlay between the hosts' MACs unencapsulated, so the encapsulation seen is none. The containers' SYNs carry MSS 1460, more than a VXLAN tunnel on a 1500-byte underlay carries (1500 - 50 - 40 = 1410) and more than the planned inner MTU allows (1450 - 40)."
  cap_start h1 br0 host1-br0.pcap
  cap_start h1 eth0 host1-eth0.pcap
  traffic h1c1 h2c1 192.168.20.2
  {
    rh_static_plan flannel-vxlan-planned "flannel-style VXLAN backend planned (VNI 1, UDP 8472, inner MTU 1450)."
    printf 'transport:\n  mode: vxlan\n  mtu: 1450\n  vxlan: { vni: 1, port: 8472 }\nnat: none\nrouting:\n  protocol: static\n'
  } | plan
  scenario_end host1-br0.pcap host1-eth0.pcap
}

sc_traceroute() {   # 48: traceroute probes between containers, ICMP about a non-plan destination
  local name=$1
  scenario_begin "$name"
  two_hosts; static_routes
  rh_router
  nsx rt ip route add 192.168.10.0/24 via 192.168.56.119
  nsx rt ip route add 192.168.20.0/24 via 192.168.56.120
  nsx rt ip route add unreachable 198.51.100.0/24
  nsx h1 ip route add default via 192.168.56.1; nsx h2 ip route add default via 192.168.56.1
  FACTS+=(traffic=yes traceroute=yes icmp_nonplan=198.51.100.77)
  NOTES="Lab: host1 and host2 with static routes (as 01) and a default route to the underlay's router edge (192.168.56.1), which has an unreachable route for 198.51.100.0/24 (a documentation prefix outside the plan). Container 192.168.10.2 runs traceroute's probes to 192.168.20.2 (lab/traffic.py probe: UDP to ports 33434 and up, 3 per TTL, TTL 1 to 4): TTL 1 is answered by host1 (ICMP time-exceeded from 192.168.10.1), TTL 2 by host2 (time-exceeded from 192.168.56.120), TTL 3 and 4 by the container itself (port unreachable). It then pings 198.51.100.77, which edge answers with ICMP host unreachable: an ICMP error about a destination outside the plan. Then the usual ping, TCP and UDP to 192.168.20.2. Captured on host1's br0 and eth0. Probe answers are diagnostics, and ICMP about non-plan destinations is not judged: route.errors passes."
  cap_start h1 br0 host1-br0.pcap
  cap_start h1 eth0 host1-eth0.pcap
  nsx h1c1 timeout 15 python3 "$LAB_DIR/traffic.py" probe 192.168.20.2 33434 4 >/dev/null
  nsx h1c1 ping -n -q -c 2 -i 0.3 -W 1 198.51.100.77 >/dev/null 2>&1 || true
  traffic h1c1 h2c1 192.168.20.2
  {
    rh_static_plan traceroute-between-containers "The article's worked example plus the underlay's router as default gateway; a traceroute between containers and a ping to a non-plan destination."
    cat <<EOF
routers:
  - name: edge
    address: 192.168.56.1
    mac: "$MAC_RT"
transport:
  mode: routed
nat: none
routes:
  - { at: host1, to: 192.168.20.0/24, via: 192.168.56.120 }
  - { at: host2, to: 192.168.10.0/24, via: 192.168.56.119 }
  - { at: edge, to: 192.168.10.0/24, via: 192.168.56.119 }
  - { at: edge, to: 192.168.20.0/24, via: 192.168.56.120 }
routing:
  protocol: static
EOF
  } | plan
  scenario_end host1-br0.pcap host1-eth0.pcap
}

sc_garp_handover() {   # 49: a container IP moves to a new MAC with gratuitous ARP (VRRP-style)
  local name=$1 vip=192.168.20.100 mac2=02:42:c0:a8:14:03
  scenario_begin "$name"
  two_hosts; static_routes
  container_add h2 h2c2 192.168.20.3 $mac2 192.168.20.1
  nsx h2c1 ip addr add $vip/24 dev eth0
  FACTS+=(garp=$vip)
  NOTES="Lab (keepalived/VRRP-style failover): host2 has a second container 192.168.20.3 (MAC $mac2). The service address $vip is first on container 192.168.20.2 (MAC $MAC_C2); container 192.168.10.2 on host1 pings it (host2 resolves it by ARP to $MAC_C2). Then $vip is removed from 192.168.20.2 and added to 192.168.20.3, which sends 3 gratuitous ARP requests for it from $mac2 (lab/traffic.py garp, as keepalived does); host2 updates its neighbour entry and the pings of 192.168.10.2 now reach $mac2. Captured on host2's br0 (the containers' segment) and host1's eth0. One address, two MACs one after the other: a handover (warn, with both MACs and times), not two MACs at the same time."
  cap_start h2 br0 host2-br0.pcap
  cap_start h1 eth0 host1-eth0.pcap
  nsx h1c1 ping -n -q -c 3 -i 0.3 -W 1 $vip >/dev/null || log "note: ping $vip (first owner) had losses"
  sleep 0.5
  nsx h2c1 ip addr del $vip/24 dev eth0
  nsx h2c2 ip addr add $vip/24 dev eth0
  nsx h2c2 timeout 10 python3 "$LAB_DIR/traffic.py" garp eth0 $vip $mac2 3
  nsx h1c1 ping -n -q -c 3 -i 0.3 -W 1 $vip >/dev/null || log "note: ping $vip (new owner) had losses"
  rh_article_plan vrrp-style-handover "The article's worked example; a service address of host2's containers moves from one container to another with gratuitous ARP."
  scenario_end host2-br0.pcap host1-eth0.pcap
}

sc_blackhole_three() {   # 50: a PMTUD black hole seen from three capture points
  local name=$1 srv
  scenario_begin "$name"
  two_hosts; static_routes
  nsx h1 ip link set eth0 mtu 1400
  nsx h1 iptables -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP
  FACTS+=(blackhole=yes)
  NOTES="Lab (the PMTUD black hole): host1's NIC has MTU 1400 (a cloud or VPN NIC) while everything else, and the plan's underlay, says 1500, and host1 drops its own ICMP fragmentation-needed (iptables -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP, a firewall that blocks ICMP). Container 192.168.10.2 (MTU 1500, MSS 1460) pings 192.168.20.2 and sends 4 small UDP datagrams (they pass), then 20,000 bytes over TCP: the handshake passes, the full-size segments (1448 bytes of payload, DF) cannot leave host1 and the container never learns why, so it retransmits them unanswered until the client gives up. Captured at three points: host1's br0, host1's eth0 and host2's eth0. The retransmissions are real at host1's br0 only; a packet seen at three points is not three transmissions."
  cap_start h1 br0 host1-br0.pcap
  cap_start h1 eth0 host1-eth0.pcap
  cap_start h2 eth0 host2-eth0.pcap
  nsx h1c1 ping -n -q -c 3 -i 0.2 -W 1 192.168.20.2 >/dev/null || log "note: ping had losses"
  rh_server h2c1 udp 5002; srv=$SRVPID
  nsx h1c1 timeout 15 python3 "$LAB_DIR/traffic.py" udp-client 192.168.20.2 5002 4 200 >/dev/null || log "note: udp failed"
  wait_pid "$srv" 5
  rh_server h2c1 tcp 5001; srv=$SRVPID
  nsx h1c1 timeout 12 python3 "$LAB_DIR/traffic.py" tcp-client 192.168.20.2 5001 20000 >/dev/null 2>&1 || log "note: tcp black-holed, as expected"
  stop_pid "$srv" TERM
  rh_article_plan blog-static-routes "The article's worked example; host1's NIC has a smaller MTU than planned and ICMP fragmentation-needed is dropped."
  scenario_end host1-br0.pcap host1-eth0.pcap host2-eth0.pcap
}

# rh_v6_on NS...: IPv6 back on in these namespaces only (ns_add turns it off), NDP on every link
rh_v6_on() {
  local ns ifn
  for ns in "$@"; do
    nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
    for ifn in $(nsx "$ns" ls /sys/class/net); do
      nsx "$ns" sysctl -qw "net.ipv6.conf.$ifn.disable_ipv6=0"
    done
  done
}

sc_dual_stack() {   # 51: IPv4 + IPv6 container subnets, NAT66 on host1
  local name=$1 srv
  scenario_begin "$name"
  two_hosts; static_routes
  rh_v6_on ul h1 h2 h1c1 h2c1
  nsx ul ip link set sw type bridge mcast_snooping 0
  nsx h1 sysctl -qw net.ipv6.conf.all.forwarding=1; nsx h2 sysctl -qw net.ipv6.conf.all.forwarding=1
  nsx h1 ip -6 addr add fd00:56::119/64 dev eth0 nodad; nsx h2 ip -6 addr add fd00:56::120/64 dev eth0 nodad
  nsx h1 ip -6 addr add fd00:10::1/64 dev br0 nodad;   nsx h2 ip -6 addr add fd00:20::1/64 dev br0 nodad
  nsx h1c1 ip -6 addr add fd00:10::2/64 dev eth0 nodad; nsx h2c1 ip -6 addr add fd00:20::2/64 dev eth0 nodad
  nsx h1c1 ip -6 route add default via fd00:10::1;      nsx h2c1 ip -6 route add default via fd00:20::1
  nsx h1 ip -6 route add fd00:20::/64 via fd00:56::120; nsx h2 ip -6 route add fd00:10::/64 via fd00:56::119
  nsx h1 iptables -t nat -A POSTROUTING -s 192.168.10.0/24 ! -o br0 -j MASQUERADE
  nsx h1 ip6tables -t nat -A POSTROUTING -s fd00:10::/64 ! -o br0 -j MASQUERADE
  FACTS+=(traffic=yes masquerade=host1 dualstack=yes)
  NOTES="Lab (dual stack, Docker's fixed-cidr-v6 with ip6tables): IPv6 is turned back on in this scenario's namespaces only. host1 (192.168.56.119 and fd00:56::119, containers 192.168.10.0/24 and fd00:10::/64) and host2 (192.168.56.120 and fd00:56::120, containers 192.168.20.0/24 and fd00:20::/64), static routes for both families (ip -6 route add fd00:20::/64 via fd00:56::120). host1 masquerades its containers in both families (iptables ... -s 192.168.10.0/24 ! -o br0 -j MASQUERADE and ip6tables -t nat -A POSTROUTING -s fd00:10::/64 ! -o br0 -j MASQUERADE: NAT66), which the plan allows (nat: masquerade). Container 192.168.10.2 / fd00:10::2 pings, sends TCP and UDP to 192.168.20.2 and to fd00:20::2. Captured on host1's br0 and eth0: each packet of both families is seen before and after translation to host1's address of its family; host2's MAC is learned from NDP neighbour advertisements as from ARP."
  cap_start h1 br0 host1-br0.pcap
  cap_start h1 eth0 host1-eth0.pcap
  traffic h1c1 h2c1 192.168.20.2
  rh_server h2c1 tcp 5011 ::; srv=$SRVPID
  nsx h1c1 ping -6 -n -q -c 3 -i 0.2 -W 1 fd00:20::2 >/dev/null || log "note: ping -6 had losses"
  nsx h1c1 timeout 15 python3 "$LAB_DIR/traffic.py" tcp-client fd00:20::2 5011 4000 >/dev/null || log "note: tcp6 failed"
  wait_pid "$srv" 5
  rh_server h2c1 udp 5012 ::; srv=$SRVPID
  nsx h1c1 timeout 15 python3 "$LAB_DIR/traffic.py" udp-client fd00:20::2 5012 4 200 >/dev/null || log "note: udp6 failed"
  wait_pid "$srv" 5
  plan <<EOF
version: 1
name: dual-stack-static-nat66
description: Two dual-stack Docker hosts (IPv4 and IPv6 container subnets) joined by static routes in both families; host1 masquerades both families (NAT66), as planned.
underlay:
  mtu: 1500
  subnet: 192.168.56.0/24
hosts:
  - name: host1
    address: [192.168.56.119, "fd00:56::119"]
    mac: "$MAC_H1"
    containers: [192.168.10.0/24, "fd00:10::/64"]
    gateway: 192.168.10.1
  - name: host2
    address: [192.168.56.120, "fd00:56::120"]
    mac: "$MAC_H2"
    containers: [192.168.20.0/24, "fd00:20::/64"]
    gateway: 192.168.20.1
transport:
  mode: routed
nat: masquerade
routes:
  - { at: host1, to: 192.168.20.0/24, via: 192.168.56.120 }
  - { at: host1, to: "fd00:20::/64", via: "fd00:56::120" }
  - { at: host2, to: 192.168.10.0/24, via: 192.168.56.119 }
  - { at: host2, to: "fd00:10::/64", via: "fd00:56::119" }
routing:
  protocol: static
EOF
  scenario_end host1-br0.pcap host1-eth0.pcap
}

sc_clocks() {   # 52: NAT proven between two hosts' captures whose clocks disagree by 90 s
  local name=$1
  scenario_begin "$name"
  two_hosts; static_routes
  nsx h1 iptables -t nat -A POSTROUTING -s 192.168.10.0/24 ! -o br0 -j MASQUERADE
  FACTS+=(traffic=yes masquerade=host1 clock_shift=host2-eth0.pcap:90)
  NOTES="Lab: as 02-static-masquerade (Docker's MASQUERADE left on in host1, plan nat: none), captured on host1's br0 and on host2's eth0, two hosts whose clocks disagree: host2's capture was shifted by 90 s afterwards (editcap -t 90 host2-eth0.pcap), as if host2's clock ran 90 s ahead. The same packets are seen at both points (source 192.168.10.2 on host1's br0, 192.168.56.119 on host2's eth0); matched packets put host2's clock offset at about -90 s, and with that offset applied the translation is proven."
  cap_start h1 br0 host1-br0.pcap
  cap_start h2 eth0 host2-eth0.pcap
  traffic h1c1 h2c1 192.168.20.2
  cap_stop_all
  editcap -t 90 "$SCDIR/host2-eth0.pcap" "$TMP/host2-eth0.shifted.pcap"
  mv "$TMP/host2-eth0.shifted.pcap" "$SCDIR/host2-eth0.pcap"
  rh_article_plan blog-static-routes "The article's worked example; Docker's MASQUERADE was left on on host1; host2's clock is 90 s ahead."
  scenario_end host1-br0.pcap host2-eth0.pcap
}

scenario 40-vxlan-offload-bulk      sc_offload_bulk vxlan
scenario 41-ipip-offload-bulk       sc_offload_bulk ipip
scenario 42-egress-masquerade       sc_egress_masquerade
scenario 43-k8s-service-dnat        sc_service_dnat
scenario 44-masquerade-nic-only     sc_masq_nic_only
scenario 45-tcpdump-any             sc_tcpdump_any
scenario 46-mergecap                sc_mergecap
scenario 47-vxlan-planned-plain     sc_vxlan_planned_plain
scenario 48-traceroute              sc_traceroute
scenario 49-garp-handover           sc_garp_handover
scenario 50-blackhole-three-points  sc_blackhole_three
scenario 51-dual-stack              sc_dual_stack
scenario 52-clocks-disagree         sc_clocks
