// arp.conflict in words.

import CrosswireDecoder
import CrosswireVerdict

extension ARPChecks.Conflict {
    func worded(_ w: Sentences) -> CheckResult {
        guard messages > 0 else { return w.result(self, "no ARP or IPv6 neighbour discovery in the captures") }
        let expected = "each IP address claimed by one MAC"
        let observed = conflicts.map { "\($0.address) claimed by \($0.spans.map(\.mac.description).joined(separator: ", ")) at the same time" }
        let moved = handovers.map { c in "\(c.address) moved: " + c.spans.map { "\($0.mac) from \(w.place($0.first))" }.joined(separator: ", then ") }
        let detail = { (n: (address: IPAddress, mac: MACAddress)) in "\(n.address) claimed by \(n.mac)" }
        switch status {
        case .fail:
            return w.result(
                self, "\(conflicts.count) address\(conflicts.count == 1 ? " is" : "es are") claimed by several MACs: \(observed[0])",
                expected: expected, observed: observed + moved, evidence: evidence, detail: detail, hint: hint(conflicts[0], w))
        case .warn:
            return w.result(
                self, "\(handovers.count) address\(handovers.count == 1 ? "" : "es") handed over to another MAC (failover or a reused address): \(moved[0])",
                expected: expected, observed: moved, evidence: evidence, detail: detail, hint: hint(handovers[0], w))
        default:
            return w.result(self, "\(addresses) addresses claimed in \(messages) ARP messages, one MAC each", expected: expected)
        }
    }

    func hint(_ claim: ARPChecks.Claim, _ w: Sentences) -> String {
        let (ip, macs) = (claim.address, claim.macs.map(\.description))
        let find = "`ip -br link | grep \(macs.last!)` on the hosts finds the newcomer"
        guard status == .fail else {
            return "\(ip) moved from \(macs[0]) to \(macs[1...].joined(separator: ", then ")): expected of a keepalived/VRRP or MetalLB failover, or a container restarted with its `--ip`; if neither happened, \(find)"
        }
        let what = switch claimant ?? .unknown {
        case .gateway: "two bridges use the gateway \(ip): a duplicate `bip` in daemon.json on two hosts"
        case .node(let n): "two machines use \(w.name(n))'s address \(ip): a duplicate static address, or keepalived with two MASTERs (`ip -br addr` shows the VIP on both)"
        case .container: "two containers use \(ip): a duplicate `--ip`, or the same `bip`/`fixed-cidr` on two hosts that share a segment"
        case .unknown: "two machines answer for \(ip) at once: a duplicate address, or keepalived/VRRP split brain"
        }
        return "\(what); \(macs.joined(separator: " and ")) claim it: \(find)"
    }
}
