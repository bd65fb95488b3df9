// `crosswire capture --plan PLAN --interface IFACE... [--filter BPF] [--duration S] [--count N]
//                    [--write FILE.pcap] [--format …]… [--output DIR] [--user NAME] [--list-interfaces]`

import ArgumentParser
import CrosswireCapture
import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict
import CrosswireVerify
import Foundation

struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Capture live interfaces through libpcap, verify the traffic against a plan, write the reports.",
        discussion: """
            Several --interface are captured at once by one thread (for example the container bridge and the NIC, \
            the two points that prove NAT); each is one capture of the verdict. With one interface --write FILE.pcap \
            is the file; with several, each interface goes to FILE-<iface>.pcap (cap.pcap -> cap-docker0.pcap, \
            cap-eth0.pcap). Frames are written as they arrive and flushed at once, so nothing captured is lost if \
            the process is killed. Without --write nothing is written, only analysed.

            The capture stops when --duration or --count (frames over all interfaces) is reached, or on \
            SIGINT/SIGTERM; the reports are then written and the exit code is the verdict's (0 no check failed, \
            1 a check failed). A second SIGINT/SIGTERM ends at once with 130/143. Permission problems, a missing \
            interface, a bad filter or an interface that goes down during the capture are one line on stderr and \
            exit 2 (in the last case the reports for the frames captured before are still written).

            --user NAME gives up root once the interfaces are open (like tcpdump -Z): the capture files and the \
            reports are then written as NAME, so --write and --output must be writable by NAME.
            """
    )

    @Option(name: .long, help: "The plan (YAML).")
    var plan: String?

    @Option(name: .long, help: "Interface to capture (repeatable: all are captured at once).")
    var interface: [String] = []

    @Option(name: .long, help: "BPF filter, compiled by libpcap (tcpdump syntax).")
    var filter: String?

    @Option(name: .long, help: "Stop after this many seconds.")
    var duration: Double?

    @Option(name: .long, help: "Stop after this many frames (over all interfaces).")
    var count: Int?

    @Option(name: .long, help: "Bytes kept of each frame.")
    var snaplen: Int32 = 262_144

    /// 32 MiB: in immediate mode libpcap's ring has one slot per frame, sized for the snapshot
    /// length (64 KiB with the default), so libpcap's own 2 MB default holds only 32 frames.
    @Option(name: .customLong("buffer-size"), help: "Kernel capture ring in bytes; each frame takes a slot sized for --snaplen (64 KiB by default).")
    var bufferSize: Int32 = 32 * 1024 * 1024

    @Flag(name: .customLong("no-promiscuous-mode"), help: "Do not put the interfaces into promiscuous mode.")
    var noPromiscuous = false

    @Option(name: .long, help: "Write the raw frames to this pcap file (FILE-<iface>.pcap for each of several interfaces).")
    var write: String?

    @Option(name: .long, help: "Switch to this user once the interfaces are open.")
    var user: String?

    @Flag(name: .customLong("list-interfaces"), help: "List the interfaces libpcap can capture on, and exit.")
    var listInterfaces = false

    @OptionGroup var report: ReportOptions

    func validate() throws {
        if listInterfaces { return }
        if plan == nil { throw ValidationError("--plan is needed") }
        if interface.isEmpty { throw ValidationError("at least one --interface is needed") }
        if Set(interface).count != interface.count { throw ValidationError("an --interface is given twice") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be more than 0 seconds") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if !(1...262_144).contains(snaplen) { throw ValidationError("--snaplen must be between 1 and 262144") }
        if bufferSize < 1 { throw ValidationError("--buffer-size must be at least 1 byte") }
        if report.evidence != nil, write == nil {
            throw ValidationError("--evidence needs --write (evidence frames are copied from the written captures)")
        }
    }

    func run() throws {
        if listInterfaces {
            try printInterfaces()
            throw CrosswireExit(code: 0)
        }
        let plan = try loadPlan(self.plan!)
        let options = LiveCaptureOptions(
            snapLength: snaplen, promiscuous: !noPromiscuous, bufferSize: bufferSize, filter: filter)

        // Open every interface (as root) before anything is written.
        let interfaces = try LiveInterface.openAll(interface, options: options)
        if let user { try PrivilegeDrop.switchTo(user: user) }
        if let write {
            for live in interfaces {
                let path = Self.writePath(write, interface: live.name, several: interfaces.count > 1)
                do {
                    live.writer = try CaptureFileWriter(path: path, linkType: live.capture.linkType, snapLength: live.capture.snapLength)
                    live.path = path
                } catch {
                    throw CrosswireExit.input(error.description)
                }
            }
        }

        var session = VerificationSession(plan: plan)
        for live in interfaces {
            live.index = session.addCapture(path: live.path ?? live.name, linkType: live.capture.linkType, linkTypeName: live.capture.linkTypeName)
        }
        StopSignals.install()
        for live in interfaces {
            StandardError.line(
                "crosswire: listening on \(live.name), link-type \(live.capture.linkTypeName), snapshot length \(live.capture.snapLength) bytes"
                    + (live.path.map { ", writing \($0)" } ?? ""))
        }
        let started = Date()
        let failure = captureLoop(interfaces, session: &session)
        StopSignals.loopEnded()

        for live in interfaces {
            live.writer?.flush()
            if let drops = live.updateStatistics() { session.setDrops(capture: live.index, drops) }
        }
        if let failure {
            session.markIncomplete(capture: failure.interface.index, frame: failure.error.frame ?? 1, reason: failure.error.message)
        }
        var verdict = session.verdict()
        verdict.elapsedSeconds = Date().timeIntervalSince(started)
        if !report.quiet { Self.printCaptureLines(interfaces) }
        let code = try report.finish(verdict)
        if let failure {
            throw CrosswireExit(
                code: 2,
                message: "\(failure.interface.name): capture stopped at frame \(failure.error.frame ?? 1): \(failure.error.message)"
                    + " (verdict and reports cover the frames before it, marked incomplete)")
        }
        throw CrosswireExit(code: code)
    }

    /// Serves every interface from one thread: poll() on their descriptors and
    /// the signal pipe with a short timeout, then take what each has ready.
    /// Returns the interface that failed (went down), if one did.
    private func captureLoop(_ interfaces: [LiveInterface], session: inout VerificationSession) -> (interface: LiveInterface, error: CaptureError)? {
        let clock = ContinuousClock()
        let deadline = duration.map { clock.now.advanced(by: .milliseconds(Int64(($0 * 1000).rounded(.up)))) }
        var poller = DescriptorPoller(descriptors: interfaces.map { $0.capture.descriptor } + [StopSignals.wakeDescriptor])
        var total = 0
        var bytesSeen = 0
        var stateChecked = clock.now
        let progress = ProgressLine()
        defer { progress.clear() }
        let names = interfaces.map(\.name).joined(separator: ", ")
        while StopSignals.received == nil {
            // On a terminal: packets, bytes, rate, and how much of --duration has passed.
            progress.show(
                "capturing on \(names): \(total) packets, \(bytesSeen / 1_000) kB, \(Int(Double(total) / progress.elapsed)) packets/s"
                    + (self.duration.map { ", \(min(100, Int(progress.elapsed * 100 / max($0, 0.001))))% of \(Int($0.rounded(.up))) s" } ?? ""))
            var timeout: Int32 = 100
            if let deadline {
                let left = deadline - clock.now
                if left <= .zero { break }
                let ms = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
                timeout = Int32(max(1, min(100, ms)))
            }
            poller.wait(timeoutMilliseconds: timeout)
            for (i, live) in interfaces.enumerated() {
                let limit = min(4096, count.map { $0 - total } ?? Int.max)
                let index = live.index
                let delivered: Int
                do {
                    delivered = try live.capture.readAvailable(limit: limit) { info, bytes in
                        session.observe(capture: index, info: info, bytes: bytes)
                        live.record(bytes, info: info)
                        bytesSeen += info.originalLength
                    }
                } catch {
                    return (live, error)
                }
                if delivered > 0 { live.writer?.flush() }
                if delivered == 0, poller.hasError(i) {
                    return (live, live.failure())
                }
                total += delivered
                if let count, total >= count { return nil }
            }
            if clock.now - stateChecked >= .seconds(1) {
                stateChecked = clock.now
                if let gone = interfaces.first(where: { $0.capture.interfaceIsGone() }) { return (gone, gone.failure()) }
            }
        }
        return nil
    }

    /// `cap.pcap` for one interface; `cap-<iface>.pcap` for each of several.
    static func writePath(_ path: String, interface: String, several: Bool) -> String {
        guard several else { return path }
        let name = (path as NSString).lastPathComponent
        let dot = name.lastIndex(of: ".").flatMap { $0 == name.startIndex ? nil : $0 }
        let stem = dot.map { String(name[..<$0]) } ?? name
        let ext = dot.map { String(name[$0...]) } ?? ""
        let file = "\(stem)-\(interface)\(ext)"
        let dir = (path as NSString).deletingLastPathComponent
        return dir.isEmpty ? file : (dir as NSString).appendingPathComponent(file)
    }

    static func printCaptureLines(_ interfaces: [LiveInterface]) {
        for live in interfaces {
            var line = "captured \(live.name): \(live.capture.framesRead) frames"
            if let path = live.path { line += " written to \(path)" }
            if let s = live.statistics {
                line += "; kernel: \(s.received) received by filter, \(s.droppedByKernel) dropped by kernel, \(s.droppedByInterface) dropped by interface"
            }
            print(line)
        }
    }

    private func printInterfaces() throws {
        let devices: [CaptureDevice]
        do { devices = try CaptureDevice.all() } catch { throw CrosswireExit.input(error.description) }
        let width = devices.map(\.name.count).max() ?? 0
        for d in devices {
            var flags: [String] = []
            if d.isUp { flags.append("up") }
            if d.isRunning { flags.append("running") }
            if d.isLoopback { flags.append("loopback") }
            var line = d.name + String(repeating: " ", count: width - d.name.count) + "  [" + flags.joined(separator: ", ") + "]"
            if let description = d.description { line += "  " + description }
            print(line)
        }
    }
}

