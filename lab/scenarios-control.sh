# Control-plane scenarios of issue 16: real BGP and OSPF deployments (bird2).
# Sourced by lab/make-pcaps.sh, which provides the building blocks (nsx, ns_add,
# ul_add, host_add, container_add, cap_start, bird_start, birdc_ns, wait_route,
# scenario_begin/scenario_end, plan, FACTS/NOTES). Facts named ctl.* are checked
# against the captures by lab/oracle_control.py. Every wait is bounded.

# cap_start_snap NS IFACE FILE SNAPLEN: cap_start with a snaplen (tcpdump -s)
cap_start_snap() {
  local ns=$1 ifn=$2 file=$3 snap=$4 i err
  err="$TMP/tcpdump.$1.$2.err"
  ip netns exec "$NSP-$ns" tcpdump -U --immediate-mode -n -Z root -s "$snap" -i "$ifn" -w "$SCDIR/$file" 2>"$err" &
  local p=$!
  PIDS+=("$p"); CAPS+=("$p")
  for i in $(seq 1 150); do
    grep -q "listening on" "$err" 2>/dev/null && break
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "listening on" "$err" || die "tcpdump on $ns/$ifn did not start: $(cat "$err")"
}

# bird_go NS CONFFILE: bird_start after bird has parsed the config (bird -p), so a
# config error stops the scenario with bird's own message
bird_go() {
  local msg; msg=$(bird -p -c "$2" 2>&1) || die "bird config for $1 refused: $msg"
  bird_start "$1" "$2"
}

# bird_pid NS: the PID of the bird this run started in NS (its pidfile, checked against PIDS)
bird_pid() {
  local p q; p=$(cat "$TMP/bird-$1/bird.pid" 2>/dev/null) || die "no bird pidfile for $1"
  for q in "${PIDS[@]}"; do [ "$q" = "$p" ] && { echo "$p"; return 0; }; done
  die "bird pid $p of $1 is not a process this run started"
}

# bird_log NS PATTERN: the first line of bird's own log (log stderr) matching PATTERN
bird_log() { grep -m1 -E "$2" "$TMP/bird-$1/bird.out" 2>/dev/null | sed 's/^[0-9. :-]*//' || true; }

# wait_birdc NS MAXSECONDS PATTERN ARGS...: until `birdc ARGS` prints PATTERN
wait_birdc() {
  local ns=$1 max=$2 pat=$3 i; shift 3
  for i in $(seq 1 $((max * 4))); do
    birdc_ns "$ns" "$@" 2>/dev/null | grep -qE "$pat" && return 0
    sleep 0.25
  done
  return 1
}

# ipv6_on NS...: re-enable IPv6 (ns_add disables it) in these namespaces only
ipv6_on() {
  local ns ifn
  for ns in "$@"; do
    nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
    for ifn in $(nsx "$ns" ls /sys/class/net); do
      nsx "$ns" sysctl -qw "net.ipv6.conf.$ifn.disable_ipv6=0"
    done
  done
}

# bird_base RID: the part every config shares: log to bird.out, interfaces, the
# container bridge as a direct route, BGP/OSPF routes to the kernel
bird_base() {
  cat <<EOF
log stderr all;
router id $1;
protocol device { scan time 2; }
protocol direct direct1 { ipv4; interface "br0"; }
protocol kernel { ipv4 { import none; export where (source = RTS_BGP || source = RTS_OSPF || source = RTS_OSPF_EXT2) && net != 0.0.0.0/0; }; }
EOF
}

# --- OSPF --------------------------------------------------------------------

# ospf_block IFLINES [EXPORT]: OSPFv2 area 0 with these interface lines, br0 as a stub
ospf_block() {
  cat <<EOF
protocol ospf v2 ospf1 {
  ipv4 { import all; export ${2:-none}; };
  area 0.0.0.0 {
$1
    interface "br0" { stub yes; };
  };
}
EOF
}

ospf_plan() {   # ospf_plan NAME DESCRIPTION HELLO DEAD
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
  ospf: { area: 0.0.0.0, hello_interval: $3, dead_interval: $4 }
EOF
}

