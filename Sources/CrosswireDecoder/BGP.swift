// BGP-4 (RFC 4271): the message header, OPEN with its optional parameters
// and capabilities, NOTIFICATION, KEEPALIVE and ROUTE-REFRESH. UPDATE is in
// BGPUpdate.swift, TCP stream reassembly in TCPByteStream.swift, message framing in BGPMessageFramer.swift.
//
// Message header (RFC 4271 §4.1):
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                                                               |
// +                                                               +
// |                           Marker (16 × 0xFF)                  |
// +                                                               +
// |                                                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |          Length               |      Type     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// OPEN (RFC 4271 §4.2, RFC 9072 extended optional parameters):
// +-+-+-+-+-+-+-+-+
// |    Version    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     My Autonomous System      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |           Hold Time           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                         BGP Identifier                        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Opt Parm Len  |  Optional Parameters (Type 1, Length 1, Value) …
// +-+-+-+-+-+-+-+-+
//   RFC 9072: Opt Parm Len = 255 and a first parameter type of 255 mean
//   "extended": a 2-byte length follows, and every parameter has a 2-byte length.
//
// Capability (RFC 5492), inside optional parameter type 2:
// | Code (1) | Length (1) | Value (Length) |
//
// NOTIFICATION (§4.5): | Error code (1) | Error subcode (1) | Data … |
// ROUTE-REFRESH (RFC 2918, RFC 7313): | AFI (2) | Subtype (1) | SAFI (1) |

/// A BGP message type (an unknown type is a value, not an error).
public struct BGPMessageType: RawRepresentable, Hashable, Sendable, BitwiseCopyable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let open = BGPMessageType(rawValue: 1)
    public static let update = BGPMessageType(rawValue: 2)
    public static let notification = BGPMessageType(rawValue: 3)
    public static let keepalive = BGPMessageType(rawValue: 4)
    public static let routeRefresh = BGPMessageType(rawValue: 5)

    /// `OPEN`, `UPDATE` … as tcpdump and tshark print them; nil for an unknown type.
    public var name: StaticString? {
        switch rawValue {
        case 1: "OPEN"
        case 2: "UPDATE"
        case 3: "NOTIFICATION"
        case 4: "KEEPALIVE"
        case 5: "ROUTE-REFRESH"
        default: nil
        }
    }
}

/// Address family identifiers (IANA) the decoder interprets.
public enum BGPAFI {
    public static let ipv4: UInt16 = 1
    public static let ipv6: UInt16 = 2
}

/// Subsequent address family identifiers (IANA) the decoder interprets.
public enum BGPSAFI {
    public static let unicast: UInt8 = 1
    public static let multicast: UInt8 = 2
}

/// The BGP message header.
public struct BGPHeader: Sendable, BitwiseCopyable {
    public static let length = 19
    /// The largest message of RFC 4271; larger ones need the Extended Message capability (RFC 8654, ≤ 65535).
    public static let maximumStandardLength = 4096
    /// Offset of the marker in the frame or stream buffer.
    public var offset: Int
    /// The Length field: the whole message, header included.
    public var length: Int
    public var type: BGPMessageType

    /// Offset of the message body (after the 19-byte header).
    public var bodyOffset: Int { offset + BGPHeader.length }
    public var bodyLength: Int { length - BGPHeader.length }
    public var end: Int { offset + length }

    /// True when the 16 bytes at `offset` are all 0xFF. The caller has validated `offset + 16 <= byteCount`.
    @inline(__always)
    static func hasMarker(_ s: borrowing RawSpan, at offset: Int) -> Bool {
        s.u64(offset) == ~0 && s.u64(offset + 8) == ~0
    }

    /// True when a plausible BGP header starts at `offset`: the marker, a length of at
    /// least 19 and a defined message type (1–5). Used to resynchronise a stream.
    public static func looksLikeHeader(_ s: borrowing RawSpan, at offset: Int) -> Bool {
        guard s.has(length, at: offset) else { return false }
        // In bounds: 19 bytes checked above.
        let type = s.u8(offset + 18)
        return hasMarker(s, at: offset) && Int(s.u16(offset + 16)) >= length && type >= 1 && type <= 5
    }

