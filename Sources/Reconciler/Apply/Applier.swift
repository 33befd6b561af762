import Probes
import SystemPackage

/// Executes a plan step by step: check the precondition, act, re-check.
///
/// A failed step never stops the run: steps that depend on it (a mount on a target
/// whose old layer would not go, the mount below a busy one) are skipped, and
/// everything else still runs. Per-step checks are single `statx` calls rather than
/// re-reading the mount table, so collapsing thousands of stacked layers stays linear;
/// the run ends with a full observation instead.
public struct Applier {
  public typealias HolderLookup = (UnmountStep) -> [String]

  private let system: any MountSystem
  private let migrations: any MigrationSystem
  private let holders: HolderLookup
  private let clock: () -> (iso8601: String, seconds: Double)

  /// - Parameters:
  ///   - system: The kernel, or a fake in tests.
  ///   - migrations: The ownership walk and records, or a fake in tests.
  ///   - holders: Names the processes keeping a mount busy, for EBUSY reports.
  ///   - clock: The time now, for migration records.
  public init(
    system: any MountSystem, migrations: any MigrationSystem,
    holders: @escaping HolderLookup = { _ in [] },
    clock: @escaping () -> (iso8601: String, seconds: Double)
  ) {
    self.system = system
    self.migrations = migrations
    self.holders = holders
    self.clock = clock
  }

  /// Applies every step of `plan`, in order.
  public func apply(_ plan: Plan, progress: (StepOutcome) -> Void = { _ in }) -> ApplyReport {
    var state = ApplyState()
    var outcomes: [StepOutcome] = []
    outcomes.reserveCapacity(plan.steps.count)
    var index = 0
    while index < plan.steps.count {
      let chain = stackChain(in: plan.steps, from: index)
      let results =
        !chain.isEmpty && state.blockingReason(for: plan.steps[index]) == nil
        ? collapse(chain) : [run(plan.steps[index], state: &state)]
      for outcome in results {
        if outcome.status == .failed || outcome.status == .skipped {
          state.noteFailure(of: outcome.step, waiting: outcome.waitsForRestart)
        }
        progress(outcome)
        outcomes.append(outcome)
      }
      index += results.count
    }
    return ApplyReport(outcomes: outcomes)
  }

  /// The unmount steps from `start` that walk down one stack: same target, each the
  /// parent of the one before. Empty when the step at `start` is not an unmount.
  private func stackChain(in steps: [Step], from start: Int) -> [UnmountStep] {
    guard case .unmount(let first) = steps[start] else { return [] }
    var chain = [first]
    var index = start + 1
    while index < steps.count, case .unmount(let next) = steps[index],
      next.target == first.target, next.mountID == chain[chain.count - 1].parentID
    {
      chain.append(next)
      index += 1
    }
    return chain
  }

  /// Unmounts one mount, or a stack of layers, with one check before and one after
  /// rather than a check around each layer: every path lookup of the target walks the whole stack,
  /// so per-layer checks would triple the kernel's quadratic cost. The check proves
  /// the planned top is on top; each successful umount2 then removes exactly the next
  /// planned layer, since the lock keeps other runs out.
  private func collapse(_ chain: [UnmountStep]) -> [StepOutcome] {
    let target = chain[0].target
    let root = chain[0].root
    switch system.mountID(at: target, beneath: root) {
    case .success(let id) where id != chain[0].mountID:
      return chain.map {
        StepOutcome(
          step: .unmount($0), status: .skipped,
          detail: "mount \(chain[0].mountID) is no longer on top at this path (found \(id)); left for the next run")
      }
    case .failure(let error):
      return chain.map { StepOutcome(step: .unmount($0), status: .skipped, detail: "cannot stat target: \(error)") }
    case .success: break
    }
    var outcomes: [StepOutcome] = []
    let (removed, failure) = system.unmountLayers(target, beneath: root, count: chain.count)
    outcomes += chain[..<removed].map { StepOutcome(step: .unmount($0), status: .done) }
    if let error = failure {
      let position = removed
      // Under a shared parent, unmounting one layer also removes its propagated
      // peers, which may be the layers still planned here: then they are gone.
      let remaining = chain[position...]
      if error == .invalidArgument, case .success(let top) = system.mountID(at: target, beneath: root),
        !remaining.contains(where: { $0.mountID == top })
      {
        outcomes += remaining.map {
          StepOutcome(step: .unmount($0), status: .done, detail: "already gone with a propagated unmount")
        }
        return outcomes
      }
      let failure = unmountFailure(chain[position], error)
      outcomes.append(failure)
      outcomes += chain[(position + 1)...].map {
        StepOutcome(
          step: .unmount($0), status: .skipped,
          detail: failure.waitsForRestart
            ? "waits with the busy mount above it" : "a mount on or below it could not be removed",
          waitsForRestart: failure.waitsForRestart)
      }
      return outcomes
    }
    if case .success(let id) = system.mountID(at: target, beneath: root), chain.contains(where: { $0.mountID == id }) {
      outcomes[outcomes.count - 1] = StepOutcome(
        step: .unmount(chain[chain.count - 1]), status: .failed,
        detail: "mount \(id) is still there after unmounting the stack")
    }
    return outcomes
  }

