import ArgumentParser

@main
struct Deft: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deft",
        abstract: "See which tokens DeFT keeps, prunes and reconstructs — and why.",
        subcommands: []
    )
}
