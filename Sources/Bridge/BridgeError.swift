/// Why the bridge cannot start or go on: one line naming the file, the setting or the cause.
public struct BridgeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// A fleet file, allow-list or option is wrong.
        case configuration
        /// The state database cannot be opened or written.
        case state
    }

    public var kind: Kind
    public var message: String
    public var description: String { message }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
