// The fingerprint NAT and delivery match a packet by at two points: the same
// through a translation or a routed hop, different for another packet. Over
// randomised TCP, UDP and ICMP packets with payloads of 0 to 80 bytes.

import CrosswireDecoder
@testable import CrosswireVerify
import Testing

@Suite struct PacketFingerprintTests {
    /// One packet's identifying fields and what a translation or a hop may change.
    struct Sample {
        enum Kind: CaseIterable { case tcp, udp, icmp }
        var kind: Kind
        var id: Int
        var seq: UInt32, ack: UInt32
        var flags: TCPFlags
        var echoSequence: Int
        var payload: [UInt8]
        // What NAT and routers change.
        var source = Addr.c1, destination = Addr.c2
        var sourcePort = 40000, destinationPort = 80
        var ttl: UInt8 = 64
        var echoIdentifier = 77

        init(_ r: inout SplitMix64) {
            kind = Kind.allCases[Int(r.next() % 3)]
            id = Int(r.next() & 0xFFFF)
            (seq, ack) = (UInt32(truncatingIfNeeded: r.next()), UInt32(truncatingIfNeeded: r.next()))
            flags = TCPFlags(rawValue: UInt8(truncatingIfNeeded: r.next()) | TCPFlags.ack.rawValue)
            echoSequence = Int(r.next() & 0xFFFF)
            payload = (0..<Int(r.next() % 81)).map { _ in UInt8(truncatingIfNeeded: r.next()) }
        }

        var frame: [UInt8] {
            let ip: [UInt8]
            switch kind {
            case .tcp:
                ip = Frame.ipv4(src: source, dst: destination, proto: 6, id: id, ttl: ttl,
                    Frame.tcp(sp: sourcePort, dp: destinationPort, seq: seq, ack: ack, flags: flags, payload))
            case .udp:
                ip = Frame.ipv4(src: source, dst: destination, proto: 17, id: id, ttl: ttl, Frame.udp(sp: sourcePort, dp: destinationPort, payload))
            case .icmp:
                ip = Frame.ipv4(src: source, dst: destination, proto: 1, id: id, ttl: ttl, Frame.icmpEcho(id: echoIdentifier, seq: echoSequence, payload))
            }
            return Frame.eth(Addr.host1MAC, Addr.host2MAC, ip)
        }
    }

    /// The fingerprint of `frame`'s IP level, captured up to `snapshot` bytes.
    static func fingerprint(_ frame: [UInt8], snapshot: Int = .max) -> UInt64? {
        let decoder = PacketDecoder(options: DecoderOptions()), buffer = DecodedPacketBuffer()
        let captured = Array(frame.prefix(snapshot))
        return captured.withUnsafeBytes { raw in
            let p = buffer.decode(raw.bytes, by: decoder, linkType: .ethernet, originalLength: frame.count)
            return PacketFingerprint.of(p, level: 0, bytes: raw.bytes)
        }
    }

    @Test func aTranslatedOrRoutedPacketKeepsItsFingerprint() throws {
        var r = SplitMix64(seed: 31)
        for _ in 0..<300 {
            var s = Sample(&r)
            let before = try #require(Self.fingerprint(s.frame))
            (s.source, s.destination) = (Addr.host1, "10.96.0.\(1 + r.next() % 200)")
            (s.sourcePort, s.destinationPort) = (Int(1024 + r.next() % 60000), Int(1 + r.next() % 1000))
            s.ttl = UInt8(1 + r.next() % 255)
            s.echoIdentifier = Int(r.next() & 0xFFFF)
            #expect(Self.fingerprint(s.frame) == before, "\(s.kind), payload \(s.payload.count) bytes")
        }
    }

    @Test func anotherPacketHasAnotherFingerprint() throws {
        var r = SplitMix64(seed: 32)
        for _ in 0..<300 {
            let s = Sample(&r)
            let fingerprint = try #require(Self.fingerprint(s.frame))
            var changes: [(String, Sample)] = []
            var c = s
            c.id ^= 1 << Int(r.next() % 16); changes.append(("IP identification", c))
            switch s.kind {
            case .tcp:
                c = s; c.seq ^= 1 << UInt32(r.next() % 32); changes.append(("sequence", c))
                c = s; c.ack ^= 1 << UInt32(r.next() % 32); changes.append(("acknowledgement", c))
                c = s; c.flags = TCPFlags(rawValue: s.flags.rawValue ^ TCPFlags.psh.rawValue); changes.append(("flags", c))
            case .icmp:
                c = s; c.echoSequence ^= 1 << Int(r.next() % 16); changes.append(("echo sequence", c))
            case .udp:
                break
            }
            // Every byte of the first 48 takes part, and one more byte (the length) does.
            for i in 0..<min(48, s.payload.count) {
                c = s; c.payload[i] ^= 1 << UInt8(r.next() % 8); changes.append(("payload byte \(i)", c))
            }
            c = s; c.payload.append(0); changes.append(("a zero byte more", c))
            for (what, changed) in changes {
                #expect(Self.fingerprint(changed.frame) != fingerprint, "\(s.kind), payload \(s.payload.count) bytes: \(what)")
            }
            // Bytes past the first 48 do not.
            if s.payload.count > 48 {
                c = s; c.payload[48 + Int(r.next() % UInt64(s.payload.count - 48))] ^= 0xFF
                #expect(Self.fingerprint(c.frame) == fingerprint, "\(s.kind): a payload byte past the 48th")
            }
        }
    }

    /// A capture cut inside the first 48 payload bytes fingerprints what it kept: zero bytes
    /// cut off are not zero bytes kept.
    @Test func aCutCaptureFingerprintsTheBytesItKept() throws {
        var s = Sample(kind: .udp)
        s.payload = [0x61, 0x62] + Array(repeating: 0, count: 30)
        let headers = 14 + 20 + 8
        let two = try #require(Self.fingerprint(s.frame, snapshot: headers + 2))
        let four = try #require(Self.fingerprint(s.frame, snapshot: headers + 4))
        #expect(two != four)
        #expect(Self.fingerprint(s.frame, snapshot: headers + 4) == four, "the same cut: the same")
    }
}

extension PacketFingerprintTests.Sample {
    init(kind: Kind) {
        var r = SplitMix64(seed: 1)
        self.init(&r)
        self.kind = kind
    }
}
