import Foundation
import StateModel
import Testing

/// The error `load` throws, or nil.
private func loadError(_ loader: ManifestLoader) -> StateModelError? {
  do {
    _ = try loader.load()
    return nil
  } catch {
    return error
  }
}

/// A whole-file issue about the config.
private func configIssue(_ site: TemporarySite, _ message: String) -> ManifestIssue {
  ManifestIssue(
    location: SourceLocation(file: site.configPath, line: 0, column: 0), instance: nil,
    keyPath: "", message: message)
}

@Test func configOwnedBySomeoneElseIsRejected() throws {
  try TemporarySite.with { site in
    let owner = try site.owner()
    let untrusted = owner &+ 1
    let error = loadError(ManifestLoader(configFile: site.configPath, trustedOwner: untrusted))
    #expect(
      error
        == .configRejected(
          file: site.configPath,
          issues: [configIssue(site, "site.yaml is owned by uid \(owner), not by uid \(untrusted)")]
        ))
  }
}

@Test(arguments: [0o664, 0o646, 0o666])
func configWritableByOthersIsRejected(mode: Int) throws {
  try TemporarySite.with { site in
    try site.setMode(mode, of: "site.yaml")
    let error = loadError(
      ManifestLoader(configFile: site.configPath, trustedOwner: try site.owner()))
    let shown = String(mode, radix: 8)
    #expect(
      error
        == .configRejected(
          file: site.configPath,
          issues: [
            configIssue(
              site,
              "site.yaml is writable by its group or others (mode \(shown)); only its owner may write it"
            )
          ]))
  }
}

@Test func oversizeConfigIsRejected() throws {
  try TemporarySite.with { site in
    let size = (1 << 20) + 1
    try site.write(
      "site.yaml", TemporarySite.defaultConfig.padding(toLength: size, withPad: "#", startingAt: 0))
    let error = loadError(
      ManifestLoader(configFile: site.configPath, trustedOwner: try site.owner()))
    #expect(
      error
        == .configRejected(
          file: site.configPath,
          issues: [configIssue(site, "site.yaml is \(size) bytes, more than the 1048576 allowed")]))
  }
}

@Test func invalidConfigIsRejectedWithEveryLocatedIssue() throws {
  try TemporarySite.with(
    config: "root: /srv/l4m\ninstances: instances.d\nmanaged: [/etc]\nleases: 3\n"
  ) { site in
    let error = loadError(
      ManifestLoader(configFile: site.configPath, trustedOwner: try site.owner()))
    guard case .configRejected(let file, let issues)? = error else {
      Issue.record("expected configRejected, got \(String(describing: error))")
      return
    }
    #expect(file == site.configPath)
    #expect(issues.map(\.keyPath) == ["managed[0]", "leases"])
    #expect(issues.map { [$0.location.line, $0.location.column] } == [[3, 11], [4, 9]])
    #expect(
      error?.description.contains("\n  - \(site.configPath):4:9: leases: expected a list") == true)
  }
}

@Test func missingConfigIsUnreadable() throws {
  try TemporarySite.with(config: nil) { site in
    let error = loadError(
      ManifestLoader(configFile: site.configPath, trustedOwner: try site.owner()))
    #expect(error == .unreadable(path: site.configPath, reason: "no such file or directory"))
    #expect(error?.description == "cannot read '\(site.configPath)': no such file or directory")
  }
}

@Test func missingInstancesDirectoryIsUnreadable() throws {
  try TemporarySite.with { site in
    try FileManager.default.removeItem(atPath: site.instancesPath)
    let error = loadError(
      ManifestLoader(configFile: site.configPath, trustedOwner: try site.owner()))
    #expect(error == .unreadable(path: site.instancesPath, reason: "no such file or directory"))
  }
}

@Test func groupWritableInstancesDirectoryIsRejected() throws {
  try TemporarySite.with { site in
    try site.setMode(0o775, of: "instances.d")
    let error = loadError(
      ManifestLoader(configFile: site.configPath, trustedOwner: try site.owner()))
    #expect(
      error
        == .instancesDirectoryRejected(
          path: site.instancesPath,
          reason: "is writable by its group or others (mode 775); only its owner may write it"))
  }
}

@Test func instancesDirectoryOwnedBySomeoneElseIsRejected() throws {
  try TemporarySite.with { site in
    // Trust the owner of the config only: point `instances` at a directory whose owner
    // differs, which without root means one this process did not create.
    let owner = try site.owner()
    let attributes = try FileManager.default.attributesOfItem(atPath: "/")
    let rootOwner = try #require((attributes[.ownerAccountID] as? NSNumber)?.uint32Value)
    try #require(rootOwner != owner || TemporarySite.canChangeOwners)
    if rootOwner == owner {
      try FileManager.default.setAttributes(
        [.ownerAccountID: owner &+ 4242], ofItemAtPath: site.instancesPath)
    } else {
      try site.write(
        "site.yaml", TemporarySite.defaultConfig.replacingOccurrences(of: "instances.d", with: "/"))
    }
    let error = loadError(ManifestLoader(configFile: site.configPath, trustedOwner: owner))
    guard case .instancesDirectoryRejected(_, let reason)? = error else {
      Issue.record("expected instancesDirectoryRejected, got \(String(describing: error))")
      return
    }
    #expect(reason.hasPrefix("is owned by uid"))
  }
}
