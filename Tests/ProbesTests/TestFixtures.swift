import Foundation
import Probes

/// Access to this target's fixtures and to the peer corpus in `../shared`.
enum TestFixtures {
  /// The text of `Fixtures/<name>.mountinfo`, bundled with the test target.
  static func text(_ name: String) throws -> String {
    guard
      let url = Bundle.module.url(
        forResource: name, withExtension: "mountinfo", subdirectory: "Fixtures")
    else { throw FixtureMissing(name: name) }
    return try String(contentsOf: url, encoding: .utf8)
  }

  /// Parses `Fixtures/<name>.mountinfo`.
  static func parse(_ name: String) throws -> MountInfoParseResult {
    MountInfoParser.parse(try text(name), sourceName: name)
  }

  /// `<package root>/../shared/fixtures/mountinfo`, found from this file's path.
  static let sharedDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // ProbesTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()  // package root
    .appendingPathComponent("../shared/fixtures/mountinfo").standardizedFileURL

  /// The peer corpus is present (it lives outside the package and may be absent).
  static let sharedAvailable = FileManager.default.fileExists(atPath: sharedDirectory.path)

  /// Every mountinfo file of the peer corpus (all but its README and `.tsv` indexes),
  /// by name; empty when the corpus is absent.
  static let sharedFiles: [String] =
    ((try? FileManager.default.contentsOfDirectory(atPath: sharedDirectory.path)) ?? [])
    .filter { $0 != "README.md" && !$0.hasSuffix(".tsv") }
    .sorted()

  /// The text of a peer-corpus file.
  static func sharedText(_ name: String) throws -> String {
    try String(contentsOf: sharedDirectory.appendingPathComponent(name), encoding: .utf8)
  }

  struct FixtureMissing: Error { var name: String }
}
