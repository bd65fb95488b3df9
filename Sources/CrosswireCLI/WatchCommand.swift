// `crosswire watch --plan PLAN --interface IFACE... [--listen ADDR:PORT] [--window DURATION]
//                  [--ring DIR --ring-size SIZE] [--node NAME] [--format …]… [--output DIR]`
//
// The continuous sibling of `capture`: the same interfaces, signals and reports,
// with a rolling verdict (CrosswireWatch.RollingVerdict) served over HTTP.

import ArgumentParser
import CrosswireCapture
import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict
import CrosswireVerify
import CrosswireWatch
import Foundation

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Verify live interfaces continuously; serve /metrics, /verdict, /report and /healthz over HTTP.",
        discussion: """
            The verdict covers the last --window of traffic (default 5m) and is recomputed every --refresh. The window \
            is cut into 10 slices, each verified by its own session; a finished slice keeps only its verdict, so memory \
            stays flat however long watch runs. Per check, the window shows the worst status of its slices.

            /metrics is the Prometheus text format (OpenMetrics when the Accept header asks for it): \
            crosswire_check_status{check,plan} (0 pass, 1 warn, 2 fail, -1 skip), crosswire_check_failures_total{check}, \
            crosswire_packets_total{interface}, crosswire_bytes_total{interface}, crosswire_capture_drops_total{interface}, \
            crosswire_encap_overhead_ratio{kind}, crosswire_nat_translations_total{direction} and \
            crosswire_last_verdict_timestamp_seconds, each with a node label (--node, default the hostname). \
            /verdict is the window's JSON verdict, /report its HTML report, /healthz 200 once a verdict exists.

            With --ring DIR every frame is written to rotating pcap files DIR/<iface>-NNNNNN.pcap of --ring-size in all; \
            evidence in /verdict and /report names the ring file and the frame in it, and files cited by a failing check \
            are kept while it fails.

            SIGHUP reloads the plan (a plan that cannot be read is reported and the old one kept). SIGINT/SIGTERM write \
            the reports of the last window to --output and exit as capture does: 0 no check failed, 1 a check failed.
            """
    )

    @Option(name: .long, help: "The plan (YAML).")
    var plan: String

    @Option(name: .long, help: "Interface to capture (repeatable: all are captured at once).")
    var interface: [String] = []

    @Option(name: .long, help: "Address and port of the HTTP server (default 127.0.0.1:9465).")
    var listen: String = "127.0.0.1:9465"

    @Option(name: .long, help: "Length of the rolling window: 5m, 30s, 1h (default 5m).")
    var window: String = "5m"

    @Option(name: .long, help: "How often the window's verdict is recomputed: 5s (default: 5s, or a slice when shorter).")
    var refresh: String?

    @Option(name: .long, help: "Directory of the evidence ring (rotating pcap files); none when absent.")
    var ring: String?

    @Option(name: .customLong("ring-size"), help: "Total size of the evidence ring: 512MiB, 2GiB (default 512MiB).")
    var ringSize: String = "512MiB"

    @Option(name: .long, help: "The node label of every metric (default: the hostname).")
    var node: String?

    @Option(name: .long, help: "BPF filter, compiled by libpcap (tcpdump syntax).")
    var filter: String?

    @Option(name: .long, help: "Bytes kept of each frame.")
    var snaplen: Int32 = 262_144

    @Option(name: .customLong("buffer-size"), help: "Kernel capture ring in bytes; each frame takes a slot sized for --snaplen.")
    var bufferSize: Int32 = 32 * 1024 * 1024

    @Flag(name: .customLong("no-promiscuous-mode"), help: "Do not put the interfaces into promiscuous mode.")
    var noPromiscuous = false

    @Option(name: .long, help: "Switch to this user once the interfaces are open and the server listens.")
    var user: String?

    @OptionGroup var report: ReportOptions

    static let slices = 10

    var windowSeconds: Double { parseDurationSeconds(window) ?? 300 }
    var refreshSeconds: Double { refresh.flatMap(parseDurationSeconds) ?? min(5, windowSeconds / Double(Self.slices)) }

    func validate() throws {
        if interface.isEmpty { throw ValidationError("at least one --interface is needed") }
        if Set(interface).count != interface.count { throw ValidationError("an --interface is given twice") }
        guard let w = parseDurationSeconds(window), w >= 1 else { throw ValidationError("--window must be a duration of 1s or more (5m, 30s)") }
        if let refresh, parseDurationSeconds(refresh) == nil { throw ValidationError("--refresh must be a duration (5s)") }
        if parseByteSize(ringSize) == nil { throw ValidationError("--ring-size must be a size (512MiB, 2GiB)") }
        if Self.splitListen(listen) == nil { throw ValidationError("--listen must be ADDRESS:PORT (127.0.0.1:9465, [::1]:9465)") }
        if !(1...262_144).contains(snaplen) { throw ValidationError("--snaplen must be between 1 and 262144") }
        if report.evidence != nil { throw ValidationError("--evidence is for capture and verify; watch keeps evidence in --ring") }
        _ = w
    }

    /// `host:port` or `[v6]:port`.
    static func splitListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    func run() throws {
        var currentPlan = try loadPlan(plan)
        let options = LiveCaptureOptions(snapLength: snaplen, promiscuous: !noPromiscuous, bufferSize: bufferSize, filter: filter)
        let interfaces = try LiveInterface.openAll(interface, options: options)
        let watched = interfaces.map { WatchedInterface(name: $0.name, linkType: $0.capture.linkType, linkTypeName: $0.capture.linkTypeName) }

        let metrics = WatchMetrics(node: node ?? ProcessInfo.processInfo.hostName)
        let snapshot = WatchSnapshot(metrics: metrics)
        let (host, port) = Self.splitListen(listen)!
        let server: WatchServer
        do { server = try WatchServer(host: host, port: port, snapshot: snapshot) } catch {
            throw CrosswireExit.input("--listen \(listen): \(error)")
        }
        defer { server.shutdown() }
        let evidenceRing: EvidenceRing?
        do {
            evidenceRing = try ring.map {
                try EvidenceRing(directory: $0, totalBytes: parseByteSize(ringSize)!, interfaces: watched, snapLength: interfaces[0].capture.snapLength)
            }
        } catch {
            throw CrosswireExit.input("--ring \(ring ?? ""): \(error.localizedDescription)")
        }
        if let user { try PrivilegeDrop.switchTo(user: user) }

        let clock = ContinuousClock()
        let origin = clock.now
        func now() -> Int64 {
            let d = clock.now - origin
            return d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
        }
        var rolling = RollingVerdict(
            plan: currentPlan, interfaces: watched, windowNanoseconds: Int64(windowSeconds * 1e9), slices: Self.slices, now: now())
        StopSignals.install()
        StopSignals.installReload()
        StandardError.line(
            "crosswire: watching \(watched.map(\.name).joined(separator: ", ")) against \(currentPlan.name), window \(window), "
                + "serving http://\(server.localAddress)/metrics" + (ring.map { ", evidence ring in \($0)" } ?? ""))

        var poller = DescriptorPoller(descriptors: interfaces.map { $0.capture.descriptor } + [StopSignals.wakeDescriptor])
        var bytes = Array(repeating: 0, count: interfaces.count)
        let refreshNanoseconds = Int64(max(0.2, refreshSeconds) * 1e9)
        var nextRefresh = now()
        var failure: (interface: LiveInterface, error: CaptureError)?

        /// Judges the window, points its evidence into the ring, publishes it and the counters.
        func publish() -> Verdict {
            for (i, live) in interfaces.enumerated() {
                if let drops = live.updateStatistics() {
                    rolling.setDrops(interface: i, drops)
                    metrics.record(interface: live.name, drops: drops.droppedByKernel + drops.droppedByInterface)
                }
                metrics.record(interface: live.name, packets: live.capture.framesRead, bytes: bytes[i])
            }
            for slice in rolling.advance(to: now()) { metrics.record(closed: slice) }
            var verdict = rolling.windowVerdict()
            if let evidenceRing { verdict = evidenceRing.cite(verdict) }
            metrics.record(verdict, at: Date().timeIntervalSince1970)
            snapshot.publish(verdict)
            return verdict
        }

        loop: while StopSignals.received == nil {
            poller.wait(timeoutMilliseconds: 100)
            for (i, live) in interfaces.enumerated() {
                do {
                    let delivered = try live.capture.readAvailable(limit: 4096) { info, frame in
                        rolling.observe(interface: i, info: info, bytes: frame)
                        evidenceRing?.write(interface: i, info: info, bytes: frame)
                        bytes[i] += info.originalLength
                    }
                    if delivered == 0, poller.hasError(i) { failure = (live, live.failure()); break loop }
                } catch {
                    failure = (live, error)
                    break loop
                }
            }
            evidenceRing?.flush()
            if StopSignals.takeReload() {
                do {
                    currentPlan = try PlanLoader().load(contentsOf: plan)
                    rolling.reload(plan: currentPlan, now: now())
                    StandardError.line("crosswire: reloaded \(plan) (\(currentPlan.name)); the window starts again")
                } catch {
                    StandardError.line("crosswire: reload of \(plan) failed, keeping the previous plan: \(error)")
                }
            }
            if now() >= nextRefresh {
                _ = publish()
                nextRefresh = now() + refreshNanoseconds
            }
        }
        StopSignals.loopEnded()
        if let failure { snapshot.setProblem("\(failure.interface.name): \(failure.error.message)") }

        // The last window, as capture would report it.
        var verdict = publish()
        evidenceRing?.flush()
        if let failure {
            verdict.captures = verdict.captures.map { c in
                var c = c
                if c.path == failure.interface.name { c.incomplete = IncompleteRead(frame: failure.error.frame ?? 1, reason: failure.error.message) }
                return c
            }
        }
        if !report.quiet { CaptureCommand.printCaptureLines(interfaces) }
        let code = try report.finish(verdict)
        if let failure {
            throw CrosswireExit(
                code: 2, message: "\(failure.interface.name): capture stopped at frame \(failure.error.frame ?? 1): \(failure.error.message)")
        }
        throw CrosswireExit(code: code)
    }
}