sc_ospf_steady() {   # 20: capture started after the adjacency is Full: Hellos only
  local name=$1
  scenario_begin "$name"
  two_hosts
  { bird_base 192.168.56.119; ospf_block '    interface "eth0" { type broadcast; hello 2; dead 8; wait 2; };'; } >"$TMP/h1.conf"
  { bird_base 192.168.56.120; ospf_block '    interface "eth0" { type broadcast; hello 2; dead 8; wait 2; };'; } >"$TMP/h2.conf"
  bird_go h1 "$TMP/h1.conf"; bird_go h2 "$TMP/h2.conf"
  wait_route h1 192.168.20.0/24 40 || die "$name: OSPF route to 192.168.20.0/24 not installed on host1"
  wait_route h2 192.168.10.0/24 10 || die "$name: OSPF route to 192.168.10.0/24 not installed on host2"
  wait_birdc h1 20 "Full" show ospf neighbors || die "$name: adjacency not Full on host1"
  wait_birdc h2 20 "Full" show ospf neighbors || die "$name: adjacency not Full on host2"
  local nb; nb=$(birdc_ns h1 show ospf neighbors | grep -E '^[0-9]' | tr -s ' \t' ' ' | tr '\n' ';')
  log "OSPF before the capture: $nb"
  sleep 2                  # no DBD/LS retransmission still in flight
  cap_start h1 eth0 host1-eth0.pcap
  traffic h1c1 h2c1 192.168.20.2
  sleep 5                  # a few more Hellos (every 2 s) from both routers
  FACTS+=(ctl.ospf.steady=yes)
  NOTES="Lab (solution 2, steady state): host1 and host2 run bird2 OSPFv2 area 0 on eth0 (broadcast, hello 2, dead 8) with br0 as a stub network, exactly as 06-ospf. The capture on host1's eth0 was started only after both routers showed the neighbour Full in 'birdc show ospf neighbors' (host1 saw: $nb) and the routes were installed, so the capture holds only Hellos (each router lists the other as neighbour, DR and BDR are set) and container traffic (ping, 4000 bytes TCP, UDP): no DBD, no LSA (bird refreshes LSAs every 30 minutes)."
  ospf_plan solution2-ospf-steady-state "Solution 2 (OSPFv2, bird2) captured in steady state - adjacencies were Full before the capture started." 2 8
  scenario_end host1-eth0.pcap
}

sc_ospf_mtu() {      # 21 / 32: a second link host1-host2 (eth1, 192.168.57.0/24) with MTU 9000
  local name=$1 mismatch=$2 m2=9000
  [ "$mismatch" = yes ] && m2=1500
  scenario_begin "$name"
  two_hosts
  nsx h1 ip link add eth1 type veth peer name eth1 netns "$NSP-h2"
  offload_off h1 eth1; offload_off h2 eth1
  nsx h1 ip link set eth1 mtu 9000 up; nsx h2 ip link set eth1 mtu "$m2" up
  nsx h1 ip addr add 192.168.57.119/24 dev eth1; nsx h2 ip addr add 192.168.57.120/24 dev eth1
  local ifl='    interface "eth0" { type broadcast; hello 2; dead 8; wait 2; };
    interface "eth1" { type broadcast; hello 2; dead 8; wait 2; cost 100; };'
  { bird_base 192.168.56.119; ospf_block "$ifl"; } >"$TMP/h1.conf"
  { bird_base 192.168.56.120; ospf_block "$ifl"; } >"$TMP/h2.conf"
  cap_start h1 eth0 host1-eth0.pcap
  cap_start h1 eth1 host1-eth1.pcap
  bird_go h1 "$TMP/h1.conf"; bird_go h2 "$TMP/h2.conf"
  wait_route h1 192.168.20.0/24 40 || die "$name: OSPF route to 192.168.20.0/24 not installed on host1"
  wait_route h2 192.168.10.0/24 10 || die "$name: OSPF route to 192.168.10.0/24 not installed on host2"
  sleep 6                  # the second link's exchange too
  local nb1 nb2 warn
  nb1=$(birdc_ns h1 show ospf neighbors | grep -E '^[0-9]' | tr -s ' \t' ' ' | tr '\n' ';')
  nb2=$(birdc_ns h2 show ospf neighbors | grep -E '^[0-9]' | tr -s ' \t' ' ' | tr '\n' ';')
  warn=$(bird_log h2 "MTU mismatch" | head -n1)
  log "OSPF host1: $nb1 host2: $nb2 ${warn:+bird: $warn}"
  traffic h1c1 h2c1 192.168.20.2
  FACTS+=(ctl.ospf.mtu=host1-eth1.pcap:9000/$m2,host1-eth0.pcap:1500/1500)
  NOTES="Lab: host1 and host2 run bird2 OSPFv2 area 0 on two links: the underlay eth0 (192.168.56.0/24, MTU 1500 on both ends, captured as host1-eth0.pcap) and a direct veth link eth1 (192.168.57.0/24, cost 100, captured as host1-eth1.pcap) whose MTU is 9000 on host1 and $m2 on host2; br0 is a stub network. Both captures start before bird, so each link's Hellos and DBDs (with their Interface MTU) are in them; routes are installed and container traffic (ping, TCP, UDP) crosses eth0."
  if [ "$mismatch" = yes ]; then
    NOTES="$NOTES The MTU mismatch is on eth1 only: host1's DBDs there say 9000, host2's 1500. bird2 logs it${warn:+ ('$(echo "$warn" | head -n1)')} and does not let the eth1 neighbour past ExStart (RFC 2328 10.6: a DBD whose Interface MTU exceeds what the receiving interface can take is rejected); the neighbours ended as: host1 '$nb1', host2 '$nb2'. A verifier comparing MTUs per link fails and names the 192.168.57.0/24 link; the 1500/1500 underlay link is fine."
  else
    NOTES="$NOTES Each link agrees with itself (1500/1500 and 9000/9000): MTUs differ between links, which is not a mismatch."
  fi
  ospf_plan "ospf-two-links-mtu$( [ "$mismatch" = yes ] && echo -mismatch)" "Solution 2 over two links between the hosts - the underlay (MTU 1500) and a jumbo link (MTU 9000).$( [ "$mismatch" = yes ] && echo " host2's end of the jumbo link was left at 1500." )" 2 8
  scenario_end host1-eth0.pcap host1-eth1.pcap
}

