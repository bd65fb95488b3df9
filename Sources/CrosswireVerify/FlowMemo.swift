// What an analyser works out once per flow and would otherwise work out for
// every packet: a flow's packets share every header field its key holds
// (FlowTable.swift), so anything made of those fields alone (a delivery class,
// a checksum sender) is the same for all of them.

/// A value per flow, kept by the flow's slot in the flow table (`FlowSighting.slot`). A new
/// flow in a slot starts at position 1, which forgets the slot's value; so the analyser must
/// observe the first packet of every flow it remembers a value for (its `isNew` says so),
/// and ask for the value before any early return.
struct FlowMemo<Value: BitwiseCopyable> {
    private struct Entry: BitwiseCopyable {
        var known: Bool
        var value: Value
    }
    /// Zero bytes: not known. Made at the first frame of a flow.
    private var entries = ZeroedSlots<Entry>()

    /// The value remembered for the frame's flow; nil for a frame of no flow, a flow's first
    /// frame (whose slot it clears) or a value not remembered yet.
    @inline(__always)
    mutating func value(for frame: FrameContext) -> Value? {
        let slot = Int(frame.flow.slot)
        guard slot >= 0 else { return nil }
        if entries.isEmpty { entries = ZeroedSlots(count: FlowTable.defaultCapacity) }
        guard slot < entries.count else { return nil }
        if frame.flow.position == 1 {
            entries[slot].known = false
            return nil
        }
        return entries[slot].known ? entries[slot].value : nil
    }

    /// Remembers `value` for the frame's flow (nothing for a frame of no flow).
    @inline(__always)
    mutating func remember(_ value: Value, for frame: FrameContext) {
        let slot = Int(frame.flow.slot)
        guard slot >= 0, slot < entries.count else { return }
        entries[slot] = Entry(known: true, value: value)
    }
}
