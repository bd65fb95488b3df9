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
        return Judgement(outcomes: [source, destination])
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

    func natChecks() -> (source: Source, destination: Destination) {
        if plan.nat == .allowed { return (Source(kind: .notChecked), Destination(kind: .notChecked)) }
        let traffic = findings.traffic
        let correlator = findings.nat

        // Orient every proven translation.
        var sourceRewrites: [Rewrite] = []
        var destinationRewrites: [Rewrite] = []
        for (t, record) in correlator.translations.sorted(byFrame: \.value.first, then: { String(describing: $0.key) }) {
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
            // The opening half: marked as opening (SYN, echo request), or else matched first in time (UDP).
            return destinationRewrites.contains {
                ($0.record.initiating || $0.record.seen < r.record.seen) && $0.outside.destination == r.outside.source && $0.outside.destinationPort == r.outside.sourcePort
                    && $0.inside.destination == r.inside.source && $0.inside.destinationPort == r.inside.sourcePort
            }
        }
        func isReplyOfSourceNAT(_ r: Rewrite) -> Bool {
            sourceRewrites.contains {
                ($0.record.initiating || $0.record.seen < r.record.seen) && $0.outside.source == r.outside.destination && $0.outside.sourcePort == r.outside.destinationPort
                    && $0.inside.source == r.inside.destination && $0.inside.sourcePort == r.inside.destinationPort
            }
        }

        // nat.source
        var source = Source(kind: .unchanged)
        var sourceBad = EvidenceList<Note>()
        for r in sourceRewrites {
            // A server's answer through a destination translation is that translation's business.
            if !r.record.initiating, isReplyOfDestinationNAT(r) { continue }
            let owner = topology.owner(of: r.inside.source)
            if !topology.isPlannedParty(r.inside.destination) {
                source.egress += r.record.count
                source.lines.append((.egress, r))
                continue
            }
            if plan.nat == .masquerade, let owner, topology.nodes[owner].addresses.contains(r.outside.source) {
                source.masqueraded += r.record.count
                source.lines.append((.masqueraded, r))
                continue
            }
            source.lines.append((.translated, r))
            source.translated.append(r)
            for (before, after) in r.record.examples {
                let (insideRef, outsideRef) = orient(before, after, insideIsFirst: r.insideIsFirst)
                sourceBad.add(outsideRef, .sourceRewritten(r, sameAs: insideRef))
                sourceBad.add(insideRef, .sourceBefore(r))
            }
        }
        // nat.destination
        var destination = Destination(kind: .unchanged)
        var destinationBad = EvidenceList<Note>()
        for r in destinationRewrites {
            if published(r.outside.destination, r.outside.destinationPort, r.protocolName, r.inside.destination, r.inside.destinationPort) != nil {
                destination.published += r.record.count
                destination.lines.append((.published, r))
                continue
            }
            // A service address (Kubernetes ClusterIP) translated to a container: kube-proxy, as planned.
            if plan.isServiceAddress(r.outside.destination), topology.isContainer(r.inside.destination) {
                destination.services += r.record.count
                destination.lines.append((.service, r))
                continue
            }
            // Towards an address outside the plan on both sides: egress, not judged.
            if !topology.isPlannedParty(r.inside.destination), !topology.isPlannedParty(r.outside.destination) {
                destination.lines.append((.egress, r))
                continue
            }
            // The answer to a masqueraded packet, translated back: that is the source translation's business.
            if !r.record.initiating, isReplyOfSourceNAT(r) { continue }
            destination.translated.append(r)
            destination.lines.append((.translated, r))
            for (before, after) in r.record.examples {
                let (insideRef, outsideRef) = orient(before, after, insideIsFirst: r.insideIsFirst)
                destinationBad.add(insideRef, .destinationRewritten(r, sameAs: outsideRef))
                destinationBad.add(outsideRef, .destinationBefore(r))
            }
        }

        // One capture point cannot prove a translation; flag what only a translation explains.
        var destinationSuspect = EvidenceList<Note>()
        let (masqueradeProven, masqueradeUndecided, provenTTLs) = plan.nat == .none
            ? masqueradeByTTL(correlator.hostSourced) : (EvidenceList<Note>(), EvidenceList<Note>(), [])
        for c in correlator.unmatchedCandidates {
            switch c.kind {
            case .unpublishedHostPort:
                let proto: TransportProtocol = c.endpoints.protocolNumber == 17 ? .udp : .tcp
                if plan.publishMapping(hostAddress: c.endpoints.destination, port: c.endpoints.destinationPort, protocol: proto) == nil {
                    destinationSuspect.add(c.ref, .unpublishedPort(c.endpoints))
                }
            }
        }

        let points = Points(matched: correlator.unchangedMatches + correlator.translations.values.reduce(0) { $0 + $1.count }, count: findings.pointCount)
        (source.points, destination.points) = (points, points)
        if !sourceBad.isEmpty {
            source.kind = .translated
            source.evidence = sourceBad
        } else if traffic.crossHostFrames == 0 && sourceRewrites.isEmpty {
            source.kind = .noCrossHostTraffic
        } else if !masqueradeProven.isEmpty {
            source.kind = .masqueradedByHost(hosts: hostNames(masqueradeProven), ttls: provenTTLs)
            source.evidence = masqueradeProven
        } else if !masqueradeUndecided.isEmpty {
            source.kind = .maybeMasqueraded(hosts: hostNames(masqueradeUndecided))
            source.evidence = masqueradeUndecided
        }
        if source.status == .fail { source.cause = sourceCause(cited: Set(source.evidence.frames)) }
        if source.status == .warn {
            source.cause = citedHostSourced(Set(source.evidence.frames)).map { Source.Cause.undecided(host: $0.host, subnet: $0.subnet) }
        }

        if !destinationBad.isEmpty {
            destination.kind = .translated
            destination.evidence = destinationBad
        } else if !traffic.pairs.keys.contains(where: { $0.to >= 0 && !topology.nodes[Int($0.to)].isRouter }) && destinationRewrites.isEmpty {
            // Nothing was sent to a container or host address: nothing a destination NAT could have touched.
            destination.kind = .noTrafficToPlannedAddresses
        } else if !destinationSuspect.isEmpty {
            destination.kind = .unpublishedPorts
            destination.evidence = destinationSuspect
        }
        if destination.status == .fail { destination.cause = destinationCause(cited: Set(destination.evidence.frames)) }
        if destination.status == .warn { destination.cause = unpublishedPortCause() }
        return (source, destination)
    }

    /// Initial TTLs (and hop limits) that senders use; a forwarded packet carries less.
    static let initialTTLs: Set<UInt8> = [32, 64, 128, 255]

    /// Masquerade seen only after translation (RFC 791 TTL): a packet from host A's address that
    /// opens an exchange with another host's containers, leaving A's NIC (A's MAC as source) with
    /// a TTL no sender starts with, was forwarded by A, and A put its own address on it. With
    /// an initial TTL it is A's own packet. Never seen at A's NIC, nothing decides.
    func masqueradeByTTL(_ sightings: [HostSourcedSighting]) -> (proven: EvidenceList<Note>, undecided: EvidenceList<Note>, ttls: [UInt8]) {
        var proven = EvidenceList<Note>(), undecided = EvidenceList<Note>(), ttls = Set<UInt8>()
        var groups: [UInt64: [HostSourcedSighting]] = [:], order: [UInt64] = []
        for s in sightings {
            if groups[s.fingerprint] == nil { order.append(s.fingerprint) }
            groups[s.fingerprint, default: []].append(s)
        }
        for key in order {
            let group = groups[key]!
            let first = group[0]
            // Several points on A's link see the frame alike; cite the first capture's, whatever the read order.
            if let atNIC = group.filter({ $0.sourceMAC.flatMap(node(sendingFrom:)) == $0.host }).min(by: { $0.ref < $1.ref }) {
                guard !Self.initialTTLs.contains(atNIC.ttl) else { continue }
                ttls.insert(atNIC.ttl)
                proven.add(atNIC.ref, .forwardedByHost(first.host, first.endpoints, ttl: atNIC.ttl))
            } else {
                undecided.add(first.ref, .notSeenLeaving(first.host, first.endpoints))
            }
        }
        return (proven, undecided, ttls.sorted())
    }

    /// The hosts an evidence list's packets name, in name order.
    func hostNames(_ list: EvidenceList<Note>) -> [Int] {
        let hosts = Set(list.frames.compactMap { ref in findings.nat.hostSourced.first { $0.ref == ref }?.host })
        return hosts.sorted { topology.nodes[$0].name < topology.nodes[$1].name }
    }
}

