import OpenC2
import OpenC2SLPF
import Testing

/// The SLPF command matrix (Table 2.3-1), argument matrix (Table 2.3-2) and the status codes
/// and texts of §2.3 and the conformance clauses.
@Suite("SLPF command interpretation")
struct SLPFInterpreterTests {
    let interpreter = SLPFInterpreter()
    let decoder = OpenC2Decoder(profiles: [SLPFProfile()])

    func interpret(_ json: String, capabilities: SLPFCapabilities = SLPFCapabilities()) throws -> SLPFInterpretation {
        SLPFInterpreter(capabilities: capabilities).interpret(try decoder.decode(Command.self, from: json))
    }

    func expectRefusal(_ json: String, _ status: StatusCode, _ text: String, capabilities: SLPFCapabilities = SLPFCapabilities(), sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard case .respond(let response) = try interpret(json, capabilities: capabilities) else {
            Issue.record("\(json) was accepted", sourceLocation: sourceLocation)
            return
        }
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(response.statusText == text, sourceLocation: sourceLocation)
    }

    @Test("deny ipv4_connection with every argument becomes a typed rule with the given options")
    func denyConnection() throws {
        let result = try interpret(#"""
        {"action":"deny","target":{"ipv4_connection":{"protocol":"tcp","src_addr":"1.2.3.4","src_port":10996,"dst_addr":"198.2.3.4","dst_port":80}},
         "args":{"start_time":1534775460000,"duration":500,"response_requested":"complete","slpf":{"drop_process":"reject","direction":"egress","persistent":false,"insert_rule":7}},
         "actuator":{"slpf":{"asset_id":"30"}}}
        """#)
        guard case .execute(.filter(let rule)) = result else { Issue.record("not a filter rule: \(result)"); return }
        #expect(rule.action == .deny)
        #expect(rule.match.kind == .ipv4Connection)
        #expect(rule.dropProcess == .reject)
        #expect(rule.direction == .egress)
        #expect(rule.persistent == false)
        #expect(rule.insertRule == 7)
        let window = rule.window(receivedAt: DateTime(millisecondsSince1970: 1))
        #expect(window.start.millisecondsSince1970 == 1_534_775_460_000)
        #expect(window.stop?.millisecondsSince1970 == 1_534_775_460_500)
    }

    @Test("defaults: direction both, drop silently, persistent, no window end")
    func defaults() throws {
        guard case .execute(.filter(let rule)) = try interpret(#"{"action":"allow","target":{"ipv6_net":"2001:db8::/32"}}"#) else {
            Issue.record("not accepted"); return
        }
        #expect(rule.direction == .both)
        #expect(rule.dropProcess == .silent)
        #expect(rule.persistent)
        #expect(rule.insertRule == nil)
        let now = DateTime(millisecondsSince1970: 42)
        #expect(rule.window(receivedAt: now).start == now)
        #expect(rule.window(receivedAt: now).stop == nil)
    }

    @Test("the other SLPF commands", arguments: [
        (#"{"action":"query","target":{"features":["pairs"]},"args":{"response_requested":"complete"}}"#, "query"),
        (#"{"action":"delete","target":{"slpf:rule_number":1234},"args":{"response_requested":"complete","start_time":5}}"#, "delete"),
        (#"{"action":"update","target":{"file":{"name":"rules.json","path":"/etc/bastion"}},"args":{"response_requested":"ack"}}"#, "update"),
    ])
    func otherCommands(json: String, kind: String) throws {
        switch (try interpret(json), kind) {
        case (.execute(.queryFeatures(let features)), "query"): #expect(features == [.pairs])
        case (.execute(.deleteRule(let number, let start)), "delete"): #expect(number == 1234 && start?.millisecondsSince1970 == 5)
        case (.execute(.updateFile(let file, _)), "update"): #expect(file.name == "rules.json")
        case (let other, _): Issue.record("\(kind): \(other)")
        }
    }

    @Test("pairs outside the command matrix: 501 Command not supported", arguments: [
        #"{"action":"scan","target":{"device":{"device_id":"x"}}}"#,
        #"{"action":"query","target":{"ipv4_net":"10.0.0.1"}}"#,
        #"{"action":"update","target":{"ipv4_net":"10.0.0.1"}}"#,
        #"{"action":"delete","target":{"file":{"name":"x"}}}"#,
        #"{"action":"contain","target":{"ipv4_net":"10.0.0.1"}}"#,
    ])
    func commandNotSupported(json: String) throws {
        try expectRefusal(json, .notImplemented, "Command not supported")
    }

    @Test("allow/deny of a target SLPF does not filter: 501 Target type not supported", arguments: [
        #"{"action":"deny","target":{"domain_name":"example.com"}}"#,
        #"{"action":"allow","target":{"mac_addr":"00:11:22:33:44:55"}}"#,
        #"{"action":"deny","target":{"x-acme:container":"c1"}}"#,
    ])
    func targetTypeNotSupported(json: String) throws {
        try expectRefusal(json, .notImplemented, "Target type not supported")
    }

    @Test("arguments the argument matrix does not allow: 501 Option not supported", arguments: [
        #"{"action":"allow","target":{"ipv4_net":"10.0.0.1"},"args":{"slpf":{"drop_process":"none"}}}"#,
        #"{"action":"delete","target":{"slpf:rule_number":1},"args":{"duration":10}}"#,
        #"{"action":"delete","target":{"slpf:rule_number":1},"args":{"slpf":{"direction":"ingress"}}}"#,
        #"{"action":"update","target":{"file":{"name":"r"}},"args":{"stop_time":10}}"#,
        #"{"action":"update","target":{"file":{"name":"r"}},"args":{"response_requested":"status"}}"#,
        #"{"action":"deny","target":{"ipv4_net":"10.0.0.1"},"args":{"x-acme":{"priority":1}}}"#,
        #"{"action":"deny","target":{"ipv4_net":"10.0.0.1"},"args":{"slpf":{"drop_process":"false_ack"}}}"#,
    ])
    func optionNotSupported(json: String) throws {
        try expectRefusal(json, .notImplemented, "Option not supported")
    }

    @Test("query features with any argument but response_requested: 400 (Language §4.1)")
    func queryFeaturesArguments() throws {
        guard case .respond(let response) = try interpret(#"{"action":"query","target":{"features":[]},"args":{"start_time":1}}"#) else {
            Issue.record("accepted"); return
        }
        #expect(response.status == .badRequest)
        #expect(response.statusText?.contains("start_time") == true)
    }

    @Test("insert_rule with an explicit response_requested other than complete: 400")
    func insertRuleNeedsComplete() throws {
        guard case .respond(let response) = try interpret(#"{"action":"deny","target":{"ipv4_net":"10.0.0.1"},"args":{"response_requested":"none","slpf":{"insert_rule":5}}}"#) else {
            Issue.record("accepted"); return
        }
        #expect(response.status == .badRequest)
    }

    @Test("a Consumer without an option answers 501 for it; direction both is always fine")
    func capabilityGating() throws {
        let minimal = SLPFCapabilities(allowTargets: [.ipv4Net], denyTargets: [.ipv4Net], deleteRule: false, updateFile: false, dropProcesses: [.silent], direction: false, temporal: false, persistent: false, insertRule: false)
        try expectRefusal(#"{"action":"deny","target":{"ipv4_net":"10.0.0.1"},"args":{"slpf":{"direction":"ingress"}}}"#, .notImplemented, "Option not supported", capabilities: minimal)
        try expectRefusal(#"{"action":"deny","target":{"ipv4_net":"10.0.0.1"},"args":{"duration":5}}"#, .notImplemented, "Option not supported", capabilities: minimal)
        try expectRefusal(#"{"action":"deny","target":{"ipv4_net":"10.0.0.1"},"args":{"slpf":{"persistent":true}}}"#, .notImplemented, "Option not supported", capabilities: minimal)
        try expectRefusal(#"{"action":"deny","target":{"ipv4_net":"10.0.0.1"},"args":{"slpf":{"insert_rule":3}}}"#, .notImplemented, "Option not supported", capabilities: minimal)
        try expectRefusal(#"{"action":"deny","target":{"ipv4_net":"10.0.0.1"},"args":{"slpf":{"drop_process":"reject"}}}"#, .notImplemented, "Option not supported", capabilities: minimal)
        try expectRefusal(#"{"action":"deny","target":{"ipv6_net":"::1"}}"#, .notImplemented, "Target type not supported", capabilities: minimal)
        try expectRefusal(#"{"action":"delete","target":{"slpf:rule_number":1}}"#, .notImplemented, "Target not supported", capabilities: minimal)
        try expectRefusal(#"{"action":"update","target":{"file":{"name":"r"}}}"#, .notImplemented, "Command not supported", capabilities: minimal)
        guard case .execute = try interpret(#"{"action":"deny","target":{"ipv4_net":"10.0.0.1"},"args":{"slpf":{"direction":"both"}}}"#, capabilities: minimal) else {
            Issue.record("direction both refused"); return
        }
        let pairs = minimal.pairs.targets
        #expect(pairs == [.query: ["features"], .allow: ["ipv4_net"], .deny: ["ipv4_net"]])
    }

    @Test("a Command for another actuator profile is not executed")
    func otherActuator() throws {
        try expectRefusal(#"{"action":"deny","target":{"ipv4_net":"10.0.0.1"},"actuator":{"x-esm":{"asset_id":"a"}}}"#, .notImplemented, "Command not supported")
    }

    @Test("invalid slpf arguments reach the interpreter only if decoded without the profile; then 400 names them")
    func unvalidatedSLPFArguments() throws {
        let command = try OpenC2Decoder().decode(Command.self, from: #"{"action":"deny","target":{"ipv4_net":"10.0.0.1"},"args":{"slpf":{"direction":"up"}}}"#)
        guard case .respond(let response) = interpreter.interpret(command) else { Issue.record("accepted"); return }
        #expect(response.status == .badRequest)
        #expect(response.statusText?.hasPrefix("args.slpf.direction:") == true)
    }

    @Test("typed accessors for the slpf namespace round-trip")
    func typedAccessors() throws {
        var results = Results()
        results.slpf = SLPFResults(ruleNumber: 1234)
        let response = Response(.ok, results: results)
        #expect(OpenC2Encoder().string(response) == #"{"status":200,"results":{"slpf":{"rule_number":1234}}}"#)
        #expect(try decoder.decode(Response.self, from: OpenC2Encoder().encode(response)).results?.slpf?.ruleNumber == 1234)
        #expect(Target.slpfRuleNumber(9).slpfRuleNumber == 9)
        #expect(Target.slpfRuleNumber(9).name == "slpf:rule_number")
        #expect(Actuator.slpf(SLPFSpecifiers(namedGroup: "perimeter")).slpf?.namedGroup == "perimeter")
    }
}

@Suite("Example catalog")
struct ExampleCatalogTests {
    @Test("every example is valid with the SLPF profile and round-trips", arguments: ExampleCatalog.all.map(\.name))
    func exampleIsValid(name: String) throws {
        let example = try #require(ExampleCatalog.named(name))
        let decoder = OpenC2Decoder(profiles: [SLPFProfile()])
        let decoded = try decoder.decode(OpenC2Document.self, from: OpenC2Encoder(prettyPrinted: true).encode(example.document))
        #expect(decoded == example.document)
    }

    @Test("example commands are ones a full SLPF Consumer executes")
    func commandsAreExecutable() {
        for example in ExampleCatalog.all {
            guard case .command(let command) = example.document else { continue }
            guard case .execute = SLPFInterpreter().interpret(command) else {
                Issue.record("\(example.name) is refused")
                continue
            }
        }
    }
}
