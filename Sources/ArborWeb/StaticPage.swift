import Foundation
import Hummingbird

/// The page's files (HTML, CSS, JavaScript), read once from the package's resources and served
/// as they are: no build step.
struct StaticPage {
    var files: [String: (bytes: Data, contentType: String)]

    static func load() throws -> StaticPage {
        guard let folder = Bundle.module.url(forResource: "Page", withExtension: nil) else {
            throw WebServerError.pageMissing(path: Bundle.module.bundlePath + "/Page")
        }
        var files: [String: (bytes: Data, contentType: String)] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names {
            guard let bytes = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { continue }
            files[name] = (bytes: bytes, contentType: contentType(of: name))
        }
        guard files["index.html"] != nil else { throw WebServerError.pageMissing(path: folder.path + "/index.html") }
        return StaticPage(files: files)
    }

    static func contentType(of name: String) -> String {
        switch (name as NSString).pathExtension {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        default: "application/octet-stream"
        }
    }

    func register(on router: Router<BasicRequestContext>) {
        for (name, file) in files {
            let response = Response(status: .ok, headers: [.contentType: file.contentType, .cacheControl: "no-cache"],
                                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
            router.get("/\(name)") { _, _ in response }
            if name == "index.html" { router.get("/") { _, _ in response } }
        }
    }
}
