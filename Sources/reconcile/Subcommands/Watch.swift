import ArgumentParser
import LinuxKernel
import Reconciler

extension Reconcile {
  /// `reconcile watch`: a full run whenever something it depends on may have changed.
  struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "watch",
      abstract: "Stay running; make the timer's full run whenever mounts, manifests or leases may have changed.",
      discussion: """
        Reacts to the mount table (fanotify mount events on 6.15+, POLLPRI on /proc/self/mountinfo \
        everywhere), the config and instances directory, and lease lock files (inotify), coalescing \
        bursts and ending each with a run; runs every 10 minutes besides. Speaks sd_notify \
        (Type=notify, READY, STATUS, WATCHDOG, STOPPING). SIGTERM ends it between runs.
        """,
      version: Reconcile.version)

    @OptionGroup var manifestOptions: ManifestOptions

    @Option(
      help: ArgumentHelp(
        "Join this mount namespace first, e.g. /proc/1/ns/mnt, and watch and act on it.", valueName: "path"))
    var mountNamespace: String?

    @Option(help: ArgumentHelp("After every run, write Prometheus metrics here, atomically.", valueName: "path"))
    var metricsFile: String?

    @Flag(
      name: .customLong("poll-only"),
      help: ArgumentHelp(
        "Watch the mount table by POLLPRI on mountinfo alone, as on kernels before 6.15 (for tests and benchmarks).",
        visibility: .hidden))
    var pollOnly = false

    func run() throws {
      try KernelFloor.check()
      try MountNamespaceJoin.join(mountNamespace)
      var options = WatchOptions(configFile: manifestOptions.config, metricsFile: metricsFile)
      options.useFanotify = !pollOnly
      let watcher = Watcher(options: options, notify: NotifySocket.fromEnvironment) { line in
        line.hasPrefix("error: ") ? Log.error(String(line.dropFirst(7))) : Log.info(line)
      }
      throw ExitCode(watcher.run().rawValue)
    }
  }
}
