import ArgumentParser
import LinuxKernel
import FoundationEssentials
import Reconciler

extension Reconcile {
  /// The default action: observe, plan, apply, verify.
  struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
      // Named here: deriving the name from the type costs a scan of every conformance.
      commandName: "apply",
      abstract: "Observe, plan and apply; then verify with a fresh observation (the default).",
      version: Reconcile.version)

    @OptionGroup var manifestOptions: ManifestOptions
    @OptionGroup var output: OutputOptions

    @Flag(help: "Observe and print the plan; change nothing at all.")
    var dryRun = false

    @Option(
      name: .customLong("instance"),
      help: ArgumentHelp(
        "Act only on this instance's declared targets (repeatable). Orphans are left to full runs.",
        valueName: "name"))
    var instances: [String] = []

    @Option(help: ArgumentHelp("Plan against this saved mount table (implies --dry-run).", valueName: "file"))
    var mountinfo: String?

    @Option(help: ArgumentHelp("Seconds to wait for another run's lock before exiting 75.", valueName: "seconds"))
    var lockTimeout: Double = 30

    @Option(
      help: ArgumentHelp(
        "After the run, write Prometheus metrics here (textfile collector format), atomically.",
        valueName: "path"))
    var metricsFile: String?

    @Option(
      help: ArgumentHelp(
        "Join this mount namespace first, e.g. /proc/1/ns/mnt, to act on the host's mounts from inside a unit's private namespace.",
        valueName: "path"))
    var mountNamespace: String?

    func validate() throws {
      guard lockTimeout >= 0 else { throw ValidationError("--lock-timeout must not be negative") }
      for name in instances where name.isEmpty || name.contains("/") {
        throw ValidationError("'\(name)' is not an instance name")
      }
    }

    func run() throws {
      // A saved table is planned without the kernel.
      if mountinfo == nil { try KernelFloor.check() }
      if let path = mountNamespace {
        do {
          try Namespaces.join(mountNamespace: path)
        } catch {
          Log.error("cannot join mount namespace: \(error)")
          throw ExitCode(ExitStatus.error.rawValue)
        }
      }
      let options = RunOptions(
        configFile: manifestOptions.config, dryRun: dryRun, instances: instances,
        mountInfoPath: mountinfo, lockTimeout: lockTimeout, migrationProgress: Progress.reporter(),
        metricsFile: metricsFile,
        commandLine: (["reconcile"] + instances.flatMap { ["--instance", $0] }).joined(separator: " "))
      let report = ReconcileRun.run(options, progress: Log.stepProgress)
      Progress.finish()
      try output.print(report)
      throw ExitCode(report.exitStatus.rawValue)
    }
  }
}
