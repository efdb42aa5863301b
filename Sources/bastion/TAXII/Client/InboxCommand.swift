import ArgumentParser
import Foundation
import TAXII

/// `bastion taxii inbox` (libtaxii's inbox_client and inbox_client_10)
struct TAXIIInboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "Push one content block to an Inbox Service.",
        discussion: """
        The content is --content-file (XML is sent as XML, anything else as text) or, by default, a
        built-in STIX 1.1 document, with content binding STIX XML 1.1 unless told otherwise.
        Exit status: 0 when the service answers SUCCESS, 1 for another status, 3 when no usable reply came.
        """
    )

    @OptionGroup var connection: TAXIIClientOptions

    @Option(name: .customLong("content-binding"), help: ArgumentHelp("The content block's binding.", valueName: "binding"))
    var contentBinding: String = TAXII.ContentBindingID.stixXML11

    @Option(help: ArgumentHelp("A subtype of the content binding (TAXII 1.1).", valueName: "subtype"))
    var subtype: String?

    @Option(name: .customLong("content-file"), help: ArgumentHelp("The content to send; - reads standard input (default: a built-in STIX 1.1 document).", valueName: "file"))
    var contentFile: String?

    @Option(help: ArgumentHelp("A destination collection name (TAXII 1.1).", valueName: "collection"))
    var dcn: String?

    func validate() throws {
        if connection.version == .v10, subtype != nil || dcn != nil { throw ValidationError("--subtype and --dcn need TAXII 1.1") }
    }

    func run() async throws {
        let text: String
        if let contentFile {
            do {
                text = String(decoding: try TAXIIConvertCommand.read(contentFile), as: UTF8.self)
            } catch {
                throw TAXIIOutput.failure("cannot read \(contentFile): \(error.localizedDescription)")
            }
        } else {
            text = BuiltInSTIX.document
        }
        let binding = TAXII11.ContentBinding(contentBinding, subtypeIDs: subtype.map { [$0] } ?? [])
        let block = (try? TAXII11.ContentBlock(contentBinding: binding, xml: Self.withoutDeclaration(text)))
            ?? TAXII11.ContentBlock(contentBinding: binding, content: .text(text))
        let request: TAXII.Message = switch connection.version {
        case .v11: .taxii11(.inboxMessage(TAXII11.InboxMessage(destinationCollectionNames: dcn.map { [$0] } ?? [], contentBlocks: [block])))
        case .v10: .taxii10(.inboxMessage(TAXII10.InboxMessage(contentBlocks: [TAXII10.ContentBlock(contentBinding: contentBinding, content: block.content)])))
        }
        try await connection.send(request)
    }

    /// The document without a leading XML declaration (a content block holds an element).
    static func withoutDeclaration(_ text: String) -> String {
        let trimmed = text.drop { $0.isWhitespace }
        guard trimmed.hasPrefix("<?xml"), let end = trimmed.range(of: "?>") else { return text }
        return String(trimmed[end.upperBound...])
    }
}
