// CrosswireWatch in memory: the window merge, the evidence ring, the metrics
// and the HTTP answers, with hand-made verdicts and frames (no capture, no root).

import CrosswireCapture
import CrosswireDecoder
import CrosswireVerdict
import CrosswireVerify
import Foundation
import Testing

@testable import CrosswireWatch

private func verdict(_ statuses: [CheckID: CheckStatus], evidence: [Evidence] = [], packets: Int = 10, plan: String = "lab") -> Verdict {
    var v = Verdict(plan: plan, planPath: "plan.yaml")
    v.checks = CheckID.allCases.map { id in
        let s = statuses[id] ?? .skip
        return CheckResult(id: id, status: s, summary: "\(id.rawValue) \(s.rawValue)", evidence: s == .fail ? evidence : [])
    }
    v.captures = [CaptureSummary(path: "eth0", linktype: "EN10MB", packets: packets, bytes: packets * 100)]
    v.metrics = Metrics(packets: packets, bytes: packets * 100, encapsulation: [EncapsulationMetric(kind: "vxlan", packets: packets, frames: packets, bytes: packets * 100, overheadBytes: packets * 50)])
    return v
}

struct WindowVerdictTests {
    @Test func worstStatusOfTheSlicesWinsAndSkipNeverHidesAPass() {
        let merged = WindowVerdict.merge([
            verdict([.natSource: .pass, .encapMode: .pass]),
            verdict([.natSource: .fail, .encapMode: .skip], evidence: [Evidence(capture: "eth0", frame: 7, detail: "translated")]),
            verdict([.natSource: .pass]),
        ])
        #expect(merged.result(.natSource)?.status == .fail)
        #expect(merged.result(.natSource)?.evidence == [Evidence(capture: "eth0", frame: 7, detail: "translated")])
        #expect(merged.result(.encapMode)?.status == .pass)
        #expect(merged.result(.bgpSession)?.status == .skip)
        #expect(merged.checks.count == CheckID.allCases.count)
        #expect(merged.captures.first?.packets == 30)
        #expect(merged.metrics.packets == 30)
        #expect(merged.metrics.encapsulation.first?.overheadRatio == 0.5)
    }

    @Test func evidenceIsBoundedAndTheRestCounted() {
        let slices = (0..<5).map { s in
            verdict([.natSource: .fail], evidence: (0..<10).map { Evidence(capture: "eth0", frame: s * 10 + $0, detail: "") })
        }
        let nat = WindowVerdict.merge(slices).result(.natSource)
        #expect(nat?.evidence.count == WindowVerdict.evidenceLimit)
        #expect(nat?.evidenceOmitted == 50 - WindowVerdict.evidenceLimit)
        // The newest frames are the ones kept.
        #expect(nat?.evidence.last?.frame == 49)
    }
}

struct EvidenceRingTests {
    static func frame(_ n: Int, length: Int = 1000) -> (FrameInfo, [UInt8]) {
        (FrameInfo(number: n, seconds: 1_700_000_000, nanoseconds: UInt32(n), capturedLength: length, originalLength: length),
         [UInt8](repeating: UInt8(n & 0xff), count: length))
    }

