import Logging
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A log handler that writes one line per event to a file descriptor (standard error by
/// default), in one `write(2)` each, so lines from concurrent tasks never interleave and a
/// line written is with the kernel even if the process dies right after:
///
///     2026-12-05T19:18:12.345Z info bastion.openc2.consumer: action=deny peer=producer status=200 [OpenC2HTTPS] command
///
/// The timestamp is UTC with milliseconds; metadata is sorted by key. Built for servers that
/// log a line per request: the date part of the timestamp is formatted once a second, and
/// nothing is buffered in the process.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let descriptor: Int32

    /// A handler for loggers labelled `label`, writing to `descriptor` (2: standard error).
    public init(label: String, level: Logger.Level = .info, descriptor: Int32 = 2, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.logLevel = level
        self.descriptor = descriptor
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = LineLogHandler.timestamp()
        line += " \(event.level) \(label):"
        var merged = event.metadata ?? [:]
        if !metadata.isEmpty { merged.merge(metadata) { explicit, _ in explicit } }
        if let provided = metadataProvider?.get() { merged.merge(provided) { explicit, _ in explicit } }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(error)" }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        line += " [\(event.source)] \(event.message)\n"
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR {
                continue
            } else {
                return  // a closed or full descriptor: the line is lost, the process goes on
            }
        }
    }

    /// The current time as `YYYY-MM-DDTHH:MM:SS.mmmZ`; the part up to the seconds is cached.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let seconds = Int(now.tv_sec)
        let prefix = cachedSecond.withLockedValue { cache -> String in
            if cache.second != seconds {
                var time = time_t(seconds)
                var parts = tm()
                gmtime_r(&time, &parts)
                cache = (seconds, "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))")
            }
            return cache.text
        }
        let milliseconds = Int(now.tv_nsec) / 1_000_000
        let fraction = milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        return "\(prefix).\(fraction)Z"
    }

    private static func pad(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    private static let cachedSecond = NIOLockedValueBox<(second: Int, text: String)>((-1, ""))
}