# ptp_host NS N BRMAC: a host with its container bridge; its NIC is added by the caller
ptp_host() {
  local h=$1 n=$2 brmac=$3
  ns_add "$h"; nsx "$h" sysctl -qw net.ipv4.ip_forward=1
  nsx "$h" ip link add br0 address "$brmac" type bridge
  nsx "$h" ip addr add "192.168.$((n * 10)).1/24" dev br0; nsx "$h" ip link set br0 up
}

sc_ospf_ptp() {      # 22 / 33: OSPF type ptp over /32 peer addresses, no switch
  local name=$1 mismatch=$2 h2hello=2 h2dead=8
  [ "$mismatch" = yes ] && { h2hello=3; h2dead=12; }
  scenario_begin "$name"
  ptp_host h1 1 $MAC_BR1; ptp_host h2 2 $MAC_BR2
  nsx h1 ip link add eth0 address $MAC_H1 type veth peer name eth0 address $MAC_H2 netns "$NSP-h2"
  offload_off h1 eth0; offload_off h2 eth0
  nsx h1 ip addr add 192.168.56.119/32 peer 192.168.56.120/32 dev eth0
  nsx h2 ip addr add 192.168.56.120/32 peer 192.168.56.119/32 dev eth0
  nsx h1 ip link set eth0 up; nsx h2 ip link set eth0 up
  container_add h1 h1c1 192.168.10.2 $MAC_C1 192.168.10.1
  container_add h2 h2c1 192.168.20.2 $MAC_C2 192.168.20.1
  { bird_base 192.168.56.119; ospf_block '    interface "eth0" { type ptp; hello 2; dead 8; };'; } >"$TMP/h1.conf"
  { bird_base 192.168.56.120; ospf_block "    interface \"eth0\" { type ptp; hello $h2hello; dead $h2dead; };"; } >"$TMP/h2.conf"
  cap_start h1 eth0 host1-eth0.pcap
  bird_go h1 "$TMP/h1.conf"; bird_go h2 "$TMP/h2.conf"
  NOTES="Lab: host1 and host2 joined by one point-to-point veth link with /32 addresses (ip addr add 192.168.56.119/32 peer 192.168.56.120/32, and the reverse), no switch; each runs bird2 OSPFv2 area 0 with eth0 as 'type ptp' and br0 as a stub network. host1 uses hello 2 / dead 8. Captured on host1's eth0 from before bird starts."
  if [ "$mismatch" = yes ]; then
    sleep 10
    if wait_route h1 192.168.20.0/24 1; then die "$name: a route was learned despite the interval mismatch"; fi
    FACTS+=(ctl.ospf.ptp=yes ctl.ospf.adjacency=none ctl.ospf.mismatch=hello:2/3,dead:8/12)
    NOTES="$NOTES host2 uses hello 3 / dead 12 on the same link: the routers drop each other's Hellos (RFC 2328 10.5), no neighbour is ever listed, no database exchange, no route. Both routers' Hellos are on the one link of this capture, so they must be compared with each other: the intervals disagree."
  else
    wait_route h1 192.168.20.0/24 40 || die "$name: OSPF route to 192.168.20.0/24 not installed on host1"
    wait_route h2 192.168.10.0/24 10 || die "$name: OSPF route to 192.168.10.0/24 not installed on host2"
    wait_birdc h1 20 "Full" show ospf neighbors || die "$name: adjacency not Full on host1"
    traffic h1c1 h2c1 192.168.20.2
    FACTS+=(ctl.ospf.ptp=yes ctl.ospf.adjacency=full)
    NOTES="$NOTES host2 uses the same intervals: the adjacency reaches Full (no DR/BDR on a point-to-point link), routes are installed and container traffic (ping, TCP, UDP) crosses."
  fi
  ospf_plan "ospf-point-to-point$( [ "$mismatch" = yes ] && echo -interval-mismatch)" "Solution 2 with the hosts joined by a point-to-point /32 link (OSPF type ptp).$( [ "$mismatch" = yes ] && echo " host2 was configured with hello 3 / dead 12." )" 2 8
  scenario_end host1-eth0.pcap
}