    @Test func ringStaysWithinItsSizeAndLocatesFrames() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-ring-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let eth = WatchedInterface(name: "eth0", linkType: LinkType(rawValue: 1), linkTypeName: "EN10MB")
        let ring = try EvidenceRing(directory: dir, totalBytes: 1 << 20, interfaces: [eth], snapLength: 65535)
        for n in 1...5000 {
            let (info, bytes) = Self.frame(n)
            bytes.withUnsafeBytes { raw in ring.write(interface: 0, info: info, bytes: raw.bytes) }
        }
        ring.flush()
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: dir).reduce(0) { sum, name in
            sum + ((try? FileManager.default.attributesOfItem(atPath: dir + "/" + name)[.size] as? Int) ?? 0)
        }
        #expect(onDisk <= 1 << 20)
        #expect(ring.bytesOnDisk == onDisk)
        // The newest frame is in the newest file; the oldest ones rotated away.
        let newest = try #require(ring.locate(interface: 0, frame: 5000))
        #expect(newest.file.path == ring.files.last?.path)
        #expect(ring.locate(interface: 0, frame: 1) == nil)
        // The file really holds that frame at that number.
        var reader = try CaptureFileReader(path: newest.file.path)
        var seen: [Int: Int] = [:]
        try reader.forEachFrame { info, bytes in
            seen[info.number] = Int(bytes.withUnsafeBytes { $0[0] })
            return true
        }
        #expect(seen[newest.frame] == 5000 & 0xff)
    }

    @Test func filesCitedByAFailingCheckOutliveRotation() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-ring-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let eth = WatchedInterface(name: "eth0", linkType: LinkType(rawValue: 1), linkTypeName: "EN10MB")
        let ring = try EvidenceRing(directory: dir, totalBytes: 2 << 20, interfaces: [eth], snapLength: 65535)
        func write(_ range: ClosedRange<Int>) {
            for n in range {
                let (info, bytes) = Self.frame(n)
                bytes.withUnsafeBytes { raw in ring.write(interface: 0, info: info, bytes: raw.bytes) }
            }
        }
        write(1...300)
        let cited = ring.cite(verdict([.natSource: .fail], evidence: [Evidence(capture: "eth0", frame: 10, detail: "snat")]))
        let e = try #require(cited.result(.natSource)?.evidence.first)
        #expect(e.capture.hasPrefix(dir + "/eth0-"))
        #expect(e.frame == 10)
        write(301...3000)  // many rotations
        #expect(FileManager.default.fileExists(atPath: e.capture), "a pinned file was rotated away")
        #expect(ring.bytesOnDisk <= 2 << 20)
        // Once the check passes, the file is no longer pinned and goes with the next rotations.
        _ = ring.cite(verdict([.natSource: .pass]))
        write(3001...6000)
        #expect(!FileManager.default.fileExists(atPath: e.capture))
    }

    @Test func sizesAndDurationsParse() {
        #expect(parseByteSize("512MiB") == 512 << 20)
        #expect(parseByteSize("2GiB") == 2 << 30)
        #expect(parseByteSize("1000") == 1000)
        #expect(parseByteSize("lots") == nil)
        #expect(parseDurationSeconds("5m") == 300)
        #expect(parseDurationSeconds("500ms") == 0.5)
        #expect(parseDurationSeconds("0s") == nil)
    }
}

struct WatchMetricsTests {
    @Test func exportsTheIssuesNamesWithANodeLabel() {
        let m = WatchMetrics(node: "h1")
        m.record(verdict([.natSource: .fail, .encapMode: .pass, .encapMTU: .warn]), at: 1_700_000_000)
        m.record(verdict([.natSource: .fail]), at: 1_700_000_001)
        m.record(interface: "eth0", packets: 10, bytes: 1000)
        m.record(interface: "eth0", packets: 25, bytes: 2500)
        m.record(interface: "eth0", drops: 3)
        let text = m.prometheusText()
        #expect(text.contains(#"crosswire_check_status{check="nat.source",plan="lab",node="h1"} 2"#))
        #expect(text.contains(#"crosswire_check_status{check="bgp.session",plan="lab",node="h1"} -1"#))
        // Entering fail counts once, however often the window is recomputed.
        #expect(text.contains(#"crosswire_check_failures_total{check="nat.source",node="h1"} 1"#))
        #expect(text.contains(#"crosswire_packets_total{interface="eth0",node="h1"} 25"#))
        #expect(text.contains(#"crosswire_bytes_total{interface="eth0",node="h1"} 2500"#))
        #expect(text.contains(#"crosswire_capture_drops_total{interface="eth0",node="h1"} 3"#))
        #expect(text.contains(#"crosswire_encap_overhead_ratio{kind="vxlan",node="h1"} 0.5"#))
        #expect(text.contains(#"crosswire_nat_translations_total{direction="source",node="h1"} 0"#))
        #expect(text.contains(#"crosswire_last_verdict_timestamp_seconds{node="h1"} 1700000001"#))
    }

