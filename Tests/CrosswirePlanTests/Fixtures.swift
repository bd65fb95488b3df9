// Fixtures: the contract's example plan, pasted verbatim from
// the interface contract's §1 (docs/PLAN.md documents it for users), and a small helper to load text.

@testable import CrosswirePlan
import Testing

/// The example of contract §1, verbatim (comments and all).
let specExamplePlan = """
version: 1
name: blog-static-routes              # shown in reports
description: Two Docker hosts, own bip each, joined by static routes.   # optional

underlay:
  mtu: 1500                           # optional, default 1500: MTU of the hosts' physical links
  subnet: 192.168.56.0/24             # optional: the hosts' own segment

hosts:                                # at least one
  - name: host1
    address: 192.168.56.119           # the host's underlay (NIC) address
    mac: "02:42:c0:a8:38:77"          # optional: the NIC's MAC, enables L2 next-hop checks
    containers: 192.168.10.0/24       # this host's container subnet (Docker bip), IPv4 or IPv6
    gateway: 192.168.10.1             # optional: the container bridge's own address
    asn: 64512                        # optional: BGP AS of this host
    router_id: 192.168.56.119         # optional: BGP/OSPF router id
  - name: host2
    address: 192.168.56.120
    containers: 192.168.20.0/24

routers:                              # optional: other layer-3 devices of the plan (solution 1's "routing layer")
  - name: core
    address: 192.168.56.1
    mac: "02:00:00:00:00:01"          # optional (quote MACs: YAML 1.1 reads 12:34:56 as a number;
                                      #   Crosswire reads the scalar's text either way)

transport:
  mode: routed                        # routed | bridged | vxlan | geneve | ipip
                                      #   routed: container traffic is routed host to host, no tunnel
                                      #   bridged: containers share the underlay's L2 segment (the article's
                                      #   solution 1 / macvlan-style ip ranges): switched, not routed, no tunnel
  mtu: 1450                           # optional: the containers' (inner) MTU
  vxlan:  { vni: 1, port: 8472 }      # when mode is vxlan (port default 4789)
  geneve: { vni: 1, port: 6081 }      # when mode is geneve
  max_overhead_ratio: 0.05            # optional: encap.overhead fails above this overhead_ratio (§4)

nat: none                             # none: container addresses cross hosts unchanged; DNAT only as published
                                      # masquerade: source NAT of containers to their host's address is intended
                                      #   (Docker's default, port mode); DNAT still only as published
                                      # allowed: NAT is not checked

publish:                              # optional: port mappings that ARE intended (docker run -p)
  - { host: host2, port: 8080, protocol: tcp, to: 192.168.20.2:80 }

routes:                               # optional; when absent every host reaches every other host's
                                      # containers via that host's address; [] means no cross-host routes
  - { at: host1, to: 192.168.20.0/24, via: 192.168.56.120 }   # at: a host or router name
  - { at: core,  to: 192.168.10.0/24, via: 192.168.56.119 }

routing:
  protocol: static                    # static | bgp | ospf
  bgp:  { hold_time: 90 }             # optional expectations; ASNs are per host
  ospf: { area: 0.0.0.0, hello_interval: 10, dead_interval: 40 }   # optional expectations
"""

/// Loads `yaml` as `plan.yaml`; fails the test on an error.
func loadPlan(_ yaml: String) throws -> Plan {
    try PlanLoader().load(yaml: yaml, path: "plan.yaml")
}

/// The error loading `yaml` gives, or nil when it loads.
func loadError(_ yaml: String, limits: PlanLoader.Limits = .default) -> PlanError? {
    do {
        _ = try PlanLoader(limits: limits).load(yaml: yaml, path: "plan.yaml")
        return nil
    } catch {
        return error
    }
}

/// A small valid plan to derive variants from (`replacing` a line's text).
let minimalPlan = """
version: 1
name: mini
hosts:
  - name: host1
    address: 192.168.56.119
    containers: 192.168.10.0/24
  - name: host2
    address: 192.168.56.120
    containers: 192.168.20.0/24
transport:
  mode: routed
nat: none
routing:
  protocol: static

"""
