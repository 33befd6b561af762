import SystemPackage
import Testing

@testable import Probes

@Suite struct PathProbeTests {
  /// A root with a good layer, an outside directory, and links of both kinds.
  private func withTree(_ body: (_ root: String, _ base: String) throws -> Void) throws {
    try TestHost.withTemporaryDirectory { base throws in
      let root = base + "/overlays"
      try TestHost.makeDirectory(root + "/9/sub")
      try TestHost.makeDirectory(base + "/outside")
      try TestHost.makeFile(root + "/file")
      try TestHost.makeSymlink(root + "/abs", pointingTo: base + "/outside")
      try TestHost.makeSymlink(root + "/dotdot", pointingTo: "../outside")
      try TestHost.makeSymlink(root + "/inside", pointingTo: "9")
      try body(root, base)
    }
  }

  @Test func directoryBeneathItsRootIsFine() throws {
    try withTree { root, _ in
      #expect(PathProbe().escape(of: root + "/9", beneath: root) == nil)
      #expect(PathProbe().escape(of: root + "/9/sub", beneath: root) == nil)
      #expect(PathProbe().escape(of: root, beneath: root) == nil)
      // ".." that stays inside is allowed.
      #expect(PathProbe().escape(of: root + "/9/sub/..", beneath: root) == nil)
    }
  }

  @Test func absoluteSymlinkOutIsRefusedAsASymlink() throws {
    try withTree { root, _ in
      let escape = try #require(PathProbe().escape(of: root + "/abs", beneath: root))
      #expect(escape.reason == .passesThroughSymlink(.tooManySymbolicLinkLevels))
      #expect(escape.description.contains("passes through a symlink"))
      #expect(escape.description.contains(Errno.tooManySymbolicLinkLevels.description))
    }
  }

  @Test func dotDotSymlinkOutIsRefused() throws {
    try withTree { root, _ in
      let escape = try #require(PathProbe().escape(of: root + "/dotdot", beneath: root))
      #expect(escape.reason == .passesThroughSymlink(.tooManySymbolicLinkLevels))
    }
  }

  @Test func symlinkThatStaysInsideIsStillRefused() throws {
    try withTree { root, _ in
      let escape = try #require(PathProbe().escape(of: root + "/inside/sub", beneath: root))
      #expect(escape.reason == .passesThroughSymlink(.tooManySymbolicLinkLevels))
    }
  }

  @Test func dotDotOutOfTheRootEscapes() throws {
    try withTree { root, _ in
      let escape = try #require(PathProbe().escape(of: root + "/9/../../outside", beneath: root))
      #expect(escape.reason == .escapesRoot(.improperLink))
      #expect(escape.description.hasPrefix("escapes its root \(root) ("))
    }
  }

  @Test func missingAndNonDirectoryPathsAreReported() throws {
    try withTree { root, _ in
      let missing = try #require(PathProbe().escape(of: root + "/nope", beneath: root))
      #expect(missing.reason == .missing(.noSuchFileOrDirectory))
      #expect(missing.description.contains("does not exist"))
      let file = try #require(PathProbe().escape(of: root + "/file", beneath: root))
      #expect(file.reason == .notADirectory(.notDirectory))
    }
  }

  @Test func pathOutsideTheRootAndMissingRootAreReported() throws {
    try withTree { root, base in
      let outside = try #require(PathProbe().escape(of: base + "/outside", beneath: root))
      #expect(outside.reason == .outsideRoot)
      let noRoot = try #require(PathProbe().escape(of: base + "/gone/x", beneath: base + "/gone"))
      #expect(noRoot.reason == .rootUnusable(.noSuchFileOrDirectory))
    }
  }

  @Test(
    arguments: [
      ("/r/a", "/r", "a"), ("/r", "/r", "."), ("/r/a/b/", "/r/", "a/b"), ("/r/../x", "/r", "../x"),
      ("/rx/a", "/r", nil), ("/a", "/r", nil), ("r/a", "/r", nil), ("/r/a", "r", nil),
      // Canonically equivalent names are different directories: compared as bytes.
      ("/srv/e\u{301}/x", "/srv/\u{e9}", nil), ("/srv/\u{e9}/x", "/srv/\u{e9}", "x"),
    ] as [(String, String, String?)])
  func relativePathComparesWholeComponents(path: String, root: String, expected: String?) {
    #expect(PathProbe.relativePath(of: path, below: root) == expected)
  }

  @Test func allowedRootIsTheDeepestLexicalPrefix() {
    let roots = ["/r/overlays", "/r/overlays/cache", "/r/installation"]
    #expect(PathProbe.allowedRoot(for: "/r/overlays/cache/x", among: roots) == "/r/overlays/cache")
    #expect(PathProbe.allowedRoot(for: "/r/overlays/9", among: roots) == "/r/overlays")
    #expect(PathProbe.allowedRoot(for: "/r/overlays2/9", among: roots) == nil)
  }
}
