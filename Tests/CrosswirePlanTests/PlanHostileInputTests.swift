// Hostile YAML: every attempt is refused with a clear error, never a hang or a
// memory blow-up. The time limits are hang guards, not performance claims.
//
// Measured while writing this (debug build): `Yams.compose` alone spends 11 s on
// the complex-key bomb below at 23 levels, doubling per level; a 1 MiB file
// could hold hundreds of levels. The loader refuses it in milliseconds.

import CrosswirePlan
import Foundation
import Testing

/// `levels` anchors, each a list of two aliases of the previous one: 2^levels leaves.
func billionLaughs(levels: Int) -> String {
    var yaml = "a0: &a0 [lol, lol]\n"
    for i in 1...levels { yaml += "a\(i): &a\(i) [*a\(i - 1), *a\(i - 1)]\n" }
    return yaml
}

/// Runs `body`, expecting it to finish within `seconds` (a hang guard).
func expectQuick<T>(_ seconds: Double, sourceLocation: SourceLocation = #_sourceLocation, _ body: () -> T) -> T {
    let start = ContinuousClock.now
    let result = body()
    #expect(ContinuousClock.now - start < .seconds(seconds), sourceLocation: sourceLocation)
    return result
}

@Test(.timeLimit(.minutes(5))) func billionLaughsAsValuesIsRefused() {
    let yaml = "version: 1\nname: bomb\n" + billionLaughs(levels: 60).replacingOccurrences(of: "\na", with: "\ndescription_a")
    let error = expectQuick(5) { loadError(yaml) }
    #expect(error?.kind == .tooComplex)
    #expect(error?.message == "the document has more than 100000 YAML nodes (an alias counts as the nodes it repeats)")
    #expect(error?.line != nil)
}

@Test(.timeLimit(.minutes(5))) func billionLaughsAsAMappingKeyIsRefusedBeforeYamsHashesIt() {
    let yaml = billionLaughs(levels: 80) + "? *a80\n: boom\n"
    let error = expectQuick(5) { loadError(yaml) }
    #expect(error?.kind == .tooComplex)
    // Anchor a(i) holds 2^(i+2) - 1 nodes; the running total first passes 100 000 at a14, line 15,
    // long before the key on line 82.
    #expect(error?.line == 15)
}

@Test(.timeLimit(.minutes(5))) func aliasesJustUnderTheBudgetStillLoadAndFailOnTheirKey() {
    // 2^10 leaves: well under 100 000 nodes, so the document loads and the plan reader names the unknown key.
    let error = loadError("version: 1\n" + billionLaughs(levels: 10))
    #expect(error?.kind == .unknownKey)
    #expect(error?.keyPath == "a0")
    #expect(error?.line == 2)
}

@Test(.timeLimit(.minutes(5))) func tooManyNodesWithoutAliasesIsRefused() {
    let yaml = "version: 1\nname: wide\ndescription: [" + String(repeating: "x, ", count: 120_000) + "x]\n"
    let error = expectQuick(10) { loadError(yaml) }
    #expect(error?.kind == .tooComplex)
    #expect(error?.message == "the document has more than 100000 YAML nodes (an alias counts as the nodes it repeats)")
    #expect(error?.line == 3)
}

@Test(.timeLimit(.minutes(5))) func deepNestingIsRefused() {
    let flow = "version: 1\nname: deep\ndescription: " + String(repeating: "[", count: 500) + String(repeating: "]", count: 500) + "\n"
    let error = expectQuick(5) { loadError(flow) }
    #expect(error?.kind == .tooComplex)
    #expect(error?.message == "the document nests deeper than 64 levels")
    #expect(error?.line == 3)

    // Block sequences nest compactly too: "- - - - x".
    let block = "version: 1\nname: deep\ndescription:\n" + String(repeating: "- ", count: 100) + "x\n"
    #expect(loadError(block)?.kind == .tooComplex)

    // Deep nesting through aliases counts the expansion's depth.
    var viaAliases = "version: 1\nname: deep\nd0: &d0 [x]\n"
    for i in 1...40 { viaAliases += "d\(i): &d\(i) [*d\(i - 1)]\n" }
    viaAliases += "e: [[[[[[[[[[[[[[[[[[[[[[[[[[*d40]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
    let aliased = loadError(viaAliases)
    #expect(aliased?.kind == .tooComplex)
    #expect(aliased?.line == 44)
}

@Test(.timeLimit(.minutes(5))) func hugeFileIsRefusedBeforeParsing() {
    let yaml = "version: 1\nname: huge\ndescription: \"" + String(repeating: "a", count: 2 << 20) + "\"\n"
    let error = expectQuick(5) { loadError(yaml) }
    #expect(error?.kind == .tooLarge)
    #expect(error?.description == "plan.yaml: the file is larger than 1048576 bytes: not a plan")

    // From a file, too: only maxBytes + 1 bytes are read.
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("crosswire-huge-\(UInt32.random(in: 0...UInt32.max)).yaml").path
    #expect(FileManager.default.createFile(atPath: path, contents: Data(yaml.utf8)))
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
        _ = try PlanLoader().load(contentsOf: path)
        Issue.record("loaded a huge file")
    } catch {
        #expect(error.kind == .tooLarge)
        #expect(error.file == path)
    }
}

@Test func limitsAreAdjustable() {
    let small = PlanLoader.Limits(maxBytes: 100, maxNodes: 10, maxDepth: 3)
    #expect(loadError(planWith([:]), limits: small)?.kind == .tooLarge)
    #expect(loadError("a: [[[x]]]\n", limits: PlanLoader.Limits(maxDepth: 3))?.kind == .tooComplex)
    #expect(loadError("a: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n", limits: PlanLoader.Limits(maxNodes: 10))?.kind == .tooComplex)
}

@Test func undefinedAndRecursiveAliasesAreSyntaxErrors() {
    let undefined = loadError("version: 1\nname: *nowhere\n")
    #expect(undefined?.kind == .syntax)
    #expect(undefined?.line == 2)
    #expect(undefined?.message == "alias *nowhere names no anchor defined before it")
    let recursive = loadError("version: 1\nname: &self [*self]\n")
    #expect(recursive?.kind == .syntax)
}
