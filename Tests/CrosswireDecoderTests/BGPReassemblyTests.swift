// BGP TCP stream reassembly. The messages are the corpus fixtures of
// BGPTests (bgp-4byte-asn.pcap frames 6, 10, 13); the segmentation is
// hand-built around them.
import Testing
@testable import CrosswireDecoder

/// Feeds hand-made segments of one connection (10.0.0.1:40000 → 10.0.0.2:179) and records what comes out.
struct StreamHarness {
    var reassembler: BGPStreamReassembler
    var delivered: [(frame: Int, kind: BGPStreamDelivery.Kind, bytes: [UInt8])] = []
    let forward = BGPStreamDirection(source: .v4(IPv4Address(10, 0, 0, 1)), sourcePort: 40000,
                                     destination: .v4(IPv4Address(10, 0, 0, 2)), destinationPort: 179)
    static let isn: UInt32 = 0xFFFF_FF00  // wraps during the tests

    init(configuration: BGPStreamConfiguration = BGPStreamConfiguration(), syn: Bool = true) {
        reassembler = BGPStreamReassembler(configuration: configuration)
        if syn { segment(frame: 0, at: -1, [], flags: .syn) }
    }

    /// A segment whose data starts `at` bytes into the stream (-1: the SYN).
    mutating func segment(frame: Int, at: Int, _ bytes: [UInt8], flags: TCPFlags = [.ack, .psh], reverse: Bool = false, time: Int64 = 0) {
        let seq = StreamHarness.isn &+ UInt32(truncatingIfNeeded: at + 1)
        var out: [(Int, BGPStreamDelivery.Kind, [UInt8])] = []
        bytes.withUnsafeBytes { raw in
            reassembler.ingest(reverse ? forward.reversed : forward, sequence: seq, flags: flags, payload: raw.bytes,
                               frame: frame, timestamp: time) { message, d in
                var copy: [UInt8] = []
                message.withUnsafeBytes { copy = Array($0) }
                out.append((d.frame, d.kind, copy))
            }
        }
        delivered += out.map { (frame: $0.0, kind: $0.1, bytes: $0.2) }
    }

    mutating func finish() {
        var out: [(Int, BGPStreamDelivery.Kind, [UInt8])] = []
        reassembler.finish { message, d in
            var copy: [UInt8] = []
            message.withUnsafeBytes { copy = Array($0) }
            out.append((d.frame, d.kind, copy))
        }
        delivered += out.map { (frame: $0.0, kind: $0.1, bytes: $0.2) }
    }

    var messages: [(frame: Int, bytes: [UInt8])] {
        delivered.compactMap { if case .message = $0.kind { return ($0.frame, $0.bytes) } else { return nil } }
    }
    var notices: [BGPStreamNotice] {
        delivered.compactMap { if case .notice(let n) = $0.kind { return n } else { return nil } }
    }
}

@Suite("BGP stream reassembly")
struct BGPReassemblyTests {
    static let open = BGPTests.open4          // 55 bytes
    static let keepalive = hexBytes("ffffffffffffffffffffffffffffffff001304")  // 19 bytes
    static let update = BGPTests.update       // 95 bytes

    @Test func threeMessagesInOneSegment() {
        var h = StreamHarness()
        h.segment(frame: 1, at: 0, Self.open + Self.keepalive + Self.update)
        #expect(h.messages.map(\.frame) == [1, 1, 1])
        #expect(h.messages.map(\.bytes) == [Self.open, Self.keepalive, Self.update])
        #expect(h.notices.isEmpty)
    }

    @Test func oneMessageOverThreeSegments() {
        var h = StreamHarness()
        let u = Self.update
        h.segment(frame: 1, at: 0, Array(u[0..<10]))
        h.segment(frame: 2, at: 10, Array(u[10..<60]))
        #expect(h.messages.isEmpty)
        h.segment(frame: 3, at: 60, Array(u[60...]) + Array(Self.keepalive[0..<5]))
        h.segment(frame: 4, at: 95 + 5, Array(Self.keepalive[5...]))
        #expect(h.messages.map(\.frame) == [3, 4])
        #expect(h.messages.first?.bytes == u)
        #expect(h.reassembler.statistics.messages == 2)
    }

