import OpenC2
import OpenC2SLPF

/// The nftables backend: runs `nft -f -` with the text ``NFTablesRuleset`` renders (one
/// transaction per call) and lists the table back with `nft -j list table inet bastion`.
public struct NFTablesBackend: FirewallBackend {
    /// Runs `nft`.
    public var runner: any CommandRunner
    /// The nft program.
    public var nft: String
    private let ruleset = NFTablesRuleset()

    /// A backend that runs `nft` through `runner`.
    public init(runner: any CommandRunner = ProcessCommandRunner(), nft: String = "nft") {
        self.runner = runner
        self.nft = nft
    }

    public func applyAll(_ rules: [SLPFRule]) async throws(FirewallError) {
        let text: String
        do { text = try ruleset.rebuild(rules) } catch { throw .render(error) }
        try await execute(text)
    }

    public func apply(_ change: FirewallChange, others: [SLPFRule]) async throws(FirewallError) {
        let text: String
        switch change {
        case .add(let rule):
            do { text = try ruleset.addition(of: rule, alongside: others) } catch { throw .render(error) }
        case .remove(let rule):
            // 5-tuple rules are deleted by handle: list them first.
            let handles: [InstalledRule]
            switch rule.match {
            case .ipv4Connection, .ipv6Connection: handles = try await installed().rules
            case .ipv4Net, .ipv6Net: handles = []
            }
            do { text = try ruleset.removal(of: rule, remaining: others, installed: handles) } catch { throw .render(error) }
        }
        if text.isEmpty { return }
        try await execute(text)
    }

    /// Runs one `nft -f -` transaction.
    public func execute(_ text: String) async throws(FirewallError) {
        let command = [nft, "-f", "-"]
        let output = try await runner.run(command, input: text)
        guard output.status == 0 else {
            throw .commandFailed(command: command, status: output.status, stderr: output.stderr)
        }
    }

    public func installed() async throws(FirewallError) -> InstalledRuleset {
        let command = [nft, "-j", "list", "table", NFTablesRuleset.family, NFTablesRuleset.table]
        let output = try await runner.run(command, input: "")
        guard output.status == 0 else {
            if output.stderr.contains("No such file or directory") { return InstalledRuleset(tableExists: false) }
            throw .commandFailed(command: command, status: output.status, stderr: output.stderr)
        }
        return try Self.parseListing(output.stdout)
    }

    /// Reads `nft -j list table inet bastion` output.
    public static func parseListing(_ text: String) throws(FirewallError) -> InstalledRuleset {
        let json: JSONValue
        do { json = try JSONParser(maximumDepth: 256).parse(text) } catch { throw .unreadableListing(error.description) }
        guard case .object(let root) = json, case .array(let items)? = root["nftables"] else {
            throw .unreadableListing("no \"nftables\" array")
        }
        var state = InstalledRuleset(tableExists: false)
        for item in items {
            guard case .object(let object) = item else { continue }
            if case .object? = object["table"] { state.tableExists = true }
            if case .object(let set)? = object["set"], case .string(let name)? = set["name"] {
                var elements: [String] = []
                if case .array(let elems)? = set["elem"] {
                    for elem in elems { elements.append(try element(elem)) }
                }
                state.sets[name] = elements.sorted()
            }
            if case .object(let rule)? = object["rule"], case .string(let chain)? = rule["chain"],
               case .integer(let handle)? = rule["handle"] {
                var number: RuleNumber? = nil
                if case .string(let comment)? = rule["comment"] { number = NFTablesRuleset.ruleNumber(inComment: comment) }
                if number != nil { state.rules.append(InstalledRule(chain: chain, handle: handle, ruleNumber: number)) }
            }
        }
        return state
    }

    /// A set element as nft writes it in text form.
    private static func element(_ value: JSONValue) throws(FirewallError) -> String {
        switch value {
        case .string(let address): return address
        case .object(let object):
            if case .object(let prefix)? = object["prefix"], case .string(let address)? = prefix["addr"],
               case .integer(let length)? = prefix["len"] {
                return "\(address)/\(length)"
            }
            if case .array(let bounds)? = object["range"], bounds.count == 2 {
                return "\(try element(bounds[0]))-\(try element(bounds[1]))"
            }
            if case .object(let elem)? = object["elem"], let inner = elem["val"] { return try element(inner) }
        default: break
        }
        throw .unreadableListing("unexpected set element \(value)")
    }
}
