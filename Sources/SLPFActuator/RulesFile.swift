import Foundation
import Crypto
import OpenC2
import OpenC2SLPF

/// A rules file that `update file` loads: a JSON object whose `rules` member is an array of
/// OpenC2 `allow`/`deny` Commands, each as a Producer would send it (SLPF arguments included):
///
/// ```json
/// {
///   "rules": [
///     {"action": "deny", "target": {"ipv4_net": "198.51.100.0/24"}},
///     {"action": "deny", "target": {"ipv4_connection": {"src_addr": "203.0.113.7", "dst_port": 22, "protocol": "tcp"}},
///      "args": {"slpf": {"drop_process": "reject", "direction": "ingress"}}},
///     {"action": "allow", "target": {"ipv6_net": "2001:db8:1::/48"}}
///   ]
/// }
/// ```
///
/// Loading a file replaces the rules an earlier load of the same file name added (their
/// `source` is `file:<name>`), in one store transaction and one firewall transaction; rules
/// Commands added are not touched. Files are read from one directory only (the actuator's
/// rules directory): the Command's `name` is a plain file name in it, and its `path`, when
/// given, must be that directory. `hashes`, when given, must match the file's content.
public struct RulesFile: Sendable, Equatable {
    /// The rules, in file order.
    public var rules: [FilterRuleRequest]

    /// Why a rules file cannot be loaded: a `reason` that becomes the Response's status text.
    public struct LoadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// Whether the file could not be read at all (500 "Cannot access file"), rather than
        /// read and found wrong.
        public var cannotAccess: Bool
        /// What is wrong.
        public var reason: String

        public var description: String { reason }
    }

    /// The largest rules file read (16 MiB).
    public static let maximumSize = 16 << 20

    /// A rules file holding `rules`.
    public init(rules: [FilterRuleRequest]) {
        self.rules = rules
    }

    /// Parses a rules file's bytes; each entry must be an `allow` or `deny` the actuator's
    /// `capabilities` accept.
    public init(json bytes: [UInt8], capabilities: SLPFCapabilities) throws(LoadError) {
        let decoder = OpenC2Decoder(profiles: [SLPFProfile()])
        let root: JSONValue
        do { root = try JSONParser().parse(bytes) } catch {
            throw LoadError(cannotAccess: false, reason: "not a rules file: \(error)")
        }
        guard case .object(let object) = root, case .array(let entries)? = object["rules"], object.count == 1 else {
            throw LoadError(cannotAccess: false, reason: "not a rules file: expected an object with one member, \"rules\", an array of Commands")
        }
        let interpreter = SLPFInterpreter(capabilities: capabilities)
        var rules: [FilterRuleRequest] = []
        for (index, entry) in entries.enumerated() {
            let command: Command
            do { command = try decoder.decode(Command.self, from: entry) } catch {
                throw LoadError(cannotAccess: false, reason: "rules[\(index)]: \(error)")
            }
            switch interpreter.interpret(command) {
            case .execute(.filter(let request)): rules.append(request)
            case .execute: throw LoadError(cannotAccess: false, reason: "rules[\(index)]: only allow and deny Commands can be rules")
            case .respond(let response):
                throw LoadError(cannotAccess: false, reason: "rules[\(index)]: \(response.statusText ?? "refused") (\(response.status.rawValue))")
            }
        }
        self.rules = rules
    }

    /// The file a `file` target names inside `directory`, checked and read: its source tag
    /// (`file:<name>`) and content.
    public static func read(_ file: File, in directory: String) throws(LoadError) -> (source: String, bytes: [UInt8]) {
        func inaccessible(_ reason: String) -> LoadError { LoadError(cannotAccess: true, reason: reason) }
        guard let name = file.name, !name.isEmpty else { throw inaccessible("the file target has no name") }
        guard !name.contains("/"), name != ".", name != ".." else {
            throw inaccessible("\(name): a rules file name cannot contain a path; put the file in the rules directory")
        }
        let base = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath().path
        if let path = file.path, URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path != base {
            throw inaccessible("\(path): rules files are read from the rules directory only")
        }
        let url = URL(fileURLWithPath: base).appendingPathComponent(name)
        // A symbolic link must not lead out of the directory.
        guard url.resolvingSymlinksInPath().deletingLastPathComponent().path == base else {
            throw inaccessible("\(name): leads out of the rules directory")
        }
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            if let size = attributes[.size] as? Int, size > maximumSize {
                throw inaccessible("\(name): larger than \(maximumSize) bytes")
            }
            data = try Data(contentsOf: url)
        } catch let error as LoadError {
            throw error
        } catch {
            throw inaccessible("\(name): \(error.localizedDescription)")
        }
        let bytes = [UInt8](data)
        if let hashes = file.hashes {
            let checks: [(String, [UInt8]?, () -> [UInt8])] = [
                ("sha256", hashes.sha256, { Array(SHA256.hash(data: bytes)) }),
                ("sha1", hashes.sha1, { Array(Insecure.SHA1.hash(data: bytes)) }),
                ("md5", hashes.md5, { Array(Insecure.MD5.hash(data: bytes)) }),
            ]
            for (algorithm, expected, actual) in checks {
                if let expected, expected != actual() {
                    throw inaccessible("\(name): its \(algorithm) does not match the Command's hashes")
                }
            }
        }
        return ("file:\(name)", bytes)
    }
}
