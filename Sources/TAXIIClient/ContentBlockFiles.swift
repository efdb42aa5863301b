import Foundation
import TAXII

/// Writes the content blocks of Poll Responses to files named as libtaxii's scripts name them:
/// `<collection><format><t|s><timestamp>` plus `.xml` for STIX bindings, where the format is
/// `_STIX11_` and the like for STIX bindings (nothing otherwise), and the timestamp is the block's
/// timestamp label (`t…`) or the current local time (`s…`), every character but ASCII letters and
/// digits replaced by `_`.
///
/// Unlike libtaxii, a collection name cannot leave the directory (`/` and `\` become `_`), a
/// name already written by this value gets a `-2`, `-3`, … suffix instead of overwriting the
/// block before, and a directory that does not exist is made.
///
/// ```swift
/// var files = ContentBlockFiles(directory: "blocks", report: { print($0) })
/// try await client.poll(url, request, allParts: true) { reply in try files.write(reply) }
/// ```
public struct ContentBlockFiles {
    /// What to do when a block's file exists (libtaxii's `--write`).
    public enum WriteMode: String, Sendable, CaseIterable {
        /// Overwrite it (the default).
        case clobber
        /// Keep it; write nothing for that block.
        case skip
        /// Ask (``ContentBlockFiles/init(directory:mode:confirm:report:)``'s `confirm`).
        case prompt
        /// Write no files at all.
        case none
    }

    /// One block to write.
    public struct Block: Sendable {
        public var bindingID: String
        public var content: String
        public var timestampLabel: TAXII.Timestamp?

        public init(bindingID: String, content: String, timestampLabel: TAXII.Timestamp?) {
            self.bindingID = bindingID
            self.content = content
            self.timestampLabel = timestampLabel
        }
    }

    /// A file could not be written.
    public struct WriteError: Error, CustomStringConvertible {
        /// The file.
        public let path: String
        /// One line: the file and the cause.
        public let description: String
    }

    /// The directory written to ("" for the current one).
    public let directory: String
    /// What happens to files that exist.
    public let mode: WriteMode
    private let confirm: (String) -> Bool
    private let report: (String) -> Void
    private var used: Set<String> = []

    /// Writes into `directory`; `confirm` answers the question asked in `.prompt` mode for a
    /// file that exists; `report` receives one line per block ("File created: …", "File
    /// overwritten: …", "File write skipped: …").
    public init(
        directory: String, mode: WriteMode = .clobber, confirm: @escaping (String) -> Bool = { _ in false },
        report: @escaping (String) -> Void = { _ in }
    ) {
        self.directory = directory
        self.mode = mode
        self.confirm = confirm
        self.report = report
    }

    /// The STIX format part and extension for a content binding.
    static func format(of bindingID: String) -> (part: String, ext: String) {
        let names = [
            TAXII.ContentBindingID.stixXML10: "STIX10", TAXII.ContentBindingID.stixXML101: "STIX101",
            TAXII.ContentBindingID.stixXML11: "STIX11", TAXII.ContentBindingID.stixXML111: "STIX111",
            TAXII.ContentBindingID.stixXML12: "STIX12",
        ]
        return names[bindingID].map { ("_\($0)_", ".xml") } ?? ("", "")
    }

    /// libtaxii's file name for a block of `collection`.
    public static func fileName(collection: String, block: Block, now: Date = Date()) -> String {
        let (part, ext) = format(of: block.bindingID)
        let date = block.timestampLabel.map { "t" + $0.isoFormat } ?? "s" + localISOFormat(now)
        let safeDate = String(date.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        var name = String(collection.drop { $0 == "." })
        name = String(name.map { $0 == "/" || $0 == "\\" || $0 == "\0" ? "_" : $0 })
        return name + part + safeDate + ext
    }

    /// Python's `datetime.now().isoformat()`: local time, microseconds when not zero, no offset.
    static func localISOFormat(_ date: Date) -> String {
        let components = Calendar.current.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(pad(components.year, 4))-\(pad(components.month, 2))-\(pad(components.day, 2))T"
        text += "\(pad(components.hour, 2)):\(pad(components.minute, 2)):\(pad(components.second, 2))"
        let microseconds = (components.nanosecond ?? 0) / 1000
        if microseconds != 0 { text += "." + pad(microseconds, 6) }
        return text
    }

    /// Writes the content blocks of `reply` if it is a Poll Response (either version); any other
    /// message writes nothing.
    public mutating func write(_ reply: TAXII.Message) throws(WriteError) {
        switch reply {
        case .taxii11(.pollResponse(let response)):
            try write(
                response.contentBlocks.map { Block(bindingID: $0.contentBinding.bindingID, content: $0.content.string, timestampLabel: $0.timestampLabel) },
                collection: response.collectionName
            )
        case .taxii10(.pollResponse(let response)):
            try write(
                response.contentBlocks.map { Block(bindingID: $0.contentBinding, content: $0.content.string, timestampLabel: $0.timestampLabel) },
                collection: response.feedName
            )
        default:
            break
        }
    }

    /// Writes `blocks` of `collection` as the mode says, reporting each file.
    public mutating func write(_ blocks: [Block], collection: String) throws(WriteError) {
        for block in blocks {
            let path = uniquePath(collection: collection, block: block)
            let exists = FileManager.default.fileExists(atPath: path)
            let write: Bool
            switch mode {
            case .clobber: write = true
            case .none: write = false
            case .skip: write = !exists
            case .prompt: write = !exists || confirm("Overwrite file (\(path))? (y/n): ")
            }
            guard write else {
                report("File write skipped: \(path)")
                continue
            }
            do {
                if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
                try Data(block.content.utf8).write(to: URL(fileURLWithPath: path))
            } catch {
                throw WriteError(path: path, description: "cannot write \(path): \(error.localizedDescription)")
            }
            report((exists ? "File overwritten: " : "File created: ") + path)
        }
    }

    /// The path for `block`: its libtaxii name, with a suffix when this value wrote that name before.
    private mutating func uniquePath(collection: String, block: Block) -> String {
        let base = Self.fileName(collection: collection, block: block)
        let ext = Self.format(of: block.bindingID).ext
        var name = base
        var suffix = 2
        while used.contains(name) {
            name = String(base.dropLast(ext.count)) + "-\(suffix)" + ext
            suffix += 1
        }
        used.insert(name)
        return directory.isEmpty ? name : (directory as NSString).appendingPathComponent(name)
    }
}
