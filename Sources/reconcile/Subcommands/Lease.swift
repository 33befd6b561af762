import ArgumentParser
import LinuxKernel
import Reconciler
import StateModel
import SystemPackage

extension Reconcile {
  /// `reconcile lease --hold PATH -- COMMAND...`: a hook's build lease, taken safely.
  struct Lease: ParsableCommand {
    static let configuration = CommandConfiguration(
      // Named here: deriving the name from the type costs a scan of every conformance.
      commandName: "lease",
      abstract: "Hold a build's lease lock while a command runs.",
      usage: "reconcile lease --hold PATH [--config FILE] -- COMMAND [ARGS...]",
      discussion: """
        Takes an exclusive flock on PATH, a lock file one of the site config's lease rules \
        names (absolute, or relative to root), then executes COMMAND with the lock open (its \
        descriptor number in RECONCILE_LEASE_FD), so the lease lives exactly as long as the \
        command and whatever inherits it. The file is \
        reached beneath root without following a symlink, created if missing and never \
        truncated, and refused unless it is a regular file with one link: the lock directory \
        may be another user's. Exit 75 when another build holds the lease, 1 when PATH is \
        refused, 64 on a usage error; otherwise the command's own exit status.
        """,
      version: Reconcile.version)

    @OptionGroup var manifestOptions: ManifestOptions

    @Option(help: ArgumentHelp("The lease's lock file.", valueName: "path"))
    var hold: String

    @Argument(
      parsing: .postTerminator, help: ArgumentHelp("The command to run holding the lease.", valueName: "command"))
    var command: [String] = []

    func validate() throws {
      guard !command.isEmpty else { throw ValidationError("give the command to run after --") }
    }

    func run() throws {
      let config: SiteConfig
      do {
        config = try ManifestLoader(configFile: manifestOptions.config).load().config
      } catch {
        Log.error("reconcile lease: \(error)")
        throw ExitCode(ExitStatus.error.rawValue)
      }
      let lease: (fd: FileDescriptor, path: String)
      do {
        lease = try LeaseLock.take(hold, config: config)
      } catch {
        Log.error("reconcile lease: \(error)")
        if case .leaseHeld = error { throw ExitCode(ExitStatus.temporary.rawValue) }
        throw ExitCode(ExitStatus.error.rawValue)
      }
      let failure = CurrentProcess.execute(command, keepingOpen: lease.fd, as: "RECONCILE_LEASE_FD")
      Log.error("reconcile lease: cannot run \(command[0]): \(failure)")
      throw ExitCode(127)
    }
  }
}
