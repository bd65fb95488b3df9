// Reading big-endian integers out of a `RawSpan`.
//
// Every header view in this module validates its length once, in its
// initialiser, and then reads with the unchecked loads below. Each call site
// states why its offset is in bounds. Public and inlinable, so that analysers
// read what the decoder does not keep (ND options, payload bytes) the same way.

extension RawSpan {
    /// The byte at `offset`. The caller has validated `offset < byteCount`.
    @inlinable @inline(__always)
    public func u8(_ offset: Int) -> UInt8 {
        unsafeLoad(fromUncheckedByteOffset: offset, as: UInt8.self)
    }

    /// The big-endian 16-bit value at `offset`. The caller has validated `offset + 2 <= byteCount`.
    @inlinable @inline(__always)
    public func u16(_ offset: Int) -> UInt16 {
        UInt16(bigEndian: unsafeLoadUnaligned(fromUncheckedByteOffset: offset, as: UInt16.self))
    }

    /// The big-endian 24-bit value at `offset`. The caller has validated `offset + 3 <= byteCount`.
    @inlinable @inline(__always)
    public func u24(_ offset: Int) -> UInt32 {
        UInt32(u8(offset)) << 16 | UInt32(u8(offset + 1)) << 8 | UInt32(u8(offset + 2))
    }

    /// The big-endian 32-bit value at `offset`. The caller has validated `offset + 4 <= byteCount`.
    @inlinable @inline(__always)
    public func u32(_ offset: Int) -> UInt32 {
        UInt32(bigEndian: unsafeLoadUnaligned(fromUncheckedByteOffset: offset, as: UInt32.self))
    }

    /// The big-endian 64-bit value at `offset`. The caller has validated `offset + 8 <= byteCount`.
    @inlinable @inline(__always)
    public func u64(_ offset: Int) -> UInt64 {
        UInt64(bigEndian: unsafeLoadUnaligned(fromUncheckedByteOffset: offset, as: UInt64.self))
    }

    /// The 48-bit MAC address at `offset`. The caller has validated `offset + 6 <= byteCount`.
    @inlinable @inline(__always)
    public func mac(_ offset: Int) -> MACAddress {
        MACAddress(rawValue: UInt64(u16(offset)) << 32 | UInt64(u32(offset + 2)))
    }

    /// The IPv6 address at `offset`. The caller has validated `offset + 16 <= byteCount`.
    @inlinable @inline(__always)
    public func ipv6(_ offset: Int) -> IPv6Address {
        IPv6Address(high: u64(offset), low: u64(offset + 8))
    }

    /// True when `count` bytes starting at `offset` lie inside the span.
    @inlinable @inline(__always)
    public func has(_ count: Int, at offset: Int) -> Bool {
        offset >= 0 && count >= 0 && offset <= byteCount &- count
    }
}
