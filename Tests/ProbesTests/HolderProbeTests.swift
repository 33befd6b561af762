import Foundation
import Testing

@testable import Probes

@Suite struct HolderProbeTests {
  /// The mount that `path` is on, as this process's mount table describes it.
  private func mount(of path: String) throws -> MountEntry {
    let id = try MountIdentityProbe().mountID(at: path).get()
    return try #require(TestHost.mountEntry(id: id))
  }

  @Test func processWithItsWorkingDirectoryInsideIsFound() throws {
    try TestHost.withTemporaryDirectory { dir throws in
      try TestHost.makeDirectory(dir + "/work")
      let child = try TestHost.start("/bin/sleep", ["30"], in: dir + "/work")
      defer { TestHost.stop(child) }
      let holders = HolderProbe().holders(of: try mount(of: dir))
      let mine = holders.filter { $0.pid == child.processIdentifier }
      #expect(
        mine.contains(
          MountHolder(
            pid: child.processIdentifier, command: "sleep", what: .workingDirectory(path: dir + "/work"))))
      #expect(mine.first?.description.hasPrefix("pid \(child.processIdentifier) (sleep): ") == true)
    }
  }

  @Test func openFileInsideIsFound() throws {
    try TestHost.withTemporaryDirectory { dir throws in
      try TestHost.makeFile(dir + "/held", "x")
      let file = try #require(FileHandle(forReadingAtPath: dir + "/held"))
      defer { try? file.close() }
      let child = try TestHost.start("/bin/sleep", ["30"], in: "/", standardInput: file)
      defer { TestHost.stop(child) }
      let holders = HolderProbe().holders(of: try mount(of: dir))
      #expect(
        holders.contains(
          MountHolder(
            pid: child.processIdentifier, command: "sleep", what: .openFile(descriptor: 0, path: dir + "/held"))))
    }
  }

  @Test func processOnAnotherMountIsNotAHolderThroughItsWorkingDirectory() throws {
    try TestHost.withTemporaryDirectory { dir throws in
      let child = try TestHost.start("/bin/sleep", ["30"], in: "/proc")
      defer { TestHost.stop(child) }
      let here = HolderProbe().holders(of: try mount(of: dir)).filter { $0.pid == child.processIdentifier }
      #expect(!here.contains { if case .workingDirectory = $0.what { true } else { false } })
      let proc = HolderProbe().holders(of: try mount(of: "/proc")).filter { $0.pid == child.processIdentifier }
      #expect(proc.map(\.what) == [.workingDirectory(path: "/proc")])
    }
  }

  @Test func holdOnASubmountCountsForTheMountAbove() throws {
    // /proc is mounted below /: a cwd in /proc holds / once /proc's id is passed.
    let child = try TestHost.start("/bin/sleep", ["30"], in: "/proc")
    defer { TestHost.stop(child) }
    let root = try mount(of: "/")
    let procID = try MountIdentityProbe().mountID(at: "/proc").get()
    let without = HolderProbe().holders(of: root).filter { $0.pid == child.processIdentifier }
    let with = HolderProbe().holders(of: root, submountIDs: [procID]).filter { $0.pid == child.processIdentifier }
    #expect(!without.map(\.what).contains(.workingDirectory(path: "/proc")))
    #expect(with.map(\.what).contains(.workingDirectory(path: "/proc")))
  }

  @Test func processInAnotherMountNamespaceWithACopyIsFound() throws {
    // unshare(1) makes a namespace that copies every mount; nothing is mounted, and
    // --propagation private changes only the copy.
    let child = try TestHost.start(
      "/usr/bin/unshare", ["-m", "--propagation", "private", "/bin/sleep", "30"], in: "/")
    defer { TestHost.stop(child) }
    let pid = child.processIdentifier
    let own = try MountIdentityProbe().lookUp("/proc/self/ns/mnt", followingFinalSymlink: true).get()
    try #require(
      TestHost.eventually {
        let theirs = try? MountIdentityProbe().lookUp("/proc/\(pid)/ns/mnt", followingFinalSymlink: true).get()
        return theirs.map { $0.inode != own.inode } ?? false
      })
    let holders = try HolderProbe().holders(of: mount(of: "/proc")).filter { $0.pid == pid }
    #expect(holders.contains { if case .otherMountNamespace = $0.what { true } else { false } })
  }

  @Test func namespaceCopyNeedsTheSameTargetDeviceAndRoot() {
    let mount = MountEntry(
      id: 40, parentID: 1, major: 0, minor: 52, root: "/", target: "/srv/my dir", fsType: "tmpfs",
      source: "tmpfs", mountOptions: ["rw"], superOptions: [], propagation: Propagation(), overlay: nil)
    let copy = "612 600 0:52 / /srv/my\\040dir rw,relatime - tmpfs tmpfs rw\n"
    #expect(HolderProbe.mountInfo("1 0 8:1 / / rw - ext4 /dev/sda rw\n" + copy, containsCopyOf: mount))
    #expect(!HolderProbe.mountInfo("612 600 0:53 / /srv/my\\040dir rw - tmpfs tmpfs rw\n", containsCopyOf: mount))
    #expect(!HolderProbe.mountInfo("612 600 0:52 /sub /srv/my\\040dir rw - tmpfs tmpfs rw\n", containsCopyOf: mount))
    #expect(!HolderProbe.mountInfo("612 600 0:52 / /srv/other rw - tmpfs tmpfs rw\n", containsCopyOf: mount))
  }

  @Test func mangleEscapesAsTheKernelDoes() {
    #expect(HolderProbe.mangle("/a b\tc\nd\\e") == "/a\\040b\\011c\\012d\\134e")
    #expect(HolderProbe.mangle("/plain/ünï") == "/plain/ünï")
  }
}
