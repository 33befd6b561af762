import Testing

@testable import Reconciler

/// What the watcher compares instead of running: the table's lines at or below root
/// and the held locks on the lease directories' filesystem.
@Suite struct WatchedStateTests {
  private let table = """
    22 1 0:21 / / rw - ext4 /dev/sda1 rw
    30 22 0:40 / /srv/root rw - tmpfs t rw
    31 30 0:40 /overlays/9 /srv/root/runtime/2/build rw - tmpfs t rw
    32 22 0:41 / /srv/rootless rw - tmpfs t rw
    33 22 0:42 / /srv/root\\040x/runtime rw - tmpfs t rw
    34 22 0:43 / /elsewhere/1 rw - tmpfs t rw

    """

  @Test func managedLinesAreRootAndBelowItOnly() {
    let lines = WatchedState.managedLines(of: Array(table.utf8), root: "/srv/root")
    #expect(
      String(decoding: lines, as: UTF8.self)
        == "30 22 0:40 / /srv/root rw - tmpfs t rw\n31 30 0:40 /overlays/9 /srv/root/runtime/2/build rw - tmpfs t rw\n")
  }

  @Test func rootIsComparedInMountinfosEscapedForm() {
    let lines = WatchedState.managedLines(of: Array(table.utf8), root: "/srv/root x")
    #expect(String(decoding: lines, as: UTF8.self) == "33 22 0:42 / /srv/root\\040x/runtime rw - tmpfs t rw\n")
  }

  @Test func onlyFlocksOnTheLeaseDevicesCount() {
    let locks = """
      1: FLOCK  ADVISORY  WRITE 4242 00:28:1234 0 EOF
      2: POSIX  ADVISORY  WRITE 4243 00:28:1235 0 EOF
      3: FLOCK  ADVISORY  WRITE 4244 08:01:99 0 EOF
      4: FLOCK  ADVISORY  WRITE 4245 00:2a:7 0 EOF

      """
    // dev_t of 0:40 (0x28).
    #expect(WatchedState.heldLocks(in: Array(locks.utf8), devices: [40]) == ["00:28:1234"])
  }

  @Test func aConvergedRunClosesItsBurst() {
    var statistics = WatchStatistics(startedUnixTime: 100)
    statistics.burstStartedUnixTime = 200
    #expect(statistics.finishing(exitCode: 0, now: 200.25).lastEventToConvergedSeconds == 0.25)
    #expect(statistics.finishing(exitCode: 1, now: 200.25).lastEventToConvergedSeconds == nil)
    #expect(statistics.prometheusLines.contains("reconcile_watch_runs_triggered 0"))
  }
}
