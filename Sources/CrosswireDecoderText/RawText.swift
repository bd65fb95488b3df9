// Numbers and addresses written at a cursor into memory the caller has
// made room for: no Array bounds, capacity or uniqueness checks per byte,
// and few branches (digit counts vary from value to value, and mispredicted
// branches cost more than the arithmetic). Some writers store a few bytes of
// scratch past the text, which the next write overwrites: the room made must
// cover them (`PacketField.maximumLength` does). The text is the same as
// AddressText's and `writeDecimal`'s (tested).

import CrosswireDecoder

/// A write position; every `put` advances it.
typealias Cursor = UnsafeMutablePointer<UInt8>

/// "00" "01" … "99".
@inline(__always) private var digitPairs: UnsafeRawPointer {
    UnsafeRawPointer(
        ("""
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """ as StaticString).utf8Start)
}

/// "00" "01" … "ff".
@inline(__always) private var hexPairs: UnsafeRawPointer {
    UnsafeRawPointer(
        ("""
        000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\
        202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f\
        404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f\
        606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f\
        808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f\
        a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf\
        c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf\
        e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff
        """ as StaticString).utf8Start)
}

/// Each byte's decimal text and a `.`, in 4 bytes ("0..." "10.." "255.").
@inline(__always) private var octets: UnsafeRawPointer {
    UnsafeRawPointer(
        ("""
        0...1...2...3...4...5...6...7...8...9...10..11..12..13..14..15..\
        16..17..18..19..20..21..22..23..24..25..26..27..28..29..30..31..\
        32..33..34..35..36..37..38..39..40..41..42..43..44..45..46..47..\
        48..49..50..51..52..53..54..55..56..57..58..59..60..61..62..63..\
        64..65..66..67..68..69..70..71..72..73..74..75..76..77..78..79..\
        80..81..82..83..84..85..86..87..88..89..90..91..92..93..94..95..\
        96..97..98..99..100.101.102.103.104.105.106.107.108.109.110.111.\
        112.113.114.115.116.117.118.119.120.121.122.123.124.125.126.127.\
        128.129.130.131.132.133.134.135.136.137.138.139.140.141.142.143.\
        144.145.146.147.148.149.150.151.152.153.154.155.156.157.158.159.\
        160.161.162.163.164.165.166.167.168.169.170.171.172.173.174.175.\
        176.177.178.179.180.181.182.183.184.185.186.187.188.189.190.191.\
        192.193.194.195.196.197.198.199.200.201.202.203.204.205.206.207.\
        208.209.210.211.212.213.214.215.216.217.218.219.220.221.222.223.\
        224.225.226.227.228.229.230.231.232.233.234.235.236.237.238.239.\
        240.241.242.243.244.245.246.247.248.249.250.251.252.253.254.255.
        """ as StaticString).utf8Start)
}

@inline(__always) private var hexDigits: UnsafePointer<UInt8> { ("0123456789abcdef" as StaticString).utf8Start }

@inline(__always) func put(_ byte: UInt8, _ p: inout Cursor) {
    p.pointee = byte
    p += 1
}

/// The two digits of `v` (0...99), first digit in the low byte.
@inline(__always) private func pair(_ v: UInt32) -> UInt64 {
    UInt64(digitPairs.loadUnaligned(fromByteOffset: 2 &* Int(v), as: UInt16.self).littleEndian)
}

/// `value` (below 100,000,000) in decimal. Branch-free: all eight digits are
/// made, the leading zeros shifted out, and eight bytes stored; the bytes
/// after the number are scratch that later writes overwrite.
@inline(__always) private func putDecimal8(_ value: UInt32, _ p: inout Cursor) {
    let high = value / 10000, low = value % 10000
    let digits = pair(high / 100) | pair(high % 100) << 16 | pair(low / 100) << 32 | pair(low % 100) << 48
    var n = 1
    n &+= value >= 10 ? 1 : 0
    n &+= value >= 100 ? 1 : 0
    n &+= value >= 1000 ? 1 : 0
    n &+= value >= 10000 ? 1 : 0
    n &+= value >= 100_000 ? 1 : 0
    n &+= value >= 1_000_000 ? 1 : 0
    n &+= value >= 10_000_000 ? 1 : 0
    UnsafeMutableRawPointer(p).storeBytes(of: (digits >> UInt64(8 &* (8 &- n))).littleEndian, as: UInt64.self)
    p += n
}

/// `value` in decimal (at most 5 bytes; 8 bytes are stored).
@inline(__always) func putDecimal(_ value: UInt16, _ p: inout Cursor) {
    putDecimal8(UInt32(value), &p)
}

