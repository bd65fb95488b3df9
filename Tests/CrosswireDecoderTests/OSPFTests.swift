// OSPF decoding over byte fixtures. Each fixture is the OSPF part of a frame of
// a corpus capture, extracted with `tshark -r FILE -Y frame.number==N -T json -x`
// (the `ospf_raw` bytes), unless it says "hand-built".
import Testing
@testable import CrosswireDecoder
import CrosswireDecoderText

@Suite("OSPF packets")
struct OSPFTests {
    // OSPFv2_Capture_FINAL.pcapng frame 1: Hello, rid 192.168.255.15, area 0, crypto auth,
    // mask 255.255.255.0, hello 10, dead 40, DR 192.168.121.4, BDR 192.168.121.5, 2 neighbours
    // (the 16-byte MD5 trailer follows the packet length).
    static let hello = hexBytes("""
        02010034c0a8ff0f0000000000000002000001105a834112ffffff00000a120100000028c0a87904c0a87905c0a8ff0bc0a8ff0e
        91b01c6bd6c7093c11861e76334ba858000000090001000400000001000200145a83411262a849db4649604c9fda6c0a9fdf2586
        """)

    @Test func helloV2() {
        guard case .hello(let h) = ospfEvents(Self.hello).first else { Issue.record("no Hello"); return }
        #expect(h.header.version == 2 && h.header.type == .hello)
        #expect(h.header.routerID == v4("192.168.255.15"))
        #expect(h.header.areaID == v4("0.0.0.0"))
        #expect(h.header.authType == 2)
        #expect(h.networkMask == v4("255.255.255.0"))
        #expect(h.helloInterval == 10 && h.deadInterval == 40 && h.priority == 1)
        #expect(h.designatedRouter == v4("192.168.121.4") && h.backupDesignatedRouter == v4("192.168.121.5"))
        #expect(h.neighborCount == 2)
        #expect(h.neighbors.count == 2 && h.neighbors[0] == v4("192.168.255.11") && h.neighbors.contains(v4("192.168.255.14")))
        var out: [UInt8] = []
        var packet = DecodedPacket()
        packet.application = .ospf
        packet.applicationOffset = 0
        packet.applicationLength = Self.hello.count
        Self.hello.withUnsafeBytes { ControlPlaneSummary.writeOSPF(packet, bytes: $0.bytes, to: &out) }
        #expect(text(out) == "OSPFv2 Hello area 0.0.0.0 rid 192.168.255.15 mask 255.255.255.0 hello 10 dead 40 dr 192.168.121.4 neighbors 2")
        var msg: [UInt8] = [], rid: [UInt8] = [], area: [UInt8] = []
        Self.hello.withUnsafeBytes { OSPFFieldText.write(packet, bytes: $0.bytes, message: &msg, sourceRouter: &rid, area: &area) }
        #expect(text(msg) == "1" && text(rid) == "192.168.255.15" && text(area) == "0.0.0.0")
    }

    // OSPFv2_Capture_FINAL.pcapng frame 3: DB Description, MTU 1500, flags I|M|MS.
    static let dbd = hexBytes("""
        02020020c0a8ff0b0000000000000002000001105a83413f05dc5207000000812e9ba1bdd499b34db4d48f60593fc36a
        """)

    @Test func databaseDescription() {
        guard case .databaseDescription(let d) = ospfEvents(Self.dbd).first else { Issue.record("no DBD"); return }
        #expect(d.interfaceMTU == 1500)
        #expect(d.flags == [.initial, .more, .master])
        #expect(d.sequence == 0x81)
        #expect(d.lsaHeaderCount == 0)
    }

    // OSPFv2_Capture_FINAL.pcapng frame 7: LS Request for 10 LSAs.
    static let lsr = hexBytes("""
        02030090c0a8ff0b0000000000000002000001105a83413f00000001c0a8ff0bc0a8ff0b00000001c0a8ff0ec0a8ff0e00000001c0a8ff0f
        c0a8ff0f00000002c0a87904c0a8ff0e0000000500000000c0a8ff0e0000000500000000c0a8ff0f00000005c0a87c00c0a8ff0b00000005
        c0a87f00c0a8ff0b00000005c0a88000c0a8ff0b00000005c0a8ff0cc0a8ff0b376d2d1c6ea9a9d764ad04c03b3fb6b1
        """)

    @Test func linkStateRequest() {
        #expect(ospfEvents(Self.lsr).first == .linkStateRequest(header: try! Self.header(Self.lsr), count: 10))
    }

    // OSPFv2_Capture_FINAL.pcapng frame 9: LS Update with 10 LSAs: 3 Router, 1 Network, 6 AS-External.
    static let lsu = hexBytes("""
        020401b0c0a8ff0e0000000000000002000001105a8423700000000a01762201c0a8ff0bc0a8ff0b800002d8ce1e003c02000003c0a8ff0b
        ffffffff03000001c0a87a00fffffffc0300000cc0a87904c0a8792a0200000c02d62201c0a8ff0ec0a8ff0e800002ca3085003002000002
        c0a87904c0a8790402000001c0a87800ffffff000300000101ad2201c0a8ff0fc0a8ff0f800002c74372003002000002c0a87800ffffff00
        03000001c0a87904c0a8790502000001003d2202c0a87904c0a8ff0e8000001127b40020ffffff00c0a8ff0ec0a8ff0f04c3200500000000
        c0a8ff0e800002bd91e70024000000008000000100000000000000040394200500000000c0a8ff0f800002bd8bec00240000000080000001
        0000000000000004011a2005c0a87c00c0a8ff0b8000000b7ac10024ffffff00800000140000000000000000011a2005c0a87f00c0a8ff0b
        8000000d55e10024ffffff00800000140000000000000000011a2005c0a88000c0a8ff0b8000000b49ef0024fffffe008000001400000000
        0000000003122005c0a8ff0cc0a8ff0b800002b102030024fffffffe800000140000000000000000181f2c9227e83c0b485c06e1e1b0e568
        """)