  /// An unmount that failed; a busy drifted declared mount is not a failure but waits
  /// for its instance's next start (invariant 13), with the holders named either way.
  private func unmountFailure(_ unmount: UnmountStep, _ error: Errno) -> StepOutcome {
    if error == .resourceBusy {
      let names = holders(unmount)
      let who =
        names.isEmpty
        ? "no holder found (another mount namespace may pin it)" : "held by " + names.joined(separator: "; ")
      if unmount.whenBusy == .waitForRestart {
        let instance = unmount.instance.map { "instance \($0)" } ?? "its instance"
        return StepOutcome(
          step: .unmount(unmount), status: .skipped,
          detail: "in use (EBUSY), \(who); deferred until \(instance) next starts", waitsForRestart: true)
      }
      return StepOutcome(step: .unmount(unmount), status: .failed, detail: "busy (EBUSY): \(who)")
    }
    return StepOutcome(step: .unmount(unmount), status: .failed, detail: "umount2: \(error) (\(error.name))")
  }

  private func run(_ step: Step, state: inout ApplyState) -> StepOutcome {
    if let reason = state.blockingReason(for: step) {
      if state.waitsForRestart(step) {
        return StepOutcome(
          step: step, status: .skipped, detail: "deferred with the busy mount it depends on",
          waitsForRestart: true)
      }
      return StepOutcome(step: step, status: .skipped, detail: reason)
    }
    switch step {
    case .unmount:
      preconditionFailure("unmounts run as chains in apply(_:)")
    case .removeDirectory(let directory):
      switch system.removeDirectory(directory.path, beneath: directory.root) {
      case .success: return StepOutcome(step: step, status: .done)
      case .failure(.noSuchFileOrDirectory):
        return StepOutcome(step: step, status: .done, detail: "already gone")
      case .failure(let error) where error == .directoryNotEmpty || error == .fileExists:
        return StepOutcome(step: step, status: .skipped, detail: "not empty, left in place")
      case .failure(let error):
        return StepOutcome(step: step, status: .failed, detail: "rmdir: \(error) (\(error.name))")
      }
    case .createDirectory(let directory):
      switch system.makeDirectory(directory.path, beneath: directory.root) {
      case .success(true): return StepOutcome(step: step, status: .done)
      case .success(false): return StepOutcome(step: step, status: .done, detail: "already there")
      case .failure(let error): return StepOutcome(step: step, status: .failed, detail: error.description)
      }
    case .mount(let mount): return run(mount, step: step)
    case .setOwner(let ownership):
      if !ownership.deferredBy.isEmpty {
        return StepOutcome(
          step: step, status: .skipped,
          detail: "deferred: a build holds \(ownership.deferredBy.joined(separator: ", "))")
      }
      let start = clock().seconds
      switch migrations.changeOwnership(ownership, dryRun: false) {
      case .success(let counts):
        state.finishedWalks[ownership.id] = (counts, clock().seconds - start)
        return StepOutcome(step: step, status: .done, detail: Self.describe(counts), counts: counts)
      case .failure(let error):
        return StepOutcome(step: step, status: .failed, detail: error.description)
      }
    case .record(let record):
      guard let walk = state.finishedWalks[record.id] else {
        return StepOutcome(step: step, status: .skipped, detail: "its migration did not run")
      }
      let file = MigrationRecord(step: record, counts: walk.counts, finishedAt: clock().iso8601, duration: walk.seconds)
      switch migrations.writeRecord(file, for: record) {
      case .success: return StepOutcome(step: step, status: .done)
      case .failure(let error): return StepOutcome(step: step, status: .failed, detail: error.description)
      }
    }
  }

  /// "12 changed; 3 skipped: owned by others; 1 skipped: other mounts".
  public static func describe(_ counts: OwnershipCounts) -> String {
    var text = "\(counts.changed) changed; \(counts.skippedForeign) skipped: owned by others; "
    text += "\(counts.skippedOtherMounts) skipped: other mounts"
    if counts.setIDBitsCleared > 0 { text += "; setuid/setgid cleared on \(counts.setIDBitsCleared)" }
    return text
  }

  private func run(_ mount: MountStep, step: Step) -> StepOutcome {
    let before: Int
    switch system.mountID(at: mount.target, beneath: mount.root) {
    case .success(let id): before = id
    case .failure(let error):
      return StepOutcome(step: step, status: .failed, detail: "target \(mount.target): \(error) (\(error.name))")
    }
    let result: Result<Void, ReconcilerError>
    switch mount.mount {
    case .overlay(let overlay): result = system.mountOverlay(overlay, at: mount.target, beneath: mount.root)
    case .bind(let bind): result = system.mountBind(bind, at: mount.target, beneath: mount.root)
    }
    if case .failure(let error) = result {
      return StepOutcome(step: step, status: .failed, detail: error.description)
    }
    guard case .success(let after) = system.mountID(at: mount.target, beneath: mount.root), after != before else {
      return StepOutcome(step: step, status: .failed, detail: "no new mount appeared at the target")
    }
    return StepOutcome(step: step, status: .done)
  }
}
