// Header templates: decoding a steady frame by copying its flow's last decode.
//
// The frames of one flow repeat their headers but for a few fields: IP
// identification, lengths and checksums, the IPv4 TOS and IPv6 ECN bits, TCP
// sequence and acknowledgement numbers, window, checksum, the PSH/ECE/CWR
// flags, the values of TCP options (timestamps, SACK blocks), UDP length and
// checksum, an ICMP echo's checksum, identifier and sequence number. A template keeps a decoded frame of the flow, its header bytes, and
// which bits of them may change. A later frame whose header bytes equal the
// template's in every other bit, and whose every length field differs from the
// template's by the same amount as its length, takes the same branches through
// the decoder: its decode is the template's with those fields rewritten. So the
// template's packet is patched where it lies and lent as the frame's, with no
// copy (HeaderTemplateTests compares the two on every corpus frame). Anything
// else is decoded in full.

/// What `HeaderTemplates.decode` found for a frame.
public struct TemplateLookup {
    /// The flow of the template the frame was decoded from; nil when none fit.
    public var flow: UInt64?
    /// The way of that template (`TemplateMirror`); -1 when none fit.
    public var way = -1
    /// The frame's decoded packet: the template's, patched. Valid until the next `decode` or `learn`.
    public var packet: UnsafeMutablePointer<DecodedPacket>?
    /// No template fit, but one of its flow's differed from the frame only in a bit that stays
    /// within a flow: another variant of the flow (a packet seen before and after a router, two
    /// conversations in one tunnel, a flag), which `learn` keeps beside it.
    public var variant = false

    /// Nothing found.
    public static var none: TemplateLookup { TemplateLookup(flow: nil) }
}

/// Header templates of recent flows, found by a hash of header bytes that stay the same
/// within a flow (addresses, protocols, ports, ICMP echo identifiers). Four templates per
/// hash bucket, the least recently used replaced: a flow may need more than one (a packet
/// seen before and after a router in one capture, conversations sharing a tunnel's ports).
/// Allocated once, at the first template; used by one thread.
public final class HeaderTemplates {
    static let ways = 4
    /// The most header bytes a template covers (VXLAN over IPv4 with an IPv6 inner TCP
    /// segment and 40 bytes of options is 164).
    public static let maxHeader = 192

    struct Head {
        /// Who saw the frame: the caller's capture and interface (`context`).
        var context: UInt64
        /// The caller's value kept with the template (verify: the flow's key).
        var flow: UInt64
        var headerLength: Int
        var levelCount: Int
        /// The original length of the frame the packet was last patched for: its lengths
        /// move from there.
        var originalLength: Int
        var snapped: Bool
        /// The smallest TCP, UDP or ICMP payload of a level, as last patched: how much shorter a frame may be.
        var minimumPayload: Int
        var lastUse: UInt32
    }

    /// Buckets of `ways` ways each; a power of two.
    let buckets: Int
    // Unchecked: one thread uses a table, and a dynamic exclusivity check on each access
    // cost about 40 instructions a frame.
    /// Per way: the hint of its template, 0 when empty.
    @exclusivity(unchecked) private var hints: UnsafeMutablePointer<UInt64>?
    @exclusivity(unchecked) private var heads: UnsafeMutablePointer<Head>?
    /// Per way: the decoded packet's bytes a view reads, then the header bytes, then which bits of them must match.
    @exclusivity(unchecked) private var entries: UnsafeMutableRawPointer?
    @exclusivity(unchecked) private var clock: UInt32 = 0
    /// Frames decoded from a template, and templates made.
    @exclusivity(unchecked) public private(set) var hits = 0
    @exclusivity(unchecked) public private(set) var learned = 0

    /// Where a way's header bytes start, after its packet; and a way's size.
    let packetBytes: Int
    let stride: Int

