import SeedHost
import Foundation
import Glibc
import Reconciler
import XCTest
import _ReconcileTestSupport

/// The ownership migration walk on a real tmpfs: what it must re-own (files, dirs,
/// symlinks themselves, any byte in a name) and what it must leave (other owners,
/// symlink targets, hardlinked foreign files, other mounts, set-id bits).
final class OwnershipWalkerTests: PrivilegedTestCase {
  typealias Tree = OwnershipTree
  let change = OwnershipChange(fromUID: 981, fromGID: 981, toUID: 980, toGID: 980)
  var tree: String { host.base + "/tree" }

  override func setUpWithError() throws {
    try super.setUpWithError()
    try Tree.directory(Tree.bytes(tree))
  }

  func path(_ relative: String) -> [UInt8] { Tree.bytes(tree + "/" + relative) }

  func walk(dryRun: Bool = false) throws -> OwnershipCounts {
    try OwnershipWalker(change: change, dryRun: dryRun).walk(tree, beneath: host.base).get()
  }

  func testSymlinkToRootOwnedFileOutside_LinkIsReownedTargetIsNot() throws {
    try Tree.directory(Tree.bytes(host.base + "/outside"), owner: (0, 0))
    try Tree.file(Tree.bytes(host.base + "/outside/secret"), owner: (0, 0), mode: 0o600)
    try Tree.directory(Tree.bytes(host.base + "/outside/dir"), owner: (0, 0))
    try Tree.file(Tree.bytes(host.base + "/outside/dir/sandbox-file"))
    try Tree.symlink(host.base + "/outside/secret", at: path("to-file"))
    try Tree.symlink(host.base + "/outside/dir", at: path("to-dir"))

    let counts = try walk()

    XCTAssertEqual(counts, OwnershipCounts(changed: 3))
    XCTAssertEqual(try Tree.state(path("to-file")).owner, "980:980")
    XCTAssertEqual(try Tree.state(path("to-dir")).owner, "980:980")
    XCTAssertEqual(try Tree.state(host.base + "/outside/secret").owner, "0:0")
    XCTAssertEqual(try Tree.state(host.base + "/outside/dir").owner, "0:0")
    XCTAssertEqual(
      try Tree.state(host.base + "/outside/dir/sandbox-file").owner, "981:981", "followed a symlink to a directory")
  }

  func testSymlinkLoop_IsReownedAndNeverFollowed() throws {
    try Tree.symlink("loop-b", at: path("loop-a"))
    try Tree.symlink("loop-a", at: path("loop-b"))
    try Tree.symlink("self", at: path("self"))
    try Tree.symlink(".", at: path("dot"))

    let counts = try walk()

    XCTAssertEqual(counts, OwnershipCounts(changed: 5))
    for name in ["loop-a", "loop-b", "self", "dot"] {
      XCTAssertEqual(try Tree.state(path(name)).owner, "980:980", name)
    }
  }

  func testHardlinkToRootOwnedFile_StaysRootOwned() throws {
    try Tree.file(Tree.bytes(host.base + "/shadow"), owner: (0, 0), mode: 0o640)
    XCTAssertEqual(link(host.base + "/shadow", tree + "/hardlink"), 0)

    let counts = try walk()

    XCTAssertEqual(counts, OwnershipCounts(changed: 1, skippedForeign: 1))
    XCTAssertEqual(try Tree.state(host.base + "/shadow").owner, "0:0")
    XCTAssertEqual(try Tree.state(host.base + "/shadow").mode & 0o7777, 0o640)
  }

  /// Same-filesystem binds share st_dev with the tree: only the mount id tells them.
  func testBindMountOfADirectoryInsideTheTree_IsNeitherEnteredNorReowned() throws {
    try Tree.directory(Tree.bytes(host.base + "/elsewhere"))
    try Tree.file(Tree.bytes(host.base + "/elsewhere/file"))
    try Tree.directory(path("bound"))
    try HostFixture.bind(host.base + "/elsewhere", at: tree + "/bound")
    try Tree.directory(path("sub"))
    try Tree.file(path("sub/file"))
    try Tree.directory(path("mirror"))
    try HostFixture.bind(tree + "/sub", at: tree + "/mirror")
    var treeInfo = stat()
    var boundInfo = stat()
    XCTAssertEqual(lstat(tree, &treeInfo), 0)
    XCTAssertEqual(lstat(tree + "/bound", &boundInfo), 0)
    XCTAssertEqual(treeInfo.st_dev, boundInfo.st_dev, "the bind is on the same filesystem")

    let counts = try walk()

    XCTAssertEqual(counts, OwnershipCounts(changed: 3, skippedOtherMounts: 2))
    XCTAssertEqual(try Tree.state(host.base + "/elsewhere").owner, "981:981")
    XCTAssertEqual(try Tree.state(host.base + "/elsewhere/file").owner, "981:981")
    XCTAssertEqual(try Tree.state(path("sub/file")).owner, "980:980", "reached once, at its own place")
    try HostFixture.unmount(tree + "/bound")
    XCTAssertEqual(try Tree.state(path("bound")).owner, "981:981", "the covered mount point is not reachable")
  }

