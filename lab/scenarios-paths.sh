# Lab scenarios of project issue 17 (connections and paths between hosts),
# sourced by lab/make-pcaps.sh; they use its helpers and those of
# lab/scenarios-realhosts.sh. Expected verdicts: lab/oracle_dataplane.py.

# rp_attempts SRC DSTNS DST: a ping (3 requests) and a TCP connection to port 5001 that are not
# expected to be answered; bounded by ping's count and the client's timeout
rp_attempts() {
  local srv
  rh_server "$2" tcp 5001; srv=$SRVPID
  nsx "$1" ping -n -q -c 3 -i 0.2 -W 1 "$3" >/dev/null || log "note: ping $3 unanswered, as expected"
  nsx "$1" timeout 8 python3 "$LAB_DIR/traffic.py" tcp-client "$3" 5001 4000 >/dev/null 2>&1 || log "note: tcp to $3 unanswered, as expected"
  stop_pid "$srv" TERM
}

sc_missing_return_route() {   # 53: host2 has no route back to host1's containers; its replies go to the default router
  local name=$1
  scenario_begin "$name"
  two_hosts
  rh_router
  nsx h1 ip route add 192.168.20.0/24 via 192.168.56.120
  nsx h2 ip route add default via 192.168.56.1
  FACTS+=(route.host1=192.168.20.0/24:192.168.56.120)
  NOTES="Lab: host1 routes 192.168.20.0/24 via host2, as planned, but host2 lacks its route back to 192.168.10.0/24 (the ip route add 192.168.10.0/24 via 192.168.56.119 of the article is missing) and has a default route to the underlay's router 192.168.56.1, which knows no container subnet. Container 192.168.10.2 pings 192.168.20.2 (3 requests) and opens TCP to it (its SYNs resent for 8 s): the requests reach host2's container, whose answers leave host2's NIC towards the router's MAC and are lost there. Captured on host1's eth0 and host2's eth0: the answers are seen at host2's NIC only, never at host1's."
  cap_start h1 eth0 host1-eth0.pcap
  cap_start h2 eth0 host2-eth0.pcap
  rp_attempts h1c1 h2c1 192.168.20.2
  rh_article_plan missing-return-route "The article's static routes; host2's route back to host1's containers is missing (its default route goes to the underlay's router)." none edge
  scenario_end host1-eth0.pcap host2-eth0.pcap
}

sc_syn_dropped() {   # 54: host2's firewall drops new connections to its containers
  local name=$1
  scenario_begin "$name"
  two_hosts; static_routes
  nsx h2 iptables -A FORWARD -d 192.168.20.0/24 -p tcp --syn -j DROP
  nsx h2 iptables -A FORWARD -d 192.168.20.0/24 -p icmp --icmp-type echo-request -j DROP
  NOTES="Lab: the article's static routes, and a firewall rule in host2's FORWARD chain that drops new TCP connections and echo requests to its containers (iptables -A FORWARD -d 192.168.20.0/24 -p tcp --syn -j DROP, and the same for icmp echo-request), as a DOCKER-USER rule might. Container 192.168.10.2 pings 192.168.20.2 (3 requests) and opens TCP to it (its SYNs resent for 8 s): the requests arrive at host2's NIC and are never answered; host1's SYNs are resent. Captured on host1's eth0 and host2's eth0."
  cap_start h1 eth0 host1-eth0.pcap
  cap_start h2 eth0 host2-eth0.pcap
  rp_attempts h1c1 h2c1 192.168.20.2
  rh_article_plan blog-static-routes "The article's worked example; host2 drops new connections to its containers in FORWARD."
  scenario_end host1-eth0.pcap host2-eth0.pcap
}

scenario 53-missing-return-route    sc_missing_return_route
scenario 54-syn-dropped             sc_syn_dropped

# pd_vxlan: the two hosts of the article joined by flannel-style VXLAN (UDP 8472, VNI 1, MTU 1450)
pd_vxlan() {
  two_hosts 1450
  nsx h1 ip link set br0 mtu 1450; nsx h2 ip link set br0 mtu 1450
  vxlan_host h1 192.168.56.119 192.168.10 $MAC_VTEP1 192.168.56.120 192.168.20 $MAC_VTEP2 8472 1450
  vxlan_host h2 192.168.56.120 192.168.20 $MAC_VTEP2 192.168.56.119 192.168.10 $MAC_VTEP1 8472 1450
  FACTS+=(vxlan=vni:1,port:8472 inner_mtu=1450 underlay_mtu=1500)
}

# pd_plan: the plan of 10-vxlan-8472
pd_plan() {
  vxlan_plan flannel-vxlan-8472 "flannel-style VXLAN backend - kernel device flannel.1 on each host, VNI 1, UDP 8472." 8472 1450
}

# pd_switch_filter RULE...: an iptables rule in the underlay switch's FORWARD chain (bridged
# frames pass iptables in that namespace only: bridge-nf-call-iptables is per namespace)
pd_switch_filter() {
  nsx ul sysctl -qw net.bridge.bridge-nf-call-iptables=1
  nsx ul iptables -A FORWARD "$@"
}