    @Test func retransmissionAndOverlapAreDropped() {
        var h = StreamHarness()
        let stream = Self.open + Self.keepalive
        h.segment(frame: 1, at: 0, Array(stream[0..<40]))
        h.segment(frame: 2, at: 0, Array(stream[0..<40]))          // retransmission
        h.segment(frame: 3, at: 30, Array(stream[30...]))          // overlaps 10 bytes
        h.segment(frame: 4, at: 0, stream)                         // everything again
        #expect(h.messages.map(\.frame) == [3, 3])
        #expect(h.messages.map(\.bytes) == [Self.open, Self.keepalive])
        #expect(h.reassembler.statistics.retransmittedBytes == 40 + 10 + stream.count)
    }

    @Test func outOfOrderSegmentsAreReordered() {
        var h = StreamHarness()
        let stream = Self.open + Self.update
        // The second half (starting mid-message) arrives first, then the first half fills the hole.
        h.segment(frame: 1, at: 70, Array(stream[70...]))
        #expect(h.messages.isEmpty)
        h.segment(frame: 2, at: 0, Array(stream[0..<70]))
        #expect(h.messages.map(\.frame) == [2, 2])
        #expect(h.messages.map(\.bytes) == [Self.open, Self.update])
        #expect(h.notices.isEmpty)
        #expect(h.reassembler.statistics.reorderedSegments == 1)
    }

    @Test func gapResynchronisesOnTheNextMarker() {
        var h = StreamHarness()
        // Frame 1 carries the OPEN and the start of the UPDATE; bytes 55+30 ..< 55+60 are lost;
        // frame 3 carries the rest of the UPDATE and a KEEPALIVE; the connection then ends.
        let stream = Self.open + Self.update + Self.keepalive
        h.segment(frame: 1, at: 0, Array(stream[0..<85]))
        h.segment(frame: 3, at: 115, Array(stream[115...]))
        #expect(h.messages.map(\.frame) == [1])
        h.segment(frame: 4, at: stream.count, [], flags: [.fin, .ack])
        #expect(h.messages.map(\.frame) == [1, 3])
        #expect(h.messages.last?.bytes == Self.keepalive)
        #expect(h.notices.contains(.gap(lostBytes: 30, discardedBytes: 30)))
        #expect(h.notices.contains(.resynchronised(skippedBytes: 35)))
    }

    @Test func segmentAfterAHoleThatStartsWithAMarkerIsDecodedAtOnce() {
        // tshark's behaviour (bgp-cease-hard-reset.pcap frame 3): no waiting for the hole.
        var h = StreamHarness()
        h.segment(frame: 1, at: 0, Self.open)
        h.segment(frame: 2, at: 55 + 200, Self.keepalive)
        #expect(h.messages.map(\.frame) == [1, 2])
        #expect(h.notices == [.gap(lostBytes: 200, discardedBytes: 0)])
    }

    @Test func captureStartingMidMessage() {
        var h = StreamHarness(syn: false)
        let stream = Self.update + Self.keepalive
        h.segment(frame: 1, at: 40, Array(stream[40...]))
        #expect(h.messages.map(\.bytes) == [Self.keepalive])
        #expect(h.notices == [.resynchronised(skippedBytes: 55)])
    }

    @Test func finAndRstDropState() {
        var h = StreamHarness()
        h.segment(frame: 1, at: 0, Array(Self.update[0..<50]))
        #expect(h.reassembler.connectionCount == 1)
        h.segment(frame: 2, at: 0, [], flags: [.rst])
        #expect(h.reassembler.connectionCount == 0)
        #expect(h.notices == [.incomplete(discardedBytes: 50)])
    }

