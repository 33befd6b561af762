/// The outcome of a run, as the CLI prints it and `--format json` encodes it.
public struct RunReport: Hashable, Sendable {
  public var dryRun: Bool
  /// True when the final observation matches the desired state: nothing left to do.
  public var converged: Bool
  /// Planned steps (dry run) or applied ones with their outcomes.
  public var outcomes: [StepOutcome]
  /// Rejected manifests, refused instances, failed steps, drift left after apply.
  public var problems: [Problem]
  public var orphanRemovalSuspended: Bool
  /// Instances refused in this run.
  public var refusedInstances: [String] = []
  /// Steps the verifying observation still found necessary after apply.
  public var pendingAfterApply: [Step]
  /// What the run's observations saw of the managed tree (applying runs only).
  public var hostGauges: HostGauges?
  public var exitStatus: ExitStatus

  public init(
    dryRun: Bool, converged: Bool, outcomes: [StepOutcome], problems: [Problem],
    orphanRemovalSuspended: Bool = false, pendingAfterApply: [Step] = [], exitStatus: ExitStatus
  ) {
    self.dryRun = dryRun
    self.converged = converged
    self.outcomes = outcomes
    self.problems = problems
    self.orphanRemovalSuspended = orphanRemovalSuspended
    self.pendingAfterApply = pendingAfterApply
    self.exitStatus = exitStatus
  }
}

/// Exit codes, DESIGN 3.2.
public enum ExitStatus: Int32, Hashable, Codable, Sendable {
  /// Converged: nothing to do (dry run), or everything applied and verified.
  case converged = 0
  /// At least one error; other instances were still handled.
  case error = 1
  /// Dry run only: changes are pending and there was no error.
  case changesPending = 2
  /// Usage error.
  case usage = 64
  /// Temporary: the lock is held by another run, a migration was deferred, or a busy
  /// drifted mount waits for its instance's next start.
  case temporary = 75
}
