// The one boundary between Crosswire and libpcap's C API. Every pcap_* call
// of the project goes through this file.

import CPcap
import CrosswireDecoder

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Metadata of one frame read from a capture.
public struct FrameInfo: Sendable, BitwiseCopyable {
    /// 1-based frame number, as Wireshark counts.
    public var number: Int
    /// Timestamp: seconds since the epoch and nanoseconds within the second.
    public var seconds: Int64
    public var nanoseconds: UInt32
    /// Bytes captured, and the frame's length on the wire.
    public var capturedLength: Int
    public var originalLength: Int
    /// The pcapng interface id of the frame, when the file holds several interfaces (else -1).
    public var interfaceID: Int32 = -1
    /// pcapng's epb_flags direction, when the file records it.
    public var direction = PacketDirection.unknown

    /// A blank info, for `CaptureFileReader.next(into:)` to fill.
    public init() { self.init(number: 0, seconds: 0, nanoseconds: 0, capturedLength: 0, originalLength: 0) }

    public init(number: Int, seconds: Int64, nanoseconds: UInt32, capturedLength: Int, originalLength: Int) {
        self.number = number; self.seconds = seconds; self.nanoseconds = nanoseconds
        self.capturedLength = capturedLength; self.originalLength = originalLength
    }

    /// The timestamp in seconds as a floating-point number.
    public var time: Double { Self.time(seconds: seconds, nanoseconds: nanoseconds) }

    /// A timestamp's seconds and nanoseconds as seconds.
    @inlinable public static func time(seconds: Int64, nanoseconds: UInt32) -> Double { Double(seconds) + Double(nanoseconds) / 1e9 }
}

/// A libpcap handle (`pcap_t`), owned: closed when it goes away.
final class PcapHandle: @unchecked Sendable {
    let raw: OpaquePointer
    /// The file or interface it reads.
    let source: String
    /// True when timestamps are in nanoseconds (files opened with nanosecond precision).
    let nanosecondPrecision: Bool

    private init(raw: OpaquePointer, source: String, nanosecondPrecision: Bool) {
        self.raw = raw; self.source = source; self.nanosecondPrecision = nanosecondPrecision
    }

    deinit { pcap_close(raw) }

    /// An offline capture's file (`pcap_file`; nil for others). `pcap_fileno` answers -1 for
    /// a file.
    var savefile: UnsafeMutablePointer<FILE>? { pcap_file(raw) }

