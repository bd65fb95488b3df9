// `crosswire schema`: the plan's JSON Schema on stdout (docs/plan.schema.json
// is the same text), for editors and CI.

import ArgumentParser
import CrosswirePlan

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the plan file's JSON Schema (draft 2020-12), as in docs/plan.schema.json.",
        discussion: """
            Save it beside your plans and start a plan with
            # yaml-language-server: $schema=plan.schema.json
            so that editors using the YAML language server validate and complete it.
            """
    )

    func run() throws {
        print(PlanSchema.json)
    }
}
