// The one-screen summary `crosswire verify` prints on stdout.

import CrosswireVerdict

/// Renders a verdict as a short terminal summary: a line per check (and its hint under a
/// failing or warning one), then the overall line.
///
/// ```
/// FAIL  nat.source       1 flow source-NATed: 192.168.10.2 -> 192.168.56.119
/// PASS  encap.mode       vxlan VNI 1 on UDP 8472, as planned
/// …
/// crosswire: FAIL (blog-static-routes): 1 failed, 0 warnings, 11 passed, 2 skipped
/// ```
/// Packet- and plan-derived text is reduced to one line without control characters,
/// so it can neither break the layout nor send escape sequences to the terminal.
public enum TerminalSummary {
    /// Summaries longer than this are cut with `…` so that every check stays on one line.
    public static let summaryLimit = 110

    /// The summary; `color` adds ANSI colours to the status words.
    public static func render(_ verdict: Verdict, color: Bool) -> String {
        let idWidth = max(verdict.checks.map { OneLine.clean($0.id.rawValue).count }.max() ?? 0, 14)
        var out = ""
        for check in verdict.checks {
            var summary = OneLine.clean(check.summary)
            if summary.count > summaryLimit { summary = String(summary.prefix(summaryLimit - 1)) + "…" }
            let id = OneLine.clean(check.id.rawValue)
            out += paint(check.status.word, check.status, color) + "  "
                + id + String(repeating: " ", count: max(idWidth - id.count, 0)) + "  " + summary + "\n"
            if let hint = check.hint {
                out += String(repeating: " ", count: 6 + idWidth + 2) + "hint: " + OneLine.clean(hint) + "\n"
            }
        }
        for capture in verdict.captures {
            guard let cut = capture.incomplete else { continue }
            out += paint("INCOMPLETE", .fail, color)
                + "  \(OneLine.clean(capture.path)): could not be read past frame \(cut.frame): \(OneLine.clean(cut.reason))\n"
        }
        for capture in verdict.captures {
            guard let drops = capture.drops, drops.droppedByKernel + drops.droppedByInterface > 0 else { continue }
            out += paint("DROPS", .warn, color)
                + "  \(OneLine.clean(capture.path)): \(drops.droppedByKernel + drops.droppedByInterface) packets dropped while capturing, so its verdict may be incomplete\n"
        }
        let overall = verdict.overall
        out += "crosswire: " + paint(overall.word, overall, color) + " (\(OneLine.clean(verdict.plan))): "
            + StatusCounts(verdict.checks).phrase + (verdict.isIncomplete ? "; input incomplete" : "") + "\n"
        return out
    }

    private static func paint(_ word: String, _ status: CheckStatus, _ color: Bool) -> String {
        guard color else { return word }
        let code = switch status {
        case .pass: "32"
        case .fail: "1;31"
        case .warn: "33"
        case .skip: "2"
        }
        return "\u{1B}[\(code)m\(word)\u{1B}[0m"
    }
}
