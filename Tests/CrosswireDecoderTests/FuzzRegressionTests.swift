// Inputs the fuzzers in Fuzz/ found crashing, kept as regression fixtures
// (Tests/Fixtures/fuzz/, raw fuzzer inputs). Each is decoded the way its
// fuzzer does it, and everything that prints a packet runs over it.
//
// decoder-*  DecoderFuzzer inputs: byte 0 picks the link type (bits 0-3, an index
//            into `linkTypes`), extra tunnel ports (bit 4) and a snapshot-cut
//            original length (bit 5); the rest is the frame.
// stream-*   StreamFuzzer inputs (see Fuzz/Sources/StreamFuzzer): run by
//            `make fuzz` itself, since they need that harness's frame builder.

import CrosswireDecoder
import CrosswireDecoderText
import Foundation
import Testing

struct FuzzRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz")

    static let linkTypes: [LinkType] = [
        .ethernet, .linuxSLL, .linuxSLL2, .null, .loop, .raw, .rawOpenBSD, .rawLinkType, .ipv4, .ipv6,
    ]

    static var decoderInputs: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("decoder-") }.sorted()
    }

    @Test func fixturesArePresent() {
        #expect(Self.decoderInputs.count >= 2, "no decoder fixtures under \(Self.directory.path)")
    }

    /// Decodes the input, writes the summary, JSON and every field, as DecoderFuzzer does.
    static func decodeAndPrint(_ input: [UInt8]) -> (DecodedPacket, [UInt8]) {
        let selector = input[0]
        var options = DecoderOptions()
        if selector & 0x10 != 0 {
            options.addVXLANPort(4790); options.addVXLANPort(8999); options.addGENEVEPort(6082)
        }
        let frame = Array(input.dropFirst())
        var packet = DecodedPacket()
        var out: [UInt8] = []
        frame.withUnsafeBytes { raw in
            PacketDecoder(options: options).decode(
                raw.bytes, linkType: linkTypes[Int(selector & 0x0F) % linkTypes.count],
                originalLength: selector & 0x20 != 0 ? frame.count + 1500 : frame.count, into: &packet)
        }
        let facts = FrameFacts(number: 1, seconds: 1_700_000_000, nanoseconds: 0)
        packet.writeSummary(to: &out)
        packet.writeJSON(frame: facts, to: &out)
        var none = NoControlPlaneFields()
        for field in PacketField.allCases { packet.write(field, frame: facts, control: &none, to: &out) }
        return (packet, out)
    }

    /// Every fixture decodes and prints without trapping; its text is UTF-8.
    @Test(arguments: decoderInputs)
    func decoderInputDecodes(_ name: String) throws {
        let input = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent(name)))
        try #require(!input.isEmpty)
        let (_, out) = Self.decodeAndPrint(input)
        #expect(String(validating: out, as: UTF8.self) != nil)
    }

    /// An ICMPv6 error quoting an IPv6 header that the ICMPv6 packet's declared length cuts:
    /// the quote stops there (it used to get a negative payload length, and printing it trapped).
    @Test func quotedIPv6HeaderCutByTheQuotingPacketStops() throws {
        let input = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent("decoder-ipv6-quote-cut-in-header")))
        let (packet, _) = Self.decodeAndPrint(input)
        let stop = try #require(packet.stop)
        #expect(stop.layer == .ipv6)
        for level in 0..<packet.levelCount {
            if let ip = packet.levels[level].ip { #expect(ip.totalLength >= ip.headerLength) }
        }
    }

    /// A UDP header in a first fragment whose IP payload ends inside that header: the
    /// datagram stops at UDP (its payload length used to come out negative, and printing it trapped).
    @Test func udpHeaderCutByItsFragmentStops() throws {
        let input = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent("decoder-udp-in-fragment-cut-in-header")))
        let (packet, _) = Self.decodeAndPrint(input)
        let stop = try #require(packet.stop)
        #expect(stop.layer == .udp)
        for level in 0..<packet.levelCount {
            #expect(packet.levels[level].transport.payloadLength >= 0)
        }
    }
}
