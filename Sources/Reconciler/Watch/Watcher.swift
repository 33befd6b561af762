import FoundationEssentials
import LinuxKernel
import StateModel

/// `reconcile watch`: stays running and makes the timer's full run (`ReconcileRun`,
/// the same code) whenever something it depends on may have changed.
///
/// - Bursts are coalesced: a run starts once no event came for `quietPeriod`, or
///   `maximumDelay` after the burst's first event, and a burst always ends with a
///   run after its last event (a dropped trailing event is how systemd's mount units
///   once reported success without mounting, systemd #20329).
/// - Mount and lease events are judged by `WatchedState`: the table's lines below
///   `root` and the held lease locks. Equal to what the last run left, there is
///   nothing to do, whatever caused the events (a storm elsewhere, our own run).
/// - After a run that changed that state (its own steps, or someone else meanwhile),
///   one more run confirms; a run that changes nothing causes nothing, so a
///   converged host stays quiet.
/// - A periodic run every `periodicInterval` is the safety net; the timer stays
///   installed as the backstop.
public final class Watcher {
  public enum Trigger: String, Sendable {
    case start, mountTable = "mount-table", manifests, lease, periodic, confirm
  }

  private let options: WatchOptions
  private let log: (String) -> Void
  private let notify: NotifySocket?
  private let watchdogInterval: Double?
  private var lastWatchdog = MonotonicClock.seconds
  private var statistics: WatchStatistics

  /// - Parameters:
  ///   - options: What to watch and how often.
  ///   - notify: systemd's notification socket, when started by systemd.
  ///   - log: Where one line per run and per problem goes (stderr, the journal).
  public init(options: WatchOptions, notify: NotifySocket?, log: @escaping (String) -> Void) {
    self.options = options
    self.notify = notify
    self.log = log
    watchdogInterval = NotifySocket.watchdogInterval
    statistics = WatchStatistics(startedUnixTime: Date().timeIntervalSince1970)
  }

  /// Runs until SIGTERM (or SIGINT, SIGHUP); returns the exit status: 0 after a
  /// signal, 1 when the event sources cannot be set up.
  public func run() -> ExitStatus {
    let sources: WatchSources
    do {
      let targets = loadTargets() ?? WatchTargets(configFile: options.configFile, config: nil)
      sources = try WatchSources(targets: targets, useFanotify: options.useFanotify)
    } catch {
      log("error: cannot watch: \(error)")
      return .error
    }
    log(
      "watching \(sources.targets.root): mount table by "
        + (sources.fanotify != nil ? "fanotify mount events and POLLPRI" : "POLLPRI on mountinfo")
        + (sources.fanotifyUnavailable.map { " (fanotify: \($0))" } ?? ""))
    var known = WatchedState.read(sources.targets)
    var next: Trigger? = .start
    var burst: (start: Double, wall: Double, lastEvent: Double)?
    var pendingManifests = false
    var pendingLease = false
    var lastMountSample = 0.0
    var periodicDue = 0.0
    var ready = false
    var confirmations = 0
    while true {
      if let trigger = next {
        let outcome = fullRun(trigger, sources: sources, burstStartWall: burst?.wall)
        known = outcome.after
        if !ready {
          ready = true
          send("READY=1")
        }
        send("STATUS=\(outcome.status)")
        periodicDue = MonotonicClock.seconds + options.periodicInterval
        (next, burst, pendingManifests, pendingLease) = (nil, nil, false, false)
        if outcome.terminate { break }
        if outcome.manifestsChanged {
          // A manifest written during the run: a burst of its own.
          let now = MonotonicClock.seconds
          (burst, pendingManifests) = ((now, Date().timeIntervalSince1970, now), true)
        } else if outcome.after != outcome.before {
          let what = [
            outcome.after.managedLines != outcome.before.managedLines ? "mount table" : nil,
            outcome.after.heldLocks != outcome.before.heldLocks ? "held leases" : nil,
          ].compactMap { $0 }.joined(separator: " and ")
          // The run changed what it watches (its own steps, or someone meanwhile):
          // one more run confirms. It changes nothing on a converged host; a host
          // whose runs keep changing it (a mount the kernel never shows as declared)
          // gets no more than `maximumConfirmations` in a row, then waits for an
          // event or the periodic run, as the timer would.
          confirmations = trigger == .confirm ? confirmations + 1 : 1
          if confirmations <= Self.maximumConfirmations {
            log("\(what) changed during the run: confirming")
            next = .confirm
          } else {
            log("error: \(what) changed by every run: not converging; waiting for the next event or periodic run")
            confirmations = 0
          }
        } else {
          confirmations = 0
        }
        continue
      }
      let now = MonotonicClock.seconds
      var deadline = periodicDue
      if let burst { deadline = min(deadline, burstDeadline(burst)) }
      if let watchdogInterval { deadline = min(deadline, lastWatchdog + watchdogInterval / 2) }
      let sampleMounts = now >= lastMountSample + options.mountSampleInterval
      if !sampleMounts { deadline = min(deadline, lastMountSample + options.mountSampleInterval) }
      let findings: WatchSources.Findings
      do {
        findings = try sources.wait(timeout: max(0, deadline - now), sampleMounts: sampleMounts)
      } catch {
        log("error: waiting for events: \(error)")
        return .error
      }
      let woke = MonotonicClock.seconds
      if sampleMounts { lastMountSample = woke }
      pingWatchdog()
      if findings.terminate { break }
      statistics.eventsSeen += findings.count
      if findings.manifests || findings.mountsOrLeases {
        if burst == nil { burst = (woke, Date().timeIntervalSince1970, woke) }
        burst?.lastEvent = woke
        pendingManifests = pendingManifests || findings.manifests
        pendingLease = pendingLease || findings.leases
      }
      if let current = burst, woke >= burstDeadline(current) {
        if pendingManifests {
          next = .manifests
        } else {
          let state = WatchedState.read(sources.targets)
          if state != known {
            next = pendingLease && state.managedLines == known.managedLines ? .lease : .mountTable
          } else {
            // Nothing a run looks at changed: a storm elsewhere, or our own run's echo.
            (burst, pendingLease) = (nil, false)
          }
        }
      }
      if next == nil && burst == nil && woke >= periodicDue { next = .periodic }
    }
    send("STOPPING=1")
    log("stopping")
    return .converged
  }

