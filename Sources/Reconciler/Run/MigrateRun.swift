import Foundation
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
    var desired: DesiredState
    do {
      desired = try ManifestLoader(configFile: options.configFile).load()
    } catch {
      return ReconcileRun.failed(options, problems: error.problems)
    }
    let deadline = Date().addingTimeInterval(options.leaseWait)
    while true {
      var lock: RunLock?
      if !options.changesNothing {
        switch ReconcileRun.acquireLock(desired, options) {
        case .success(let held): lock = held
        case .failure(let failure): return failure.report
        }
        do {
          desired = try ManifestLoader(configFile: options.configFile).load()
        } catch {
          return ReconcileRun.failed(options, problems: error.problems)
        }
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
        withExtendedLifetime(lock) {}
        lock = nil
        Thread.sleep(forTimeInterval: 1)
        continue
      }
      if options.changesNothing { return count(plan, options) }
      let applied = ReconcileRun.applier(for: observed, migrationProgress: options.migrationProgress)
        .apply(plan, progress: progress)
      var report = summarize(plan, applied)
      let statusProblems = StatusReporting.record(report, options: options, config: desired.config, started: started)
      if !statusProblems.isEmpty {
        report.problems += statusProblems
        report.exitStatus = .error
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
        return StepOutcome(step: step, status: .planned, detail: "would change: " + Applier.describe(counts), counts: counts)
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
    var problems = plan.problems
    for failure in report.failures {
      problems.append(Problem(message: "\(failure.step.action) \(failure.step.target): \(failure.detail ?? "failed")"))
    }
    let deferred = report.outcomes.contains(where: \.isDeferred)
    let status: ExitStatus = !problems.isEmpty ? .error : deferred ? .temporary : .converged
    return RunReport(
      dryRun: false, converged: !deferred && problems.isEmpty, outcomes: report.outcomes,
      problems: problems, exitStatus: status)
  }
}
