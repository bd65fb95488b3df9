// Text for `crosswire decode`: the BGP and OSPF columns of `-T fields`,
// formatted as tshark 4.0 prints them, and one-line human summaries.
//
// tshark 4.0 quirks, checked against Tests/Corpus/tcpdump/tshark/*.tsv:
// * `bgp.nlri_prefix` / `bgp.withdrawn_prefix` print the prefix address
//   without its length (`192.168.10.0`), and only for the classic IPv4 NLRI /
//   Withdrawn Routes fields of an UPDATE. Prefixes inside MP_REACH_NLRI /
//   MP_UNREACH_NLRI go to other fields (`bgp.mp_reach_nlri_ipv4_prefix`,
//   `bgp.mp_reach_nlri_ipv6_prefix`, …) and never appear here, even for IPv4
//   unicast (`bgp-bgpsec.pcap` frame 18: ten MP_REACH prefixes, empty
//   `bgp.nlri_prefix`).
// * `bgp.update.path_attribute.next_hop` is only the NEXT_HOP attribute
//   (type 3), once per UPDATE that has one, so an UPDATE without it (an
//   End-of-RIB, an MP-only UPDATE) adds nothing: `bgp-role.pcapng` frame 4
//   has 8 UPDATEs and 7 next hops. A NEXT_HOP of 0.0.0.0 is printed as is
//   (`bgp-aigp-2.pcap`). MP_REACH next hops are in
//   `bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv4/ipv6`.
// * `bgp.type` lists every message of the frame, including unknown types.
//   A message whose bytes arrive in several segments belongs to the frame
//   that completes it; a retransmitted segment shows nothing
//   (`bgp-shutdown-communication.pcapng` frame 2), nor do repeated SYNs that
//   carry data at the same sequence number (`bgp-shutdown-msg-variations.pcap`
//   frames 2–3, "out-of-order" for tshark).
// * `ospf.msg`, `ospf.srcrouter`, `ospf.area_id` come from the common header
//   of OSPFv2 and OSPFv3 alike (`ospf.msg` is the packet type 1–5).

import CrosswireDecoder

/// The four BGP columns of one frame, accumulated message by message.
///
/// Keep one value for the whole capture: `reset()` keeps the buffers'
/// capacity, so steady-state use allocates nothing.
public struct BGPFieldText {
    /// `bgp.type`
    public var type: [UInt8] = []
    /// `bgp.nlri_prefix`
    public var nlriPrefix: [UInt8] = []
    /// `bgp.withdrawn_prefix`
    public var withdrawnPrefix: [UInt8] = []
    /// `bgp.update.path_attribute.next_hop`
    public var nextHop: [UInt8] = []

    public init(capacity: Int = 512) {
        type.reserveCapacity(64)
        nlriPrefix.reserveCapacity(capacity)
        withdrawnPrefix.reserveCapacity(capacity)
        nextHop.reserveCapacity(capacity)
    }

    /// Empties the columns for the next frame.
    public mutating func reset() {
        type.removeAll(keepingCapacity: true)
        nlriPrefix.removeAll(keepingCapacity: true)
        withdrawnPrefix.removeAll(keepingCapacity: true)
        nextHop.removeAll(keepingCapacity: true)
    }

    /// Adds one message (`s` holds it from byte 0, as the reassembler delivers it).
    /// A malformed message adds what tshark would have shown before the fault.
    public mutating func add(message s: borrowing RawSpan, session: BGPSessionOptions = .unknown) {
        guard s.has(BGPHeader.length, at: 0) else { return }
        // In bounds: 19 bytes checked above.
        let messageType = s.u8(18)
        separate(&type)
        writeDecimal(UInt64(messageType), to: &type)
        guard messageType == BGPMessageType.update.rawValue else { return }
        do throws(DecodeStop) {
            let h = try BGPHeader.parse(s, at: 0)
            let u = try BGPUpdate.parse(s, h)
            let apW = BGPPrefixCursor.usesAddPath(offset: u.withdrawnOffset, end: u.withdrawnEnd, isIPv6: false,
                                                  negotiated: session.addPathIPv4, in: s)
            var w = BGPPrefixCursor(offset: u.withdrawnOffset, end: u.withdrawnEnd, isIPv6: false, addPath: apW)
            while let p = try w.next(s) {
                separate(&withdrawnPrefix)
                p.prefix.network.write(to: &withdrawnPrefix)
            }
            var attributes = BGPAttributeCursor(u)
            while let a = try attributes.next(s) {
                // A NEXT_HOP of the wrong length shows nothing (tshark: "Next hop (invalid)"), the rest goes on.
                guard a.type == BGPAttributeType.nextHop, let nh = try? a.nextHop(in: s) else { continue }
                separate(&nextHop)
                nh.write(to: &nextHop)
            }
            let apN = BGPPrefixCursor.usesAddPath(offset: u.nlriOffset, end: u.nlriEnd, isIPv6: false,
                                                  negotiated: session.addPathIPv4, in: s)
            var n = BGPPrefixCursor(offset: u.nlriOffset, end: u.nlriEnd, isIPv6: false, addPath: apN)
            while let p = try n.next(s) {
                separate(&nlriPrefix)
                p.prefix.network.write(to: &nlriPrefix)
            }
        } catch {
            return
        }
    }

