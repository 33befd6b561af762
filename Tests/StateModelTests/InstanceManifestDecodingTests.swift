import StateModel
import Testing

private let root = Fixtures.root
private let lines = Fixtures.lines

@Test func designExampleDecodesToOverlayAndIdmappedBind() throws {
  let yaml = try PackageFiles.manifestText("instances.d/2.yaml")
  let config = SiteConfig.decode(
    yaml: try PackageFiles.manifestText("site.yaml"), file: "/etc/reconcile/site.yaml"
  ).config
  let site = try #require(config)
  let decoding = InstanceManifest.decode(
    yaml: yaml, file: "/etc/reconcile/instances.d/2.yaml", name: "2", config: site)
  #expect(decoding.issues == [])
  let manifest = try #require(decoding.manifest)
  let base = "/var/lib/left4me"
  #expect(manifest.name == "2")
  #expect(manifest.enabled)
  #expect(
    manifest.mounts.map(\.spec) == [
      .overlay(
        OverlaySpec(
          target: "\(base)/runtime/2/merged",
          lowerdirs: ["\(base)/overlays/9", "\(base)/overlays/4", "\(base)/installation"],
          upperdir: "\(base)/runtime/2/upper", workdir: "\(base)/runtime/2/work")),
      .bind(
        BindSpec(
          source: "\(base)/overlays/9", target: "\(base)/runtime/2/build", readOnly: true,
          idmap: IDMapSpec(
            users: IDMapping(
              onDisk: .name("left4me"), seenThroughMount: .name("l4d2-sandbox"), count: 1),
            groups: IDMapping(
              onDisk: .name("left4me"), seenThroughMount: .name("l4d2-sandbox"), count: 1)))),
    ])
  #expect(manifest.mounts.map(\.location.line) == [11, 20])
  #expect(decoding.declaredTargets == ["\(base)/runtime/2/merged", "\(base)/runtime/2/build"])
  #expect(decoding.isParseable && decoding.targetsAreComplete && !decoding.hidesOrphans)
}

@Test func overlayWithoutUpperdirIsReadOnly() {
  let decoding = Fixtures.decode(
    lines(
      "mounts:",
      "  - {type: overlay, target: runtime/2/ro, lowerdirs: [overlays/9, installation]}",
      "  - type: overlay",
      "    target: runtime/2/rw-but-mounted-ro",
      "    lowerdirs: [installation]",
      "    upperdir: runtime/2/upper",
      "    workdir: runtime/2/work",
      "    readonly: true"))
  #expect(decoding.issues == [])
  let overlays = decoding.manifest?.mounts.compactMap {
    if case .overlay(let overlay) = $0.spec { return overlay } else { return nil }
  }
  #expect(overlays?.map(\.readOnly) == [true, true])
  #expect(overlays?.first?.upperdir == nil)
  #expect(overlays?.first?.workdir == nil)
}

@Test func instanceKeyAndEnabledAreOptional() {
  let decoding = Fixtures.decode("mounts: []\n")
  #expect(
    decoding.manifest
      == InstanceManifest(name: "2", file: Fixtures.manifestFile, enabled: true, mounts: []))
  let numbered = Fixtures.decode("instance: 2\nenabled: false\n")
  #expect(numbered.issues == [])
  #expect(numbered.manifest?.enabled == false)
}

@Test func disabledInstanceWantsNothingButDeclaresItsTargets() {
  let decoding = Fixtures.decode(
    lines("enabled: false", "mounts:", "  - {type: bind, source: overlays/9, target: tmp/x}"))
  #expect(decoding.manifest?.wantedMounts == [])
  #expect(decoding.manifest?.declaredTargets == ["\(root)/tmp/x"])
}

@Test(arguments: [499, 500])
func upToFiveHundredLowerdirsAreAccepted(count: Int) {
  let layers = (0..<count).map { "overlays/\($0)" }.joined(separator: ", ")
  let decoding = Fixtures.decode(
    lines("mounts:", "  - {type: overlay, target: runtime/2/merged, lowerdirs: [\(layers)]}"))
  #expect(decoding.issues == [])
  guard case .overlay(let overlay)? = decoding.manifest?.mounts.first?.spec else {
    Issue.record("no overlay decoded")
    return
  }
  #expect(overlay.lowerdirs.count == count)
  #expect(overlay.lowerdirs.first == "\(root)/overlays/0")
}

