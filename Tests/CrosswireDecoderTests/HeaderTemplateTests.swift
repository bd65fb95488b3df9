// A frame decoded from its flow's header template must read exactly as the
// same frame decoded in full, and a frame that differs in anything the
// template does not rewrite must miss it.

import CrosswireDecoder
import Testing

@Suite struct HeaderTemplateTests {
    /// Decodes `bytes` from `templates` (nil: no template fits) and in full; both packets, as text.
    static func both(_ templates: HeaderTemplates, _ bytes: Bytes, linkType: LinkType = .ethernet, originalLength: Int? = nil)
        -> (template: String?, full: String, flow: UInt64?, variant: Bool, way: Int)
    {
        let decoder = PacketDecoder(), full = DecodedPacketBuffer()
        return bytes.withUnsafeBytes { raw in
            let original = originalLength ?? bytes.count
            let a = full.decode(raw.bytes, by: decoder, linkType: linkType, originalLength: original)
            let found = templates.decode(raw.bytes, linkType: linkType, originalLength: original, context: 1)
            #expect((found.flow == nil) == (found.packet == nil) && (found.flow == nil) == (found.way < 0))
            return (found.packet.map { text(PacketView($0)) }, text(a), found.flow, found.variant, found.way)
        }
    }

    static func learn(_ templates: HeaderTemplates, _ bytes: Bytes, linkType: LinkType = .ethernet, flow: UInt64 = 7, variant: Bool = false) {
        let decoder = PacketDecoder(), full = DecodedPacketBuffer()
        bytes.withUnsafeBytes { raw in
            _ = full.decode(raw.bytes, by: decoder, linkType: linkType, originalLength: bytes.count)
            templates.learn(raw.bytes, linkType: linkType, context: 1, packet: full.packet, flow: flow, variant: variant, bgpPort: 179)
        }
    }

    /// Every field a view reads, as text.
    static func text(_ p: PacketView) -> String {
        var s = "\(p.linkType.rawValue) \(p.capturedLength) \(p.originalLength) \(p.levelCount) \(p.application) "
        s += "\(p.applicationLevel) \(p.applicationOffset) \(p.applicationLength) \(String(describing: p.stop))"
        for i in 0..<p.levelCount { s += " | " + PacketInBatchTests.fields(p.levels[i]) }
        return s
    }

    static let timestamps: Bytes = [1, 1, 8, 10] + be32(1_000) + be32(2_000)

    static func segment(
        seq: UInt32 = 5000, ack: UInt32 = 9000, flags: UInt16 = 0x010, window: UInt16 = 501, id: UInt16 = 1, ttl: UInt8 = 64,
        tos: UInt8 = 0, options: Bytes = timestamps, payload: Int = 100, padding: Int = 0
    ) -> Bytes {
        var ip = ipv4(proto: 6, payload: tcp(seq: seq, ack: ack, flags: flags, window: window, options: options,
            payload: Bytes(repeating: 0x61, count: payload)), id: id, ttl: ttl, df: true)
        ip[1] = tos
        return eth(type: 0x0800) + ip + Bytes(repeating: 0, count: padding)
    }

    @Test func aSegmentOfTheFlowIsCopiedAndPatched() {
        let t = HeaderTemplates()
        Self.learn(t, Self.segment(), flow: 42)
        // What changes within a flow: numbers, window, id, PSH/ECE/CWR, TOS, timestamp values, length.
        var changed = Self.segment(seq: 7777, ack: 1, flags: 0x010 | 0x008 | 0x040 | 0x080, window: 9, id: 999, tos: 3,
            options: [1, 1, 8, 10] + be32(5) + be32(6), payload: 1200)
        var r = Self.both(t, changed)
        #expect(r.flow == 42)
        #expect(r.template == r.full)
        // Shorter, down to no payload at all.
        r = Self.both(t, Self.segment(seq: 1, payload: 0))
        #expect(r.flow == 42 && r.template == r.full)
        // Cut by the snapshot length: a template of a whole frame does not fit.
        changed = Self.segment(payload: 1200)
        r = Self.both(t, Bytes(changed.prefix(96)), originalLength: changed.count)
        #expect(r.flow == nil)
        #expect(t.hits == 2)
    }

