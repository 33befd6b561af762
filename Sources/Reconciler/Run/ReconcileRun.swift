import FoundationEssentials
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
    let started = Date()
    let desired: DesiredState
    let lock: RunLock?
    switch loadUnderLock(options) {
    case .success(let loaded): (desired, lock) = loaded
    case .failure(let failure): return failure.report
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
    var report = apply(plan, desired: desired, observed: observed, options: options, progress: progress)
    if let lock {
      StatusReporting.record(
        &report, kind: options.instances.isEmpty ? .full : .instances, options: options,
        state: lock.stateDirectory, started: started)
    }
    return report
  }

  /// Loads the config and manifests; unless the run changes nothing, under the run
  /// lock, so that a run that waited for it never acts on what they said before (a
  /// unit's hook may have rewritten one meanwhile). The site config alone is read
  /// first, to find the lock; the manifests are read once, with the lock held. Should
  /// the config have moved the state directory meanwhile, the lock is taken again.
  static func loadUnderLock(_ options: RunOptions) -> Result<(DesiredState, RunLock?), RunReportFailure> {
    guard !options.changesNothing else { return load(options).map { ($0, nil) } }
    var config: SiteConfig
    do {
      config = try loader(options).loadConfig()
    } catch {
      return .failure(RunReportFailure(report: failed(options, problems: error.problems)))
    }
    while true {
      let lock: RunLock
      switch acquireLock(stateDirectory: config.stateDirectory, root: config.root, options) {
      case .success(let acquired): lock = acquired
      case .failure(let failure): return .failure(failure)
      }
      switch load(options) {
      case .failure(let failure): return .failure(failure)
      case .success(let desired):
        if desired.config.stateDirectory == config.stateDirectory && desired.config.root == config.root {
          return .success((desired, lock))
        }
        config = desired.config
      }
    }
  }

  private static func loader(_ options: RunOptions) -> ManifestLoader {
    ManifestLoader(configFile: options.configFile, trustedOwner: options.trustedOwner)
  }

  private static func load(_ options: RunOptions) -> Result<DesiredState, RunReportFailure> {
    do {
      return .success(try loader(options).load())
    } catch {
      return .failure(RunReportFailure(report: failed(options, problems: error.problems)))
    }
  }

  private static func apply(
    _ plan: Plan, desired: DesiredState, observed: ObservedState, options: RunOptions,
    progress: (StepOutcome) -> Void
  ) -> RunReport {
    let report = applier(for: observed, migrationProgress: options.migrationProgress).apply(plan, progress: progress)
    var pending: [Step] = []
    var verification: [Problem] = []
    // A plan of no steps touched nothing: the observation it came from already proves
    // convergence, so the table is not read a second time (the timer's common case).
    var after: ObservedState? = observed
    if !plan.steps.isEmpty {
      do {
        let (verifying, _) = try observe(desired, options)
        pending = Planner.plan(desired: desired, observed: verifying, scope: options.scope).steps
        after = verifying
      } catch {
        after = nil
        verification.append(Problem(message: "verifying observation failed: \(error)"))
      }
    }
    // The host's gauges are the full run's (invariant 15): an --instance run observes
    // only its targets, which says nothing of the rest of the managed tree.
    var gauges: HostGauges?
    if options.scope == .all, let after {
      gauges = HostGauges(
        desired: desired, before: observed.mounts, after: after.mounts, pending: pending,
        refused: plan.refusedInstances)
    }
    var result = verdict(plan: plan, applied: report, pending: pending, verificationProblems: verification)
    result.hostGauges = gauges
    return result
  }

  /// The report of an applying run, from the plan, how its steps went and what the
  /// verifying plan still wants. Pure: DESIGN 3.2's exit codes are decided here.
  ///
  /// 0 when nothing is pending and nothing went wrong; 1 on any problem, including a
  /// step still pending that does not wait; 75 when everything pending only waits, for
  /// a build's lease or for the next start of an instance whose drifted mount is busy
  /// (invariant 13).
  static func verdict(
    plan: Plan, applied report: ApplyReport, pending: [Step], verificationProblems: [Problem] = []
  ) -> RunReport {
    var problems = plan.problems + report.failureProblems + verificationProblems
    let waitingTargets = Set(report.outcomes.filter(\.waitsForRestart).map(\.step.target))
    let deferredOnly =
      !pending.isEmpty
      && pending.allSatisfy { $0.waitsForLease || waitingTargets.contains($0.target) }
    if !pending.isEmpty && !deferredOnly && report.failures.isEmpty {
      problems.append(
        Problem(message: "not converged: \(pending.count) step(s) still planned after apply, first: \(pending[0])"))
    }
    let converged = pending.isEmpty
    let status: ExitStatus = !problems.isEmpty ? .error : converged ? .converged : .temporary
    var result = RunReport(
      dryRun: false, converged: converged, outcomes: report.outcomes, problems: problems,
      orphanRemovalSuspended: plan.orphanRemovalSuspended, pendingAfterApply: pending,
      exitStatus: status)
    result.refusedInstances = plan.refusedInstances
    return result
  }

  /// The applier on the kernel, naming EBUSY holders from this observation.
  static func applier(for observed: ObservedState, migrationProgress: ((String, Int) -> Void)?) -> Applier {
    Applier(
      system: KernelMountSystem(),
      migrations: KernelMigrationSystem(progress: migrationProgress),
      holders: { step in
        guard let entry = observed.mounts.entry(id: step.mountID) else { return [] }
        return HolderProbe().holders(of: entry, in: observed.mounts).map(\.description)
      },
      clock: wallClock)
  }

  /// ISO 8601 UTC for records, and seconds for durations.
  static func wallClock() -> (iso8601: String, seconds: Double) {
    let now = Date()
    return (now.formatted(.iso8601), now.timeIntervalSince1970)
  }

  private static func dryRunReport(_ plan: Plan) -> RunReport {
    let status: ExitStatus =
      !plan.problems.isEmpty ? .error : plan.steps.isEmpty ? .converged : .changesPending
    var report = RunReport(
      dryRun: true, converged: plan.steps.isEmpty,
      outcomes: plan.steps.map { StepOutcome(step: $0, status: .planned) }, problems: plan.problems,
      orphanRemovalSuspended: plan.orphanRemovalSuspended, exitStatus: status)
    report.refusedInstances = plan.refusedInstances
    return report
  }

  /// Takes the run lock, or says why not: exit 75 when another run holds it.
  private static func acquireLock(
    stateDirectory: String, root: String, _ options: RunOptions
  ) -> Result<RunLock, RunReportFailure> {
    do {
      return .success(try RunLock.acquire(stateDirectory: stateDirectory, root: root, timeout: options.lockTimeout))
    } catch {
      var report = failed(options, problems: [Problem(message: error.description)])
      if case .runLockBusy = error { report.exitStatus = .temporary }
      return .failure(RunReportFailure(report: report))
    }
  }

  /// Reads the mount table and probes the filesystem for the rest (`Observer` decides
  /// what a live or a saved table allows); a saved table's skipped lines are problems.
  static func observe(
    _ desired: DesiredState, _ options: RunOptions
  ) throws(ProbeError) -> (ObservedState, [Problem]) {
    // An --instance run probes only its instances' paths: a unit's start hook should
    // not pay for every other instance on the host.
    var probed = desired
    if !options.instances.isEmpty {
      probed.instances = desired.instances.filter { options.instances.contains($0.name) }
    }
    let source = options.tableSource
    let observation = try Observer(source: source, tableScope: options.scope.tableScope(for: desired))
      .observe(desired: probed)
    let problems = observation.malformedLines.map {
      Problem(file: source.path, line: $0.number, message: "malformed mountinfo line skipped: \($0.text)")
    }
    return (observation.state, problems)
  }

  static func failed(_ options: RunOptions, problems: [Problem]) -> RunReport {
    RunReport(
      dryRun: options.changesNothing, converged: false, outcomes: [], problems: problems,
      exitStatus: .error)
  }
}

/// A run that ended early, as an error so it can travel in a `Result`.
struct RunReportFailure: Error {
  var report: RunReport
}

extension Step {
  /// A migration step that only waits for a lease: not an error, a later run does it.
  var waitsForLease: Bool {
    switch self {
    case .setOwner(let step): return !step.deferredBy.isEmpty
    case .record: return true
    default: return false
    }
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