    @inline(__always) func separate(_ column: inout [UInt8]) {
        if !column.isEmpty { column.append(UInt8(ascii: ",")) }
    }
}

/// The three OSPF columns of one packet.
public enum OSPFFieldText {
    /// Appends `ospf.msg`, `ospf.srcrouter` and `ospf.area_id` for the OSPF
    /// packet of `packet` (nothing when it has none or its header is cut).
    public static func write(
        _ packet: borrowing DecodedPacket, bytes: borrowing RawSpan,
        message: inout [UInt8], sourceRouter: inout [UInt8], area: inout [UInt8]
    ) {
        guard packet.application == .ospf else { return }
        let start = packet.applicationOffset
        guard let h = try? OSPFHeader.parse(bytes, at: start, limit: start + packet.applicationLength) else { return }
        writeDecimal(UInt64(h.type.rawValue), to: &message)
        h.routerID.write(to: &sourceRouter)
        h.areaID.write(to: &area)
    }
}

/// One-line human summaries of BGP messages and OSPF packets.
public enum ControlPlaneSummary {
    /// Appends e.g. `BGP UPDATE +192.168.20.0/24 nh 192.168.56.120 path 64513` for the message in `s` (from byte 0).
    public static func writeBGP(message s: borrowing RawSpan, session: BGPSessionOptions = .unknown, to out: inout [UInt8]) {
        append("BGP ", to: &out)
        do throws(DecodeStop) {
            let h = try BGPHeader.parse(s, at: 0)
            if let name = h.type.name { append(name, to: &out) } else {
                append("type ", to: &out); writeDecimal(UInt64(h.type.rawValue), to: &out)
            }
            switch h.type {
            case .open:
                let o = try BGPOpenSummary.parse(s, h)
                append(" as ", to: &out); writeDecimal(UInt64(o.asn), to: &out)
                append(" hold ", to: &out); writeDecimal(UInt64(o.holdTime), to: &out)
                append(" id ", to: &out); o.identifier.write(to: &out)
                append(" caps ", to: &out); writeDecimal(UInt64(o.capabilityCount), to: &out)
            case .update:
                try writeUpdate(s, h, session: session, to: &out)
            case .notification:
                let n = try BGPNotification.parse(s, h)
                out.append(UInt8(ascii: " ")); writeDecimal(UInt64(n.code), to: &out)
                out.append(UInt8(ascii: "/")); writeDecimal(UInt64(n.subcode), to: &out)
                if let c = n.codeName {
                    out.append(UInt8(ascii: " ")); append(c, to: &out)
                    if let sc = n.subcodeName { append(": ", to: &out); append(sc, to: &out) }
                }
                if n.dataLength > 0 { append(" data ", to: &out); writeDecimal(UInt64(n.dataLength), to: &out) }
            case .routeRefresh:
                let r = try BGPRouteRefresh.parse(s, h)
                append(" afi ", to: &out); writeDecimal(UInt64(r.afi), to: &out)
                append(" safi ", to: &out); writeDecimal(UInt64(r.safi), to: &out)
                if r.subtype != 0 { append(" subtype ", to: &out); writeDecimal(UInt64(r.subtype), to: &out) }
            default:
                break
            }
        } catch {
            append(" malformed: ", to: &out)
            append(error.description, to: &out)
        }
    }

