import ArborModel
import ArborSchema

/// Turns a tool's result into the tokens inserted at `"tool_result":`, cut to a token budget.
///
/// A result over budget becomes `{"truncated":true,"shown":"<the start of the JSON
/// text>","omitted_characters":N}`: still JSON, so the grammar accepts it, and the model sees
/// plainly that it is not the whole result.
struct ToolResultEncoder {
    let tokenizer: BPETokenizer
    /// The most tokens one result may take.
    let budget: Int

    struct Encoded {
        var bytes: [UInt8]
        var ids: [Int32]
        var truncated: Bool
    }

    func encode(_ value: JSONValue) -> Encoded {
        let full = value.compactString
        let ids = tokens(full)
        if ids.count <= budget { return Encoded(bytes: Array(full.utf8), ids: ids, truncated: false) }
        let characters = Array(full)
        // The longest prefix whose wrapper fits the budget (token counts grow with the prefix).
        var low = 0, high = characters.count
        while low < high {
            let mid = (low + high + 1) / 2
            if tokens(wrapper(characters, shown: mid)).count <= budget { low = mid } else { high = mid - 1 }
        }
        let text = wrapper(characters, shown: low)
        return Encoded(bytes: Array(text.utf8), ids: tokens(text), truncated: true)
    }

    private func wrapper(_ characters: [Character], shown: Int) -> String {
        let object: JSONValue = ["truncated": true, "shown": .string(String(characters[..<shown])),
                                 "omitted_characters": .integer(Int64(characters.count - shown))]
        return object.compactString
    }

    private func tokens(_ text: String) -> [Int32] { tokenizer.encode(text, parseSpecial: false) }
}
