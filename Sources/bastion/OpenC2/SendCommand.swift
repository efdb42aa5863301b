import ArgumentParser
import Foundation
import OpenC2
import OpenC2HTTPS
import OpenC2Polling
import OpenC2SLPF

/// `bastion openc2 send`
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send an OpenC2 Command to a Consumer as a Producer and print the Response.",
        discussion: """
        Give the command as ACTION TARGET VALUE, e.g. `deny ipv4_net 198.51.100.0/24`,
        `delete slpf:rule_number 12`, `update file blocklist.json`, `query features versions,pairs`,
        `deny ipv4_connection '{"dst_addr":"192.0.2.1","dst_port":443,"protocol":"tcp"}'` — a VALUE that
        is JSON (an object, array or number) is used as such, anything else as a string — or as a
        whole JSON Command with --file. The Command is validated before it is sent.

        With --record QUEUE the Command (given a command_id if it has none) is also kept in the
        queue of your Producer server (`bastion openc2 producer-server --database QUEUE`), with the
        Consumer's reply: a Consumer running with --respond-to answers `--response-requested ack`
        with 102 at once and POSTs the final Response to that server when the work is done (the
        transfer's "both servers" configuration); `bastion openc2 status --database QUEUE ID` shows it.

        Exit status: 0 for 200 or 102, 4 for a 4xx status, 5 for a 5xx status, 3 when no valid
        reply came (connection, TLS or a reply that is not OpenC2).
        """
    )

    @OptionGroup var transfer: ProducerOptions

    @OptionGroup var command: CommandArguments

    @Option(help: ArgumentHelp("Also keep the Command and its Responses in this Producer-server queue (sqlite:PATH or postgres://…), where a Consumer with --respond-to POSTs its final Response.", valueName: "queue"))
    var record: String?

    @Option(help: ArgumentHelp("With --record: the identity (client certificate CN, else first SAN) the Consumer POSTs its Responses with; default: the host of its URL.", valueName: "name"))
    var consumer: String?

    func validate() throws {
        if let record { try QueueOptions.check(record, option: "--record") }
        if consumer != nil, record == nil { throw ValidationError("--consumer goes with --record") }
    }

    func run() async throws {
        var built = try command.build()
        guard let record else { return try await transfer.send(built) }
        let endpoints = try transfer.endpoints()
        guard endpoints.count == 1, let endpoint = endpoints.first else {
            throw CLIError("--record takes one Consumer: each Consumer's copy needs its own command_id (queue one per Consumer with `bastion openc2 enqueue`)")
        }
        guard let identity = consumer ?? URLComponents(string: endpoint)?.host, !identity.isEmpty else {
            throw CLIError("cannot tell the Consumer's identity from \(endpoint): give --consumer")
        }
        do {
            built.commandID = try built.commandID ?? CommandID(UUID().uuidString.lowercased())
        } catch {
            throw CLIError("\(error)")
        }
        let command = built
        let id = command.commandID?.rawValue ?? ""
        try await QueueOptions.with(record) { queue in
            let now = ProducerServerExchange.now()
            do {
                try await queue.enqueue(.pushed(
                    commandID: id, consumer: identity, command: String(decoding: OpenC2Encoder().encode(command), as: UTF8.self), at: now,
                    expiresAt: command.args?.stopTime.map { Int64(clamping: $0.millisecondsSince1970) }))
            } catch {
                throw CLIError("\(error)")
            }
            try await transfer.send(command) { reply in
                guard let response = reply.response else { return }
                do throws(CommandQueueError) {
                    _ = try await queue.record(
                        response: String(decoding: OpenC2Encoder().encode(response), as: UTF8.self), status: response.status.rawValue,
                        commandID: id, from: identity, now: ProducerServerExchange.now())
                } catch where error.kind == .alreadyAnswered {
                    // The final Response was POSTed to the Producer server before this reply was kept.
                } catch {
                    FileHandleOutput.warn("warning: the reply was not recorded: \(error)")
                }
                FileHandleOutput.warn("recorded as \(id) for \(identity): bastion openc2 status --database \(record) \(id)")
            }
        }
    }
}

/// The Command a `bastion openc2` command sends or queues: ACTION TARGET [VALUE] or `--file`, with
/// the argument options merged into its args.
struct CommandArguments: ParsableArguments {
    @Argument(help: "The action, e.g. deny.")
    var action: String?

    @Argument(help: "The target type, e.g. ipv4_net or slpf:rule_number.")
    var target: String?

    @Argument(help: "The target's value.")
    var value: String?

