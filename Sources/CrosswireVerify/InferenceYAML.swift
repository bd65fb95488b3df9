// The inferred plan as YAML in the contract's format, each value followed by
// its evidence as a comment, so a reviewer sees why before committing it.

import CrosswireDecoder
import CrosswirePlan

extension InferredPlan {
    /// The plan as YAML, loadable by `PlanLoader`, with evidence comments.
    public func yaml() -> String {
        var out: [String] = []
        func line(_ text: String, _ key: String?) {
            if let key, let note = notes[key] { out.append("\(text)   # \(note)") } else { out.append(text) }
        }
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        out.append("# Drafted by crosswire infer from \(captures.count) capture\(captures.count == 1 ? "" : "s"): \(captures.joined(separator: ", "))")
        out.append("# Review every value before committing: each comment says what it rests on.")
        for c in cuts { out.append("# incomplete: \(c.description); the frames before it are read") }
        out.append("version: 1")
        out.append("name: \(quoted(plan.name))")
        out.append("underlay:")
        line("  mtu: \(plan.underlay.mtu)", "underlay.mtu")
        out.append("hosts:")
        for (i, h) in plan.hosts.enumerated() {
            let k = "hosts[\(i)]"
            line("  - name: \(h.name)", k)
            line("    address: " + (h.addresses.count == 1 ? "\(h.address)" : "[" + h.addresses.map { "\"\($0)\"" }.joined(separator: ", ") + "]"), "\(k).address")
            if let mac = h.mac { line("    mac: \"\(mac)\"", "\(k).mac") } else { out.append("    # mac: not seen: no ARP/ND for this address") }
            let containers = h.containerSubnets.count == 1 ? "\(h.containers)" : "[" + h.containerSubnets.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
            line("    containers: \(containers)", "\(k).containers")
            if let g = h.gateway { line("    gateway: \(g)", "\(k).gateway") } else { out.append("    # gateway: not seen: no bridge address answered ARP/ND") }
            if let asn = h.asn { line("    asn: \(asn)", "\(k).asn") } else if let n = notes["\(k).asn.missing"] { out.append("    # asn: \(n)") }
            if let rid = h.routerID { line("    router_id: \(rid)", "\(k).router_id") }
        }
        if !plan.routers.isEmpty {
            out.append("routers:")
            for (i, r) in plan.routers.enumerated() {
                let k = "routers[\(i)]"
                line("  - name: \(r.name)", k)
                line("    address: \(r.address)", "\(k).address")
                if let mac = r.mac { line("    mac: \"\(mac)\"", "\(k).mac") }
            }
        }
        out.append("transport:")
        line("  mode: \(plan.transport.mode.rawValue)", "transport.mode")
        if let mtu = plan.transport.mtu { line("  mtu: \(mtu)", "transport.mtu") }
        if let v = plan.transport.vxlan { out.append("  vxlan: { vni: \(v.vni), port: \(v.port) }") }
        if let g = plan.transport.geneve { out.append("  geneve: { vni: \(g.vni), port: \(g.port) }") }
        if let r = plan.transport.maxOverheadRatio { line("  max_overhead_ratio: \(r)", "transport.max_overhead_ratio") }
        line("nat: \(plan.nat.rawValue)", "nat")
        if !plan.services.isEmpty {
            out.append("services:")
            for (i, s) in plan.services.enumerated() { line("  - \(s)", "services[\(i)]") }
        }
        if !plan.publish.isEmpty {
            out.append("publish:")
            for (i, p) in plan.publish.enumerated() {
                line("  - { host: \(p.host), port: \(p.port), protocol: \(p.transportProtocol.rawValue), to: \"\(p.to)\" }", "publish[\(i)]")
            }
        } else {
            out.append("# publish: not seen: no destination NAT from a host port to a container")
        }
        if let routes = plan.routes {
            out.append(routes.isEmpty ? "routes: []" : "routes:")
            for (i, r) in routes.enumerated() { line("  - { at: \(r.at), to: \(r.to), via: \(r.via) }", "routes[\(i)]") }
        } else if let note = notes["routes"] {
            out.append("# routes: left to the default: \(note)")
        }
        for a in extraAnnouncements {
            let what = switch a.kind {
            case .ospfLink: "its own link's network, not a container subnet"
            case .ospfDefault: "a default route, not a container subnet"
            case .bgp, .ospf: "not a container subnet of the plan"
            }
            out.append("# also announced: \(a.prefix) by \(a.host) (\(what)), \(a.evidence)")
        }
        out.append("routing:")
        line("  protocol: \(plan.routing.routingProtocol.rawValue)", "routing.protocol")
        if let b = plan.routing.bgp, let h = b.holdTime { line("  bgp: { hold_time: \(h) }", "routing.bgp") }
        else if plan.routing.routingProtocol == .bgp, let n = notes["routing.bgp"] { out.append("  # bgp: \(n)") }
        if let o = plan.routing.ospf {
            var parts: [String] = []
            if let a = o.area { parts.append("area: \(IPv4Address(rawValue: a))") }
            if let h = o.helloInterval { parts.append("hello_interval: \(h)") }
            if let d = o.deadInterval { parts.append("dead_interval: \(d)") }
            line("  ospf: { \(parts.joined(separator: ", ")) }", "routing.ospf")
        }
        return out.joined(separator: "\n") + "\n"
    }
}