    /// Reads and validates the header at `offset`: the marker, Length ≥ 19 and
    /// the whole message captured, and the minimum length of the known types.
    public static func parse(_ s: borrowing RawSpan, at offset: Int) throws(DecodeStop) -> BGPHeader {
        try s.require(length, at: offset, .bgp)
        // In bounds: 19 bytes checked above.
        guard hasMarker(s, at: offset) else { throw DecodeStop(.bgp, at: offset, .badField(0)) }
        let len = Int(s.u16(offset + 16))
        let type = BGPMessageType(rawValue: s.u8(offset + 18))
        guard len >= length else { throw DecodeStop(.bgp, at: offset, .badLength(field: UInt32(len))) }
        try s.require(len, at: offset, .bgp)
        let minimum: Int
        switch type {
        case .open: minimum = 29
        case .update: minimum = 23
        case .notification: minimum = 21
        case .keepalive: minimum = 19
        case .routeRefresh: minimum = 23
        default: minimum = 19
        }
        guard len >= minimum else { throw DecodeStop(.bgp, at: offset, .badLength(field: UInt32(len))) }
        return BGPHeader(offset: offset, length: len, type: type)
    }
}

// MARK: - OPEN

/// The fixed part of an OPEN message; capabilities are walked with `BGPCapabilityCursor`.
public struct BGPOpen: Sendable, BitwiseCopyable {
    public var version: UInt8
    /// My Autonomous System (2 bytes; `AS_TRANS` 23456 when the real AS is in the 4-byte AS capability).
    public var myAS: UInt16
    public var holdTime: UInt16
    public var identifier: IPv4Address
    /// True for the RFC 9072 extended optional-parameters form (2-byte lengths).
    public var extendedParameters: Bool
    /// Where the optional parameters start and end.
    public var parametersOffset: Int
    public var parametersEnd: Int

    /// Reads and validates the OPEN body of the message `h`: the optional
    /// parameters' total length must fit in the message.
    public static func parse(_ s: borrowing RawSpan, _ h: BGPHeader) throws(DecodeStop) -> BGPOpen {
        let b = h.bodyOffset
        // In bounds: BGPHeader.parse validated length ≥ 29 (19 + 10) and the whole message captured.
        var open = BGPOpen(
            version: s.u8(b), myAS: s.u16(b + 1), holdTime: s.u16(b + 3),
            identifier: IPv4Address(rawValue: s.u32(b + 5)), extendedParameters: false,
            parametersOffset: b + 10, parametersEnd: b + 10)
        var plen = Int(s.u8(b + 9))
        if plen == 255, h.end - (b + 10) >= 3, s.u8(b + 10) == 255 {
            // RFC 9072; in bounds: 3 bytes checked just above.
            open.extendedParameters = true
            plen = Int(s.u16(b + 11))
            open.parametersOffset = b + 13
        }
        guard open.parametersOffset + plen <= h.end else {
            throw DecodeStop(.bgp, at: b + 9, .badLength(field: UInt32(plen)))
        }
        open.parametersEnd = open.parametersOffset + plen
        return open
    }
}

/// BGP capability codes (IANA) the decoder knows by name.
public enum BGPCapabilityCode {
    public static let multiprotocol: UInt8 = 1
    public static let routeRefresh: UInt8 = 2
    public static let extendedNextHop: UInt8 = 5
    public static let extendedMessage: UInt8 = 6
    public static let role: UInt8 = 9
    public static let gracefulRestart: UInt8 = 64
    public static let fourOctetAS: UInt8 = 65
    public static let addPath: UInt8 = 69
    public static let enhancedRouteRefresh: UInt8 = 70
    public static let ciscoRouteRefresh: UInt8 = 128
}

/// One capability of an OPEN: its code and where its value lies. Its value is
/// inside the message (validated by the cursor), so the accessors cannot fail.
public struct BGPCapability: Sendable, BitwiseCopyable {
    public var code: UInt8
    public var valueOffset: Int
    public var length: Int

    /// AFI and SAFI of a Multiprotocol capability (code 1, 4 bytes), else nil.
    public func multiprotocol(in s: borrowing RawSpan) -> (afi: UInt16, safi: UInt8)? {
        guard code == BGPCapabilityCode.multiprotocol, length >= 4 else { return nil }
        // In bounds: the cursor validated `length` bytes at valueOffset.
        return (s.u16(valueOffset), s.u8(valueOffset + 3))
    }

    /// The AS of a 4-octet AS capability (code 65, RFC 6793), else nil.
    public func fourOctetAS(in s: borrowing RawSpan) -> UInt32? {
        guard code == BGPCapabilityCode.fourOctetAS, length >= 4 else { return nil }
        // In bounds: the cursor validated `length` ≥ 4 bytes at valueOffset.
        return s.u32(valueOffset)
    }

