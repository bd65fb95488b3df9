// The Internet checksum (RFC 1071) over a frame's bytes, and the pseudo-headers
// of UDP and TCP (RFC 768, RFC 8200 §8.1): for judging the checksums a packet
// carries. Allocation-free; sums 32 bytes a round.

/// A one's-complement sum being built; `folded` is the 16-bit result.
public struct InternetChecksum: Sendable {
    private var sum: UInt64 = 0

    public init() {}

    @inlinable @inline(__always)
    static func addCarrying(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (r, o) = a.addingReportingOverflow(b)
        return r &+ (o ? 1 : 0)
    }

    /// Adds `count` bytes from `offset`, as big-endian 16-bit words counted from `offset`
    /// (an odd last byte is padded with zero). The caller has validated the range.
    public mutating func add(_ s: borrowing RawSpan, from offset: Int, count: Int) {
        var i = offset
        let end = offset + count
        // In the host's byte order, 32 bytes a round into two sums (no byte swaps, two carry
        // chains): a one's-complement sum is byte-order independent (RFC 1071 §2.B), so the
        // folded sum is swapped once. In bounds: i + 8 ≤ end, validated by the caller.
        var a: UInt64 = 0, b: UInt64 = 0
        func word(_ at: Int) -> UInt64 { s.unsafeLoadUnaligned(fromUncheckedByteOffset: at, as: UInt64.self) }
        while end &- i >= 32 {
            a = Self.addCarrying(a, word(i))
            b = Self.addCarrying(b, word(i &+ 8))
            a = Self.addCarrying(a, word(i &+ 16))
            b = Self.addCarrying(b, word(i &+ 24))
            i &+= 32
        }
        while end &- i >= 8 {
            a = Self.addCarrying(a, word(i))
            i &+= 8
        }
        sum = Self.addCarrying(sum, UInt64(UInt16(bigEndian: Self.fold(Self.addCarrying(a, b)))))
        while i + 2 <= end {
            sum = Self.addCarrying(sum, UInt64(s.u16(i)))
            i += 2
        }
        if i < end { sum = Self.addCarrying(sum, UInt64(s.u8(i)) << 8) }
    }

    /// Adds a value (any width: one's-complement sums fold every 16 bits alike).
    public mutating func add(_ v: UInt64) { sum = Self.addCarrying(sum, v) }

    /// Adds an address as a pseudo-header holds it.
    public mutating func add(_ a: IPAddress) {
        switch a {
        case .v4(let v4): add(UInt64(v4.rawValue))
        case .v6(let v6): add(v6.high); add(v6.low)
        }
    }

    /// The UDP/TCP pseudo-header: both addresses, the protocol and the transport length.
    public mutating func addPseudoHeader(source: IPAddress, destination: IPAddress, protocolNumber: UInt8, length: Int) {
        add(source); add(destination)
        add(UInt64(protocolNumber)); add(UInt64(UInt32(truncatingIfNeeded: length)))
    }

    /// The sum folded to 16 bits (not complemented): 0xFFFF over data that includes a right checksum.
    public var folded: UInt16 { Self.fold(sum) }

    /// A one's-complement sum of 64 bits folded to 16.
    @inlinable @inline(__always)
    static func fold(_ sum: UInt64) -> UInt16 {
        var x = (sum & 0xFFFF_FFFF) &+ (sum >> 32)
        x = (x & 0xFFFF) &+ (x >> 16)
        x = (x & 0xFFFF) &+ (x >> 16)
        x = (x & 0xFFFF) &+ (x >> 16)
        return UInt16(truncatingIfNeeded: x)
    }
}

/// What a checksum field says about its packet.
public enum ChecksumState: UInt8, Sendable, BitwiseCopyable {
    /// Right over the packet.
    case right
    /// Zero: UDP without a checksum (RFC 768; tunnels over IPv6, RFC 6935).
    case absent
    /// The pseudo-header's sum alone: the placeholder a sender leaves for checksum offload
    /// (`CHECKSUM_PARTIAL`), seen where the packet was captured before the NIC filled it in,
    /// or where a virtual NIC (veth, virtio) passed it on unfilled.
    case offloadPlaceholder
    case wrong

    /// Judges the UDP/TCP/ICMPv6 checksum of a transport segment of `length` bytes at `offset`,
    /// whose checksum field is at `offset + fieldOffset`. The caller has validated the range.
    /// `adjust` is added to the sum first: what a later fill-in inside the segment will add.
    public static func transport(
        _ s: borrowing RawSpan, at offset: Int, length: Int, fieldOffset: Int, source: IPAddress,
        destination: IPAddress, protocolNumber: UInt8, adjust: UInt16 = 0
    ) -> (state: ChecksumState, sum: UInt16) {
        var segment = InternetChecksum()
        segment.add(s, from: offset, count: length)
        return transport(
            field: s.u16(offset + fieldOffset), segmentSum: segment.folded, length: length, source: source,
            destination: destination, protocolNumber: protocolNumber, adjust: adjust)
    }

    /// The same, from the segment's own sum (`segmentSum`, its checksum field included), so that a
    /// segment inside another one is summed once.
    public static func transport(
        field: UInt16, segmentSum: UInt16, length: Int, source: IPAddress, destination: IPAddress,
        protocolNumber: UInt8, adjust: UInt16 = 0
    ) -> (state: ChecksumState, sum: UInt16) {
        var pseudo = InternetChecksum()
        pseudo.addPseudoHeader(source: source, destination: destination, protocolNumber: protocolNumber, length: length)
        var whole = pseudo
        whole.add(UInt64(segmentSum))
        let sum = whole.folded
        if protocolNumber == 17, field == 0 { return (.absent, sum) }
        var adjusted = whole
        adjusted.add(UInt64(adjust))
        if adjusted.folded == 0xFFFF { return (.right, sum) }
        return (field == pseudo.folded ? .offloadPlaceholder : .wrong, sum)
    }

    /// What filling in a placeholder adds to a sum over bytes that include it: the
    /// one's-complement negation of the segment's own sum (the fill-in makes that 0xFFFF).
    public static func fillIn(afterSum sum: UInt16) -> UInt16 { ~sum }

    /// Judges a checksum over `length` bytes with no pseudo-header (IPv4 header, ICMP).
    public static func plain(_ s: borrowing RawSpan, at offset: Int, length: Int) -> ChecksumState {
        var sum = InternetChecksum()
        sum.add(s, from: offset, count: length)
        return sum.folded == 0xFFFF ? .right : .wrong
    }

    /// Judges an IPv4 header's checksum (`length`: its header length); the caller has
    /// validated the range. Inlined, with the usual 20 bytes summed as three words: the
    /// header of every tunnelled IPv4 packet is judged.
    @inlinable
    public static func ipv4Header(_ s: borrowing RawSpan, at offset: Int, length: Int) -> ChecksumState {
        guard length == 20 else { return plain(s, at: offset, length: length) }
        // In the host's byte order, as `InternetChecksum.add` sums (RFC 1071 §2.B).
        var sum = InternetChecksum.addCarrying(
            s.unsafeLoadUnaligned(fromUncheckedByteOffset: offset, as: UInt64.self),
            s.unsafeLoadUnaligned(fromUncheckedByteOffset: offset &+ 8, as: UInt64.self))
        sum = InternetChecksum.addCarrying(sum, UInt64(s.unsafeLoadUnaligned(fromUncheckedByteOffset: offset &+ 16, as: UInt32.self)))
        return InternetChecksum.fold(sum) == 0xFFFF ? .right : .wrong
    }
}
