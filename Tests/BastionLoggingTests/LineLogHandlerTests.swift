import Foundation
import Logging
import Testing
@testable import BastionLogging

@Suite("LineLogHandler")
struct LineLogHandlerTests {
    /// Logs through a handler writing to a pipe and returns what was written.
    func logged(level: Logger.Level = .info, _ body: (inout Logger) -> Void) throws -> String {
        let pipe = Pipe()
        var logger = Logger(label: "test.label") { label in
            LineLogHandler(label: label, level: level, descriptor: pipe.fileHandleForWriting.fileDescriptor, metadataProvider: nil)
        }
        body(&logger)
        try pipe.fileHandleForWriting.close()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    @Test("one line per event: UTC timestamp with milliseconds, level, label, sorted metadata, source, message")
    func format() throws {
        let text = try logged { logger in
            logger[metadataKey: "base"] = "b"
            logger.info("command", metadata: ["status": "200", "action": "deny", "base": "explicit wins"])
        }
        let pattern = #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z info test\.label: action=deny base=explicit wins status=200 \[BastionLoggingTests\] command\n$"#
        #expect(text.range(of: pattern, options: .regularExpression) != nil, "\(text)")
    }

    @Test("events below the level are not written")
    func level() throws {
        let text = try logged(level: .warning) { logger in
            logger.info("hidden")
            logger.warning("shown")
        }
        #expect(!text.contains("hidden"))
        #expect(text.hasSuffix("[BastionLoggingTests] shown\n"))
    }

    @Test("the timestamp is the current UTC time")
    func timestamp() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let before = Date().addingTimeInterval(-1)
        let stamp = try #require(formatter.date(from: LineLogHandler.timestamp()))
        #expect(stamp >= before && stamp <= Date().addingTimeInterval(1))
    }

    @Test("lines from concurrent tasks never interleave")
    func concurrent() async throws {
        let pipe = Pipe()
        let descriptor = pipe.fileHandleForWriting.fileDescriptor
        let reader = Task.detached { pipe.fileHandleForReading.readDataToEndOfFile() }
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let logger = Logger(label: "t") { LineLogHandler(label: $0, descriptor: descriptor, metadataProvider: nil) }
                    for index in 0..<200 { logger.info("line", metadata: ["task": "\(task)", "index": "\(index)", "pad": "\(String(repeating: "x", count: 200))"]) }
                }
            }
        }
        try pipe.fileHandleForWriting.close()
        let lines = String(decoding: await reader.value, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 1_600)
        #expect(lines.allSatisfy { $0.hasSuffix("[BastionLoggingTests] line") && $0.contains(" info t: index=") })
    }
}
