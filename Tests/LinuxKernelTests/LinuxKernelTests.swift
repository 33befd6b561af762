import Glibc
import SystemPackage
import Testing

@testable import LinuxKernel

@Suite struct LinuxKernelTests {
  @Test func interruptedCallsAreRetriedAndOtherErrorsCarryTheCallAndPath() throws {
    var calls = 0
    try MountAPI.check("mount", "/x") {
      calls += 1
      if calls < 3 {
        errno = EINTR
        return -1
      }
      return 0
    }
    #expect(calls == 3)
    #expect(throws: KernelError("umount2", .resourceBusy, path: "/srv/m")) {
      try MountAPI.check("umount2", "/srv/m") {
        errno = EBUSY
        return -1
      }
    }
  }

  @Test func errorsSayTheCallThePathAndTheErrnoInWordsAndByName() {
    let error = KernelError("openat2", .tooManySymbolicLinkLevels, path: "/var/lib/left4me/.reconcile")
    #expect(error.description == "openat2 /var/lib/left4me/.reconcile: Too many levels of symbolic links (ELOOP)")
    #expect(Errno(rawValue: 12345).name == "errno 12345")
  }

  @Test func directoryHandleRefusesSymlinksAndDotDotBelowIt() throws {
    let base = try Files.makeTemporaryDirectory("/tmp/reconcile-lk.XXXXXX")
    defer { system("rm -rf '\(base.string)'") }
    let root = try DirectoryHandle.open(base)
    try root.makeDirectory("inside")
    symlink("/etc", base.appending("link").string)
    #expect(throws: KernelError("openat2", .tooManySymbolicLinkLevels, path: base.appending("link"))) {
      _ = try root.openDirectory("link")
    }
    // One component at a time: `..` itself is refused, beneath the directory.
    #expect(throws: KernelError("openat2", .improperLink, path: base.appending(".."))) {
      _ = try root.openDirectory("../etc")
    }
    let inside = try root.openDirectory("inside/deeper", create: true)
    try inside.writeAtomically("file", Array("text\n".utf8))
    let read = try Files.contents(of: inside.path.appending("file"))
    #expect(read == Array("text\n".utf8))
  }
}
