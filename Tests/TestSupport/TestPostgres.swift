import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL server for tests: the one `BASTION_TEST_POSTGRES_URL` names (as `.ci/run` sets
/// it), else one started for this test process with Debian's server binaries and stopped when
/// the process exits. Tests that need it fail, never skip, when neither is possible, and say why.
public enum TestPostgres {
    /// The server's URL (its maintenance database).
    public static func serverURL() throws -> String {
        try server.get()
    }

    /// A new, empty database on the server; its URL.
    public static func freshDatabase() throws -> String {
        let url = try serverURL()
        let name = "bastion_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let result = try run("/usr/bin/env", ["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE DATABASE \(name)"])
        guard result.status == 0 else { throw LoopbackError("cannot create a test database on \(url): \(result.output)") }
        return url.replacingOccurrences(of: "/postgres", with: "/\(name)")
    }

    private static let server: Result<String, LoopbackError> = {
        if let url = ProcessInfo.processInfo.environment["BASTION_TEST_POSTGRES_URL"], !url.isEmpty { return .success(url) }
        do {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-test-postgres-\(getpid())").path
            let port = try Loopback.closedPort()
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/start-postgres.sh").path
            let result = try run("/bin/bash", [script, directory, String(port)])
            guard result.status == 0 else {
                return .failure(LoopbackError("no PostgreSQL for the tests: set BASTION_TEST_POSTGRES_URL, or install the server (apt-get install postgresql): \(result.output)"))
            }
            startedDirectory = directory
            atexit { TestPostgres.stopStartedServer() }
            return .success(result.output.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            return .failure(LoopbackError("no PostgreSQL for the tests: \(error)"))
        }
    }()

    nonisolated(unsafe) private static var startedDirectory: String?

    private static func stopStartedServer() {
        guard let directory = startedDirectory, let bin = try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql").sorted().last else { return }
        let pgctl = "/usr/lib/postgresql/\(bin)/bin/pg_ctl"
        let arguments = ["-D", directory + "/data", "-m", "immediate", "stop"]
        _ = getuid() == 0 ? try? run("/usr/sbin/runuser", ["-u", "postgres", "--", pgctl] + arguments) : try? run(pgctl, arguments)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `program` (spawned and waited for directly, not through Foundation's `Process`, whose
    /// termination monitoring can stall while test threads block), its output going to a file
    /// rather than a pipe: a server it starts keeps what it inherits open (start-postgres.sh
    /// closes every other descriptor first).
    private static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-test-postgres-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, environ)
        guard spawned == 0 else { throw LoopbackError("cannot run \(program): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exited, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }
}
