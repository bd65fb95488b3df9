// BGP message decoding over byte fixtures. Each fixture is the TCP payload of
// a frame of a corpus capture, extracted with
// `tshark -r FILE -Y frame.number==N -T fields -e tcp.payload`, unless it says
// "hand-built".
import Testing
@testable import CrosswireDecoder
import CrosswireDecoderText

@Suite("BGP messages")
struct BGPTests {
    // bgp-4byte-asn.pcap frame 6: OPEN, My AS 23456 (AS_TRANS), hold 180, id 1.1.1.1,
    // capabilities MP IPv4 unicast, route refresh, graceful restart, 4-octet AS 2764334674, ADD-PATH IPv4 receive.
    static let open4 = hexBytes("""
        ffffffffffffffffffffffffffffffff 0037 01 04 5ba0 00b4 01010101 1a
        02 18 01040001000102004002c12c 4104a4c46652 450400010101
        """)

    @Test func openWithFourOctetAS() throws {
        let events = bgpEvents(Self.open4)
        guard case .open(let o) = events.first else { Issue.record("no OPEN: \(events)"); return }
        #expect(o.version == 4)
        #expect(o.asn == 0xA4C4_6652)  // from the 4-octet AS capability, not AS_TRANS
        #expect(o.holdTime == 180)
        #expect(o.identifier == v4("1.1.1.1"))
        #expect(o.capabilities.contains(.ipv4Unicast))
        #expect(o.capabilities.contains(.routeRefresh))
        #expect(o.capabilities.contains(.fourOctetAS))
        #expect(o.capabilities.contains(.gracefulRestart))
        #expect(o.capabilities.contains(.addPath))
        #expect(o.capabilities.contains(.addPathIPv4Receive))
        #expect(o.capabilities.contains(.addPathIPv4Send) == false)
        #expect(o.capabilityCount == 5)
        var out: [UInt8] = []
        Self.open4.withUnsafeBytes { ControlPlaneSummary.writeBGP(message: $0.bytes, to: &out) }
        #expect(text(out) == "BGP OPEN as 2764334674 hold 180 id 1.1.1.1 caps 5")
    }