    public init(buckets: Int = 1024) {
        var n = 1
        while n < buckets { n <<= 1 }
        self.buckets = n
        packetBytes = (DecodedPacket.usedByteCount(levelCount: DecodedPacket.maxLevels) + 63) & ~63
        stride = packetBytes + 2 * Self.maxHeader
    }

    /// Level `i` of the packet at `p`.
    @inline(__always)
    private func level(_ i: Int, of p: UnsafeMutableRawPointer) -> UnsafeMutablePointer<PacketLevel> {
        (p + DecodedPacket.levelOffset(i)).assumingMemoryBound(to: PacketLevel.self)
    }

    deinit {
        hints?.deallocate()
        heads?.deallocate()
        entries?.deallocate()
    }

    /// Decodes `bytes` by a template of the same `context`: its `packet`, with the `flow` the
    /// template was learned with; none when no template fits, and the caller decodes the
    /// frame in full.
    @inline(__always)
    public func decode(_ bytes: borrowing RawSpan, linkType: LinkType, originalLength: Int, context: UInt64) -> TemplateLookup {
        var found = TemplateLookup.none
        guard let hints else { return found }
        let hint = Self.hint(bytes, linkType: linkType, context: context)
        guard hint != 0 else { return found }
        let first = bucket(hint) &* Self.ways
        for way in first..<first &+ Self.ways where hints[way] == hint && heads![way].context == context {
            switch apply(way, bytes, originalLength: originalLength) {
            case .applied:
                clock &+= 1
                heads![way].lastUse = clock
                hits += 1
                found.flow = heads![way].flow
                found.way = way
                found.packet = (entries! + way &* stride).assumingMemoryBound(to: DecodedPacket.self)
                return found
            case .differs:
                found.variant = true
            case .lengths:
                break
            }
        }
        return found
    }

