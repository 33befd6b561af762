import Foundation
import Testing

/// A throwaway site directory: `site.yaml` beside `instances.d/`, under the system
/// temporary directory, with modes set explicitly so the umask does not matter.
struct TemporarySite {
  let directory: URL

  var configPath: String { directory.appendingPathComponent("site.yaml").path }
  var instancesPath: String { directory.appendingPathComponent("instances.d").path }

  /// A config whose manifests decode against a root that need not exist.
  static let defaultConfig = """
    root: /srv/l4m
    instances: instances.d
    lowerdir-roots: [installation, overlays]
    managed: [runtime, tmp]

    """

  /// Creates a site, runs `body` on it and removes it again, whatever happens.
  static func with(
    config: String? = defaultConfig, _ body: (TemporarySite) throws -> Void
  ) throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("reconcile-statemodel-\(UUID().uuidString)")
    let site = TemporarySite(directory: directory)
    defer { try? FileManager.default.removeItem(at: directory) }
    try site.makeDirectory(directory.path)
    try site.makeDirectory(site.instancesPath)
    if let config { try site.write("site.yaml", config) }
    try body(site)
  }

  /// Writes `text` to a path relative to the site directory with the given mode.
  func write(_ relativePath: String, _ text: String, mode: Int = 0o644) throws {
    try write(relativePath, Data(text.utf8), mode: mode)
  }

  /// Writes raw bytes to a path relative to the site directory with the given mode.
  func write(_ relativePath: String, _ data: Data, mode: Int = 0o644) throws {
    let path = directory.appendingPathComponent(relativePath).path
    guard FileManager.default.createFile(atPath: path, contents: data) else {
      throw CocoaError(.fileWriteUnknown)
    }
    try setMode(mode, of: relativePath)
  }

  /// Changes the mode of a path relative to the site directory.
  func setMode(_ mode: Int, of relativePath: String) throws {
    try FileManager.default.setAttributes(
      [.posixPermissions: mode], ofItemAtPath: directory.appendingPathComponent(relativePath).path)
  }

  /// The uid that owns files this process creates, read back from the site directory.
  func owner() throws -> UInt32 {
    let attributes = try FileManager.default.attributesOfItem(atPath: directory.path)
    return try #require((attributes[.ownerAccountID] as? NSNumber)?.uint32Value)
  }

  private func makeDirectory(_ path: String) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
  }

  /// Whether this process may give files away to another owner (it runs as root).
  static var canChangeOwners: Bool {
    let probe = FileManager.default.temporaryDirectory
      .appendingPathComponent("reconcile-statemodel-owner-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: probe) }
    guard FileManager.default.createFile(atPath: probe, contents: nil),
      let attributes = try? FileManager.default.attributesOfItem(atPath: probe)
    else { return false }
    return (attributes[.ownerAccountID] as? NSNumber)?.uint32Value == 0
  }
}
