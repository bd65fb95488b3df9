// The loader on valid plans: the contract's example, defaults, IPv6, MACs.

import CrosswireDecoder
@testable import CrosswirePlan
import Testing

@Test func specExampleLoadsWithEveryValue() throws {
    let plan = try loadPlan(specExamplePlan)
    #expect(plan.version == 1)
    #expect(plan.name == "blog-static-routes")
    #expect(plan.description == "Two Docker hosts, own bip each, joined by static routes.")
    #expect(plan.underlay == Underlay(mtu: 1500, subnet: IPPrefix("192.168.56.0/24")))
    #expect(plan.hosts.count == 2)
    let host1 = plan.hosts[0]
    #expect(host1.name == "host1")
    #expect(host1.address == IPAddress("192.168.56.119"))
    #expect(host1.mac == MACAddress("02:42:c0:a8:38:77"))
    #expect(host1.containers == IPPrefix("192.168.10.0/24"))
    #expect(host1.gateway == IPAddress("192.168.10.1"))
    #expect(host1.asn == 64512)
    #expect(host1.routerID == IPv4Address("192.168.56.119"))
    #expect(plan.hosts[1] == Host(name: "host2", address: IPAddress("192.168.56.120")!,
                                  containers: IPPrefix("192.168.20.0/24")!))
    #expect(plan.routers == [Router(name: "core", address: IPAddress("192.168.56.1")!,
                                    mac: MACAddress("02:00:00:00:00:01"))])
    #expect(plan.transport.mode == .routed)
    #expect(plan.transport.mtu == 1450)
    #expect(plan.transport.vxlan == TunnelSettings(vni: 1, port: 8472))
    #expect(plan.transport.geneve == TunnelSettings(vni: 1, port: 6081))
    #expect(plan.transport.maxOverheadRatio == 0.05)
    #expect(plan.transport.tunnel == nil)
    #expect(plan.nat == .none)
    #expect(plan.publish == [PublishedPort(host: "host2", port: 8080, transportProtocol: .tcp,
                                           to: Endpoint(address: IPAddress("192.168.20.2")!, port: 80))])
    #expect(plan.routes == [
        Route(at: "host1", to: IPPrefix("192.168.20.0/24")!, via: IPAddress("192.168.56.120")!),
        Route(at: "core", to: IPPrefix("192.168.10.0/24")!, via: IPAddress("192.168.56.119")!),
    ])
    #expect(plan.routing.routingProtocol == .static)
    #expect(plan.routing.bgp == BGPExpectations(holdTime: 90))
    #expect(plan.routing.ospf == OSPFExpectations(area: 0, helloInterval: 10, deadInterval: 40))
    #expect(plan.source.file == "plan.yaml")
    #expect(plan.source.line(of: "hosts[1].containers") == 19)
    #expect(plan.source.line(of: "routes[1]") == 48)
}