// MARK: The typed outcomes and causes

extension NATChecks {
    /// How many packets were matched across how many capture points.
    struct Points { var matched = 0, count = 0 }

    /// What became of one proven translation.
    enum Disposition { case egress, masqueraded, translated, published, service }

    /// What a cited frame is.
    enum Note {
        case sourceRewritten(Rewrite, sameAs: FrameRef), sourceBefore(Rewrite)
        case destinationRewritten(Rewrite, sameAs: FrameRef), destinationBefore(Rewrite)
        case forwardedByHost(Int, Endpoints, ttl: UInt8), notSeenLeaving(Int, Endpoints)
        case unpublishedPort(Endpoints)
    }

    /// nat.source: container sources translated between capture points, or by their host.
    struct Source: CheckOutcome {
        enum Kind {
            case notChecked, noCrossHostTraffic, unchanged, translated
            /// Hosts' own addresses on forwarded packets (fail), or on packets not seen leaving the host (warn).
            case masqueradedByHost(hosts: [Int], ttls: [UInt8]), maybeMasqueraded(hosts: [Int])
        }
        /// What to change.
        enum Cause {
            case masqueradeAfter(host: Int, subnet: IPPrefix)
            case masquerade(owner: Int, inside: Endpoints, outside: Endpoints, from: IPPrefix, to: IPPrefix?)
            case snat(owner: Int, inside: Endpoints, outside: Endpoints, at: Int?)
            case undecided(host: Int, subnet: IPPrefix)
        }
        var id: CheckID { .natSource }
        var status: CheckStatus {
            switch kind {
            case .notChecked, .noCrossHostTraffic: .skip
            case .unchanged: .pass
            case .translated, .masqueradedByHost: .fail
            case .maybeMasqueraded: .warn
            }
        }
        var kind: Kind
        var lines: [(Disposition, Rewrite)] = []
        var translated: [Rewrite] = []
        var masqueraded = 0, egress = 0
        var points = Points()
        var evidence = EvidenceList<Note>()
        var cause: Cause?
    }