    /// Keeps the frame just decoded into `p` (in full, from `bytes`) as a template, with
    /// `flow`, when it can be one: decoded to its end, no BGP or OSPF, and every level IP
    /// (not a fragment, not an ICMP quote, its length from its header) with TCP, UDP, an
    /// ICMP echo (the last level), or a tunnel (not the last level). `variant`: the frame
    /// missed a template of its flow by a bit that stays within a flow (`TemplateLookup`), so
    /// it is kept beside that template, not in its place. Returns the way it took, nil when
    /// the frame cannot be a template.
    @discardableResult
    public func learn(
        _ bytes: borrowing RawSpan, linkType: LinkType, context: UInt64, packet p: UnsafeMutablePointer<DecodedPacket>,
        flow: UInt64, variant: Bool = false, bgpPort: UInt16
    ) -> Int? {
        let levels = p.pointee.levelCount
        guard p.pointee.stop == nil, p.pointee.application == .none, levels > 0 else { return nil }
        let slots = LevelSlots(p)
        var minimumPayload = Int.max, headerLength = 0
        for i in 0..<levels {
            let level = slots[i]
            guard level.pointee.origin != .icmpQuote, let ip = level.pointee.ip, !ip.isFragment, !ip.lengthFromFrame else { return nil }
            let t = level.pointee.transport
            switch t.kind {
            case .tcp:
                guard t.headerLength > 0, t.sourcePort != bgpPort, t.destinationPort != bgpPort else { return nil }
            case .udp:
                // In bounds: the UDP header was decoded. A zero length (IPv6) takes its length from the IP header.
                guard t.headerLength > 0, Int(bytes.u16(t.offset + 4)) == t.payloadLength + 8 else { return nil }
            case .icmp, .icmpv6:
                // Echo requests and replies; an error quotes a packet, decoded as a level of its own.
                guard Self.isEcho(t), i == levels - 1 else { return nil }
            default:
                guard level.pointee.tunnel != nil, i < levels - 1 else { return nil }
                continue
            }
            minimumPayload = min(minimumPayload, t.payloadLength)
            headerLength = t.payloadOffset
        }
        guard slots[levels - 1].pointee.transport.kind != .none, headerLength >= 20, headerLength <= Self.maxHeader,
            headerLength <= bytes.byteCount
        else { return nil }
        let hint = Self.hint(bytes, linkType: linkType, context: context)
        guard hint != 0 else { return nil }
        if hints == nil { allocate() }
        let first = bucket(hint) &* Self.ways
        // The flow's own template when it has one and the frame missed it by its lengths; else
        // (a new flow, or a variant of one) a free way, else the one used
        // least lately.
        func holdsFlow(_ w: Int) -> Bool { hints![w] == hint && heads![w].flow == flow && heads![w].context == context }
        func age(_ w: Int) -> UInt32 { hints![w] == 0 ? .max : clock &- heads![w].lastUse }
        var way = first
        for w in first..<first + Self.ways {
            if !variant, holdsFlow(w) { way = w; break }
            if age(w) > age(way) { way = w }
        }
        clock &+= 1
        hints![way] = hint
        heads![way] = Head(
            context: context, flow: flow, headerLength: headerLength, levelCount: levels,
            originalLength: p.pointee.originalLength, snapped: p.pointee.isSnapped, minimumPayload: minimumPayload,
            lastUse: clock)
        let entry = entries! + way * stride
        entry.copyMemory(from: UnsafeRawPointer(p), byteCount: DecodedPacket.usedByteCount(levelCount: levels))
        let header = entry + packetBytes, care = header + Self.maxHeader
        bytes.withUnsafeBytes { header.copyMemory(from: $0.baseAddress!, byteCount: headerLength) }
        let mustMatch = care.initializeMemory(as: UInt8.self, repeating: 0xFF, count: headerLength)
        func free(_ at: Int, _ count: Int) { (mustMatch + at).update(repeating: 0, count: count) }
        for i in 0..<levels {
            let level = slots[i].pointee
            let ip = level.ip!
            if ip.version == 4 {
                free(ip.offset + 1, 5)  // TOS, total length (checked apart), identification
                free(ip.offset + 10, 2)  // header checksum
            } else {
                mustMatch[ip.offset + 1] &= 0xCF  // the ECN bits
                free(ip.offset + 4, 2)  // payload length (checked apart)
            }
            let t = level.transport
            if t.kind == .tcp {
                free(t.offset + 4, 8)  // sequence, acknowledgement
                mustMatch[t.offset + 13] = 0x37  // all flags but PSH, ECE and CWR
                free(t.offset + 14, 4)  // window, checksum
                // Option values, the MSS aside; each option's kind and length still match.
                var o = t.offset + 20
                while o < t.payloadOffset {
                    // In bounds: o < the header's end, and the decoder walked these options.
                    let kind = bytes.u8(o)
                    if kind == 0 { break }
                    if kind == 1 { o += 1; continue }
                    let length = Int(bytes.u8(o + 1))
                    guard length >= 2, o + length <= t.payloadOffset else { break }
                    if kind != 2 { free(o + 2, length - 2) }
                    o += length
                }
            } else if t.kind == .udp {
                free(t.offset + 4, 4)  // length (checked apart), checksum
            } else if t.kind == .icmp || t.kind == .icmpv6 {
                free(t.offset + 2, 6)  // checksum, identifier and sequence number
            }
        }
        learned += 1
        return way
    }

    private func allocate() {
        let ways = buckets * Self.ways
        hints = .allocate(capacity: ways)
        hints!.initialize(repeating: 0, count: ways)
        heads = .allocate(capacity: ways)
        entries = .allocate(byteCount: ways * stride, alignment: max(64, MemoryLayout<DecodedPacket>.alignment))
    }

    @inline(__always) private func bucket(_ hint: UInt64) -> Int { Int(truncatingIfNeeded: hint >> 20) & (buckets - 1) }

    /// What `apply` made of a frame.
    private enum Fit {
        case applied
        /// A header bit that stays within a flow differs.
        case differs
        /// Its lengths or snap do not move with the template's.
        case lengths
    }

