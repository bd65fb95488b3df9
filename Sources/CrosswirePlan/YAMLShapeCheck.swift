// A first pass over the YAML *events* (libyaml's parser, the one Yams wraps),
// before Yams composes a tree. It exists because composing is not safe on
// hostile input: Yams shares an aliased node instead of copying it (cheap), but
// it hashes every mapping key to find duplicates, and a key that is an alias of
// a "billion laughs" tree is hashed leaf by leaf — an exponential hang inside
// `Yams.compose`, before any caller could count nodes. Counting here, on the
// event stream, bounds everything that follows:
//   - the number of nodes *after alias expansion* (each alias costs the size of
//     the node it names, so small, honest aliases still work);
//   - the nesting depth, again counting what aliases expand to;
//   - exactly one document;
//   - no key twice in one mapping (reported at the second occurrence; Yams
//     would name the first).
// Syntax errors are reported from here too, with libyaml's own line.
//
// CYaml is the C target inside the Yams package (libyaml itself); it is
// imported directly because Yams exposes no event API.

import CYaml

/// The result of the shape check: the problems that make a document unusable
/// as a plan before its content is even looked at.
struct YAMLShapeCheck {
    /// Why the document was refused, with its 1-based line.
    struct Refusal: Error {
        var line: Int?
        var message: String
        var kind: PlanError.Kind
    }

    var maxNodes: Int
    var maxDepth: Int

    /// Size and height of a finished anchored node, for the aliases that name it.
    private struct Expansion { var nodes: Int; var height: Int }
    /// A collection being read: its anchor and what it holds so far.
    private struct Open {
        var anchor: String?
        var nodes: Int = 1
        var height: Int = 1
        /// For a mapping: the scalar keys seen, and whether the next child is a key.
        var isMapping: Bool
        var expectKey = true
        var keys: Set<String> = []
    }

    private var tooManyNodes: String {
        "the document has more than \(maxNodes) YAML nodes (an alias counts as the nodes it repeats)"
    }

    /// Walks every event of `bytes`; throws the first refusal.
    func check(_ bytes: [UInt8]) throws(Refusal) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw Refusal(line: nil, message: "out of memory starting the YAML parser", kind: .tooComplex)
        }
        defer { yaml_parser_delete(&parser) }
        try bytes.withUnsafeBufferPointer { (buffer) throws(Refusal) in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            try walk(&parser)
        }
    }

    private func walk(_ parser: inout yaml_parser_t) throws(Refusal) {
        var anchors: [String: Expansion] = [:]
        var stack: [Open] = []
        var total = 0, documents = 0

        // Tells the innermost mapping that a child ended; `key` is the child's text when it is a scalar.
        func childEnded(key: String?, line: Int) throws(Refusal) {
            guard !stack.isEmpty, stack[stack.count - 1].isMapping else { return }
            defer { stack[stack.count - 1].expectKey.toggle() }
            guard stack[stack.count - 1].expectKey, let key else { return }
            guard stack[stack.count - 1].keys.insert(key).inserted else {
                throw Refusal(line: line, message: "key \(quoted(key)) appears twice in one mapping", kind: .syntax)
            }
        }

        // Adds a finished node (or an alias's expansion) to its parent.
        func add(nodes: Int, height: Int, line: Int) throws(Refusal) {
            total += nodes
            guard total <= maxNodes else {
                throw Refusal(
                    line: line,
                    message: tooManyNodes,
                    kind: .tooComplex)
            }
            guard stack.count + height <= maxDepth else {
                throw Refusal(line: line, message: "the document nests deeper than \(maxDepth) levels", kind: .tooComplex)
            }
            if !stack.isEmpty {
                stack[stack.count - 1].nodes += nodes
                stack[stack.count - 1].height = max(stack[stack.count - 1].height, height + 1)
            }
        }

        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { throw syntaxRefusal(parser) }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                guard documents == 1 else {
                    throw Refusal(line: line, message: "more than one YAML document: a plan is one document", kind: .notAPlan)
                }
            case YAML_SCALAR_EVENT:
                if let anchor = event.data.scalar.anchor { anchors[String(cString: anchor)] = Expansion(nodes: 1, height: 1) }
                try add(nodes: 1, height: 1, line: line)
                let value = event.data.scalar.value.map {
                    String(decoding: UnsafeBufferPointer(start: $0, count: event.data.scalar.length), as: UTF8.self)
                } ?? ""
                try childEnded(key: value, line: line)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let raw = event.type == YAML_SEQUENCE_START_EVENT
                    ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                guard stack.count + 1 <= maxDepth else {
                    throw Refusal(line: line, message: "the document nests deeper than \(maxDepth) levels", kind: .tooComplex)
                }
                // Count the collection itself now so that a long flat list is bounded as it is read.
                total += 1
                guard total <= maxNodes else {
                    throw Refusal(line: line, message: tooManyNodes, kind: .tooComplex)
                }
                stack.append(Open(anchor: raw.map { String(cString: $0) }, isMapping: event.type == YAML_MAPPING_START_EVENT))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let done = stack.removeLast()
                if let anchor = done.anchor { anchors[anchor] = Expansion(nodes: done.nodes, height: done.height) }
                // `total` already holds this collection and its children: hand the parent size and height only.
                if !stack.isEmpty {
                    stack[stack.count - 1].nodes += done.nodes
                    stack[stack.count - 1].height = max(stack[stack.count - 1].height, done.height + 1)
                }
                try childEnded(key: nil, line: line)
            case YAML_ALIAS_EVENT:
                let name = String(cString: event.data.alias.anchor)
                guard let expansion = anchors[name] else {
                    throw Refusal(line: line, message: "alias *\(name) names no anchor defined before it", kind: .syntax)
                }
                try add(nodes: expansion.nodes, height: expansion.height, line: line)
                try childEnded(key: nil, line: line)
            default:
                break
            }
        }
    }

    /// libyaml's error as a refusal at its line.
    private func syntaxRefusal(_ parser: yaml_parser_t) -> Refusal {
        let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
        var message = "not valid YAML: \(problem)"
        if let context = parser.context.map({ String(cString: $0) }) {
            message += " (\(context) at line \(parser.context_mark.line + 1))"
        }
        if parser.error == YAML_READER_ERROR {
            return Refusal(line: nil, message: message + " at byte \(parser.problem_offset)", kind: .notText)
        }
        return Refusal(line: Int(parser.problem_mark.line) + 1, message: message, kind: .syntax)
    }
}
