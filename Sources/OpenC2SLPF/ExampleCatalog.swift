import OpenC2

/// Well-formed OpenC2 messages to start from, by name: what `bastion openc2 example` prints.
public enum ExampleCatalog {
    /// One named example.
    public struct Example: Sendable {
        /// The name users type (`deny-ipv4-net`).
        public let name: String
        /// One line on what it is.
        public let summary: String
        /// The document.
        public let document: OpenC2Document
    }

    /// Every example, in the order they are listed.
    public static let all: [Example] = [
        Example(
            name: "deny-ipv4-net",
            summary: "Block all traffic to and from 198.51.100.0/24 and ask for the rule number",
            document: .command(Command(.deny, .ipv4Net(net4("198.51.100.0/24")), args: Args(responseRequested: .complete)))
        ),
        Example(
            name: "deny-ipv4-connection",
            summary: "Block one TCP connection for 500 ms from a start time, rejecting it (SLPF A.1.1 shape)",
            document: .command(Command(
                .deny,
                .ipv4Connection(IPv4Connection(sourceAddress: net4("192.0.2.4"), sourcePort: 10996, destinationAddress: net4("198.51.100.4"), destinationPort: 80, protocol: .tcp)),
                args: slpfArgs(Args(startTime: DateTime(millisecondsSince1970: 1_534_775_460_000), duration: 500, responseRequested: .complete), SLPFArgs(dropProcess: .reject)),
                actuator: .slpf(SLPFSpecifiers(assetID: "30"))
            ))
        ),
        Example(
            name: "deny-ipv6-net-ingress",
            summary: "Block inbound traffic from an IPv6 network, no response wanted (SLPF A.1.3 shape)",
            document: .command(Command(
                .deny,
                .ipv6Net(net6("2001:db8:4545:3::/64")),
                args: slpfArgs(Args(responseRequested: .noResponse), SLPFArgs(direction: .ingress)),
                actuator: .slpf(SLPFSpecifiers(namedGroup: "perimeter"))
            ))
        ),
        Example(
            name: "allow-ipv6-connection",
            summary: "Permit FTP control traffic to one IPv6 host (SLPF A.1.4 shape)",
            document: .command(Command(
                .allow,
                .ipv6Connection(IPv6Connection(sourcePort: 21, destinationAddress: net6("2001:db8::f8ff:fe21:67cf"), protocol: .tcp)),
                actuator: .slpf()
            ))
        ),
        Example(
            name: "delete-rule",
            summary: "Remove rule 1234 (SLPF A.2)",
            document: .command(Command(.delete, .slpfRuleNumber(1234), args: Args(responseRequested: .complete), actuator: .slpf()))
        ),
        Example(
            name: "update-file",
            summary: "Load a rules file on the actuator (SLPF A.3 shape)",
            document: .command(Command(.update, .file(File(name: "rules.json", path: "/etc/bastion")), actuator: .slpf()))
        ),
        Example(
            name: "query-features",
            summary: "Ask a Consumer for its versions, profiles, action/target pairs and rate limit",
            document: .command(Command(.query, .features([.versions, .profiles, .pairs, .rateLimit])))
        ),
        Example(
            name: "features-response",
            summary: "What a full SLPF Consumer answers to query-features",
            document: .response(SLPFCapabilities(rateLimit: 600).featuresResponse(for: [.versions, .profiles, .pairs, .rateLimit]))
        ),
        Example(
            name: "rule-response",
            summary: "A successful allow/deny Response carrying the rule number",
            document: .response(ruleResponse(1234))
        ),
        Example(
            name: "envelope-request",
            summary: "A v1.1 HTTPS message envelope carrying a deny command",
            document: .message(Message(
                headers: Headers(requestID: "d1ac0489-ed51-4345-9175-f3078f30afe5", created: DateTime(millisecondsSince1970: 1_545_257_700_000), from: "producer.example", to: ["consumer.example"]),
                content: .request(Command(.deny, .ipv4Net(net4("198.51.100.0/24"))))
            ))
        ),
    ]

    /// The example named `name`.
    public static func named(_ name: String) -> Example? {
        all.first { $0.name == name }
    }

    private static func net4(_ text: String) -> IPv4Net {
        do { return try IPv4Net(text) } catch { preconditionFailure(error.description) }
    }

    private static func net6(_ text: String) -> IPv6Net {
        do { return try IPv6Net(text) } catch { preconditionFailure(error.description) }
    }

    private static func slpfArgs(_ args: Args, _ slpf: SLPFArgs) -> Args {
        var args = args
        args.slpf = slpf
        return args
    }

    private static func ruleResponse(_ number: RuleNumber) -> Response {
        var results = Results()
        results.slpf = SLPFResults(ruleNumber: number)
        return Response(.ok, results: results)
    }
}