  func testBindMountOfASingleFileInsideTheTree_IsNotReowned() throws {
    try Tree.file(Tree.bytes(host.base + "/server.cfg"))
    try Tree.file(path("server.cfg"))
    try HostFixture.bind(host.base + "/server.cfg", at: tree + "/server.cfg")

    let counts = try walk()

    XCTAssertEqual(counts, OwnershipCounts(changed: 1, skippedOtherMounts: 1))
    XCTAssertEqual(try Tree.state(host.base + "/server.cfg").owner, "981:981")
  }

  func testSetIDFilesOwnedByTheSandbox_EndUpWithoutSetIDBits() throws {
    let modes: [String: mode_t] = ["setuid": 0o4755, "setgid": 0o2755, "setgid-no-exec": 0o2644, "both": 0o6750]
    for (name, mode) in modes { try Tree.file(path(name), mode: mode) }
    try Tree.file(path("root-setuid"), owner: (0, 0), mode: 0o4755)
    try Tree.directory(path("setgid-dir"), mode: 0o2775)

    let counts = try walk()

    XCTAssertEqual(counts, OwnershipCounts(changed: 6, skippedForeign: 1, setIDBitsCleared: 4))
    for (name, mode) in modes {
      let state = try Tree.state(path(name))
      XCTAssertEqual(state.owner, "980:980", name)
      XCTAssertEqual(state.mode & 0o7777, UInt32(mode) & 0o777, name)
    }
    XCTAssertEqual(try Tree.state(path("root-setuid")).mode & 0o7777, 0o4755, "another owner's file is left alone")
    XCTAssertEqual(
      try Tree.state(path("setgid-dir")).mode & 0o7777, 0o2775, "a directory's setgid is inheritance, kept")
  }

  /// What this kernel does by itself when root chowns a set-id file, and why the walk
  /// clears the bits on its own: setgid without group-exec survives.
  func testKernel_ChownByRootClearsSetuidButKeepsSetgidWithoutGroupExec() throws {
    let cases: [(mode: mode_t, after: UInt32)] = [(0o4755, 0o755), (0o2755, 0o755), (0o2644, 0o2644), (0o6744, 0o2744)]
    for (index, entry) in cases.enumerated() {
      let name = path("f\(index)")
      try Tree.file(name, mode: entry.mode)
      Tree.withCPath(name) { XCTAssertEqual(lchown($0, 980, 980), 0) }
      XCTAssertEqual(try Tree.state(name).mode & 0o7777, entry.after, String(entry.mode, radix: 8))
    }
  }

  func testNamesWithNewlinesAndInvalidUTF8_AreReowned() throws {
    let names: [[UInt8]] = [
      Array("new\nline".utf8), [0xff, 0xfe], [0xc3, 0x28], Array("back\\slash and space".utf8),
      Array(repeating: UInt8(ascii: "n"), count: 255), [0x0a],
    ]
    let directory = Array("dir\nwith\u{1}newlines".utf8) + [0x80]
    try Tree.directory(Tree.bytes(tree + "/") + directory)
    for name in names {
      try Tree.file(Tree.bytes(tree + "/") + name)
      try Tree.file(Tree.bytes(tree + "/") + directory + [UInt8(ascii: "/")] + name)
    }

    let counts = try walk()

    XCTAssertEqual(counts, OwnershipCounts(changed: 2 + 2 * names.count))
    let snapshot = try Tree.snapshot(tree)
    XCTAssertEqual(snapshot.count, 2 + 2 * names.count)
    XCTAssertEqual(Tree.owned(by: Tree.left4me, in: snapshot).count, snapshot.count)
  }

  func testDryRun_CountsExactlyAndChangesNothing() throws {
    try buildMixedTree()
    let before = try Tree.snapshot(host.base)

    let dry = try walk(dryRun: true)

    XCTAssertEqual(try Tree.snapshot(host.base), before, "a dry run touched an entry (owner, mode or ctime)")
    let real = try walk()
    XCTAssertEqual(dry, real)
    let after = try Tree.snapshot(host.base)
    let reowned = before.keys.filter { before[$0]?.owner == "981:981" && after[$0]?.owner == "980:980" }
    XCTAssertEqual(reowned.count, real.changed)
  }