    @Test func aFrameThatDiffersInWhatTheTemplateKeepsMissesIt() {
        let t = HeaderTemplates()
        Self.learn(t, Self.segment())
        let misses: [(String, Bytes)] = [
            ("TTL", Self.segment(ttl: 63)),
            ("SYN", Self.segment(flags: 0x012)),
            ("FIN", Self.segment(flags: 0x011)),
            ("other options", Self.segment(options: [2, 4, 5, 0xB4, 1, 1, 1, 1, 1, 1, 1, 1])),
            ("Ethernet padding", Self.segment(payload: 0, padding: 6)),
            ("shorter than the headers", Bytes(Self.segment().prefix(60))),
        ]
        for (what, bytes) in misses {
            let r = Self.both(t, bytes)
            #expect(r.flow == nil, "\(what)")
        }
        // A length field that does not move with the frame's length.
        var bytes = Self.segment(payload: 300)
        bytes[17] &+= 1
        let lengths = Self.both(t, bytes)
        #expect(lengths.flow == nil && !lengths.variant, "a miss on lengths is no variant: it replaces the template")
        #expect(t.hits == 0)
    }

    /// A flow seen before and after a router in one capture (another TTL and MACs) keeps a
    /// template for each sighting, up to the ways of a bucket; the least recently used goes.
    @Test func variantsOfAFlowKeepTemplatesSideBySide() {
        let t = HeaderTemplates()
        let variants = (0..<5).map { Self.segment(ttl: UInt8(64 - $0)) }
        Self.learn(t, variants[0], flow: 42)
        for v in variants[1..<4] {
            let r = Self.both(t, v)
            #expect(r.flow == nil && r.variant)  // a variant of the flow: missed, then learned beside the others
            Self.learn(t, v, flow: 42, variant: r.variant)
        }
        for v in variants[0..<4] + variants[0..<4] {
            let r = Self.both(t, v)
            #expect(r.flow == 42 && r.template == r.full)
        }
        _ = Self.both(t, variants[1]); _ = Self.both(t, variants[2]); _ = Self.both(t, variants[3])
        let fifth = Self.both(t, variants[4])
        #expect(fifth.flow == nil && fifth.variant)
        Self.learn(t, variants[4], flow: 42, variant: fifth.variant)
        #expect(Self.both(t, variants[4]).flow == 42)
        #expect(Self.both(t, variants[0]).flow == nil)  // used least lately: replaced
        #expect(Self.both(t, variants[3]).flow == 42)
    }

    @Test func framesThatCannotBeTemplatesAreNotLearned() {
        let t = HeaderTemplates()
        // A fragment, a BGP segment, an ICMP error (it quotes a packet), a stopped decode.
        Self.learn(t, eth(type: 0x0800) + ipv4(proto: 17, payload: udp(payload: [1, 2, 3]), mf: true))
        Self.learn(t, eth(type: 0x0800) + ipv4(proto: 6, payload: tcp(sport: 179, dport: 40000, flags: 0x010)))
        Self.learn(t, eth(type: 0x0800) + ipv4(proto: 1, payload: icmp(type: 3, code: 4, rest: 1400, payload: ipv4(proto: 17, payload: udp()))))
        Self.learn(t, eth(type: 0x0800) + ipv4(proto: 6, payload: [0, 1, 2], totalLength: 60))
        #expect(t.learned == 0)
    }

