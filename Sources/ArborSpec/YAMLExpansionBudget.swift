// libyaml's event parser, the C library Yams is built on: counting nodes needs events,
// which Yams does not expose, and `Yams.compose` has already expanded every alias.
import CYaml

/// Refuses YAML whose aliases expand to too many nodes, before the text is composed.
///
/// An alias is cheap to write and costly to expand: ten anchors, each a list of ten aliases
/// of the one before, are 589 bytes that stand for 10¹⁰ nodes ("billion laughs"). Yams shares
/// the aliased node, but converting it to JSON, and hashing it when it is used as a mapping
/// key, visits every copy. This pass walks libyaml's events once, keeps the expanded size of
/// every anchor, and stops at the alias that would take the document past
/// ``maximumAliasNodes``. Text without aliases costs one extra parse and is never refused
/// here (its size is bounded by the file's).
enum YAMLExpansionBudget {
    /// The most nodes that aliases may add to one document. Hand-written workflows and test
    /// files reuse a few blocks; a hundred thousand nodes is far beyond that and still
    /// converts in well under a second.
    static let maximumAliasNodes = 100_000

    struct Refusal: Equatable {
        var line: Int
        var column: Int
        var message: String
    }

    /// The alias that takes the expansion past the limit, or nil when the text is within it
    /// or is not YAML (composing it then reports the syntax error).
    static func check(_ text: String, limit: Int = maximumAliasNodes) -> Refusal? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer -> Refusal? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            // Each open collection: its anchor and the expanded node count so far.
            var open: [(anchor: String?, nodes: Int)] = []
            var anchors: [String: Int] = [:]
            var aliasNodes = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                var finished: (anchor: String?, nodes: Int)?
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_DOCUMENT_START_EVENT:
                    anchors = [:]
                    aliasNodes = 0
                case YAML_SCALAR_EVENT:
                    finished = (string(event.data.scalar.anchor), 1)
                case YAML_SEQUENCE_START_EVENT:
                    open.append((string(event.data.sequence_start.anchor), 1))
                case YAML_MAPPING_START_EVENT:
                    open.append((string(event.data.mapping_start.anchor), 1))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    finished = open.popLast()
                case YAML_ALIAS_EVENT:
                    let size = string(event.data.alias.anchor).flatMap { anchors[$0] } ?? 1
                    aliasNodes += size
                    if aliasNodes > limit {
                        let mark = event.start_mark
                        return Refusal(line: Int(mark.line) + 1, column: Int(mark.column) + 1,
                                       message: "YAML aliases here expand to more than \(limit) nodes; write the repeated values out, or use fewer nested aliases")
                    }
                    finished = (nil, size)
                default:
                    break
                }
                if let finished {
                    if let anchor = finished.anchor { anchors[anchor] = finished.nodes }
                    if !open.isEmpty { open[open.count - 1].nodes += finished.nodes }
                }
            }
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }
}
