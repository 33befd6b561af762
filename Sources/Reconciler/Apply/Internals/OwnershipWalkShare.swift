import LinuxKernel
import Synchronization

/// What the threads of one ownership walk share: the subdirectories handed out, the
/// first failure, the counts of the threads that are done, and the progress meter.
final class OwnershipWalkShare: Sendable {
  private struct State {
    var nextPart = 0
    var failure: OwnershipWalkError?
    var counts = OwnershipCounts()
    var entries = 0
    var lastProgress: UInt64
    var progress: Reporter?
  }

  /// The caller's progress closure. It need not be `@Sendable`: it is called only with
  /// the lock held, one call at a time whichever thread makes it, while the caller's
  /// own thread is inside `OwnershipWalker.walk`.
  private struct Reporter: @unchecked Sendable {
    let report: (Int) -> Void
  }

  private let state: Mutex<State>
  /// Set with the first failure: the other threads stop at their next directory.
  private let stopped = Atomic<Bool>(false)
  let reportsProgress: Bool
  private let progressInterval: UInt64

  init(progress: ((Int) -> Void)?, progressInterval: UInt64) {
    reportsProgress = progress != nil
    self.progressInterval = progressInterval
    state = Mutex(State(lastProgress: OwnershipCalls.coarseNanoseconds(), progress: progress.map(Reporter.init)))
  }

  var isStopped: Bool { stopped.load(ordering: .relaxed) }

  /// The index of the next part to walk, or nil when all are handed out or a thread
  /// has failed.
  func nextPart(of count: Int) -> Int? {
    guard !isStopped else { return nil }
    return state.withLock { state in
      guard state.nextPart < count else { return nil }
      state.nextPart += 1
      return state.nextPart - 1
    }
  }

  /// Records a thread's failure (the first one is the one reported) and stops the rest.
  func fail(_ failure: OwnershipWalkError) {
    stopped.store(true, ordering: .relaxed)
    state.withLock { state in
      if state.failure == nil { state.failure = failure }
    }
  }

  /// Adds what a finished thread counted.
  func add(_ counts: OwnershipCounts) {
    state.withLock { $0.counts.add(counts) }
  }

  var failure: OwnershipWalkError? { state.withLock { $0.failure } }
  var counts: OwnershipCounts { state.withLock { $0.counts } }

  /// Counts `entries` more seen and reports the total if `progressInterval` has passed.
  func saw(_ entries: Int) {
    state.withLock { state in
      state.entries += entries
      let now = OwnershipCalls.coarseNanoseconds()
      guard let progress = state.progress, now &- state.lastProgress >= progressInterval else { return }
      state.lastProgress = now
      progress.report(state.entries)
    }
  }
}