@Test func fiveHundredAndOneLowerdirsAreRefused() {
  let layers = (0...500).map { "overlays/\($0)" }.joined(separator: ", ")
  let row = IssueCase(
    "501 lowerdirs",
    lines("mounts:", "  - {type: overlay, target: runtime/2/merged, lowerdirs: [\(layers)]}"),
    line: 2, column: 58, keyPath: "mounts[0].lowerdirs",
    "overlayfs stacks at most 500 lowerdirs; found 501")
  let decoding = Fixtures.decode(row.yaml)
  #expect(decoding.manifest == nil)
  row.expectMatches(decoding.issues, file: Fixtures.manifestFile)
}

@Test func refusedManifestStillDeclaresEveryTarget() {
  let decoding = Fixtures.decode(
    lines(
      "mounts:",
      "  - {type: overlay, target: runtime/2/merged, lowerdirs: [/etc]}",
      "  - {type: bind, source: overlays/9, target: /srv/l4m/tmp/staging}",
      "  - {type: bind, source: overlays/9, target: runtime/2/../3/build}"))
  #expect(decoding.manifest == nil)
  #expect(decoding.refusal?.declaredTargets == decoding.declaredTargets)
  // A '..' target is refused but still protected under its lexical reading.
  #expect(
    decoding.declaredTargets == [
      "\(root)/runtime/2/merged", "\(root)/tmp/staging", "\(root)/runtime/3/build",
    ])
  #expect(decoding.targetsAreComplete)
  #expect(decoding.issues.map(\.keyPath) == ["mounts[0].lowerdirs[0]", "mounts[2].target"])
}

@Test(arguments: [
  ("mount without target", "mounts:\n  - {type: bind, source: overlays/9}\n"),
  ("mount is not a mapping", "mounts:\n  - runtime/2/merged\n"),
  ("mounts is not a list", "mounts: runtime/2/merged\n"),
  ("document is not a mapping", "- mounts\n"),
])
func unreadableTargetsHideOrphans(name: String, yaml: String) {
  let decoding = Fixtures.decode(yaml)
  #expect(decoding.isParseable, "\(name)")
  #expect(!decoding.targetsAreComplete, "\(name)")
  #expect(decoding.hidesOrphans, "\(name)")
  #expect(decoding.manifest == nil, "\(name)")
}

@Test func unparseableManifestIsRefusedWithNothingKnown() {
  let decoding = Fixtures.decode("mounts:\n  - {type: bind\n")
  #expect(!decoding.isParseable)
  #expect(decoding.hidesOrphans)
  #expect(decoding.targets == [])
  #expect(decoding.refusal?.issues.first?.message.contains("YAML syntax error") == true)
}

@Test func everyManifestIssueIsReportedInFileOrderWithItsInstance() {
  let decoding = Fixtures.decode(
    lines(
      "enabled: yes",
      "mounts:",
      "  - type: overlay",
      "    target: /etc/x",
      "    lowerdir: [installation]",
      "    upperdir: runtime/2/upper",
      "  - type: bind",
      "    source: overlays/9",
      "    target: runtime/2/build",
      "    idmap: {users: 'left4me:l4d2-sandbox:1'}"))
  #expect(
    decoding.issues.map(\.keyPath) == [
      "enabled", "mounts[0].lowerdirs", "mounts[0].workdir", "mounts[0].target",
      "mounts[0].lowerdir", "mounts[1].idmap.groups",
    ])
  #expect(decoding.issues.map(\.location.line) == [1, 3, 3, 4, 5, 10])
  #expect(
    decoding.issues.allSatisfy { $0.instance == "2" && $0.location.file == Fixtures.manifestFile })
}

