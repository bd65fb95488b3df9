// One formatter per kind of number, shared by the checks' sentences and the
// reports, so that one verdict prints a ratio one way.

/// Ratios and averages as the verdict and the reports print them (locale-independent).
public enum NumberFormat {
    /// A ratio as a percentage with two decimals: `0.151286` → `15.13%`.
    public static func percent(_ ratio: Double) -> String {
        guard ratio.isFinite else { return "–" }
        let hundredths = Int((ratio * 10_000).rounded())
        return "\(sign(hundredths))\(hundredths.magnitude / 100).\(twoDigits(hundredths.magnitude % 100))%"
    }

    /// An average: whole, or with two decimals: `50`, `61.33`, `61.30`.
    public static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        let hundredths = Int((value * 100).rounded())
        let whole = "\(sign(hundredths))\(hundredths.magnitude / 100)"
        let fraction = hundredths.magnitude % 100
        if fraction == 0 { return whole }
        return "\(whole).\(twoDigits(fraction))"
    }

    private static func sign(_ n: Int) -> String { n < 0 ? "-" : "" }
    private static func twoDigits(_ n: UInt) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
