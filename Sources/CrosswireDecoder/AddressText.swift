// Text forms of addresses: written as tshark and tcpdump print them
// (IPv6 in the RFC 5952 compressed form, MACs lowercase with colons), and
// parsed from plan files and command lines.

extension MACAddress: CustomStringConvertible {
    /// Appends `02:42:c0:a8:38:77` to `out`.
    public func write(to out: inout [UInt8]) {
        for i in stride(from: 40, through: 0, by: -8) {
            let byte = UInt8(truncatingIfNeeded: rawValue >> UInt64(i))
            out.append(hexDigit(byte >> 4)); out.append(hexDigit(byte & 0xF))
            if i != 0 { out.append(UInt8(ascii: ":")) }
        }
    }
    public var description: String { textOf { write(to: &$0) } }

    /// Parses `aa:bb:cc:dd:ee:ff` (also with `-` separators, any case).
    public init?(_ text: some StringProtocol) {
        var value: UInt64 = 0, digits = 0, groups = 0
        for ch in text.utf8 {
            if ch == UInt8(ascii: ":") || ch == UInt8(ascii: "-") {
                guard digits > 0 else { return nil }
                groups += 1; digits = 0; continue
            }
            guard let d = hexValue(ch), digits < 2 else { return nil }
            value = value << 4 | UInt64(d); digits += 1
        }
        guard groups == 5, digits > 0 else { return nil }
        self.init(rawValue: value)
    }
}

extension IPv4Address: CustomStringConvertible {
    /// Appends the dotted-quad form to `out`.
    public func write(to out: inout [UInt8]) {
        for i in stride(from: 24, through: 0, by: -8) {
            writeDecimal(UInt64(UInt8(truncatingIfNeeded: rawValue >> UInt32(i))), to: &out)
            if i != 0 { out.append(UInt8(ascii: ".")) }
        }
    }
    public var description: String { textOf { write(to: &$0) } }

    /// Parses a dotted quad such as `192.168.56.119`.
    public init?(_ text: some StringProtocol) {
        var value: UInt32 = 0, part: UInt32 = 0, digits = 0, dots = 0
        for ch in text.utf8 {
            if ch == UInt8(ascii: ".") {
                guard digits > 0 else { return nil }
                value = value << 8 | part; part = 0; digits = 0; dots += 1; continue
            }
            guard ch >= 48, ch <= 57, digits < 3 else { return nil }
            // No leading zeros ("010" is octal to inet_aton, refused by inet_pton): ambiguous.
            guard !(digits == 1 && part == 0) else { return nil }
            part = part * 10 + UInt32(ch - 48); digits += 1
            guard part <= 255 else { return nil }
        }
        guard dots == 3, digits > 0 else { return nil }
        self.init(rawValue: value << 8 | part)
    }
}

extension IPv6Address: CustomStringConvertible {
    /// The eight 16-bit groups.
    public func group(_ i: Int) -> UInt16 {
        let word = i < 4 ? high : low
        return UInt16(truncatingIfNeeded: word >> UInt64(48 - 16 * (i & 3)))
    }

    /// True for an IPv4-mapped address (`::ffff:a.b.c.d`), which prints with a dotted tail, as inet_ntop does.
    public var isIPv4Mapped: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// The groups RFC 5952 writes as `::`: the first longest run of two or more
    /// zero groups (start -1 when there is none).
    public var elidedGroups: (start: Int, count: Int) {
        var bestStart = -1, bestLen = 1, runStart = -1
        for i in 0..<8 {
            if group(i) == 0 {
                if runStart < 0 { runStart = i }
                if i - runStart + 1 > bestLen { bestStart = runStart; bestLen = i - runStart + 1 }
            } else { runStart = -1 }
        }
        return (bestStart, bestLen)
    }

    /// Appends the RFC 5952 form (longest run of two or more zero groups as `::`).
    public func write(to out: inout [UInt8]) {
        if isIPv4Mapped {
            for ch in "::ffff:".utf8 { out.append(ch) }
            IPv4Address(rawValue: UInt32(truncatingIfNeeded: low)).write(to: &out)
            return
        }
        let (bestStart, bestLen) = elidedGroups
        var i = 0
        while i < 8 {
            if i == bestStart {
                out.append(UInt8(ascii: ":")); out.append(UInt8(ascii: ":"))
                i += bestLen
                continue
            }
            if i != 0 && i != bestStart + bestLen { out.append(UInt8(ascii: ":")) }
            writeHex(UInt64(group(i)), to: &out)
            i += 1
        }
    }
    public var description: String { textOf { write(to: &$0) } }