  func testCounts_AreExactOnAMixedTree() throws {
    try buildMixedTree()

    let counts = try walk()

    // Changed: tree, a, a/b/c, a/f1, a/b/c/f4, a/link, a/fifo, a/setuid. Foreign:
    // a/b (root), a/b/f2 (uid only), a/b/c/f3 (gid only). Other mounts: a/bound.
    XCTAssertEqual(counts, OwnershipCounts(changed: 8, skippedForeign: 3, skippedOtherMounts: 1, setIDBitsCleared: 1))
    XCTAssertEqual(try Tree.state(path("a/b")).owner, "0:0")
    XCTAssertEqual(try Tree.state(path("a/b/f2")).owner, "981:0")
    XCTAssertEqual(try Tree.state(path("a/b/c/f3")).owner, "0:981")
    XCTAssertEqual(try Tree.state(path("a/b/c/f4")).owner, "980:980", "reached through a root-owned directory")
    XCTAssertEqual(
      try walk(), OwnershipCounts(skippedForeign: 11, skippedOtherMounts: 1), "a second walk changes nothing")
  }

  /// A failure names its path byte for byte, leaves what is done done, and leaves the
  /// top directory (the checkpoint) unchanged; the rerun completes.
  func testFailure_IsLocatedAndARerunCompletes() throws {
    let odd = Array("odd\ndir".utf8) + [0xff]
    try Tree.directory(Tree.bytes(tree + "/") + odd)
    try Tree.file(Tree.bytes(tree + "/") + odd + Array("/stuck".utf8))
    try Tree.file(path("free"))
    let stuck = Tree.bytes(tree + "/") + odd + Array("/stuck".utf8)
    try Tree.setImmutable(true, stuck)
    defer { try? Tree.setImmutable(false, stuck) }

    let result = OwnershipWalker(change: change).walk(tree, beneath: host.base)

    guard case .failure(let error) = result else { return XCTFail("walked past an immutable file") }
    XCTAssertEqual(error.errno, .notPermitted)
    XCTAssertEqual(error.path, stuck)
    XCTAssertTrue(error.description.contains("odd\\ndir\\xff/stuck"), error.description)
    XCTAssertEqual(try Tree.state(tree).owner, "981:981", "the top directory is re-owned only when everything below is")
    try Tree.setImmutable(false, stuck)
    let freeDone = try Tree.state(path("free")).owner == "980:980"
    XCTAssertEqual(try walk().changed, freeDone ? 3 : 4)
    XCTAssertEqual(Tree.owned(by: Tree.sandbox, in: try Tree.snapshot(tree)), [])
  }

  func testTopDirectoryReachedThroughASymlink_IsRefused() throws {
    try Tree.file(path("file"))
    XCTAssertEqual(symlink(tree, host.base + "/link"), 0)

    let result = OwnershipWalker(change: change).walk(host.base + "/link", beneath: host.base)

    guard case .failure(let error) = result else { return XCTFail("walked through a symlink") }
    XCTAssertEqual(error.errno, .tooManySymbolicLinkLevels, "\(error)")
    XCTAssertEqual(try Tree.state(path("file")).owner, "981:981")
  }

  /// tree, a, a/b (root), a/b/c, files with full, uid-only and gid-only matches, a
  /// symlink, a fifo, a setuid file and a file bound onto a/bound.
  private func buildMixedTree() throws {
    try Tree.directory(path("a"))
    try Tree.directory(path("a/b"), owner: (0, 0))
    try Tree.directory(path("a/b/c"))
    try Tree.file(path("a/f1"))
    try Tree.file(path("a/b/f2"), owner: (981, 0))
    try Tree.file(path("a/b/c/f3"), owner: (0, 981))
    try Tree.file(path("a/b/c/f4"))
    try Tree.symlink("/etc/passwd", at: path("a/link"))
    Tree.withCPath(path("a/fifo")) { p in
      XCTAssertEqual(mkfifo(p, 0o600), 0)
      XCTAssertEqual(lchown(p, 981, 981), 0)
    }
    try Tree.file(path("a/setuid"), mode: 0o4755)
    try Tree.file(Tree.bytes(host.base + "/bound-source"))
    try Tree.file(path("a/bound"))
    try HostFixture.bind(host.base + "/bound-source", at: tree + "/a/bound")
  }

}
