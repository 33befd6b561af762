// The start-up floor with the argument parser added: a root command with a version
// and a default subcommand with one flag and one option, the shape `reconcile
// --version` parses through, and nothing of reconcile's.
import ArgumentParser
import FoundationEssentials

struct Floor: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "startup-floor-parser", version: "0.1.0",
    subcommands: [Apply.self, Validate.self], defaultSubcommand: Apply.self)

  struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(version: "0.1.0")
    @Flag(help: "Plan only.") var dryRun = false
    @Option(help: "The site config.") var config: String?

    func run() throws {
      let encoded = try JSONEncoder().encode(["config": config ?? "", "dryRun": "\(dryRun)"])
      print(String(decoding: encoded, as: UTF8.self))
    }
  }

  struct Validate: ParsableCommand {
    @Option(help: "The site config.") var config: String?
  }
}

Floor.main()
