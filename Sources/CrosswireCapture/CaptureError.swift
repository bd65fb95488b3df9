// Errors of the capture layer: one line each, naming the file or interface
// and, where known, the frame.

/// Why a capture could not be opened, read or written.
public struct CaptureError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The file could not be opened or is not a capture libpcap reads.
        case unreadable
        /// The capture's link type is not one the decoder walks.
        case unsupportedLinkType(UInt32)
        /// Reading stopped in the middle of a record (a cut file, or one still being written).
        case truncated
        /// A live interface could not be opened, activated or read.
        case interface
        /// Not enough privilege to capture.
        case permission
        /// A BPF filter did not compile.
        case filter
        /// A capture file could not be written.
        case write
    }

    public var kind: Kind
    /// The file path or interface name.
    public var source: String
    /// The 1-based frame where reading stopped, when known.
    public var frame: Int?
    /// libpcap's or the system's message.
    public var message: String

    public init(_ kind: Kind, source: String, frame: Int? = nil, message: String) {
        self.kind = kind; self.source = source; self.frame = frame; self.message = message
    }

    public var description: String {
        if let frame { return "\(source): frame \(frame): \(message)" }
        return "\(source): \(message)"
    }
}
