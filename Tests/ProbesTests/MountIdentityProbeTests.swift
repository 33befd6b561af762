import SystemPackage
import Testing

@testable import Probes

@Suite struct MountIdentityProbeTests {
  @Test func rootAndProcAreDifferentMountsAsMountinfoSays() throws {
    let root = try MountIdentityProbe().mountID(at: "/").get()
    let proc = try MountIdentityProbe().mountID(at: "/proc").get()
    #expect(root != proc)
    #expect(TestHost.mountEntry(id: root)?.target == "/")
    #expect(TestHost.mountEntry(id: proc)?.target == "/proc")
  }

  @Test func fileInADirectoryIsOnTheDirectorysMount() throws {
    try TestHost.withTemporaryDirectory { dir throws in
      try TestHost.makeFile(dir + "/f")
      let probe = MountIdentityProbe()
      #expect(try probe.mountID(at: dir + "/f").get() == probe.mountID(at: dir).get())
    }
  }

  @Test func finalSymlinkIsNotFollowedUnlessAsked() throws {
    try TestHost.withTemporaryDirectory { dir throws in
      try TestHost.makeSymlink(dir + "/toproc", pointingTo: "/proc")
      let probe = MountIdentityProbe()
      let here = try probe.mountID(at: dir).get()
      #expect(try probe.mountID(at: dir + "/toproc").get() == here)
      let through = try probe.lookUp(dir + "/toproc", followingFinalSymlink: true).get()
      #expect(through.mountID == (try probe.mountID(at: "/proc").get()))
    }
  }

  @Test func missingPathIsAnError() {
    #expect(throws: Errno.noSuchFileOrDirectory) {
      try MountIdentityProbe().mountID(at: "/nonexistent-reconcile-test/x").get()
    }
  }
}
