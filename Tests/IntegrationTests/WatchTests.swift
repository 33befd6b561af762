import Foundation
import LinuxKernel
import SeedHost
import XCTest
import _ReconcileTestSupport

/// `reconcile watch` for real: each kind of drift repaired, bursts coalesced and ended
/// by a run after their last event, no run caused by its own changes, a SIGKILL mid-apply
/// followed by a restart. Each test runs on both of its mount-table paths: fanotify
/// mount events (6.15+; on older kernels the watcher falls back to polling by itself)
/// and POLLPRI on mountinfo alone (`--poll-only`).
final class WatchTests: PrivilegedTestCase {
  /// Runs `body` once per mount-table path, each on a fresh host built from the seed.
  private func onBothPaths(_ body: (_ watch: WatchProcess) throws -> Void) throws {
    for pollOnly in [false, true] {
      if pollOnly {
        host.tearDown()
        host = try ScratchHost()
      }
      try host.seed.build()
      let watch = try WatchProcess(config: host.config, pollOnly: pollOnly)
      watch.untilQuiet()
      try body(watch)
      XCTAssertEqual(watch.terminate(), 0, "SIGTERM ends it cleanly")
      XCTAssertEqual(watch.lines.last, "stopping")
      let dryRun = try reconcile("--dry-run")
      XCTAssertEqual(
        dryRun.status, 0, "converged (\(pollOnly ? "poll" : "fanotify")): \(dryRun.stdout)\(dryRun.stderr)")
    }
  }

  func testStrayBindBelowManagedIsRemoved() throws {
    try onBothPaths { watch in
      try FileManager.default.createDirectory(atPath: host.root + "/runtime/stray", withIntermediateDirectories: true)
      try HostFixture.bind(host.root + "/overlays/9", at: host.root + "/runtime/stray")
      let runs = watch.untilQuiet()
      XCTAssertEqual(runs.first?.trigger, "mount-table")
      XCTAssertEqual(host.stackDepth("runtime/stray"), 0)
    }
  }

  func testOverlayUnmountedByHandIsMountedAgain() throws {
    try onBothPaths { watch in
      try HostFixture.unmount(host.root + "/runtime/1/merged")
      watch.untilQuiet()
      XCTAssertEqual(host.stackDepth("runtime/1/merged"), 1)
    }
  }

  func testManifestRenamedIntoPlaceIsApplied() throws {
    try onBothPaths { watch in
      let instances = host.base + "/etc/reconcile/instances.d"
      try host.seed.write(
        host.base + "/etc/reconcile/.4.yaml.new",
        "mounts:\n  - type: bind\n    source: overlays/4\n    target: runtime/4/build\n")
      XCTAssertEqual(rename(host.base + "/etc/reconcile/.4.yaml.new", instances + "/4.yaml"), 0)
      let runs = watch.untilQuiet()
      XCTAssertEqual(runs.first?.trigger, "manifests")
      XCTAssertEqual(host.stackDepth("runtime/4/build"), 1)
    }
  }

  func testReleasedLeaseIsSeenAndItsStagingBindRemoved() throws {
    try onBothPaths { watch in
      let staging = host.root + "/tmp/sandbox-idmap-4"
      let lease = try HostFixture.holdLease(staging + ".lock")
      try HostFixture.bind(host.root + "/overlays/4", at: staging)
      watch.untilQuiet()
      XCTAssertEqual(host.stackDepth("tmp/sandbox-idmap-4"), 1, "kept while its build holds the lease")
      lease.release()
      let runs = watch.untilQuiet()
      XCTAssertEqual(runs.first?.trigger, "lease")
      XCTAssertEqual(host.stackDepth("tmp/sandbox-idmap-4"), 0)
    }
  }

  /// A burst becomes few runs, and events that come while a run is under way (after it
  /// read the table) are answered by a run after them.
  func testBurstIsCoalescedAndEndsWithARunAfterItsLastEvent() throws {
    try onBothPaths { watch in
      let burst = 30
      for index in 0..<burst {
        let target = host.root + "/runtime/burst/\(index)"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try HostFixture.bind(host.root + "/overlays/9", at: target)
      }
      let runs = watch.untilQuiet()
      XCTAssertLessThan(runs.filter { $0.steps > 0 }.count, burst, "\(runs)")
      XCTAssertEqual((0..<burst).map { host.stackDepth("runtime/burst/\($0)") }, Array(repeating: 0, count: burst))

      // A held lease makes every run open its lock file after reading the table:
      // mounts made once that open is seen come after the run's observation.
      let staging = host.root + "/tmp/sandbox-idmap-4"
      let lease = try HostFixture.holdLease(staging + ".lock")
      try HostFixture.bind(host.root + "/overlays/4", at: staging)
      watch.untilQuiet()
      let opens = try FileEvents(watchingOpensOf: staging + ".lock")
      try FileManager.default.createDirectory(atPath: host.root + "/runtime/late/a", withIntermediateDirectories: true)
      try HostFixture.bind(host.root + "/overlays/9", at: host.root + "/runtime/late/a")
      XCTAssertTrue(opens.waitForOpen(within: 60), "the run never probed the lease")
      for name in ["b", "c"] {
        try FileManager.default.createDirectory(
          atPath: host.root + "/runtime/late/" + name, withIntermediateDirectories: true)
        try HostFixture.bind(host.root + "/overlays/9", at: host.root + "/runtime/late/" + name)
      }
      watch.untilQuiet()
      XCTAssertEqual(["a", "b", "c"].map { host.stackDepth("runtime/late/" + $0) }, [0, 0, 0])
      XCTAssertEqual(host.stackDepth("tmp/sandbox-idmap-4"), 1)
      lease.release()
      watch.untilQuiet()
    }
  }

