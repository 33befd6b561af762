import LinuxKernel
import StateModel
import SystemPackage

/// The watcher's event sources, and what one look at them found.
final class WatchSources {
  /// What happened since the last look, sorted by what it asks of the watcher.
  struct Findings {
    /// Events read, of every kind (for the statistics).
    var count = 0
    /// The config or a manifest changed: run (the watcher's runs never write them).
    var manifests = false
    /// The mount table or a lease may have changed: compare `WatchedState`, run if it differs.
    var mountsOrLeases = false
    /// Which of the two, for the log and status.json.
    var leases = false
    /// SIGTERM, SIGINT or SIGHUP arrived.
    var terminate = false
  }

  private enum WatchKind {
    case configDirectory, instances, leases
  }

  let signals: TerminationSignals
  /// `/proc/self/mountinfo`, open only to be polled: `POLLPRI` says the table changed.
  private let mountTable: FileDescriptor
  /// fanotify mount events (6.15+), nil on older kernels or when turned off.
  private(set) var fanotify: FanotifyMounts?
  private let inotify: Inotify
  private var watches: [Int32: WatchKind] = [:]
  /// A directory could not be watched yet (it does not exist): try again next time.
  private var watchMissing = true
  private var filter = MountEventFilter()
  private(set) var targets: WatchTargets
  /// Why fanotify is not used, for the start-up log.
  private(set) var fanotifyUnavailable: String?

  init(targets: WatchTargets, useFanotify: Bool) throws(KernelError) {
    signals = try TerminationSignals()
    mountTable = try Files.openForReading("/proc/self/mountinfo")
    inotify = try Inotify()
    self.targets = targets
    if useFanotify {
      do {
        fanotify = try FanotifyMounts(namespacePath: "/proc/self/ns/mnt")
      } catch {
        fanotifyUnavailable = error.description
      }
    } else {
      fanotifyUnavailable = "turned off"
    }
    retarget(targets)
  }

  /// Watches what `targets` names; directories that do not exist yet are tried again
  /// at the next retarget (after every run).
  func retarget(_ new: WatchTargets) {
    // The same targets, all watched: nothing to do (and no window without a watch).
    if new == targets && !watchMissing { return }
    if new.root != targets.root { filter.reset() }
    targets = new
    for watch in watches.keys { inotify.removeWatch(watch) }
    watches = [:]
    watchMissing = false
    let files: Inotify.Mask = [.closeWrite, .movedTo, .movedFrom, .create, .delete, .attributes, .selfGone]
    add(new.configFile.removingLastComponent(), files, as: .configDirectory)
    if let directory = new.instancesDirectory { add(directory, files, as: .instances) }
    for directory in new.leaseDirectories {
      add(directory, [.closeWrite, .closeNoWrite, .delete, .movedFrom, .movedTo, .selfGone], as: .leases)
    }
  }

  private func add(_ directory: FilePath, _ mask: Inotify.Mask, as kind: WatchKind) {
    if let watch = try? inotify.addWatch(directory, mask) {
      watches[watch] = kind
    } else {
      watchMissing = true
    }
  }

  /// Waits up to `timeout` seconds (nil: no limit) for anything, sampling the mount
  /// table only when `sampleMounts` (see `WatchOptions.mountSampleInterval`).
  func wait(timeout: Double?, sampleMounts: Bool) throws(KernelError) -> Findings {
    var descriptors: [(FileDescriptor, Poll.Events)] = [
      (signals.descriptor, .readable), (inotify.descriptor, .readable),
    ]
    if sampleMounts {
      descriptors.append((mountTable, .priority))
      if let fanotify { descriptors.append((fanotify.descriptor, .readable)) }
    }
    let ready = try Poll.wait(descriptors, timeout: timeout)
    return try collect(signal: !ready[0].isEmpty, inotify: !ready[1].isEmpty, table: sampleMounts && !ready[2].isEmpty)
  }

  /// Reads everything queued now without waiting (after a run: what it, or anyone
  /// meanwhile, caused). Resets the table's `POLLPRI`.
  func drain() throws(KernelError) -> Findings {
    var descriptors: [(FileDescriptor, Poll.Events)] = [
      (signals.descriptor, .readable), (inotify.descriptor, .readable),
    ]
    descriptors.append((mountTable, .priority))
    let ready = try Poll.wait(descriptors, timeout: 0)
    return try collect(signal: !ready[0].isEmpty, inotify: !ready[1].isEmpty, table: !ready[2].isEmpty)
  }

  private func collect(signal: Bool, inotify inotifyReady: Bool, table: Bool) throws(KernelError) -> Findings {
    var findings = Findings()
    if signal, try signals.next() != nil { findings.terminate = true }
    if inotifyReady {
      for event in try inotify.read() {
        findings.count += 1
        classify(event, into: &findings)
      }
    }
    var mountEvents: [FanotifyMounts.Event] = []
    if let fanotify {
      mountEvents = try fanotify.read()
      findings.count += mountEvents.count
      if filter.anyRelevant(mountEvents, targets: targets) { findings.mountsOrLeases = true }
    }
    if table {
      findings.count += 1
      // With fanotify, a change the attach and detach events explain is judged by
      // them; one they do not explain (a remount, a propagation change) is looked at.
      if fanotify == nil || mountEvents.isEmpty { findings.mountsOrLeases = true }
    }
    return findings
  }

  private func classify(_ event: Inotify.Event, into findings: inout Findings) {
    if event.mask.contains(.overflow) {
      findings.manifests = true
      return
    }
    if !event.mask.isDisjoint(with: [.selfGone, .ignored]), watches.removeValue(forKey: event.watch) != nil {
      // Its directory went away: watch it again after the next run, once it is back.
      watchMissing = true
      findings.manifests = true
      return
    }
    switch watches[event.watch] {
    case .configDirectory:
      let name = targets.configFile.lastComponent?.string
      if event.name == name || event.mask.contains(.isDirectory) || !event.mask.isDisjoint(with: .selfGone) {
        findings.manifests = true
      }
    case .instances:
      let manifest = event.name.hasSuffix(".yaml") && !event.name.hasPrefix(".")
      if manifest || !event.mask.isDisjoint(with: .selfGone) { findings.manifests = true }
    case .leases:
      if !event.name.isEmpty || !event.mask.isDisjoint(with: .selfGone) {
        findings.mountsOrLeases = true
        findings.leases = true
      }
    case nil: break
    }
  }
}
