/// What the applier remembers between steps: which targets and mounts failed, so
/// that steps depending on them are skipped instead of making things worse.
struct ApplyState {
  private var failedPaths: Set<String> = []
  /// Mounts that must not be unmounted because something above them stayed.
  private var pinnedMounts: Set<Int> = []
  /// The subset of `failedPaths` and `pinnedMounts` that only waits for an instance's
  /// next start: a busy mount that drifted (invariant 13), not an error.
  private var waitingPaths: Set<String> = []
  private var waitingMounts: Set<Int> = []
  /// Migrations whose walk did not finish: their record must not be written.
  private var unfinishedMigrations: Set<String> = []
  /// Counts and duration of each finished walk, for its record.
  var finishedWalks: [String: (counts: OwnershipCounts, seconds: Double)] = [:]

  func blockingReason(for step: Step) -> String? {
    switch step {
    case .unmount(let unmount):
      if pinnedMounts.contains(unmount.mountID) {
        return "a mount on or below it could not be removed"
      }
      return nil
    case .mount(let mount):
      var paths = [mount.target]
      if case .overlay(let overlay) = mount.mount {
        paths += [overlay.upperdir, overlay.workdir].compactMap { $0 }
      }
      if let failed = paths.first(where: failedPaths.contains) {
        return "an earlier step on \(failed) did not succeed; not stacking on top of it"
      }
      return nil
    case .removeDirectory(let directory):
      return failedPaths.contains(directory.path) ? "its mount is still there" : nil
    case .createDirectory, .setOwner:
      return nil
    case .record(let record):
      return unfinishedMigrations.contains(record.id) ? "its migration did not finish" : nil
    }
  }

  /// Whether the step is blocked by a busy mount that waits for its instance's next
  /// start, so that it waits too rather than counting as a failure.
  func waitsForRestart(_ step: Step) -> Bool {
    switch step {
    case .unmount(let unmount): return waitingMounts.contains(unmount.mountID)
    case .mount(let mount):
      var paths = [mount.target]
      if case .overlay(let overlay) = mount.mount {
        paths += [overlay.upperdir, overlay.workdir].compactMap { $0 }
      }
      return paths.contains(where: waitingPaths.contains)
    case .removeDirectory(let directory): return waitingPaths.contains(directory.path)
    case .createDirectory, .setOwner, .record: return false
    }
  }

  /// Remembers a step that failed or was skipped; `waiting` when it only waits for
  /// its instance's next start.
  mutating func noteFailure(of step: Step, waiting: Bool = false) {
    switch step {
    case .unmount(let unmount):
      failedPaths.insert(unmount.target)
      pinnedMounts.insert(unmount.parentID)
      if waiting {
        waitingPaths.insert(unmount.target)
        waitingMounts.insert(unmount.parentID)
      }
    case .createDirectory(let directory):
      failedPaths.insert(directory.path)
    case .mount(let mount):
      failedPaths.insert(mount.target)
      if waiting { waitingPaths.insert(mount.target) }
    case .setOwner(let ownership):
      unfinishedMigrations.insert(ownership.id)
    case .removeDirectory, .record:
      break
    }
  }

}
