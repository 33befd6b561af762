import Probes
import StateModel

/// The planner's working state: what to unmount (by mount id), create and mount,
/// collected in any order and put in order once by `finish`.
struct PlanDraft {
  let table: MountTable
  var problems: [Problem] = []
  /// Targets of refused instances: nothing at or below them is touched.
  var protectedTargets: [String] = []
  var unmounts: [Int: UnmountStep] = [:]
  private(set) var directories: [String: DirectoryStep] = [:]
  private(set) var mounts: [MountStep] = []
  /// Mount ids kept because they are the desired mount, with what they serve.
  private(set) var keptWanted: [Int: MountStep] = [:]
  /// Targets an accepted instance decided about (wanted or disabled).
  private var claimedTargets: Set<ExactPath> = []
  private(set) var directoriesToRemove: Set<String> = []
  /// Everything the plan touches lies beneath it.
  let root: String
  /// Mounts left alone on purpose: a held (or unknown) lease covers them.
  private var leaseKept: Set<Int> = []

  init(table: MountTable, root: String) {
    self.table = table
    self.root = root
  }

  /// Plans one desired mount: nothing when it is there once and matching; remove
  /// extra layers when stacked; replace it when it differs; mount it when missing.
  mutating func want(
    _ desired: DesiredMount, _ resolved: ResolvedMount, instance: String, config: SiteConfig,
    observed: ObservedState
  ) {
    let target = desired.spec.target
    claimedTargets.insert(ExactPath(target))
    // A declared mount on a leased path (the sandbox's staging bind) is wanted only
    // while its lock is held: a SIGKILLed build leaves its manifest, not its bind.
    if observed.filesystemProbed, let rule = config.leases.first(where: { $0.matches(target) }),
      !observed.heldLeaseLocks.contains(rule.lockPath(for: target))
    {
      for layer in table.stack(at: target) { unmount(layer, instance: instance, reason: .leaseReleased) }
      return
    }
    let step = MountStep(
      target: target, instance: instance, reason: .missing, root: config.root,
      mount: resolved)
    let stack = table.stack(at: target)
    // Only the bottom layer can stay: a lower layer cannot be removed from under a kept one.
    if let bottom = stack.first,
      Planner.matches(
        bottom, resolved, table: table,
        idmap: stack.count == 1 ? observed.idmaps[target] : nil)
    {
      keptWanted[bottom.id] = step
      for layer in stack.dropFirst() {
        unmount(layer, instance: instance, reason: .stacked, whenBusy: .waitForRestart)
      }
      return
    }
    // A declared mount that drifted may be a running server's: if it is busy, the
    // remount waits for the instance's next start (invariant 13).
    for (index, layer) in stack.enumerated() {
      unmount(
        layer, instance: instance, reason: index == 0 ? .differs : .stacked,
        whenBusy: .waitForRestart)
    }
    var paths = [target]
    if case .overlay(let overlay) = resolved {
      paths += [overlay.upperdir, overlay.workdir].compactMap { $0 }
    }
    for path in paths where observed.missingDirectories.contains(path) {
      directories[path] = DirectoryStep(path: path, root: config.root, instance: instance, reason: .missing)
    }
    var mountStep = step
    mountStep.reason = stack.isEmpty ? .missing : .differs
    mounts.append(mountStep)
  }

  /// Unmounts every layer at `target` (a disabled instance's declared target).
  mutating func removeStack(at target: String, instance: String, reason: StepReason) {
    claimedTargets.insert(ExactPath(target))
    for layer in table.stack(at: target) { unmount(layer, instance: instance, reason: reason) }
  }

  /// Plans removal of every mount strictly below a `managed` path that no instance
  /// claims, no refused instance declares, and no held lease covers. A mount on a
  /// managed directory itself (an operator's tmpfs on `tmp`), on `root` or above is
  /// never a candidate, whatever is stacked there (invariant 2).
  mutating func removeOrphans(desired: DesiredState, observed: ObservedState) {
    let declared = Set(
      (desired.instances.flatMap(\.declaredTargets) + desired.refused.flatMap(\.declaredTargets)).map(ExactPath.init))
    // Per target, not per entry: the layers of a stack share one answer.
    var covering: [ExactPath: String?] = [:]
    for entry in table.entries
    where desired.config.managed.contains(where: { PathRules.isStrictlyBeneath(entry.target, $0) }) {
      let target = ExactPath(entry.target)
      if claimedTargets.contains(target) || isProtected(entry.target) { continue }
      var reason = StepReason.orphan
      let lease =
        covering[target]
        ?? {
          let found = leaseCovering(entry.target, rules: desired.config.leases)
          covering[target] = .some(found)
          return found
        }()
      if let lease {
        // Unknown (not probed) counts as held: never remove what may be in use.
        if !observed.filesystemProbed || observed.leases[lease]?.held != false {
          leaseKept.insert(entry.id)
          continue
        }
        reason = .leaseReleased
      }
      unmount(entry, instance: nil, reason: reason)
      if !declared.contains(target) { directoriesToRemove.insert(entry.target) }
    }
  }

  private func isProtected(_ target: String) -> Bool {
    protectedTargets.contains { PathRules.isWithin(target, $0) }
  }

  /// Whether a mount must not be removed: a refused instance declares it, or a held
  /// lease covers it.
  func mustStay(_ entry: MountEntry) -> Bool {
    isProtected(entry.target) || leaseKept.contains(entry.id)
  }

  /// The lease-matching mount target that covers `target` (itself or an ancestor).
  private func leaseCovering(_ target: String, rules: [LeaseRule]) -> String? {
    var path = target
    while true {
      if rules.contains(where: { $0.matches(path) }) { return path }
      guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return nil }
      path = String(path[..<slash])
    }
  }

  mutating func unmount(
    _ entry: MountEntry, instance: String?, reason: StepReason, whenBusy: BusyPolicy = .fail
  ) {
    guard unmounts[entry.id] == nil else { return }
    unmounts[entry.id] = UnmountStep(
      target: entry.target, mountID: entry.id, parentID: entry.parentID, fsType: entry.fsType,
      root: root, instance: instance, reason: reason, whenBusy: whenBusy)
  }
}
