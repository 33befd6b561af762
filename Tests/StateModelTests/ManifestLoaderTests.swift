import Foundation
import StateModel
import Testing

private let validManifest = """
  mounts:
    - {type: overlay, target: runtime/NAME/merged, lowerdirs: [overlays/4, installation]}

  """

/// A valid manifest for instance `name`, its target at `runtime/<name>/merged`.
private func manifest(_ name: String) -> String {
  validManifest.replacingOccurrences(of: "NAME", with: name)
}

/// Runs the loader on `site`, trusting whoever owns the site's files.
private func load(_ site: TemporarySite) throws -> DesiredState {
  try ManifestLoader(configFile: site.configPath, trustedOwner: site.owner()).load()
}

@Test func shippedManifestsLoadWithoutIssues() throws {
  try TemporarySite.with(config: nil) { site in
    try site.write("site.yaml", PackageFiles.manifestText("site.yaml"))
    for name in ["1", "2"] {
      try site.write(
        "instances.d/\(name).yaml", PackageFiles.manifestText("instances.d/\(name).yaml"))
    }
    let desired = try load(site)
    #expect(desired.issues == [])
    #expect(desired.refused == [])
    #expect(!desired.hasUnparseableManifest)
    #expect(desired.instances.map(\.name) == ["1", "2"])
    #expect(desired.instances.map(\.mounts.count) == [1, 2])
    // `instances` is relative to the config file, not the working directory.
    #expect(desired.config.instancesDirectory == site.instancesPath)
    #expect(desired.config.file == site.configPath)
  }
}

@Test func twoInstancesClaimingOneTargetAreBothRefused() throws {
  try TemporarySite.with { site in
    try site.write("instances.d/3.yaml", manifest("shared"))
    try site.write("instances.d/4.yaml", "enabled: false\n" + manifest("shared"))
    try site.write("instances.d/5.yaml", manifest("5"))
    let desired = try load(site)

    #expect(desired.instances.map(\.name) == ["5"])
    #expect(desired.refused.map(\.name) == ["3", "4"])
    #expect(
      desired.refused.map(\.declaredTargets) == [
        ["/srv/l4m/runtime/shared/merged"], ["/srv/l4m/runtime/shared/merged"],
      ])
    // Both manifests still name every target, so orphans may be removed elsewhere.
    #expect(!desired.hasUnparseableManifest)
    let three = "\(site.instancesPath)/3.yaml"
    let four = "\(site.instancesPath)/4.yaml"
    #expect(
      desired.issues == [
        ManifestIssue(
          location: SourceLocation(file: three, line: 2, column: 29), instance: "3",
          keyPath: "mounts[0].target",
          message:
            "target '/srv/l4m/runtime/shared/merged' is also declared by instance '4' (\(four):3:29)"
        ),
        ManifestIssue(
          location: SourceLocation(file: four, line: 3, column: 29), instance: "4",
          keyPath: "mounts[0].target",
          message:
            "target '/srv/l4m/runtime/shared/merged' is also declared by instance '3' (\(three):2:29)"
        ),
      ])
  }
}

@Test func instanceMountingInsideAnotherInstancesTargetIsRefusedAndTheOuterKept() throws {
  try TemporarySite.with { site in
    try site.write("instances.d/2.yaml", manifest("2"))
    // Target inside instance 2's merged tree.
    try site.write(
      "instances.d/3.yaml",
      "mounts:\n  - {type: bind, source: overlays/4, target: runtime/2/merged/extra}\n")
    // Upperdir and workdir inside it: the overlay's state would live in 2's tree.
    try site.write(
      "instances.d/4.yaml",
      """
      mounts:
        - type: overlay
          target: runtime/4/merged
          lowerdirs: [installation]
          upperdir: runtime/2/merged/upper4
          workdir: runtime/2/merged/work4

      """)
    let desired = try load(site)

    #expect(desired.instances.map(\.name) == ["2"])
    #expect(desired.refused.map(\.name) == ["3", "4"])
    let two = "\(site.instancesPath)/2.yaml"
    let three = "\(site.instancesPath)/3.yaml"
    let four = "\(site.instancesPath)/4.yaml"
    let outer =
      "instance '2's target '/srv/l4m/runtime/2/merged' (\(two):2:29); one instance may not mount into another's tree"
    #expect(
      desired.issues == [
        ManifestIssue(
          location: SourceLocation(file: three, line: 2, column: 46), instance: "3",
          keyPath: "mounts[0].target",
          message: "target '/srv/l4m/runtime/2/merged/extra' lies inside " + outer),
        ManifestIssue(
          location: SourceLocation(file: four, line: 2, column: 5), instance: "4",
          keyPath: "mounts[0].upperdir",
          message: "upperdir '/srv/l4m/runtime/2/merged/upper4' lies inside " + outer),
        ManifestIssue(
          location: SourceLocation(file: four, line: 2, column: 5), instance: "4",
          keyPath: "mounts[0].workdir",
          message: "workdir '/srv/l4m/runtime/2/merged/work4' lies inside " + outer),
      ])
    // Both refused files still name every target: orphans elsewhere may go.
    #expect(!desired.hasUnparseableManifest)
  }
}

@Test func nestedMountsWithinOneInstanceAreAccepted() throws {
  try TemporarySite.with { site in
    try site.write(
      "instances.d/2.yaml",
      manifest("2") + "  - {type: bind, source: overlays/4, target: runtime/2/merged/extra}\n")
    let desired = try load(site)
    #expect(desired.issues == [])
    #expect(desired.instances.first?.mounts.count == 2)
  }
}

