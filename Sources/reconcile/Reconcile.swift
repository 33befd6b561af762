import ArgumentParser
import LinuxKernel
import Reconciler

/// `reconcile`: observe, plan and apply the mounts the manifests ask for.
@main
struct Reconcile: ParsableCommand {
  /// Every subcommand carries it too: `reconcile --version` lands on the default
  /// subcommand, which must print it rather than run.
  static let version = "0.1.0"

  /// Refuses to start without /proc. The static Swift runtime reads its arguments
  /// from /proc/self/cmdline; without it (a bare chroot) they vanish and the default
  /// subcommand would apply, even where `--dry-run` was asked for. reconcile needs
  /// /proc for mountinfo and namespaces anyway.
  static func main() {
    guard (try? Files.openForReading("/proc/self/cmdline")).map({ try? $0.close() }) != nil else {
      StandardStreams.writeError("reconcile: /proc is not mounted; refusing to run without it\n")
      CurrentProcess.exit(ExitStatus.usage.rawValue)
    }
    CurrentProcess.fixFileCreationMask()
    main(nil)
  }

  static let configuration = CommandConfiguration(
    // Named here: deriving the name from the type costs a scan of every conformance.
    commandName: "reconcile",
    abstract: "Keep a host's mounts in the state its manifests declare.",
    usage: """
      reconcile [apply] [--dry-run] [--config FILE] [--instance NAME]... [--format text|json]
                [--mountinfo FILE] [--lock-timeout SECONDS] [--mount-namespace PATH] [--metrics-file PATH]
      reconcile migrate [--dry-run] [--config FILE] [--wait SECONDS] [--format text|json]
      reconcile validate [--config FILE]
      reconcile lease --hold PATH [--config FILE] -- COMMAND [ARGS...]
      reconcile demo
      """,
    discussion: """
      With no subcommand (or `apply`), reconcile observes /proc/self/mountinfo, plans the steps that \
      bring the host to what the site config and instance manifests declare (unmount \
      stacked and orphan mounts, mount what is missing), applies them, and verifies the \
      result with a fresh observation.

      Exit codes: 0 converged; 1 an error (a manifest rejected, an instance refused, a step \
      failed; other instances were still handled); 2 dry run with changes pending; 64 usage \
      error; 75 temporary (another run holds the lock, or a migration waits for a build's \
      lease).
      """,
    version: Reconcile.version,
    subcommands: [Apply.self, Migrate.self, Validate.self, Lease.self, Demo.self],
    defaultSubcommand: Apply.self)

}
