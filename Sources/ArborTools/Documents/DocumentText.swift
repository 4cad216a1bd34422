import Foundation

/// The title and readable text of one document file, by its kind.
///
/// Markdown and plain text are kept as written (they read well as they are); HTML loses its
/// markup, scripts and styles, keeps one line per block element and decodes entities, so that
/// search snippets and `read_document` pages show prose rather than tags.
struct DocumentText: Equatable {
    /// The kinds of file the index reads, by extension.
    enum Kind: String, CaseIterable {
        case markdown, text, html

        init?(fileName: String) {
            switch (fileName as NSString).pathExtension.lowercased() {
            case "md", "markdown": self = .markdown
            case "txt", "text": self = .text
            case "html", "htm": self = .html
            default: return nil
            }
        }
    }

    var title: String
    var body: String

    /// Reads the file's text (UTF-8, else Latin-1, which decodes any byte) as `kind`.
    init(data: Data, kind: Kind, fileName: String) {
        let raw = String(data: data, encoding: .utf8) ?? String(decoding: data, as: Unicode.UTF8.self)
        let fallback = ((fileName as NSString).lastPathComponent as NSString).deletingPathExtension
        switch kind {
        case .markdown:
            body = raw
            title = Self.markdownTitle(raw) ?? fallback
        case .text:
            body = raw
            title = Self.firstLine(raw).map { String($0.prefix(100)) } ?? fallback
        case .html:
            let page = HTMLText(raw)
            body = page.text
            title = page.title ?? fallback
        }
    }

    /// The first `# ` heading, else the first heading of any level.
    static func markdownTitle(_ text: String) -> String? {
        var anyHeading: String?
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("#") else { continue }
            let level = trimmed.prefix(while: { $0 == "#" }).count
            let heading = trimmed.dropFirst(level).trimmingCharacters(in: .whitespaces)
            guard level <= 6, !heading.isEmpty else { continue }
            if level == 1 { return heading }
            if anyHeading == nil { anyHeading = heading }
        }
        return anyHeading
    }

    static func firstLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).lazy.map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
    }
}

/// The text of an HTML page: tags dropped, block elements on lines of their own, entities decoded.
struct HTMLText {
    private(set) var title: String?
    private(set) var text = ""

    private static let blockTags: Set<String> = ["p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article",
                                                 "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                                                 "pre", "dt", "dd", "hr", "main", "nav", "figure", "figcaption"]
    /// Elements whose content is not prose.
    private static let skippedTags: Set<String> = ["script", "style", "head", "noscript", "template", "svg"]

    init(_ html: String) {
        var output = ""
        var pageTitle: String?
        var firstHeading: String?
        var heading: String?    // text of an <h1> being read
        var titleText: String?  // text of the <title> being read
        var skipping: String?   // the element whose content is skipped
        var index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            guard character == "<" else {
                let next = html[index...].firstIndex(of: "<") ?? html.endIndex
                let chunk = String(html[index..<next])
                if skipping == nil {
                    output += chunk
                    heading? += chunk
                }
                titleText? += chunk
                index = next
                continue
            }
            if html[index...].hasPrefix("<!--") {
                index = html[index...].range(of: "-->")?.upperBound ?? html.endIndex
                continue
            }
            let close = html[index...].firstIndex(of: ">") ?? html.endIndex
            let tag = Self.tagName(html[html.index(after: index)..<close])
            index = close < html.endIndex ? html.index(after: close) : close
            guard let name = tag.name else { continue }
            // <title> lives in <head>, which is skipped: read it whatever is being skipped.
            if name == "title" {
                if !tag.closing {
                    titleText = ""
                } else if let text = titleText {
                    let value = Self.collapse(Self.decodeEntities(text))
                    if pageTitle == nil, !value.isEmpty { pageTitle = value }
                    titleText = nil
                }
                continue
            }
            if let skipped = skipping {
                if tag.closing, name == skipped { skipping = nil }
                continue
            }
            if Self.skippedTags.contains(name), !tag.closing {
                skipping = name
                continue
            }
            if name == "h1" {
                if !tag.closing {
                    heading = ""
                } else if let text = heading {
                    if firstHeading == nil { firstHeading = Self.collapse(Self.decodeEntities(text)) }
                    heading = nil
                }
            }
            if Self.blockTags.contains(name) { output += "\n" }
        }
        title = pageTitle ?? firstHeading.flatMap { $0.isEmpty ? nil : $0 }
        let lines = Self.decodeEntities(output).split(whereSeparator: \.isNewline).map { Self.collapse(String($0)) }
        text = lines.filter { !$0.isEmpty }.joined(separator: "\n")
    }

    private static func tagName(_ inside: Substring) -> (name: String?, closing: Bool) {
        var rest = inside
        let closing = rest.first == "/"
        if closing { rest = rest.dropFirst() }
        let name = rest.prefix(while: { $0.isLetter || $0.isNumber }).lowercased()
        return (name.isEmpty ? nil : name, closing)
    }

    static func collapse(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    private static let namedEntities: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'",
                                                           "nbsp": " ", "mdash": "—", "ndash": "–", "hellip": "…",
                                                           "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“",
                                                           "deg": "°", "copy": "©", "eacute": "é"]

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var output = ""
        var index = text.startIndex
        while let amp = text[index...].firstIndex(of: "&") {
            output += text[index..<amp]
            let afterAmp = text.index(after: amp)
            if let semicolon = text[afterAmp...].prefix(10).firstIndex(of: ";") {
                let name = String(text[afterAmp..<semicolon])
                if let decoded = decodeEntity(name) {
                    output += decoded
                    index = text.index(after: semicolon)
                    continue
                }
            }
            output += "&"
            index = afterAmp
        }
        output += text[index...]
        return output
    }

    private static func decodeEntity(_ name: String) -> String? {
        if name.hasPrefix("#x") || name.hasPrefix("#X") {
            return UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
        if name.hasPrefix("#") {
            return UInt32(name.dropFirst(1)).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
        return namedEntities[name]
    }
}
