// Where decoding stopped, as text: written straight into the output bytes
// (no String per packet) and the same as `description`, for every reason.

import CrosswireDecoder
import Testing

@Suite struct DecodeStopTextTests {
    static let cases: [(DecodeStop, String)] = [
        (DecodeStop(.ipv4, at: 14, .truncated(needed: 20, available: 6)), "ip at byte 14: truncated (needs 20 bytes, 6 captured)"),
        (DecodeStop(.ipv4, at: 14, .badLength(field: 4)), "ip at byte 14: bad length field 4"),
        (DecodeStop(.ipv6, at: 18, .badVersion(7)), "ipv6 at byte 18: bad version 7"),
        (DecodeStop(.tcp, at: 34, .badField(3)), "tcp at byte 34: invalid header field value 3"),
        (DecodeStop(.ethernet, at: 0, .unsupported(0x88CC)), "eth at byte 0: next protocol 0x88cc not decoded"),
        (DecodeStop(.vxlan, at: 42, .tooDeep), "vxlan at byte 42: too many nested encapsulations"),
        (DecodeStop(.udp, at: 0, .unsupported(0)), "udp at byte 0: next protocol 0x0 not decoded"),
    ]

    @Test(arguments: 0..<cases.count)
    func writtenTextIsTheDescription(_ i: Int) {
        let (stop, text) = Self.cases[i]
        var out: [UInt8] = Array("prefix ".utf8)
        stop.write(to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "prefix " + text)
        #expect(stop.description == text)
    }
}
