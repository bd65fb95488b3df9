// OSPF packets (IP protocol 89): OSPFv2 (RFC 2328 appendix A.3) and OSPFv3
// (RFC 5340 appendix A.3). LSAs are in OSPFLSA.swift.
//
// OSPFv2 header (24 bytes):              OSPFv3 header (16 bytes):
// +--------+--------+-----------------+  +--------+--------+-----------------+
// |Version | Type   | Packet length   |  |Version | Type   | Packet length   |
// +--------+--------+-----------------+  +--------+--------+-----------------+
// |            Router ID              |  |            Router ID              |
// |            Area ID                |  |            Area ID                |
// | Checksum        | AuType          |  | Checksum        |Inst ID | 0      |
// |        Authentication (8)         |  +-----------------------------------+
// +-----------------------------------+
//
// Hello v2: | Network Mask (4) | HelloInterval (2) | Options (1) | Rtr Pri (1) |
//           | RouterDeadInterval (4) | DR (4) | BDR (4) | Neighbor (4) … |
// Hello v3: | Interface ID (4) | Rtr Pri (1) | Options (3) | HelloInterval (2) |
//           | RouterDeadInterval (2) | DR (4) | BDR (4) | Neighbor (4) … |
// DBD v2:   | Interface MTU (2) | Options (1) | 0|0|0|0|0|I|M|MS (1) | DD sequence (4) | LSA headers … |
// DBD v3:   | 0 (1) | Options (3) | Interface MTU (2) | 0 (1) | flags (1) | DD sequence (4) | LSA headers … |
// LSR v2:   | LS type (4) | Link State ID (4) | Advertising Router (4) | …
// LSR v3:   | 0 (2) | LS type (2) | Link State ID (4) | Advertising Router (4) | …
// LSU:      | # LSAs (4) | LSAs … |
// LSAck:    | LSA headers … |

/// OSPF packet types (the same numbers in v2 and v3).
public struct OSPFPacketType: RawRepresentable, Hashable, Sendable, BitwiseCopyable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let hello = OSPFPacketType(rawValue: 1)
    public static let databaseDescription = OSPFPacketType(rawValue: 2)
    public static let linkStateRequest = OSPFPacketType(rawValue: 3)
    public static let linkStateUpdate = OSPFPacketType(rawValue: 4)
    public static let linkStateAck = OSPFPacketType(rawValue: 5)

    /// `Hello`, `DB Description`, … as tshark names them; nil for an unknown type.
    public var name: StaticString? {
        switch rawValue {
        case 1: "Hello"
        case 2: "DB Description"
        case 3: "LS Request"
        case 4: "LS Update"
        case 5: "LS Acknowledge"
        default: nil
        }
    }
}

/// The OSPF common header (v2 or v3).
public struct OSPFHeader: Sendable, BitwiseCopyable, Equatable {
    public var offset: Int
    /// 2 or 3.
    public var version: UInt8
    public var type: OSPFPacketType
    /// The Packet length field.
    public var packetLength: Int
    public var routerID: IPv4Address
    public var areaID: IPv4Address
    public var checksum: UInt16
    /// OSPFv2 AuType (0 null, 1 simple password, 2 cryptographic); 0 for v3.
    public var authType: UInt16
    /// OSPFv3 Instance ID; 0 for v2.
    public var instanceID: UInt8
    /// 24 for v2, 16 for v3.
    public var headerLength: Int
    /// Where the body ends: the packet length, or less when the capture is cut.
    public var end: Int
    public var bodyOffset: Int { offset + headerLength }

