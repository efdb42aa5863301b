import Foundation
@testable import TAXII

/// Test helpers: fixtures.
enum Support {
    static var fixturesURL: URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures") }

    /// The text of a file under `Fixtures/`.
    static func fixture(_ path: String) throws -> String {
        try String(contentsOf: fixturesURL.appendingPathComponent(path), encoding: .utf8)
    }

    /// The file names in a fixture folder, sorted.
    static func files(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixturesURL.appendingPathComponent(folder).path)) ?? []
        return names.filter { $0.hasSuffix(".xml") }.sorted()
    }

    /// The valid TAXII 1.1 fixtures (`Fixtures/valid`), by file name.
    static let validFixtures = files(in: "valid")

    /// The valid TAXII 1.0 fixtures (`Fixtures/valid10`), by file name.
    static let valid10Fixtures = files(in: "valid10")

    /// Every valid fixture of both versions, as `folder/name`.
    static let allValidFixtures = validFixtures.map { "valid/" + $0 } + valid10Fixtures.map { "valid10/" + $0 }

    /// Parses a valid fixture as a TAXII 1.1 message.
    static func message(_ name: String) throws -> TAXII11.Message {
        guard case .taxii11(let message) = try TAXII.message(fromXML: fixture("valid/" + name)) else {
            throw TAXIIError(.unknownMessageType, path: "", "not 1.1")
        }
        return message
    }

    /// Parses a valid TAXII 1.0 fixture.
    static func message10(_ name: String) throws -> TAXII10.Message {
        guard case .taxii10(let message) = try TAXII.message(fromXML: fixture("valid10/" + name)) else {
            throw TAXIIError(.unknownMessageType, path: "", "not 1.0")
        }
        return message
    }
}
