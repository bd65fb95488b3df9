// Byte-fixture helpers for the decoder tests.
import CrosswireDecoder

/// Bytes from a hex string (spaces and newlines ignored).
func hexBytes(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    var high: UInt8?
    for ch in text.utf8 {
        let v: UInt8
        switch ch {
        case 48...57: v = ch - 48
        case 97...102: v = ch - 87
        case 65...70: v = ch - 55
        default: continue
        }
        if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
    }
    return out
}

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Collects a BGP message's events.
func bgpEvents(_ bytes: [UInt8], options: BGPSessionOptions = .unknown) -> [BGPEvent] {
    var events: [BGPEvent] = []
    bytes.withUnsafeBytes { raw in
        BGPEventDecoder.decode(raw.bytes, at: 0, options: options) { events.append($0) }
    }
    return events
}

/// Collects an OSPF packet's events.
func ospfEvents(_ bytes: [UInt8]) -> [OSPFEvent] {
    var events: [OSPFEvent] = []
    bytes.withUnsafeBytes { raw in
        OSPFEventDecoder.decode(raw.bytes, at: 0, limit: bytes.count) { events.append($0) }
    }
    return events
}

func v4(_ s: String) -> IPv4Address { IPv4Address(s)! }
func prefix(_ s: String) -> IPPrefix { IPPrefix(s)! }
