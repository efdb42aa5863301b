#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The few POSIX file operations the PKI needs, done so that a private key is never readable by others,
/// not even for an instant: files are created with their final mode, or written to a private temporary
/// file that is renamed into place.
enum FileSystem {
    /// Why a file could not be read.
    enum ReadError: Error {
        case noSuchFile
        case failed(String)
    }

    /// Reads a whole regular file of at most `maximumSize` bytes.
    static func read(_ path: String, maximumSize: Int) throws(ReadError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw .noSuchFile }
            throw .failed(message(code))
        }
        defer { _ = close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .failed(message(errno)) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .failed(status.st_mode & S_IFMT == S_IFDIR ? "it is a directory" : "it is not a regular file")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glue.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw .failed(message(code))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumSize {
                throw .failed("larger than \(maximumSize) bytes")
            }
        }
        return bytes
    }

    /// Whether anything (a file, a directory, even a dangling symbolic link) is at `path`.
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// Makes sure `path` is a directory: creates missing parents with default permissions and the
    /// directory itself with mode 0700. An existing directory is left as it is.
    static func createDirectory(_ path: String) throws(PKIError) {
        if isDirectory(path) { return }
        if exists(path) {
            throw .cannotCreateDirectory(path: path, reason: "a file that is not a directory is in the way")
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, !isDirectory(parent) {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw .cannotCreateDirectory(path: parent, reason: String(describing: error))
            }
        }
        if mkdir(path, 0o700) != 0 {
            let code = errno
            if code == EEXIST, isDirectory(path) { return }
            throw .cannotCreateDirectory(path: path, reason: message(code))
        }
    }

    /// Whether `path` is a directory (following symbolic links).
    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    /// Writes `bytes` to `path` with exactly `mode` (the umask does not apply).
    ///
    /// Without `overwrite` the file is created exclusively (`O_EXCL`, no symbolic link followed) with
    /// its final mode, and an existing file is ``PKIError/fileExists(path:)``. With `overwrite` the
    /// bytes go to a fresh temporary file beside it (mode 0600 from creation, then `mode`), which is
    /// then renamed over `path`: readers see the old file or the new one, never a mix, and never a key
    /// with wider permissions.
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t, overwrite: Bool) throws(PKIError) {
        let descriptor: Int32
        let temporaryPath: String?
        if overwrite {
            var template = Array(temporaryTemplate(for: path).utf8CString)
            descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard descriptor >= 0 else { throw .cannotWrite(path: path, reason: message(errno)) }
            temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        } else {
            descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            guard descriptor >= 0 else {
                let code = errno
                if code == EEXIST { throw .fileExists(path: path) }
                throw .cannotWrite(path: path, reason: message(code))
            }
            temporaryPath = nil
        }
        var failure: PKIError?
        // The umask may have narrowed the mode at creation; set it exactly (a certificate is 0644).
        if fchmod(descriptor, mode) != 0 {
            failure = .cannotWrite(path: path, reason: message(errno))
        } else {
            do {
                try writeAll(bytes, to: descriptor, path: path)
            } catch {
                failure = error
            }
        }
        if failure == nil, fsync(descriptor) != 0 {
            failure = .cannotWrite(path: path, reason: message(errno))
        }
        if close(descriptor) != 0, failure == nil {
            failure = .cannotWrite(path: path, reason: message(errno))
        }
        if let failure {
            _ = unlink(temporaryPath ?? path)
            throw failure
        }
        if let temporaryPath {
            guard rename(temporaryPath, path) == 0 else {
                let code = errno
                _ = unlink(temporaryPath)
                throw .cannotWrite(path: path, reason: message(code))
            }
        }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(PKIError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glue.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw .cannotWrite(path: path, reason: message(code))
            }
            offset += count
        }
    }

    /// `DIR/.NAME.XXXXXX` for mkstemp: hidden, in the same directory so that rename is atomic.
    private static func temporaryTemplate(for path: String) -> String {
        let name = (path as NSString).lastPathComponent
        let directory = (path as NSString).deletingLastPathComponent
        let hidden = ".\(name).XXXXXX"
        return directory.isEmpty ? hidden : (directory as NSString).appendingPathComponent(hidden)
    }

    /// `directory/name`, without doubling a trailing slash.
    static func join(_ directory: String, _ name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }

    /// The text of an errno value.
    static func message(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// The C library's read and write, named apart from the helpers above.
    private enum Glue {
        static func read(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
            #if canImport(Glibc)
            Glibc.read(descriptor, buffer, count)
            #elseif canImport(Musl)
            Musl.read(descriptor, buffer, count)
            #else
            Darwin.read(descriptor, buffer, count)
            #endif
        }

        static func write(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
            #if canImport(Glibc)
            Glibc.write(descriptor, buffer, count)
            #elseif canImport(Musl)
            Musl.write(descriptor, buffer, count)
            #else
            Darwin.write(descriptor, buffer, count)
            #endif
        }
    }
}
