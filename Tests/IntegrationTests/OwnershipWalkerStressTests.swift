import Foundation
import Glibc
import Reconciler
import XCTest
import _ReconcileTestSupport

/// The ownership walk at the edges: a tree deeper than the fd limit allows one fd per
/// level, and a walk killed with SIGKILL midway, then run again.
final class OwnershipWalkerStressTests: PrivilegedTestCase {
  typealias Tree = OwnershipTree
  let change = OwnershipChange(fromUID: 981, fromGID: 981, toUID: 980, toGID: 980)
  var tree: String { host.base + "/tree" }

  /// 10,000 levels with a soft RLIMIT_NOFILE of 512: one fd per level would fail with
  /// EMFILE, and recursion would risk the stack.
  func testTenThousandLevelsDeep_CompletesWithFewFileDescriptors() throws {
    let depth = 10_000
    try Tree.directory(Tree.bytes(tree))
    var fd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    for _ in 0..<depth {
      XCTAssertEqual(mkdirat(fd, "d", 0o755), 0)
      XCTAssertEqual(fchownat(fd, "d", 981, 981, 0), 0)
      let next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
      close(fd)
      fd = next
    }
    let leaf = openat(fd, "leaf", O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
    XCTAssertEqual(fchown(leaf, 981, 981), 0)
    close(leaf)
    close(fd)
    var saved = rlimit()
    getrlimit(RLIMIT_NOFILE_VALUE, &saved)
    var low = saved
    low.rlim_cur = 512
    XCTAssertEqual(setrlimit(RLIMIT_NOFILE_VALUE, &low), 0)
    defer { setrlimit(RLIMIT_NOFILE_VALUE, &saved) }

    let counts = try OwnershipWalker(change: change).walk(tree, beneath: host.base).get()

    setrlimit(RLIMIT_NOFILE_VALUE, &saved)
    XCTAssertEqual(counts, OwnershipCounts(changed: depth + 2))
    // Check every level on the way down, through fds (the path is 20,000 bytes long).
    fd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    var wrong = 0
    for level in 0...depth {
      var info = stat()
      fstat(fd, &info)
      if info.st_uid != 980 || info.st_gid != 980 { wrong += 1 }
      if level == depth {
        XCTAssertEqual(fstatat(fd, "leaf", &info, AT_SYMLINK_NOFOLLOW), 0)
        XCTAssertEqual(info.st_uid, 980)
        break
      }
      let next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
      close(fd)
      fd = next
    }
    close(fd)
    XCTAssertEqual(wrong, 0, "levels left with the old owner")
  }

  /// SIGKILLed three times at random moments, the walk never leaves a directory
  /// re-owned above anything still owned by the sandbox, and a rerun completes,
  /// counting exactly what was left.
  func testSIGKILLMidWalk_ThenARerunCompletes() throws {
    let total = try buildWideTree()
    var kills = 0
    var attempts = 0
    // The moment of the kill, in microseconds after the start. It adapts to the
    // machine: under emulation (the kernel tests) starting the tool alone takes longer
    // than a whole walk on a fast host.
    var window = 5_000..<60_000
    while kills < 3 && attempts < 40 {
      attempts += 1
      let left = try dryRunChanged()
      guard left > 1000 else { break }
      let process = try startTool()
      usleep(UInt32(Int.random(in: window)))
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      guard process.terminationReason == .uncaughtSignal else {
        // It finished before the kill: kill earlier, give the tree back, try again.
        window = window.lowerBound / 2..<max(window.lowerBound / 2 + 1_000, (window.lowerBound + window.upperBound) / 2)
        let back = OwnershipChange(fromUID: 980, fromGID: 980, toUID: 981, toGID: 981)
        _ = try OwnershipWalker(change: back).walk(tree, beneath: host.base).get()
        continue
      }
      guard try dryRunChanged() < left else {
        // Killed before it started: kill later.
        let later = min(window.upperBound * 2, 30_000_000)
        if later > window.upperBound { window = window.upperBound..<later }
        continue
      }
      kills += 1
      try assertPostOrder()
    }
    XCTAssertGreaterThan(kills, 0, "no kill landed mid-walk in \(attempts) attempts")
    let left = try dryRunChanged()
    XCTAssertLessThan(left, total, "nothing was re-owned before the kills")

    let rerun = try CommandResult.run(executable: Tree.tool, arguments: toolArguments)

    XCTAssertEqual(rerun.status, 0, rerun.stderr)
    XCTAssertEqual(
      rerun.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
      "{\"changed\": \(left), \"skipped_foreign\": \(total - left), \"skipped_other_mounts\": 0, \"setid_bits_cleared\": 0}"
    )
    let snapshot = try Tree.snapshot(tree)
    XCTAssertEqual(Tree.owned(by: Tree.left4me, in: snapshot).count, total)
  }

  /// 40 directories of 25 directories of 60 files: 61,041 entries, all the sandbox's.
  private func buildWideTree() throws -> Int {
    try Tree.directory(Tree.bytes(tree))
    let top = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    defer { close(top) }
    var count = 1
    for outer in 0..<40 {
      XCTAssertEqual(mkdirat(top, "o\(outer)", 0o755), 0)
      XCTAssertEqual(fchownat(top, "o\(outer)", 981, 981, 0), 0)
      let outerFD = openat(top, "o\(outer)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
      for inner in 0..<25 {
        XCTAssertEqual(mkdirat(outerFD, "i\(inner)", 0o755), 0)
        XCTAssertEqual(fchownat(outerFD, "i\(inner)", 981, 981, 0), 0)
        let innerFD = openat(outerFD, "i\(inner)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        for file in 0..<60 {
          let fd = openat(innerFD, "f\(file)", O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
          fchown(fd, 981, 981)
          close(fd)
        }
        close(innerFD)
        count += 61
      }
      close(outerFD)
      count += 1
    }
    return count
  }

  /// No directory carries the new owner while something below it has the old one:
  /// children are re-owned before their directory.
  private func assertPostOrder() throws {
    XCTAssertEqual(
      Tree.reownedBeforeTheirContents(from: Tree.sandbox, in: try Tree.snapshot(tree)), [],
      "re-owned before their contents")
  }

  private func dryRunChanged() throws -> Int {
    try OwnershipWalker(change: change, dryRun: true).walk(tree, beneath: host.base).get().changed
  }

  private var toolArguments: [String] { ["--from", "981:981", "--to", "980:980", "--beneath", host.base, tree] }

  private func startTool() throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Tree.tool)
    process.arguments = toolArguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
  }
}

/// RLIMIT_NOFILE as the Glibc module spells it (an enum case there, an Int32 here).
private let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