/// Top-level keys, mount shape and targets; overlay- and bind-specific keys have their
/// own tables.
private let manifestIssues: [IssueCase] = [
  IssueCase("not YAML", "mounts: [\n", line: 2, column: 1, keyPath: "", "YAML syntax error"),
  IssueCase(
    "document is a list", "- mounts\n", line: 1, column: 1, keyPath: "",
    "expected a mapping with 'mounts', found a list"),
  IssueCase(
    "misspelt mounts", "mount: []\n", line: 1, column: 1, keyPath: "mount",
    "unknown key 'mount' (did you mean 'mounts'?)"),
  IssueCase(
    "enabled yes", "enabled: yes\n", line: 1, column: 10, keyPath: "enabled",
    "expected true or false, found 'yes'"),
  IssueCase(
    "enabled quoted", "enabled: \"false\"\n", line: 1, column: 10, keyPath: "enabled",
    "write it without quotes"),
  IssueCase(
    "enabled empty", "enabled:\nmounts: []\n", line: 1, column: 9, keyPath: "enabled",
    "expected true or false, found nothing (null)"),
  IssueCase(
    "instance mismatch", "instance: \"3\"\n", line: 1, column: 11, keyPath: "instance",
    "instance '3' does not match the file name; it must be '2'"),
  IssueCase(
    "mounts is a mapping", "mounts: {type: bind}\n", line: 1, column: 9, keyPath: "mounts",
    "expected a list of mounts, found a mapping"),
  IssueCase(
    "mount is a string", "mounts:\n  - runtime/2/merged\n", line: 2, column: 5,
    keyPath: "mounts[0]", "expected a mount (a mapping with 'type' and 'target')"),
  IssueCase(
    "missing type", lines("mounts:", "  - target: runtime/2/build", "    source: overlays/9"),
    line: 2, column: 5, keyPath: "mounts[0].type", "missing required key 'type'"),
  IssueCase(
    "unknown type", lines("mounts:", "  - type: tmpfs", "    target: runtime/2/tmp"),
    line: 2, column: 11, keyPath: "mounts[0].type",
    "unknown mount type 'tmpfs' (expected overlay or bind)"),
  IssueCase(
    "missing target", lines("mounts:", "  - type: bind", "    source: overlays/9"),
    line: 2, column: 5, keyPath: "mounts[0].target", "missing required key 'target'"),
  IssueCase(
    "target is a list", lines("mounts:", "  - {type: bind, source: overlays/9, target: [a]}"),
    line: 2, column: 46, keyPath: "mounts[0].target", "expected a path, found a list"),
  IssueCase(
    "target outside managed",
    lines("mounts:", "  - {type: bind, source: overlays/9, target: srv/x}"), line: 2,
    column: 46, keyPath: "mounts[0].target",
    "target '/srv/l4m/srv/x' is not below a managed directory "
      + "(managed: /srv/l4m/runtime, /srv/l4m/tmp)"),
  IssueCase(
    "target is a managed directory",
    lines("mounts:", "  - {type: bind, source: overlays/9, target: runtime}"), line: 2,
    column: 46, keyPath: "mounts[0].target", "is not below a managed directory"),
  IssueCase(
    "target outside root",
    lines("mounts:", "  - {type: bind, source: overlays/9, target: /etc/x}"), line: 2,
    column: 46, keyPath: "mounts[0].target", "target '/etc/x' is not below root '/srv/l4m'"),
  IssueCase(
    "target escapes with dot-dot",
    lines("mounts:", "  - {type: bind, source: overlays/9, target: runtime/../../etc}"),
    line: 2, column: 46, keyPath: "mounts[0].target",
    "'runtime/../../etc' contains a '..' component"),
  IssueCase(
    "two mounts on one target",
    lines(
      "mounts:", "  - {type: bind, source: overlays/9, target: tmp/x}",
      "  - {type: bind, source: overlays/4, target: tmp/x}"),
    line: 3, column: 46, keyPath: "mounts[1].target",
    "target '/srv/l4m/tmp/x' is also the target of mounts[0]"),
  IssueCase(
    "target inside its own upperdir",
    lines(
      "mounts:", "  - type: overlay", "    target: runtime/2/upper/merged",
      "    lowerdirs: [installation]", "    upperdir: runtime/2/upper",
      "    workdir: runtime/2/work"),
    line: 3, column: 13, keyPath: "mounts[0].target",
    "lies inside the upperdir of its own overlay ('/srv/l4m/runtime/2/upper')"),
  IssueCase(
    "target inside another mount's workdir",
    lines(
      "mounts:", "  - type: overlay", "    target: runtime/2/merged",
      "    lowerdirs: [installation]", "    upperdir: runtime/2/upper",
      "    workdir: runtime/2/work",
      "  - {type: bind, source: overlays/9, target: runtime/2/work}"),
    line: 7, column: 46, keyPath: "mounts[1].target",
    "target '/srv/l4m/runtime/2/work' lies inside the workdir of mounts[0]"),
]

@Test(arguments: manifestIssues)
func manifestIssueIsLocated(_ row: IssueCase) {
  let decoding = Fixtures.decode(row.yaml)
  #expect(decoding.manifest == nil)
  row.expectMatches(decoding.issues, file: Fixtures.manifestFile)
}
