/// A failure at run time (a bad settings file, an unusable PKI directory, an invalid Command):
/// printed as `Error: <description>` without the usage text argument errors get.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
