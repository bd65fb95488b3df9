// `crosswire schema` prints the committed docs/plan.schema.json, byte for byte,
// and exits 0 (editors and CI fetch the schema from the binary they run).

import Foundation
import Testing

@Test func schemaCommandPrintsTheCommittedSchema() throws {
    let run = try crosswire(["schema"])
    #expect(run.status == 0, "\(run.stderr)")
    let committed = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("docs/plan.schema.json"), encoding: .utf8)
    #expect(run.stdout == committed, "run `crosswire schema > docs/plan.schema.json`")
    let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
    #expect(object?["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
}