  /// Confirming runs in a row after which a host that keeps changing is left to events.
  static let maximumConfirmations = 3

  /// When a burst is over: `quietPeriod` after its last event, at most `maximumDelay`
  /// after its first.
  private func burstDeadline(_ burst: (start: Double, wall: Double, lastEvent: Double)) -> Double {
    min(burst.lastEvent + options.quietPeriod, burst.start + options.maximumDelay)
  }

  /// What one run found and left.
  private struct RunOutcome {
    var before: WatchedState
    var after: WatchedState
    var status: String
    var manifestsChanged: Bool
    var terminate: Bool
  }

  /// One full run, exactly the timer's, then a look at what it (or anyone) changed.
  private func fullRun(
    _ trigger: Trigger, sources: WatchSources, burstStartWall: Double?
  ) -> RunOutcome {
    statistics.runsTriggered += 1
    statistics.lastTrigger = trigger.rawValue
    statistics.burstStartedUnixTime = burstStartWall
    let started = MonotonicClock.seconds
    var runOptions = RunOptions(
      configFile: options.configFile, lockTimeout: options.lockTimeout,
      migrationProgress: nil, metricsFile: options.metricsFile, commandLine: "reconcile watch")
    runOptions.watch = statistics
    if watchdogInterval != nil, let notify {
      // A long ownership walk reports progress about once a second: keep the watchdog fed.
      runOptions.migrationProgress = { _, _ in try? notify.send("WATCHDOG=1") }
    }
    let stateBefore = WatchedState.read(sources.targets)
    let report = ReconcileRun.run(runOptions) { [self] outcome in
      if outcome.status == .failed {
        log("error: \(outcome.step.action) \(outcome.step.target): \(outcome.detail ?? "failed")")
      }
      pingWatchdog()
    }
    let finished = Date().timeIntervalSince1970
    statistics = statistics.finishing(exitCode: report.exitStatus.rawValue, now: finished)
    for problem in report.problems { log("error: \(problem.description)") }
    let applied = report.outcomes.filter { $0.status == .done }.count
    let elapsed = Int(((MonotonicClock.seconds - started) * 1000).rounded())
    let status =
      "run \(statistics.runsTriggered) (\(trigger.rawValue)): exit \(report.exitStatus.rawValue), "
      + "\(applied) step(s) applied, \(elapsed) ms"
    sources.retarget(loadTargets() ?? sources.targets)
    let drained = (try? sources.drain()) ?? WatchSources.Findings()
    statistics.eventsSeen += drained.count
    let after = WatchedState.read(sources.targets)
    // Logged once the state it left is read: whatever happens after this line is
    // an event of its own (the tests synchronise on it).
    log(status)
    return RunOutcome(
      before: stateBefore, after: after, status: status, manifestsChanged: drained.manifests,
      terminate: drained.terminate)
  }

  /// The targets the config names now; nil when it cannot be read (keep the last).
  private func loadTargets() -> WatchTargets? {
    guard let config = try? ManifestLoader(configFile: options.configFile).loadConfig() else { return nil }
    return WatchTargets(configFile: options.configFile, config: config)
  }

  private func pingWatchdog() {
    guard let watchdogInterval else { return }
    let now = MonotonicClock.seconds
    if now >= lastWatchdog + watchdogInterval / 2 {
      lastWatchdog = now
      send("WATCHDOG=1")
    }
  }

  private func send(_ state: String) {
    guard let notify else { return }
    do {
      try notify.send(state)
    } catch {
      log("error: sd_notify: \(error)")
    }
  }
}
