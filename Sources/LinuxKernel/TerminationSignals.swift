import CMountShims
import SystemPackage

/// SIGTERM, SIGINT and SIGHUP as something to poll: they are blocked and read from a
/// `signalfd(2)`, so a long-running loop ends between runs, never inside one.
public final class TerminationSignals {
  public let descriptor: FileDescriptor

  /// Blocks the three signals for the process and opens the signalfd.
  public init() throws(KernelError) {
    descriptor = FileDescriptor(rawValue: try valueOrError("signalfd") { rcs_termination_signalfd() })
  }

  /// The pending signal's number, or nil when none is pending.
  public func next() throws(KernelError) -> Int32? {
    let signal = try valueOrError("read signalfd") { rcs_signalfd_read(descriptor.rawValue) }
    return signal == 0 ? nil : signal
  }
}
