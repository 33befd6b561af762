import Foundation
import SystemPackage
import Testing

@testable import Probes

@Suite struct LeaseProbeTests {
  @Test func lockHeldByAChildIsHeldUntilTheChildDies() throws {
    try TestHost.withTemporaryDirectory { dir throws in
      let lock = dir + "/sandbox.lock"
      try TestHost.makeFile(lock)
      #expect(LeaseProbe().isHeld(lockPath: lock) == false)

      // An exclusive lock, as a sandbox build takes it.
      let holder = try TestHost.holdLock(lock)
      defer { TestHost.stop(holder) }
      #expect(TestHost.eventually { LeaseProbe().isHeld(lockPath: lock) })
      #expect(LeaseProbe().observe(lockPath: lock) == LeaseObservation(lockPath: lock, held: true))

      TestHost.stop(holder)
      #expect(LeaseProbe().isHeld(lockPath: lock) == false)
    }
  }

  @Test func lockBelowASymlinkedDirectoryIsNotFollowedAndCountsAsHeld() throws {
    try TestHost.withTemporaryDirectory { dir throws in
      try TestHost.makeDirectory(dir + "/root")
      try TestHost.makeDirectory(dir + "/elsewhere")
      try TestHost.makeFile(dir + "/elsewhere/x.lock")
      try TestHost.makeSymlink(dir + "/root/tmp", pointingTo: dir + "/elsewhere")
      let probe = LeaseProbe(beneath: dir + "/root")
      #expect(throws: Errno.tooManySymbolicLinkLevels) { try probe.check(lockPath: dir + "/root/tmp/x.lock").get() }
      #expect(probe.isHeld(lockPath: dir + "/root/tmp/x.lock"))
      // The same file reached without the symlink is free.
      #expect(LeaseProbe().isHeld(lockPath: dir + "/elsewhere/x.lock") == false)
    }
  }

  @Test func twoProbesDoNotBlockEachOther() throws {
    try TestHost.withTemporaryDirectory { dir throws in
      let lock = dir + "/l.lock"
      try TestHost.makeFile(lock)
      // Another prober holds a shared lock: ours is shared too, so it still succeeds.
      let prober = try TestHost.holdLock(lock, shared: true)
      defer { TestHost.stop(prober) }
      // Wait until the shared lock is taken: an exclusive try then fails with 3.
      #expect(TestHost.eventually { TestHost.run("/usr/bin/flock", ["-n", "-E", "3", lock, "true"]) == 3 })
      #expect(try LeaseProbe().check(lockPath: lock).get() == false)
    }
  }

  @Test func missingLockIsNotHeldAndIsNotCreated() throws {
    try TestHost.withTemporaryDirectory { dir throws in
      let lock = dir + "/missing.lock"
      #expect(LeaseProbe().isHeld(lockPath: lock) == false)
      #expect(try LeaseProbe().check(lockPath: lock).get() == false)
      #expect(!TestHost.exists(lock))
    }
  }

  @Test func symlinkedLockIsNotFollowedAndCountsAsHeld() throws {
    try TestHost.withTemporaryDirectory { dir throws in
      try TestHost.makeFile(dir + "/real.lock")
      try TestHost.makeSymlink(dir + "/link.lock", pointingTo: dir + "/real.lock")
      #expect(throws: Errno.tooManySymbolicLinkLevels) {
        try LeaseProbe().check(lockPath: dir + "/link.lock").get()
      }
      #expect(LeaseProbe().isHeld(lockPath: dir + "/link.lock"))
    }
  }
}
