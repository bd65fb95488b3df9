// The decoder core stays pure Swift: no Foundation, no C library modules.

import Foundation
import Testing

struct ModuleHygieneTests {
    /// Sources/CrosswireDecoder, found from this file's path (Tests/CrosswireDecoderTests/…).
    static var decoderSources: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/CrosswireDecoder")
    }

    @Test func decoderImportsNoFoundationOrLibc() throws {
        let banned: Set<String> = ["Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Darwin", "Musl", "WinSDK", "ucrt"]
        let files = try FileManager.default.contentsOfDirectory(at: Self.decoderSources, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "swift" }
        #expect(files.count >= 10, "found \(files.count) sources under \(Self.decoderSources.path)")
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for line in text.split(separator: "\n") {
                // `import X`, `@_exported import X`, `import struct X.Y`, `@preconcurrency import X` …
                let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).filter { !$0.hasPrefix("@") }
                guard let i = words.firstIndex(of: "import"), i == 0 || words[0] == "public" || words[0] == "internal" else { continue }
                let rest = words.dropFirst(i + 1)
                guard let target = rest.first(where: { !["struct", "class", "enum", "protocol", "func", "var", "let", "typealias"].contains($0) }) else { continue }
                let module = String(target.split(separator: ".").first ?? target)
                #expect(!banned.contains(module), "\(file.lastPathComponent): \(line)")
            }
        }
    }
}