    static func writeUpdate(_ s: borrowing RawSpan, _ h: BGPHeader, session: BGPSessionOptions, to out: inout [UInt8]) throws(DecodeStop) {
        var nextHop: IPAddress?
        var asPath: BGPPathAttribute?
        var asSize = 2
        var faults: DecodeStop?
        var any = false
        BGPEventDecoder.decode(s, at: 0, options: session) { e in
            switch e {
            case .route(let r):
                any = true
                out.append(UInt8(ascii: " "))
                out.append(UInt8(ascii: r.action == .announce ? "+" : "-"))
                r.prefix.network.write(to: &out)
                out.append(UInt8(ascii: "/"))
                writeDecimal(UInt64(r.prefix.length), to: &out)
                if r.action == .announce, nextHop == nil { nextHop = r.nextHop }
            case .endOfRIB(let afi, let safi):
                any = true
                append(" End-of-RIB afi ", to: &out); writeDecimal(UInt64(afi), to: &out)
                append(" safi ", to: &out); writeDecimal(UInt64(safi), to: &out)
            case .malformed(let stop):
                faults = stop
            default:
                break
            }
        }
        if !any && faults == nil { append(" (no prefixes)", to: &out) }
        if let nh = nextHop { append(" nh ", to: &out); nh.write(to: &out) }
        // The AS path, ASNs in order, an AS_SET in braces.
        if let u = try? BGPUpdate.parse(s, h) {
            var c = BGPAttributeCursor(u)
            while let a = try? c.next(s) {
                if a.type == BGPAttributeType.asPath {
                    asPath = a
                    asSize = session.fourOctetAS.map { $0 ? 4 : 2 } ?? BGPASPathCursor.guessASSize(a, in: s)
                }
            }
        }
        if let a = asPath, a.length > 0 {
            append(" path", to: &out)
            var segments = BGPASPathCursor(a, asSize: asSize)
            while let seg = try segments.next(s) {
                let isSet = seg.type == 1 || seg.type == 4
                append(isSet ? " {" : " ", to: &out)
                for i in 0..<seg.count {
                    if i > 0 { out.append(UInt8(ascii: " ")) }
                    writeDecimal(UInt64(seg.asn(i, in: s)), to: &out)
                }
                if isSet { out.append(UInt8(ascii: "}")) }
            }
        }
        if let f = faults { throw f }
    }

    /// Appends e.g. `OSPFv2 Hello area 0.0.0.0 rid 1.1.1.1 hello 10 dead 40` for the OSPF packet of `packet`.
    public static func writeOSPF(_ packet: borrowing DecodedPacket, bytes s: borrowing RawSpan, to out: inout [UInt8]) {
        guard packet.application == .ospf else { return }
        let start = packet.applicationOffset, limit = start + packet.applicationLength
        do throws(DecodeStop) {
            let h = try OSPFHeader.parse(s, at: start, limit: limit)
            append("OSPFv", to: &out); writeDecimal(UInt64(h.version), to: &out)
            out.append(UInt8(ascii: " "))
            if let name = h.type.name { append(name, to: &out) } else {
                append("type ", to: &out); writeDecimal(UInt64(h.type.rawValue), to: &out)
            }
            append(" area ", to: &out); h.areaID.write(to: &out)
            append(" rid ", to: &out); h.routerID.write(to: &out)
            switch h.type {
            case .hello:
                let hello = try OSPFHello.parse(s, h)
                if let mask = hello.networkMask { append(" mask ", to: &out); mask.write(to: &out) }
                append(" hello ", to: &out); writeDecimal(UInt64(hello.helloInterval), to: &out)
                append(" dead ", to: &out); writeDecimal(UInt64(hello.deadInterval), to: &out)
                append(" dr ", to: &out); hello.designatedRouter.write(to: &out)
                append(" neighbors ", to: &out); writeDecimal(UInt64(hello.neighborCount), to: &out)
            case .databaseDescription:
                let d = try OSPFDatabaseDescription.parse(s, h)
                append(" mtu ", to: &out); writeDecimal(UInt64(d.interfaceMTU), to: &out)
                append(" flags ", to: &out)
                if d.flags.isEmpty { out.append(UInt8(ascii: "-")) }
                if d.flags.contains(.initial) { append("I", to: &out) }
                if d.flags.contains(.more) { append(d.flags.contains(.initial) ? ",M" : "M", to: &out) }
                if d.flags.contains(.master) { append(d.flags.rawValue & 6 != 0 ? ",MS" : "MS", to: &out) }
                append(" seq ", to: &out); writeDecimal(UInt64(d.sequence), to: &out)
            case .linkStateRequest, .linkStateUpdate, .linkStateAck:
                var n = 0
                var lastLSA = -1
                OSPFEventDecoder.decode(s, at: start, limit: limit) { e in
                    switch e {
                    case .linkStateRequest(_, let c), .linkStateAck(_, let c): n = c
                    case .advertisement(let a):
                        // Count LSAs, not Router-LSA links.
                        if a.link == nil || a.lsa.offset != lastLSA { n += 1; lastLSA = a.lsa.offset }
                    default: break
                    }
                }
                append(h.type == .linkStateRequest ? " requests " : " lsas ", to: &out)
                writeDecimal(UInt64(n), to: &out)
            default:
                break
            }
        } catch {
            append(" malformed: ", to: &out)
            append(error.description, to: &out)
        }
    }

    static func append(_ text: StaticString, to out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    static func append(_ text: String, to out: inout [UInt8]) {
        out.append(contentsOf: text.utf8)
    }
}