    @Test func tunnelledFramesAreCopiedAndPatched() {
        let t = HeaderTemplates()
        func vxlanFrame(_ payload: Int, seq: UInt32) -> Bytes {
            let inner = eth(type: 0x0800) + ipv4(proto: 6, payload: tcp(seq: seq, flags: 0x018, options: Self.timestamps,
                payload: Bytes(repeating: 0x62, count: payload)), id: UInt16(seq & 0xFFFF))
            return eth(type: 0x0800) + ipv4(proto: 17, payload: udp(sport: 51234, dport: 4789, payload: vxlan(vni: 1) + inner), id: UInt16(payload))
        }
        Self.learn(t, vxlanFrame(100, seq: 1))
        var r = Self.both(t, vxlanFrame(1400, seq: 99))
        #expect(r.flow != nil && r.template == r.full)
        let ipip = { (payload: Int) in
            eth(type: 0x0800) + ipv4(proto: 4, payload: ipv4(proto: 17, payload: udp(payload: Bytes(repeating: 1, count: payload))))
        }
        Self.learn(t, ipip(10))
        r = Self.both(t, ipip(500))
        #expect(r.flow != nil && r.template == r.full)
        // The outer level has no transport header: nothing of it but IP's own fields may change.
        #expect(Self.both(t, eth(dst: [2, 0, 0, 0, 0, 9], type: 0x0800) + Array(ipip(500).dropFirst(14))).flow == nil)
        let v6 = { (payload: Int) in
            eth(type: 0x86DD) + ipv6(next: 6, payload: tcp(flags: 0x010, payload: Bytes(repeating: 2, count: payload)), flowLabel: 5)
        }
        Self.learn(t, v6(0))
        r = Self.both(t, v6(1000))
        #expect(r.flow != nil && r.template == r.full)
        // Pings: another sequence number and size; another identifier is another session.
        let ping = { (identifier: UInt32, sequence: UInt32, size: Int) in
            eth(type: 0x0800) + ipv4(proto: 1, payload: icmp(type: 8, rest: identifier << 16 | sequence, payload: Bytes(repeating: 3, count: size)))
        }
        Self.learn(t, ping(77, 1, 56))
        r = Self.both(t, ping(77, 2, 1400))
        #expect(r.flow != nil && r.template == r.full)
        #expect(Self.both(t, ping(78, 2, 56)).flow == nil)
        #expect(t.hits == 4)
    }

    /// Every frame of every corpus and lab capture, each against the template its flow's
    /// last frame made: where one fits, the patched template reads as the full decode. So
    /// does a `TemplateMirror` told of every template learned but, as the analysers' thread,
    /// asked for only some of the frames (here 2 in 3).
    @Test func everyCorpusFrameReadsTheSameFromATemplate() throws {
        var frames = 0, hits = 0, mirroredHits = 0
        for path in PacketInBatchTests.captures {
            guard let captured = try? CaptureFileReader.read(path) else { continue }
            let t = HeaderTemplates(buckets: 64), mirror = TemplateMirror(of: t)
            for f in captured.prefix(2000) {
                let r = Self.both(t, f.bytes, linkType: f.linkType, originalLength: f.originalLength)
                if r.template != nil {
                    #expect(r.template == r.full, "\(path) frame \(f.number)")
                    hits += 1
                    if hits % 3 != 0 {
                        let mirrored = f.bytes.withUnsafeBytes { raw in
                            Self.text(mirror.decode(raw.bytes, way: r.way, originalLength: f.originalLength))
                        }
                        #expect(mirrored == r.full, "\(path) frame \(f.number), from the mirror")
                        mirroredHits += 1
                    }
                }
                let decoder = PacketDecoder(), full = DecodedPacketBuffer()
                f.bytes.withUnsafeBytes { raw in
                    _ = full.decode(raw.bytes, by: decoder, linkType: f.linkType, originalLength: f.originalLength)
                    if let way = t.learn(raw.bytes, linkType: f.linkType, context: 1, packet: full.packet, flow: 1, bgpPort: 179) {
                        mirror.keep(PacketView(full.packet), way: way)
                    }
                }
                frames += 1
            }
        }
        print("header templates: \(hits) of \(frames) frames patched, \(mirroredHits) of them from the mirror too")
        #expect(hits > 3_000, "only \(hits) of \(frames) frames came from a template")
    }
}
