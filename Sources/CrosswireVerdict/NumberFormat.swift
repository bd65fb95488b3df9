// One formatter per kind of number, shared by the checks' wording and every
// report, so that one verdict prints a kind of number one way.

import Foundation
import Synchronization

/// Numbers, sizes and times as the verdict's sentences and the reports print them (locale-independent).
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

    /// A count as reports print it: `12345` → `12,345`.
    public static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// A count with its noun, plural unless one. The verdict's sentences write the digits plain
    /// (`1234 packets`), the reports grouped (`1,234 packets`).
    public static func count(_ n: Int, _ noun: String, grouped: Bool = true) -> String {
        "\(grouped ? count(n) : String(n)) \(noun)\(n == 1 ? "" : "s")"
    }

    /// A byte size: `1536` → `1.5 KiB`; below 1 KiB the exact count of bytes.
    public static func bytes(_ n: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(n)
        if abs(value) < 1024 { return "\(count(n)) B" }
        var unit = -1
        while abs(value) >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return String(format: "%.1f %@", value, units[unit])
    }

    /// A duration in seconds: `12.345 s`, `1 h 02 min 03 s`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        if seconds < 60 { return String(format: "%.3f s", seconds) }
        let total = Int(seconds.rounded())
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        return h > 0 ? String(format: "%d h %02d min %02d s", h, m, s) : String(format: "%d min %02d s", m, s)
    }

    /// A duration in seconds for machines (JUnit's `time`): at most three decimals, `0.25`.
    public static func seconds(_ seconds: Double) -> String { trimmed(seconds, digits: 3) }

    /// A clock offset to the microsecond, signed: `-90.000011 s`, `+0.000006 s`.
    public static func offset(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        return String(format: "%+.6f s", seconds)
    }

    /// Seconds since the epoch as UTC ISO 8601 with milliseconds: `2024-05-01T12:00:00.123Z`.
    public static func timestamp(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        return iso8601.withLock { $0.string(from: Date(timeIntervalSince1970: seconds)) }
    }

    /// One formatter for every timestamp: made per call, it was most of a timestamp's cost.
    private static let iso8601 = Mutex<ISO8601DateFormatter>({
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }())

    /// A drawing coordinate (SVG): at most one decimal, `12.5`, `40`.
    public static func coordinate(_ value: Double) -> String { trimmed(value, digits: 1) }

    /// At most `digits` decimals, trailing zeros dropped: `50.0` → `50`.
    private static func trimmed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "–" }
        var text = String(format: "%.\(digits)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    private static func sign(_ n: Int) -> String { n < 0 ? "-" : "" }
    private static func twoDigits(_ n: UInt) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