sc_ospf_asbr() {     # 23: host1 is an ASBR and originates a default route (AS-external 0.0.0.0/0)
  local name=$1
  scenario_begin "$name"
  two_hosts
  { bird_base 192.168.56.119
    echo 'protocol static uplink { ipv4; route 0.0.0.0/0 blackhole; }'
    ospf_block '    interface "eth0" { type broadcast; hello 2; dead 8; wait 2; };' 'where net = 0.0.0.0/0'; } >"$TMP/h1.conf"
  { bird_base 192.168.56.120; ospf_block '    interface "eth0" { type broadcast; hello 2; dead 8; wait 2; };'; } >"$TMP/h2.conf"
  cap_start h1 eth0 host1-eth0.pcap
  bird_go h1 "$TMP/h1.conf"; bird_go h2 "$TMP/h2.conf"
  wait_route h1 192.168.20.0/24 40 || die "$name: OSPF route to 192.168.20.0/24 not installed on host1"
  wait_route h2 192.168.10.0/24 10 || die "$name: OSPF route to 192.168.10.0/24 not installed on host2"
  wait_birdc h2 20 "0.0.0.0/0" show route 0.0.0.0/0 || die "$name: host2's bird did not learn the default route"
  local dr; dr=$(birdc_ns h2 show route 0.0.0.0/0 | tail -n +2 | tr -s ' \t' ' ' | tr '\n' ';')
  traffic h1c1 h2c1 192.168.20.2
  FACTS+=(ctl.ospf.default=host1)
  NOTES="Lab: as 06-ospf (bird2 OSPFv2 area 0 on eth0, br0 stub), and host1 is also an ASBR: a static default route (0.0.0.0/0 blackhole, standing in for an uplink) is exported into OSPF, so host1 floods an AS-external LSA (type 5) for 0.0.0.0/0 with mask 0.0.0.0 and sets the E bit in its Router-LSA. host2's bird learned it ($dr; it is not put in host2's kernel). Captured on host1's eth0 from before bird starts; routes installed, then container traffic (ping, TCP, UDP). A default route is no container subnet and overlaps none."
  ospf_plan solution2-ospf-asbr-default "Solution 2 (OSPFv2, bird2); host1 is the ASBR and originates the default route." 2 8
  scenario_end host1-eth0.pcap
}

# --- BGP ---------------------------------------------------------------------

bgp_plan_hosts() {   # bgp_plan_hosts ASN1 ASN2 [RID1 RID2]: the two hosts of a BGP plan
  cat <<EOF
hosts:
  - name: host1
    address: 192.168.56.119
    containers: 192.168.10.0/24
    gateway: 192.168.10.1
    asn: $1
    router_id: ${3:-192.168.56.119}
  - name: host2
    address: 192.168.56.120
    containers: 192.168.20.0/24
    gateway: 192.168.20.1
    asn: $2
    router_id: ${4:-192.168.56.120}
EOF
}

bgp_plan() {         # bgp_plan NAME DESCRIPTION HOLD [ASN1 ASN2 RID1 RID2]
  plan <<EOF
version: 1
name: $1
description: $2
underlay:
  mtu: 1500
  subnet: 192.168.56.0/24
$(bgp_plan_hosts "${4:-64512}" "${5:-64513}" "${6:-}" "${7:-}")
transport:
  mode: routed
nat: none
routing:
  protocol: bgp
  bgp: { hold_time: $3 }
EOF
}

# bgp_peer NAME LOCAL LASN NEIGHBOR NASN EXPORTNETS HOLD KEEPALIVE [EXTRA LINES]
bgp_peer() {
  cat <<EOF
protocol bgp $1 {
  local $2 as $3;
  neighbor $4 as $5;
  hold time $7;
  keepalive time $8;
  connect delay time 1;
  connect retry time 3;
  ${9:-}
  ipv4 { import all; export where net ~ [ $6 ]; };
}
EOF
}

# two eBGP speakers as 08-bgp (host2 passive); EXTRA1/EXTRA2 are more lines of each peer block
ebgp_pair() {   # ebgp_pair HOLD KEEPALIVE EXTRA1 EXTRA2 [H2STATIC]
  { bird_base 192.168.56.120; [ -n "${5:-}" ] && echo "$5"
    bgp_peer peer 192.168.56.120 64513 192.168.56.119 64512 "192.168.20.0/24, 192.168.99.0/24" "$1" "$2" "passive on; $4"; } >"$TMP/h2.conf"
  { bird_base 192.168.56.119
    bgp_peer peer 192.168.56.119 64512 192.168.56.120 64513 "192.168.10.0/24" "$1" "$2" "$3"; } >"$TMP/h1.conf"
  bird_go h2 "$TMP/h2.conf"; bird_go h1 "$TMP/h1.conf"
}

