import Foundation
import SeedHost
import Glibc
import Reconciler
import XCTest
import _ReconcileTestSupport

/// The walk shared among threads (`OwnershipWalk+Parallel`), on a real tmpfs with the
/// sandbox's and left4me's real ids: the same result as one thread, post-order across
/// threads, and a failure in one subtree that stops them all.
final class OwnershipWalkerThreadsTests: PrivilegedTestCase {
  typealias Tree = OwnershipTree
  let change = OwnershipChange(fromUID: 981, fromGID: 981, toUID: 980, toGID: 980)
  var tree: String { host.base + "/tree" }

  func path(_ relative: String) -> [UInt8] { Tree.bytes(tree + "/" + relative) }

  /// `top/f`, then `top/spine` with `parts` subdirectories of two levels and files;
  /// a root-owned directory and a foreign file in some. The split happens at `spine`,
  /// below the top.
  private func buildTree(parts: Int = 8) throws {
    try Tree.directory(Tree.bytes(tree))
    try Tree.file(path("f"))
    try Tree.directory(path("spine"))
    for part in 0..<parts {
      try Tree.directory(path("spine/p\(part)"))
      try Tree.directory(path("spine/p\(part)/d"), owner: part % 3 == 0 ? (0, 0) : Tree.sandbox)
      for file in 0..<20 {
        try Tree.file(path("spine/p\(part)/d/f\(file)"), owner: file == 7 ? (981, 0) : Tree.sandbox)
        try Tree.file(path("spine/p\(part)/g\(file)"))
      }
    }
  }

  func testThreads_ReownExactlyWhatOneThreadDoes() throws {
    try buildTree()
    let before = try Tree.snapshot(tree)
    var one = OwnershipWalker(change: change)
    one.threads = 1
    let expected = try one.walk(tree, beneath: host.base).get()
    let afterOne = try Tree.snapshot(tree).mapValues(\.owner)
    XCTAssertEqual(expected.changed, Tree.owned(by: Tree.sandbox, in: before).count)

    for threads in [2, 3, 8] {
      let back = OwnershipChange(fromUID: 980, fromGID: 980, toUID: 981, toGID: 981)
      _ = try OwnershipWalker(change: back).walk(tree, beneath: host.base).get()
      XCTAssertEqual(try Tree.snapshot(tree).mapValues(\.owner), before.mapValues(\.owner))
      var walker = OwnershipWalker(change: change)
      walker.threads = threads
      var dry = walker
      dry.dryRun = true

      XCTAssertEqual(try dry.walk(tree, beneath: host.base).get(), expected, "\(threads) threads, dry run")
      XCTAssertEqual(try walker.walk(tree, beneath: host.base).get(), expected, "\(threads) threads")
      XCTAssertEqual(try Tree.snapshot(tree).mapValues(\.owner), afterOne, "\(threads) threads")
    }
  }

  /// An immutable file in one part: the walk names it, the other threads stop, and
  /// nothing is re-owned above anything still the sandbox's; the rerun completes.
  func testFailureInOnePart_IsReportedAndLeavesTheDirectoriesAbove() throws {
    try buildTree(parts: 12)
    let stuck = path("spine/p5/g3")
    try Tree.setImmutable(true, stuck)
    defer { try? Tree.setImmutable(false, stuck) }
    let wereOwned = Tree.owned(by: Tree.sandbox, in: try Tree.snapshot(tree))
    var walker = OwnershipWalker(change: change)
    walker.threads = 4
    let descriptors = try openDescriptors()

    let result = walker.walk(tree, beneath: host.base)

    XCTAssertEqual(try openDescriptors(), descriptors, "a thread left directories open")

    guard case .failure(let error) = result else { return XCTFail("walked past an immutable file") }
    XCTAssertEqual(error.errno, .notPermitted)
    XCTAssertEqual(error.path, stuck)
    let snapshot = try Tree.snapshot(tree)
    for above in ["", "spine", "spine/p5"] {
      XCTAssertEqual(snapshot[Array(above.utf8)]?.owner, "981:981", "'\(above)' re-owned before its contents")
    }
    XCTAssertEqual(Tree.reownedBeforeTheirContents(from: Tree.sandbox, in: snapshot, wereOwned: wereOwned), [])
    try Tree.setImmutable(false, stuck)
    _ = try walker.walk(tree, beneath: host.base).get()
    XCTAssertEqual(Tree.owned(by: Tree.sandbox, in: try Tree.snapshot(tree)), [])
  }

  /// A bind mount as one of the parts is counted and left, whichever thread meets it.
  func testOtherMountAmongTheParts_IsNeitherEnteredNorReowned() throws {
    try buildTree(parts: 4)
    try Tree.directory(Tree.bytes(host.base + "/elsewhere"))
    try Tree.file(Tree.bytes(host.base + "/elsewhere/inside"))
    try Tree.directory(path("spine/bound"))
    try HostFixture.bind(host.base + "/elsewhere", at: tree + "/spine/bound")
    var walker = OwnershipWalker(change: change)
    walker.threads = 4

    let counts = try walker.walk(tree, beneath: host.base).get()

    XCTAssertEqual(counts.skippedOtherMounts, 1)
    XCTAssertEqual(try Tree.state(Tree.bytes(host.base + "/elsewhere/inside")).owner, "981:981")
    XCTAssertEqual(try Tree.state(Tree.bytes(host.base + "/elsewhere")).owner, "981:981")
  }

  private func openDescriptors() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").sorted()
  }
}
