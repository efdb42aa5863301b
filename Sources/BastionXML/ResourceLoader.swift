#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
internal import CLibXML2

/// Decides what libxml2 may load while BastionXML compiles or applies a schema.
///
/// libxml2's schema compiler reads the schema documents and their
/// `xs:import`/`xs:include`/`xs:redefine` targets itself, with entity
/// substitution on and without `XML_PARSE_NONET`. Every such read goes
/// through libxml2's external entity loader, which is process-wide: BastionXML
/// installs its own loader once (on first schema use). On a thread that is
/// running a BastionXML schema operation (marked with a thread-specific
/// value), the loader
/// - maps a URL given in ``XMLSchema``'s `localResources` to its local file;
/// - refuses every other non-`file:` URL (`.networkAccessRefused`): nothing
///   is fetched from the network;
/// - reads the local file and checks it with the hardened ``XMLReader``
///   (no entity declarations, no external DTD, limits) before libxml2 sees
///   it, so entity substitution has nothing to substitute.
/// On every other thread it hands the request to the loader that was
/// installed before, so other users of libxml2 in the process are unaffected.
final class ResourceLoader {
    /// URL (as written in the schema) → local file path.
    let localResources: [String: String]
    /// The first refusal or failure, reported instead of libxml2's generic message.
    var failure: XMLError?

    init(localResources: [String: String]) {
        self.localResources = localResources
    }

    /// Runs `body` with this loader answering libxml2's loads on this thread.
    func activate<T>(_ body: () -> T) -> T {
        ResourceLoader.install()
        let key = ResourceLoader.threadKey
        let previous = pthread_getspecific(key)
        let unmanaged = Unmanaged.passRetained(self)
        pthread_setspecific(key, unmanaged.toOpaque())
        defer {
            pthread_setspecific(key, previous)
            unmanaged.release()
        }
        return body()
    }

    /// Loads `url` for libxml2 under the policy above.
    func load(_ url: String, context: xmlParserCtxtPtr?) -> xmlParserInputPtr? {
        let path: String
        if let mapped = localResources[url] {
            path = LocalFile.absolute(mapped)
        } else if let filePath = ResourceLoader.localPath(url) {
            path = filePath
        } else {
            fail(XMLError(
                kind: .networkAccessRefused,
                message: "refused to load \(ParseSession.quoted(url)): network access is disabled; map the URL to a local file with localResources"
            ))
            return nil
        }
        // libxml2 escapes some characters (spaces, …) when it resolves a relative schemaLocation.
        guard let bytes = LocalFile.contents(atPath: path)
            ?? ResourceLoader.percentDecoded(path).flatMap(LocalFile.contents(atPath:)) else {
            fail(XMLError(kind: .io, message: "cannot read \(ParseSession.quoted(path))"))
            return nil
        }
        do throws(XMLError) {
            try XMLReader().check(bytes: bytes)
        } catch {
            var refused = error
            refused.message = "\(path): " + refused.message
            fail(refused)
            return nil
        }
        let buffer = bytes.withUnsafeBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { chars in
                xmlParserInputBufferCreateMem(chars.baseAddress, Int32(chars.count), XML_CHAR_ENCODING_NONE)
            }
        }
        guard let buffer else { return nil }
        guard let input = xmlNewIOInputStream(context, buffer, XML_CHAR_ENCODING_NONE) else {
            xmlFreeParserInputBuffer(buffer)
            return nil
        }
        // The file name lets libxml2 resolve relative imports in this document; libxml2 frees it.
        input.pointee.filename = path.withCString { UnsafePointer(xmlMemStrdupShim($0)) }
        return input
    }

    private func fail(_ error: XMLError) {
        if failure == nil { failure = error }
    }

    /// `text` with `%XX` escapes decoded, or nil if it has none or they are not UTF-8.
    static func percentDecoded(_ text: String) -> String? {
        guard text.contains("%") else { return nil }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The local file path a URL or path names, or nil for a non-file URL.
    static func localPath(_ url: String) -> String? {
        guard let colon = url.firstIndex(of: ":") else { return url }
        let scheme = url[..<colon]
        // A one-letter "scheme" is a Windows drive letter; anything else with
        // letters only before the colon is a URL scheme.
        guard scheme.count > 1, scheme.allSatisfy({ $0.isLetter || $0 == "+" || $0 == "-" || $0 == "." }) else {
            return url
        }
        guard scheme.lowercased() == "file" else { return nil }
        // file:/path, file:///path or file://localhost/path; percent escapes are decoded by the caller.
        var rest = url[url.index(after: colon)...]
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            guard rest[..<slash].isEmpty || rest[..<slash].lowercased() == "localhost" else { return nil }
            rest = rest[slash...]
        }
        guard rest.hasPrefix("/") else { return nil }
        return String(rest.prefix { $0 != "?" && $0 != "#" })
    }

    // MARK: Process-wide installation

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The loader that was installed before BastionXML's.
    private static let previousLoader: xmlExternalEntityLoader? = {
        LibXML.ensureInitialized()
        let previous = xmlGetExternalEntityLoader()
        xmlSetExternalEntityLoader { url, id, context in
            guard let active = pthread_getspecific(ResourceLoader.threadKey) else {
                return ResourceLoader.previousLoader?(url, id, context)
                    ?? xmlNoNetExternalEntityLoader(url, id, context)
            }
            guard let url else { return nil }
            let loader = Unmanaged<ResourceLoader>.fromOpaque(active).takeUnretainedValue()
            return loader.load(String(cString: url), context: context)
        }
        return previous
    }()

    private static func install() {
        _ = previousLoader
    }
}

/// A copy of `string` in memory from libxml2's allocator (so libxml2 may free it).
private func xmlMemStrdupShim(_ string: UnsafePointer<CChar>) -> UnsafeMutablePointer<CChar> {
    let copy = xmlCharStrdup(string)!
    return UnsafeMutableRawPointer(copy).assumingMemoryBound(to: CChar.self)
}
