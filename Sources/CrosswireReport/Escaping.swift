// Escaping of plan- and packet-derived strings for each output language.
// Every string that comes from a plan or a packet goes through one of these
// before it is written into a report.

import Foundation

/// True when every byte of `text` is printable ASCII (0x20–0x7E) and none is one of
/// `specials`: text that an escape leaves as it is. Most report text is, and a scalar-by-scalar
/// copy of it was two thirds of writing the Markdown and HTML reports.
private func isPlainASCII(_ text: String, except specials: StaticString = "") -> Bool {
    var text = text
    return text.withUTF8 { bytes in
        specials.withUTF8Buffer { special in
            for b in bytes {
                guard b >= 0x20, b < 0x7F else { return false }
                if special.contains(b) { return false }
            }
            return true
        }
    }
}

/// Strings as single lines: line breaks and tabs become spaces, other control characters `?`.
enum OneLine {
    static func clean(_ text: String) -> String {
        if isPlainASCII(text) { return text }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0D, 0x09, 0x0B, 0x0C, 0x85, 0x2028, 0x2029: out.unicodeScalars.append(" ")
            case 0x00..<0x20, 0x7F, 0x80..<0xA0: out.unicodeScalars.append("?")
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// HTML text and attribute values: `& < > " '` become character references.
enum HTMLEscape {
    static func text(_ text: String) -> String {
        if isPlainASCII(text, except: "&<>\"'") { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\u{0}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// One line of text, escaped (for table cells, titles and SVG labels).
    static func line(_ text: String) -> String { Self.text(OneLine.clean(text)) }
}

/// XML 1.0 text and attribute values: `& < > " '` escaped; characters XML 1.0
/// cannot carry at all (C0 controls other than tab and line feed, U+FFFE/U+FFFF) become U+FFFD;
/// in attributes, line breaks and tabs become character references so they survive
/// attribute-value normalisation.
enum XMLEscape {
    static func text(_ text: String) -> String { escape(text, attribute: false) }
    static func attribute(_ text: String) -> String { escape(text, attribute: true) }

    private static func escape(_ text: String, attribute: Bool) -> String {
        if isPlainASCII(text, except: "&<>\"'") { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x26: out += "&amp;"
            case 0x3C: out += "&lt;"
            case 0x3E: out += "&gt;"
            case 0x22: out += "&quot;"
            case 0x27: out += "&apos;"
            case 0x0A: out += attribute ? "&#10;" : "\n"
            case 0x0D: out += "&#13;"
            case 0x09: out += attribute ? "&#9;" : "\t"
            case 0x00..<0x20, 0xFFFE, 0xFFFF: out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// GitHub-flavoured Markdown inline text.
enum MarkdownEscape {
    /// Characters that start inline syntax in CommonMark or GitHub's extensions
    /// (tables `|`, strikethrough `~`, math `$`, references `#`, raw HTML `<`, entities `&`).
    private static let special: Set<Character> = [
        "\\", "`", "*", "_", "[", "]", "<", ">", "|", "~", "&", "#", "!", "$",
    ]

    /// A single line of text, every special character backslash-escaped. Safe in
    /// table cells, list items and paragraphs; a leading `-`, `+`, `=` or `1.` is
    /// escaped too so that the text can never open a list or a heading.
    static func text(_ text: String) -> String {
        let clean = OneLine.clean(text)
        if isPlainASCII(clean) { return asciiText(clean) }
        let line = Array(clean)
        // An ordered-list marker: 1–9 digits, then `.` or `)`, then a space or the end.
        var listMarkerAt: Int? = nil
        if let end = line.firstIndex(where: { !($0.isASCII && $0.isNumber) }), (1...9).contains(end),
           line[end] == "." || line[end] == ")", end + 1 == line.count || line[end + 1] == " " {
            listMarkerAt = end
        }
        var out = ""
        out.reserveCapacity(line.count + 8)
        for (i, ch) in line.enumerated() {
            if special.contains(ch) || i == listMarkerAt || (i == 0 && (ch == "-" || ch == "+" || ch == "=")) {
                out.append("\\")
            }
            out.append(ch)
        }
        return out.isEmpty ? "—" : out
    }

    /// `text` for a line of printable ASCII, byte by byte: each byte is a character.
    private static func asciiText(_ line: String) -> String {
        var line = line
        return line.withUTF8 { bytes -> String in
            if bytes.isEmpty { return "—" }
            var end = 0
            while end < bytes.count, bytes[end] >= 0x30, bytes[end] <= 0x39 { end += 1 }
            let listMarkerAt = (1...9).contains(end) && end < bytes.count && (bytes[end] == 0x2E || bytes[end] == 0x29)
                && (end + 1 == bytes.count || bytes[end + 1] == 0x20) ? end : -1
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 8)
            for (i, b) in bytes.enumerated() {
                if specialBytes.contains(b) || i == listMarkerAt || (i == 0 && (b == 0x2D || b == 0x2B || b == 0x3D)) {
                    out.append(0x5C)
                }
                out.append(b)
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// `special`, as ASCII bytes.
    private static let specialBytes: Set<UInt8> = Set(special.map { $0.asciiValue! })

    /// A code span holding `text` literally (a fence longer than any backtick run inside).
    /// In a table cell `|` must still be written `\|`: GFM splits cells before it reads code spans.
    static func code(_ text: String, inTable: Bool = false) -> String {
        var line = OneLine.clean(text)
        if line.isEmpty { return "—" }
        if inTable { line = line.replacingOccurrences(of: "|", with: "\\|") }
        var longest = 0, run = 0
        for ch in line {
            if ch == "`" { run += 1; longest = max(longest, run) } else { run = 0 }
        }
        let fence = String(repeating: "`", count: longest + 1)
        let pad = line.hasPrefix("`") || line.hasSuffix("`") || (line.hasPrefix(" ") && line.hasSuffix(" ")) ? " " : ""
        return fence + pad + line + pad + fence
    }
}