  /// Its own mounts and unmounts cause events; a converged host still stays quiet: after
  /// a repair and its confirming run, the next run is the one a manifest rewrite asks for.
  func testOwnChangesDoNotTriggerRuns() throws {
    try onBothPaths { watch in
      try FileManager.default.createDirectory(atPath: host.root + "/runtime/stray", withIntermediateDirectories: true)
      try HostFixture.bind(host.root + "/overlays/9", at: host.root + "/runtime/stray")
      let repair = watch.untilQuiet()
      XCTAssertEqual(repair.map(\.steps).filter { $0 > 0 }.count, 1, "\(repair)")
      let manifest = host.base + "/etc/reconcile/instances.d/1.yaml"
      try FileManager.default.copyItem(atPath: manifest, toPath: host.base + "/etc/reconcile/.1.yaml.new")
      XCTAssertEqual(rename(host.base + "/etc/reconcile/.1.yaml.new", manifest), 0)
      XCTAssertEqual(watch.nextRun(), WatchProcess.Run(trigger: "manifests", exit: 0, steps: 0))
    }
  }

  func testSIGKILLMidApplyThenRestartConverges() throws {
    try host.seed.build()
    let idmap = host.root + "/runtime/2/idmap/overlays_9"
    for _ in 0..<400 { try HostFixture.bind(host.root + "/overlays/9", at: idmap) }
    let staging = host.root + "/tmp/sandbox-idmap-4"
    let lease = try HostFixture.holdLease(staging + ".lock")
    try HostFixture.bind(host.root + "/overlays/4", at: staging)
    let opens = try FileEvents(watchingOpensOf: staging + ".lock")
    let first = try WatchProcess(config: host.config, pollOnly: false)
    // The lease is probed right after the table is read: the run's apply follows.
    XCTAssertTrue(opens.waitForOpen(within: 60))
    kill(first.process.processIdentifier, SIGKILL)
    first.process.waitUntilExit()
    // The build ends too (its lease defers the migration, which must run to converge).
    lease.release()
    let second = try WatchProcess(config: host.config, pollOnly: false)
    second.untilQuiet()
    XCTAssertEqual(second.terminate(), 0)
    XCTAssertEqual(host.stackDepth("runtime/2/idmap/overlays_9"), 0)
    XCTAssertEqual(host.stackDepth("runtime/1/merged"), 1)
    XCTAssertEqual(host.stackDepth("tmp/sandbox-idmap-4"), 0)
    XCTAssertEqual(try reconcile("--dry-run").status, 0)
  }

  /// status.json and the metrics file carry the watcher's counters beside the full run's.
  func testStatusAndMetricsCountEventsAndRuns() throws {
    try host.seed.build()
    let metrics = host.base + "/reconcile.prom"
    let watch = try WatchProcess(config: host.config, pollOnly: false, arguments: ["--metrics-file", metrics])
    watch.untilQuiet()
    try HostFixture.unmount(host.root + "/runtime/1/merged")
    watch.untilQuiet()
    XCTAssertEqual(watch.terminate(), 0)
    let status =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: host.root + "/.reconcile/status.json"))) as? [String: Any]
    let counters = try XCTUnwrap(status?["watch"] as? [String: Any])
    XCTAssertEqual(status?["command"] as? String, "reconcile watch")
    XCTAssertGreaterThan(counters["events_seen"] as? Int ?? 0, 0)
    XCTAssertGreaterThanOrEqual(counters["runs_triggered"] as? Int ?? 0, 4)
    XCTAssertNotNil(counters["last_event_to_converged_seconds"] as? Double)
    let text = try String(contentsOfFile: metrics, encoding: .utf8)
    for gauge in [
      "reconcile_last_success_timestamp_seconds", "reconcile_watch_events_seen", "reconcile_watch_runs_triggered",
      "reconcile_watch_last_event_to_converged_seconds",
    ] {
      XCTAssertTrue(text.contains("\n" + gauge + " "), gauge)
    }
  }
}
