// Address text: RFC 5952 IPv6 formatting, parsing, MACs, prefixes.

import CrosswireDecoder
import Testing

struct AddressTests {
    @Test(arguments: [
        // (input, RFC 5952 form)
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("2001:db8::1:0:0:1", "2001:db8::1:0:0:1"),  // two equal runs: the first is compressed
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:0db8:0000:0000:0000:0000:0002:0001", "2001:db8::2:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),  // a single 0 group is not compressed
        ("2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::"),  // the longest run wins
        ("2001:DB8::A:B", "2001:db8::a:b"),  // lowercase
        ("fe80::0202:b3ff:fe1e:8329", "fe80::202:b3ff:fe1e:8329"),  // no leading zeros
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),  // "::" never stands for a single 0 group
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),  // IPv4-mapped: dotted tail
        ("::ffff:c000:201", "::ffff:192.0.2.1"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
    ])
    func ipv6Text(input: String, expected: String) throws {
        let a = try #require(IPv6Address(input))
        #expect(a.description == expected)
        // Round trip: the formatted text parses back to the same address.
        #expect(IPv6Address(a.description) == a)
        #expect(IPAddress(input)?.description == expected)
    }

    @Test(arguments: [
        "", ":", ":::", "1:::2", "1::2::3", ":1::", "::1:", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7:8::", "12345::", "g::", "::1.2.3", "::256.1.1.1", "::1.2.3.4:5", " ::1", "::1 ",
        "+1::", "-0::", "1::+2", "0x1::", "fe80::1%eth0",
    ])
    func ipv6Rejected(input: String) {
        #expect(IPv6Address(input) == nil)
    }

    @Test func ipv6RoundTripsOverManyAddresses() {
        // A fixed pseudo-random walk over addresses with zero groups in every place.
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var groups = [UInt16](repeating: 0, count: 8)
            for i in 0..<8 where (x >> UInt64(i * 3 + 20)) & 3 != 0 {
                groups[i] = UInt16(truncatingIfNeeded: x >> UInt64(i * 5))
            }
            let hi = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
            let lo = groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
            let a = IPv6Address(high: hi, low: lo)
            let text = a.description
            #expect(IPv6Address(text) == a, "\(text)")
            #expect(!text.contains(":::"))
            #expect(text.split(separator: ":", omittingEmptySubsequences: true).allSatisfy { $0.count <= 4 || $0.contains(".") })
        }
    }

    @Test func ipv4Text() {
        #expect(IPv4Address("192.168.56.119") == IPv4Address(192, 168, 56, 119))
        #expect(IPv4Address(0, 0, 0, 0).description == "0.0.0.0")
        #expect(IPv4Address(255, 255, 255, 255).description == "255.255.255.255")
        #expect(IPv4Address(10, 0, 20, 3).description == "10.0.20.3")
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1..2.3", "a.b.c.d", "1.2.3.4 ", "+1.2.3.4", "1.2.3.-4", "1234.1.1.1"] {
            #expect(IPv4Address(bad) == nil, "\(bad)")
        }
    }

    @Test func macText() {
        let m = MACAddress("02:42:C0:a8:38:77")
        #expect(m == MACAddress(rawValue: 0x0242_C0A8_3877))
        #expect(m?.description == "02:42:c0:a8:38:77")
        #expect(MACAddress("02-42-c0-a8-38-77") == m)
        #expect(MACAddress.broadcast.description == "ff:ff:ff:ff:ff:ff")
        #expect(MACAddress.zero.description == "00:00:00:00:00:00")
        #expect(MACAddress("01:00:5e:00:00:fb")?.isGroup == true)
        #expect(m?.isGroup == false)
        for bad in ["", "02:42:c0:a8:38", "02:42:c0:a8:38:77:00", "002:42:c0:a8:38:77", "02:42:c0:a8:38:", "gg:42:c0:a8:38:77",
                    "02::c0:a8:38:77", "0242.c0a8.3877", "02:42:c0:a8:38:77 "] {
            #expect(MACAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func prefixContains() throws {
        let p = try #require(IPPrefix("192.168.10.0/24"))
        #expect(p.length == 24)
        #expect(p.description == "192.168.10.0/24")
        #expect(p.contains(ip4(192, 168, 10, 0)))
        #expect(p.contains(ip4(192, 168, 10, 255)))
        #expect(!p.contains(ip4(192, 168, 11, 0)))
        #expect(!p.contains(ip6("::ffff:192.168.10.1")))
        let all = try #require(IPPrefix("0.0.0.0/0"))
        #expect(all.contains(ip4(8, 8, 8, 8)))
        let host = try #require(IPPrefix("10.0.0.7"))
        #expect(host.length == 32)
        #expect(host.contains(ip4(10, 0, 0, 7)))
        #expect(!host.contains(ip4(10, 0, 0, 6)))
        let v6 = try #require(IPPrefix("fd00:0:0:1::/64"))
        #expect(v6.description == "fd00:0:0:1::/64")
        #expect(v6.contains(ip6("fd00:0:0:1:ffff::1")))
        #expect(!v6.contains(ip6("fd00:0:0:2::1")))
        let odd = try #require(IPPrefix("2001:db8::/33"))
        #expect(odd.contains(ip6("2001:db8:7fff::1")))
        #expect(!odd.contains(ip6("2001:db8:8000::1")))
        #expect(try #require(IPPrefix("::/0")).contains(ip6("ffff::")))
        #expect(try #require(IPPrefix("2001:db8::1/128")).contains(ip6("2001:db8::1")))
    }

    @Test func prefixHostBits() {
        // Strict parsing refuses host bits; lax parsing clears them.
        #expect(IPPrefix("192.168.10.1/24") == nil)
        #expect(IPPrefix("192.168.10.1/24", strict: false)?.description == "192.168.10.0/24")
        #expect(IPPrefix("fd00::1/64") == nil)
        #expect(IPPrefix("fd00::1/64", strict: false)?.network == ip6("fd00::"))
        #expect(IPPrefix(address: ip4(10, 1, 2, 3), length: 8)?.network == ip4(10, 0, 0, 0))
        #expect(IPPrefix(address: ip4(10, 1, 2, 3), length: 33) == nil)
        #expect(IPPrefix(address: ip6("::1"), length: 129) == nil)
    }

    @Test(arguments: ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "/8", "10.0.0.0/8/8", "fd00::/129", "10.0.0.0/+8", "10.0.0.0/ 8", "x/8"])
    func prefixRejected(text: String) {
        #expect(IPPrefix(text) == nil)
    }

    @Test func prefixOverlaps() throws {
        let a = try #require(IPPrefix("10.0.0.0/8"))
        let b = try #require(IPPrefix("10.1.0.0/16"))
        let c = try #require(IPPrefix("10.2.0.0/16"))
        let d = try #require(IPPrefix("fd00::/8"))
        #expect(a.overlaps(b))
        #expect(b.overlaps(a))
        #expect(!b.overlaps(c))
        #expect(a.overlaps(a))
        #expect(!a.overlaps(d))
        #expect(!d.overlaps(a))
        #expect(try #require(IPPrefix("fd00:1::/32")).overlaps(d))
    }

    @Test func ordering() {
        #expect(ip4(10, 0, 0, 1) < ip4(10, 0, 0, 2))
        #expect(ip4(255, 255, 255, 255) < ip6("::"))  // IPv4 sorts before IPv6
        #expect(ip6("::1") < ip6("1::"))
    }
}
