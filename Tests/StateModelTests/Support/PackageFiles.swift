import Foundation

/// Files shipped in the package, found from this source file's path so tests do not
/// depend on the working directory.
enum PackageFiles {
  /// The package root: three levels above `Tests/StateModelTests/Support/`.
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// The shipped example manifests.
  static let manifests = root.appendingPathComponent("manifests")

  /// The text of a shipped file under `manifests/`.
  static func manifestText(_ relativePath: String) throws -> String {
    try String(contentsOf: manifests.appendingPathComponent(relativePath), encoding: .utf8)
  }
}
