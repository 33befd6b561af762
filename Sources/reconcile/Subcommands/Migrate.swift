import ArgumentParser
import FoundationEssentials
import Reconciler

extension Reconcile {
  /// `reconcile migrate`: the deploy-time entry point for one-shot migrations.
  struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
      // Named here: deriving the name from the type costs a scan of every conformance.
      commandName: "migrate",
      abstract: "Run pending one-shot migrations only (the deploy-time entry point).",
      discussion: """
        A migration re-owns what one user owns in a tree, once, and records it under the \
        state directory; a recorded migration costs nothing later. It never runs while a \
        build holds a lease. Exit 0 when done (or nothing was pending); 75 when still \
        deferred by a held lease (after --wait); 1 on error; with --dry-run, 2 when \
        something would change.
        """,
      version: Reconcile.version)

    @OptionGroup var manifestOptions: ManifestOptions
    @OptionGroup var output: OutputOptions

    @Flag(help: "Count what would change; change nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("Seconds to wait for held leases to be released.", valueName: "seconds"))
    var wait: Double = 0

    @Option(help: ArgumentHelp("Seconds to wait for another run's lock before exiting 75.", valueName: "seconds"))
    var lockTimeout: Double = 30

    func validate() throws {
      guard wait >= 0, lockTimeout >= 0 else { throw ValidationError("--wait and --lock-timeout must not be negative") }
    }

    func run() throws {
      try KernelFloor.check()
      let options = RunOptions(
        configFile: manifestOptions.config, dryRun: dryRun, lockTimeout: lockTimeout, leaseWait: wait,
        migrationProgress: Progress.reporter(), commandLine: "reconcile migrate")
      let report = MigrateRun.run(options, progress: Log.stepProgress)
      Progress.finish()
      try output.print(report)
      throw ExitCode(report.exitStatus.rawValue)
    }
  }
}
