/// A settings file or value that cannot be used: says which file (when there is one), which key
/// and what is wrong, in one line.
public struct SettingsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file the settings came from, or `nil` for settings given another way.
    public var file: String?
    /// The key (dotted path) at fault, or `nil` when the problem is the file as a whole.
    public var key: String?
    /// What is wrong.
    public var problem: String

    public init(file: String? = nil, key: String? = nil, _ problem: String) {
        self.file = file
        self.key = key
        self.problem = problem
    }

    /// `file: 'key' problem`, `file: problem`, or the problem alone.
    public var description: String {
        let subject = key.map { "'\($0)' " } ?? ""
        return (file.map { "\($0): " } ?? "") + subject + problem
    }
}