    /// Opens a pcap or pcapng file (`pcap_open_offline_with_tstamp_precision`, nanoseconds).
    static func openOffline(path: String) throws(CaptureError) -> PcapHandle {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let p = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf) else {
            var message = cleanMessage(errbuf)
            // libpcap often starts its message with the path; the error names it already.
            if message.hasPrefix(path + ": ") { message.removeFirst(path.count + 2) }
            throw CaptureError(.unreadable, source: path, message: message)
        }
        return PcapHandle(raw: p, source: path, nanosecondPrecision: true)
    }

    /// A handle that reads nothing, for writing files of a link type (`pcap_open_dead_with_tstamp_precision`).
    static func openDead(linkType: LinkType, snapLength: Int32 = 262_144) -> PcapHandle? {
        guard let p = pcap_open_dead_with_tstamp_precision(Int32(bitPattern: linkType.rawValue), snapLength, UInt32(PCAP_TSTAMP_PRECISION_NANO)) else {
            return nil
        }
        return PcapHandle(raw: p, source: "(dead)", nanosecondPrecision: true)
    }

    /// Creates a live capture handle (`pcap_create`), not yet activated.
    static func create(interface: String) throws(CaptureError) -> PcapHandle {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let p = pcap_create(interface, &errbuf) else {
            throw CaptureError(.interface, source: interface, message: cleanMessage(errbuf))
        }
        // Live timestamps: ask for nanoseconds where the platform offers them.
        let nano = pcap_set_tstamp_precision(p, Int32(PCAP_TSTAMP_PRECISION_NANO)) == 0
        return PcapHandle(raw: p, source: interface, nanosecondPrecision: nano)
    }

    /// The link type (`pcap_datalink`).
    var linkType: LinkType { LinkType(rawValue: UInt32(bitPattern: pcap_datalink(raw))) }

    /// libpcap's name for the link type (`pcap_datalink_val_to_name`), or `DLT_n`.
    var linkTypeName: String {
        if let name = pcap_datalink_val_to_name(pcap_datalink(raw)) { return String(cString: name) }
        return "DLT_\(pcap_datalink(raw))"
    }

    /// The last error message (`pcap_geterr`).
    var lastError: String { String(cString: pcap_geterr(raw)) }

    /// The result of one `pcap_next_ex` call.
    enum NextResult {
        /// `subsecond` is `ts.tv_usec` as libpcap gives it, all 64 bits: a corrupt record's value
        /// can lie outside 0..<1e9 (or 1e6), and libpcap's scaling of a microsecond file to
        /// nanoseconds can make it negative; truncating it to 32 bits would hide that.
        case frame(UnsafeRawBufferPointer, seconds: Int64, subsecond: Int64, capturedLength: Int, originalLength: Int)
        /// Live capture: the timeout expired with no packet.
        case timeout
        case endOfFile
        case error(String)
    }

    /// Reads the next packet (`pcap_next_ex`). The bytes stay valid until the next call.
    func next() -> NextResult {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let rc = pcap_next_ex(raw, &header, &data)
        switch rc {
        case 1:
            guard let h = header?.pointee, let data else { return .error("libpcap returned no packet data") }
            let caplen = Int(h.caplen)
            return .frame(
                UnsafeRawBufferPointer(start: data, count: caplen), seconds: Int64(h.ts.tv_sec),
                subsecond: Int64(h.ts.tv_usec), capturedLength: caplen, originalLength: Int(h.len))
        case 0:
            return .timeout
        case PCAP_ERROR_BREAK:
            return .endOfFile
        default:
            return .error(lastError)
        }
    }

    /// Compiles and installs a BPF filter (`pcap_compile` + `pcap_setfilter`).
    func setFilter(_ expression: String) throws(CaptureError) {
        var program = bpf_program()
        guard pcap_compile(raw, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw CaptureError(.filter, source: source, message: "filter \"\(expression)\": \(lastError)")
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(raw, &program) == 0 else {
            throw CaptureError(.filter, source: source, message: "filter \"\(expression)\": \(lastError)")
        }
    }

    /// Live-capture settings before activation (`pcap_set_snaplen`, `pcap_set_promisc`,
    /// `pcap_set_immediate_mode`, `pcap_set_timeout`, `pcap_set_buffer_size`).
    func configure(snapLength: Int32, promiscuous: Bool, immediate: Bool, timeoutMilliseconds: Int32, bufferSize: Int32?) {
        pcap_set_snaplen(raw, snapLength)
        pcap_set_promisc(raw, promiscuous ? 1 : 0)
        pcap_set_immediate_mode(raw, immediate ? 1 : 0)
        pcap_set_timeout(raw, timeoutMilliseconds)
        if let bufferSize { pcap_set_buffer_size(raw, bufferSize) }
    }

    /// Activates a live handle (`pcap_activate`). Warnings are returned; errors thrown.
    @discardableResult
    func activate() throws(CaptureError) -> String? {
        let rc = pcap_activate(raw)
        if rc == 0 { return nil }
        if rc > 0 { return lastError }  // a warning, e.g. promiscuous mode not supported
        let detail = lastError
        switch rc {
        case PCAP_ERROR_PERM_DENIED:
            throw CaptureError(.permission, source: source, message: "permission denied (capturing needs root or CAP_NET_RAW): \(detail)")
        case PCAP_ERROR_NO_SUCH_DEVICE:
            throw CaptureError(.interface, source: source, message: "no such interface: \(detail)")
        case PCAP_ERROR_IFACE_NOT_UP:
            throw CaptureError(.interface, source: source, message: "interface is down")
        default:
            throw CaptureError(.interface, source: source, message: detail.isEmpty ? "cannot activate (error \(rc))" : detail)
        }
    }

    /// Kernel and interface counters of a live capture (`pcap_stats`).
    func statistics() -> (received: Int, droppedByKernel: Int, droppedByInterface: Int)? {
        var st = pcap_stat()
        guard pcap_stats(raw, &st) == 0 else { return nil }
        return (Int(st.ps_recv), Int(st.ps_drop), Int(st.ps_ifdrop))
    }

    /// The file descriptor to poll for a live capture (`pcap_get_selectable_fd`), or -1.
    var selectableDescriptor: Int32 { pcap_get_selectable_fd(raw) }

    /// Puts a live handle into non-blocking mode (`pcap_setnonblock`).
    func setNonBlocking(_ on: Bool) -> Bool {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        return pcap_setnonblock(raw, on ? 1 : 0, &errbuf) == 0
    }
}

