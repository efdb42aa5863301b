#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers

/// Runs nft scripts: the `nft` program, or libnftables inside this process.
public protocol NFTablesExecutor: Sendable {
    /// Runs `script` as `nft -f` does: one transaction, all of it or none. With `echo`, returns
    /// what nft echoes of the commands, with handles (`--echo --handle`).
    func run(_ script: String, echo: Bool) async throws(FirewallError) -> String

    /// Runs a `list …` command and returns its JSON output (`nft -j list …`).
    func listJSON(_ command: String) async throws(FirewallError) -> String

    /// A short name for logs: `nft` or `libnftables`.
    var name: String { get }
}

/// Runs the `nft` program for each script (`nft -f -`), through a ``CommandRunner`` (which
/// tests point into a network namespace). About 10–20 ms per call, most of it starting nft.
public struct NFTProgram: NFTablesExecutor {
    /// Runs `nft`.
    public var runner: any CommandRunner
    /// The nft program.
    public var nft: String

    /// An executor running `nft` through `runner`.
    public init(runner: any CommandRunner = ProcessCommandRunner(), nft: String = "nft") {
        self.runner = runner
        self.nft = nft
    }

    public var name: String { "nft" }

    public func run(_ script: String, echo: Bool) async throws(FirewallError) -> String {
        try await execute((echo ? [nft, "--echo", "--handle"] : [nft]) + ["-f", "-"], input: script)
    }

    public func listJSON(_ command: String) async throws(FirewallError) -> String {
        try await execute([nft, "-j"] + command.split(separator: " ").map(String.init), input: "")
    }

    private func execute(_ command: [String], input: String) async throws(FirewallError) -> String {
        let output = try await runner.run(command, input: input)
        guard output.status == 0 else {
            throw .commandFailed(command: command, status: output.status, stderr: output.stderr)
        }
        return output.stdout
    }
}

/// libnftables (`libnftables.so.1`, part of Debian's nftables package) called inside this
/// process: the same parser and netlink code as the nft program, without starting a program
/// per change (about 0.1 ms to add a set element, against 10–20 ms for `nft -f`).
///
/// Loaded at run time, so building Bastion needs no nftables headers; ``load()`` returns `nil`
/// where the library is absent. It works on the network namespace of the process.
public final class LibNFTables: NFTablesExecutor {
    private typealias New = @convention(c) (UInt32) -> OpaquePointer?
    private typealias Run = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Int32
    private typealias Buffer = @convention(c) (OpaquePointer?) -> Int32
    private typealias Get = @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?
    private typealias SetFlags = @convention(c) (OpaquePointer?, UInt32) -> Void

    private struct Functions: @unchecked Sendable {
        let run: Run
        let get: Get
        let getError: Get
        let setFlags: SetFlags
        let context: OpaquePointer
    }

    // libnftables' output flags (nftables/libnftables.h).
    private static let outputHandle: UInt32 = 1 << 3
    private static let outputJSON: UInt32 = 1 << 4
    private static let outputEcho: UInt32 = 1 << 5

    /// The library context is not thread-safe: one call at a time.
    private let functions: NIOLockedValueBox<Functions>

    public var name: String { "libnftables" }

    private init(_ functions: Functions) {
        self.functions = NIOLockedValueBox(functions)
    }

    /// The library, or `nil` when `libnftables.so.1` cannot be loaded.
    public static func load() -> LibNFTables? {
        guard let library = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL) else { return nil }
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(library, name).map { unsafeBitCast($0, to: type) }
        }
        guard let new = symbol("nft_ctx_new", as: New.self),
              let run = symbol("nft_run_cmd_from_buffer", as: Run.self),
              let bufferOutput = symbol("nft_ctx_buffer_output", as: Buffer.self),
              let bufferError = symbol("nft_ctx_buffer_error", as: Buffer.self),
              let get = symbol("nft_ctx_get_output_buffer", as: Get.self),
              let getError = symbol("nft_ctx_get_error_buffer", as: Get.self),
              let setFlags = symbol("nft_ctx_output_set_flags", as: SetFlags.self),
              let context = new(0) else { return nil }
        _ = bufferOutput(context)
        _ = bufferError(context)
        return LibNFTables(Functions(run: run, get: get, getError: getError, setFlags: setFlags, context: context))
    }

    public func run(_ script: String, echo: Bool) throws(FirewallError) -> String {
        try call(script, flags: echo ? Self.outputEcho | Self.outputHandle : 0, what: "nft -f")
    }

    public func listJSON(_ command: String) throws(FirewallError) -> String {
        try call(command, flags: Self.outputJSON | Self.outputHandle, what: "nft -j \(command)")
    }

    private func call(_ text: String, flags: UInt32, what: String) throws(FirewallError) -> String {
        let result: (status: Int32, output: String, error: String) = functions.withLockedValue { f in
            f.setFlags(f.context, flags)
            let status = text.withCString { f.run(f.context, $0) }
            // Reading a buffer also resets it for the next command.
            let output = f.get(f.context).map { String(cString: $0) } ?? ""
            let error = f.getError(f.context).map { String(cString: $0) } ?? ""
            return (status, output, error)
        }
        guard result.status == 0 else {
            throw .commandFailed(command: ["libnftables:", what], status: result.status, stderr: result.error)
        }
        return result.output
    }
}
