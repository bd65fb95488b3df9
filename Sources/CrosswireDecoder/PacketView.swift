// A decoded packet read where it lies. Lent as a `borrowing DecodedPacket`
// from a stored property or a pointer, the packet was copied (2.3 KB) into a
// temporary for the call on every frame; a view is one pointer, and each field
// is read in place. The analysers and the flow table are lent views.

/// A `DecodedPacket` read in place. Valid while the packet it points to is neither
/// moved nor rewritten: during one frame's analysis.
public struct PacketView {
    @usableFromInline let base: UnsafePointer<DecodedPacket>
    /// Where level 0 lies; the others follow at the level's stride.
    @usableFromInline let firstLevel: UnsafeRawPointer

    @inlinable
    public init(_ base: UnsafePointer<DecodedPacket>) {
        self.base = base
        firstLevel = UnsafeRawPointer(base) + DecodedPacket.firstLevelOffset
    }

    /// The packet itself, for code that reads it in place (`FieldLine`). Only the fields a
    /// view reads are there when the packet lies in a batch (ParallelRead): not the layers.
    @inlinable public var packet: UnsafePointer<DecodedPacket> { base }
    /// The bytes of the packet this view reads, from its start: what a batch keeps of it.
    @inlinable public var usedByteCount: Int { DecodedPacket.usedByteCount(levelCount: levelCount) }
    @inlinable public var linkType: LinkType { base.pointee.linkType }
    @inlinable public var capturedLength: Int { base.pointee.capturedLength }
    @inlinable public var originalLength: Int { base.pointee.originalLength }
    @inlinable public var levelCount: Int { base.pointee.levelCount }
    @inlinable public var application: ApplicationKind { base.pointee.application }
    @inlinable public var stop: DecodeStop? { base.pointee.stop }
    @inlinable public var isMalformed: Bool { stop?.isMalformed ?? false }
    @inlinable public var isSnapped: Bool { capturedLength < originalLength }
    @inlinable public var applicationLevel: Int { base.pointee.applicationLevel }
    @inlinable public var applicationOffset: Int { base.pointee.applicationOffset }
    @inlinable public var applicationLength: Int { base.pointee.applicationLength }

    /// Level `i`, read in place (`levels[i].ip` reads one field).
    @inlinable public var levels: Levels { Levels(first: firstLevel) }

    public struct Levels {
        @usableFromInline let first: UnsafeRawPointer

        @inlinable init(first: UnsafeRawPointer) { self.first = first }

        @inlinable
        public subscript(i: Int) -> LevelView {
            precondition(i >= 0 && i < DecodedPacket.maxLevels, "level out of range")
            return LevelView(first + i * MemoryLayout<PacketLevel>.stride)
        }
    }

    /// The innermost level with an IP header, not counting an ICMP error's quote.
    @inlinable
    public var innermostIPLevel: Int? {
        var i = levelCount - 1
        while i >= 0 {
            let level = levels[i]
            if level.ip != nil, level.origin != .icmpQuote { return i }
            i -= 1
        }
        return nil
    }

    /// The index of the outermost tunnel's outer level, or nil when no tunnel was found.
    @inlinable
    public var firstTunnelLevel: Int? {
        for i in 0..<levelCount where levels[i].tunnel != nil { return i }
        return nil
    }
}

/// One `PacketLevel` of a `PacketView`, read in place.
public struct LevelView {
    @usableFromInline let level: UnsafePointer<PacketLevel>

    @inlinable
    init(_ address: UnsafeRawPointer) { level = address.assumingMemoryBound(to: PacketLevel.self) }

    @inlinable public var origin: LevelOrigin { level.pointee.origin }
    @inlinable public var cooked: LinuxCookedHeader? { level.pointee.cooked }
    @inlinable public var ethernet: EthernetHeader? { level.pointee.ethernet }
    @inlinable public var vlanCount: Int { level.pointee.vlanCount }
    @inlinable public var vlans: InlineArray<4, VLANTag> { level.pointee.vlans }
    @inlinable public var etherType: UInt16 { level.pointee.etherType }
    @inlinable public var arp: ARPHeader? { level.pointee.arp }
    @inlinable public var ip: IPFields? { level.pointee.ip }
    @inlinable public var transport: TransportFields { level.pointee.transport }
    @inlinable public var tunnel: TunnelFields? { level.pointee.tunnel }
}

/// A decoded packet in memory of its own, reused frame after frame and lent as a
/// `PacketView`: a pointer that stays valid while the buffer lives. Copies of a
/// value that holds one share it; one thread decodes into it, and each frame's
/// decode rewrites it.
public final class DecodedPacketBuffer {
    /// The packet, for code that reads it in place (`FieldLine`).
    public let packet: UnsafeMutablePointer<DecodedPacket>

    public init() {
        packet = .allocate(capacity: 1)
        packet.initialize(to: DecodedPacket())
    }

    deinit {
        packet.deinitialize(count: 1)
        packet.deallocate()
    }

    /// Decodes a frame into the packet and lends it.
    @inlinable
    public func decode(_ bytes: borrowing RawSpan, by decoder: PacketDecoder, linkType: LinkType, originalLength: Int) -> PacketView {
        decoder.decode(bytes, linkType: linkType, originalLength: originalLength, into: packet)
        return PacketView(packet)
    }
}
