// The decoded packet is copied into place for every frame: keep it small.

import Testing
@testable import CrosswireDecoder

@Test func decodedPacketStaysSmall() {
    let packet = MemoryLayout<DecodedPacket>.size, level = MemoryLayout<PacketLevel>.size
    print("layout: DecodedPacket \(packet) bytes, PacketLevel \(level) bytes, IPFields \(MemoryLayout<IPFields>.size), TransportFields \(MemoryLayout<TransportFields>.size), ARP \(MemoryLayout<ARPHeader?>.size), cooked \(MemoryLayout<LinuxCookedHeader?>.size), tunnel \(MemoryLayout<TunnelFields?>.size), vlans \(MemoryLayout<InlineArray<4, VLANTag>>.size), eth \(MemoryLayout<EthernetHeader?>.size)")
    #expect(packet <= 2400, "DecodedPacket grew to \(packet) bytes: it is reset and borrowed for every frame")
    #expect(level <= 400)
}

/// What `PacketView` and the batches rely on when they read levels through a pointer: the
/// levels one after another from `firstLevelOffset`, and every field a view reads before them
/// (a batch keeps a packet only up to its last level in use).
@Test func levelsLieWhereViewsReadThem() {
    let first = MemoryLayout<PacketLevels>.offset(of: \.l0)!
    let stride = MemoryLayout<PacketLevel>.stride
    let inLevels: [PartialKeyPath<PacketLevels>] = [\.l0, \.l1, \.l2, \.l3, \.l4]
    #expect(inLevels.count == DecodedPacket.maxLevels)
    for (i, level) in inLevels.enumerated() {
        #expect(MemoryLayout<PacketLevels>.offset(of: level) == first + i * stride, "level \(i) is not where a view reads it")
    }
    let levels = MemoryLayout<DecodedPacket>.offset(of: \.levels)!
    #expect(DecodedPacket.firstLevelOffset == levels + first)
    let viewed: [PartialKeyPath<DecodedPacket>] = [
        \.linkType, \.capturedLength, \.originalLength, \.levelCount, \.application, \.applicationLevel,
        \.applicationOffset, \.applicationLength, \.stop,
    ]
    for field in viewed {
        #expect(MemoryLayout<DecodedPacket>.offset(of: field)! < levels, "\(field) lies after the levels: a batch would not keep it")
    }
    #expect(MemoryLayout<DecodedPacket>.offset(of: \.layers)! >= levels + MemoryLayout<PacketLevels>.size)
}
