import ArgumentParser
import Reconciler

/// `reconcile`: observe, plan and apply the mounts the manifests ask for.
@main
struct Reconcile: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Keep a host's mounts in the state its manifests declare.",
    discussion: """
      With no subcommand, reconcile observes /proc/self/mountinfo, plans the steps that \
      bring the host to what the site config and instance manifests declare (unmount \
      stacked and orphan mounts, mount what is missing), applies them, and verifies the \
      result with a fresh observation.

      Exit codes: 0 converged; 1 an error (a manifest rejected, an instance refused, a step \
      failed; other instances were still handled); 2 dry run with changes pending; 64 usage \
      error; 75 temporary (another run holds the lock, or a migration waits for a build's \
      lease).
      """,
    version: "0.1.0",
    subcommands: [Migrate.self, Validate.self, Demo.self])

  @OptionGroup var manifestOptions: ManifestOptions
  @OptionGroup var output: OutputOptions

  @Flag(help: "Observe and print the plan; change nothing at all.")
  var dryRun = false

  @Option(name: .customLong("instance"), help: ArgumentHelp(
    "Act only on this instance's declared targets (repeatable). Orphans are left to full runs.",
    valueName: "name"))
  var instances: [String] = []

  @Option(help: ArgumentHelp("Plan against this saved mount table (implies --dry-run).", valueName: "file"))
  var mountinfo: String?

  @Option(help: ArgumentHelp("Seconds to wait for another run's lock before exiting 75.", valueName: "seconds"))
  var lockTimeout: Double = 30

  @Option(help: ArgumentHelp(
    "After the run, write Prometheus metrics here (textfile collector format), atomically.",
    valueName: "path"))
  var metricsFile: String?

  @Option(help: ArgumentHelp(
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
    if let path = mountNamespace, case .failure(let error) = Namespaces.join(mountNamespace: path) {
      Log.error("cannot join mount namespace: \(error)")
      throw ExitCode(ExitStatus.error.rawValue)
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
