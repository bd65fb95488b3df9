// The progress line: on a long replay, `verify` shows packets, bytes, rate
// and percent on stderr when stderr is a terminal, and nothing otherwise.

import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import Testing

struct ProgressLineTests {
    /// A classic pcap of `count` small UDP frames between two containers.
    static func writeLongCapture(count: Int) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cw-long-\(UUID().uuidString).pcap")
        var file = Data()
        func le32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { file.append(contentsOf: $0) } }
        func le16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { file.append(contentsOf: $0) } }
        le32(0xA1B2_C3D4); le16(2); le16(4); le32(0); le32(0); le32(65535); le32(1)
        file.reserveCapacity(24 + count * 58)
        for i in 0..<count {
            let frame: [UInt8] = [
                0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
                0x45, 0, 0, 28, UInt8(i >> 8 & 0xFF), UInt8(i & 0xFF), 0x40, 0, 64, 17, 0, 0,
                192, 168, 10, 2, 192, 168, 20, 2,
                0x30, 0x39, 0x00, 0x35, 0, 8, 0, 0,
            ]
            le32(UInt32(1_700_000_000 + i / 100_000)); le32(UInt32(i % 100_000) * 10); le32(42); le32(42)
            file.append(contentsOf: frame)
        }
        try file.write(to: url)
        return url
    }

    static let plan = """
        version: 1
        name: progress
        hosts:
          - { name: host1, address: 192.168.56.119, containers: 192.168.10.0/24 }
          - { name: host2, address: 192.168.56.120, containers: 192.168.20.0/24 }
        transport: { mode: routed }
        nat: none
        routing: { protocol: static }
        """

    @Test func progressOnATerminalOnlyAndTheVerdictIsUnchanged() throws {
        let capture = try Self.writeLongCapture(count: 250_000)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-progress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(at: capture)
            try? FileManager.default.removeItem(at: dir)
        }
        let plan = dir.appendingPathComponent("plan.yaml")
        try Self.plan.write(to: plan, atomically: true, encoding: .utf8)

        // Not a terminal: nothing on stderr.
        let quiet = try crosswire(["verify", "--plan", plan.path, capture.path, "--output", dir.appendingPathComponent("a").path, "-q"])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.stderr.isEmpty)

        // A terminal (script(1) gives the command a pseudo-terminal): the progress line appears.
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            print("skipped: script(1) is not installed (bsdutils)")
            return
        }
        let command = [TestPaths.binary.path, "verify", "--plan", plan.path, capture.path, "--output", dir.appendingPathComponent("b").path, "-q"]
            .map { "'\($0)'" }.joined(separator: " ")
        let tty = try runProcess(URL(fileURLWithPath: "/usr/bin/script"), ["-qfec", command, "/dev/null"], timeout: 120)
        #expect(tty.status == 0, "\(tty.stdout)")
        #expect(tty.stdout.contains("packets/s"), "progress line on a terminal: \(tty.stdout.prefix(300))")
        #expect(tty.stdout.contains("%"))
    }
}

extension ProgressLineTests {
    /// `capture` on a terminal shows packets, rate and how much of --duration has passed.
    @Test func liveCaptureShowsProgressOnATerminal() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/script"),
            FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip")
        else {
            print("skipped: needs root, ip(8) and script(1)")
            return
        }
        let ip = FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip"
        let namespace = "cwtest-\(UUID().uuidString.prefix(8).lowercased())-progress"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-live-progress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let plan = dir.appendingPathComponent("plan.yaml")
        try Self.plan.write(to: plan, atomically: true, encoding: .utf8)
        _ = try runProcess(URL(fileURLWithPath: ip), ["netns", "add", namespace], timeout: 10)
        defer {
            _ = try? runProcess(URL(fileURLWithPath: ip), ["netns", "del", namespace], timeout: 10)
            try? FileManager.default.removeItem(at: dir)
        }
        _ = try runProcess(URL(fileURLWithPath: ip), ["netns", "exec", namespace, ip, "link", "set", "lo", "up"], timeout: 10)
        let command = [ip, "netns", "exec", namespace, TestPaths.binary.path, "capture", "--plan", plan.path, "--interface", "lo",
                       "--duration", "2", "--output", dir.appendingPathComponent("out").path, "-q"]
            .map { "'\($0)'" }.joined(separator: " ")
        let tty = try runProcess(URL(fileURLWithPath: "/usr/bin/script"), ["-qfec", command, "/dev/null"], timeout: 30)
        #expect(tty.status == 0, "\(tty.stdout)")
        #expect(tty.stdout.contains("capturing on lo:"), "\(tty.stdout.prefix(400))")
        #expect(tty.stdout.contains("% of 2 s"))
    }
}
