import ArgumentParser
import Reconciler

extension Reconcile {
  /// `reconcile validate`: load and validate everything, print every problem, touch nothing.
  struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check the site config and every manifest; print every problem; change nothing.",
      discussion: "Exit 0 when every instance would be accepted, 1 otherwise.")

    @OptionGroup var manifestOptions: ManifestOptions

    func run() throws {
      let outcome = Validation.run(configFile: manifestOptions.config)
      for problem in outcome.problems { print("- \(problem)") }
      let accepted = outcome.accepted.isEmpty ? "none" : outcome.accepted.joined(separator: ", ")
      print("Accepted instances: \(accepted)")
      if !outcome.refused.isEmpty { print("Refused instances: \(outcome.refused.joined(separator: ", "))") }
      print(outcome.ok ? "Valid." : "Invalid: \(outcome.problems.count) problem(s).")
      throw ExitCode(outcome.ok ? 0 : 1)
    }
  }
}
