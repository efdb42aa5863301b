import OpenC2
import OpenC2SLPF
import Testing

@Suite("Building, encoding and validating Commands and Responses")
struct CommandModelTests {
    @Test("a Command built in Swift encodes canonically, fields in specification order")
    func canonicalEncoding() throws {
        var args = Args(duration: 500, responseRequested: .complete)
        args.slpf = SLPFArgs(dropProcess: .reject, direction: .ingress)
        let command = Command(
            .deny,
            .ipv4Connection(IPv4Connection(sourceAddress: try IPv4Net("1.2.3.4"), destinationPort: 80, protocol: .tcp)),
            args: args,
            actuator: .slpf(SLPFSpecifiers(assetID: "30")),
            commandID: try CommandID("c1")
        )
        let text = OpenC2Encoder().string(command)
        #expect(text == #"{"action":"deny","target":{"ipv4_connection":{"src_addr":"1.2.3.4","dst_port":80,"protocol":"tcp"}},"args":{"duration":500,"response_requested":"complete","slpf":{"direction":"ingress","drop_process":"reject"}},"actuator":{"slpf":{"asset_id":"30"}},"command_id":"c1"}"#)
        let decoded = try OpenC2Decoder(profiles: [SLPFProfile()]).decode(Command.self, from: text)
        #expect(decoded == command)
        #expect(decoded.args?.slpf?.dropProcess == .reject)
    }

    @Test("member order in the input does not change the output")
    func orderIndependence() throws {
        let a = #"{"target":{"features":["pairs"]},"action":"query","actuator":{"x-acme":{"b":1,"a":{"d":2,"c":3}}}}"#
        let b = #"{"actuator":{"x-acme":{"a":{"c":3,"d":2},"b":1}},"action":"query","target":{"features":["pairs"]}}"#
        let decoder = OpenC2Decoder()
        let first = OpenC2Encoder().encode(try decoder.decode(Command.self, from: a))
        let second = OpenC2Encoder().encode(try decoder.decode(Command.self, from: b))
        #expect(first == second)
        #expect(String(decoding: first, as: UTF8.self) == #"{"action":"query","target":{"features":["pairs"]},"actuator":{"x-acme":{"a":{"c":3,"d":2},"b":1}}}"#)
    }

    @Test("validate() catches what the types cannot prevent")
    func validateCatchesInvalidStates() {
        let overdetermined = Command(.deny, .ipv4Net(try! IPv4Net("10.0.0.1")), args: Args(startTime: DateTime(millisecondsSince1970: 1), stopTime: DateTime(millisecondsSince1970: 5), duration: 4))
        #expect(throws: OpenC2Error.self) { try overdetermined.validate() }
        let empty = Command(.deny, .ipv4Net(try! IPv4Net("10.0.0.1")), args: Args())
        do { try empty.validate() } catch {
            #expect(error.code == .empty)
            #expect(error.path.description == "args")
        }
        let duplicateFeatures = Command(.query, .features([.versions, .versions]))
        do { try duplicateFeatures.validate() } catch {
            #expect(error.code == .duplicateItem)
            #expect(error.path.description == "target.features[1]")
        }
        let emptyConnection = Command(.allow, .ipv6Connection(IPv6Connection()))
        #expect(throws: OpenC2Error.self) { try emptyConnection.validate() }
        let good = Command(.query, .features([.versions, .profiles]))
        #expect(throws: Never.self) { try good.validate() }
    }

    @Test("the slpf namespace is validated when the profile is registered, opaque otherwise")
    func profileRegistration() throws {
        let text = #"{"action":"deny","target":{"ipv4_net":"10.0.0.0/8"},"args":{"slpf":{"direction":"sideways"}}}"#
        #expect(throws: Never.self) { try OpenC2Decoder().decode(Command.self, from: text) }
        do {
            _ = try OpenC2Decoder(profiles: [SLPFProfile()]).decode(Command.self, from: text)
            Issue.record("an invalid slpf direction was accepted with the profile registered")
        } catch {
            #expect(error.code == .invalidEnum)
            #expect(error.description.hasPrefix("args.slpf.direction: 'sideways' is not a valid Direction"))
        }
    }

    @Test("unknown non-x namespaces are refused; x- namespaces round-trip as opaque JSON")
    func namespaces() throws {
        let decoder = OpenC2Decoder()
        do {
            _ = try decoder.decode(Command.self, from: #"{"action":"deny","target":{"ipv4_net":"10.0.0.0/8"},"args":{"acme":{}}}"#)
        } catch {
            #expect(error.code == .unknownField)
            #expect(error.path.description == "args.acme")
        }
        let opaque = #"{"action":"query","target":{"x-acme:container":{"id":[1,2,{"deep":null}]}}}"#
        let command = try decoder.decode(Command.self, from: opaque)
        #expect(command.target.name == "x-acme:container")
        #expect(OpenC2Encoder().string(command) == opaque)
    }

    @Test("a Response with results and the query features answer of a capability set")
    func featuresResponse() throws {
        let response = SLPFCapabilities(rateLimit: 600).featuresResponse(for: [.versions, .profiles, .pairs, .rateLimit])
        let text = OpenC2Encoder().string(response)
        #expect(text == #"{"status":200,"results":{"versions":["1.0"],"profiles":["slpf"],"pairs":{"query":["features"],"deny":["ipv4_net","ipv6_net","ipv4_connection","ipv6_connection"],"allow":["ipv4_net","ipv6_net","ipv4_connection","ipv6_connection"],"update":["file"],"delete":["slpf:rule_number"]},"rate_limit":600}}"#)
        #expect(try OpenC2Decoder().decode(Response.self, from: text) == response)
        #expect(SLPFCapabilities().featuresResponse(for: []) == Response(.ok))
    }

    @Test("a v1.1 envelope carries a request and is told apart from bare documents")
    func envelope() throws {
        let message = Message(
            headers: Headers(requestID: "d1ac0489-ed51-4345-9175-f3078f30afe5", created: DateTime(millisecondsSince1970: 1_545_257_700_000), from: "producer", to: ["consumer"]),
            content: .request(Command(.query, .features([])))
        )
        let text = OpenC2Encoder().string(message)
        #expect(text == #"{"headers":{"request_id":"d1ac0489-ed51-4345-9175-f3078f30afe5","created":1545257700000,"from":"producer","to":["consumer"]},"body":{"openc2":{"request":{"action":"query","target":{"features":[]}}}}}"#)
        let decoder = OpenC2Decoder()
        #expect(try decoder.decode(OpenC2Document.self, from: text) == .message(message))
        #expect(try decoder.decode(OpenC2Document.self, from: #"{"status":200}"#) == .response(Response(.ok)))
        #expect(try decoder.decode(OpenC2Document.self, from: #"{"action":"query","target":{"features":[]}}"#) == .command(Command(.query, .features([]))))
    }
}