/// `value` in decimal (at most 20 bytes; below 100,000,000, 8 bytes are stored).
@inline(__always) func putDecimal(_ value: UInt64, _ p: inout Cursor) {
    if value < 100_000_000 { putDecimal8(UInt32(truncatingIfNeeded: value), &p); return }
    var n = 9, t = value / 100_000_000
    while t >= 10 { t /= 10; n &+= 1 }
    var q = p + n, x = value
    while x > 0 {
        q -= 1
        q.pointee = UInt8(truncatingIfNeeded: x % 10) &+ 48
        x /= 10
    }
    p += n
}

/// A byte in decimal (at most 3 bytes). 4 bytes are stored: the digits, a
/// `.` and filler; the cursor stops after the digits, at the `.`.
@inline(__always) func putDecimal(_ v: UInt8, _ p: inout Cursor) {
    UnsafeMutableRawPointer(p).storeBytes(of: octets.loadUnaligned(fromByteOffset: 4 &* Int(v), as: UInt32.self), as: UInt32.self)
    p += 1 &+ (v >= 10 ? 1 : 0) &+ (v >= 100 ? 1 : 0)
}

/// `0x` and exactly `digits` (an even number) lowercase hex digits.
@inline(__always) func putHexFixed(_ value: UInt64, digits: Int, _ p: inout Cursor) {
    let hex = hexPairs
    p[0] = UInt8(ascii: "0")
    p[1] = UInt8(ascii: "x")
    var shift = UInt64(4 &* (digits &- 2))
    var i = 2
    while i < 2 &+ digits {
        let byte = Int(truncatingIfNeeded: value >> shift) & 0xFF
        UnsafeMutableRawPointer(p + i).storeBytes(of: hex.loadUnaligned(fromByteOffset: 2 &* byte, as: UInt16.self), as: UInt16.self)
        shift &-= 8
        i &+= 2
    }
    p += 2 &+ digits
}

/// A 16-bit group in lowercase hex without leading zeros.
@inline(__always) private func putHexGroup(_ g: UInt16, _ p: inout Cursor) {
    let hex = hexDigits
    var n = 1
    if g >= 0x1000 { n = 4 } else if g >= 0x100 { n = 3 } else if g >= 0x10 { n = 2 }
    var v = g
    var i = n
    while i > 0 {
        i &-= 1
        p[i] = hex[Int(v & 0xF)]
        v >>= 4
    }
    p += n
}

/// `02:42:c0:a8:38:77` (17 bytes, and 2 bytes of scratch after them).
@inline(__always) func put(_ a: MACAddress, _ p: inout Cursor) {
    let hex = hexPairs
    let raw = a.rawValue
    let out = UnsafeMutableRawPointer(p)
    for i in 0..<6 {
        let byte = Int(truncatingIfNeeded: raw >> UInt64(40 &- 8 &* i)) & 0xFF
        let chars = UInt32(hex.loadUnaligned(fromByteOffset: 2 &* byte, as: UInt16.self).littleEndian)
        out.storeBytes(of: (chars | UInt32(UInt8(ascii: ":")) << 16).littleEndian, toByteOffset: 3 &* i, as: UInt32.self)
    }
    p += 17
}

/// The dotted quad (at most 15 bytes; up to 3 bytes of scratch after them).
@inline(__always) func put(_ a: IPv4Address, _ p: inout Cursor) {
    // Each octet leaves its `.` stored after it: step over it.
    let raw = a.rawValue
    putDecimal(UInt8(truncatingIfNeeded: raw >> 24), &p)
    p += 1
    putDecimal(UInt8(truncatingIfNeeded: raw >> 16), &p)
    p += 1
    putDecimal(UInt8(truncatingIfNeeded: raw >> 8), &p)
    p += 1
    putDecimal(UInt8(truncatingIfNeeded: raw), &p)
}

/// The RFC 5952 form, IPv4-mapped addresses with a dotted tail (at most 39 bytes).
func put(_ a: IPv6Address, _ p: inout Cursor) {
    if a.isIPv4Mapped {
        for ch in "::ffff:".utf8 { put(ch, &p) }
        put(IPv4Address(rawValue: UInt32(truncatingIfNeeded: a.low)), &p)
        return
    }
    let elided = a.elidedGroups
    var i = 0
    while i < 8 {
        if i == elided.start {
            put(UInt8(ascii: ":"), &p)
            put(UInt8(ascii: ":"), &p)
            i += elided.count
        } else {
            if i != 0 && i != elided.start + elided.count { put(UInt8(ascii: ":"), &p) }
            putHexGroup(a.group(i), &p)
            i += 1
        }
    }
}

@inline(__always) func put(_ a: IPAddress, _ p: inout Cursor) {
    switch a {
    case .v4(let v4): put(v4, &p)
    case .v6(let v6): put(v6, &p)
    }
}

/// Runs `body` on room for `bound` bytes and appends what it wrote to `out`.
func appending(to out: inout [UInt8], bound: Int, _ body: (inout Cursor) -> Void) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound) { room in
        var p = room.baseAddress!
        body(&p)
        out.append(contentsOf: UnsafeBufferPointer(start: room.baseAddress!, count: p - room.baseAddress!))
    }
}
