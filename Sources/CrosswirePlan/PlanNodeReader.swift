// Reading typed values out of a composed Yams tree, each one knowing its key
// path and line so that every mistake becomes a one-line `PlanError`.
//
// Scalars are read from their *text* (Yams keeps it), never from Yams' type
// resolution: an unquoted MAC such as 12:34:56:78:9a:bc, which YAML 1.1 could
// resolve as a sexagesimal number, still reads as the MAC it says.

import CrosswireDecoder
import Yams

/// Collects the line of every key path read, for `PlanSource`.
final class PlanReadLog {
    let file: String
    var lines: [String: Int] = [:]
    init(file: String) { self.file = file }
}

/// One YAML value at a key path.
struct PlanValue {
    let node: Node
    /// `hosts[1].containers`; empty for the document.
    let path: String
    /// The line of the key that introduced this value (for collections, which start on a later line).
    let keyLine: Int?
    let log: PlanReadLog

    init(node: Node, path: String, keyLine: Int?, log: PlanReadLog) {
        self.node = node; self.path = path; self.keyLine = keyLine; self.log = log
        if let line = self.line, !path.isEmpty { log.lines[path] = line }
    }

    /// A scalar's own line; a collection's key line (else where it starts).
    var line: Int? {
        if case .scalar = node, let mark = node.mark { return mark.line }
        return keyLine ?? node.mark?.line
    }

    func failure(_ message: String, _ kind: PlanError.Kind, line: Int? = nil, path: String? = nil) -> PlanError {
        PlanError(file: log.file, line: line ?? self.line, keyPath: path ?? self.path, message: message, kind: kind)
    }

    /// True for an empty value, `~` or `null` written without quotes.
    var isNull: Bool {
        guard case .scalar(let s) = node, s.style == .plain || s.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    /// How the value looks, for "expected …, found …" messages.
    var found: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let s): return isNull ? "no value" : quoted(s.string)
        }
    }

    // MARK: Collections

    /// The value as a mapping whose keys are all names.
    func mapping() throws(PlanError) -> PlanMapping {
        guard case .mapping(let mapping) = node else {
            throw failure("expected a mapping, found \(found)", .wrongType)
        }
        var entries: [(key: String, line: Int?, value: Node)] = []
        for (key, value) in mapping {
            guard case .scalar(let s) = key else {
                throw failure("a key must be a name, found \(PlanValue(node: key, path: "", keyLine: nil, log: log).found)",
                              .wrongType, line: key.mark?.line)
            }
            entries.append((s.string, key.mark?.line, value))
        }
        return PlanMapping(owner: self, entries: entries)
    }

    /// The value as a list.
    func list() throws(PlanError) -> [PlanValue] {
        guard case .sequence(let sequence) = node else {
            throw failure("expected a list, found \(found)", .wrongType)
        }
        return sequence.enumerated().map { PlanValue(node: $1, path: "\(path)[\($0)]", keyLine: nil, log: log) }
    }

    // MARK: Scalars

    /// The scalar's text; any scalar but an empty one.
    func text() throws(PlanError) -> String {
        guard case .scalar(let s) = node, !isNull else {
            throw failure("expected text, found \(found)", .wrongType)
        }
        return s.string
    }

    /// A whole number written as one (plain decimal digits, not quoted), within `range`.
    func integer(in range: ClosedRange<Int>) throws(PlanError) -> Int {
        guard case .scalar(let s) = node, !isNull else {
            throw failure("expected a whole number, found \(found)", .wrongType)
        }
        let digits = s.string.hasPrefix("-") ? s.string.dropFirst() : Substring(s.string)
        guard s.style == .plain, !digits.isEmpty, digits.utf8.count <= 18,
              digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(s.string) else {
            throw failure("expected a whole number, found \(s.style == .plain ? "" : "the quoted text ")\(quoted(s.string))",
                          .wrongType)
        }
        guard range.contains(value) else {
            throw failure("\(value) is out of range \(range.lowerBound)…\(range.upperBound)", .badValue)
        }
        return value
    }

    /// A decimal number (plain, not quoted, no `.inf`/`.nan`) within `range`.
    func number(in range: ClosedRange<Double>) throws(PlanError) -> Double {
        guard case .scalar(let s) = node, !isNull else {
            throw failure("expected a number, found \(found)", .wrongType)
        }
        let allowed = s.string.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 101 || $0 == 69 || $0 == 43 || $0 == 45 }
        guard s.style == .plain, allowed, s.string.utf8.count <= 32, let value = Double(s.string), value.isFinite else {
            throw failure("expected a number, found \(quoted(s.string))", .wrongType)
        }
        guard range.contains(value) else {
            throw failure("\(s.string) is out of range \(range.lowerBound)…\(range.upperBound)", .badValue)
        }
        return value
    }

    /// One of the enumeration's raw values, exactly.
    func choice<Choice: RawRepresentable & CaseIterable>(_: Choice.Type) throws(PlanError) -> Choice
    where Choice.RawValue == String {
        let text = try text()
        guard let value = Choice(rawValue: text) else {
            let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw failure("\(quoted(text)) is not one of \(names)", .badValue)
        }
        return value
    }

    /// An IPv4 or IPv6 address.
    func address() throws(PlanError) -> IPAddress {
        let text = try text()
        guard let value = IPAddress(text) else { throw failure("\(quoted(text)) is not an IP address", .badValue) }
        return value
    }

    /// One address, or (dual stack) a list of one IPv4 and one IPv6 address.
    func addresses() throws(PlanError) -> [IPAddress] {
        try oneOrOnePerFamily(what: "address") { (value) throws(PlanError) in try value.address() } isV4: { $0.isV4 }
    }

    /// One prefix, or (dual stack) a list of one IPv4 and one IPv6 prefix.
    func prefixes() throws(PlanError) -> [IPPrefix] {
        try oneOrOnePerFamily(what: "prefix") { (value) throws(PlanError) in try value.prefix() } isV4: { $0.network.isV4 }
    }

    /// A scalar, or a list of one or two values of different address families.
    private func oneOrOnePerFamily<Value>(
        what: String, _ read: (PlanValue) throws(PlanError) -> Value, isV4: (Value) -> Bool
    ) throws(PlanError) -> [Value] {
        guard case .sequence = node else { return [try read(self)] }
        let items = try list()
        guard (1...2).contains(items.count) else {
            throw failure("expected one \(what), or a list of one IPv4 and one IPv6 \(what), found \(items.count) entries",
                          .badValue)
        }
        var values: [Value] = []
        for item in items { values.append(try read(item)) }
        if values.count == 2 && isV4(values[0]) == isV4(values[1]) {
            throw items[1].failure("two \(isV4(values[0]) ? "IPv4" : "IPv6") entries: a list holds one IPv4 and one IPv6 \(what)",
                                   .badValue)
        }
        return values
    }

    /// An IPv4 address (router ids).
    func ipv4() throws(PlanError) -> IPv4Address {
        let text = try text()
        guard let value = IPv4Address(text) else { throw failure("\(quoted(text)) is not an IPv4 address", .badValue) }
        return value
    }

    /// An address prefix with its `/length`. Host bits may be set (`192.168.10.1/24`, Docker's `bip`
    /// form); the prefix keeps its network.
    func prefix() throws(PlanError) -> IPPrefix {
        let text = try text()
        guard text.contains("/"), let value = IPPrefix(text, strict: false) else {
            throw failure("\(quoted(text)) is not an address prefix", .badValue)
        }
        return value
    }

    /// A MAC address, from the scalar's text whether quoted or not.
    func mac() throws(PlanError) -> MACAddress {
        let text = try text()
        guard let value = MACAddress(text) else { throw failure("\(quoted(text)) is not a MAC address", .badValue) }
        return value
    }
}