# pd_pings N GAP: each container pings the other N times, then host2 pings host1 (so that
# both captures go on past the last container packet)
pd_pings() {
  local n=$1 gap=$2
  nsx h1c1 ping -n -q -c "$n" -i "$gap" -W 1 192.168.20.2 >/dev/null || log "note: ping 192.168.20.2 had losses"
  nsx h2c1 ping -n -q -c "$n" -i "$gap" -W 1 192.168.10.2 >/dev/null || log "note: ping 192.168.10.2 had losses"
  nsx h2 ping -n -q -c 4 -i 0.3 -W 1 192.168.56.119 >/dev/null || log "note: host ping had losses"
}

sc_underlay_loss() {   # 55: the underlay switch drops 5% of what it sends to host2
  local name=$1
  scenario_begin "$name"
  pd_vxlan
  pd_switch_filter -m physdev --physdev-out p-h2 -m statistic --mode random --probability 0.05 -j DROP
  FACTS+=(loss=host1:host2)
  NOTES="Lab: flannel-style VXLAN as 10-vxlan-8472, and a lossy underlay link: the switch between the hosts drops 5% of the frames it sends to host2, at random (iptables -m physdev --physdev-out p-h2 -m statistic --mode random --probability 0.05 -j DROP in the switch's namespace; the lab's stand-in for tc netem loss, whose qdisc this kernel lacks). Container 192.168.10.2 pings 192.168.20.2 400 times at 10 ms, then 192.168.20.2 pings 192.168.10.2 as often; host2 then pings host1. Captured on host1's eth0 and host2's eth0: about 5% of the packets from host1 are seen at host1's NIC and never at host2's."
  cap_start h1 eth0 host1-eth0.pcap
  cap_start h2 eth0 host2-eth0.pcap
  pd_pings 400 0.01
  pd_plan
  scenario_end host1-eth0.pcap host2-eth0.pcap
}

sc_vxlan_dropped() {   # 56: the switch between the hosts drops all VXLAN to host2
  local name=$1
  scenario_begin "$name"
  pd_vxlan
  pd_switch_filter -m physdev --physdev-out p-h2 -p udp --dport 8472 -j DROP
  FACTS+=(loss=host1:host2)
  NOTES="Lab: flannel-style VXLAN as 10-vxlan-8472, and the switch between the hosts drops every VXLAN frame it sends to host2 (iptables -m physdev --physdev-out p-h2 -p udp --dport 8472 -j DROP in the switch's namespace), as a hypervisor or a cloud security group that silently drops UDP 8472 does. Everything else passes: VXLAN from host2 to host1 and the hosts' own traffic. Container 192.168.10.2 pings 192.168.20.2 (never answered) and 192.168.20.2 pings 192.168.10.2 (the requests arrive, the replies are dropped); host2 then pings host1. Captured on host1's eth0 and host2's eth0: no VXLAN packet from host1 reaches host2's NIC."
  cap_start h1 eth0 host1-eth0.pcap
  cap_start h2 eth0 host2-eth0.pcap
  pd_pings 5 0.2
  pd_plan
  scenario_end host1-eth0.pcap host2-eth0.pcap
}

sc_vxlan_bad_checksum() {   # 57: host1 sends VXLAN with wrong outer UDP checksums
  local name=$1
  scenario_begin "$name"
  pd_vxlan
  FACTS+=(bad_checksum=host1)
  NOTES="Lab: flannel-style VXLAN as 10-vxlan-8472, plus a VTEP with broken checksum offload: besides its kernel's VXLAN traffic, host1 sends 5 VXLAN-wrapped echo requests from 192.168.10.2 to 192.168.20.2 whose outer UDP checksum is wrong (lab/vxlan_inject.py writes them to host1's eth0 with an AF_PACKET socket; the checksum is the right one XOR 0x5a5a: neither zero nor the offload placeholder). host2's kernel drops them (UDP: bad checksum). The containers also ping each other through the kernel's VXLAN, whose checksums are right. Captured on host1's eth0 and host2's eth0."
  cap_start h1 eth0 host1-eth0.pcap
  cap_start h2 eth0 host2-eth0.pcap
  pd_pings 3 0.2
  nsx h1 timeout 10 python3 "$LAB_DIR/vxlan_inject.py" eth0 $MAC_H1 $MAC_H2 192.168.56.119 192.168.56.120 1 8472 \
    $MAC_VTEP1 $MAC_VTEP2 192.168.10.2 192.168.20.2 5
  nsx h2 ping -n -q -c 3 -i 0.3 -W 1 192.168.56.119 >/dev/null || log "note: host ping had losses"
  pd_plan
  scenario_end host1-eth0.pcap host2-eth0.pcap
}

scenario 55-underlay-loss           sc_underlay_loss
scenario 56-vxlan-dropped           sc_vxlan_dropped
scenario 57-vxlan-bad-checksum      sc_vxlan_bad_checksum
