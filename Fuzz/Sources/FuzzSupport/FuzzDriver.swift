import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer's entry point for a program with its own `main`: it parses libFuzzer's flags from
/// `argv` and calls `callback` with each input. The fuzz targets are linked with
/// `libclang_rt.fuzzer_no_main`, which provides it.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// A property a fuzz target checks that did not hold: the input is a finding, as a crash is.
public struct PropertyViolation: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Fails the input with `message` unless `condition` holds.
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) throws(PropertyViolation) {
    guard condition() else { throw PropertyViolation(message()) }
}

/// Runs the check of one fuzz target under libFuzzer.
public enum FuzzDriver {
    nonisolated(unsafe) private static var check: (([UInt8]) throws(PropertyViolation) -> Void)?

    /// Hands every input libFuzzer makes to `check`, and exits with libFuzzer's status. A
    /// ``PropertyViolation`` stops the run as a crash would, so libFuzzer saves the input.
    public static func run(_ check: @escaping ([UInt8]) throws(PropertyViolation) -> Void) -> Never {
        Self.check = check
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
            do {
                try FuzzDriver.check?(bytes)
            } catch {
                fatalError("property violated: \(error)")
            }
            return 0
        }
        exit(status)
    }

    /// Runs `work` to completion on the concurrency pool and waits for it: fuzz callbacks are
    /// synchronous, the code under test may be `async`.
    public static func blocking<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            box.value = await work()
            done.signal()
        }
        done.wait()
        return box.value!
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// Splits a fuzz input in parts at the first `count - 1` occurrences of `separator`; missing
/// parts are empty. Lets one input carry several fields (a query and a document, a pattern and
/// a text).
public func split(_ bytes: [UInt8], into count: Int, at separator: UInt8 = 0) -> [[UInt8]] {
    var parts: [[UInt8]] = []
    var rest = bytes[...]
    while parts.count < count - 1, let index = rest.firstIndex(of: separator) {
        parts.append(Array(rest[..<index]))
        rest = rest[(index + 1)...]
    }
    parts.append(Array(rest))
    while parts.count < count { parts.append([]) }
    return parts
}