sc_bgp_rr() {        # 24: iBGP, one AS, host3 reflects between its clients host1 and host2
  local name=$1
  scenario_begin "$name"
  two_hosts
  host_add h3 192.168.56.121 $MAC_H3 192.168.30 $MAC_BR3
  container_add h3 h3c1 192.168.30.2 $MAC_C3 192.168.30.1
  local own
  { bird_base 192.168.56.121
    bgp_peer c1 192.168.56.121 64512 192.168.56.119 64512 "192.168.10.0/24, 192.168.20.0/24, 192.168.30.0/24" 90 30 "direct; rr client; passive on;"
    bgp_peer c2 192.168.56.121 64512 192.168.56.120 64512 "192.168.10.0/24, 192.168.20.0/24, 192.168.30.0/24" 90 30 "direct; rr client; passive on;"; } >"$TMP/h3.conf"
  { bird_base 192.168.56.119; bgp_peer reflector 192.168.56.119 64512 192.168.56.121 64512 "192.168.10.0/24" 90 30 "direct;"; } >"$TMP/h1.conf"
  { bird_base 192.168.56.120; bgp_peer reflector 192.168.56.120 64512 192.168.56.121 64512 "192.168.20.0/24" 90 30 "direct;"; } >"$TMP/h2.conf"
  cap_start h1 eth0 host1-eth0.pcap
  cap_start h3 eth0 host3-eth0.pcap
  bird_go h3 "$TMP/h3.conf"; bird_go h2 "$TMP/h2.conf"
  wait_route h3 192.168.20.0/24 30 || die "$name: host3 did not learn host2's subnet"
  bird_go h1 "$TMP/h1.conf"      # host1 last: its table from host3 holds host2's reflected route
  wait_route h1 192.168.20.0/24 30 || die "$name: reflected route to 192.168.20.0/24 not installed on host1"
  wait_route h1 192.168.30.0/24 10 || die "$name: route to 192.168.30.0/24 not installed on host1"
  wait_route h2 192.168.10.0/24 20 || die "$name: reflected route to 192.168.10.0/24 not installed on host2"
  own=$(birdc_ns h1 show route 192.168.20.0/24 all | grep -E "originator_id|cluster_list|BGP.next_hop" | tr -s ' \t' ' ' | tr '\n' ';')
  log "host1 learned 192.168.20.0/24: $own"
  traffic h1c1 h2c1 192.168.20.2
  FACTS+=(ctl.bgp.up=host1-host3,host2-host3 ctl.bgp.reflected=host3:192.168.20.0/24:host2)
  NOTES="Lab (Calico-style iBGP with a route reflector): host1, host2 and host3 are in AS 64512; host3's bird2 is the route reflector ('rr client' for host1 and host2, cluster id = its router id), host1 and host2 peer only with host3 (direct iBGP sessions on the underlay). Each host exports its own container subnet; host3 reflects each client's route to the other unchanged (next hop kept, ORIGINATOR_ID and CLUSTER_LIST added, AS_PATH empty: one AS). host1 learned 192.168.20.0/24 with: $own. Captured on host1's eth0 and host3's eth0 from before the sessions open (host3 and host2 first, host1 last, so host1's table from host3 carries host2's reflected route); then container traffic host1 -> host2 (ping, TCP, UDP)."
  plan <<EOF
version: 1
name: calico-ibgp-route-reflector
description: Calico-style iBGP in one AS (64512); host3 is the route reflector for host1 and host2, which peer only with it.
underlay:
  mtu: 1500
  subnet: 192.168.56.0/24
$(bgp_plan_hosts 64512 64512)
  - name: host3
    address: 192.168.56.121
    containers: 192.168.30.0/24
    gateway: 192.168.30.1
    asn: 64512
    router_id: 192.168.56.121
transport:
  mode: routed
nat: none
routing:
  protocol: bgp
  bgp: { hold_time: 90 }
EOF
  scenario_end host1-eth0.pcap host3-eth0.pcap
}

sc_bgp_loopback() {  # 25: iBGP between loopbacks (router_id), multihop, static routes to the loopbacks
  local name=$1
  scenario_begin "$name"
  two_hosts
  nsx h1 ip addr add 10.255.0.1/32 dev lo; nsx h2 ip addr add 10.255.0.2/32 dev lo
  nsx h1 ip route add 10.255.0.2/32 via 192.168.56.120; nsx h2 ip route add 10.255.0.1/32 via 192.168.56.119
  { bird_base 10.255.0.1
    echo 'protocol static loopbacks { ipv4; route 10.255.0.2/32 via 192.168.56.120; }'
    bgp_peer peer 10.255.0.1 64512 10.255.0.2 64512 "192.168.10.0/24" 90 30 "multihop;"; } >"$TMP/h1.conf"
  { bird_base 10.255.0.2
    echo 'protocol static loopbacks { ipv4; route 10.255.0.1/32 via 192.168.56.119; }'
    bgp_peer peer 10.255.0.2 64512 10.255.0.1 64512 "192.168.20.0/24" 90 30 "multihop; passive on;"; } >"$TMP/h2.conf"
  cap_start h1 eth0 host1-eth0.pcap
  bird_go h2 "$TMP/h2.conf"; bird_go h1 "$TMP/h1.conf"
  wait_route h1 192.168.20.0/24 30 || die "$name: BGP route to 192.168.20.0/24 not installed on host1"
  wait_route h2 192.168.10.0/24 10 || die "$name: BGP route to 192.168.10.0/24 not installed on host2"
  local r; r=$(nsx h1 ip route show 192.168.20.0/24)
  traffic h1c1 h2c1 192.168.20.2
  FACTS+=(ctl.bgp.up=host1-host2 ctl.bgp.ends=10.255.0.1-10.255.0.2)
  NOTES="Lab: iBGP (AS 64512) between the hosts' loopbacks, as routers peer: host1's bird2 has router id and session address 10.255.0.1 (on lo), host2's 10.255.0.2; static routes to the other loopback via the underlay (in the kernel and in bird, for the recursive next hop); 'multihop' sessions, host2 passive. The BGP next hop of each route is the sender's loopback, resolved through the static route (host1's kernel: $r). Captured on host1's eth0 from before the session opens (OPENs, UPDATEs, End-of-RIB), then container traffic (ping, TCP, UDP). The plan gives each host's loopback as router_id."
  bgp_plan ibgp-loopback-peering "iBGP in AS 64512 between the hosts' loopbacks (their router_id), the Calico-style route exchange otherwise unchanged." 90 64512 64512 10.255.0.1 10.255.0.2
  scenario_end host1-eth0.pcap
}