    @Test func openMetricsNamesCounterFamiliesWithoutTotalAndEnds() {
        let m = WatchMetrics(node: "h1")
        m.record(interface: "br0", packets: 1, bytes: 60)
        let text = m.openMetricsText()
        #expect(text.contains("# TYPE crosswire_packets counter"))
        #expect(text.contains(#"crosswire_packets_total{interface="br0",node="h1"} 1"#))
        #expect(text.hasSuffix("# EOF\n"))
        #expect(OpenMetrics.wanted(accept: "application/openmetrics-text;version=1.0.0,text/plain;q=0.5"))
        #expect(!OpenMetrics.wanted(accept: "text/plain"))
    }

    @Test func aReloadedPlanReplacesTheStatusSeries() {
        let m = WatchMetrics(node: "h1")
        m.record(verdict([.natSource: .pass], plan: "old"), at: 1)
        m.record(verdict([.natSource: .pass], plan: "new"), at: 2)
        #expect(!m.prometheusText().contains(#"plan="old""#))
        #expect(m.prometheusText().contains(#"plan="new""#))
    }
}

struct WatchServerTests {
    @Test func answersEachPath() throws {
        let snapshot = WatchSnapshot(metrics: WatchMetrics(node: "h1"))
        #expect(snapshot.respond(method: .GET, path: "/healthz", accept: nil).0 == .serviceUnavailable)
        snapshot.publish(verdict([.natSource: .fail]))
        #expect(snapshot.respond(method: .GET, path: "/healthz", accept: nil).0 == .ok)
        let (status, type, body) = snapshot.respond(method: .GET, path: "/verdict", accept: nil)
        #expect(status == .ok && type == "application/json")
        let json = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        #expect(json?["plan"] as? String == "lab")
        #expect(snapshot.respond(method: .GET, path: "/report", accept: nil).1.hasPrefix("text/html"))
        #expect(snapshot.respond(method: .GET, path: "/metrics", accept: "application/openmetrics-text").1 == OpenMetrics.contentType)
        #expect(snapshot.respond(method: .GET, path: "/nope", accept: nil).0 == .notFound)
        #expect(snapshot.respond(method: .POST, path: "/metrics", accept: nil).0 == .methodNotAllowed)
        snapshot.setProblem("eth0: the interface went down")
        #expect(snapshot.respond(method: .GET, path: "/healthz", accept: nil).0 == .serviceUnavailable)
    }

    /// The real server on loopback, read through a plain socket: the NIO pipeline answers.
    @Test func servesOverHTTPOnLoopback() throws {
        let snapshot = WatchSnapshot(metrics: WatchMetrics(node: "h1"))
        snapshot.publish(verdict([.natSource: .pass]))
        let server = try WatchServer(host: "127.0.0.1", port: 0, snapshot: snapshot)
        defer { server.shutdown() }
        let port = Int(server.localAddress.split(separator: ":").last ?? "0") ?? 0
        let reply = try httpGet(port: port, path: "/metrics")
        #expect(reply.hasPrefix("HTTP/1.1 200 OK"))
        #expect(reply.contains(#"crosswire_check_status{check="nat.source",plan="lab",node="h1"} 0"#) == false)  // not recorded yet
        #expect(try httpGet(port: port, path: "/healthz").contains("\r\n\r\nok\n"))
    }
}

/// One GET over a TCP socket to 127.0.0.1 (Connection: close), the whole reply.
private func httpGet(port: Int, path: String) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var tv = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    let connected = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    try #require(connected == 0)
    let request = Array("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
    _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    var reply: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    for _ in 0..<1000 {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { break }
        reply += buffer[0..<n]
    }
    return String(decoding: reply, as: UTF8.self)
}