    @Test func capabilityCursorWalksEveryCapability() throws {
        var codes: [UInt8] = []
        Self.open4.withUnsafeBytes { raw in
            let s = raw.bytes
            do throws(DecodeStop) {
                let h = try BGPHeader.parse(s, at: 0)
                var c = BGPCapabilityCursor(try BGPOpen.parse(s, h))
                while let cap = try c.next(s) {
                    codes.append(cap.code)
                    if let mp = cap.multiprotocol(in: s) { #expect(mp.afi == 1 && mp.safi == 1) }
                }
            } catch { Issue.record("\(error)") }
        }
        #expect(codes == [1, 2, 64, 65, 69])
    }

    // bgp-extended-optional-parameters-length.pcapng frame 1: OPEN in the RFC 9072 form
    // (Opt Parm Len 255, type 255, 2-byte lengths); AS 174, hold 180, id 6.6.6.6.
    static let openExtended = hexBytes("""
        ffffffffffffffffffffffffffffffff008c010400ae00b406060606ffff006c0200060104000100010200060104000200010200
        028000020002020002000246000200064104000000ae020002060002000a4508000101010002010102001349110f65786974312d
        64656269616e2d31310002000440020078020010470e0001018000016800020180000168
        """)

    @Test func openWithExtendedOptionalParameters() throws {
        guard case .open(let o) = bgpEvents(Self.openExtended).first else { Issue.record("no OPEN"); return }
        #expect(o.asn == 174)
        #expect(o.identifier == v4("6.6.6.6"))
        #expect(o.capabilities.contains(.ipv4Unicast) && o.capabilities.contains(.ipv6Unicast))
        #expect(o.capabilities.contains(.extendedMessage))
        #expect(o.capabilities.contains(.addPathIPv4Receive) && !o.capabilities.contains(.addPathIPv4Send))
        #expect(o.capabilities.contains(.gracefulRestart))
    }

    // bgp-4byte-asn.pcap frame 13: UPDATE, ORIGIN IGP, AS_PATH (2-byte) 200 1 23456 23456 23456,
    // NEXT_HOP 1.0.2.1, AS4_PATH 200 1 222 …, 5 × /32 NLRI.
    static let update = hexBytes("""
        ffffffffffffffffffffffffffffffff005f02 0000 002f 400101 02 40020c020500c800015ba05ba05ba0 400304 01000201
        e011120204000000010003640e00051615fffffffa 2004040404 2005050505 2001010101 2002020202 2003030303
        """)

    @Test func updateAnnouncements() throws {
        let events = bgpEvents(Self.update)
        var routes: [BGPRouteEvent] = []
        for e in events { if case .route(let r) = e { routes.append(r) } }
        #expect(routes.map(\.prefix) == ["4.4.4.4/32", "5.5.5.5/32", "1.1.1.1/32", "2.2.2.2/32", "3.3.3.3/32"].map(prefix))
        #expect(routes.allSatisfy { $0.action == .announce && $0.nextHop == .v4(v4("1.0.2.1")) })
        // AS4_PATH replaces AS_TRANS: the origin is its last AS.
        #expect(routes.first?.originAS == UInt32(4_294_967_290))
        #expect(routes.first?.pathLength == 5)
        var f = BGPFieldText()
        Self.update.withUnsafeBytes { f.add(message: $0.bytes) }
        #expect(text(f.type) == "2")
        #expect(text(f.nlriPrefix) == "4.4.4.4,5.5.5.5,1.1.1.1,2.2.2.2,3.3.3.3")
        #expect(text(f.nextHop) == "1.0.2.1")
        #expect(f.withdrawnPrefix.isEmpty)
    }

    @Test func asPathSegments() throws {
        var asns: [UInt32] = []
        Self.update.withUnsafeBytes { raw in
            let s = raw.bytes
            do throws(DecodeStop) {
            let u = try BGPUpdate.parse(s, try BGPHeader.parse(s, at: 0))
            var attrs = BGPAttributeCursor(u)
            while let a = try attrs.next(s) {
                guard a.type == BGPAttributeType.asPath else { continue }
                #expect(BGPASPathCursor.guessASSize(a, in: s) == 2)
                var segs = BGPASPathCursor(a, asSize: 2)
                while let seg = try segs.next(s) {
                    #expect(seg.type == 2)
                    for i in 0..<seg.count { asns.append(seg.asn(i, in: s)) }
                }
            }
            } catch { Issue.record("\(error)") }
        }
        #expect(asns == [200, 1, 23456, 23456, 23456])
    }

    // bgp-4byte-asn.pcap frame 56: UPDATE withdrawing five /32s.
    static let withdraw = hexBytes("""
        ffffffffffffffffffffffffffffffff0030020019 2005050505 2001010101 2002020202 2003030303 2004040404 0000
        """)

    @Test func updateWithdrawals() {
        var routes: [BGPRouteEvent] = []
        for e in bgpEvents(Self.withdraw) { if case .route(let r) = e { routes.append(r) } }
        #expect(routes.count == 5)
        #expect(routes.allSatisfy { $0.action == .withdraw && $0.nextHop == nil })
        var f = BGPFieldText()
        Self.withdraw.withUnsafeBytes { f.add(message: $0.bytes) }
        #expect(text(f.withdrawnPrefix) == "5.5.5.5,1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4")
        var out: [UInt8] = []
        Self.withdraw.withUnsafeBytes { ControlPlaneSummary.writeBGP(message: $0.bytes, to: &out) }
        #expect(text(out).hasPrefix("BGP UPDATE -5.5.5.5/32 -1.1.1.1/32"))
    }

    // Hand-built: a route reflector's UPDATE (RFC 4456): ORIGIN IGP, empty AS_PATH, NEXT_HOP
    // 192.168.56.120, ORIGINATOR_ID 192.168.56.120, CLUSTER_LIST 192.168.56.121, NLRI 192.168.20.0/24.
    static let reflected = hexBytes("""
        ffffffffffffffffffffffffffffffff 0037 02 0000 001c
        40 01 01 00
        40 02 00
        40 03 04 c0a83878
        80 09 04 c0a83878
        80 0a 04 c0a83879
        18 c0a814
        """)

    @Test func originatorIDOfAReflectedRoute() {
        var routes: [BGPRouteEvent] = []
        for e in bgpEvents(Self.reflected) { if case .route(let r) = e { routes.append(r) } }
        #expect(routes.map(\.prefix) == [prefix("192.168.20.0/24")])
        #expect(routes.first?.originatorID == v4("192.168.56.120"))
        #expect(routes.first?.pathLength == 0)
        #expect(bgpEvents(Self.update).allSatisfy { if case .route(let r) = $0 { r.originatorID == nil } else { true } })
    }

    // Hand-built: UPDATE with ORIGIN, AS_PATH 64513 (4-byte form), MP_REACH_NLRI IPv6 unicast
    // next hop fd00::2 + link-local fe80::1, NLRI fd00:20::/64; and MP_UNREACH fd00:10::/64.
    static let updateMP = hexBytes("""
        ffffffffffffffffffffffffffffffff 0064 02 0000 004d
        40 01 01 00
        40 02 06 02 01 0000fc01
        80 0e 2e 0002 01 20 fd000000000000000000000000000002 fe800000000000000000000000000001 00 40 fd00002000000000
        80 0f 0c 0002 01 40 fd00001000000000
        """)

    @Test func multiprotocolReachAndUnreach() {
        var routes: [BGPRouteEvent] = []
        for e in bgpEvents(Self.updateMP, options: BGPSessionOptions(fourOctetAS: true)) {
            if case .route(let r) = e { routes.append(r) }
        }
        #expect(routes.count == 2)
        #expect(routes.first?.prefix == prefix("fd00:20::/64"))
        #expect(routes.first?.nextHop == IPAddress("fd00::2"))
        #expect(routes.first?.originAS == 64513)
        #expect(routes.first?.multiprotocol == true)
        #expect(routes.last?.action == .withdraw)
        #expect(routes.last?.prefix == prefix("fd00:10::/64"))
        // tshark quirk: MP_REACH prefixes are not bgp.nlri_prefix.
        var f = BGPFieldText()
        Self.updateMP.withUnsafeBytes { f.add(message: $0.bytes) }
        #expect(f.nlriPrefix.isEmpty && f.nextHop.isEmpty)
        var out: [UInt8] = []
        Self.updateMP.withUnsafeBytes { ControlPlaneSummary.writeBGP(message: $0.bytes, session: BGPSessionOptions(fourOctetAS: true), to: &out) }
        #expect(text(out) == "BGP UPDATE +fd00:20::/64 -fd00:10::/64 nh fd00::2 path 64513")
    }

    // Hand-built: the IPv4 End-of-RIB (an empty UPDATE) and the IPv6 one (only an empty MP_UNREACH).
    @Test func endOfRIB() {
        let v4eor = hexBytes("ffffffffffffffffffffffffffffffff 0017 02 0000 0000")
        #expect(bgpEvents(v4eor) == [.endOfRIB(afi: 1, safi: 1)])
        let v6eor = hexBytes("ffffffffffffffffffffffffffffffff 001d 02 0000 0006 800f03 000201")
        #expect(bgpEvents(v6eor) == [.endOfRIB(afi: 2, safi: 1)])
    }

    // bgp-addpath.pcap frame 1 (withdrawn routes and NLRI with ADD-PATH path ids).
    static let addPath = hexBytes("""
        ffffffffffffffffffffffffffffffff00e70200100000001418080200000000151808020100b0400101014003004002060202006400c8
        400e1900010104010203040000000028187804000000002918780401400f13000101000002bc18202d00000002bd18202d01400e3d0002
        0110200000000000004000000000000000010000000001782002000000000000000000001400000000000278200200000000000000000000
        140001400f2b000201000000647820020000000000000000000028000000000065782002000000000000000000002800010000000a1806
        02000000000b18060201
        """)

    @Test func addPathHeuristicAndNegotiated() {
        var f = BGPFieldText()
        Self.addPath.withUnsafeBytes { f.add(message: $0.bytes) }
        // The same as tshark's heuristic decode (bgp-addpath.pcap.tsv).
        #expect(text(f.withdrawnPrefix) == "8.2.0.0,8.2.1.0")
        #expect(text(f.nlriPrefix) == "6.2.0.0,6.2.1.0")
        var ids: [UInt32?] = []
        for e in bgpEvents(Self.addPath, options: BGPSessionOptions(addPathIPv4: true, addPathIPv6: true)) {
            if case .route(let r) = e, !r.multiprotocol { ids.append(r.pathID) }
        }
        #expect(ids == [0x14, 0x15, 0x0a, 0x0b])
    }

    // bgp-bfd-cease.pcap frame 1: NOTIFICATION Cease / BFD Down.
    @Test func notification() {
        let bytes = hexBytes("ffffffffffffffffffffffffffffffff001503060a")
        guard case .notification(let n) = bgpEvents(bytes).first else { Issue.record("no NOTIFICATION"); return }
        #expect(n.code == 6 && n.subcode == 10 && n.dataLength == 0 && n.isCease)
        #expect(n.codeName?.description == "Cease")
        #expect(n.subcodeName?.description == "BFD Down")
        var out: [UInt8] = []
        bytes.withUnsafeBytes { ControlPlaneSummary.writeBGP(message: $0.bytes, to: &out) }
        #expect(text(out) == "BGP NOTIFICATION 6/10 Cease: BFD Down")
    }

    // bgp-4byte-asn.pcap frame 10 (KEEPALIVE) and bgp-enhanced-route-refresh-subtype.pcapng frame 1 (ROUTE-REFRESH).
    @Test func keepaliveAndRouteRefresh() {
        #expect(bgpEvents(hexBytes("ffffffffffffffffffffffffffffffff001304")) == [.keepalive])
        #expect(bgpEvents(hexBytes("ffffffffffffffffffffffffffffffff00170500010001"))
                == [.routeRefresh(BGPRouteRefresh(afi: 1, subtype: 0, safi: 1))])
    }

