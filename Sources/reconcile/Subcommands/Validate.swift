import ArgumentParser
import Reconciler

extension Reconcile {
  /// `reconcile validate`: load and validate everything, print every problem, touch nothing.
  struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
      // Named here: deriving the name from the type costs a scan of every conformance.
      commandName: "validate",
      abstract: "Check the site config and every manifest; print every problem; change nothing.",
      discussion: """
        Errors: the config or a manifest is invalid, or unusable on this host (a lowerdir \
        escaping its root, a tainted upperdir). Warnings: something that cannot be checked on \
        this host (a directory or user that does not exist here). Exit 0 without errors, 1 \
        otherwise.
        """,
      version: Reconcile.version)

    @OptionGroup var manifestOptions: ManifestOptions

    func run() throws {
      try KernelFloor.check()
      let outcome = Validation.run(configFile: manifestOptions.config)
      for problem in outcome.problems { print("- error: \(problem)") }
      for warning in outcome.warnings { print("- warning: \(warning)") }
      let accepted = outcome.accepted.isEmpty ? "none" : outcome.accepted.joined(separator: ", ")
      print("Accepted instances: \(accepted)")
      if !outcome.refused.isEmpty { print("Refused instances: \(outcome.refused.joined(separator: ", "))") }
      print(outcome.ok ? "Valid." : "Invalid: \(outcome.problems.count) problem(s).")
      throw ExitCode(outcome.ok ? 0 : 1)
    }
  }
}
