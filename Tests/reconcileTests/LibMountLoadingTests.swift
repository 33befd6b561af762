import Foundation
import Glibc
import LinuxKernel
import Testing
import _ReconcileTestSupport

/// libmount is opened on first use (Sources/CLibMount): a command that reads no mount
/// table never loads it, one that does loads it then, and one that cannot load it says
/// why and exits 1. glibc's `LD_DEBUG=files` names every library the loader maps.
@Suite struct LibMountLoadingTests {
  private let table = "1 0 254:0 / / rw,relatime - ext4 /dev/vda rw\n"

  private func environment(_ extra: [String: String]) -> [String: String] {
    ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
  }

  /// A directory of this user's under /tmp, removed afterwards.
  private func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
    let directory = try Files.makeTemporaryDirectory("/tmp/reconcile-libmount.XXXXXX").string
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try body(directory)
  }

  /// A site of this user's files with one saved mount table; returns the dry-run
  /// arguments that plan against it.
  private func withSavedTable(_ body: ([String]) throws -> Void) throws {
    try withTemporaryDirectory { directory in
      try "root: /srv/l4d\ninstances: instances.d\nmanaged: [runtime]\n".write(
        toFile: directory + "/site.yaml", atomically: true, encoding: .utf8)
      try FileManager.default.createDirectory(
        atPath: directory + "/instances.d", withIntermediateDirectories: false)
      try table.write(toFile: directory + "/saved.mountinfo", atomically: true, encoding: .utf8)
      try body(["--dry-run", "--mountinfo", directory + "/saved.mountinfo", "--config", directory + "/site.yaml"])
    }
  }

  @Test func versionNeverLoadsLibmountAndADryRunLoadsItWhenItParses() throws {
    let version = try ScratchHost.run(["--version"], environment: environment(["LD_DEBUG": "files"]))
    #expect(version.status == 0)
    #expect(version.stderr.contains("file=libc.so.6"), "LD_DEBUG said nothing: \(version.stderr)")
    #expect(!version.stderr.contains("libmount.so.1"), "--version loaded libmount")

    try withSavedTable { arguments in
      let run = try ScratchHost.run(arguments, environment: environment(["LD_DEBUG": "files"]))
      #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
      #expect(run.stderr.contains("file=libmount.so.1 [0];  dynamically loaded by"), "\(run.stderr)")
    }
  }

  @Test func aLibmountThatCannotBeLoadedIsNamedAndTheRunExits1() throws {
    try withTemporaryDirectory { directory in
      // Not an ELF file: dlopen finds it first and refuses it.
      FileManager.default.createFile(atPath: directory + "/libmount.so.1", contents: Data())

      try withSavedTable { arguments in
        let run = try ScratchHost.run(arguments, environment: environment(["LD_LIBRARY_PATH": directory]))
        #expect(run.status == 1)
        #expect(
          run.stdout.contains(
            "cannot parse mount tables without libmount: dlopen libmount.so.1: \(directory)/libmount.so.1: file too short"
          ), "\(run.stdout)\(run.stderr)")
      }
    }
  }
}