sc_bgp_ipv6() {      # 26: dual stack, one session per family as Calico does; the IPv6 one between IPv6 addresses
  local name=$1 n
  scenario_begin "$name"
  two_hosts
  ipv6_on ul h1 h2 h1c1 h2c1
  for n in 1 2; do
    nsx h$n sysctl -qw net.ipv6.conf.all.forwarding=1
    nsx h$n ip -6 addr add "fd00:56::$((118 + n))/64" dev eth0 nodad
    nsx h$n ip -6 addr add "fd00:$((n * 10))::1/64" dev br0 nodad
    nsx h${n}c1 ip -6 addr add "fd00:$((n * 10))::2/64" dev eth0 nodad
    nsx h${n}c1 ip -6 route add default via "fd00:$((n * 10))::1"
  done
  v6conf() {   # v6conf N PEER MYV6NET PASSIVE
    bird_base "192.168.56.$((118 + $1))"
    cat <<EOF
protocol direct direct6 { ipv6; interface "br0"; }
protocol kernel kernel6 { ipv6 { import none; export where source = RTS_BGP; }; }
EOF
    bgp_peer peer4 "192.168.56.$((118 + $1))" "6451$((1 + $1))" "192.168.56.$((118 + $2))" "6451$((1 + $2))" "192.168.$(($1 * 10)).0/24" 90 30 "$4"
    cat <<EOF
protocol bgp peer6 {
  local fd00:56::$((118 + $1)) as 6451$((1 + $1));
  neighbor fd00:56::$((118 + $2)) as 6451$((1 + $2));
  hold time 90; keepalive time 30; connect delay time 1; connect retry time 3;
  $4
  ipv6 { import all; export where net ~ [ $3 ]; };
}
EOF
  }
  v6conf 1 2 fd00:10::/64 "" >"$TMP/h1.conf"
  v6conf 2 1 fd00:20::/64 "passive on;" >"$TMP/h2.conf"
  cap_start h1 eth0 host1-eth0.pcap
  bird_go h2 "$TMP/h2.conf"; bird_go h1 "$TMP/h1.conf"
  wait_route h1 192.168.20.0/24 30 || die "$name: IPv4 BGP route not installed on host1"
  local i; for i in $(seq 1 80); do [ -n "$(nsx h1 ip -6 route show fd00:20::/64)" ] && break; sleep 0.25; done
  [ -n "$(nsx h1 ip -6 route show fd00:20::/64)" ] || die "$name: IPv6 BGP route to fd00:20::/64 not installed on host1"
  wait_route h2 192.168.10.0/24 10 || die "$name: IPv4 BGP route not installed on host2"
  local r6; r6=$(nsx h1 ip -6 route show fd00:20::/64)
  nsx h1c1 ping -6 -n -q -c 3 -i 0.2 -W 1 fd00:20::2 >/dev/null || log "note: ping6 had losses"
  traffic h1c1 h2c1 192.168.20.2
  FACTS+=(ctl.bgp.up=host1-host2 ctl.bgp.ends=fd00:56::119-fd00:56::120 ctl.bgp.v6=host2:fd00:20::/64)
  NOTES="Lab (dual stack, one BGP session per address family as Calico runs them): IPv6 re-enabled in this scenario's namespaces only; the hosts' NICs also have fd00:56::119/64 and fd00:56::120/64, the container bridges fd00:10::1/64 and fd00:20::1/64, the containers fd00:10::2 and fd00:20::2. bird2 on each host runs eBGP (AS 64512 / 64513, host2 passive) twice: an IPv4 session between 192.168.56.119 and .120 announcing 192.168.10.0/24 / 192.168.20.0/24, and an IPv6 session between fd00:56::119 and fd00:56::120 announcing fd00:10::/64 / fd00:20::/64 in MP_REACH_NLRI (next hop the global IPv6 address and the link-local one). Routes of both families went to the kernel (host1: $r6). Captured on host1's eth0 from before the sessions open; then an IPv6 ping fd00:10::2 -> fd00:20::2 and IPv4 container traffic (ping, TCP, UDP). The plan lists each host's two addresses and two container subnets (contract 1.1 dual stack)."
  plan <<EOF
version: 1
name: calico-style-bgp-dual-stack
description: Calico-style eBGP on a dual-stack network - an IPv4 session and an IPv6 session between the hosts, each announcing the host's container subnet of its family.
underlay:
  mtu: 1500
  subnet: 192.168.56.0/24
hosts:
  - name: host1
    address: [192.168.56.119, "fd00:56::119"]
    containers: [192.168.10.0/24, "fd00:10::/64"]
    gateway: 192.168.10.1
    asn: 64512
    router_id: 192.168.56.119
  - name: host2
    address: [192.168.56.120, "fd00:56::120"]
    containers: [192.168.20.0/24, "fd00:20::/64"]
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

sc_bgp_md5() {       # 27: both ends set a TCP MD5 password (RFC 2385), different ones
  local name=$1
  scenario_begin "$name"
  two_hosts
  cap_start h1 eth0 host1-eth0.pcap
  ebgp_pair 90 30 'password "host1-secret";' 'password "host2-secret";'
  sleep 20                 # host1 keeps connecting (connect retry 3 s, SYN retransmissions)
  local st1 err
  st1=$(birdc_ns h1 show protocols peer | tail -n 1 | tr -s ' \t' ' ')
  err=$(bird_log h1 "MD5|TCP_MD5SIG|[Ee]rror"; bird_log h2 "MD5|TCP_MD5SIG|[Ee]rror")
  if echo "$st1" | grep -q Established; then die "$name: the session came up despite different passwords"; fi
  FACTS+=(ctl.bgp.never_up=host1-host2 ctl.bgp.md5=yes)
  NOTES="Lab: as 08-bgp (eBGP host1 AS 64512 -> host2 AS 64513, host2 passive, connect retry 3 s) but each bird2 was given a different TCP MD5 password (RFC 2385: 'password \"host1-secret\"' and 'password \"host2-secret\"'), which bird sets on its sockets with setsockopt(TCP_MD5SIG); this kernel accepted it in the namespaces${err:+ (bird logged: $(echo "$err" | head -n1))}. host2's kernel drops every SYN whose MD5 digest does not match its key, silently, so host1's SYNs to port 179 (MD5 option set) are never answered; after 20 s host1's protocol was: '$st1'. Captured on host1's eth0 from before bird starts. No BGP message is ever exchanged; no routes, no container traffic."
  bgp_plan calico-style-bgp-md5 "Calico-style eBGP between host1 and host2; the hosts were given different BGP passwords." 90
  scenario_end host1-eth0.pcap
}

sc_bgp_hold() {      # 28: hold time 9; host2's bird frozen with SIGSTOP until host1's hold timer expires
  local name=$1 p st
  scenario_begin "$name"
  two_hosts
  cap_start h1 eth0 host1-eth0.pcap
  ebgp_pair 9 3 "" ""
  wait_route h1 192.168.20.0/24 30 || die "$name: BGP route to 192.168.20.0/24 not installed on host1"
  wait_route h2 192.168.10.0/24 10 || die "$name: BGP route to 192.168.10.0/24 not installed on host2"
  sleep 4                  # a keepalive or two each way (every 3 s)
  p=$(bird_pid h2)
  kill -STOP "$p"
  log "host2's bird ($p) stopped"
  if ! wait_birdc h1 15 "Hold timer|Active|Connect|Idle" show protocols peer; then
    kill -CONT "$p"; die "$name: host1's hold timer did not expire within 15 s"
  fi
  st=$(birdc_ns h1 show protocols all peer | grep -E "Last error|BGP state" | tr -s ' \t' ' ' | tr '\n' ';')
  kill -CONT "$p"
  log "host2's bird ($p) continued; host1: $st"
  sleep 5                  # host2 notices the closed connection; host1 retries
  FACTS+=(ctl.bgp.up=host1-host2 ctl.bgp.hold_expired=host1)
  NOTES="Lab: as 08-bgp (eBGP host1 AS 64512 / host2 AS 64513, host2 passive) with hold time 9 and keepalive 3 on both. Once the session was Established and the routes installed, host2's bird2 process (PID $p, started by the lab) was frozen with SIGSTOP: host2's kernel still acknowledges TCP, but no KEEPALIVE comes from it. About 9 s after host2's last KEEPALIVE host1 sent a NOTIFICATION, code 4 (Hold Timer Expired), and closed the connection (host1 then reported: $st). host2's bird was continued with SIGCONT; the capture ran 5 s more (host1 reconnecting). Captured on host1's eth0 from before the session opens."
  bgp_plan calico-style-bgp-hold-9 "Calico-style eBGP between host1 and host2 with a 9 s hold time; host2's BGP daemon froze." 9
  scenario_end host1-eth0.pcap
}

sc_bgp_update() {    # 29 / 31: an UPDATE during the capture: a leak announced and withdrawn, or a mid-session update
  local name=$1 mode=$2
  scenario_begin "$name"
  two_hosts
  [ "$mode" = leak ] && cap_start h1 eth0 host1-eth0.pcap
  ebgp_pair 90 30 "" "" 'protocol static leak { ipv4; route 192.168.99.0/24 blackhole; disabled; }'
  wait_route h1 192.168.20.0/24 30 || die "$name: BGP route to 192.168.20.0/24 not installed on host1"
  wait_route h2 192.168.10.0/24 10 || die "$name: BGP route to 192.168.10.0/24 not installed on host2"
  if [ "$mode" = leak ]; then
    traffic h1c1 h2c1 192.168.20.2
    birdc_ns h2 enable leak >/dev/null
    wait_route h1 192.168.99.0/24 10 || die "$name: the leaked prefix did not reach host1"
    sleep 2
    birdc_ns h2 disable leak >/dev/null
    local i; for i in $(seq 1 40); do [ -z "$(nsx h1 ip route show 192.168.99.0/24)" ] && break; sleep 0.25; done
    [ -z "$(nsx h1 ip route show 192.168.99.0/24)" ] || die "$name: the leaked prefix was not withdrawn at host1"
    sleep 1
    FACTS+=(ctl.bgp.up=host1-host2 ctl.bgp.leak=host2:192.168.99.0/24)
    NOTES="Lab: as 08-bgp (eBGP host1 AS 64512 / host2 AS 64513, hold 90, host2 passive, captured on host1's eth0 from before the session opens), and host2's bird2 has a disabled static route 192.168.99.0/24 (blackhole) that its export filter lets through. After the session came up and container traffic (ping, TCP, UDP) crossed, 'birdc enable leak' on host2 announced 192.168.99.0/24 to host1 (installed in host1's kernel), and 2 s later 'birdc disable leak' withdrew it (gone from host1's kernel). At the end of the capture the tables are as planned, but an unplanned prefix was announced in between."
  else
    cap_start h1 eth0 host1-eth0.pcap
    sleep 1
    birdc_ns h2 disable direct1 >/dev/null
    sleep 1
    birdc_ns h2 enable direct1 >/dev/null
    sleep 1
    wait_route h1 192.168.20.0/24 10 || die "$name: host2's subnet not back at host1"
    traffic h1c1 h2c1 192.168.20.2
    FACTS+=(ctl.bgp.midsession=host2)
    NOTES="Lab: as 08-bgp (eBGP host1 AS 64512 / host2 AS 64513, hold 90, keepalive 30, host2 passive), but the capture on host1's eth0 starts only after the session is Established and both routes are installed: no OPEN, no End-of-RIB. Then 'birdc disable direct1' and 1 s later 'birdc enable direct1' on host2 stop and restart the protocol that imports its container bridge's subnet: host2 sends UPDATEs withdrawing and re-announcing 192.168.20.0/24 mid-session. host1 announces nothing during the capture (its 192.168.10.0/24 was sent before it started), then container traffic (ping, TCP, UDP) crosses."
  fi
  bgp_plan "calico-style-bgp-$mode" "Calico-style eBGP between host1 and host2.$( [ "$mode" = leak ] && echo " host2 announced 192.168.99.0/24 for 2 s." )" 90
  scenario_end host1-eth0.pcap
}

sc_bgp_snaplen() {   # 30: 08-bgp captured with tcpdump -s 96
  local name=$1
  scenario_begin "$name"
  two_hosts
  cap_start_snap h1 eth0 host1-eth0.pcap 96
  ebgp_pair 90 30 "" ""
  wait_route h1 192.168.20.0/24 30 || die "$name: BGP route to 192.168.20.0/24 not installed on host1"
  wait_route h2 192.168.10.0/24 10 || die "$name: BGP route to 192.168.10.0/24 not installed on host2"
  traffic h1c1 h2c1 192.168.20.2
  FACTS+=(ctl.snaplen=96)
  NOTES="Lab: 08-bgp again (eBGP host1 AS 64512 / host2 AS 64513, hold 90, host2 passive; OPENs, UPDATEs and End-of-RIB after the capture starts; container traffic after), but host1's eth0 was captured with tcpdump -s 96: each frame keeps at most 96 bytes, so after the Ethernet, IP and TCP headers (66 bytes with TCP timestamps) at most 30 bytes of BGP remain. OPENs (53 bytes here) and UPDATEs are cut; only 19-byte KEEPALIVEs fit whole. The session cannot be judged from this capture."
  bgp_plan calico-style-bgp-snaplen-96 "Calico-style eBGP between host1 and host2 (as 08-bgp), captured with tcpdump -s 96." 90
  scenario_end host1-eth0.pcap
}

scenario 20-ospf-steady-state     sc_ospf_steady
scenario 21-ospf-mtu-one-link     sc_ospf_mtu yes
scenario 22-ospf-point-to-point   sc_ospf_ptp yes
scenario 23-ospf-asbr-default     sc_ospf_asbr
scenario 24-bgp-route-reflector   sc_bgp_rr
scenario 25-bgp-loopback-peering  sc_bgp_loopback
scenario 26-bgp-ipv6              sc_bgp_ipv6
scenario 27-bgp-md5-mismatch      sc_bgp_md5
scenario 28-bgp-hold-timer-expired sc_bgp_hold
scenario 29-bgp-leak-withdrawn    sc_bgp_update leak
scenario 30-bgp-snaplen-96        sc_bgp_snaplen
scenario 31-bgp-mid-session-update sc_bgp_update midsession
scenario 32-ospf-mtu-mixed-links  sc_ospf_mtu no
scenario 33-ospf-point-to-point-agree sc_ospf_ptp no
