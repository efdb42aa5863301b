import Foundation
import Testing
@testable import BastionXML

/// Parsing from many tasks at once, and the 26 KB Poll Response sample.
@Suite struct ConcurrencyAndSpeedTests {
    @Test func parsesConcurrentlyWithIndependentResults() async throws {
        let good = try Support.fixtureText("poll_response.xml")
        let expected = try XMLReader().parse(good)
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<32 {
                group.addTask {
                    if index.isMultiple(of: 2) {
                        return (try? XMLReader().parse(good)) == expected
                    }
                    // Errors on other threads must stay with their own parse.
                    do throws(XMLError) {
                        _ = try XMLReader().parse("<a>\n<b></c></a>")
                        return false
                    } catch {
                        return error.kind == .malformed && error.line == 2
                    }
                }
            }
            var all: [Bool] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 32)
        #expect(results.allSatisfy { $0 })
    }

    @Test func pollResponseParsesAndWritesBack() throws {
        let text = try Support.fixtureText("poll_response.xml")
        #expect(text.utf8.count > 25_000)
        let reader = XMLReader()
        let root = try reader.parse(text)
        let written = try root.outerXML()
        #expect(try reader.parse(written) == root)
    }
}