    /// Restart flags and time of a Graceful Restart capability (code 64, RFC 4724), else nil.
    public func gracefulRestart(in s: borrowing RawSpan) -> (flags: UInt8, time: UInt16)? {
        guard code == BGPCapabilityCode.gracefulRestart, length >= 2 else { return nil }
        // In bounds: the cursor validated `length` ≥ 2 bytes at valueOffset.
        let word = s.u16(valueOffset)
        return (UInt8(word >> 12), word & 0x0FFF)
    }

    /// Visits the (AFI, SAFI, send/receive) entries of an ADD-PATH capability
    /// (code 69, RFC 7911); send/receive is 1 receive, 2 send, 3 both.
    public func forEachAddPath(in s: borrowing RawSpan, _ body: (_ afi: UInt16, _ safi: UInt8, _ mode: UInt8) -> Void) {
        guard code == BGPCapabilityCode.addPath else { return }
        var i = valueOffset
        while i + 4 <= valueOffset + length {
            // In bounds: i + 4 ≤ the validated value end.
            body(s.u16(i), s.u8(i + 2), s.u8(i + 3))
            i += 4
        }
    }

    /// The capability's name (IANA registry), or nil when unknown.
    public var name: StaticString? {
        switch code {
        case 1: "Multiprotocol"
        case 2: "Route Refresh"
        case 3: "Outbound Route Filtering"
        case 5: "Extended Next Hop Encoding"
        case 6: "Extended Message"
        case 7: "BGPsec"
        case 8: "Multiple Labels"
        case 9: "BGP Role"
        case 64: "Graceful Restart"
        case 65: "4-octet AS"
        case 69: "ADD-PATH"
        case 70: "Enhanced Route Refresh"
        case 71: "Long-Lived Graceful Restart"
        case 73: "FQDN"
        case 128: "Route Refresh (Cisco)"
        default: nil
        }
    }
}

/// Walks the capabilities of an OPEN's optional parameters (those of type 2),
/// skipping parameters of other types. Each call validates the next
/// parameter's and capability's lengths before reading them, and advances by
/// at least 2 bytes, so the walk ends.
public struct BGPCapabilityCursor: Sendable, BitwiseCopyable {
    var parameterOffset: Int
    let parametersEnd: Int
    let extended: Bool
    /// Inside a capabilities parameter: the next capability and the parameter's end (0 when outside).
    var capabilityOffset: Int = 0
    var capabilityEnd: Int = 0

    public init(_ open: BGPOpen) {
        parameterOffset = open.parametersOffset
        parametersEnd = open.parametersEnd
        extended = open.extendedParameters
    }

    /// The next capability, nil at the end; throws when a length overruns its container.
    public mutating func next(_ s: borrowing RawSpan) throws(DecodeStop) -> BGPCapability? {
        while true {
            if capabilityOffset < capabilityEnd {
                guard capabilityOffset + 2 <= capabilityEnd else {
                    throw DecodeStop(.bgp, at: capabilityOffset, .badLength(field: UInt32(capabilityEnd - capabilityOffset)))
                }
                // In bounds: 2 bytes checked above, inside the validated parameter.
                let code = s.u8(capabilityOffset), len = Int(s.u8(capabilityOffset + 1))
                guard capabilityOffset + 2 + len <= capabilityEnd else {
                    throw DecodeStop(.bgp, at: capabilityOffset, .badLength(field: UInt32(len)))
                }
                let c = BGPCapability(code: code, valueOffset: capabilityOffset + 2, length: len)
                capabilityOffset += 2 + len
                return c
            }
            guard parameterOffset < parametersEnd else { return nil }
            let headerLength = extended ? 3 : 2
            guard parameterOffset + headerLength <= parametersEnd else {
                throw DecodeStop(.bgp, at: parameterOffset, .badLength(field: UInt32(parametersEnd - parameterOffset)))
            }
            // In bounds: the parameter header checked above, inside the validated parameters.
            let type = s.u8(parameterOffset)
            let len = extended ? Int(s.u16(parameterOffset + 1)) : Int(s.u8(parameterOffset + 1))
            let value = parameterOffset + headerLength
            guard value + len <= parametersEnd else {
                throw DecodeStop(.bgp, at: parameterOffset, .badLength(field: UInt32(len)))
            }
            parameterOffset = value + len
            if type == 2 {
                capabilityOffset = value
                capabilityEnd = value + len
            }
        }
    }
}