    /// Parses IPv6 text with at most one `::` (an IPv4 dotted tail is accepted).
    public init?(_ text: some StringProtocol) {
        var groups: [UInt16] = [], tail: [UInt16] = [], sawGap = false
        let s = String(text)
        guard !s.isEmpty else { return nil }
        let halves = s.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return nil }
        // `dottedTailAllowed`: an IPv4 tail may only end the whole address, not the part before `::`.
        func parse(_ part: Substring, into out: inout [UInt16], dottedTailAllowed: Bool) -> Bool {
            if part.isEmpty { return true }
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (n, p) in pieces.enumerated() {
                if dottedTailAllowed, n == pieces.count - 1, p.contains(".") {
                    guard let v4 = IPv4Address(p) else { return false }
                    out.append(UInt16(v4.rawValue >> 16)); out.append(UInt16(v4.rawValue & 0xFFFF))
                    continue
                }
                // Hex digits only: `UInt16(_:radix:)` alone would also take a sign ("+1", "-0").
                guard !p.isEmpty, p.count <= 4, p.utf8.allSatisfy({ hexValue($0) != nil }),
                      let v = UInt16(p, radix: 16) else { return false }
                out.append(v)
            }
            return true
        }
        guard parse(halves[0], into: &groups, dottedTailAllowed: halves.count == 1) else { return nil }
        if halves.count == 2 {
            sawGap = true
            guard parse(halves[1], into: &tail, dottedTailAllowed: true) else { return nil }
        }
        let total = groups.count + tail.count
        guard sawGap ? total <= 7 : total == 8 else { return nil }
        let all = groups + [UInt16](repeating: 0, count: 8 - total) + tail
        var hi: UInt64 = 0, lo: UInt64 = 0
        for i in 0..<4 { hi = hi << 16 | UInt64(all[i]) }
        for i in 4..<8 { lo = lo << 16 | UInt64(all[i]) }
        self.init(high: hi, low: lo)
    }
}

extension String {
    /// Splits at the first `::` (IPv6 parsing helper).
    fileprivate func components(separatedByDoubleColon _: ()) -> [Substring] {
        guard let r = range(of: "::") else { return [self[...]] }
        let rest = self[r.upperBound...]
        if rest.contains("::") { return [self[..<r.lowerBound], rest, ""] }
        return [self[..<r.lowerBound], rest]
    }

    fileprivate func range(of needle: String) -> Range<Index>? {
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(needle) { return i..<index(i, offsetBy: needle.count) }
            i = index(after: i)
        }
        return nil
    }
}

extension IPAddress: CustomStringConvertible {
    /// Appends the address's text form.
    public func write(to out: inout [UInt8]) {
        switch self {
        case .v4(let a): a.write(to: &out)
        case .v6(let a): a.write(to: &out)
        }
    }
    public var description: String { textOf { write(to: &$0) } }

    /// Parses IPv4 or IPv6 text.
    public init?(_ text: some StringProtocol) {
        if let a = IPv4Address(text) { self = .v4(a) } else if let a = IPv6Address(text) { self = .v6(a) } else { return nil }
    }
}

extension IPPrefix: CustomStringConvertible {
    public var description: String { "\(network)/\(length)" }

    /// Parses `192.168.10.0/24`; a bare address is a host prefix. Host bits must be clear unless `strict` is false.
    public init?(_ text: some StringProtocol, strict: Bool = true) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(parts[0]) else { return nil }
        let width = address.bits.width
        var length = width
        if parts.count == 2 {
            // Decimal digits only: `Int(_:)` alone would also take a sign ("/+8").
            guard parts[1].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), parts[1].utf8.count <= 3,
                  let n = Int(parts[1]), n >= 0, n <= width else { return nil }
            length = n
        }
        self.init(address: address, length: length)
        if strict, network != address { return nil }
    }
}

@inline(__always) func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 48 + v : 87 + v }

@inline(__always) func hexValue(_ ch: UInt8) -> UInt8? {
    switch ch {
    case 48...57: ch - 48
    case 65...70: ch - 55
    case 97...102: ch - 87
    default: nil
    }
}

/// Appends `value` in decimal.
public func writeDecimal(_ value: UInt64, to out: inout [UInt8]) {
    if value < 10 { out.append(UInt8(truncatingIfNeeded: value) + 48); return }
    var digits: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                 UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var n = 0, v = value
    withUnsafeMutableBytes(of: &digits) { raw in
        let d = raw.bindMemory(to: UInt8.self)
        while v > 0 { d[n] = UInt8(truncatingIfNeeded: v % 10) + 48; v /= 10; n += 1 }
        while n > 0 { n -= 1; out.append(d[n]) }
    }
}

/// Appends `value` in lowercase hexadecimal without leading zeros.
public func writeHex(_ value: UInt64, to out: inout [UInt8]) {
    var started = false
    for shift in stride(from: 60, through: 0, by: -4) {
        let nibble = UInt8(truncatingIfNeeded: value >> UInt64(shift)) & 0xF
        if nibble != 0 || started || shift == 0 { out.append(hexDigit(nibble)); started = true }
    }
}

/// Appends `value` as `0x` and exactly `digits` hex digits (tshark's `ip.id` form).
public func writeHexFixed(_ value: UInt64, digits: Int, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "0")); out.append(UInt8(ascii: "x"))
    for i in stride(from: digits - 1, through: 0, by: -1) {
        out.append(hexDigit(UInt8(truncatingIfNeeded: value >> UInt64(4 * i)) & 0xF))
    }
}

func textOf(_ body: (inout [UInt8]) -> Void) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(40)
    body(&bytes)
    return String(decoding: bytes, as: UTF8.self)
}
