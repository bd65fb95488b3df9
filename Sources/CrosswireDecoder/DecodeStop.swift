// Where and why decoding of a packet stopped.

/// A protocol layer the decoder knows, as recorded in a packet's layer list.
public enum Layer: UInt8, Sendable, CustomStringConvertible, CaseIterable, BitwiseCopyable {
    case null, linuxSLL, linuxSLL2, ethernet, vlan, llc, arp
    case ipv4, ipv6, ipv6HopByHop, ipv6Routing, ipv6Fragment, ipv6DestinationOptions, ipv6AH
    case icmp, icmpv6, udp, tcp, sctp, esp
    case vxlan, vxlanGPE, nsh, geneve, gre, erspan, wccp, ciscoMetaData
    case bgp, ospf
    case payload

    public var description: String {
        switch self {
        case .null: "null"
        case .linuxSLL: "sll"
        case .linuxSLL2: "sll2"
        case .ethernet: "eth"
        case .vlan: "vlan"
        case .llc: "llc"
        case .arp: "arp"
        case .ipv4: "ip"
        case .ipv6: "ipv6"
        case .ipv6HopByHop: "ipv6.hopopts"
        case .ipv6Routing: "ipv6.routing"
        case .ipv6Fragment: "ipv6.fraghdr"
        case .ipv6DestinationOptions: "ipv6.dstopts"
        case .ipv6AH: "ah"
        case .icmp: "icmp"
        case .icmpv6: "icmpv6"
        case .udp: "udp"
        case .tcp: "tcp"
        case .sctp: "sctp"
        case .esp: "esp"
        case .vxlan: "vxlan"
        case .vxlanGPE: "vxlan-gpe"
        case .nsh: "nsh"
        case .ciscoMetaData: "cmd"
        case .geneve: "geneve"
        case .gre: "gre"
        case .erspan: "erspan"
        case .wccp: "wccp"
        case .bgp: "bgp"
        case .ospf: "ospf"
        case .payload: "data"
        }
    }
}

/// Why decoding stopped before the end of a packet.
public enum StopReason: Equatable, Sendable, BitwiseCopyable {
    /// The captured bytes end before the header does (`needed` bytes from the
    /// layer's start, `available` captured). Cut by the snapshot length when
    /// the packet's original length was larger than what was captured.
    case truncated(needed: Int, available: Int)
    /// A length field points outside the packet or below the header's minimum.
    case badLength(field: UInt32)
    /// The version field holds a value the protocol does not define.
    case badVersion(UInt8)
    /// A header field holds a value that makes the header invalid.
    case badField(UInt32)
    /// The next protocol is one this decoder does not decode (the number: an
    /// EtherType, IP protocol or link type). Not a fault of the packet.
    case unsupported(UInt32)
    /// More nested encapsulations than the decoder keeps.
    case tooDeep
}

/// The place where decoding stopped: the layer that could not be decoded,
/// its offset in the frame, and why.
public struct DecodeStop: Error, Equatable, Sendable, BitwiseCopyable, CustomStringConvertible {
    public var layer: Layer
    public var offset: Int
    public var reason: StopReason

    public init(_ layer: Layer, at offset: Int, _ reason: StopReason) {
        self.layer = layer; self.offset = offset; self.reason = reason
    }

    /// True when the stop marks a malformed or cut packet rather than a protocol the decoder does not cover.
    public var isMalformed: Bool {
        if case .unsupported = reason { return false }
        return true
    }

    /// `ip at byte 14: bad length field 4`, and so on.
    public var description: String {
        var text: [UInt8] = []
        write(to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends `description` without making a `String`: the per-packet output
    /// paths (text, `-T fields`, JSON) print it for every stopped packet.
    public func write(to out: inout [UInt8]) {
        out.append(contentsOf: layer.description.utf8)
        append(" at byte ", &out); writeSigned(offset, &out)
        switch reason {
        case .truncated(let needed, let available):
            append(": truncated (needs ", &out); writeSigned(needed, &out)
            append(" bytes, ", &out); writeSigned(available, &out); append(" captured)", &out)
        case .badLength(let v): append(": bad length field ", &out); writeDecimal(UInt64(v), to: &out)
        case .badVersion(let v): append(": bad version ", &out); writeDecimal(UInt64(v), to: &out)
        case .badField(let v): append(": invalid header field value ", &out); writeDecimal(UInt64(v), to: &out)
        case .unsupported(let v):
            append(": next protocol 0x", &out); writeHex(UInt64(v), to: &out); append(" not decoded", &out)
        case .tooDeep: append(": too many nested encapsulations", &out)
        }
    }

    private func writeSigned(_ v: Int, _ out: inout [UInt8]) {
        if v < 0 { out.append(UInt8(ascii: "-")) }
        writeDecimal(UInt64(v.magnitude), to: &out)
    }
}

extension RawSpan {
    /// Throws `.truncated` unless `count` bytes from `offset` are captured.
    @inline(__always)
    func require(_ count: Int, at offset: Int, _ layer: Layer) throws(DecodeStop) {
        guard has(count, at: offset) else {
            throw DecodeStop(layer, at: offset, .truncated(needed: count, available: Swift.max(0, byteCount - offset)))
        }
    }
}

/// Appends the UTF-8 bytes of a static string (this module's stop texts; the text
/// forms of `decode` have their own copy in CrosswireDecoderText).
@inline(__always) func append(_ s: StaticString, _ out: inout [UInt8]) {
    s.withUTF8Buffer { out.append(contentsOf: $0) }
}
