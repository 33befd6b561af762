import LinuxKernel
import SystemPackage

extension Result where Failure == Errno {
  /// The outcome of LinuxKernel calls as the probes answer it: the value, or the
  /// errno alone (their callers decide on the errno; the call and path are theirs).
  init(errnoOf body: () throws(KernelError) -> Success) {
    do {
      self = .success(try body())
    } catch {
      self = .failure(error.errno)
    }
  }
}