    /// Reads the header at `offset`; `limit` is the end of the IP payload that was captured.
    /// Only the header must be there: the body walkers check against `end`.
    public static func parse(_ s: borrowing RawSpan, at offset: Int, limit: Int) throws(DecodeStop) -> OSPFHeader {
        let limit = min(limit, s.byteCount)
        try s.require(1, at: offset, .ospf)
        // In bounds: 1 byte checked above.
        let version = s.u8(offset)
        guard version == 2 || version == 3 else { throw DecodeStop(.ospf, at: offset, .badVersion(version)) }
        let hlen = version == 2 ? 24 : 16
        guard offset + hlen <= limit else {
            throw DecodeStop(.ospf, at: offset, .truncated(needed: hlen, available: max(0, limit - offset)))
        }
        // In bounds: hlen bytes checked above.
        let plen = Int(s.u16(offset + 2))
        guard plen >= hlen else { throw DecodeStop(.ospf, at: offset, .badLength(field: UInt32(plen))) }
        return OSPFHeader(
            offset: offset, version: version, type: OSPFPacketType(rawValue: s.u8(offset + 1)), packetLength: plen,
            routerID: IPv4Address(rawValue: s.u32(offset + 4)), areaID: IPv4Address(rawValue: s.u32(offset + 8)),
            checksum: s.u16(offset + 12), authType: version == 2 ? s.u16(offset + 14) : 0,
            instanceID: version == 3 ? s.u8(offset + 14) : 0, headerLength: hlen,
            end: min(offset + plen, limit))
    }

    /// Throws `.truncated` unless `count` bytes at `at` lie inside the packet as captured.
    func require(_ count: Int, at: Int) throws(DecodeStop) {
        guard at >= offset, count >= 0, at + count <= end else {
            throw DecodeStop(.ospf, at: at, .truncated(needed: count, available: max(0, end - at)))
        }
    }
}

/// A Hello packet's fields; the neighbours are walked with `neighbors()`.
public struct OSPFHello: Sendable, BitwiseCopyable, Equatable {
    /// OSPFv2 network mask; nil for v3.
    public var networkMask: IPv4Address?
    /// OSPFv3 interface id; 0 for v2.
    public var interfaceID: UInt32
    public var helloInterval: UInt16
    public var deadInterval: UInt32
    public var options: UInt32
    public var priority: UInt8
    public var designatedRouter: IPv4Address
    public var backupDesignatedRouter: IPv4Address
    public var neighborsOffset: Int
    public var neighborsEnd: Int
    public var neighborCount: Int { (neighborsEnd - neighborsOffset) / 4 }

    public static func parse(_ s: borrowing RawSpan, _ h: OSPFHeader) throws(DecodeStop) -> OSPFHello {
        let b = h.bodyOffset
        try h.require(20, at: b)
        // In bounds: 20 bytes checked above.
        var hello: OSPFHello
        if h.version == 2 {
            hello = OSPFHello(
                networkMask: IPv4Address(rawValue: s.u32(b)), interfaceID: 0, helloInterval: s.u16(b + 4),
                deadInterval: s.u32(b + 8), options: UInt32(s.u8(b + 6)), priority: s.u8(b + 7),
                designatedRouter: IPv4Address(rawValue: s.u32(b + 12)),
                backupDesignatedRouter: IPv4Address(rawValue: s.u32(b + 16)), neighborsOffset: b + 20, neighborsEnd: 0)
        } else {
            hello = OSPFHello(
                networkMask: nil, interfaceID: s.u32(b), helloInterval: s.u16(b + 8),
                deadInterval: UInt32(s.u16(b + 10)), options: s.u24(b + 5), priority: s.u8(b + 4),
                designatedRouter: IPv4Address(rawValue: s.u32(b + 12)),
                backupDesignatedRouter: IPv4Address(rawValue: s.u32(b + 16)), neighborsOffset: b + 20, neighborsEnd: 0)
        }
        hello.neighborsEnd = hello.neighborsOffset + (h.end - hello.neighborsOffset) / 4 * 4
        return hello
    }

    /// Visits each neighbour's router id.
    public func forEachNeighbor(in s: borrowing RawSpan, _ body: (IPv4Address) -> Void) {
        var i = neighborsOffset
        // In bounds: neighborsEnd is inside the captured packet (parse) and a multiple of 4 after the start.
        while i + 4 <= neighborsEnd { body(IPv4Address(rawValue: s.u32(i))); i += 4 }
    }
}

