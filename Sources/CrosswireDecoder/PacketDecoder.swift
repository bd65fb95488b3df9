// The lax walker: decodes every layer it can, level by level, and records
// where and why it stopped. It never throws to its caller and never
// allocates: the result goes into a `DecodedPacket` the caller owns.

/// Which UDP ports mean VXLAN and GENEVE, and which TCP port means BGP.
public struct DecoderOptions: Sendable {
    /// UDP ports decoded as VXLAN: 4789 (IANA) and 8472 (Linux and flannel's default), plus added ones.
    public private(set) var vxlanPorts: InlineArray<8, UInt16>
    public private(set) var vxlanPortCount: Int
    /// UDP ports decoded as GENEVE: 6081 plus added ones.
    public private(set) var genevePorts: InlineArray<4, UInt16>
    public private(set) var genevePortCount: Int
    /// The TCP port of BGP.
    public var bgpPort: UInt16 = 179

    public init() {
        vxlanPorts = InlineArray(repeating: 0)
        vxlanPorts[0] = 4789
        vxlanPorts[1] = 8472
        vxlanPortCount = 2
        genevePorts = InlineArray(repeating: 0)
        genevePorts[0] = 6081
        genevePortCount = 1
    }

    /// Adds a UDP port to decode as VXLAN (up to 8 in all). Returns false when full.
    @discardableResult
    public mutating func addVXLANPort(_ port: UInt16) -> Bool {
        if isVXLAN(port) { return true }
        guard vxlanPortCount < 8 else { return false }
        vxlanPorts[vxlanPortCount] = port
        vxlanPortCount += 1
        return true
    }

    /// Adds a UDP port to decode as GENEVE (up to 4 in all). Returns false when full.
    @discardableResult
    public mutating func addGENEVEPort(_ port: UInt16) -> Bool {
        if isGENEVE(port) { return true }
        guard genevePortCount < 4 else { return false }
        genevePorts[genevePortCount] = port
        genevePortCount += 1
        return true
    }

    public func isVXLAN(_ port: UInt16) -> Bool {
        for i in 0..<vxlanPortCount where vxlanPorts[i] == port { return true }
        return false
    }

    public func isGENEVE(_ port: UInt16) -> Bool {
        for i in 0..<genevePortCount where genevePorts[i] == port { return true }
        return false
    }
}

/// Decodes frames into `DecodedPacket`s.
public struct PacketDecoder: Sendable {
    public var options: DecoderOptions

    public init(options: DecoderOptions = DecoderOptions()) { self.options = options }

    /// What to decode next at an offset.
    enum Next {
        case ethernet, etherType(UInt16), ipv4, ipv6, ipAny, done
    }

    /// Decodes one frame. `bytes` are the captured bytes; `originalLength` the
    /// frame's length on the wire. Never fails: layers that could be decoded
    /// are in `packet`, and `packet.stop` says where and why it stopped.
    public func decode(_ bytes: borrowing RawSpan, linkType: LinkType, originalLength: Int, into packet: inout DecodedPacket) {
        withUnsafeMutablePointer(to: &packet) { decode(bytes, linkType: linkType, originalLength: originalLength, into: $0) }
    }

    /// Decodes a frame into the packet `p` points to (`DecodedPacketBuffer`'s), writing each
    /// level in place.
    public func decode(_ bytes: borrowing RawSpan, linkType: LinkType, originalLength: Int, into p: UnsafeMutablePointer<DecodedPacket>) {
        p.pointee.linkType = linkType
        p.pointee.capturedLength = bytes.byteCount
        p.pointee.originalLength = max(originalLength, bytes.byteCount)
        p.pointee.levelCount = 1
        let slots = LevelSlots(p)
        slots[0].pointee = .empty
        p.pointee.layerCount = 0
        p.pointee.application = .none
        p.pointee.applicationLevel = 0
        p.pointee.applicationOffset = 0
        p.pointee.applicationLength = 0
        p.pointee.stop = nil
        do throws(DecodeStop) {
            try walk(bytes, linkType: linkType, into: p, slots: slots)
        } catch {
            p.pointee.stop = error
        }
    }

