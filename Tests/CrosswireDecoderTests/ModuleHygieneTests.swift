// The decoder core stays pure Swift: no Foundation, no C library modules. The
// C library is reached through its boundary files only (docs/ARCHITECTURE.md).

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

    /// Sources/, found from this file's path.
    static var sources: URL { decoderSources.deletingLastPathComponent() }

    /// The files that may import the C library and call it: the POSIX boundary, libpcap's
    /// (for the C types of its calls), and CrosswireReport's own (it cannot depend on CrosswireCapture).
    static let posixBoundary: Set<String> = ["CrosswireCapture/POSIX.swift", "CrosswireCapture/PcapHandle.swift", "CrosswireReport/POSIX.swift"]

    /// C functions (and `errno`) no Swift API shares a name with: banned anywhere else, however reached.
    static let posixNames = [
        "mmap", "munmap", "madvise", "stat", "fstat", "lstat", "isatty", "sysconf", "signal", "sigaction", "sigemptyset",
        "sigaddset", "pthread_sigmask", "setuid", "setgid", "seteuid", "setegid", "initgroups", "getpwnam", "getuid", "geteuid",
        "pipe", "fcntl", "poll", "fsync", "unlink", "getpid", "_exit", "strerror", "getsockopt", "setsockopt", "ioctl",
        "kill", "dup", "dup2", "lseek", "ftruncate",
    ]
    /// C functions whose names Swift APIs share: banned unlabelled (as C calls them) in files that see
    /// the C library (through Foundation too).
    static let sharedNames = ["open", "close", "read", "write", "rename", "remove", "exit"]

    @Test func posixIsCalledOnlyInItsBoundaryFiles() throws {
        let libc: Set<String> = ["Glibc", "Darwin", "Musl", "WinSDK", "ucrt"]
        let names = Self.posixNames.joined(separator: "|"), shared = Self.sharedNames.joined(separator: "|")
        let call = try NSRegularExpression(pattern: "(?<![\\w.])(?<!func )(?<!case )(\(names))\\s*\\(|(?<![\\w.])errno(?!\\w)")
        let unlabelled = try NSRegularExpression(pattern: "(?<![\\w.])(?<!func )(?<!case )(\(shared))\\((?!\\s*\\w+\\s*:)(?!\\s*[.)])")
        let root = Self.sources.path + "/"
        var files: [String] = []
        let walker = FileManager.default.enumerator(atPath: root)
        while let path = walker?.nextObject() as? String { if path.hasSuffix(".swift") { files.append(path) } }
        #expect(files.count >= 100, "found \(files.count) sources under \(root)")
        for boundary in Self.posixBoundary { #expect(files.contains(boundary), "\(boundary) is gone: update the list") }
        for file in files where !Self.posixBoundary.contains(file) {
            let text = try String(contentsOfFile: root + file, encoding: .utf8)
            var seesLibc = false
            for line in text.split(separator: "\n") {
                let code = line.trimmingCharacters(in: .whitespaces).hasPrefix("//") ? "" : String(line.split(separator: " //").first ?? "")
                let words = code.split(whereSeparator: { $0 == " " || $0 == "\t" }).filter { !$0.hasPrefix("@") }
                if let i = words.firstIndex(of: "import"), i == 0, let module = words.dropFirst().first {
                    let name = String(module.split(separator: ".").first ?? module)
                    #expect(!libc.contains(name), "\(file): \(line) (the C library only in \(Self.posixBoundary.sorted()))")
                    if libc.contains(name) || name.hasPrefix("Foundation") { seesLibc = true }
                }
                let range = NSRange(code.startIndex..., in: code)
                #expect(call.firstMatch(in: code, range: range) == nil, "\(file): \(line) (a POSIX call: put it behind CrosswireCapture/POSIX.swift)")
                if seesLibc {
                    #expect(unlabelled.firstMatch(in: code, range: range) == nil, "\(file): \(line) (a POSIX call: put it behind CrosswireCapture/POSIX.swift)")
                }
            }
        }
    }
}
