import Foundation

/// A fresh folder under the temporary directory; `remove()` deletes it and what it holds.
public struct TemporaryDirectory: Sendable {
    /// The folder.
    public let url: URL
    /// The folder's path.
    public var path: String { url.path }

    /// Creates `bastion-tests-<UUID>` under the temporary directory.
    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the folder.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `contents` to `name` inside the folder and returns its path.
    @discardableResult
    public func write(_ contents: String, to name: String) throws -> String {
        let file = path(name)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// Deletes the folder.
    public func remove() { try? FileManager.default.removeItem(at: url) }
}