    @Option(help: ArgumentHelp("Read the whole Command (JSON) from this file; - for standard input.", valueName: "file"))
    var file: String?

    @Option(help: "none, ack, status or complete.")
    var responseRequested: String?

    @Option(help: ArgumentHelp("SLPF direction: both, ingress or egress.", valueName: "direction"))
    var direction: String?

    @Option(help: ArgumentHelp("SLPF drop_process for deny: none, reject or false_ack.", valueName: "how"))
    var dropProcess: String?

    @Option(help: ArgumentHelp("SLPF insert_rule: the rule number to create.", valueName: "number"))
    var insertRule: Int?

    @Option(help: ArgumentHelp("SLPF persistent: true or false.", valueName: "bool"))
    var persistent: Bool?

    @Option(help: ArgumentHelp("Milliseconds the rule stays in effect.", valueName: "ms"))
    var duration: Int?

    @OptionGroup var actuator: ActuatorOption

    func validate() throws {
        if file == nil, action == nil || target == nil {
            throw ValidationError("Give ACTION TARGET [VALUE] or --file FILE")
        }
        if file != nil, action != nil {
            throw ValidationError("Give either ACTION TARGET VALUE or --file, not both")
        }
    }

    /// The Command as JSON — from the file or the arguments, with the argument options merged
    /// into its args — then decoded strictly.
    func build() throws -> Command {
        let decoder = OpenC2Decoder(profiles: [SLPFProfile()])
        do {
            var command: JSONObject
            if let file {
                let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
                command = try JSONParser().parse(data).object("OpenC2-Command")
            } else {
                guard let action, let target else { throw ValidationError("Give ACTION TARGET [VALUE]") }
                command = ["action": .string(action), "target": .object([target: targetValue(for: target)])]
            }
            var args = (try command["args"]?.object("Args")) ?? JSONObject()
            if let responseRequested { args["response_requested"] = .string(responseRequested) }
            if let duration { args["duration"] = .integer(Int64(duration)) }
            var slpf = (try args["slpf"]?.object("slpf:Args")) ?? JSONObject()
            if let direction { slpf["direction"] = .string(direction) }
            if let dropProcess { slpf["drop_process"] = .string(dropProcess) }
            if let insertRule { slpf["insert_rule"] = .integer(Int64(insertRule)) }
            if let persistent { slpf["persistent"] = .bool(persistent) }
            if !slpf.isEmpty { args["slpf"] = .object(slpf) }
            if !args.isEmpty { command["args"] = .object(args) }
            actuator.apply(to: &command)
            return try decoder.decode(Command.self, from: .object(command))
        } catch let error as OpenC2Error {
            throw CLIError("not a valid OpenC2 Command: \(error)")
        }
    }

    /// A VALUE that is JSON (object, array, number) is used as such; a features list may be
    /// comma-separated; anything else is a string.
    private func targetValue(for target: String) -> JSONValue {
        guard let value else { return target == "features" ? .array([]) : .object(JSONObject()) }
        if let parsed = try? JSONParser().parse(value) {
            switch parsed {
            case .object, .array, .integer, .number: return parsed
            default: break
            }
        }
        if target == "features" {
            return .array(value.split(separator: ",").map { .string(String($0)) })
        }
        if target == "file" { return .object(["name": .string(value)]) }  // update file NAME
        return .string(value)
    }
}

/// `--actuator NSID`: address the Command to the actuators of one profile (some Consumers,
/// such as otupy's, require an actuator in every Command).
struct ActuatorOption: ParsableArguments {
    @Option(name: .customLong("actuator"), help: ArgumentHelp("Address the Command to this actuator profile, e.g. slpf (with no specifiers).", valueName: "nsid"))
    var profile: String?

    func apply(to command: inout JSONObject) {
        if let profile { command["actuator"] = .object([profile: .object(JSONObject())]) }
    }
}

/// `bastion openc2 features`
struct FeaturesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Ask a Consumer which versions, profiles, action/target pairs and rate limit it supports (query features).",
        discussion: "Exit status as for `bastion openc2 send`."
    )

    @OptionGroup var transfer: ProducerOptions

    @OptionGroup var actuator: ActuatorOption

    func run() async throws {
        var command: JSONObject = ["action": .string("query"), "target": .object(["features": .array(["versions", "profiles", "pairs", "rate_limit"].map(JSONValue.string))])]
        actuator.apply(to: &command)
        do {
            try await transfer.send(OpenC2Decoder(profiles: [SLPFProfile()]).decode(Command.self, from: .object(command)))
        } catch let error as OpenC2Error {
            throw CLIError("not a valid OpenC2 Command: \(error)")
        }
    }
}
