import Foundation

/// libtaxii's `--from-file`: options read from the `[libtaxii]` section of an INI file
/// (`name = value` or `name: value`; `#` and `;` start comments), appended to the command line so
/// they take precedence over it, as in libtaxii. Names may use `_` for `-`; a flag is set by a
/// true value (`true`, `yes`, `1`, `on`) and left out otherwise.
enum OptionsFile {
    /// The flags (options without a value) of the TAXII client commands.
    static let flags: Set<String> = ["xml-output", "json", "insecure", "count-only", "all-parts", "allow-asynch"]

    /// `arguments` with the options of every `--from-file FILE` appended.
    static func expand(_ arguments: [String]) throws -> [String] {
        var extra: [String] = []
        for (index, argument) in arguments.enumerated() {
            let path: String?
            if argument == "--from-file" {
                path = index + 1 < arguments.count ? arguments[index + 1] : nil
            } else if argument.hasPrefix("--from-file=") {
                path = String(argument.dropFirst("--from-file=".count))
            } else {
                path = nil
            }
            guard let path else { continue }
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw CLIError("--from-file \(path): \(error.localizedDescription)")
            }
            extra += try options(in: text, file: path)
        }
        return arguments + extra
    }

    /// The command-line form of the `[libtaxii]` section of `text`.
    static func options(in text: String, file: String) throws -> [String] {
        var section: String?
        var result: [String] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard section == "libtaxii" else { continue }
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw CLIError("--from-file \(file):\(number + 1): expected name = value")
            }
            let name = line[..<separator].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "-")
            let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            if flags.contains(name) {
                if ["true", "yes", "1", "on"].contains(value.lowercased()) { result.append("--" + name) }
            } else {
                result += ["--" + name, value]
            }
        }
        return result
    }
}
