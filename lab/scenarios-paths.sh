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
