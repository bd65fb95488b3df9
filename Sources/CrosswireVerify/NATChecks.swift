// nat.source and nat.destination: translations proven by the same packet at
// two capture points, classified by which side opened the exchange.

import CrosswireDecoder
import Foundation
import CrosswirePlan
import CrosswireVerdict

struct NATChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement {
        let (source, destination) = natChecks()
        return Judgement(checks: [source, destination])
    }

    /// One rewrite, oriented: `inside` is the container side, `outside` the translated side.
    struct Rewrite {
        var inside: Endpoints
        var outside: Endpoints
        var record: TranslationRecord
        var protocolName: TransportProtocol?
        /// True when `inside` is the packet as the first capture point saw it.
        var insideIsFirst: Bool
    }

    /// (inside frame, outside frame) of an example pair stored as (first point, second point).
    func orient(_ first: FrameRef, _ second: FrameRef, insideIsFirst: Bool) -> (FrameRef, FrameRef) {
        insideIsFirst ? (first, second) : (second, first)
    }

    func natChecks() -> (source: CheckResult, destination: CheckResult) {
        let expectedSource = plan.nat == .masquerade
            ? "container sources leave as their own host's address (masquerade), nothing else translated"
            : "container addresses and ports cross hosts unchanged"
        let expectedDestination = plan.publish.isEmpty
            ? "no destination NAT"
            : "destination NAT only as published: " + plan.publish.map { "\($0.host):\($0.port)/\($0.transportProtocol.rawValue) → \($0.to)" }.joined(separator: ", ")
        if plan.nat == .allowed {
            return (
                result(.natSource, .skip, "NAT is not checked (plan says nat: allowed)", expected: expectedSource),
                result(.natDestination, .skip, "NAT is not checked (plan says nat: allowed)", expected: expectedDestination)
            )
        }
        let traffic = findings.traffic
        let correlator = findings.nat

        // Orient every proven translation.
        var sourceRewrites: [Rewrite] = []
        var destinationRewrites: [Rewrite] = []
        for (t, record) in correlator.translations.sorted(byFrame: \.value.first, then: { "\($0.key)" }) {
            let a = t.first, b = t.second
            let proto: TransportProtocol? = a.protocolNumber == 6 ? .tcp : a.protocolNumber == 17 ? .udp : nil
            if a.source != b.source || a.sourcePort != b.sourcePort {
                let aInside = topology.isContainer(a.source) || !topology.isContainer(b.source)
                sourceRewrites.append(Rewrite(inside: aInside ? a : b, outside: aInside ? b : a, record: record, protocolName: proto, insideIsFirst: aInside))
            }
            if a.destination != b.destination || a.destinationPort != b.destinationPort {
                let aInside = topology.isContainer(a.destination) || !topology.isContainer(b.destination)
                destinationRewrites.append(Rewrite(inside: aInside ? a : b, outside: aInside ? b : a, record: record, protocolName: proto, insideIsFirst: aInside))
            }
        }
        func published(_ outsideAddress: IPAddress, _ outsidePort: UInt16, _ proto: TransportProtocol?, _ inside: IPAddress, _ insidePort: UInt16) -> PublishedPort? {
            guard let proto, let entry = plan.publishMapping(hostAddress: outsideAddress, port: outsidePort, protocol: proto) else { return nil }
            return entry.to.address == inside && entry.to.port == insidePort ? entry : nil
        }
        // A source rewrite that is the reply half of a destination translation (the server answering), and vice versa.
        func isReplyOfDestinationNAT(_ r: Rewrite) -> Bool {
            if published(r.outside.source, r.outside.sourcePort, r.protocolName, r.inside.source, r.inside.sourcePort) != nil { return true }
            // The opening half: marked as opening (SYN, echo request), or else seen first (UDP).
            return destinationRewrites.contains {
                ($0.record.initiating || $0.record.first < r.record.first) && $0.outside.destination == r.outside.source && $0.outside.destinationPort == r.outside.sourcePort
                    && $0.inside.destination == r.inside.source && $0.inside.destinationPort == r.inside.sourcePort
            }
        }
        func isReplyOfSourceNAT(_ r: Rewrite) -> Bool {
            sourceRewrites.contains {
                ($0.record.initiating || $0.record.first < r.record.first) && $0.outside.source == r.outside.destination && $0.outside.sourcePort == r.outside.destinationPort
                    && $0.inside.source == r.inside.destination && $0.inside.sourcePort == r.inside.destinationPort
            }
        }

        // nat.source
        var sourceBad = EvidenceList(), sourceAllowed = 0
        var sourceObserved: [String] = []
        var sourceNATed: [String] = []  // one short line per source-NATed flow
        var egress = 0  // translations towards destinations outside the plan: listed, not judged
        for r in sourceRewrites {
            // A server's answer through a destination translation is that translation's business.
            if !r.record.initiating, isReplyOfDestinationNAT(r) { continue }
            let owner = topology.owner(of: r.inside.source)
            let line = "\(r.inside.sourceText) > \(r.inside.destinationText) (\(r.inside.protocolText)) leaves as \(r.outside.sourceText) (\(r.record.count) packet\(r.record.count == 1 ? "" : "s"), \(place(r.record.first)) and \(place(r.record.second)))"
            if !topology.isPlannedParty(r.inside.destination) {
                egress += r.record.count
                sourceObserved.append("egress NAT, not judged: " + line)
                continue
            }
            if plan.nat == .masquerade, let owner, topology.nodes[owner].addresses.contains(r.outside.source) {
                sourceAllowed += r.record.count
                sourceObserved.append("masqueraded as planned: " + line)
                continue
            }
            sourceObserved.append("source NAT: " + line)
            sourceNATed.append("\(r.inside.sourceText) > \(r.inside.destinationText) (\(r.inside.protocolText)) leaves as \(r.outside.sourceText)")
            for (before, after) in r.record.examples {
                let (insideRef, outsideRef) = orient(before, after, insideIsFirst: r.insideIsFirst)
                sourceBad.add(outsideRef, "source \(r.inside.sourceText) rewritten to \(r.outside.sourceText) between the capture points (same packet as \(place(insideRef)))")
                sourceBad.add(insideRef, "the same packet before translation: source \(r.inside.sourceText)")
            }
        }
        // nat.destination
        var destinationBad = EvidenceList(), destinationAllowed = 0, serviceAllowed = 0
        var destinationObserved: [String] = []
        var destinationNATed: [String] = []  // one short line per undeclared translation
        for r in destinationRewrites {
            if published(r.outside.destination, r.outside.destinationPort, r.protocolName, r.inside.destination, r.inside.destinationPort) != nil {
                destinationAllowed += r.record.count
                destinationObserved.append("published: \(r.outside.destinationText) → \(r.inside.destinationText) (\(r.record.count) packets)")
                continue
            }
            // A service address (Kubernetes ClusterIP) translated to a container: kube-proxy, as planned.
            if plan.isServiceAddress(r.outside.destination), topology.isContainer(r.inside.destination) {
                serviceAllowed += r.record.count
                destinationObserved.append("service DNAT, intended: \(r.outside.destinationText) → \(r.inside.destinationText) (\(r.record.count) packets)")
                continue
            }
            // Towards an address outside the plan on both sides: egress, not judged.
            if !topology.isPlannedParty(r.inside.destination), !topology.isPlannedParty(r.outside.destination) {
                destinationObserved.append("egress NAT, not judged: \(r.inside.protocolText) to \(r.outside.destinationText) → \(r.inside.destinationText)")
                continue
            }
            // The answer to a masqueraded packet, translated back: that is the source translation's business.
            if !r.record.initiating, isReplyOfSourceNAT(r) { continue }
            destinationNATed.append("\(r.inside.protocolText) to \(r.outside.destinationText) → \(r.inside.destinationText)")
            destinationObserved.append("destination NAT: \(r.inside.protocolText) to \(r.outside.destinationText) → \(r.inside.destinationText) (\(r.record.count) packet\(r.record.count == 1 ? "" : "s"), \(place(r.record.first)) and \(place(r.record.second)))")
            for (before, after) in r.record.examples {
                let (insideRef, outsideRef) = orient(before, after, insideIsFirst: r.insideIsFirst)
                destinationBad.add(insideRef, "destination \(r.outside.destinationText) rewritten to \(r.inside.destinationText) with no publish entry for it (same packet as \(place(outsideRef)))")
                destinationBad.add(outsideRef, "the same packet before translation: destination \(r.outside.destinationText)")
            }
        }

        // One capture point cannot prove a translation; flag what only a translation explains.
        let candidates = correlator.unmatchedCandidates
        var destinationSuspect = EvidenceList()
        let (masqueradeProven, masqueradeUndecided, provenTTLs) = plan.nat == .none
            ? masqueradeByTTL(correlator.hostSourced) : (EvidenceList(), EvidenceList(), [])
        for c in candidates {
            switch c.kind {
            case .unpublishedHostPort:
                let proto: TransportProtocol = c.endpoints.protocolNumber == 17 ? .udp : .tcp
                if plan.publishMapping(hostAddress: c.endpoints.destination, port: c.endpoints.destinationPort, protocol: proto) == nil {
                    destinationSuspect.add(c.ref, "container \(c.endpoints.source) opens a connection to \(c.endpoints.destinationText), a host address and port no publish entry names")
                }
            }
        }

        let matched = correlator.unchangedMatches + correlator.translations.values.reduce(0) { $0 + $1.count }
        let pointsNote = findings.pointCount > 1
            ? "\(matched) packets matched across \(findings.pointCount) capture points"
            : "one capture point: translations cannot be proven, only suspected"

        let source: CheckResult
        if !sourceBad.isEmpty {
            source = result(
                .natSource, .fail, "\(sourceNATed.count) flow\(sourceNATed.count == 1 ? "" : "s") source-NATed, e.g. \(sourceNATed[0])",
                expected: expectedSource, observed: sourceObserved + [pointsNote], evidence: sourceBad)
        } else if traffic.crossHostFrames == 0 && sourceRewrites.isEmpty {
            source = result(.natSource, .skip, "no cross-host container traffic in the captures", expected: expectedSource)
        } else if !masqueradeProven.isEmpty {
            let hosts = hostNames(masqueradeProven)
            source = result(
                .natSource, .fail,
                "\(count(masqueradeProven.total, "packet")) left \(hosts)'s NIC with its own address as source and a forwarded TTL (\(provenTTLs.map(String.init).joined(separator: ", "))): \(hosts) translated them",
                expected: expectedSource, observed: sourceObserved + [pointsNote], evidence: masqueradeProven)
        } else if !masqueradeUndecided.isEmpty {
            let hosts = hostNames(masqueradeUndecided)
            source = result(
                .natSource, .warn,
                "\(count(masqueradeUndecided.total, "packet")) from \(hosts)'s address to another host's containers: a source NAT that cannot be proven from these capture points; a capture on \(hosts)'s container bridge decides",
                expected: expectedSource, observed: sourceObserved + [pointsNote], evidence: masqueradeUndecided)
        } else {
            var detail = sourceAllowed > 0 ? "\(sourceAllowed) packets masqueraded to their host's address as planned; " : ""
            if egress > 0 { detail += "\(egress) packets of egress NAT to destinations outside the plan, not judged; " }
            source = result(
                .natSource, .pass, "\(detail)container sources unchanged (\(pointsNote))", expected: expectedSource,
                observed: sourceObserved + [pointsNote])
        }

        let destination: CheckResult
        if !destinationBad.isEmpty {
            destination = result(
                .natDestination, .fail, "\(destinationNATed.count) undeclared destination translation\(destinationNATed.count == 1 ? "" : "s"), e.g. \(destinationNATed[0])",
                expected: expectedDestination, observed: destinationObserved + [pointsNote], evidence: destinationBad)
        } else if !traffic.pairs.keys.contains(where: { $0.to >= 0 && !topology.nodes[Int($0.to)].isRouter }) && destinationRewrites.isEmpty {
            // Nothing was sent to a container or host address: nothing a destination NAT could have touched.
            destination = result(.natDestination, .skip, "no traffic to a container or host address in the captures", expected: expectedDestination)
        } else if !destinationSuspect.isEmpty {
            destination = result(
                .natDestination, .warn, "\(destinationSuspect.total) connection\(destinationSuspect.total == 1 ? "" : "s") to an unpublished host port, seen at one point only",
                expected: expectedDestination, observed: destinationObserved + [pointsNote], evidence: destinationSuspect)
        } else {
            var detail = destinationAllowed > 0 ? "\(destinationAllowed) packets translated by published mappings; " : ""
            if serviceAllowed > 0 { detail += "\(serviceAllowed) packets of service DNAT (services), as planned; " }
            destination = result(
                .natDestination, .pass, "\(detail)no undeclared destination NAT (\(pointsNote))", expected: expectedDestination,
                observed: destinationObserved + [pointsNote])
        }
        return (source, destination)
    }

    /// Initial TTLs (and hop limits) that senders use; a forwarded packet carries less.
    static let initialTTLs: Set<UInt8> = [32, 64, 128, 255]

    /// Masquerade seen only after translation (RFC 791 TTL): a packet from host A's address that
    /// opens an exchange with another host's containers, leaving A's NIC (A's MAC as source) with
    /// a TTL no sender starts with, was forwarded by A, and A put its own address on it. With
    /// an initial TTL it is A's own packet. Never seen at A's NIC, nothing decides.
    func masqueradeByTTL(_ sightings: [HostSourcedSighting]) -> (proven: EvidenceList, undecided: EvidenceList, ttls: [UInt8]) {
        var proven = EvidenceList(), undecided = EvidenceList(), ttls = Set<UInt8>()
        var groups: [UInt64: [HostSourcedSighting]] = [:], order: [UInt64] = []
        for s in sightings {
            if groups[s.fingerprint] == nil { order.append(s.fingerprint) }
            groups[s.fingerprint, default: []].append(s)
        }
        for key in order {
            let group = groups[key]!
            let first = group[0]
            let name = topology.nodes[first.host].name
            // Several points on A's link see the frame alike; cite the first capture's, whatever the read order.
            if let atNIC = group.filter({ $0.sourceMAC.flatMap(node(sendingFrom:)) == $0.host }).min(by: { $0.ref < $1.ref }) {
                guard !Self.initialTTLs.contains(atNIC.ttl) else { continue }
                ttls.insert(atNIC.ttl)
                proven.add(atNIC.ref, "\(name)'s address \(first.endpoints.source) as source of \(first.endpoints.protocolText) to \(first.endpoints.destinationText), TTL \(atNIC.ttl) at \(name)'s NIC: forwarded and source-translated by \(name)")
            } else {
                undecided.add(first.ref, "possible source NAT: \(name)'s address \(first.endpoints.source) opens \(first.endpoints.protocolText) to \(first.endpoints.destinationText), not seen leaving \(name)'s NIC")
            }
        }
        return (proven, undecided, ttls.sorted())
    }

    /// The hosts an evidence list's packets name, `host1/host2`.
    func hostNames(_ list: EvidenceList) -> String {
        let names = Set(list.frames.compactMap { ref in findings.nat.hostSourced.first { $0.ref == ref }.map { topology.nodes[$0.host].name } })
        return names.sorted().joined(separator: "/")
    }

}
