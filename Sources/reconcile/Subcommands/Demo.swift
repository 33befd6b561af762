import ArgumentParser
import FoundationEssentials
import Reconciler

extension Reconcile {
  /// `reconcile demo`: the seeds' broken host, fixed in front of you.
  struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
      // Named here: deriving the name from the type costs a scan of every conformance.
      commandName: "demo",
      abstract: "Show reconcile repairing a throwaway left4me host (needs root).",
      discussion: """
        Builds a left4me tree on a tmpfs in a private mount namespace, recreates the broken \
        states the old helpers left (stacked idmap binds, a leaked staging bind, a stale \
        overlay, a tainted upperdir, a build holding its lease), then shows the dry-run plan, \
        the apply, the steady state and a run that does nothing. Nothing outside its \
        namespace and temporary directory changes.
        """,
      version: Reconcile.version)

    func run() throws {
      try KernelFloor.check()
      let ok = try DemoScript().run()
      throw ExitCode(ok ? 0 : 1)
    }
  }
}
