import Probes
import StateModel

/// One run: load, lock, observe, plan, apply, and verify with a fresh observation.
public enum ReconcileRun {
  /// Runs once and reports; never throws, since every failure is part of the report.
  ///
  /// - Parameters:
  ///   - options: What to do.
  ///   - progress: Called after each applied step (for logs).
  public static func run(
    _ options: RunOptions, progress: (StepOutcome) -> Void = { _ in }
  ) -> RunReport {
    let desired: DesiredState
    do {
      desired = try ManifestLoader(configFile: options.configFile).load()
    } catch {
      return failed(options, problems: error.problems)
    }
    var lock: RunLock?
    if !options.changesNothing {
      do {
        lock = try RunLock.acquire(
          stateDirectory: desired.config.stateDirectory, root: desired.config.root,
          timeout: options.lockTimeout)
      } catch {
        let status: ExitStatus = if case .busy = error { .temporary } else { .error }
        var report = failed(options, problems: [Problem(message: error.description)])
        report.exitStatus = status
        return report
      }
    }
    defer { withExtendedLifetime(lock) {} }

    let observed: ObservedState
    var tableProblems: [Problem] = []
    do {
      (observed, tableProblems) = try observe(desired, options)
    } catch {
      return failed(options, problems: [Problem(message: error.description)])
    }
    var plan = Planner.plan(desired: desired, observed: observed, scope: options.scope)
    plan.problems += tableProblems
    if options.changesNothing {
      return dryRunReport(plan)
    }
    return apply(plan, desired: desired, observed: observed, options: options, progress: progress)
  }

  private static func apply(
    _ plan: Plan, desired: DesiredState, observed: ObservedState, options: RunOptions,
    progress: (StepOutcome) -> Void
  ) -> RunReport {
    let system = KernelMountSystem(overlayLowerdirPlus: observed.features.overlayLowerdirPlus)
    let applier = Applier(system: system, holders: { step in
      guard let entry = observed.mounts.entry(id: step.mountID) else { return [] }
      return HolderProbe().holders(of: entry, in: observed.mounts).map(\.description)
    })
    let report = applier.apply(plan, progress: progress)
    var problems = plan.problems
    for failure in report.failures {
      problems.append(Problem(instance: failure.step.instance, message: "\(failure.step.action) \(failure.step.target): \(failure.detail ?? "failed")"))
    }
    var pending: [Step] = []
    do {
      let (after, _) = try observe(desired, options)
      pending = Planner.plan(desired: desired, observed: after, scope: options.scope).steps
    } catch {
      problems.append(Problem(message: "verifying observation failed: \(error)"))
    }
    if !pending.isEmpty && report.failures.isEmpty {
      problems.append(Problem(message: "not converged: \(pending.count) step(s) still planned after apply, first: \(pending[0])"))
    }
    let converged = pending.isEmpty
    return RunReport(
      dryRun: false, converged: converged, outcomes: report.outcomes, problems: problems,
      orphanRemovalSuspended: plan.orphanRemovalSuspended, pendingAfterApply: pending,
      exitStatus: problems.isEmpty && converged ? .converged : .error)
  }

  private static func dryRunReport(_ plan: Plan) -> RunReport {
    let status: ExitStatus =
      !plan.problems.isEmpty ? .error : plan.steps.isEmpty ? .converged : .changesPending
    return RunReport(
      dryRun: true, converged: plan.steps.isEmpty,
      outcomes: plan.steps.map { StepOutcome(step: $0, status: .planned) }, problems: plan.problems,
      orphanRemovalSuspended: plan.orphanRemovalSuspended, exitStatus: status)
  }

  /// Reads the mount table and probes the filesystem for the rest. The live table must
  /// parse whole (a mount left out could get another stacked on it); a saved one may
  /// have bad lines, which are reported as problems.
  static func observe(
    _ desired: DesiredState, _ options: RunOptions
  ) throws(ProbeError) -> (ObservedState, [Problem]) {
    if let saved = options.mountInfoPath {
      let result = try MountInfoProbe(path: saved).readResult()
      let problems = result.malformedLines.map {
        Problem(file: saved, line: $0.number, message: "malformed mountinfo line skipped: \($0.text)")
      }
      return (Observer().observeTableOnly(desired: desired, mounts: result.table), problems)
    }
    let table = try MountInfoProbe().read()
    // An --instance run probes only its instances' paths: a unit's start hook should
    // not pay for every other instance on the host.
    var probed = desired
    if !options.instances.isEmpty {
      probed.instances = desired.instances.filter { options.instances.contains($0.name) }
    }
    return (Observer().observe(desired: probed, mounts: table), [])
  }

  private static func failed(_ options: RunOptions, problems: [Problem]) -> RunReport {
    RunReport(
      dryRun: options.changesNothing, converged: false, outcomes: [], problems: problems,
      exitStatus: .error)
  }
}

extension StateModelError {
  /// The located problems behind a rejected config.
  var problems: [Problem] {
    switch self {
    case .configRejected(_, let issues): return issues.map(Problem.init)
    default: return [Problem(message: description)]
    }
  }
}
