// The verdict's control-plane timeline in words: one line per BGP OPEN,
// UPDATE and NOTIFICATION and per first OSPF Hello, DBD and advertisement.

import CrosswireDecoder
import CrosswireVerdict

extension Sentences {
    /// `Cease / Administrative Shutdown`, or `code 9` when RFC 4271 and its updates do not name it.
    static func notificationName(code: UInt8, subcode: UInt8) -> String {
        let names = [BGPNotification.name(code: code), BGPNotification.name(code: code, subcode: subcode)].compactMap { $0.map { "\($0)" } }
        return names.isEmpty ? "code \(code)" : names.joined(separator: " / ")
    }

    func event(_ e: TimelineEntry) -> ControlEvent {
        let (proto, kind, detail): (String, String, String) =
            switch e.message {
            case .bgpOpen(let speaker, let asn, let hold, let id):
                ("bgp", "OPEN", "\(speaker) AS \(asn) hold \(hold) id \(id)")
            case .bgpUpdate(let speaker, let announced, let prefix, let nextHop, let originAS):
                ("bgp", "UPDATE", "\(speaker) \(announced ? "+" : "-")\(prefix)\(nextHop.map { " nh \($0)" } ?? "")\(originAS.map { " origin AS \($0)" } ?? "")")
            case .bgpNotification(let from, let to, let code, let subcode):
                ("bgp", "NOTIFICATION", "\(from) → \(to): \(Self.notificationName(code: code, subcode: subcode)) (code \(code), subcode \(subcode))")
            case .ospfHello(let router, let area, let hello, let dead, let mask):
                ("ospf", "Hello", "router \(router) area \(area) hello \(hello) dead \(dead)\(mask.map { " mask \($0)" } ?? "")")
            case .ospfDatabaseDescription(let router, let mtu):
                ("ospf", "DBD", "router \(router) MTU \(mtu)")
            case .ospfAdvertisement(let router, let prefix, let type):
                ("ospf", "LSA", "router \(router) advertises \(prefix) (LSA type \(type))")
            }
        return ControlEvent(capture: path(e.ref.capture), frame: Int(e.ref.frame), time: e.time.seconds, proto: proto, kind: kind, detail: detail)
    }
}