    func walk(_ s: borrowing RawSpan, linkType: LinkType, into p: UnsafeMutablePointer<DecodedPacket>, slots: LevelSlots) throws(DecodeStop) {
        var offset = 0
        var next: Next
        switch linkType {
        case .ethernet:
            next = .ethernet
        case .linuxSLL, .linuxSLL2:
            let h = linkType == .linuxSLL ? try LinuxCookedHeader.parseV1(s, at: 0) : try LinuxCookedHeader.parseV2(s, at: 0)
            p.pointee.record(linkType == .linuxSLL ? .linuxSLL : .linuxSLL2, level: 0, at: 0)
            slots[0].pointee.cooked = h
            offset = h.length
            next = .etherType(h.protocolType)
        case .null, .loop:
            let type = try LoopbackHeader.etherType(s, at: 0)
            p.pointee.record(.null, level: 0, at: 0)
            offset = 4
            next = .etherType(type)
        case .raw, .rawOpenBSD, .rawLinkType:
            next = .ipAny
        case .ipv4:
            next = .ipv4
        case .ipv6:
            next = .ipv6
        default:
            throw DecodeStop(.payload, at: 0, .unsupported(linkType.rawValue))
        }
        // The end of the bytes the enclosing headers declare for this level.
        var declaredEnd = p.pointee.originalLength
        // True while inside a fragment or an ICMP quote, where inner lengths may exceed what is there.
        var lenient = false
        var level = 0

        while true {
            switch next {
            case .done:
                return

            case .ethernet:
                let h = try EthernetHeader.parse(s, at: offset)
                p.pointee.record(.ethernet, level: level, at: offset)
                slots[level].pointee.ethernet = h
                offset += EthernetHeader.length
                if h.etherType <= 1500 {
                    // An IEEE 802.3 length field: LLC follows, which is not decoded.
                    p.pointee.record(.llc, level: level, at: offset)
                    throw DecodeStop(.llc, at: offset, .unsupported(UInt32(h.etherType)))
                }
                next = .etherType(h.etherType)

            case .etherType(var type):
                while VLANTag.isTagType(type) {
                    let tag = try VLANTag.parse(s, at: offset, tpid: type)
                    p.pointee.record(.vlan, level: level, at: offset)
                    if slots[level].pointee.vlanCount < 4 { slots[level].pointee.vlans[slots[level].pointee.vlanCount] = tag }
                    slots[level].pointee.vlanCount += 1
                    offset += VLANTag.length
                    type = tag.innerType
                }
                slots[level].pointee.etherType = type
                switch type {
                case EtherType.ipv4: next = .ipv4
                case EtherType.ipv6: next = .ipv6
                case EtherType.arp:
                    let h = try ARPHeader.parse(s, at: offset)
                    p.pointee.record(.arp, level: level, at: offset)
                    slots[level].pointee.arp = h
                    return
                default:
                    throw DecodeStop(.payload, at: offset, .unsupported(UInt32(type)))
                }

            case .ipAny:
                try s.require(1, at: offset, .ipv4)
                // In bounds: 1 byte checked above.
                let version = s.u8(offset) >> 4
                switch version {
                case 4: next = .ipv4
                case 6: next = .ipv6
                default: throw DecodeStop(.ipv4, at: offset, .badVersion(version))
                }

            case .ipv4:
                let h = try IPv4Header.parse(s, at: offset)
                p.pointee.record(.ipv4, level: level, at: offset)
                slots[level].pointee.etherType = EtherType.ipv4
                var total = h.totalLength
                var fromFrame = false
                if total == 0 {
                    // TSO / BIG TCP: the length field is 0 and the frame says how long the packet is.
                    total = declaredEnd - offset
                    fromFrame = true
                    // The header itself lies past what encloses it: no length to take.
                    guard total >= h.headerLength else { throw DecodeStop(.ipv4, at: offset, .badLength(field: 0)) }
                }
                if offset + total > declaredEnd {
                    if lenient {
                        total = declaredEnd - offset
                        // The header itself reaches past what encloses it (a quote cut inside the IP header).
                        guard total >= h.headerLength else { throw DecodeStop(.ipv4, at: offset, .badLength(field: UInt32(h.totalLength))) }
                    } else {
                        slots[level].pointee.ip = ipFields(h, at: offset, total: total, fromFrame: fromFrame)
                        throw DecodeStop(.ipv4, at: offset, .badLength(field: UInt32(h.totalLength)))
                    }
                }
                slots[level].pointee.ip = ipFields(h, at: offset, total: total, fromFrame: fromFrame)
                declaredEnd = offset + total
                let payloadOffset = offset + h.headerLength
                if h.fragmentOffset != 0 {
                    // A later fragment: its bytes continue an upper-layer header met elsewhere.
                    p.pointee.record(.payload, level: level, at: payloadOffset)
                    return
                }
                if h.moreFragments { lenient = true }
                next = try transport(
                    s, protocol: h.protocolNumber, ipVersion: 4, at: payloadOffset, end: declaredEnd,
                    level: &level, lenient: &lenient, declaredEnd: &declaredEnd, offset: &offset, into: p, slots: slots)

            case .ipv6:
                let h = try IPv6Header.parse(s, at: offset)
                p.pointee.record(.ipv6, level: level, at: offset)
                slots[level].pointee.etherType = EtherType.ipv6
                var total = IPv6Header.length + h.payloadLength
                var fromFrame = false
                if h.payloadLength == 0 && h.nextHeader != IPProtocol.noNextHeader {
                    // A jumbogram or a BIG TCP packet: the frame says how long it is.
                    total = declaredEnd - offset
                    fromFrame = true
                    guard total >= IPv6Header.length else { throw DecodeStop(.ipv6, at: offset, .badLength(field: 0)) }
                }
                if offset + total > declaredEnd {
                    if lenient {
                        total = declaredEnd - offset
                        // The header itself reaches past what encloses it (a quote cut inside the IPv6 header).
                        guard total >= IPv6Header.length else { throw DecodeStop(.ipv6, at: offset, .badLength(field: UInt32(h.payloadLength))) }
                    } else {
                        slots[level].pointee.ip = ipv6Fields(h, at: offset, total: total, headerLength: IPv6Header.length, protocol: h.nextHeader, fromFrame: fromFrame)
                        throw DecodeStop(.ipv6, at: offset, .badLength(field: UInt32(h.payloadLength)))
                    }
                }
                declaredEnd = offset + total
                // Walk the extension headers.
                var nextHeader = h.nextHeader
                var at = offset + IPv6Header.length
                var fields = ipv6Fields(h, at: offset, total: total, headerLength: IPv6Header.length, protocol: nextHeader, fromFrame: fromFrame)
                var extensions = 0
                while IPv6ExtensionHeader.isExtension(nextHeader) {
                    extensions += 1
                    guard extensions <= 16 else { throw DecodeStop(.ipv6, at: at, .badField(UInt32(nextHeader))) }
                    slots[level].pointee.ip = fields
                    let e = try IPv6ExtensionHeader.parse(s, kind: nextHeader, at: at, end: declaredEnd)
                    p.pointee.record(e.layer, level: level, at: at)
                    if e.kind == IPProtocol.fragment {
                        fields.isFragment = true
                        fields.moreFragments = e.moreFragments
                        fields.fragmentOffset = e.fragmentOffset
                        fields.identification = e.identification
                    }
                    nextHeader = e.nextHeader
                    at += e.length
                }
                fields.protocolNumber = nextHeader
                fields.headerLength = at - offset
                slots[level].pointee.ip = fields
                if fields.fragmentOffset != 0 {
                    p.pointee.record(.payload, level: level, at: at)
                    return
                }
                if fields.moreFragments { lenient = true }
                if nextHeader == IPProtocol.noNextHeader { return }
                next = try transport(
                    s, protocol: nextHeader, ipVersion: 6, at: at, end: declaredEnd,
                    level: &level, lenient: &lenient, declaredEnd: &declaredEnd, offset: &offset, into: p, slots: slots)
            }
        }
    }