    @Test func malformedMessagesStopWithTypedErrors() {
        // Bad marker.
        let badMarker = hexBytes("fffffffffffffffffffffffffffffffe001304")
        #expect(bgpEvents(badMarker) == [.malformed(DecodeStop(.bgp, at: 0, .badField(0)))])
        // Length below 19, and a KEEPALIVE longer than the bytes.
        #expect(bgpEvents(hexBytes("ffffffffffffffffffffffffffffffff001204")) == [.malformed(DecodeStop(.bgp, at: 0, .badLength(field: 18)))])
        if case .malformed(let stop) = bgpEvents(hexBytes("ffffffffffffffffffffffffffffffff002004")).first {
            #expect(stop.layer == .bgp)
        } else { Issue.record("expected a stop") }
        // Withdrawn length past the end; attribute length past the end; prefix length 33.
        for hex in ["ffffffffffffffffffffffffffffffff0017020010 0000",
                    "ffffffffffffffffffffffffffffffff001a020000 0003 400104",
                    "ffffffffffffffffffffffffffffffff001c020000 0000 2101020304",
                    "ffffffffffffffffffffffffffffffff001e010400010000010101010a 02 08 0104"] {
            let events = bgpEvents(hexBytes(hex))
            guard case .malformed(let stop) = events.last else { Issue.record("no stop for \(hex): \(events)"); continue }
            #expect(stop.layer == .bgp)
        }
    }
}
