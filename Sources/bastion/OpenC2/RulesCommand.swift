import ArgumentParser
import BastionConsumer
import Foundation
import OpenC2
import OpenC2SLPF
import SLPFActuator

/// `bastion openc2 rules …`: the SLPF rule store, for an operator at the box.
struct RulesGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List, show and delete the SLPF rules in a Consumer's rule store.",
        discussion: """
        Works on the store file directly (a running Consumer notices changes before its next \
        Command). `delete` also rebuilds `table inet bastion` from the store, so the firewall \
        follows at once.
        """,
        subcommands: [RulesListCommand.self, RulesShowCommand.self, RulesDeleteCommand.self]
    )
}

/// The store options shared by the rules commands.
struct RuleStoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The SLPF rule store (SQLite file).", valueName: "file"))
    var state: String = ".bastion/slpf.sqlite"

    func open() throws -> RuleStore {
        guard FileManager.default.fileExists(atPath: state) else {
            throw CLIError("no rule store at \(state) (give --state, the file a Consumer was started with)")
        }
        do { return try RuleStore(path: state) } catch { throw CLIError("cannot open the rule store \(state): \(error)") }
    }
}

extension SLPFRule {
    /// The rule as the Command that made it would name it, plus its bookkeeping.
    var summaryJSON: JSONValue {
        var members: [(String, JSONValue)] = [
            ("rule_number", .integer(ruleNumber)), ("action", .string(action.rawValue)),
            ("target", match.target.json), ("direction", .string(direction.rawValue)),
            ("drop_process", .string(dropProcess.rawValue)), ("persistent", .bool(persistent)),
            ("start_time", .integer(Int64(startTime.millisecondsSince1970))),
            ("created_at", .integer(Int64(createdAt.millisecondsSince1970))), ("state", .string(state.rawValue)),
        ]
        if let stopTime { members.append(("stop_time", .integer(Int64(stopTime.millisecondsSince1970)))) }
        if let source { members.append(("source", .string(source))) }
        return .object(JSONObject(members.map { (key: $0.0, value: $0.1) }))
    }

    /// One line: number, action, target, direction and what else is set.
    var summaryLine: String {
        var parts = ["\(ruleNumber)", action.rawValue, OpenC2Encoder().string(match.target), direction.rawValue]
        if dropProcess != .silent { parts.append("drop_process=\(dropProcess.rawValue)") }
        if state == .scheduled { parts.append("starts=\(startTime)") }
        if let stopTime { parts.append("stops=\(stopTime)") }
        if !persistent { parts.append("not-persistent") }
        if let source { parts.append(source) }
        return parts.joined(separator: "  ")
    }
}

/// `bastion openc2 rules list`
struct RulesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the rules, one per line (or as JSON).")

    @OptionGroup var store: RuleStoreOptions
    @Flag(help: "Print a JSON array.") var json = false

    func run() async throws {
        let rules = try wrap { try store.open().list() }
        if json {
            print(JSONWriter(prettyPrinted: true).string(.array(rules.map(\.summaryJSON))))
        } else if rules.isEmpty {
            print("no rules")
        } else {
            for rule in rules { print(rule.summaryLine) }
        }
    }
}

/// `bastion openc2 rules show N`
struct RulesShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one rule as JSON.")

    @OptionGroup var store: RuleStoreOptions
    @Argument(help: "The rule number.") var ruleNumber: Int64

    func run() async throws {
        guard let rule = try wrap({ try store.open().get(ruleNumber) }) else { throw CLIError("no rule \(ruleNumber)") }
        print(JSONWriter(prettyPrinted: true).string(rule.summaryJSON))
    }
}

/// `bastion openc2 rules delete N`
struct RulesDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a rule from the store and rebuild the firewall from the store.")

    @OptionGroup var store: RuleStoreOptions
    @Argument(help: "The rule number.") var ruleNumber: Int64
    @Option(help: ArgumentHelp("The firewall to update: \(FirewallChoice.help).", valueName: "backend"))
    var firewall: FirewallChoice = .auto

    func run() async throws {
        let rules = try store.open()
        guard try wrap({ try rules.remove(ruleNumber) }) != nil else { throw CLIError("no rule \(ruleNumber)") }
        print("deleted rule \(ruleNumber) from \(store.state)")
        guard firewall != .none else { return }
        let (backend, summary) = try await Firewall.backend(firewall)
        let active = try wrap { try rules.list().filter { $0.state == .active } }
        do { try await backend.applyAll(active) } catch { throw CLIError("the store changed but the firewall did not: \(error)") }
        print("firewall: \(summary), rebuilt with \(active.count) rules")
    }
}

/// Runs `body`, turning a library error into a one-line CLI error.
private func wrap<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as CLIError { throw error } catch { throw CLIError("\(error)") }
}
