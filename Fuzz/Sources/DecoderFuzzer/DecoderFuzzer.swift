// libFuzzer entry point over `PacketDecoder` and everything that prints a
// decoded packet (the text summary, JSON and every tshark field).
//
// Input: byte 0 chooses how the rest is decoded, the rest is one frame.
//   bits 0-3  the link type: an index into `linkTypes` (taken modulo its count)
//   bit 4     decode with extra tunnel ports (VXLAN 4790 and 8999, GENEVE 6082),
//             as a plan's `transport.vxlan.port` / `geneve.port` adds them
//   bit 5     the frame was cut by the snapshot length: its original length is
//             larger than the bytes captured
// Seeds (`scripts/fuzz-seeds.py`) are every frame of pcaps/ and Tests/Corpus/
// with the byte that names its link type in front.

import CrosswireDecoder
import CrosswireDecoderText

/// Every link type the decoder walks, in the order byte 0 numbers them.
let linkTypes: [LinkType] = [
    .ethernet, .linuxSLL, .linuxSLL2, .null, .loop, .raw, .rawOpenBSD, .rawLinkType, .ipv4, .ipv6,
]

let plainDecoder = PacketDecoder()
let tunnelPortDecoder: PacketDecoder = {
    var options = DecoderOptions()
    options.addVXLANPort(4790)
    options.addVXLANPort(8999)
    options.addGENEVEPort(6082)
    return PacketDecoder(options: options)
}()

// libFuzzer calls the entry point from one thread: reusing these is safe.
nonisolated(unsafe) var packet = DecodedPacket()
nonisolated(unsafe) var output: [UInt8] = {
    var o: [UInt8] = []
    o.reserveCapacity(1 << 16)
    return o
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let selector = data[0]
    let linkType = linkTypes[Int(selector & 0x0F) % linkTypes.count]
    let decoder = selector & 0x10 != 0 ? tunnelPortDecoder : plainDecoder
    let frame = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let originalLength = selector & 0x20 != 0 ? frame.count + 1500 : frame.count
    let facts = FrameFacts(number: 1, seconds: 1_700_000_000, nanoseconds: 123_456_789)

    decoder.decode(frame.bytes, linkType: linkType, originalLength: originalLength, into: &packet)

    output.removeAll(keepingCapacity: true)
    packet.writeSummary(to: &output)
    packet.writeJSON(frame: facts, to: &output)
    var none = NoControlPlaneFields()
    for field in PacketField.allCases {
        packet.write(field, frame: facts, control: &none, to: &output)
    }
    // Every text the decoder writes must be UTF-8 (it goes into JSON and reports).
    precondition(String(validating: output, as: UTF8.self) != nil, "decoder output is not UTF-8")
    return 0
}
