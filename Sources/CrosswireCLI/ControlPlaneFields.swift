// The BGP/OSPF side of `decode`: fed every decoded frame, it answers the
// control-plane fields (and the text summary) for the current frame.

import CrosswireDecoder
import CrosswireDecoderText

/// Control-plane fields of the current frame. BGP goes through the stream
/// reassembler, so a message spread over several segments belongs to the
/// frame that completes it, as in tshark. Data the reassembler releases only
/// later (held behind a capture gap) belongs to an earlier frame that was
/// already printed: it is counted, not printed.
struct ControlPlaneFields: ControlPlaneFieldWriter {
    private var reassembler = BGPStreamReassembler()
    private var bgp = BGPFieldText(capacity: 256)
    private var ospfMessage: [UInt8] = []
    private var ospfRouter: [UInt8] = []
    private var ospfArea: [UInt8] = []
    private var summary: [UInt8] = []
    private var frame = 0
    /// BGP messages completed for a frame that was already written.
    private(set) var lateMessages = 0

    init() {
        ospfMessage.reserveCapacity(16)
        ospfRouter.reserveCapacity(32)
        ospfArea.reserveCapacity(32)
        summary.reserveCapacity(512)
    }

    /// Called once per frame, before any field of that frame is written.
    mutating func feed(_ packet: borrowing DecodedPacket, bytes: borrowing RawSpan, frame facts: FrameFacts, summaries: Bool) {
        frame = facts.number
        bgp.reset()
        ospfMessage.removeAll(keepingCapacity: true)
        ospfRouter.removeAll(keepingCapacity: true)
        ospfArea.removeAll(keepingCapacity: true)
        summary.removeAll(keepingCapacity: true)
        if packet.application == .ospf {
            OSPFFieldText.write(packet, bytes: bytes, message: &ospfMessage, sourceRouter: &ospfRouter, area: &ospfArea)
            if summaries {
                summary.append(UInt8(ascii: " "))
                ControlPlaneSummary.writeOSPF(packet, bytes: bytes, to: &summary)
            }
            return
        }
        guard packet.levelCount > 0 else { return }
        let current = facts.number
        let timestamp = facts.seconds &* 1_000_000_000 &+ Int64(facts.nanoseconds)
        withUnsafePointer(to: packet) { packet in
            reassembler.ingest(PacketView(packet), bytes: bytes, frameNumber: current, timestamp: timestamp) { message, delivery in
                guard case .message = delivery.kind else { return }
                guard delivery.frame == current else {
                    lateMessages += 1
                    return
                }
                bgp.add(message: message, session: delivery.session)
                if summaries {
                    summary.append(UInt8(ascii: " "))
                    ControlPlaneSummary.writeBGP(message: message, session: delivery.session, to: &summary)
                }
            }
        }
    }

    mutating func write(_ field: PacketField, to out: inout [UInt8]) {
        switch field {
        case .bgpType: out.append(contentsOf: bgp.type)
        case .bgpNLRIPrefix: out.append(contentsOf: bgp.nlriPrefix)
        case .bgpWithdrawnPrefix: out.append(contentsOf: bgp.withdrawnPrefix)
        case .bgpNextHop: out.append(contentsOf: bgp.nextHop)
        case .ospfMessage: out.append(contentsOf: ospfMessage)
        case .ospfSourceRouter: out.append(contentsOf: ospfRouter)
        case .ospfAreaID: out.append(contentsOf: ospfArea)
        default: break
        }
    }

    /// Appends the readable BGP/OSPF summary of the current frame (text mode).
    func writeSummary(to out: inout [UInt8]) {
        out.append(contentsOf: summary)
    }
}