/// What an OPEN announces that later decoding and the checks need.
public struct BGPCapabilitySet: OptionSet, Sendable, BitwiseCopyable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let ipv4Unicast = BGPCapabilitySet(rawValue: 1 << 0)
    public static let ipv6Unicast = BGPCapabilitySet(rawValue: 1 << 1)
    public static let otherMultiprotocol = BGPCapabilitySet(rawValue: 1 << 2)
    public static let routeRefresh = BGPCapabilitySet(rawValue: 1 << 3)
    public static let enhancedRouteRefresh = BGPCapabilitySet(rawValue: 1 << 4)
    public static let fourOctetAS = BGPCapabilitySet(rawValue: 1 << 5)
    public static let gracefulRestart = BGPCapabilitySet(rawValue: 1 << 6)
    public static let extendedMessage = BGPCapabilitySet(rawValue: 1 << 7)
    public static let role = BGPCapabilitySet(rawValue: 1 << 8)
    public static let addPath = BGPCapabilitySet(rawValue: 1 << 9)
    /// ADD-PATH for IPv4/IPv6 unicast: this speaker can send / wants to receive path ids.
    public static let addPathIPv4Send = BGPCapabilitySet(rawValue: 1 << 10)
    public static let addPathIPv4Receive = BGPCapabilitySet(rawValue: 1 << 11)
    public static let addPathIPv6Send = BGPCapabilitySet(rawValue: 1 << 12)
    public static let addPathIPv6Receive = BGPCapabilitySet(rawValue: 1 << 13)
    /// Any capability not listed above.
    public static let other = BGPCapabilitySet(rawValue: 1 << 31)
}

/// An OPEN in a few integers: what the checks compare with the plan.
public struct BGPOpenSummary: Sendable, BitwiseCopyable, Equatable {
    public var version: UInt8
    /// The speaker's AS: the 4-octet AS capability's value when present, else My Autonomous System.
    public var asn: UInt32
    public var holdTime: UInt16
    public var identifier: IPv4Address
    public var capabilities: BGPCapabilitySet
    public var capabilityCount: Int

    /// Reads an OPEN and walks all its capabilities.
    public static func parse(_ s: borrowing RawSpan, _ h: BGPHeader) throws(DecodeStop) -> BGPOpenSummary {
        let open = try BGPOpen.parse(s, h)
        var summary = BGPOpenSummary(
            version: open.version, asn: UInt32(open.myAS), holdTime: open.holdTime, identifier: open.identifier,
            capabilities: [], capabilityCount: 0)
        var cursor = BGPCapabilityCursor(open)
        while let c = try cursor.next(s) {
            summary.capabilityCount += 1
            switch c.code {
            case BGPCapabilityCode.multiprotocol:
                if let (afi, safi) = c.multiprotocol(in: s) {
                    if afi == BGPAFI.ipv4 && safi == BGPSAFI.unicast {
                        summary.capabilities.insert(.ipv4Unicast)
                    } else if afi == BGPAFI.ipv6 && safi == BGPSAFI.unicast {
                        summary.capabilities.insert(.ipv6Unicast)
                    } else {
                        summary.capabilities.insert(.otherMultiprotocol)
                    }
                }
            case BGPCapabilityCode.routeRefresh, BGPCapabilityCode.ciscoRouteRefresh:
                summary.capabilities.insert(.routeRefresh)
            case BGPCapabilityCode.enhancedRouteRefresh: summary.capabilities.insert(.enhancedRouteRefresh)
            case BGPCapabilityCode.fourOctetAS:
                if let asn = c.fourOctetAS(in: s) {
                    summary.capabilities.insert(.fourOctetAS)
                    summary.asn = asn
                }
            case BGPCapabilityCode.gracefulRestart: summary.capabilities.insert(.gracefulRestart)
            case BGPCapabilityCode.extendedMessage: summary.capabilities.insert(.extendedMessage)
            case BGPCapabilityCode.role: summary.capabilities.insert(.role)
            case BGPCapabilityCode.addPath:
                var set = summary.capabilities
                set.insert(.addPath)
                c.forEachAddPath(in: s) { afi, safi, mode in
                    guard safi == BGPSAFI.unicast else { return }
                    if afi == BGPAFI.ipv4 {
                        if mode & 2 != 0 { set.insert(.addPathIPv4Send) }
                        if mode & 1 != 0 { set.insert(.addPathIPv4Receive) }
                    } else if afi == BGPAFI.ipv6 {
                        if mode & 2 != 0 { set.insert(.addPathIPv6Send) }
                        if mode & 1 != 0 { set.insert(.addPathIPv6Receive) }
                    }
                }
                summary.capabilities = set
            default:
                summary.capabilities.insert(.other)
            }
        }
        return summary
    }
}

