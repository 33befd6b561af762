import FoundationEssentials
import LinuxKernel
import Probes
import StateModel

/// `reconcile migrate`: run pending migrations only; the deploy-time entry point.
///
/// With `leaseWait`, a migration deferred by a held lease is retried once a second
/// until the lease is released or the time is up; the run lock is released while
/// waiting, so timer runs go on. Exit 0 when done, 75 when still deferred, 1 on error.
/// A dry run counts what the walk would change and changes nothing.
public enum MigrateRun {
  public static func run(_ options: RunOptions, progress: (StepOutcome) -> Void = { _ in }) -> RunReport {
    let started = Date()
    let deadline = Date().addingTimeInterval(options.leaseWait)
    while true {
      let desired: DesiredState
      let lock: RunLock?
      switch ReconcileRun.loadUnderLock(options) {
      case .success(let loaded): (desired, lock) = loaded
      case .failure(let failure): return failure.report
      }
      let observed: ObservedState
      do {
        (observed, _) = try ReconcileRun.observe(desired, options)
      } catch {
        return ReconcileRun.failed(options, problems: [Problem(message: error.description)])
      }
      let plan = Planner.plan(desired: desired, observed: observed, scope: .migrations)
      let deferred = plan.steps.contains {
        if case .setOwner(let step) = $0 { return !step.deferredBy.isEmpty } else { return false }
      }
      if deferred && Date() < deadline && plan.problems.isEmpty {
        withExtendedLifetime(lock) {}  // released here: timer runs go on while we wait
        Sleep.seconds(1)
        continue
      }
      if options.changesNothing { return count(plan, options) }
      let applied = ReconcileRun.applier(for: observed, migrationProgress: options.migrationProgress)
        .apply(plan, progress: progress)
      var report = summarize(plan, applied)
      if let lock {
        StatusReporting.record(&report, kind: .migrate, options: options, state: lock.stateDirectory, started: started)
      }
      withExtendedLifetime(lock) {}
      return report
    }
  }

  /// Dry run: walk each pending tree counting, change nothing.
  private static func count(_ plan: Plan, _ options: RunOptions) -> RunReport {
    let system = KernelMigrationSystem(progress: options.migrationProgress)
    var problems = plan.problems
    let outcomes = plan.steps.map { step -> StepOutcome in
      guard case .setOwner(let ownership) = step else { return StepOutcome(step: step, status: .planned) }
      switch system.changeOwnership(ownership, dryRun: true) {
      case .success(let counts):
        return StepOutcome(
          step: step, status: .planned, detail: "would change: " + Applier.describe(counts), counts: counts)
      case .failure(let error):
        problems.append(Problem(message: "migration \(ownership.id): \(error)"))
        return StepOutcome(step: step, status: .failed, detail: error.description)
      }
    }
    let status: ExitStatus = !problems.isEmpty ? .error : outcomes.isEmpty ? .converged : .changesPending
    return RunReport(
      dryRun: true, converged: outcomes.isEmpty, outcomes: outcomes, problems: problems, exitStatus: status)
  }

  private static func summarize(_ plan: Plan, _ report: ApplyReport) -> RunReport {
    let problems = plan.problems + report.failureProblems
    let deferred = report.outcomes.contains(where: \.isDeferred)
    let status: ExitStatus = !problems.isEmpty ? .error : deferred ? .temporary : .converged
    return RunReport(
      dryRun: false, converged: !deferred && problems.isEmpty, outcomes: report.outcomes,
      problems: problems, exitStatus: status)
  }
}
