#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Local files, read without Foundation: BastionXML and TAXII do not link it, which keeps a
/// process that only parses and writes XML small.
enum LocalFile {
    /// The bytes of the file at `path`, or `nil` when it cannot be opened or read.
    static func contents(atPath path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count == 0 { return contents }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            contents += buffer[0..<count]
        }
    }

    /// `path`, made absolute against the current directory when it is relative.
    static func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/"), let directory = currentDirectory() else { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }

    private static func currentDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return buffer.withUnsafeBufferPointer { String(validatingCString: $0.baseAddress!) }
    }
}
