// A plan that cannot be read: an input error (contract §5, exit 2), reported
// as one line naming the file, the line and the key.

/// Why a plan file could not be read. Its `description` is one line:
/// `plan.yaml:12: hosts[1].containers: "192.168.20.0/33" is not an address prefix`.
public struct PlanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of mistake this is, for callers that react differently.
    public enum Kind: String, Sendable, Hashable {
        /// The file could not be opened or read.
        case unreadable
        /// The input is larger than `PlanLoader.Limits.maxBytes`.
        case tooLarge
        /// The input is not UTF-8 text.
        case notText
        /// Not well-formed YAML (including duplicate keys).
        case syntax
        /// Empty, more than one document, or a document that is not a mapping.
        case notAPlan
        /// Aliases that expand to too many nodes, or nesting that is too deep.
        case tooComplex
        /// A key the plan format does not have (a typo must not silently weaken a check).
        case unknownKey
        /// A required key is absent.
        case missingKey
        /// A value of the wrong YAML kind (list for scalar, text for integer, …).
        case wrongType
        /// A value of the right kind that is not acceptable (bad address, out of range, unknown enum value).
        case badValue
    }

    /// The path of the plan file as given.
    public var file: String
    /// The 1-based line, when known.
    public var line: Int?
    /// The key path of the offending value (`hosts[1].containers`); empty for the document itself.
    public var keyPath: String
    /// What is wrong, without the location.
    public var message: String
    /// The kind of mistake.
    public var kind: Kind

    public init(file: String, line: Int?, keyPath: String, message: String, kind: Kind) {
        self.file = file; self.line = line; self.keyPath = keyPath; self.message = message; self.kind = kind
    }

    /// `file:line: keyPath: message`, leaving out what is unknown; always one line.
    public var description: String {
        var out = file
        if let line { out += ":\(line)" }
        out += ": "
        if !keyPath.isEmpty { out += keyPath + ": " }
        out += message
        return oneLine(out)
    }
}

/// `text` with line breaks and tabs replaced by spaces, so a report line stays one line.
func oneLine(_ text: String) -> String {
    guard text.contains(where: { $0.isNewline || $0 == "\t" }) else { return text }
    return String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
}

/// `text` quoted for a message, with control characters escaped and long text cut.
func quoted(_ text: String) -> String {
    var out = "\""
    for (i, ch) in text.unicodeScalars.enumerated() {
        if i == 80 { out += "…"; break }
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default:
            if ch.value < 0x20 || ch.value == 0x7F {
                out += "\\u{\(String(ch.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(ch)
            }
        }
    }
    return out + "\""
}
