import Foundation
import SeedHost
import XCTest
import _ReconcileTestSupport

/// The sd_notify protocol as `reconcile watch` speaks it, to a datagram socket of the
/// test's own standing in for systemd: READY=1 after the first run, STATUS= lines,
/// WATCHDOG=1 at half of $WATCHDOG_USEC, STOPPING=1 on SIGTERM. Both address forms
/// systemd uses: an abstract name ('@') and a path.
final class WatchNotifyTests: PrivilegedTestCase {
  func testNotifiesReadyStatusWatchdogAndStoppingOnAnAbstractSocket() throws {
    try exercise(address: "@reconcile-notify-test-\(getpid())")
  }

  func testNotifiesOnAPathSocket() throws {
    try exercise(address: host.base + "/notify.sock")
  }

  private func exercise(address: String) throws {
    try host.seed.build()
    let socket = try DatagramSocket(address: address)
    let watch = try WatchProcess(
      config: host.config, pollOnly: false,
      environment: ["NOTIFY_SOCKET": address, "WATCHDOG_USEC": "200000"])
    var seen: [String] = []
    // READY comes after the first run, then its STATUS; watchdog pings keep coming.
    while !(seen.contains("READY=1") && seen.contains { $0.hasPrefix("STATUS=run ") } && seen.contains("WATCHDOG=1")) {
      guard let message = socket.receive(within: 30) else {
        return XCTFail("no notification after \(seen)")
      }
      seen.append(message)
    }
    XCTAssertLessThan(
      seen.firstIndex(of: "READY=1")!, seen.firstIndex { $0.hasPrefix("STATUS=run ") }!, "READY=1 first")
    watch.process.terminate()
    while let message = socket.receive(within: 30) {
      if message == "STOPPING=1" { break }
    }
    XCTAssertEqual(watch.terminate(), 0)
  }
}

/// A bound AF_UNIX datagram socket: what systemd listens on for sd_notify.
private final class DatagramSocket {
  private let fd: Int32

  init(address: String) throws {
    fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var sa = sockaddr_un()
    sa.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(address.utf8)
    withUnsafeMutableBytes(of: &sa.sun_path) { path in
      for (index, byte) in bytes.enumerated() { path[index] = byte }
      if bytes.first == UInt8(ascii: "@") { path[0] = 0 }
    }
    let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == UInt8(ascii: "@") ? 0 : 1))
    let bound = withUnsafePointer(to: &sa) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard fd >= 0, bound == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
  }

  deinit { close(fd) }

  /// The next datagram, or nil after `seconds` (a safety limit, not a synchronisation).
  func receive(within seconds: Double) -> String? {
    var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&descriptor, 1, Int32(seconds * 1000)) == 1 else { return nil }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = recv(fd, &buffer, buffer.count, 0)
    return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
  }
}