/// The snapshot length in effect (`pcap_snapshot`).
extension PcapHandle {
    var snapshotLength: Int32 { pcap_snapshot(raw) }
}

/// A capture device as libpcap lists it (`pcap_findalldevs`).
public struct CaptureDevice: Sendable, Equatable {
    /// The name to pass to `pcap_create` (`br0`, `eth0`, `any` …).
    public var name: String
    /// libpcap's description, when it has one.
    public var description: String?
    /// `PCAP_IF_UP`, `PCAP_IF_RUNNING`, `PCAP_IF_LOOPBACK`.
    public var isUp: Bool
    public var isRunning: Bool
    public var isLoopback: Bool

    public init(name: String, description: String?, isUp: Bool, isRunning: Bool, isLoopback: Bool) {
        self.name = name; self.description = description
        self.isUp = isUp; self.isRunning = isRunning; self.isLoopback = isLoopback
    }

    /// Every device libpcap can capture on, in libpcap's order (`pcap_findalldevs`).
    public static func all() throws(CaptureError) -> [CaptureDevice] {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        var list: UnsafeMutablePointer<pcap_if_t>?
        guard pcap_findalldevs(&list, &errbuf) == 0 else {
            throw CaptureError(.interface, source: "pcap_findalldevs", message: cleanMessage(errbuf))
        }
        defer { if let list { pcap_freealldevs(list) } }
        var devices: [CaptureDevice] = []
        var cursor = list
        while let device = cursor {
            let d = device.pointee
            let flags = d.flags
            devices.append(CaptureDevice(
                name: String(cString: d.name), description: d.description.map { String(cString: $0) },
                isUp: flags & UInt32(PCAP_IF_UP) != 0, isRunning: flags & UInt32(PCAP_IF_RUNNING) != 0,
                isLoopback: flags & UInt32(PCAP_IF_LOOPBACK) != 0))
            cursor = d.next
        }
        return devices
    }
}

/// A capture file being written (`pcap_dump_open` / `pcap_dump` / `pcap_dump_flush`).
final class PcapDumper: @unchecked Sendable {
    private let handle: PcapHandle
    private let raw: OpaquePointer
    let path: String

    init(handle: PcapHandle, path: String) throws(CaptureError) {
        guard let d = pcap_dump_open(handle.raw, path) else {
            throw CaptureError(.write, source: path, message: handle.lastError)
        }
        self.handle = handle
        self.raw = d
        self.path = path
    }

    deinit { pcap_dump_close(raw) }

    /// Appends one frame. `subsecond` is in the handle's precision (nanoseconds here).
    func write(_ bytes: UnsafeRawBufferPointer, seconds: Int64, subsecond: UInt32, originalLength: Int) {
        var header = pcap_pkthdr()
        header.ts.tv_sec = Int(seconds)
        header.ts.tv_usec = Int(subsecond)
        header.caplen = UInt32(bytes.count)
        header.len = UInt32(max(originalLength, bytes.count))
        // pcap_dump's first argument is the dumper, passed as u_char* by libpcap's convention.
        pcap_dump(UnsafeMutableRawPointer(raw).assumingMemoryBound(to: UInt8.self), &header, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
    }

    /// Flushes buffered frames to the file (`pcap_dump_flush`).
    func flush() { pcap_dump_flush(raw) }
}

private func cleanMessage(_ errbuf: [CChar]) -> String {
    let text = errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    return text.isEmpty ? "cannot be read" : text
}
