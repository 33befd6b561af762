import SystemPackage
import Testing

@testable import Probes

@Suite struct XattrProbeTests {
  private let refused = ["user.fuseoverlayfs."]

  @Test func refusedPrefixIsFoundAndOthersAreNot() throws {
    try TestHost.withTemporaryDirectory { dir throws in
      let upper = dir + "/upper"
      try TestHost.makeDirectory(upper)
      try #require(TestHost.setXattr(upper, "user.fuseoverlayfs.foo", "1") == 0)
      try #require(TestHost.setXattr(upper, "user.other", "1") == 0)
      let names = try XattrProbe().names(at: upper).get()
      #expect(Set(names).isSuperset(of: ["user.fuseoverlayfs.foo", "user.other"]))
      let found = try XattrProbe().refusedNames(at: upper, prefixes: refused).get()
      #expect(found == ["user.fuseoverlayfs.foo"])
    }
  }

  @Test func cleanDirectoryAndMissingPathHaveNone() throws {
    try TestHost.withTemporaryDirectory { dir throws in
      #expect(try XattrProbe().refusedNames(at: dir, prefixes: refused).get() == [])
      #expect(try XattrProbe().names(at: dir + "/missing").get() == [])
      #expect(!TestHost.exists(dir + "/missing"))
    }
  }

  @Test func symlinkToTaintedDirectoryIsNotFollowed() throws {
    try TestHost.withTemporaryDirectory { dir throws in
      try TestHost.makeDirectory(dir + "/tainted")
      try #require(TestHost.setXattr(dir + "/tainted", "user.fuseoverlayfs.x", "1") == 0)
      try TestHost.makeSymlink(dir + "/link", pointingTo: dir + "/tainted")
      #expect(try XattrProbe().refusedNames(at: dir + "/tainted", prefixes: refused).get() != [])
      #expect(try XattrProbe().refusedNames(at: dir + "/link", prefixes: refused).get() == [])
    }
  }

  @Test func manyNamesAreAllListed() throws {
    try TestHost.withTemporaryDirectory { dir throws in
      for index in 0..<50 {
        try #require(TestHost.setXattr(dir, "user.fuseoverlayfs.n\(index)", "v") == 0)
      }
      let found = try XattrProbe().refusedNames(at: dir, prefixes: refused).get()
      #expect(found.count == 50)
    }
  }
}
