import SeedHost
import Foundation
import Reconciler
import XCTest
import _ReconcileTestSupport

/// An apply killed with SIGKILL at a random moment converges on the next run, and no
/// upperdir content is lost.
final class CrashRecoveryTests: PrivilegedTestCase {
  func testSIGKILLAtRandomMomentsThenRerunConverges() throws {
    try host.seed.build()
    let idmap = host.root + "/runtime/2/idmap/overlays_9"
    for _ in 0..<400 { try HostFixture.bind(host.root + "/overlays/9", at: idmap) }
    try host.seed.write(host.root + "/runtime/1/upper/left4dead2/cfg/keep.cfg", "keep me\n")

    var random = SeededRandom(for: "testSIGKILLAtRandomMomentsThenRerunConverges")
    for round in 0..<5 {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: ScratchHost.reconcileBinary)
      process.arguments = ["--config", host.config]
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      usleep(UInt32.random(in: 0..<40_000, using: &random))  // a random moment, not a synchronisation
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      if round == 4 { break }
      for _ in 0..<50 { try? HostFixture.bind(host.root + "/overlays/9", at: idmap) }
    }

    let rerun = try reconcile("--format", "json")
    XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr)
    XCTAssertEqual(try reconcile("--dry-run").status, 0)
    XCTAssertEqual(host.stackDepth("runtime/2/idmap/overlays_9"), 0)
    XCTAssertEqual(host.stackDepth("runtime/1/merged"), 1)
    XCTAssertEqual(
      try String(contentsOfFile: host.root + "/runtime/1/merged/left4dead2/cfg/keep.cfg", encoding: .utf8), "keep me\n")
    XCTAssertEqual(
      try String(contentsOfFile: host.root + "/runtime/1/upper/left4dead2/cfg/keep.cfg", encoding: .utf8), "keep me\n")
  }
}