    /// Rewrites template `way`'s packet where it lies for `bytes`, when they fit it.
    @inline(__always)
    private func apply(_ way: Int, _ bytes: borrowing RawSpan, originalLength: Int) -> Fit {
        let head = heads! + way
        let headerLength = head.pointee.headerLength, levels = head.pointee.levelCount
        let captured = bytes.byteCount, original = max(originalLength, captured)
        let shift = original - head.pointee.originalLength
        guard captured >= headerLength, (captured < original) == head.pointee.snapped, shift >= -head.pointee.minimumPayload else {
            return .lengths
        }
        let entry = entries! + way &* stride
        let header = UnsafeRawPointer(entry + packetBytes), care = header + Self.maxHeader
        // 16 bytes a step (one SSE register). In bounds: every step lies below headerLength ≤
        // captured; the last one, which overlaps the one before, ends at headerLength (≥ 20: an
        // IP header).
        func differ(_ i: Int) -> SIMD2<UInt64> {
            (bytes.unsafeLoadUnaligned(fromUncheckedByteOffset: i, as: SIMD2<UInt64>.self)
                ^ header.loadUnaligned(fromByteOffset: i, as: SIMD2<UInt64>.self)) & care.loadUnaligned(fromByteOffset: i, as: SIMD2<UInt64>.self)
        }
        let last = headerLength &- 16
        var differs = differ(last)
        var i = 0
        while i < last {
            differs |= differ(i)
            i &+= 16
        }
        guard differs[0] | differs[1] == 0 else { return .differs }
        for l in 0..<levels where !Self.lengthsMove(level(l, of: entry), bytes, shift: shift) { return .lengths }
        Self.patch(entry.assumingMemoryBound(to: DecodedPacket.self), levels: levels, bytes, shift: shift, captured: captured, original: original)
        head.pointee.originalLength = original
        head.pointee.minimumPayload &+= shift
        return .applied
    }

    /// Rewrites the fields of packet `p`, of `levels` levels, that change within a flow, for
    /// `bytes`: its lengths move by `shift` from the frame it was last patched for, the other
    /// fields are read from `bytes`. What stays within a flow is left as it is.
    @inline(__always)
    static func patch(
        _ p: UnsafeMutablePointer<DecodedPacket>, levels: Int, _ bytes: borrowing RawSpan, shift: Int, captured: Int, original: Int
    ) {
        p.pointee.capturedLength = captured
        p.pointee.originalLength = original
        let base = UnsafeMutableRawPointer(p)
        for l in 0..<levels {
            patch((base + DecodedPacket.levelOffset(l)).assumingMemoryBound(to: PacketLevel.self), bytes, shift: shift, captured: captured)
        }
    }

    /// True when a template level's length fields (IP, UDP) in `bytes` are its own moved by `shift`.
    /// In bounds: every offset read lies in the template's headers, which `bytes` holds.
    @inline(__always)
    private static func lengthsMove(_ level: UnsafeMutablePointer<PacketLevel>, _ bytes: borrowing RawSpan, shift: Int) -> Bool {
        let ip = level.pointee.ip.unsafelyUnwrapped
        let total = ip.version == 4 ? Int(bytes.u16(ip.offset + 2)) : IPv6Header.length + Int(bytes.u16(ip.offset + 4))
        guard total == ip.totalLength &+ shift else { return false }
        let t = level.pointee.transport
        return t.kind != .udp || Int(bytes.u16(t.offset + 4)) == t.payloadLength &+ 8 &+ shift
    }

