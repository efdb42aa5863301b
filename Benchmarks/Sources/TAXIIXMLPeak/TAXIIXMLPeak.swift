// The same loop as Benchmarks/taxii_libtaxii.py, measured the same way, so the two processes'
// figures compare directly: parse + serialize the Poll_Response of Benchmarks/TAXIIXML for
// --seconds (default 10) after 200 warm-up messages, then print messages per second (median of
// 1-second batches) and the process's peak resident memory (getrusage ru_maxrss). The
// package-benchmark suite TAXIIXML gives the per-operation distribution; its process also holds
// the benchmark harness, so its resident-memory figure is not the model's.
//
// Build and run: swift build -c release --package-path Benchmarks --product TAXIIXMLPeak
//                Benchmarks/.build/release/TAXIIXMLPeak [--seconds 10]

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TAXII

@main
struct TAXIIXMLPeak {
    static func main() throws {
        var seconds = 10.0
        let arguments = CommandLine.arguments
        if let index = arguments.firstIndex(of: "--seconds"), index + 1 < arguments.count, let value = Double(arguments[index + 1]) {
            seconds = value
        }
        // Sources/TAXIIXMLPeak/TAXIIXMLPeak.swift → Benchmarks/TAXIIXML/… in this package; no Foundation, as
        // TAXII itself does without it, so that its pages do not count in the peak.
        let packageDirectory = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        let path = packageDirectory + "/Benchmarks/TAXIIXML/poll_response_10x2KB.xml"
        guard let input = readFile(path) else {
            print("cannot read \(path)")
            exit(2)
        }
        let startupPeak = peakResidentMegabytes()
        let check = try TAXII11.PollResponse(xml: input)
        precondition(check.contentBlocks.count == 10)

        var sink = 0
        for _ in 0..<200 { sink &+= try TAXII11.PollResponse(xml: input).xml().utf8.count }

        let clock = ContinuousClock()
        var rates: [Double] = []
        var total = 0
        let start = clock.now
        while clock.now - start < .seconds(seconds) {
            let batchStart = clock.now
            var count = 0
            while clock.now - batchStart < .seconds(1) {
                sink &+= try TAXII11.PollResponse(xml: input).xml().utf8.count
                count += 1
            }
            let elapsed = clock.now - batchStart
            rates.append(Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            total += count
        }
        let elapsed = clock.now - start
        let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        rates.sort()
        let median = rates[rates.count / 2]
        print("Bastion TAXII, input \(input.count) bytes (checksum \(sink % 997))")
        print("messages/s (median of 1 s batches): \(Int(median.rounded()))")
        print("messages/s (best 1 s batch): \(Int(rates.last!.rounded()))")
        print("messages/s (overall): \(Int((Double(total) / elapsedSeconds).rounded())) over \(total) messages in \(oneDecimal(elapsedSeconds)) s")
        print("µs per message (median): \(oneDecimal(1e6 / median))")
        print("peak resident memory: \(oneDecimal(peakResidentMegabytes())) MB (\(oneDecimal(startupPeak)) MB before the first message)")
        if let anonymous = statusKiB("RssAnon") {
            print("resident anonymous memory at the end (the process's own data, no library pages): \(oneDecimal(Double(anonymous) / 1024)) MB")
        }
    }

    /// A field of /proc/self/status in KiB (Linux), or nil.
    static func statusKiB(_ field: String) -> Int? {
        guard let data = readFile("/proc/self/status") else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix(field + ":") {
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }

    /// The process's peak resident set size so far (`ru_maxrss`, KiB on Linux), in MB.
    static func peakResidentMegabytes() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_maxrss) / 1024
    }

    static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// The bytes of the file at `path`, or nil.
func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var contents: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        contents += buffer[0..<count]
        if count < buffer.count { return ferror(file) == 0 ? contents : nil }
    }
}
