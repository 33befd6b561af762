/// How one step went.
public enum StepStatus: String, Hashable, Codable, Sendable {
  /// In a dry run: would be done.
  case planned
  /// Done and re-checked, or found already satisfied (then `detail` says so).
  case done
  case failed
  /// Not attempted: an earlier step it depends on failed, or the host moved on.
  case skipped
}

/// A step with its outcome.
public struct StepOutcome: Hashable, Codable, Sendable {
  public var step: Step
  public var status: StepStatus
  /// Why it failed or was skipped, or a note such as "already satisfied".
  public var detail: String?
  /// For an ownership step: what the walk changed and skipped.
  public var counts: OwnershipCounts?
  /// Skipped because a declared mount that drifted is in use: its instance's next
  /// start applies it (invariant 13).
  public var waitsForRestart: Bool

  public init(
    step: Step, status: StepStatus, detail: String? = nil, counts: OwnershipCounts? = nil,
    waitsForRestart: Bool = false
  ) {
    self.step = step
    self.status = status
    self.detail = detail
    self.counts = counts
    self.waitsForRestart = waitsForRestart
  }

  /// Left for later, not failed: a migration step while a build holds its lease, or
  /// a busy drifted mount waiting for its instance's next start.
  public var isDeferred: Bool {
    if waitsForRestart { return status == .skipped }
    if case .setOwner(let step) = step, status == .skipped { return !step.deferredBy.isEmpty }
    return false
  }
}

/// Every step of an applied plan, in order, with its outcome.
public struct ApplyReport: Hashable, Sendable {
  public var outcomes: [StepOutcome]

  public init(outcomes: [StepOutcome]) {
    self.outcomes = outcomes
  }

  /// Steps that failed.
  public var failures: [StepOutcome] { outcomes.filter { $0.status == .failed } }

  /// Each failed step as a problem of the run.
  public var failureProblems: [Problem] {
    failures.map {
      Problem(instance: $0.step.instance, message: "\($0.step.action) \($0.step.target): \($0.detail ?? "failed")")
    }
  }
}