    /// Rewrites a level's fields that change within a flow from `bytes`, its lengths moved
    /// by `shift`, in place. In bounds: as `lengthsMove`.
    @inline(__always)
    private static func patch(_ level: UnsafeMutablePointer<PacketLevel>, _ bytes: borrowing RawSpan, shift: Int, captured: Int) {
        let at = level.pointee.ip.unsafelyUnwrapped.offset
        if level.pointee.ip.unsafelyUnwrapped.version == 4 {
            level.pointee.ip!.identification = UInt32(bytes.u16(at + 4))
            level.pointee.ip!.checksum = bytes.u16(at + 10)
        }
        level.pointee.ip!.totalLength &+= shift
        let kind = level.pointee.transport.kind, t = level.pointee.transport.offset
        switch kind {
        case .tcp:
            level.pointee.transport.sequence = bytes.u32(t + 4)
            level.pointee.transport.acknowledgement = bytes.u32(t + 8)
            level.pointee.transport.tcpFlags = TCPFlags(rawValue: bytes.u16(t + 12) & 0x1FF)
            level.pointee.transport.window = bytes.u16(t + 14)
        case .icmp, .icmpv6:
            level.pointee.transport.icmpRest = bytes.u32(t + 4)
        default:
            break
        }
        if kind != .none {
            let payload = level.pointee.transport.payloadOffset, length = level.pointee.transport.payloadLength &+ shift
            level.pointee.transport.payloadLength = length
            level.pointee.transport.capturedPayloadLength = max(0, min(captured, payload &+ length) &- payload)
        }
        if level.pointee.tunnel != nil { level.pointee.tunnel!.innerLength &+= shift }
    }

    /// A hash of the bytes that name a frame's flow, found without decoding it: the link
    /// header's type, the IP addresses and protocol, the first 4 bytes after the IP header
    /// (TCP/UDP ports; a VXLAN or GENEVE source port follows its inner flow), and for
    /// IP-in-IP the inner addresses and ports too. 0: none (not IP, or cut short).
    @inline(__always)
    static func hint(_ s: borrowing RawSpan, linkType: LinkType, context: UInt64) -> UInt64 {
        var o: Int, type: UInt16
        switch linkType {
        case .ethernet:
            guard s.has(14, at: 0) else { return 0 }
            (o, type) = (14, s.u16(12))
            var tags = 0
            while VLANTag.isTagType(type), tags < 2 {
                guard s.has(4, at: o) else { return 0 }
                (type, o, tags) = (s.u16(o + 2), o + 4, tags + 1)
            }
        case .linuxSLL:
            guard s.has(16, at: 0) else { return 0 }
            (o, type) = (16, s.u16(14))
        case .linuxSLL2:
            guard s.has(20, at: 0) else { return 0 }
            (o, type) = (20, s.u16(0))
        case .raw, .rawOpenBSD, .rawLinkType, .ipv4, .ipv6, .null, .loop:
            o = linkType == .null || linkType == .loop ? 4 : 0
            guard s.has(1, at: o) else { return 0 }
            type = s.u8(o) >> 4 == 6 ? EtherType.ipv6 : EtherType.ipv4
        default:
            return 0
        }
        var h = mix(context, UInt64(type) | UInt64(linkType.rawValue) << 16 | UInt64(o) << 48)
        var proto: UInt8, next: Int
        if type == EtherType.ipv4 {
            guard s.has(20, at: o) else { return 0 }
            (proto, next) = (s.u8(o + 9), o + Int(s.u8(o) & 0x0F) * 4)
            h = mix(h, s.u64(o + 12) ^ UInt64(proto) << 56)
            if proto == IPProtocol.ipip, s.has(20, at: next) {
                (proto, o) = (s.u8(next + 9), next)
                next += Int(s.u8(next) & 0x0F) * 4
                h = mix(h, s.u64(o + 12) ^ UInt64(proto))
            }
        } else if type == EtherType.ipv6 {
            guard s.has(40, at: o) else { return 0 }
            (proto, next) = (s.u8(o + 6), o + 40)
            h = mix(mix(h, s.u64(o + 8) ^ UInt64(proto)), s.u64(o + 16))
            h = mix(mix(h, s.u64(o + 24)), s.u64(o + 32))
        } else {
            return 0
        }
        if proto == IPProtocol.tcp || proto == IPProtocol.udp, s.has(4, at: next) {
            h = mix(h, UInt64(s.u32(next)))
        } else if proto == IPProtocol.icmp || proto == IPProtocol.icmpv6, s.has(6, at: next) {
            h = mix(h, UInt64(s.u16(next)) << 16 | UInt64(s.u16(next + 4)))  // type, code, echo identifier
        }
        h ^= h >> 29
        return h == 0 ? 1 : h
    }

