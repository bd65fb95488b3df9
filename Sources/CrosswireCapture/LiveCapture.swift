// Reading a live interface through libpcap without blocking, so that one
// thread serves several interfaces from a poll() loop (see DescriptorPoller).

import CrosswireDecoder

/// How a live interface is opened.
public struct LiveCaptureOptions: Sendable {
    /// Bytes kept of each frame (`pcap_set_snaplen`).
    public var snapLength: Int32 = 262_144
    /// Promiscuous mode (`pcap_set_promisc`).
    public var promiscuous = true
    /// Kernel buffer size in bytes (`pcap_set_buffer_size`); libpcap's default when nil.
    public var bufferSize: Int32?
    /// A BPF filter compiled by libpcap (`pcap_compile`), or nil for every frame.
    public var filter: String?

    public init(snapLength: Int32 = 262_144, promiscuous: Bool = true, bufferSize: Int32? = nil, filter: String? = nil) {
        self.snapLength = snapLength; self.promiscuous = promiscuous
        self.bufferSize = bufferSize; self.filter = filter
    }
}

/// Counters of a live capture (`pcap_stats`): frames the filter passed, and
/// frames lost because the kernel buffer was full or the interface dropped them.
public struct LiveCaptureStatistics: Sendable, Equatable {
    public var received: Int
    public var droppedByKernel: Int
    public var droppedByInterface: Int
    public init(received: Int, droppedByKernel: Int, droppedByInterface: Int) {
        self.received = received; self.droppedByKernel = droppedByKernel; self.droppedByInterface = droppedByInterface
    }
}

/// One live interface, activated in immediate mode and non-blocking: frames
/// are handed over as soon as they arrive, and `readAvailable` never waits.
public struct LiveCapture: ~Copyable {
    private let handle: PcapHandle
    /// The interface name as given.
    public let interface: String
    public let linkType: LinkType
    /// libpcap's name for the link type (`EN10MB`, `LINUX_SLL2` …).
    public let linkTypeName: String
    /// The snapshot length libpcap applies.
    public let snapLength: Int32
    /// libpcap's warning from activation (for example promiscuous mode refused), if any.
    public let warning: String?
    /// Frames delivered so far.
    public private(set) var framesRead = 0

    /// Opens and activates `interface` (`pcap_create`, `pcap_activate`), installs
    /// the filter and switches to non-blocking reads. Throws `.permission` without
    /// root or CAP_NET_RAW, `.interface` for a missing or down interface,
    /// `.filter` with libpcap's message for a filter that does not compile, and
    /// `.unsupportedLinkType` for a link type the decoder does not walk.
    public init(interface: String, options: LiveCaptureOptions) throws(CaptureError) {
        let handle = try PcapHandle.create(interface: interface)
        // Immediate mode: no batching in the kernel ring, so a frame is readable
        // (and written) as soon as it is captured; the timeout then hardly matters.
        handle.configure(
            snapLength: options.snapLength, promiscuous: options.promiscuous, immediate: true,
            timeoutMilliseconds: 100, bufferSize: options.bufferSize)
        let warning = try handle.activate()
        guard handle.linkType.isSupported else {
            throw CaptureError(
                .unsupportedLinkType(handle.linkType.rawValue), source: interface,
                message: "unsupported link type \(handle.linkTypeName) (\(handle.linkType.rawValue))")
        }
        if let filter = options.filter { try handle.setFilter(filter) }
        guard handle.setNonBlocking(true) else {
            throw CaptureError(.interface, source: interface, message: "cannot switch to non-blocking reads: \(handle.lastError)")
        }
        self.handle = handle
        self.interface = interface
        self.warning = warning
        linkType = handle.linkType
        linkTypeName = handle.linkTypeName
        snapLength = handle.snapshotLength
    }

    /// The descriptor to `poll()` for readability (`pcap_get_selectable_fd`), or -1.
    public var descriptor: Int32 { handle.selectableDescriptor }

    /// Delivers the frames that are ready, at most `limit`, without waiting.
    /// Returns how many were delivered. The bytes are only valid during the call.
    /// Throws `.interface` (naming the next frame) when the interface went down
    /// or the capture failed; every frame before it has been delivered.
    public mutating func readAvailable(limit: Int, _ visit: (FrameInfo, borrowing RawSpan) -> Void) throws(CaptureError) -> Int {
        var delivered = 0
        while delivered < limit {
            switch handle.next() {
            case .frame(let bytes, let seconds, let subsecond, let caplen, let len):
                framesRead += 1
                delivered += 1
                let nanos = handle.nanosecondPrecision ? UInt64(subsecond) : UInt64(subsecond) * 1000
                let info = FrameInfo(
                    number: framesRead, seconds: seconds &+ Int64(nanos / 1_000_000_000),
                    nanoseconds: UInt32(nanos % 1_000_000_000), capturedLength: caplen, originalLength: len)
                visit(info, bytes.bytes)
            case .timeout:
                return delivered
            case .endOfFile:
                // pcap_breakloop: nothing more is read in this round.
                return delivered
            case .error(let message):
                throw CaptureError(.interface, source: interface, frame: framesRead + 1, message: message)
            }
        }
        return delivered
    }

    /// Why the capture stopped delivering, after `poll()` reported POLLERR or POLLHUP on
    /// `descriptor` and libpcap returned no error itself. libpcap reports a removed
    /// interface ("The interface disappeared") but treats one taken down as a pause
    /// (the kernel resumes the capture when it comes back up); a verification must
    /// not silently miss that traffic, so the interface's state is looked up
    /// (`SO_ERROR`, then `pcap_findalldevs`) to say what happened.
    public func stopReason() -> String {
        let pending = POSIX.pendingSocketError(descriptor)
        if let devices = try? CaptureDevice.all() {
            guard let device = devices.first(where: { $0.name == interface }) else { return "the interface disappeared" }
            if !device.isUp { return "the interface went down" }
        }
        if pending != 0 { return POSIX.errorText(pending) }
        return "the interface went down or was reconfigured (the capture socket reported an error)"
    }

    /// True when the interface is no longer up: taken down or removed. The capture loop
    /// asks once a second, as well as watching for POLLERR: libpcap's own poll reads
    /// (and so clears) the socket's error when it runs first, and the loop then never
    /// sees it.
    public func interfaceIsGone() -> Bool {
        guard let devices = try? CaptureDevice.all() else { return false }
        guard let device = devices.first(where: { $0.name == interface }) else { return true }
        return !device.isUp
    }

    /// The kernel's counters for this capture (`pcap_stats`), or nil when libpcap has none.
    public func statistics() -> LiveCaptureStatistics? {
        guard let s = handle.statistics() else { return nil }
        return LiveCaptureStatistics(received: s.received, droppedByKernel: s.droppedByKernel, droppedByInterface: s.droppedByInterface)
    }
}
