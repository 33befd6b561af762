import StateModel

/// One idempotent action of a plan. The set is closed, and each case carries
/// everything apply needs, so a printed plan is exactly what would run.
public enum Step: Hashable, Sendable {
  /// Create a missing directory (mode 0755, owner root). If it exists, this is a no-op.
  case createDirectory(DirectoryStep)
  /// Attach a mount at its target; the new mount is made private (invariant 11).
  case mount(MountStep)
  /// Remove the top mount at a target, which must be the planned mount id. If that
  /// mount is gone already, this is a no-op.
  case unmount(UnmountStep)
  /// Remove an empty directory left behind by an orphan mount. A directory that is
  /// not empty is left in place (invariant 2).
  case removeDirectory(DirectoryStep)
  /// Re-own what the `from` user owns in a tree; deferred while a lease is held.
  case setOwner(OwnershipStep)
  /// Record a finished migration. If the ownership step before it did not finish,
  /// this is skipped.
  case record(RecordStep)

  /// The path the step acts on.
  public var target: String {
    switch self {
    case .createDirectory(let step), .removeDirectory(let step): return step.path
    case .mount(let step): return step.target
    case .unmount(let step): return step.target
    case .setOwner(let step): return step.path
    case .record(let step): return step.file
    }
  }

  /// The instance the step serves, if any (orphans belong to none).
  public var instance: String? {
    switch self {
    case .createDirectory(let step), .removeDirectory(let step): return step.instance
    case .mount(let step): return step.instance
    case .unmount(let step): return step.instance
    case .setOwner, .record: return nil
    }
  }

  /// Why the step is in the plan.
  public var reason: StepReason {
    switch self {
    case .createDirectory(let step), .removeDirectory(let step): return step.reason
    case .mount(let step): return step.reason
    case .unmount(let step): return step.reason
    case .setOwner, .record: return .migration
    }
  }

  /// The DESIGN 3.4 action word.
  public var action: String {
    switch self {
    case .createDirectory: return "mkdir"
    case .mount: return "mount"
    case .unmount: return "unmount"
    case .removeDirectory: return "rmdir"
    case .setOwner: return "chown"
    case .record: return "record"
    }
  }
}

/// Why a step was planned.
public enum StepReason: String, Hashable, Codable, Sendable {
  /// A desired mount is not there.
  case missing
  /// A mount is there but not as desired (layers, order, dirs, idmap, read-only).
  case differs
  /// A mount is stacked on another at the same target.
  case stacked
  /// Below a managed path, and nothing wants it.
  case orphan
  /// A leased staging mount whose lock file nobody holds.
  case leaseReleased = "lease-released"
  /// The instance is `enabled: false`.
  case disabled
  /// A one-shot migration that has not run yet.
  case migration
}

/// Create or remove one directory.
public struct DirectoryStep: Hashable, Codable, Sendable {
  public var path: String
  /// Directories are created beneath this one, never through a symlink.
  public var root: String
  public var instance: String?
  public var reason: StepReason

  public init(path: String, root: String, instance: String?, reason: StepReason) {
    self.path = path
    self.root = root
    self.instance = instance
    self.reason = reason
  }
}

/// Remove the mount `mountID`, which must be the top one at `target`.
public struct UnmountStep: Hashable, Codable, Sendable {
  public var target: String
  public var mountID: Int
  /// The mount it sits on, so apply can skip parents of a mount it failed to remove.
  public var parentID: Int
  public var fsType: String
  /// The target is reached beneath this directory, never through a symlink.
  public var root: String
  public var instance: String?
  public var reason: StepReason
  /// What an EBUSY answer means for this step.
  public var whenBusy: BusyPolicy

  public init(
    target: String, mountID: Int, parentID: Int, fsType: String, root: String, instance: String?,
    reason: StepReason, whenBusy: BusyPolicy = .fail
  ) {
    self.target = target
    self.mountID = mountID
    self.parentID = parentID
    self.fsType = fsType
    self.root = root
    self.instance = instance
    self.reason = reason
    self.whenBusy = whenBusy
  }
}

/// What apply does when the kernel answers EBUSY to an unmount.
public enum BusyPolicy: String, Hashable, Codable, Sendable {
  /// The step fails: an orphan or a disabled instance's mount in use is an error.
  case fail
  /// A declared mount that drifted and is in use (a running game server's overlay):
  /// the remount waits for the instance's next start, which runs its `--instance`
  /// hooks; never forced (invariant 13).
  case waitForRestart = "wait-for-restart"
}

/// Attach `mount` at `target`.
public struct MountStep: Hashable, Codable, Sendable {
  public var target: String
  public var instance: String
  public var reason: StepReason
  /// `root`: the target is opened beneath it, without following symlinks.
  public var root: String
  public var mount: ResolvedMount

  public init(
    target: String, instance: String, reason: StepReason, root: String, mount: ResolvedMount
  ) {
    self.target = target
    self.instance = instance
    self.reason = reason
    self.root = root
    self.mount = mount
  }
}