/// Database Description flags.
public struct OSPFDatabaseDescriptionFlags: OptionSet, Sendable, BitwiseCopyable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let master = OSPFDatabaseDescriptionFlags(rawValue: 1)
    public static let more = OSPFDatabaseDescriptionFlags(rawValue: 2)
    public static let initial = OSPFDatabaseDescriptionFlags(rawValue: 4)
}

/// A Database Description packet's fields; its LSA headers are walked with `lsaHeaders()`.
public struct OSPFDatabaseDescription: Sendable, BitwiseCopyable, Equatable {
    public var interfaceMTU: UInt16
    public var options: UInt32
    public var flags: OSPFDatabaseDescriptionFlags
    public var sequence: UInt32
    public var headersOffset: Int
    public var end: Int
    public var version: UInt8

    public static func parse(_ s: borrowing RawSpan, _ h: OSPFHeader) throws(DecodeStop) -> OSPFDatabaseDescription {
        let b = h.bodyOffset
        if h.version == 2 {
            try h.require(8, at: b)
            // In bounds: 8 bytes checked above.
            return OSPFDatabaseDescription(
                interfaceMTU: s.u16(b), options: UInt32(s.u8(b + 2)),
                flags: OSPFDatabaseDescriptionFlags(rawValue: s.u8(b + 3) & 7), sequence: s.u32(b + 4),
                headersOffset: b + 8, end: h.end, version: 2)
        }
        try h.require(12, at: b)
        // In bounds: 12 bytes checked above.
        return OSPFDatabaseDescription(
            interfaceMTU: s.u16(b + 4), options: s.u24(b + 1),
            flags: OSPFDatabaseDescriptionFlags(rawValue: s.u8(b + 7) & 7), sequence: s.u32(b + 8),
            headersOffset: b + 12, end: h.end, version: 3)
    }

    public func lsaHeaders() -> OSPFLSACursor {
        OSPFLSACursor(offset: headersOffset, end: end, version: version, count: nil, headersOnly: true)
    }
}

/// One entry of a Link State Request.
public struct OSPFLinkStateRequest: Sendable, BitwiseCopyable, Equatable {
    public var type: UInt16
    public var linkStateID: IPv4Address
    public var advertisingRouter: IPv4Address
}

/// Walks the entries of a Link State Request (12 bytes each).
public struct OSPFLinkStateRequestCursor: Sendable, BitwiseCopyable {
    var offset: Int
    let end: Int
    let version: UInt8

    public init(_ h: OSPFHeader) {
        offset = h.bodyOffset; end = h.end; version = h.version
    }

    public mutating func next(_ s: borrowing RawSpan) throws(DecodeStop) -> OSPFLinkStateRequest? {
        guard offset < end else { return nil }
        guard offset + 12 <= end else {
            throw DecodeStop(.ospf, at: offset, .truncated(needed: 12, available: end - offset))
        }
        // In bounds: 12 bytes checked above.
        let type = version == 2 ? UInt16(truncatingIfNeeded: s.u32(offset)) : s.u16(offset + 2)
        let r = OSPFLinkStateRequest(type: type, linkStateID: IPv4Address(rawValue: s.u32(offset + 4)),
                                     advertisingRouter: IPv4Address(rawValue: s.u32(offset + 8)))
        offset += 12
        return r
    }
}

/// OSPF packets as a whole: the cursor over the LSAs of an update or acknowledgement.
public enum OSPFPacket {
    /// The LSAs of a Link State Update: the count is read and each LSA's length is validated.
    public static func updateLSAs(_ s: borrowing RawSpan, _ h: OSPFHeader) throws(DecodeStop) -> OSPFLSACursor {
        try h.require(4, at: h.bodyOffset)
        // In bounds: 4 bytes checked above.
        let count = Int(s.u32(h.bodyOffset))
        return OSPFLSACursor(offset: h.bodyOffset + 4, end: h.end, version: h.version, count: count, headersOnly: false)
    }

    /// The LSA headers of a Link State Acknowledgment.
    public static func acknowledgedLSAs(_ h: OSPFHeader) -> OSPFLSACursor {
        OSPFLSACursor(offset: h.bodyOffset, end: h.end, version: h.version, count: nil, headersOnly: true)
    }
}
