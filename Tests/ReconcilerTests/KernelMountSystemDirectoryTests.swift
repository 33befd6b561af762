import Foundation
import Testing

@testable import Reconciler

@Suite struct KernelMountSystemDirectoryTests {
  @Test func makeDirectoryCreatesParentsOnceAndSaysWhenItWasAlreadyThere() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("reconcile-mkdir-\(UUID())").path
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let system = KernelMountSystem()
    #expect(try system.makeDirectory(root + "/runtime/2/merged", beneath: root).get() == true)
    #expect(FileManager.default.fileExists(atPath: root + "/runtime/2/merged"))
    #expect(try system.makeDirectory(root + "/runtime/2/merged", beneath: root).get() == false)
  }

  @Test func makeDirectoryRefusesToGoThroughASymlink() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("reconcile-mkdir-\(UUID())").path
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(atPath: root) }
    try FileManager.default.createSymbolicLink(atPath: root + "/runtime", withDestinationPath: "/tmp")
    let result = KernelMountSystem().makeDirectory(root + "/runtime/x", beneath: root)
    guard case .failure(let error) = result else {
      Issue.record("went through the symlink")
      return
    }
    #expect(error.errno == .tooManySymbolicLinkLevels)
  }
}
