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
    /// Nine words, hashed in five independent pairs (`mum`): a chain of one multiply per word
    /// (KeyHasher) waited on each, which cost the analysers' thread about 50 ns a frame.
    static func of(_ p: PacketView, level i: Int, bytes: borrowing RawSpan) -> UInt64? {
        guard let ip = p.levels[i].ip, ip.fragmentOffset == 0 else { return nil }
        let t = p.levels[i].transport
        let identity = ip.version == 4 ? UInt64(ip.identification) : UInt64(ip.flowLabel)
        let header = UInt64(ip.version & 0xF) << 60 | UInt64(ip.protocolNumber) << 52 | (identity & 0xF_FFFF) << 32
            | UInt64(UInt32(truncatingIfNeeded: ip.totalLength))
        var transport: UInt64 = 0, kind = UInt64(t.kind.rawValue)
        switch t.kind {
        case .tcp:
            transport = UInt64(t.sequence) << 32 | UInt64(t.acknowledgement)
            kind |= UInt64(t.tcpFlags.rawValue) << 8
        case .udp:
            transport = UInt64(UInt32(truncatingIfNeeded: t.payloadLength))
        case .icmp, .icmpv6:
            // The identifier of an echo is rewritten by NAT; type, code and sequence are not.
            transport = UInt64(t.icmpType) << 24 | UInt64(t.icmpCode) << 16 | UInt64(t.icmpRest & 0xFFFF)
        case .none:
            break
        }
        // The transport payload's first bytes; with no transport, the IP payload's.
        let from = t.kind != .none ? t.payloadOffset : ip.offset + ip.headerLength
        let wanted = t.kind != .none ? min(payloadBytes, t.capturedPayloadLength) : payloadBytes
        let start = max(0, from), end = max(start, min(bytes.byteCount, from + wanted))
        let w = payload(bytes, start: start, end: end)
        return mum(header ^ 0xD5BA_A978_983B_6369, transport ^ 0xFE4F_5263_11D5_D725)
            ^ mum(kind | UInt64(end - start) << 32 ^ 0x456D_044B_C1F4_9415, w.0 ^ 0xDDC0_12F8_A786_5585)
            ^ mum(w.1 ^ 0x8B64_441C_516B_64AF, w.2 ^ 0xDE2B_A9C8_CF2E_D1DF)
            ^ mum(w.3 ^ 0x5926_363F_E6A1_1025, w.4 ^ 0xBC32_2BD5_6359_17D5)
            ^ mum(w.5 ^ 0x05FE_0288_3EC5_C2E3, 0xA222_643E_744A_D6F9)
    }

    /// Two words as one: the halves of their 128-bit product, xored (wyhash's mix).
    @inline(__always)
    static func mum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (high, low) = a.multipliedFullWidth(by: b)
        return high ^ low
    }

    /// Bytes `start..<end` of `bytes` (at most 48) as six words, zero past `end`.
    @inline(__always)
    static func payload(_ bytes: borrowing RawSpan, start: Int, end: Int) -> (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) {
        @inline(__always) func word(_ k: Int) -> UInt64 {
            let at = start &+ 8 &* k
            // In bounds: end ≤ byteCount.
            if at &+ 8 <= end { return bytes.unsafeLoadUnaligned(fromUncheckedByteOffset: at, as: UInt64.self) }
            var v: UInt64 = 0
            var j = at
            while j < end {
                v |= UInt64(bytes.unsafeLoad(fromUncheckedByteOffset: j, as: UInt8.self)) << (8 &* UInt64(j &- at))
                j &+= 1
            }
            return v
        }
        return (word(0), word(1), word(2), word(3), word(4), word(5))
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