    @Test func idleConnectionsExpireAndTheTableIsBounded() {
        var config = BGPStreamConfiguration()
        config.maxConnections = 2
        config.idleTimeout = 10_000_000_000
        var r = BGPStreamReassembler(configuration: config)
        let empty: [UInt8] = Self.keepalive
        for port in 0..<3 {
            let d = BGPStreamDirection(source: .v4(IPv4Address(10, 0, 0, 1)), sourcePort: UInt16(40000 + port),
                                       destination: .v4(IPv4Address(10, 0, 0, 2)), destinationPort: 179)
            empty.withUnsafeBytes { raw in
                r.ingest(d, sequence: 1, flags: [.ack], payload: raw.bytes, frame: port + 1, timestamp: Int64(port)) { _, _ in }
            }
        }
        #expect(r.connectionCount == 2)
        #expect(r.statistics.evictions == 1)
        r.expireIdle(now: 20_000_000_000) { _, _ in }
        #expect(r.connectionCount == 0)
        #expect(r.statistics.idleExpirations == 2)
    }

    @Test func oversizedSpanningMessageIsSkipped() {
        var config = BGPStreamConfiguration()
        config.bufferCapacity = 64
        var h = StreamHarness(configuration: config)
        // A 95-byte UPDATE does not fit a 64-byte buffer when it spans segments; the KEEPALIVE after it is decoded.
        let stream = Self.update + Self.keepalive
        h.segment(frame: 1, at: 0, Array(stream[0..<50]))
        h.segment(frame: 2, at: 50, Array(stream[50...]))
        #expect(h.notices == [.oversized(length: 95)])
        #expect(h.messages.map(\.bytes) == [Self.keepalive])
        // Whole in one segment, it is delivered even though it is larger than the buffer.
        h.segment(frame: 3, at: stream.count, Self.update)
        #expect(h.messages.last?.bytes == Self.update)
    }

    @Test func sessionOptionsFollowTheOPENs() {
        var h = StreamHarness()
        var seen: [BGPSessionOptions] = []
        h.segment(frame: 1, at: 0, Self.open)
        h.segment(frame: 2, at: -1, [], flags: [.syn, .ack], reverse: true)
        h.segment(frame: 3, at: 0, Self.open, reverse: true)
        Self.keepalive.withUnsafeBytes { raw in
            h.reassembler.ingest(h.forward, sequence: StreamHarness.isn &+ 56, flags: [.ack], payload: raw.bytes,
                                 frame: 4, timestamp: 0) { _, d in seen.append(d.session) }
        }
        // Both OPENs have the 4-octet AS capability; ADD-PATH is receive-only on both sides.
        #expect(seen == [BGPSessionOptions(fourOctetAS: true, addPathIPv4: false, addPathIPv6: false)])
    }

    @Test func controlPlaneDecoderTurnsFramesIntoEvents() throws {
        // bgp-4byte-asn.pcap through PacketDecoder + ControlPlaneDecoder: OPENs, routes, keepalives.
        let root = Corpus.root
        let frames = try CaptureFileReader.read(root + "/tcpdump/pcaps/bgp-4byte-asn.pcap")
        var control = ControlPlaneDecoder()
        var packet = DecodedPacket()
        var opens: [UInt32] = [], announced = 0, withdrawn = 0
        func visit(_ e: ControlPlaneEvent) {
            switch e.kind {
            case .bgp(.open(let o)): opens.append(o.asn)
            case .bgp(.route(let r)): if r.action == .announce { announced += 1 } else { withdrawn += 1 }
            default: break
            }
        }
        for f in frames {
            f.bytes.withUnsafeBytes { raw in
                PacketDecoder().decode(raw.bytes, linkType: f.linkType, originalLength: f.originalLength, into: &packet)
                withUnsafePointer(to: &packet) { control.feed(PacketView($0), bytes: raw.bytes, frameNumber: f.number, timestamp: f.timestamp, visit) }
            }
        }
        control.finish(visit)
        #expect(opens.count == 8)  // frames 6, 8, 28, 30, 44, 46, 67, 69 in the tshark oracle
        #expect(opens.contains(0xA4C4_6652))
        #expect(announced > 0 && withdrawn == 15)
    }
}
