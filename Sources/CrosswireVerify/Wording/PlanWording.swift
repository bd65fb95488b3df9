// plan.valid in words.

import CrosswireDecoder
import CrosswireVerdict

extension PlanChecks.Validity {
    func worded(_ w: Sentences) -> CheckResult {
        let expected = "a consistent plan"
        guard let first = problems.first else {
            return w.result(self, "plan is consistent: \(hosts) hosts, \(routers) routers, no overlapping subnets", expected: expected)
        }
        return w.result(
            self, "\(w.count(problems.count, "contradiction")) in the plan: \(first)", expected: expected,
            observed: problems.map { $0.located(in: w.plan.source.file) }, hint: cause.map { hint($0, w) })
    }

    func hint(_ cause: PlanChecks.Cause, _ w: Sentences) -> String {
        switch cause {
        case .overlap(let a, let x, let b, let y):
            "\(a) \(x) and \(b) \(y) overlap: give each Docker host its own `bip` (and `fixed-cidr`) in /etc/docker/daemon.json, and the plan the same `containers`"
        case .coversAddress(let host, let c, let node, let address):
            "\(host)'s containers \(c) include \(node)'s address \(address): Docker's `bip` in daemon.json must not cover the underlay; pick another `bip`"
        case .bridgedOffUnderlay(let u):
            "in bridged mode the containers sit on the underlay \(u): give them addresses there (a macvlan network `--subnet \(u) --ip-range …`, or daemon.json `fixed-cidr` inside it), or plan `transport.mode: routed`"
        case .planLine(let problem):
            "correct the plan at \(problem.located(in: w.plan.source.file))"
        }
    }
}
