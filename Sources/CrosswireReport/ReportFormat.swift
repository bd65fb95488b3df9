// The report formats of the contract (§2) and their file names.

/// A report format of `--format` (contract §2).
public enum ReportFormat: String, CaseIterable, Sendable {
    case md, html, json, junit

    /// The formats written when `--format` is not given: Markdown and HTML.
    public static let defaults: [ReportFormat] = [.md, .html]

    /// The file name the report is written under, inside the output directory.
    public var fileName: String {
        switch self {
        case .md: "crosswire.md"
        case .html: "crosswire.html"
        case .json: "crosswire.json"
        case .junit: "crosswire.junit.xml"
        }
    }
}
