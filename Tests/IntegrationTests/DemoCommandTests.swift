import Foundation
import XCTest
import _ReconcileTestSupport

/// `reconcile demo`, the newcomer's first command, run as the built binary: it must
/// say it repaired the seeds' broken host, step by step, and leave nothing behind.
final class DemoCommandTests: PrivilegedTestCase {
  /// One step line of a text report: `[status] action target (...)`.
  struct StepLine: Equatable, CustomStringConvertible {
    var status: String?
    var action: String
    var target: String
    var description: String { "\(status ?? "planned") \(action) \(target)" }
  }

  func testDemoRepairsTheSeedHostAndSaysWhatItDid() throws {
    let mountsBefore = try ProcFile.read("/proc/self/mountinfo")
    let directoriesBefore = demoDirectories()

    let result = try ScratchHost.run(["demo"])

    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    let chapter = chapters(of: result.stdout)
    XCTAssertEqual(Array(chapter.keys).sorted(), [1, 2, 3, 4, 5], result.stdout)

    // 1. The broken state it made: the stacked idmap bind among it.
    XCTAssertTrue(
      (chapter[1] ?? []).contains { $0.contains("runtime/2/idmap/overlays_9") && $0.contains("[3 stacked]") },
      text(chapter[1]))

    // 2. The dry run: a plan, nothing applied.
    let planned = steps(in: chapter[2])
    XCTAssertTrue(text(chapter[2]).contains("dry run"), text(chapter[2]))
    XCTAssertTrue(planned.allSatisfy { $0.status == nil }, "a plan has no outcomes: \(planned)")
    XCTAssertEqual(
      planned.filter { $0 == StepLine(action: "unmount", target: "runtime/2/idmap/overlays_9") }.count, 3, "\(planned)")
    for expected in [
      StepLine(action: "unmount", target: "tmp/sandbox-idmap-9"),
      StepLine(action: "unmount", target: "runtime/1/merged"),
      StepLine(action: "mount", target: "runtime/1/merged"),
      StepLine(action: "mount", target: "runtime/2/merged"),
      StepLine(action: "mount", target: "runtime/2/build"),
      StepLine(action: "chown", target: "overlays"),
    ] {
      XCTAssertTrue(planned.contains(expected), "the plan lacks \(expected): \(planned)")
    }
    XCTAssertFalse(
      planned.contains { $0.target.hasPrefix("tmp/sandbox-idmap-4") }, "a held lease keeps its bind: \(planned)")
    XCTAssertFalse(planned.contains { $0.target.hasPrefix("runtime/3/") }, "instance 3 is refused: \(planned)")
    XCTAssertTrue(text(chapter[2]).contains("instance 3: refused"), text(chapter[2]))

    // 3. The apply: exactly the planned steps, each done, but the migration, which the
    // held lease defers; the listing after it shows the stack gone.
    let applied = steps(in: chapter[3])
    XCTAssertEqual(applied.map { StepLine(action: $0.action, target: $0.target) }, planned)
    for step in applied {
      let deferred = step.action == "chown" || step.action == "record"
      XCTAssertEqual(step.status, deferred ? "skipped" : "done", "\(step)")
    }
    let listing = text(chapter[3]).components(separatedBy: "Mounts now:").last ?? ""
    XCTAssertFalse(listing.contains("runtime/2/idmap"), listing)
    XCTAssertTrue(listing.contains("runtime/2/merged"), listing)
    XCTAssertTrue(listing.contains("tmp/sandbox-idmap-4"), listing)

    // 4. Lease released, upperdir cleaned: the rest is applied and the host converges.
    let second = steps(in: chapter[4])
    for expected in [
      StepLine(status: "done", action: "unmount", target: "tmp/sandbox-idmap-4"),
      StepLine(status: "done", action: "mount", target: "runtime/3/merged"),
      StepLine(status: "done", action: "chown", target: "overlays"),
      StepLine(status: "done", action: "record", target: ".reconcile/migrations/overlays-owned-by-left4me.json"),
    ] {
      XCTAssertTrue(second.contains(expected), "the second run lacks \(expected): \(second)")
    }
    XCTAssertTrue(second.allSatisfy { $0.status == "done" }, "\(second)")
    XCTAssertTrue(text(chapter[4]).contains("Applied and verified: converged (exit 0)."), text(chapter[4]))
    XCTAssertTrue(text(chapter[4]).contains("overlays/12 is now owned by 980:980"), text(chapter[4]))

    // 5. Steady state: a run that plans nothing and converges.
    XCTAssertEqual(steps(in: chapter[5]), [])
    XCTAssertTrue(text(chapter[5]).contains("Nothing to do: no step planned."), text(chapter[5]))
    XCTAssertTrue(text(chapter[5]).contains("Applied and verified: converged (exit 0)."), text(chapter[5]))
    XCTAssertTrue(result.stdout.contains("Demo complete: converged, and the last run changed nothing."))

    // Nothing outside its namespace and temporary directory changed.
    XCTAssertEqual(try ProcFile.read("/proc/self/mountinfo"), mountsBefore)
    XCTAssertEqual(demoDirectories(), directoriesBefore)
  }

  /// The demo's output by chapter number ("2. The plan: ..." up to the next heading).
  private func chapters(of output: String) -> [Int: [String]] {
    var result: [Int: [String]] = [:]
    var current: Int?
    for line in output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      if let dot = line.firstIndex(of: "."), let number = Int(line[..<dot]), line[dot...].hasPrefix(". ") {
        current = number
        result[number] = []
      } else if let current {
        result[current, default: []].append(line)
      }
    }
    return result
  }

  private func text(_ lines: [String]?) -> String { (lines ?? []).joined(separator: "\n") }

  /// The step lines of a report: planned ones (`  unmount  target (...)`) or applied
  /// ones (`  done     unmount  target (...)`); detail lines below them are not steps.
  private func steps(in lines: [String]?) -> [StepLine] {
    let actions: Set = ["mkdir", "mount", "unmount", "chown", "rmdir", "record"]
    let statuses: Set = ["done", "failed", "skipped"]
    return (lines ?? []).compactMap { line in
      let words = line.split(separator: " ").map(String.init)
      guard line.hasPrefix("    "), words.count >= 2 else { return nil }
      if statuses.contains(words[0]), words.count >= 3, actions.contains(words[1]) {
        return StepLine(status: words[0], action: words[1], target: words[2])
      }
      if actions.contains(words[0]) { return StepLine(status: nil, action: words[0], target: words[1]) }
      return nil
    }
  }

  private func demoDirectories() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter { $0.hasPrefix("reconcile-demo.") }
      .sorted()
  }
}
