// Release benchmarks of the TAXII XML model (module TAXII over BastionXML/libxml2).
//
// The input is Benchmarks/TAXIIXML/poll_response_10x2KB.xml: a TAXII 1.1 Poll_Response with 10
// content blocks of about 2.2 KB of STIX 1.2 XML each (26 KB in all), the same file
// Benchmarks/taxii_libtaxii.py gives libtaxii. One iteration is one message: parse the bytes
// into the model (every structural check, content kept exactly), then serialize the model back
// to XML bytes. See Benchmarks/README.md for how to run it and the figures last seen.

import Benchmark
import BastionXML
import Foundation
import TAXII

/// The input bytes, read once.
private let pollResponse: [UInt8] = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("poll_response_10x2KB.xml")
    guard let data = FileManager.default.contents(atPath: url.path) else { fatalError("cannot read \(url.path)") }
    let bytes = [UInt8](data)
    // The input must be a valid message, or the benchmark would time the error path.
    do {
        let message = try TAXII11.PollResponse(xml: bytes)
        precondition(message.contentBlocks.count == 10)
    } catch {
        fatalError("benchmark input does not parse: \(error)")
    }
    return bytes
}()

let benchmarks: @Sendable () -> Void = {
    let input = pollResponse

    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .microseconds,
        warmupIterations: 200,
        maxDuration: .seconds(10),
        maxIterations: 100_000
    )

    Benchmark("Poll_Response 10×2KB STIX: parse+serialize") { benchmark in
        for _ in benchmark.scaledIterations {
            let message = try TAXII11.PollResponse(xml: input)
            blackHole(try message.xml())
        }
    }

    Benchmark("Poll_Response 10×2KB STIX: parse") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try TAXII11.PollResponse(xml: input))
        }
    }

    // The floor: libxml2 through BastionXML's hardened reader, building the element tree only.
    Benchmark("Poll_Response 10×2KB STIX: BastionXML parse only") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try XMLReader().parse(bytes: input))
        }
    }
}
