import CMountShims
import Glibc

/// Worker threads, without Foundation's `Thread`, for work already cut into
/// independent parts (the ownership walk's subtrees).
public enum Threads {
  /// The CPUs this process may run on (`sched_getaffinity(2)`), at least 1.
  public static var availableProcessors: Int { Int(rcs_available_cpus()) }

  /// Runs `body(0)` on the calling thread and `body(1)` to `body(count - 1)` on new
  /// threads, and returns when every one has returned. A thread the system cannot
  /// create (`pthread_create(3)` fails) is skipped: `body` must share its parts out
  /// itself, so that fewer threads only take longer.
  public static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    var started: [pthread_t] = []
    for index in 1..<max(1, count) {
      let job = Unmanaged.passRetained(Job(index: index, body: body)).toOpaque()
      var thread = pthread_t()
      if pthread_create(&thread, nil, runJob, job) == 0 {
        started.append(thread)
      } else {
        Unmanaged<Job>.fromOpaque(job).release()
      }
    }
    body(0)
    for thread in started { pthread_join(thread, nil) }
  }

  fileprivate final class Job {
    let index: Int
    let body: @Sendable (Int) -> Void
    init(index: Int, body: @escaping @Sendable (Int) -> Void) {
      self.index = index
      self.body = body
    }
  }
}

private func runJob(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
  let job = Unmanaged<Threads.Job>.fromOpaque(context!).takeRetainedValue()
  job.body(job.index)
  return nil
}
