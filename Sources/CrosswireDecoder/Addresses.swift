// Addresses as plain integers: they are kept beyond a packet's lifetime,
// hashed into flow tables and compared, so they never hold bytes or strings.

/// A 48-bit Ethernet MAC address in the low bits of a `UInt64`.
public struct MACAddress: Hashable, Sendable, Comparable, BitwiseCopyable {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue & 0xFFFF_FFFF_FFFF }
    public static let zero = MACAddress(rawValue: 0)
    public static let broadcast = MACAddress(rawValue: 0xFFFF_FFFF_FFFF)
    /// True for group (multicast and broadcast) addresses: the I/G bit is set.
    public var isGroup: Bool { rawValue & 0x0100_0000_0000 != 0 }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// An IPv4 address in host byte order.
public struct IPv4Address: Hashable, Sendable, Comparable, BitwiseCopyable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        rawValue = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }
    public static let any = IPv4Address(rawValue: 0)
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// An IPv6 address as two 64-bit halves, most significant first.
public struct IPv6Address: Hashable, Sendable, Comparable, BitwiseCopyable {
    public var high: UInt64
    public var low: UInt64
    public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }
    public static let any = IPv6Address(high: 0, low: 0)
    public static func < (a: Self, b: Self) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

/// An IPv4 or IPv6 address.
public enum IPAddress: Hashable, Sendable, Comparable, BitwiseCopyable {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// True for IPv4.
    public var isV4: Bool { if case .v4 = self { true } else { false } }

    /// The address as a 128-bit value (IPv4 in the low 32 bits) with its width in bits.
    public var bits: (high: UInt64, low: UInt64, width: Int) {
        switch self {
        case .v4(let a): (0, UInt64(a.rawValue), 32)
        case .v6(let a): (a.high, a.low, 128)
        }
    }

    public static func < (a: Self, b: Self) -> Bool {
        let x = a.bits, y = b.bits
        return (x.width, x.high, x.low) < (y.width, y.high, y.low)
    }

    /// One word for IPv4, two for IPv6: the synthesised hash adds the case as a word of its
    /// own, and each word fed to SipHash costs about 30 instructions.
    public func hash(into h: inout Hasher) {
        switch self {
        case .v4(let a): h.combine(UInt64(a.rawValue) | 1 << 63)
        case .v6(let a): h.combine(a.high); h.combine(a.low)
        }
    }
}

/// An address prefix such as `192.168.10.0/24` or `fd00::/64`.
public struct IPPrefix: Hashable, Sendable, Comparable, BitwiseCopyable {
    /// The network address, with the host bits cleared.
    public let network: IPAddress
    /// The prefix length in bits.
    public let length: Int

    /// A prefix; host bits of `address` are cleared. Returns nil for a length out of range.
    public init?(address: IPAddress, length: Int) {
        let width = address.bits.width
        guard length >= 0, length <= width else { return nil }
        self.length = length
        switch address {
        case .v4(let a):
            let mask = IPPrefix.mask32(length)
            network = .v4(IPv4Address(rawValue: a.rawValue & mask))
        case .v6(let a):
            let (mh, ml) = IPPrefix.mask128(length)
            network = .v6(IPv6Address(high: a.high & mh, low: a.low & ml))
        }
    }

    /// The IPv4 netmask of a prefix length (0...32) as an integer.
    public static func mask32(_ length: Int) -> UInt32 { length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length) }

    static func mask128(_ length: Int) -> (UInt64, UInt64) {
        let mh: UInt64 = length >= 64 ? ~0 : (length == 0 ? 0 : ~UInt64(0) << UInt64(64 - length))
        let ml: UInt64 = length <= 64 ? 0 : (length >= 128 ? ~0 : ~UInt64(0) << UInt64(128 - length))
        return (mh, ml)
    }

    /// By network address, then length (IPv4 before IPv6).
    public static func < (a: IPPrefix, b: IPPrefix) -> Bool { (a.network, a.length) < (b.network, b.length) }

    /// True when `address` lies inside this prefix (same family only).
    public func contains(_ address: IPAddress) -> Bool {
        switch (network, address) {
        case (.v4(let n), .v4(let a)):
            let mask = IPPrefix.mask32(length)
            return a.rawValue & mask == n.rawValue
        case (.v6(let n), .v6(let a)):
            let (mh, ml) = IPPrefix.mask128(length)
            return a.high & mh == n.high && a.low & ml == n.low
        default:
            return false
        }
    }

    /// True when the two prefixes share at least one address.
    public func overlaps(_ other: IPPrefix) -> Bool {
        length <= other.length ? contains(other.network) : other.contains(network)
    }
}