/// One interface being captured: its libpcap handle, its capture file and its id in the session.
final class LiveInterface {
    var capture: LiveCapture
    var writer: CaptureFileWriter?
    /// The file written, when --write was given.
    var path: String?
    var index = CaptureID(0)
    var statistics: LiveCaptureStatistics?
    let name: String

    init(capture: consuming LiveCapture) {
        name = capture.interface
        self.capture = capture
    }

    /// Opens every interface in `names` (as root, before anything is written); a failure is exit 2
    /// with libpcap's reason, and activation warnings go to stderr.
    static func openAll(_ names: [String], options: LiveCaptureOptions) throws -> [LiveInterface] {
        var interfaces: [LiveInterface] = []
        for name in names {
            do {
                let capture = try LiveCapture(interface: name, options: options)
                if let warning = capture.warning { StandardError.line("crosswire: \(name): warning: \(warning)") }
                interfaces.append(LiveInterface(capture: capture))
            } catch {
                throw CrosswireExit.input(error.description)
            }
        }
        return interfaces
    }

    /// Records the kernel's counters (pcap_stats) and returns them as the verdict's drops.
    func updateStatistics() -> CaptureDrops? {
        guard let s = capture.statistics() else { return nil }
        statistics = s
        return CaptureDrops(received: s.received, droppedByKernel: s.droppedByKernel, droppedByInterface: s.droppedByInterface)
    }

    /// The interface's stop, when poll() reported an error on its descriptor and nothing was read.
    func failure() -> CaptureError {
        CaptureError(.interface, source: name, frame: capture.framesRead + 1, message: capture.stopReason())
    }

    /// Appends one frame to the capture file, if there is one.
    func record(_ bytes: borrowing RawSpan, info: FrameInfo) {
        guard writer != nil else { return }
        bytes.withUnsafeBytes { raw in writer?.write(raw, info: info) }
    }
}