    static func header(_ bytes: [UInt8]) throws(DecodeStop) -> OSPFHeader {
        var result: Result<OSPFHeader, DecodeStop> = .failure(DecodeStop(.ospf, at: 0, .tooDeep))
        bytes.withUnsafeBytes { raw in
            do throws(DecodeStop) { result = .success(try OSPFHeader.parse(raw.bytes, at: 0, limit: bytes.count)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    @Test func linkStateUpdate() {
        let events = ospfEvents(Self.lsu)
        var ads: [OSPFAdvertisement] = []
        for e in events {
            if case .advertisement(let a) = e { ads.append(a) } else { Issue.record("unexpected \(e)") }
        }
        // Router LSAs: 3 + 2 + 2 links; then one Network LSA and six AS-External LSAs.
        #expect(ads.count == 7 + 1 + 6)
        let first = ads[0]
        #expect(first.lsa.type == OSPFLSAType.router && first.lsa.advertisingRouter == v4("192.168.255.11"))
        #expect(ads[0].prefix == prefix("192.168.255.11/32") && ads[0].metric == 1)
        #expect(ads[1].prefix == prefix("192.168.122.0/30") && ads[1].metric == 12)
        #expect(ads[2].link?.type == 2 && ads[2].prefix == nil)
        let network = ads[7]
        #expect(network.lsa.type == OSPFLSAType.network)
        #expect(network.prefix == prefix("192.168.121.0/24"))
        #expect(network.details?.attachedRouters == 2)
        let externals = ads[8...].map { $0.prefix?.description ?? "-" }
        #expect(externals == ["0.0.0.0/0", "0.0.0.0/0", "192.168.124.0/24", "192.168.127.0/24", "192.168.128.0/23", "192.168.255.12/31"])
        #expect(ads[10].details?.externalType2 == true && ads[10].metric == 20)
    }

    // ospf-nssa-bitnt.pcap frame 1: LS Update with one Router LSA (NSSA area 0.0.0.1, Nt bit).
    static let nssa = hexBytes("""
        0204004c0a00220300000001e5950000000000000000000000000001000128010a0022030a0022038000000451cb0030130000020a002204
        0a002203010000010a002200ffffff0003000001
        """)

    @Test func routerLSAFlags() {
        var ads: [OSPFAdvertisement] = []
        for e in ospfEvents(Self.nssa) { if case .advertisement(let a) = e { ads.append(a) } }
        #expect(ads.count == 2)
        #expect(ads[0].header.areaID == v4("0.0.0.1"))
        #expect(ads[1].prefix == prefix("10.0.34.0/24"))
    }

    // Hand-built: an NSSA (type 7) LSA, 10.7.0.0/16 metric 30 E2, forwarding 10.0.0.1, in an LS Update.
    @Test func nssaLSA() {
        let bytes = hexBytes("""
            02040040 01010101 00000001 0000 0000 0000000000000000
            00000001
            0001 08 07 0a070000 01010101 80000001 0000 0024 ffff0000 8000001e 0a000001 00000000
            """)
        guard case .advertisement(let a) = ospfEvents(bytes).first else { Issue.record("no LSA"); return }
        #expect(a.lsa.type == OSPFLSAType.nssa)
        #expect(a.prefix == prefix("10.7.0.0/16") && a.metric == 30)
        #expect(a.details?.externalType2 == true && a.details?.forwardingAddress == v4("10.0.0.1"))
    }

    // ospf-ack.pcap frame 1: LS Acknowledge of 2 LSA headers, rid 2.2.2.2, area 0.0.0.1.
    @Test func linkStateAck() {
        let bytes = hexBytes("""
            02050040020202020000000188e800000000000000000000002e220101010101010101018000000262ba0024002b2203010000000101010180000001c26b001c
            """)
        guard case .linkStateAck(let h, let n) = ospfEvents(bytes).first else { Issue.record("no LSAck"); return }
        #expect(h.routerID == v4("2.2.2.2") && h.areaID == v4("0.0.0.1") && n == 2)
    }

    // OSPFv3_broadcast_adjacency.pcap frame 5: OSPFv3 Hello, rid 2.2.2.2, area 0.0.0.1, hello 10, dead 40.
    @Test func helloV3() {
        let bytes = hexBytes("030100240202020200000001f98300000000000501000013000a00280000000000000000")
        guard case .hello(let h) = ospfEvents(bytes).first else { Issue.record("no Hello"); return }
        #expect(h.header.version == 3 && h.header.routerID == v4("2.2.2.2") && h.header.areaID == v4("0.0.0.1"))
        #expect(h.networkMask == nil && h.helloInterval == 10 && h.deadInterval == 40 && h.priority == 1)
        #expect(h.neighborCount == 0)
    }

    @Test func malformedPacketsStop() {
        // Bad version; header cut; LS Update promising 5 LSAs with one; Router LSA whose links overrun.
        let cases = ["0401002c", "0201002c01010101",
                     "0204002c 01010101 00000000 0000 0000 0000000000000000 00000005",
                     "0204004000000000000000000000000000000000000000000000000100010801010101010101018000000100000024 0000 0005 0a000000ffffff00"]
        for hex in cases {
            let events = ospfEvents(hexBytes(hex))
            guard case .malformed(let stop) = events.last else { Issue.record("no stop for \(hex): \(events)"); continue }
            #expect(stop.layer == .ospf)
        }
    }
}
