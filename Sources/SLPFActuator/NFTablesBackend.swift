import OpenC2
import OpenC2SLPF

/// The nftables backend: applies ``NFTablesRuleset`` transactions through an
/// ``NFTablesExecutor`` (libnftables in-process, or the `nft` program) and lists the table
/// back with `list table inet bastion`.
///
/// It keeps an ``NFTablesState`` of what it installed, so a change costs one small
/// transaction whatever the number of rules, and 5-tuple rules are deleted by the handles
/// nft echoed when they were added.
public actor NFTablesBackend: FirewallBackend {
    /// Runs the scripts.
    public nonisolated let executor: any NFTablesExecutor
    private var state = NFTablesState()
    private let ruleset: NFTablesRuleset

    /// Elements per transaction when a rebuild is loaded in parts (see ``applyAll(_:)``).
    static let elementsPerPart = 2_000

    /// A backend running scripts with `executor`; with `gateway`, the rules also filter
    /// routed traffic (see ``NFTablesRuleset``).
    public init(executor: any NFTablesExecutor, gateway: Bool = false) {
        self.executor = executor
        self.ruleset = NFTablesRuleset(gateway: gateway)
    }

    /// A backend running the `nft` program through `runner`.
    public init(runner: any CommandRunner = ProcessCommandRunner(), nft: String = "nft", gateway: Bool = false) {
        self.init(executor: NFTProgram(runner: runner, nft: nft), gateway: gateway)
    }

    /// Replaces the table with exactly `rules` in one transaction.
    ///
    /// Where the kernel refuses a transaction that large ("Message too long": nft cannot enlarge
    /// its netlink socket buffer without `CAP_NET_ADMIN` in the initial namespace, as in an
    /// unprivileged user namespace), the table is rebuilt empty and then filled in parts of
    /// ``elementsPerPart`` elements; each part is atomic and only adds.
    public func applyAll(_ rules: [SLPFRule]) async throws(FirewallError) {
        let contents: NFTablesRuleset.Contents
        do { contents = try NFTablesRuleset.Contents(rules) } catch { throw .render(error) }
        do {
            _ = try await executor.run(ruleset.rebuild(contents), echo: false)
        } catch let error where error.kind == .commandFailed && error.standardError?.contains("Message too long") == true {
            try await loadInParts(contents)
        }
        state = NFTablesState(rebuilt: contents)
        if !contents.connectionRules.isEmpty { state.recordHandles(try await installedRules()) }
    }

    private func loadInParts(_ contents: NFTablesRuleset.Contents) async throws(FirewallError) {
        _ = try await executor.run(ruleset.rebuild(contents, withElements: false, withConnectionRules: false), echo: false)
        for part in Self.parts(contents) { _ = try await executor.run(part, echo: false) }
    }

    /// The elements and 5-tuple rules of `contents` as `add` transactions of bounded size.
    static func parts(_ contents: NFTablesRuleset.Contents) -> [String] {
        let t = NFTablesRuleset.qualifiedTable
        var parts: [String] = []
        var part = "", count = 0
        func add(_ line: String, weight: Int) {
            part += line
            count += weight
            if count >= elementsPerPart {
                parts.append(part)
                part = ""
                count = 0
            }
        }
        for (set, blocks) in contents.elements.sorted(by: { $0.key < $1.key }) {
            for chunk in blocks.keys.sorted().chunked(elementsPerPart) {
                add("add element \(t) \(set.name) { \(chunk.map(\.networkAddress).joined(separator: ", ")) }\n", weight: chunk.count)
            }
        }
        for (chain, lines) in contents.connectionRules.sorted(by: { $0.key < $1.key }) {
            for line in lines { add("add rule \(t) \(chain) \(line.text)\n", weight: 4) }
        }
        if count > 0 { parts.append(part) }
        return parts
    }

    public func apply(_ change: FirewallChange) async throws(FirewallError) {
        let planned: (script: String, needsEcho: Bool)
        do { planned = try state.script(for: change) } catch { throw .render(error) }
        var echo = ""
        if !planned.script.isEmpty { echo = try await executor.run(planned.script, echo: planned.needsEcho) }
        state.commit(change, echo: echo)
    }

    public func installed() async throws(FirewallError) -> InstalledRuleset {
        let listing: String
        do {
            listing = try await executor.listJSON("list table \(NFTablesRuleset.qualifiedTable)")
        } catch let error where error.kind == .commandFailed && error.standardError?.contains("No such file or directory") == true {
            return InstalledRuleset(tableExists: false)
        }
        return try Self.parseListing(listing)
    }

    /// The 5-tuple rules of the regular chains (their listing carries no set elements).
    private func installedRules() async throws(FirewallError) -> [InstalledRule] {
        var rules: [InstalledRule] = []
        for chain in NFTablesRuleset.regularChains {
            rules += try Self.parseListing(try await executor.listJSON("list chain \(NFTablesRuleset.qualifiedTable) \(chain)")).rules
        }
        return rules
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

extension Array {
    /// The array in consecutive slices of at most `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
