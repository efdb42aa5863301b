#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import Dispatch
import Foundation

/// What a program printed and how it ended.
public struct CommandOutput: Hashable, Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    /// An output.
    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs programs for a backend. Tests put a prefix in front of every command to run it
/// inside a network namespace they made.
public protocol CommandRunner: Sendable {
    /// Runs `arguments` (the program first, found on `PATH`, `/usr/sbin` or `/sbin`), writing
    /// `input` to its standard input, and returns what it printed and its exit status.
    func run(_ arguments: [String], input: String) async throws(FirewallError) -> CommandOutput
}

/// Runs programs with Foundation's `Process`, each command preceded by `prefix`
/// (e.g. `["nsenter", "--target", "1234", "--user", "--net", "--"]`).
public struct ProcessCommandRunner: CommandRunner {
    /// Put before every command.
    public var prefix: [String]

    /// A runner.
    public init(prefix: [String] = []) {
        self.prefix = prefix
    }

    /// The path of `program` on `PATH`, `/usr/sbin` or `/sbin`, or `nil`.
    public static func locate(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/local/sbin", "/usr/sbin", "/sbin"]
        return directories.lazy.map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public func run(_ arguments: [String], input: String) async throws(FirewallError) -> CommandOutput {
        let command = prefix + arguments
        guard let program = command.first else { throw .launchFailed(command: command, reason: "empty command") }
        // The program the caller asked for must exist even behind a prefix, so that a missing
        // nft says so instead of failing inside nsenter.
        if let asked = arguments.first, Self.locate(asked) == nil { throw .toolNotFound(asked) }
        guard let executable = Self.locate(program) else { throw .toolNotFound(program) }
        let result: Result<CommandOutput, FirewallError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.runBlocking(executable: executable, command: command, input: Array(input.utf8)))
            }
        }
        return try result.get()
    }

    /// Runs the command on the calling thread; stdin is written and stdout and stderr are read
    /// on their own threads so that no pipe fills up and blocks the program.
    private static func runBlocking(executable: String, command: [String], input: [UInt8]) -> Result<CommandOutput, FirewallError> {
        let process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            return .failure(.launchFailed(command: command, reason: String(describing: error)))
        }
        let group = DispatchGroup()
        let collected = Collected()
        let writer = stdin.fileHandleForWriting
        let outReader = stdout.fileHandleForReading
        let errReader = stderr.fileHandleForReading
        DispatchQueue.global().async(group: group) {
            try? writer.write(contentsOf: input)
            try? writer.close()
        }
        DispatchQueue.global().async(group: group) {
            collected.setOut(outReader.readDataToEndOfFile())
        }
        DispatchQueue.global().async(group: group) {
            collected.setErr(errReader.readDataToEndOfFile())
        }
        group.wait()
        process.waitUntilExit()
        let (out, err) = collected.values
        return .success(CommandOutput(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self)))
    }
}

/// Output gathered by reader threads.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()

    func setOut(_ data: Data) { lock.withLock { out = data } }
    func setErr(_ data: Data) { lock.withLock { err = data } }
    var values: (Data, Data) { lock.withLock { (out, err) } }
}
