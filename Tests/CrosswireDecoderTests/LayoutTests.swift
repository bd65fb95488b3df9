// The decoded packet is copied into place for every frame: keep it small.

import Testing
@testable import CrosswireDecoder

@Test func decodedPacketStaysSmall() {
    let packet = MemoryLayout<DecodedPacket>.size, level = MemoryLayout<PacketLevel>.size
    print("layout: DecodedPacket \(packet) bytes, PacketLevel \(level) bytes, IPFields \(MemoryLayout<IPFields>.size), TransportFields \(MemoryLayout<TransportFields>.size), ARP \(MemoryLayout<ARPHeader?>.size), cooked \(MemoryLayout<LinuxCookedHeader?>.size), tunnel \(MemoryLayout<TunnelFields?>.size), vlans \(MemoryLayout<InlineArray<4, VLANTag>>.size), eth \(MemoryLayout<EthernetHeader?>.size)")
    #expect(packet <= 2400, "DecodedPacket grew to \(packet) bytes: it is reset and borrowed for every frame")
    #expect(level <= 400)
}
