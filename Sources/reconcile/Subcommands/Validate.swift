import ArgumentParser
import Reconciler
import StateModel

extension Reconcile {
  /// `reconcile validate`: load and validate everything, print every problem, touch nothing.
  struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check the site config and every manifest; print every problem; change nothing.")

    @OptionGroup var manifestOptions: ManifestOptions

    func run() throws {
      let result = Validation.run(configFile: manifestOptions.config)
      print(result.text, terminator: "")
      throw ExitCode(result.ok ? 0 : 1)
    }
  }
}