    /// An ICMP or ICMPv6 echo request or reply.
    static func isEcho(_ t: TransportFields) -> Bool {
        t.kind == .icmp ? t.icmpType == 0 || t.icmpType == 8 : t.icmpType == 128 || t.icmpType == 129
    }

    @inline(__always)
    static func mix(_ h: UInt64, _ x: UInt64) -> UInt64 { (h ^ x) &* 0x9E37_79B9_7F4A_7C15 }
}

/// A copy of a `HeaderTemplates`' packets, kept by another thread: the analysers' thread of a
/// two-thread read (ParallelRead.swift) decodes a steady frame from its own copy of the
/// template the reading thread found, so that no decoded packet crosses from one core to the
/// other. It is told of every template learned (`keep`) before the first frame decoded from
/// it, in the order of the frames, but need not see every frame decoded from one: a packet's
/// lengths move from whichever frame it was last patched for. A frame that fitted the
/// template there fits it here, so it is patched without another comparison. Allocated at
/// the first `keep`.
public final class TemplateMirror {
    struct Head {
        var levelCount: Int
        /// As `HeaderTemplates.Head`'s.
        var originalLength: Int
    }

    /// Ways of the templates mirrored: a template way is below this.
    public let ways: Int
    let packetBytes: Int
    @exclusivity(unchecked) private var heads: UnsafeMutablePointer<Head>?
    @exclusivity(unchecked) private var packets: UnsafeMutableRawPointer?

    /// A mirror of `templates`, empty.
    public init(of templates: HeaderTemplates) {
        ways = templates.buckets * HeaderTemplates.ways
        packetBytes = templates.packetBytes
    }

    deinit {
        heads?.deallocate()
        packets?.deallocate()
    }

    /// Keeps `p`, the packet `HeaderTemplates.learn` just took as a template, as way `way`'s.
    public func keep(_ p: PacketView, way: Int) {
        precondition(way >= 0 && way < ways, "no such template way")
        if heads == nil {
            heads = .allocate(capacity: ways)
            heads!.initialize(repeating: Head(levelCount: 0, originalLength: 0), count: ways)
            packets = .allocate(byteCount: ways * packetBytes, alignment: max(64, MemoryLayout<DecodedPacket>.alignment))
        }
        let levels = p.levelCount
        heads![way] = Head(levelCount: levels, originalLength: p.originalLength)
        (packets! + way * packetBytes).copyMemory(from: UnsafeRawPointer(p.packet), byteCount: DecodedPacket.levelOffset(levels))
    }

    /// The packet of `bytes`, which fitted template `way` in the templates mirrored: the
    /// mirror's, patched. Valid until the next `decode` or `keep`.
    @inline(__always)
    public func decode(_ bytes: borrowing RawSpan, way: Int, originalLength: Int) -> PacketView {
        precondition(heads != nil && heads![way].levelCount > 0, "a frame from a template the mirror was not given")
        let head = heads.unsafelyUnwrapped + way
        let captured = bytes.byteCount, original = max(originalLength, captured)
        let p = (packets.unsafelyUnwrapped + way &* packetBytes).assumingMemoryBound(to: DecodedPacket.self)
        HeaderTemplates.patch(
            p, levels: head.pointee.levelCount, bytes, shift: original &- head.pointee.originalLength, captured: captured, original: original)
        head.pointee.originalLength = original
        return PacketView(UnsafePointer(p))
    }
}
