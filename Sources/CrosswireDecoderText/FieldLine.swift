// One `-T fields` line per packet, written straight into the output's memory.

import CrosswireDecoder

/// The selected fields of `-T fields`, resolved once. Per packet: `prepare`
/// says how many bytes the line may take, the caller makes that much room,
/// and `write` writes the line there.
public struct FieldLine {
    private let fields: [PacketField]
    private let separator: UInt8
    /// Room for the fields written in place, the separators and the newline.
    private let directBound: Int
    /// The other fields' text for the current packet, in order, and where each ends.
    private var indirect: [UInt8] = []
    private var indirectEnds: [Int]
    /// True when a field comes from the control plane (BGP, OSPF).
    public let needsControlPlane: Bool
    /// True when every field is written in place: `prepare` then always returns `lineBound`.
    public var isFixed: Bool { indirectEnds.isEmpty }
    /// The most bytes a line of in-place fields takes.
    public var lineBound: Int { directBound }

    public init(_ fields: [PacketField], separator: UInt8) {
        self.fields = fields
        self.separator = separator
        // 8 more: the scratch a writer may store past the newline's place.
        directBound = fields.reduce(fields.count + 8) { $0 + ($1.maximumLength ?? 0) }
        indirectEnds = Array(repeating: 0, count: fields.count { $0.maximumLength == nil })
        indirect.reserveCapacity(4096)
        needsControlPlane = fields.contains { $0.isControlPlane }
    }

    /// Gets the packet's `frame.protocols`, `crosswire.stop` and control-plane
    /// text ready, and returns the most bytes `write` will write for it.
    public mutating func prepare<C: ControlPlaneFieldWriter>(
        _ packet: UnsafePointer<DecodedPacket>, frame: FrameFacts, control: inout C
    ) -> Int {
        if indirectEnds.isEmpty { return directBound }
        indirect.removeAll(keepingCapacity: true)
        var k = 0
        for f in fields where f.maximumLength == nil {
            packet.pointee.write(f, frame: frame, control: &control, to: &indirect)
            indirectEnds[k] = indirect.count
            k += 1
        }
        return directBound + indirect.count
    }

    /// Writes the packet's line, newline included, at `start` (room for what
    /// `prepare` returned), and returns where it ends.
    /// The packet is passed by address: passing a `DecodedPacket` (about 2.5 KB) from a variable copies it.
    public func write(
        _ packet: UnsafePointer<DecodedPacket>, frame: FrameFacts, to start: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        var p = start
        var k = 0, from = 0
        for i in fields.indices {
            if i > 0 { put(separator, &p) }
            if !writeDirect(fields[i], of: packet, frame: frame, to: &p) {
                let end = indirectEnds[k]
                if end > from {
                    indirect.withUnsafeBufferPointer { p.update(from: $0.baseAddress! + from, count: end - from) }
                    p += end - from
                }
                from = end
                k += 1
            }
        }
        put(UInt8(ascii: "\n"), &p)
        return p
    }
}
