// The BGP/OSPF side of `decode`: fed every decoded frame, it answers the
// control-plane fields for the current frame.

import CrosswireDecoder

/// Control-plane fields of the current frame. Until the BGP/OSPF decoders
/// are wired in, every such field is empty.
struct ControlPlaneFields: ControlPlaneFieldWriter {
    /// Called once per frame, before any field of that frame is written.
    mutating func feed(_ packet: DecodedPacket, bytes: borrowing RawSpan, frame: FrameFacts) {}

    mutating func write(_ field: PacketField, to out: inout [UInt8]) {}

    /// Appends a readable BGP/OSPF summary of the current frame (text mode).
    func writeSummary(to out: inout [UInt8]) {}
}
