import Foundation
import OpenC2
import OpenC2SLPF
import Testing

/// The corpus under Fixtures/: every example of the Language and SLPF specifications (and the
/// HTTPS transfers) plus our own, and invalid documents that each break one rule.
enum Corpus {
    static let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    static let decoder = OpenC2Decoder(profiles: [SLPFProfile()])

    static func files(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
        return names.filter { $0.hasSuffix(".json") && $0 != "expectations.json" }.sorted()
    }

    static func bytes(_ folder: String, _ name: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(folder).appendingPathComponent(name))
    }

    /// Decodes as the kind the file name or manifest names.
    static func decode(_ data: Data, as kind: String) throws(OpenC2Error) -> any OpenC2Codable {
        switch kind {
        case "command": try decoder.decode(Command.self, from: data)
        case "response": try decoder.decode(Response.self, from: data)
        case "message": try decoder.decode(Message.self, from: data)
        default: try decoder.decode(OpenC2Document.self, from: data)
        }
    }

    static func kind(ofValid name: String) -> String {
        let parts = name.split(separator: ".")
        return parts.count >= 3 ? String(parts[parts.count - 2]) : "auto"
    }

    struct Expectation: Decodable {
        let `as`: String
        let code: String
        let path: String
        let why: String?
    }

    static let expectations: [String: Expectation] = {
        guard let data = try? bytes("invalid", "expectations.json") else { return [:] }
        return (try? JSONDecoder().decode([String: Expectation].self, from: data)) ?? [:]
    }()
}

@Suite("Spec corpus: valid documents")
struct ValidCorpusTests {
    @Test("the corpus has the spec annex examples and our own")
    func corpusIsThere() {
        let names = Corpus.files(in: "valid")
        #expect(names.count >= 60)
        #expect(names.contains { $0.hasPrefix("lang-") })
        #expect(names.contains { $0.hasPrefix("slpf-") })
    }

    @Test("decode → encode → decode is equal, and the canonical encoding is stable", arguments: Corpus.files(in: "valid"))
    func roundTrip(name: String) throws {
        let kind = Corpus.kind(ofValid: name)
        let data = try Corpus.bytes("valid", name)
        let first = try Corpus.decode(data, as: kind)
        let encoded = OpenC2Encoder().encode(first)
        let second = try Corpus.decode(Data(encoded), as: kind)
        #expect(first.json == second.json, "\(name) changed in a round trip")
        #expect(OpenC2Encoder().encode(second) == encoded, "\(name): canonical encoding is not stable")
        // Pretty and compact forms decode to the same value.
        let pretty = OpenC2Encoder(prettyPrinted: true).encode(first)
        #expect(try Corpus.decode(Data(pretty), as: kind).json == first.json)
        // The generic document decoder recognizes the same kind.
        let document = try Corpus.decoder.decode(OpenC2Document.self, from: data)
        #expect(document.kindName.lowercased() == kind)
    }
}

@Suite("Spec corpus: invalid documents")
struct InvalidCorpusTests {
    @Test("every invalid file has an expectation and there are at least 60")
    func manifestIsComplete() {
        let names = Set(Corpus.files(in: "invalid"))
        #expect(names.count >= 60)
        #expect(names == Set(Corpus.expectations.keys))
    }

    @Test("every error code is exercised by the corpus")
    func everyCodeCovered() {
        let covered = Set(Corpus.expectations.values.map(\.code))
        let missing = OpenC2Error.Code.allCases.map(\.rawValue).filter { !covered.contains($0) }
        #expect(missing.isEmpty, "codes without an invalid fixture: \(missing)")
    }

    @Test("each invalid document fails with the expected rule at the expected path", arguments: Corpus.files(in: "invalid"))
    func failsAsExpected(name: String) throws {
        let expectation = try #require(Corpus.expectations[name], "no expectation for \(name)")
        let data = try Corpus.bytes("invalid", name)
        do {
            _ = try Corpus.decode(data, as: expectation.as)
            Issue.record("\(name) decoded, but should fail with \(expectation.code) at '\(expectation.path)'")
        } catch {
            #expect(error.code.rawValue == expectation.code, "\(name): \(error)")
            #expect(error.path.description == expectation.path, "\(name): \(error)")
            #expect(!error.message.isEmpty)
        }
    }
}
