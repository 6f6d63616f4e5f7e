import PackagePlugin

/// Turns `Accounts/Resources/common-passwords.txt` into `CommonPasswords.rawList` at build
/// time, so the data file is the only copy in git and the list still ships in the binary.
@main
struct EmbedCommonPasswords: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let input = target.directoryURL.appending(path: "Accounts/Resources/common-passwords.txt")
        let output = context.pluginWorkDirectoryURL.appending(path: "CommonPasswords+List.swift")
        return [
            .buildCommand(
                displayName: "Embedding the common-password list",
                executable: try context.tool(named: "embed-text").url,
                arguments: [input.path(), output.path(), "CommonPasswords", "rawList"],
                inputFiles: [input],
                outputFiles: [output]
            )
        ]
    }
}
