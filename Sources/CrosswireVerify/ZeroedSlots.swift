// Storage for the bounded per-flow tables, sized for a busy network (tens of
// megabytes). On fresh anonymous pages (ZeroPages), which read as zero until
// written, a table costs the pages its flows touch, not its size.

import CrosswireCapture

/// A fixed number of slots that start as zero bytes, with value semantics: a copy shares
/// them until either writes. The owner must write a slot before reading it as a value,
/// unless zero bytes are a valid value of `Element`.
struct ZeroedSlots<Element: BitwiseCopyable> {
    private final class Storage {
        let pages: ZeroPages
        let base: UnsafeMutablePointer<Element>
        let count: Int

        init(count: Int) {
            pages = ZeroPages(byteCount: count * MemoryLayout<Element>.stride)
            base = pages.base.bindMemory(to: Element.self, capacity: count)
            self.count = count
        }

        func copy() -> Storage {
            let c = Storage(count: count)
            c.base.update(from: base, count: count)
            return c
        }
    }

    private var storage: Storage?

    /// No slots.
    init() {}

    /// `count` slots of zero bytes.
    init(count: Int) { storage = Storage(count: count) }

    var count: Int { storage?.count ?? 0 }
    var isEmpty: Bool { storage == nil }

    /// The bytes of the slots' pages that are in memory: what they cost so far.
    var residentBytes: Int { storage?.pages.residentBytes ?? 0 }

    /// Out of line: inlined at every write, the copy made callers too large to inline their
    /// own callees.
    @inline(never)
    private mutating func copyShared() { storage = storage?.copy() }

    // Addressors, as Array has: `slots[i].field` reads or writes the field where it is,
    // without a copy of the whole slot.
    subscript(i: Int) -> Element {
        @inline(__always) unsafeAddress {
            let s = storage!
            precondition(i >= 0 && i < s.count, "slot out of range")
            return UnsafePointer(s.base + i)
        }
        @inline(__always) unsafeMutableAddress {
            if !isKnownUniquelyReferenced(&storage) { copyShared() }
            let s = storage!
            precondition(i >= 0 && i < s.count, "slot out of range")
            return s.base + i
        }
    }
}