    /// Decodes what follows an IP header, and says what comes next (a new
    /// level for tunnels and ICMP quotes, or `.done`).
    func transport(
        _ s: borrowing RawSpan, protocol proto: UInt8, ipVersion: UInt8, at offset: Int, end: Int,
        level: inout Int, lenient: inout Bool, declaredEnd: inout Int, offset cursor: inout Int,
        into p: UnsafeMutablePointer<DecodedPacket>, slots: LevelSlots
    ) throws(DecodeStop) -> Next {
        let inQuote = slots[level].pointee.origin == .icmpQuote
        // The upper-layer header starts inside the packet, not in bytes after it (Ethernet padding, say);
        // a quote may end anywhere. `cursor` is still the IP header's offset here.
        guard offset < end || inQuote else {
            let field = ipVersion == 4 ? end - cursor : end - cursor - IPv6Header.length
            throw DecodeStop(ipVersion == 4 ? .ipv4 : .ipv6, at: cursor, .badLength(field: UInt32(max(0, field))))
        }
        switch proto {
        case IPProtocol.udp:
            if inQuote {
                // A quoted header may be cut anywhere after its ports.
                let (sp, dp) = try TCPHeader.parsePorts(s, at: offset, layer: .udp)
                p.pointee.record(.udp, level: level, at: offset)
                setPorts(&slots[level].pointee.transport, .udp, sp, dp, at: offset)
                return .done
            }
            let h = try UDPHeader.parse(s, at: offset)
            p.pointee.record(.udp, level: level, at: offset)
            var length = h.datagramLength
            if length == 0 && ipVersion == 6 { length = end - offset }
            guard length >= UDPHeader.length else {
                throw DecodeStop(.udp, at: offset, .badLength(field: UInt32(h.datagramLength)))
            }
            if offset + length > end {
                guard lenient else { throw DecodeStop(.udp, at: offset, .badLength(field: UInt32(h.datagramLength))) }
                length = end - offset
                // A fragment (or quote) that ends inside the UDP header itself: no payload length to give.
                guard length >= UDPHeader.length else {
                    throw DecodeStop(.udp, at: offset, .badLength(field: UInt32(h.datagramLength)))
                }
            }
            // The datagram's own length: inside a first fragment it reaches past the fragment.
            let datagramEnd = offset + max(length, h.datagramLength)
            var t = TransportFields.none
            t.kind = .udp
            t.sourcePort = h.sourcePort
            t.destinationPort = h.destinationPort
            t.offset = offset
            t.headerLength = UDPHeader.length
            t.payloadOffset = offset + UDPHeader.length
            t.payloadLength = length - UDPHeader.length
            t.capturedPayloadLength = max(0, min(s.byteCount, offset + length) - t.payloadOffset)
            slots[level].pointee.transport = t
            // A UDP tunnel: its header, the inner packet's start and what it is.
            let port = h.destinationPort
            let kind: TunnelKind, layer: Layer, vni: UInt32, inner: Int, next: Next
            if options.isVXLAN(port) {
                let v = try VXLANHeader.parse(s, at: t.payloadOffset)
                (kind, layer, vni, inner, next) = (.vxlan, .vxlan, v.vni, t.payloadOffset + VXLANHeader.length, .ethernet)
                p.pointee.record(layer, level: level, at: t.payloadOffset)
            } else if port == VXLANGPEHeader.port {
                let v = try VXLANGPEHeader.parse(s, at: t.payloadOffset)
                p.pointee.record(.vxlanGPE, level: level, at: t.payloadOffset)
                var at = t.payloadOffset + VXLANGPEHeader.length
                var nextProtocol = v.nextProtocol
                var chained = 0
                while nextProtocol == 4 {
                    // NSH, possibly stacked; each one says what follows it.
                    chained += 1
                    guard chained <= 4 else { throw DecodeStop(.nsh, at: at, .tooDeep) }
                    let n = try NSHHeader.parse(s, at: at)
                    p.pointee.record(.nsh, level: level, at: at)
                    at += n.length
                    nextProtocol = n.nextProtocol
                }
                switch nextProtocol {
                case 1: next = .ipv4
                case 2: next = .ipv6
                case 3: next = .ethernet
                default: throw DecodeStop(.vxlanGPE, at: t.payloadOffset, .unsupported(UInt32(nextProtocol)))
                }
                (kind, layer, vni, inner) = (.vxlanGPE, .vxlanGPE, v.vni, at)
            } else if options.isGENEVE(port) {
                let g = try GENEVEHeader.parse(s, at: t.payloadOffset)
                p.pointee.record(.geneve, level: level, at: t.payloadOffset)
                (kind, layer, vni, inner) = (.geneve, .geneve, g.vni, t.payloadOffset + g.length)
                next = g.protocolType == EtherType.transparentEthernet ? .ethernet : .etherType(g.protocolType)
            } else {
                return .done
            }
            guard inner <= offset + length else {
                throw DecodeStop(layer, at: t.payloadOffset, .badLength(field: UInt32(h.datagramLength)))
            }
            try openLevel(p, slots: slots, from: &level, tunnel: TunnelFields(
                kind: kind, vni: vni, udpPort: port, offset: offset, headerLength: inner - offset, innerOffset: inner,
                innerLength: datagramEnd - inner), at: inner)
            declaredEnd = offset + length
            cursor = inner
            return next

        case IPProtocol.tcp:
            if inQuote {
                let (sp, dp) = try TCPHeader.parsePorts(s, at: offset)
                p.pointee.record(.tcp, level: level, at: offset)
                setPorts(&slots[level].pointee.transport, .tcp, sp, dp, at: offset)
                // Keep the quoted sequence number when it is there.
                if s.has(8, at: offset) {
                    // In bounds: 8 bytes checked just above.
                    slots[level].pointee.transport.sequence = s.u32(offset + 4)
                }
                return .done
            }
            let h = try TCPHeader.parse(s, at: offset)
            p.pointee.record(.tcp, level: level, at: offset)
            guard offset + h.headerLength <= end else {
                throw DecodeStop(.tcp, at: offset, .badLength(field: UInt32(h.headerLength / 4)))
            }
            var t = TransportFields.none
            t.kind = .tcp
            t.sourcePort = h.sourcePort
            t.destinationPort = h.destinationPort
            t.sequence = h.sequence
            t.acknowledgement = h.acknowledgement
            t.tcpFlags = h.flags
            t.window = h.window
            t.maximumSegmentSize = h.maximumSegmentSize
            t.tcpMD5Signature = h.md5Signature
            t.offset = offset
            t.headerLength = h.headerLength
            t.payloadOffset = offset + h.headerLength
            t.payloadLength = end - t.payloadOffset
            t.capturedPayloadLength = max(0, min(s.byteCount, end) - t.payloadOffset)
            slots[level].pointee.transport = t
            if (h.sourcePort == options.bgpPort || h.destinationPort == options.bgpPort) && t.payloadLength > 0 {
                p.pointee.application = .bgp
                p.pointee.applicationLevel = level
                p.pointee.applicationOffset = t.payloadOffset
                p.pointee.applicationLength = t.capturedPayloadLength
            }
            return .done

        case IPProtocol.icmp, IPProtocol.icmpv6:
            let isV6 = proto == IPProtocol.icmpv6
            let layer: Layer = isV6 ? .icmpv6 : .icmp
            let h = try ICMPHeader.parse(s, at: offset, layer: layer)
            p.pointee.record(layer, level: level, at: offset)
            var t = TransportFields.none
            t.kind = isV6 ? .icmpv6 : .icmp
            t.icmpType = h.type
            t.icmpCode = h.code
            t.icmpRest = h.rest
            t.offset = offset
            t.headerLength = ICMPHeader.length
            t.payloadOffset = offset + ICMPHeader.length
            t.payloadLength = max(0, end - t.payloadOffset)
            t.capturedPayloadLength = max(0, min(s.byteCount, end) - t.payloadOffset)
            slots[level].pointee.transport = t
            let quotes = isV6 ? ICMPHeader.v6QuotesPacket(h.type) : ICMPHeader.v4QuotesPacket(h.type)
            if quotes, !inQuote, t.capturedPayloadLength > 0, level + 1 < DecodedPacket.maxLevels {
                level += 1
                p.pointee.levelCount = level + 1
                slots[level].pointee = .empty
                slots[level].pointee.origin = .icmpQuote
                lenient = true
                cursor = t.payloadOffset
                return isV6 ? .ipv6 : .ipv4
            }
            return .done

        case IPProtocol.ipip, IPProtocol.ipv6:
            let innerIsV4 = proto == IPProtocol.ipip
            let kind: TunnelKind = ipVersion == 4 ? (innerIsV4 ? .ipip : .sixInFour) : (innerIsV4 ? .fourInSix : .sixInSix)
            if inQuote { return .done }
            try openLevel(p, slots: slots, from: &level, tunnel: TunnelFields(
                kind: kind, vni: nil, udpPort: 0, offset: offset, headerLength: 0, innerOffset: offset,
                innerLength: end - offset), at: offset)
            cursor = offset
            return innerIsV4 ? .ipv4 : .ipv6

        case IPProtocol.gre:
            if inQuote { return .done }
            let g = try GREHeader.parse(s, at: offset)
            p.pointee.record(.gre, level: level, at: offset)
            var inner = offset + g.length
            let next: Next
            switch g.protocolType {
            case EtherType.transparentEthernet:
                next = .ethernet
            case EtherType.ipv4, EtherType.ipv6:
                next = .etherType(g.protocolType)
            case EtherType.erspan2:
                // ERSPAN type I has no header (no sequence number in GRE); type II has 8 bytes.
                if g.sequence != nil {
                    try s.require(8, at: inner, .erspan)
                    p.pointee.record(.erspan, level: level, at: inner)
                    inner += 8
                }
                next = .ethernet
            case EtherType.erspan3:
                try s.require(12, at: inner, .erspan)
                p.pointee.record(.erspan, level: level, at: inner)
                // In bounds: 12 bytes checked above; the O flag (bit 0 of byte 11) adds an 8-byte subheader.
                let hasSubheader = s.u8(inner + 11) & 0x01 != 0
                inner += hasSubheader ? 20 : 12
                next = .ethernet
            case EtherType.ciscoMetaData:
                // Cisco MetaData inside GRE: the next EtherType first, then version, length,
                // option type and SGT (6 bytes), as carried by Cisco's GRE with SGT tagging.
                try s.require(8, at: inner, .ciscoMetaData)
                p.pointee.record(.ciscoMetaData, level: level, at: inner)
                // In bounds: 8 bytes checked above.
                let type = s.u16(inner)
                inner += 8
                next = .etherType(type)
            case EtherType.wccp:
                // WCCP redirect header (4 bytes) then IPv4, unless the first nibble already says IPv4.
                try s.require(1, at: inner, .wccp)
                // In bounds: 1 byte checked above.
                if s.u8(inner) >> 4 != 4 {
                    p.pointee.record(.wccp, level: level, at: inner)
                    inner += 4
                }
                next = .ipv4
            default:
                throw DecodeStop(.gre, at: offset, .unsupported(UInt32(g.protocolType)))
            }
            guard inner <= end else { throw DecodeStop(.gre, at: offset, .badLength(field: UInt32(inner - offset))) }
            try openLevel(p, slots: slots, from: &level, tunnel: TunnelFields(
                kind: .gre, vni: g.key, udpPort: 0, offset: offset, headerLength: inner - offset,
                innerOffset: inner, innerLength: end - inner), at: inner)
            cursor = inner
            return next

        case IPProtocol.ospf:
            p.pointee.record(.ospf, level: level, at: offset)
            p.pointee.application = .ospf
            p.pointee.applicationLevel = level
            p.pointee.applicationOffset = offset
            p.pointee.applicationLength = max(0, min(s.byteCount, end) - offset)
            return .done

        case IPProtocol.esp:
            p.pointee.record(.esp, level: level, at: offset)
            return .done

        default:
            throw DecodeStop(.payload, at: offset, .unsupported(UInt32(proto)))
        }
    }