    /// nat.destination: destinations translated without a publish entry.
    struct Destination: CheckOutcome {
        enum Kind { case notChecked, noTrafficToPlannedAddresses, unchanged, translated, unpublishedPorts }
        /// What to change.
        enum Cause {
            case publish(host: Int, inside: Endpoints, outside: Endpoints, protocolName: TransportProtocol)
            case service(inside: Endpoints, outside: Endpoints)
            case dnat(inside: Endpoints, outside: Endpoints)
            case unpublishedPort(Endpoints, host: Int)
        }
        var id: CheckID { .natDestination }
        var status: CheckStatus {
            switch kind {
            case .notChecked, .noTrafficToPlannedAddresses: .skip
            case .unchanged: .pass
            case .translated: .fail
            case .unpublishedPorts: .warn
            }
        }
        var kind: Kind
        var lines: [(Disposition, Rewrite)] = []
        var translated: [Rewrite] = []
        var published = 0, services = 0
        var points = Points()
        var evidence = EvidenceList<Note>()
        var cause: Cause?
    }

    /// The translation whose example frames a check cites, oriented: `inside` is the container side.
    func citedTranslation(_ refs: Set<FrameRef>, source: Bool) -> (inside: Endpoints, outside: Endpoints)? {
        for (t, record) in findings.nat.translations.sorted(byFrame: \.value.first, then: { String(describing: $0.key) }) {
            let (a, b) = (t.first, t.second)
            let changed = source ? a.source != b.source || a.sourcePort != b.sourcePort
                : a.destination != b.destination || a.destinationPort != b.destinationPort
            guard changed, record.examples.contains(where: { refs.contains($0.0) || refs.contains($0.1) }) else { continue }
            let aInside = source ? topology.isContainer(a.source) || !topology.isContainer(b.source)
                : topology.isContainer(a.destination) || !topology.isContainer(b.destination)
            return aInside ? (a, b) : (b, a)
        }
        return nil
    }

    /// The host whose own address a cited packet carries (masquerade seen only after translation).
    func citedHostSourced(_ refs: Set<FrameRef>) -> (host: Int, subnet: IPPrefix)? {
        guard let s = findings.nat.hostSourced.first(where: { refs.contains($0.ref) }), let subnet = topology.nodes[s.host].containers
        else { return nil }
        return (s.host, subnet)
    }

    /// The container subnet holding `address`.
    func subnet(of address: IPAddress) -> IPPrefix? {
        topology.owner(of: address).flatMap { o in topology.nodes[o].containerSubnets.first { $0.contains(address) } }
    }

    func sourceCause(cited refs: Set<FrameRef>) -> Source.Cause? {
        let translation = citedTranslation(refs, source: true)
        if translation == nil, let (host, subnet) = citedHostSourced(refs) { return .masqueradeAfter(host: host, subnet: subnet) }
        guard let (inside, outside) = translation, let owner = topology.owner(of: inside.source), let from = subnet(of: inside.source)
        else { return nil }
        if topology.nodes[owner].addresses.contains(outside.source) {
            return .masquerade(owner: owner, inside: inside, outside: outside, from: from, to: subnet(of: inside.destination))
        }
        return .snat(owner: owner, inside: inside, outside: outside, at: topology.node(at: outside.source))
    }

    func destinationCause(cited refs: Set<FrameRef>) -> Destination.Cause? {
        guard let (inside, outside) = citedTranslation(refs, source: false) else { return nil }
        let proto: TransportProtocol? = inside.protocolNumber == 6 ? .tcp : inside.protocolNumber == 17 ? .udp : nil
        if let host = topology.node(at: outside.destination), !topology.nodes[host].isRouter, let proto {
            return .publish(host: host, inside: inside, outside: outside, protocolName: proto)
        }
        if !topology.isPlannedParty(outside.destination) { return .service(inside: inside, outside: outside) }
        return .dnat(inside: inside, outside: outside)
    }

    func unpublishedPortCause() -> Destination.Cause? {
        for c in findings.nat.unmatchedCandidates where c.kind == .unpublishedHostPort {
            guard let host = topology.node(at: c.endpoints.destination) else { continue }
            return .unpublishedPort(c.endpoints, host: host)
        }
        return nil
    }
}