// MARK: - NOTIFICATION, ROUTE-REFRESH

/// A NOTIFICATION message (RFC 4271 §4.5).
public struct BGPNotification: Sendable, BitwiseCopyable, Equatable {
    public var code: UInt8
    public var subcode: UInt8
    /// Bytes of data after code and subcode.
    public var dataLength: Int
    public var dataOffset: Int

    public static func parse(_ s: borrowing RawSpan, _ h: BGPHeader) throws(DecodeStop) -> BGPNotification {
        // In bounds: BGPHeader.parse validated length ≥ 21 and the whole message captured.
        BGPNotification(code: s.u8(h.bodyOffset), subcode: s.u8(h.bodyOffset + 1),
                        dataLength: h.length - 21, dataOffset: h.bodyOffset + 2)
    }

    /// The error code's name (RFC 4271, RFC 6608, RFC 7313), or nil when unknown.
    public var codeName: StaticString? { BGPNotification.name(code: code) }
    /// The subcode's name, or nil when unknown.
    public var subcodeName: StaticString? { BGPNotification.name(code: code, subcode: subcode) }
    /// True for Cease (6): an administrative end of the session rather than an error.
    public var isCease: Bool { code == 6 }

    public static func name(code: UInt8) -> StaticString? {
        switch code {
        case 1: "Message Header Error"
        case 2: "OPEN Message Error"
        case 3: "UPDATE Message Error"
        case 4: "Hold Timer Expired"
        case 5: "Finite State Machine Error"
        case 6: "Cease"
        case 7: "ROUTE-REFRESH Message Error"
        default: nil
        }
    }

    public static func name(code: UInt8, subcode: UInt8) -> StaticString? {
        switch (code, subcode) {
        case (1, 1): "Connection Not Synchronized"
        case (1, 2): "Bad Message Length"
        case (1, 3): "Bad Message Type"
        case (2, 1): "Unsupported Version Number"
        case (2, 2): "Bad Peer AS"
        case (2, 3): "Bad BGP Identifier"
        case (2, 4): "Unsupported Optional Parameter"
        case (2, 5): "Authentication Failure"
        case (2, 6): "Unacceptable Hold Time"
        case (2, 7): "Unsupported Capability"
        case (2, 11): "Role Mismatch"
        case (3, 1): "Malformed Attribute List"
        case (3, 2): "Unrecognized Well-known Attribute"
        case (3, 3): "Missing Well-known Attribute"
        case (3, 4): "Attribute Flags Error"
        case (3, 5): "Attribute Length Error"
        case (3, 6): "Invalid ORIGIN Attribute"
        case (3, 7): "AS Routing Loop"
        case (3, 8): "Invalid NEXT_HOP Attribute"
        case (3, 9): "Optional Attribute Error"
        case (3, 10): "Invalid Network Field"
        case (3, 11): "Malformed AS_PATH"
        case (5, 0): "Unspecified Error"
        case (5, 1): "Receive Unexpected Message in OpenSent State"
        case (5, 2): "Receive Unexpected Message in OpenConfirm State"
        case (5, 3): "Receive Unexpected Message in Established State"
        case (6, 1): "Maximum Number of Prefixes Reached"
        case (6, 2): "Administrative Shutdown"
        case (6, 3): "Peer De-configured"
        case (6, 4): "Administrative Reset"
        case (6, 5): "Connection Rejected"
        case (6, 6): "Other Configuration Change"
        case (6, 7): "Connection Collision Resolution"
        case (6, 8): "Out of Resources"
        case (6, 9): "Hard Reset"
        case (6, 10): "BFD Down"
        case (7, 1): "Invalid Message Length"
        default: nil
        }
    }
}

/// A ROUTE-REFRESH message (RFC 2918; subtype from RFC 7313: 0 request, 1 BoRR, 2 EoRR).
public struct BGPRouteRefresh: Sendable, BitwiseCopyable, Equatable {
    public var afi: UInt16
    public var subtype: UInt8
    public var safi: UInt8

    public static func parse(_ s: borrowing RawSpan, _ h: BGPHeader) throws(DecodeStop) -> BGPRouteRefresh {
        // In bounds: BGPHeader.parse validated length ≥ 23 and the whole message captured.
        BGPRouteRefresh(afi: s.u16(h.bodyOffset), subtype: s.u8(h.bodyOffset + 2), safi: s.u8(h.bodyOffset + 3))
    }
}