    func openLevel(_ p: UnsafeMutablePointer<DecodedPacket>, slots: LevelSlots, from level: inout Int, tunnel: TunnelFields, at offset: Int) throws(DecodeStop) {
        slots[level].pointee.tunnel = tunnel
        guard level + 1 < DecodedPacket.maxLevels else { throw DecodeStop(.payload, at: offset, .tooDeep) }
        level += 1
        p.pointee.levelCount = level + 1
        slots[level].pointee = .empty
        slots[level].pointee.origin = .tunnel
    }

    func setPorts(_ t: inout TransportFields, _ kind: TransportKind, _ sp: UInt16, _ dp: UInt16, at offset: Int) {
        t = .none
        t.kind = kind
        t.sourcePort = sp
        t.destinationPort = dp
        t.offset = offset
    }

    func ipFields(_ h: IPv4Header, at offset: Int, total: Int, fromFrame: Bool) -> IPFields {
        IPFields(
            version: 4, source: .v4(h.source), destination: .v4(h.destination), ttl: h.ttl,
            protocolNumber: h.protocolNumber, identification: UInt32(h.identification), dontFragment: h.dontFragment,
            moreFragments: h.moreFragments, fragmentOffset: h.fragmentOffset, isFragment: h.isFragment,
            flowLabel: 0, offset: offset, headerLength: h.headerLength, totalLength: total, checksum: h.checksum,
            lengthFromFrame: fromFrame)
    }

    func ipv6Fields(_ h: IPv6Header, at offset: Int, total: Int, headerLength: Int, protocol proto: UInt8, fromFrame: Bool) -> IPFields {
        IPFields(
            version: 6, source: .v6(h.source), destination: .v6(h.destination), ttl: h.hopLimit,
            protocolNumber: proto, identification: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0,
            isFragment: false, flowLabel: h.flowLabel, offset: offset, headerLength: headerLength, totalLength: total,
            checksum: 0, lengthFromFrame: fromFrame)
    }
}
