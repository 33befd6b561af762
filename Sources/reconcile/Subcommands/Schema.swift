import ArgumentParser
import StateModel

extension Reconcile {
  /// `reconcile schema site|instance`: prints a manifest's JSON Schema, made from the
  /// decoder's key tables. Hidden: `schema/` holds the output, and a test keeps the two equal.
  struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "schema",
      abstract: "Print the JSON Schema (draft 2020-12) of the site config or an instance manifest.",
      version: Reconcile.version, shouldDisplay: false)

    enum Kind: String, ExpressibleByArgument, CaseIterable {
      case site
      case instance
    }

    @Argument(help: "site or instance") var kind: Kind

    func run() {
      switch kind {
      case .site: print(ManifestSchema.site, terminator: "")
      case .instance: print(ManifestSchema.instance, terminator: "")
      }
    }
  }
}
