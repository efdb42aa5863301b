// Release benchmarks of the OpenC2 JSON codec (modules OpenC2 and OpenC2SLPF).
//
// Every iteration is one whole operation on bytes made before measuring starts: parse, decode
// with the SLPF profile registered (which validates), and encode back to bytes. One iteration
// is one operation, so the figures printed (throughput, wall clock, malloc count) are per
// operation. See Benchmarks/README.md for how to run them and the figures last seen.

import Benchmark
import Foundation
import OpenC2
import OpenC2SLPF

/// SLPF annex A.1.1: deny a TCP connection, with a start time, a duration and an SLPF
/// `drop_process` argument, addressed to the SLPF actuator with asset id 30.
private let denyIPv4ConnectionJSON = """
    {"action":"deny","target":{"ipv4_connection":{"protocol":"tcp","src_addr":"1.2.3.4",\
    "src_port":10996,"dst_addr":"198.2.3.4","dst_port":80}},"args":{"start_time":1534775460000,\
    "duration":500,"response_requested":"complete","slpf":{"drop_process":"none"}},\
    "actuator":{"slpf":{"asset_id":"30"}}}
    """

/// Input of the codec benchmarks and the baseline, made once.
private struct Inputs: Sendable {
    let decoder: OpenC2Decoder
    let encoder: OpenC2Encoder
    /// The deny Command's UTF-8 bytes.
    let denyCommand: [UInt8]
    /// The same bytes as `Data`, for Foundation.
    let denyCommandData: Data
    /// The encoded Response to `query features` asking for versions, profiles, pairs and
    /// rate_limit, from an SLPF Consumer stating a rate limit of 600 Commands a minute.
    let featuresResponse: [UInt8]

    init() {
        decoder = OpenC2Decoder(profiles: [SLPFProfile()])
        encoder = OpenC2Encoder()
        denyCommand = Array(denyIPv4ConnectionJSON.utf8)
        denyCommandData = Data(denyCommand)
        let response = SLPFCapabilities(rateLimit: 600)
            .featuresResponse(for: [.versions, .profiles, .pairs, .rateLimit])
        featuresResponse = encoder.encode(response)

        // The inputs must be valid, or the benchmarks would time the error path.
        do {
            _ = try decoder.decode(Command.self, from: denyCommand)
            _ = try decoder.decode(Response.self, from: featuresResponse)
            _ = try JSONSerialization.jsonObject(with: denyCommandData)
        } catch {
            fatalError("benchmark input does not decode: \(error)")
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    let inputs = Inputs()

    // One operation takes microseconds: per-iteration cpuTotal would only read the
    // scheduler tick from /proc/self/stat (10 ms steps) at the cost of two file reads per
    // iteration, so it is left out; wallClock gives the time per operation.
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 1_000,
        maxDuration: .seconds(10),
        maxIterations: 200_000
    )

    Benchmark("deny ipv4_connection: decode+validate+encode") { benchmark in
        for _ in benchmark.scaledIterations {
            let command = try inputs.decoder.decode(Command.self, from: inputs.denyCommand)
            blackHole(inputs.encoder.encode(command))
        }
    }

    Benchmark("query features response: decode+validate+encode") { benchmark in
        for _ in benchmark.scaledIterations {
            let response = try inputs.decoder.decode(Response.self, from: inputs.featuresResponse)
            blackHole(inputs.encoder.encode(response))
        }
    }

    Benchmark("deny ipv4_connection: Foundation JSONSerialization parse+serialize") { benchmark in
        for _ in benchmark.scaledIterations {
            let object = try JSONSerialization.jsonObject(with: inputs.denyCommandData)
            blackHole(try JSONSerialization.data(withJSONObject: object))
        }
    }
}
