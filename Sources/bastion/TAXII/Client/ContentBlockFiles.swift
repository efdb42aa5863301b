import ArgumentParser
import Foundation
import TAXII

/// What to do when a content block's file exists (libtaxii's `--write`).
enum WriteMode: String, ExpressibleByArgument, CaseIterable {
    /// Overwrite it (the default).
    case clobber
    /// Keep it; write nothing for that block.
    case skip
    /// Ask on the terminal.
    case prompt
    /// Write no files at all.
    case none
}

/// Writes content blocks to files named as libtaxii's scripts name them:
/// `<collection><format><t|s><timestamp>` plus `.xml` for STIX bindings, where the format is
/// `_STIX11_` and the like for STIX bindings (nothing otherwise), and the timestamp is the block's
/// timestamp label (`t…`) or the current local time (`s…`), every character but ASCII letters and
/// digits replaced by `_`.
///
/// Unlike libtaxii, a collection name cannot leave the directory (`/` and `\` become `_`), a
/// name already written in this run gets a `-2`, `-3`, … suffix instead of overwriting the block
/// before, and a directory that does not exist is made.
struct ContentBlockFiles {
    /// One block to write.
    struct Block {
        var bindingID: String
        var content: String
        var timestampLabel: TAXII.Timestamp?
    }

    let directory: String
    let mode: WriteMode
    /// Where the "File created: …" lines go.
    let report: (String) -> Void
    private var used: Set<String> = []

    init(directory: String, mode: WriteMode, report: @escaping (String) -> Void) {
        self.directory = directory
        self.mode = mode
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
    static func fileName(collection: String, block: Block, now: Date = Date()) -> String {
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

    /// Writes `blocks` of `collection` as the mode says, reporting each file.
    mutating func write(_ blocks: [Block], collection: String) throws {
        for block in blocks {
            var name = Self.fileName(collection: collection, block: block)
            var suffix = 2
            while used.contains(name) {
                let (_, ext) = Self.format(of: block.bindingID)
                name = String(Self.fileName(collection: collection, block: block).dropLast(ext.count)) + "-\(suffix)" + ext
                suffix += 1
            }
            used.insert(name)
            let path = directory.isEmpty ? name : (directory as NSString).appendingPathComponent(name)
            let exists = FileManager.default.fileExists(atPath: path)
            let write: Bool
            switch mode {
            case .clobber: write = true
            case .none, .skip: write = mode == .skip && !exists
            case .prompt: write = !exists || Self.confirm("Overwrite file (\(path))? (y/n): ")
            }
            guard write else {
                report("File write skipped: \(path)")
                continue
            }
            do {
                // Unlike libtaxii, a --dest-dir that does not exist yet is made.
                if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
                try Data(block.content.utf8).write(to: URL(fileURLWithPath: path))
            } catch {
                throw TAXIIOutput.failure("cannot write \(path): \(error.localizedDescription)")
            }
            report((exists ? "File overwritten: " : "File created: ") + path)
        }
    }

    /// Asks until the answer is y or n.
    static func confirm(_ question: String) -> Bool {
        while true {
            FileHandle.standardError.write(Data(question.utf8))
            guard let answer = readLine() else { return false }
            if answer == "y" { return true }
            if answer == "n" { return false }
        }
    }
}