/// A mapping being read: its entries by name, and which names the plan format allows.
struct PlanMapping {
    let owner: PlanValue
    let entries: [(key: String, line: Int?, value: Node)]

    private func childPath(_ key: String) -> String { owner.path.isEmpty ? key : "\(owner.path).\(key)" }

    /// Fails on the first key (in document order) not in `allowed`, suggesting a near one.
    func rejectUnknownKeys(allowed: [String]) throws(PlanError) {
        for entry in entries where !allowed.contains(entry.key) {
            var message = "unknown key"
            let key = entry.key.utf8.count <= 64 ? entry.key : String(entry.key.prefix(64)) + "…"
            if entry.key.utf8.count <= 64,
               let near = allowed.min(by: { editDistance($0, entry.key) < editDistance($1, entry.key) }),
               editDistance(near, entry.key) <= (entry.key.count <= 4 ? 1 : 2) {
                message += " (did you mean \(near)?)"
            } else {
                message += " (expected one of: \(allowed.joined(separator: ", ")))"
            }
            throw owner.failure(message, .unknownKey, line: entry.line, path: childPath(oneLine(key)))
        }
    }

    /// The value of `key`, nil when absent. A `key:` with no value counts as present (and then fails as the wrong type).
    func optional(_ key: String) -> PlanValue? {
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        return PlanValue(node: entry.value, path: childPath(key), keyLine: entry.line, log: owner.log)
    }

    /// The value of `key`; fails when absent, at the line where the mapping starts.
    func required(_ key: String) throws(PlanError) -> PlanValue {
        guard let value = optional(key) else {
            throw owner.failure("missing (required)", .missingKey, path: childPath(key))
        }
        return value
    }
}

/// Edit distance counting a swap of neighbours as one edit (optimal string alignment),
/// for "did you mean" (keys are short: callers cap their length).
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.utf8), b = Array(b.utf8)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}
