// libFuzzer entry point over the BGP/OSPF path: TCP segments on port 179 go
// through `BGPStreamReassembler` and every BGP decoder, OSPF packets through
// the OSPF decoders: the events `verify` uses (what ControlPlaneDecoder does,
// done here by hand so that one reassembler serves both) and the field text
// and summaries of `decode`.
//
// Input: byte 0 sets the reassembler's limits, then records until the input ends:
//
//   byte 0     bits 0-1 buffer capacity (64, 300, 1024, 8192 bytes)
//              bits 2-4 held out-of-order segments - 1 (1…8)
//              bits 5-6 connections tracked - 1 (1…4)
//   record     op, delta (2 bytes, signed, big-endian), length (2 bytes, big-endian), payload
//     op bit 0   the segment goes from the BGP speaker back to the client (reverse direction)
//     op bit 1   SYN   bit 2 FIN   bit 3 RST
//     op bit 4   an OSPF packet (IP protocol 89) instead of a TCP segment; with bit 3 set,
//                the clock first jumps an hour (idle connections expire)
//     op bit 5   over IPv6 instead of IPv4
//     op bits 6-7  which of 4 connections (client ports 50000…50003)
//     delta      the segment's sequence number minus the next one expected in its direction
//     length     payload bytes (at most what is left of the input)
// Every record becomes a whole Ethernet frame, decoded by `PacketDecoder` first.

import CrosswireDecoder
import CrosswireDecoderText

let decoder = PacketDecoder()
nonisolated(unsafe) var packet = DecodedPacket()
/// The frame being built: headers, then the payload. Allocated once.
nonisolated(unsafe) let frame = UnsafeMutableRawBufferPointer.allocate(byteCount: 14 + 40 + 20 + 0xFFFF, alignment: 8)
nonisolated(unsafe) var text = BGPFieldText(capacity: 1024)
nonisolated(unsafe) var summary: [UInt8] = {
    var s: [UInt8] = []
    s.reserveCapacity(1 << 16)
    return s
}()

/// Writes a frame's headers: Ethernet, IPv4 or IPv6, and TCP (20 bytes) unless `ospf`.
/// Returns where the payload goes.
func writeHeaders(ipv6: Bool, ospf: Bool, reverse: Bool, client: UInt16, sequence: UInt32, flags: UInt8, payloadLength: Int) -> Int {
    var at = 0
    func put(_ byte: UInt8) { frame[at] = byte; at += 1 }
    func put16(_ value: UInt16) { put(UInt8(value >> 8)); put(UInt8(value & 0xFF)) }
    func put32(_ value: UInt32) { put16(UInt16(value >> 16)); put16(UInt16(value & 0xFFFF)) }
    let a: UInt8 = reverse ? 2 : 1, b: UInt8 = reverse ? 1 : 2
    put16(0x0200); put32(UInt32(b)); put16(0x0200); put32(UInt32(a))  // locally administered MACs
    put16(ipv6 ? 0x86DD : 0x0800)
    let transportLength = (ospf ? 0 : 20) + payloadLength
    let proto: UInt8 = ospf ? 89 : 6
    if ipv6 {
        put32(0x6000_0000); put16(UInt16(truncatingIfNeeded: transportLength)); put(proto); put(64)
        for end in 0..<2 {
            put32(0x2001_0DB8)
            for _ in 0..<11 { put(0) }
            put(end == 0 ? a : b)  // 2001:db8::1 and ::2
        }
    } else {
        put32(0x4500_0000 | UInt32(UInt16(truncatingIfNeeded: 20 + transportLength)))
        put32(0x0001_4000); put(64); put(proto); put16(0)
        put32(0xC000_0200 | UInt32(a)); put32(0xC000_0200 | UInt32(b))
    }
    guard !ospf else { return at }
    put16(reverse ? 179 : client); put16(reverse ? client : 179)
    put32(sequence); put32(1)
    put(0x50); put(flags | 0x10); put16(0xFFFF); put32(0)
    return at
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    var configuration = BGPStreamConfiguration()
    configuration.bufferCapacity = [64, 300, 1024, 8192][Int(input[0] & 3)]
    configuration.maxHeldSegments = 1 + Int((input[0] >> 2) & 7)
    configuration.maxConnections = 1 + Int((input[0] >> 5) & 3)
    var reassembler = BGPStreamReassembler(configuration: configuration)
    // The next sequence number expected per connection and direction.
    var next: [UInt32] = (0..<8).map { UInt32($0) &* 0x1000_0000 &+ 1000 }
    var timestamp: Int64 = 1_700_000_000 * 1_000_000_000
    var frameNumber = 0
    var eventCount = 0

    let visit: BGPStreamReassembler.Visitor = { message, delivery in
        guard case .message = delivery.kind else { return }
        BGPEventDecoder.decode(message, at: 0, options: delivery.session) { _ in eventCount += 1 }
        text.add(message: message, session: delivery.session)
        ControlPlaneSummary.writeBGP(message: message, session: delivery.session, to: &summary)
    }

    var at = 1
    while at + 5 <= size {
        let op = input[at]
        let delta = Int16(bitPattern: UInt16(input[at + 1]) << 8 | UInt16(input[at + 2]))
        let length = min(Int(UInt16(input[at + 3]) << 8 | UInt16(input[at + 4])), size - at - 5)
        at += 5
        let reverse = op & 1 != 0, ospf = op & 0x10 != 0, ipv6 = op & 0x20 != 0
        let connection = Int(op >> 6)
        let slot = connection * 2 + (reverse ? 1 : 0)
        let sequence = next[slot] &+ UInt32(bitPattern: Int32(delta))
        if ospf && op & 0x08 != 0 { timestamp += 3600 * 1_000_000_000 }
        timestamp += 1_000_000
        frameNumber += 1
        let headers = writeHeaders(ipv6: ipv6, ospf: ospf, reverse: reverse, client: 50_000 + UInt16(connection),
                                   sequence: sequence, flags: ospf ? 0 : (op >> 1) & 7, payloadLength: length)
        UnsafeMutableRawBufferPointer(rebasing: frame[headers..<(headers + length)])
            .copyMemory(from: UnsafeRawBufferPointer(start: data + at, count: length))
        at += length
        let frameLength = headers + length
        if !ospf { next[slot] = sequence &+ UInt32(length) &+ (op & 2 != 0 ? 1 : 0) }

        text.reset()
        summary.removeAll(keepingCapacity: true)
        do {
            let raw = UnsafeRawBufferPointer(rebasing: frame[0..<frameLength])
            decoder.decode(raw.bytes, linkType: .ethernet, originalLength: raw.count, into: &packet)
            if packet.application == .ospf {
                let start = packet.applicationOffset
                OSPFEventDecoder.decode(raw.bytes, at: start, limit: start + packet.applicationLength) { _ in eventCount += 1 }
                var m: [UInt8] = [], r: [UInt8] = [], a: [UInt8] = []
                OSPFFieldText.write(packet, bytes: raw.bytes, message: &m, sourceRouter: &r, area: &a)
                ControlPlaneSummary.writeOSPF(packet, bytes: raw.bytes, to: &summary)
            } else {
                reassembler.ingest(packet, bytes: raw.bytes, frameNumber: frameNumber, timestamp: timestamp, visit)
            }
        }
    }
    reassembler.finish(visit)
    // The reassembler's limits hold whatever the input.
    precondition(reassembler.connectionCount <= configuration.maxConnections)
    return 0
}
