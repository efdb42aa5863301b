import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import OpenC2
import OpenC2HTTPS
import OpenC2SLPF
import Synchronization

/// `bastion bench consumer`: a load generator for OpenC2 Consumers.
struct BenchConsumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consumer",
        abstract: "Send `query features` commands to a Consumer as fast as it answers, and report requests/s and latency.",
        discussion: """
        --connections workers each keep one command in flight: each sends `query features` (versions, \
        profiles), waits for the whole reply, and sends the next. Requests go over kept-alive \
        connections (one HTTP client whose pool holds --connections connections), or with \
        --new-connection-per-request over a new connection for every request: TCP connect and a full \
        TLS handshake, with the client certificate when one is given (no session resumption: the \
        client never offers a session). The first --warmup seconds are not counted; then the requests \
        that complete within --duration seconds are. A Bastion Consumer holds at most 64 connections \
        from one address by default: start it with --max-connections-per-address above --connections \
        to measure with more.

        Every request carries a fresh request id (X-Request-ID and, in v1.1, headers.request_id) and \
        the headers a Producer sends. A reply is counted by its HTTP status; errors are requests with \
        no usable reply: connection, TLS or timeout failures, a reply whose X-Request-ID is not the \
        request's, and with --decode-replies a reply that is not a valid OpenC2 Response. Before the \
        run one command is sent and its reply decoded, to catch a wrong URL or certificate early.

        The load generator uses CPU too: on the machine that runs the server it takes a share of the \
        cores; "client CPU" in the report says how much. --json prints the report as one JSON object.
        """
    )

    @OptionGroup var transfer: ProducerOptions

    @OptionGroup var actuator: ActuatorOption

    @Option(help: ArgumentHelp("Concurrent workers, each with one request in flight (with keep-alive, one connection each).", valueName: "count"))
    var connections: Int = 64

    @Option(help: ArgumentHelp("Seconds to measure, after the warm-up.", valueName: "seconds"))
    var duration: Double = 10

    @Option(help: ArgumentHelp("Seconds of load before measuring starts, not counted.", valueName: "seconds"))
    var warmup: Double = 1

    @Flag(help: "Open a new connection (TCP connect and a full TLS handshake) for every request instead of keeping connections alive.")
    var newConnectionPerRequest = false

    @Flag(help: "Decode and validate every reply as `bastion openc2 send` does (costs client CPU that the server then lacks on a shared machine).")
    var decodeReplies = false

    func validate() throws {
        guard (1...10_000).contains(connections) else { throw ValidationError("--connections must be 1…10000") }
        guard duration > 0, duration <= 86_400 else { throw ValidationError("--duration must be positive (seconds)") }
        guard warmup >= 0, warmup <= 3_600 else { throw ValidationError("--warmup must be 0 or more seconds") }
    }

    func run() async throws {
        if transfer.insecure, !transfer.json { FileHandleOutput.warn("warning: --insecure: the Consumer's certificate is not verified") }
        var features: JSONObject = ["action": .string("query"), "target": .object(["features": .array([.string("versions"), .string("profiles")])])]
        actuator.apply(to: &features)
        let command: Command
        do {
            command = try OpenC2Decoder(profiles: [SLPFProfile()]).decode(Command.self, from: .object(features))
        } catch {
            throw ValidationError("not a valid OpenC2 Command: \(error)")
        }

        let opened = ConnectionCounter()
        let client = try makeClient(counting: opened)
        let report: BenchReport
        do {
            report = try await measure(command: command, client: client, opened: opened)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        print(transfer.json ? report.json : report.text)
    }

    /// One HTTP client for every worker, its pool sized to the workers; with
    /// --new-connection-per-request each connection serves one request.
    private func makeClient(counting opened: ConnectionCounter) throws -> HTTPClient {
        var configuration = try transfer.clientConfiguration()
        configuration.httpVersion = .http1Only
        configuration.connectionPool.idleTimeout = .seconds(60)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        if newConnectionPerRequest { configuration.maximumUsesPerConnection = 1 }
        configuration.http1_1ConnectionDebugInitializer = { channel in
            opened.increment()
            return channel.eventLoop.makeSucceededVoidFuture()
        }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    private func measure(command: Command, client: HTTPClient, opened: ConnectionCounter) async throws -> BenchReport {
        let endpoint = transfer.endpoint
        let wire = transfer.wire
        let timeout = TimeAmount.seconds(Int64(transfer.timeout))
        // The client's configuration carries the TLS settings; a per-request TLS configuration
        // would be hashed into the pool key on every request.
        let producer = Producer(endpoint: endpoint, wireFormat: wire, timeout: .seconds(transfer.timeout), profiles: [SLPFProfile()], httpClient: client)

        // One command first, fully decoded: a wrong URL, certificate or actuator shows up here.
        do {
            let reply = try await producer.send(command)
            if reply.httpStatus != 200 {
                let text = reply.response.flatMap(\.statusText).map { ": \($0)" } ?? ""
                FileHandleOutput.warn("warning: the Consumer answers HTTP \(reply.httpStatus)\(text) to query features; measuring that answer")
            }
        } catch {
            FileHandleOutput.warn("error: the first command got no valid reply: \(error)")
            throw ExitCode(3)
        }

        let clock = ContinuousClock()
        let started = clock.now
        let measureStart = started + .milliseconds(Int64(warmup * 1000))
        let end = measureStart + .milliseconds(Int64(duration * 1000))
        let workload = Workload(
            command: command, timeout: timeout,
            closeAfterEach: newConnectionPerRequest, producer: producer, decodeReplies: decodeReplies,
            measureStart: measureStart, end: end
        )
        let connections = self.connections

        return await withTaskGroup(of: WorkerResult.self) { group in
            // The window's own figures: CPU used and connections opened between its two edges.
            group.addTask {
                try? await Task.sleep(until: measureStart, clock: clock)
                let (cpu0, opened0) = (ProcessCPU.seconds(), opened.value)
                try? await Task.sleep(until: end, clock: clock)
                var window = WorkerResult()
                window.cpuSeconds = ProcessCPU.seconds() - cpu0
                window.connectionsOpened = opened.value - opened0
                return window
            }
            for _ in 0..<connections {
                group.addTask { await workload.run(client: client, clock: clock) }
            }
            var total = WorkerResult()
            for await result in group { total.merge(result) }
            return BenchReport(
                endpoint: endpoint, connections: connections, newConnectionPerRequest: newConnectionPerRequest,
                wire: wire, actuator: actuator.profile, warmup: warmup, duration: duration, decodeReplies: decodeReplies,
                result: total
            )
        }
    }
}

/// What every worker does: send, wait for the whole reply, record, repeat until the end.
private struct Workload: Sendable {
    let command: Command
    let timeout: TimeAmount
    let closeAfterEach: Bool
    /// Builds every request; with --decode-replies it also sends them and decodes every reply.
    let producer: Producer
    let decodeReplies: Bool
    let measureStart: ContinuousClock.Instant
    let end: ContinuousClock.Instant

    func run(client: HTTPClient, clock: ContinuousClock) async -> WorkerResult {
        var result = WorkerResult()
        result.latencies.reserveCapacity(4096)
        var date = CachedHTTPDate()

        while true {
            let start = clock.now
            guard start < end else { break }
            let requestID = UUID().uuidString.lowercased()
            let outcome: Outcome
            if decodeReplies {
                outcome = await send(command, requestID: requestID, through: producer)
            } else {
                var request = producer.request(for: command, requestID: requestID, date: date.current())
                if closeAfterEach { request.headers.add(name: "Connection", value: "close") }
                outcome = await send(request, requestID: requestID, client: client)
            }
            let finished = clock.now
            guard finished >= measureStart, finished <= end else { continue }
            switch outcome {
            case .status(let status):
                let (seconds, attoseconds) = (finished - start).components
                result.latencies.append(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
                result.statuses[status, default: 0] += 1
            case .failure(let message):
                result.errors += 1
                if result.errorSamples.count < 5, !result.errorSamples.contains(message) { result.errorSamples.append(message) }
            }
        }
        return result
    }

    private func send(_ request: HTTPClientRequest, requestID: String, client: HTTPClient) async -> Outcome {
        do {
            let response = try await client.execute(request, timeout: timeout)
            let echoed = response.headers.first(name: "X-Request-ID")
            _ = try await response.body.collect(upTo: 16 << 20)
            if let echoed, echoed != requestID {
                return .failure("the reply's X-Request-ID is not the request's")
            }
            return .status(Int(response.status.code))
        } catch {
            return .failure(String(describing: error))
        }
    }

    private func send(_ command: Command, requestID: String, through producer: Producer) async -> Outcome {
        do {
            return .status(try await producer.send(command, requestID: requestID).httpStatus)
        } catch {
            return .failure(error.kind == .transport ? error.message : "\(error.kind.rawValue): \(error.message)")
        }
    }
}

private enum Outcome {
    case status(Int)
    case failure(String)
}

/// The `Date` header, formatted once a second.
private struct CachedHTTPDate {
    private var second = -1
    private var text = ""

    mutating func current() -> String {
        let now = Int(time(nil))
        if now != second {
            second = now
            text = HTTPDate.string(secondsSince1970: now)
        }
        return text
    }
}

/// Counts the connections the HTTP client opens.
final class ConnectionCounter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// CPU time (user + system) this process has used.
enum ProcessCPU {
    static func seconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