@Test func unparseableManifestRefusesItsInstanceAndKeepsOrphans() throws {
  try TemporarySite.with { site in
    try site.write("instances.d/1.yaml", "mounts:\n  - {type: overlay\n")
    try site.write("instances.d/2.yaml", manifest("2"))
    let desired = try load(site)
    #expect(desired.hasUnparseableManifest)
    #expect(desired.instances.map(\.name) == ["2"])
    #expect(desired.refused.map(\.name) == ["1"])
    #expect(desired.refused.first?.declaredTargets == [])
    let issue = try #require(desired.issues.first)
    #expect(desired.issues.count == 1)
    #expect(issue.instance == "1")
    #expect((issue.location.line, issue.location.column) == (3, 1))
    #expect(issue.message.hasPrefix("YAML syntax error"))
  }
}

@Test func refusedInstanceKeepsItsDeclaredTargets() throws {
  try TemporarySite.with { site in
    try site.write(
      "instances.d/7.yaml",
      "mounts:\n  - {type: overlay, target: runtime/7/merged, lowerdirs: [/etc]}\n")
    let desired = try load(site)
    #expect(desired.instances == [])
    #expect(desired.refused.map(\.declaredTargets) == [["/srv/l4m/runtime/7/merged"]])
    #expect(desired.refused.first?.issues.map(\.keyPath) == ["mounts[0].lowerdirs[0]"])
    #expect(desired.issues == desired.refused.first?.issues)
    #expect(!desired.hasUnparseableManifest)
  }
}

@Test func hiddenAndNonYAMLFilesAreNotManifests() throws {
  try TemporarySite.with { site in
    try site.write("instances.d/.1.yaml", "not: [valid\n")
    try site.write("instances.d/notes.txt", "not: [valid\n")
    try site.write("instances.d/2.yml", "not: [valid\n")
    try site.write("instances.d/10.yaml", manifest("10"))
    try site.write("instances.d/9.yaml", manifest("9"))
    let desired = try load(site)
    #expect(desired.issues == [])
    #expect(desired.instances.map(\.name) == ["10", "9"])
  }
}

/// A manifest refused before it is parsed: (name, how to set it up, message fragment).
private let unsafeManifests: [(String, @Sendable (TemporarySite) throws -> Void, String)] = [
  (
    "group-writable", { try $0.write("instances.d/1.yaml", manifest("1"), mode: 0o664) },
    "1.yaml is writable by its group or others (mode 664); only its owner may write it"
  ),
  (
    "other-writable", { try $0.write("instances.d/1.yaml", manifest("1"), mode: 0o606) },
    "writable by its group or others (mode 606)"
  ),
  (
    "oversize",
    {
      try $0.write(
        "instances.d/1.yaml", manifest("1") + "#" + String(repeating: "x", count: 1 << 20))
    }, "more than the 1048576 allowed"
  ),
  (
    "not UTF-8", { try $0.write("instances.d/1.yaml", Data([0x6d, 0x3a, 0x20, 0xff, 0x0a])) },
    "1.yaml is not valid UTF-8 text"
  ),
  (
    "symbolic link",
    { site in
      try site.write("elsewhere.yaml", manifest("1"))
      try FileManager.default.createSymbolicLink(
        atPath: "\(site.instancesPath)/1.yaml", withDestinationPath: "../elsewhere.yaml")
    }, "1.yaml is not a regular file (a symbolic link)"
  ),
  (
    "directory",
    { site in
      try FileManager.default.createDirectory(
        atPath: "\(site.instancesPath)/1.yaml", withIntermediateDirectories: false)
    }, "1.yaml is not a regular file (a directory)"
  ),
]

@Test(arguments: unsafeManifests)
func unsafeManifestIsRefusedUnread(
  name: String, setUp: @Sendable (TemporarySite) throws -> Void, fragment: String
) throws {
  try TemporarySite.with { site in
    try setUp(site)
    try site.write("instances.d/2.yaml", manifest("2"))
    let desired = try load(site)
    #expect(desired.instances.map(\.name) == ["2"], "\(name)")
    #expect(desired.refused.map(\.name) == ["1"], "\(name)")
    #expect(desired.hasUnparseableManifest, "\(name)")
    let issue = try #require(desired.issues.first)
    #expect(desired.issues.count == 1, "\(name)")
    #expect(
      issue.location == SourceLocation(file: "\(site.instancesPath)/1.yaml", line: 0, column: 0))
    #expect(issue.keyPath == "", "\(name)")
    #expect(issue.message.contains(fragment), "\(name): \(issue.message)")
  }
}

@Test func manifestOfExactlyOneMebibyteIsRead() throws {
  try TemporarySite.with { site in
    let text = manifest("1") + "#"
    let padded = text + String(repeating: "x", count: (1 << 20) - text.utf8.count - 1) + "\n"
    #expect(padded.utf8.count == 1 << 20)
    try site.write("instances.d/1.yaml", padded)
    let desired = try load(site)
    #expect(desired.issues == [])
    #expect(desired.instances.map(\.name) == ["1"])
  }
}

@Test(.enabled(if: TemporarySite.canChangeOwners, "giving a file to another uid needs root"))
func manifestOwnedBySomeoneElseIsRefused() throws {
  try TemporarySite.with { site in
    try site.write("instances.d/1.yaml", manifest("1"))
    let stranger = try site.owner() &+ 4242
    try FileManager.default.setAttributes(
      [.ownerAccountID: stranger], ofItemAtPath: "\(site.instancesPath)/1.yaml")
    let desired = try load(site)
    #expect(desired.refused.map(\.name) == ["1"])
    #expect(
      desired.issues.map(\.message) == [
        "1.yaml is owned by uid \(stranger), not by uid \(try site.owner())"
      ])
  }
}
