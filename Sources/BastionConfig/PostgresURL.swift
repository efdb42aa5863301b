import Foundation

/// A PostgreSQL database URL, `postgres://user:password@host:port/database` (`postgresql://` too),
/// read and checked: what Bastion's PostgreSQL stores connect with.
public struct PostgresURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    /// The database; `nil` for the user's default.
    public var database: String?

    /// Reads `text`; a URL of another scheme, without a host or user, or with a port out of range is refused.
    public init(_ text: String) throws(SettingsError) {
        guard let parts = URLComponents(string: text), ["postgres", "postgresql"].contains(parts.scheme ?? ""), let host = parts.host, !host.isEmpty,
              let user = parts.user, !user.isEmpty
        else {
            throw SettingsError("not a PostgreSQL URL of the form postgres://user:password@host:port/database")
        }
        let port = parts.port ?? 5432
        guard (1...65_535).contains(port) else { throw SettingsError("the PostgreSQL port \(port) is out of range") }
        let database = String(parts.path.drop { $0 == "/" })
        self.host = host
        self.port = port
        self.user = user
        self.password = parts.password
        self.database = database.isEmpty ? nil : database
    }

    /// The URL without the password, for messages and logs.
    public var location: String { "postgres://\(user)@\(host):\(port)/\(database ?? "")" }
}
