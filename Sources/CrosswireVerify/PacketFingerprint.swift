// What stays the same when a packet crosses a NAT or a router: the same
// packet seen at two capture points has the same fingerprint even when its
// addresses, ports, TTL and checksums changed.

import CrosswireDecoder

/// What the analysers of one frame share, worked out by the first that asks: NAT and
/// delivery both match a frame's fingerprint across points. Made afresh for each frame.
public struct FrameMemo {
    private var level = -1
    private var value: UInt64?

    public init() {}

    /// `PacketFingerprint.of(p, level: i, bytes:)`, computed once per frame and level.
    mutating func fingerprint(_ p: PacketView, level i: Int, bytes: borrowing RawSpan) -> UInt64? {
        if level != i {
            level = i
            value = PacketFingerprint.of(p, level: i, bytes: bytes)
        }
        return value
    }
}

/// The identity of a packet's innermost IP level, without addresses, ports, TTL or checksums.
enum PacketFingerprint {
    /// Bytes of transport payload that take part.
    static let payloadBytes = 48

    /// The fingerprint of level `i`, or nil when the level cannot be identified (a later fragment, no IP).
    static func of(_ p: PacketView, level i: Int, bytes: borrowing RawSpan) -> UInt64? {
        guard let ip = p.levels[i].ip, ip.fragmentOffset == 0 else { return nil }
        let t = p.levels[i].transport
        var h = KeyHasher()
        h.add(UInt64(ip.version) << 8 | UInt64(ip.protocolNumber))
        h.add(ip.version == 4 ? UInt64(ip.identification) : UInt64(ip.flowLabel))
        h.add(UInt64(ip.totalLength))
        switch t.kind {
        case .tcp:
            h.add(UInt64(t.sequence) << 32 | UInt64(t.acknowledgement))
            h.add(UInt64(t.tcpFlags.rawValue))
        case .udp:
            h.add(UInt64(t.payloadLength))
        case .icmp, .icmpv6:
            // The identifier of an echo is rewritten by NAT; type, code and sequence are not.
            h.add(UInt64(t.icmpType) << 24 | UInt64(t.icmpCode) << 16 | UInt64(t.icmpRest & 0xFFFF))
        case .none:
            break
        }
        if t.kind != .none {
            h.add(bytes, from: t.payloadOffset, count: min(payloadBytes, t.capturedPayloadLength))
        } else {
            h.add(bytes, from: ip.offset + ip.headerLength, count: payloadBytes)
        }
        return h.value
    }
}

/// The addresses and ports of a packet: what NAT may change.
struct Endpoints: Equatable, Sendable {
    var source: IPAddress
    var destination: IPAddress
    var sourcePort: UInt16
    var destinationPort: UInt16
    var protocolNumber: UInt8

    init(_ p: PacketView, level i: Int) {
        let ip = p.levels[i].ip!
        let t = p.levels[i].transport
        source = ip.source
        destination = ip.destination
        protocolNumber = ip.protocolNumber
        switch t.kind {
        case .tcp, .udp:
            sourcePort = t.sourcePort
            destinationPort = t.destinationPort
        case .icmp, .icmpv6:
            // Echo identifiers play the part of ports for NAT.
            let echo = t.icmpType == 0 || t.icmpType == 8 || t.icmpType == 128 || t.icmpType == 129
            sourcePort = echo ? UInt16(truncatingIfNeeded: t.icmpRest >> 16) : 0
            destinationPort = sourcePort
        case .none:
            sourcePort = 0
            destinationPort = 0
        }
    }

    /// `a:port` for ports > 0.
    static func text(_ a: IPAddress, _ port: UInt16) -> String {
        port == 0 ? a.description : (a.isV4 ? "\(a):\(port)" : "[\(a)]:\(port)")
    }
    var isICMP: Bool { protocolNumber == 1 || protocolNumber == 58 }
    /// `a:port`, or for ICMP the address alone (the echo identifier is not a port).
    var sourceText: String { isICMP ? source.description : Self.text(source, sourcePort) }
    var destinationText: String { isICMP ? destination.description : Self.text(destination, destinationPort) }
    /// `tcp`, `udp`, `ICMP echo id 8579` … for sentences about a flow.
    var protocolText: String {
        switch protocolNumber {
        case 6: "TCP"
        case 17: "UDP"
        case 1, 58: sourcePort != 0 ? "ICMP echo id \(sourcePort)" : "ICMP"
        default: "IP protocol \(protocolNumber)"
        }
    }
}
