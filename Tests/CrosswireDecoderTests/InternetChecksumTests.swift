// The checksum sums 32 bytes a round in the host's byte order; it must fold to
// exactly what summing big-endian 16-bit words one at a time gives.

import CrosswireDecoder
import Testing

@Suite struct InternetChecksumTests {
    /// RFC 1071 word by word, folded as `InternetChecksum.folded` folds.
    static func reference(_ bytes: [UInt8], from offset: Int, count: Int, then extra: UInt64) -> UInt16 {
        var sum: UInt64 = 0
        var i = offset
        while i + 2 <= offset + count {
            sum += UInt64(bytes[i]) << 8 | UInt64(bytes[i + 1])
            i += 2
        }
        if i < offset + count { sum += UInt64(bytes[i]) << 8 }
        sum += extra
        var x = (sum & 0xFFFF_FFFF) &+ (sum >> 32)
        x = (x & 0xFFFF) &+ (x >> 16)
        x = (x & 0xFFFF) &+ (x >> 16)
        x = (x & 0xFFFF) &+ (x >> 16)
        return UInt16(truncatingIfNeeded: x)
    }

    @Test func foldsToTheWordByWordSum() {
        var rng = SystemRandomNumberGenerator()
        var cases = 0
        for pattern in 0..<4 {
            for _ in 0..<500 {
                let size = Int.random(in: 0...300, using: &rng)
                let bytes: [UInt8] = (0..<size).map { _ in
                    switch pattern {
                    case 0: 0
                    case 1: 0xFF
                    case 2: UInt8.random(in: 0xF0...0xFF, using: &rng)
                    default: UInt8.random(in: 0...0xFF, using: &rng)
                    }
                }
                let offset = size == 0 ? 0 : Int.random(in: 0...size, using: &rng)
                let count = Int.random(in: 0...(size - offset), using: &rng)
                let extra = pattern == 0 ? 0 : UInt64.random(in: 0...0xFFFF_FFFF, using: &rng)
                var sum = InternetChecksum()
                bytes.withUnsafeBytes { sum.add($0.bytes, from: offset, count: count) }
                sum.add(extra)
                #expect(sum.folded == Self.reference(bytes, from: offset, count: count, then: extra), "\(pattern) \(size) \(offset) \(count)")
                cases += 1
            }
        }
        #expect(cases == 2000)
    }

    /// The IPv4 header's own judgement (three words for 20 bytes) agrees with the general sum,
    /// on right, wrong and all-ones checksums, with and without options.
    @Test func anIPv4HeaderIsJudgedAsTheGeneralSumJudgesIt() {
        var rng = SystemRandomNumberGenerator()
        var right = 0, wrong = 0
        for round in 0..<3000 {
            let length = round % 3 == 0 ? 24 : 20
            var header: [UInt8] = (0..<(length + 3)).map { _ in round % 5 == 0 ? 0xFF : UInt8.random(in: 0...0xFF, using: &rng) }
            let at = round % 4
            if round % 2 == 0 {
                // Make it right: the checksum field (bytes 10, 11) is the complement of the rest's sum.
                header[at + 10] = 0; header[at + 11] = 0
                let sum = ~Self.reference(header, from: at, count: length, then: 0)
                header[at + 10] = UInt8(sum >> 8); header[at + 11] = UInt8(sum & 0xFF)
            }
            let (fast, general) = header.withUnsafeBytes {
                (ChecksumState.ipv4Header($0.bytes, at: at, length: length), ChecksumState.plain($0.bytes, at: at, length: length))
            }
            #expect(fast == general, "round \(round)")
            if general == .right { right += 1 } else { wrong += 1 }
        }
        #expect(right >= 1500 && wrong >= 1000)
    }
}
