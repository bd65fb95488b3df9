// Writes every fixture's reports to $CROSSWIRE_REPORT_SAMPLES/<fixture>/ when that
// variable is set, for looking at them by eye (and in a browser).

import CrosswireReport
import Foundation
import Testing

@Test(.enabled(if: ProcessInfo.processInfo.environment["CROSSWIRE_REPORT_SAMPLES"] != nil, "set CROSSWIRE_REPORT_SAMPLES=DIR to write sample reports"))
func writeSampleReports() throws {
    let root = URL(fileURLWithPath: ProcessInfo.processInfo.environment["CROSSWIRE_REPORT_SAMPLES"]!)
    for (name, verdict) in Fixtures.all {
        try ReportWriter.write(verdict, formats: ReportFormat.allCases, to: root.appendingPathComponent(name))
    }
}
