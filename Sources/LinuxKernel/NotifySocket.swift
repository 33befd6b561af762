import CMountShims
import Glibc

/// The `sd_notify(3)` protocol spoken directly: one datagram of `KEY=value` lines to
/// the socket systemd names in `$NOTIFY_SOCKET` (a path, or an abstract name written
/// with a leading `@`). No libsystemd.
public struct NotifySocket: Sendable {
  /// The socket's address, as `$NOTIFY_SOCKET` gives it.
  public var address: String

  /// The service manager's socket, or nil when not started by one (no `$NOTIFY_SOCKET`).
  public static var fromEnvironment: NotifySocket? {
    guard let address = CurrentProcess.environment("NOTIFY_SOCKET"), !address.isEmpty else { return nil }
    return NotifySocket(address: address)
  }

  public init(address: String) { self.address = address }

  /// Sends `state` (`READY=1`, `STATUS=...`, `WATCHDOG=1`, `STOPPING=1`; several as
  /// lines). The corresponding C calls are `socket(AF_UNIX, SOCK_DGRAM)` and `sendto(2)`.
  public func send(_ state: String) throws(KernelError) {
    var bytes = Array(state.utf8)
    _ = try valueOrError("sendto \(address)") { rcs_notify_send(address, &bytes, bytes.count) }
  }

  /// The watchdog interval systemd asks for (`$WATCHDOG_USEC`, when `$WATCHDOG_PID` is
  /// unset or this process), in seconds; nil without one.
  public static var watchdogInterval: Double? {
    guard let usec = CurrentProcess.environment("WATCHDOG_USEC").flatMap(UInt64.init), usec > 0 else { return nil }
    if let pid = CurrentProcess.environment("WATCHDOG_PID"), pid != String(getpid()) { return nil }
    return Double(usec) / 1e6
  }
}
