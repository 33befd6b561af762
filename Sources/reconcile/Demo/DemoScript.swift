import FoundationEssentials
import LinuxKernel
import Reconciler
import SystemPackage
import SeedHost

/// The demo's story, told in numbered chapters on stdout.
struct DemoScript {
  func run() throws -> Bool {
    guard CurrentProcess.userID == 0 else {
      Log.error("reconcile demo needs root (it mounts, in a private mount namespace)")
      return false
    }
    do {
      try Namespaces.enterPrivateMountNamespace()
    } catch {
      Log.error("cannot make a private mount namespace: \(error)")
      return false
    }
    let base = try makeTemporaryDirectory()
    let onTmpfs = try mountScratch(at: base)
    defer { cleanUp(base, onTmpfs: onTmpfs) }
    let host = SeedHost(base: base)
    try host.build()
    let lease = try host.breakIt()

    heading("reconcile demo: a left4me host after months of imperative mount helpers")
    say(
      "Root \(host.root), on \(onTmpfs ? "a tmpfs" : "a directory bound onto itself") in a private mount namespace.\n")
    chapter(1, "The broken state")
    say(
      """
      runtime/2/idmap/overlays_9  a legacy idmap bind, stacked once per restart (st_dev missed it)
      tmp/sandbox-idmap-9         a staging bind left by a SIGKILLed build; nobody holds its lock
      tmp/sandbox-idmap-4         a build still running: its lock file is held
      runtime/1/merged            overlay mounted from an older manifest (one layer short)
      runtime/2/merged, build     not mounted at all
      runtime/3/upper             carries user.fuseoverlayfs.* xattrs from the fuse era
      overlays/12                 built by the sandbox uid (981) before the idmap: needs a one-shot chown

      """)
    say(MountListing.render(below: host.root, filesystemBase: base))

    chapter(2, "The plan: reconcile --dry-run")
    let plan = runReconcile(host, dryRun: true)
    chapter(3, "Apply: reconcile")
    let applied = runReconcile(host, dryRun: false)
    say("Mounts now:")
    say(MountListing.render(below: host.root, filesystemBase: base))
    say(
      """
      The build's staging bind stayed: its lease is held, and so the ownership migration \
      waits too. Instance 3 stayed unmounted: its upperdir is refused.

      """)

    chapter(4, "The operator cleans instance 3's upperdir; the build finishes")
    try host.cleanTaintedUpperdir()
    lease.release()
    say("removed user.fuseoverlayfs.origin from runtime/3/upper; released tmp/sandbox-idmap-4.lock\n")
    let second = runReconcile(host, dryRun: false)
    say("Mounts now:")
    say(MountListing.render(below: host.root, filesystemBase: base))
    say(
      "overlays/12 is now owned by \(ownerOf(host.root + "/overlays/12/left4dead2/cfg/sourcemod/built.cfg")); the migration is recorded in .reconcile/migrations/.\n"
    )

    chapter(5, "Steady state: one more run does nothing")
    let third = runReconcile(host, dryRun: false)
    let ok =
      plan.exitStatus == .error && applied.exitStatus == .error
      && second.exitStatus == .converged && third.exitStatus == .converged && third.outcomes.isEmpty
    say(ok ? "Demo complete: converged, and the last run changed nothing." : "Demo did not go as expected; see above.")
    return ok
  }

  private func runReconcile(_ host: SeedHost, dryRun: Bool) -> RunReport {
    say("$ reconcile\(dryRun ? " --dry-run" : "") --config \(host.config)")
    let report = ReconcileRun.run(RunOptions(configFile: host.config, dryRun: dryRun))
    let text = TextReport.render(report).replacing(host.root + "/", with: "")
    say(text.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n")
    return report
  }

  private func ownerOf(_ path: String) -> String {
    guard let status = try? Files.linkStatus(FilePath(path)) else { return "?" }
    return "\(status.userID.rawValue):\(status.groupID.rawValue)"
  }

  private func makeTemporaryDirectory() throws -> String {
    try Files.makeTemporaryDirectory("/tmp/reconcile-demo.XXXXXX").string
  }

  /// A tmpfs at `base` where tmpfs can carry what the seed host needs (`user.*`
  /// xattrs from 6.6, idmapped binds from 6.3); on older kernels `base` itself, bound
  /// onto itself so that everything below it still goes with one detach. Returns
  /// whether it is a tmpfs.
  private func mountScratch(at base: String) throws -> Bool {
    try HostFixture.mountTmpfs(at: base)
    do {
      try HostFixture.setXattr(base, name: "user.reconcile-demo", value: "1")
      try HostFixture.removeXattr(base, name: "user.reconcile-demo")
      return true
    } catch {
      try HostFixture.unmount(base)
      try HostFixture.bind(base, at: base)
      return false
    }
  }

  private func cleanUp(_ base: String, onTmpfs: Bool) {
    // The namespace dies with the process; detaching the base takes every mount below
    // it along, and what is left is the temporary directory (with files, when it was
    // not a tmpfs).
    try? HostFixture.unmount(base, detach: true)
    if onTmpfs {
      try? Files.removeDirectory(FilePath(base))
    } else {
      try? FileManager.default.removeItem(atPath: base)
    }
  }

  private func heading(_ text: String) { say(text + "\n" + String(repeating: "=", count: text.count)) }

  private func chapter(_ number: Int, _ title: String) { say("\(number). \(title)\n") }

  private func say(_ text: String) { print(text) }
}
