// From decoded packets to control-plane events (BGP and OSPF) for the
// verification engine.

/// One control-plane event with where it came from.
public struct ControlPlaneEvent: Sendable, BitwiseCopyable {
    public enum Kind: Sendable, BitwiseCopyable, Equatable {
        case bgp(BGPEvent)
        /// Something about a BGP TCP stream: a gap, a resynchronisation, an unfinished message.
        case bgpStream(BGPStreamNotice)
        case ospf(OSPFEvent)
    }
    public var kind: Kind
    /// The frame the event belongs to: for BGP, the frame that completed the message.
    public var frame: Int
    public var timestamp: Int64
    public var source: IPAddress
    public var destination: IPAddress
    /// TCP ports for BGP; 0 for OSPF.
    public var sourcePort: UInt16
    public var destinationPort: UInt16
}

/// Decodes the BGP and OSPF of a capture into events.
///
/// Per packet, in capture order:
///
/// ```swift
/// var decoder = PacketDecoder()
/// var control = ControlPlaneDecoder()
/// var packet = DecodedPacket()
/// for each frame (bytes: RawSpan, number, timestamp in ns):
///     decoder.decode(bytes, linkType: link, originalLength: wireLength, into: &packet)
///     withUnsafePointer(to: &packet) { p in
///         control.feed(PacketView(p), bytes: bytes, frameNumber: number, timestamp: ns) { event in
///             // event.kind: .bgp(.open / .route / .notification …), .ospf(.hello / .advertisement …)
///         }
///     }
/// control.finish { event in … }   // after the last frame: held out-of-order BGP data
/// ```
///
/// OSPF packets (IP protocol 89, `packet.application == .ospf`) become events
/// at once. TCP segments to or from port 179 (any flags, so FIN/RST end the
/// connection's state) go through a `BGPStreamReassembler`; each complete
/// message becomes events in the frame that completed it, decoded with the
/// session's negotiated 4-octet-AS / ADD-PATH options once its OPENs were
/// seen. Nothing is allocated per packet; a new TCP connection allocates its
/// buffers once. Events can arrive for an earlier frame than the one fed
/// (out-of-order data decoded when a hole is given up); `frame` says which.
public struct ControlPlaneDecoder {
    public var reassembler: BGPStreamReassembler

    public init(configuration: BGPStreamConfiguration = BGPStreamConfiguration()) {
        reassembler = BGPStreamReassembler(configuration: configuration)
    }

    /// Feeds one decoded frame and its captured bytes.
    public mutating func feed(
        _ packet: PacketView, bytes: borrowing RawSpan, frameNumber: Int, timestamp: Int64,
        _ visit: (ControlPlaneEvent) -> Void
    ) {
        if packet.application == .ospf, let ip = packet.levels[packet.applicationLevel].ip {
            let start = packet.applicationOffset
            OSPFEventDecoder.decode(bytes, at: start, limit: start + packet.applicationLength) { e in
                visit(ControlPlaneEvent(kind: .ospf(e), frame: frameNumber, timestamp: timestamp,
                                        source: ip.source, destination: ip.destination, sourcePort: 0, destinationPort: 0))
            }
            return
        }
        reassembler.ingest(packet, bytes: bytes, frameNumber: frameNumber, timestamp: timestamp) { message, delivery in
            ControlPlaneDecoder.deliver(message, delivery, visit)
        }
    }

    /// Ends all BGP streams (call after the last frame).
    public mutating func finish(_ visit: (ControlPlaneEvent) -> Void) {
        reassembler.finish { message, delivery in ControlPlaneDecoder.deliver(message, delivery, visit) }
    }

    static func deliver(_ message: borrowing RawSpan, _ d: BGPStreamDelivery, _ visit: (ControlPlaneEvent) -> Void) {
        let dir = d.direction
        switch d.kind {
        case .message:
            BGPEventDecoder.decode(message, at: 0, options: d.session) { e in
                visit(ControlPlaneEvent(kind: .bgp(e), frame: d.frame, timestamp: d.timestamp, source: dir.source,
                                        destination: dir.destination, sourcePort: dir.sourcePort,
                                        destinationPort: dir.destinationPort))
            }
        case .notice(let n):
            visit(ControlPlaneEvent(kind: .bgpStream(n), frame: d.frame, timestamp: d.timestamp, source: dir.source,
                                    destination: dir.destination, sourcePort: dir.sourcePort,
                                    destinationPort: dir.destinationPort))
        }
    }
}
