import StateModel
import Testing

private let lines = Fixtures.lines

/// An overlay mount at `runtime/2/merged` with the given extra lines, at line 2.
private func overlay(_ extra: String...) -> String {
  (["mounts:", "  - type: overlay", "    target: runtime/2/merged"] + extra)
    .joined(separator: "\n") + "\n"
}

private let overlayIssues: [IssueCase] = [
  IssueCase(
    "missing lowerdirs", overlay(), line: 2, column: 5, keyPath: "mounts[0].lowerdirs",
    "missing required key 'lowerdirs'"),
  IssueCase(
    "no lowerdirs", overlay("    lowerdirs: []"), line: 4, column: 16,
    keyPath: "mounts[0].lowerdirs", "lowerdirs must list at least one directory"),
  IssueCase(
    "lowerdirs is a string", overlay("    lowerdirs: overlays/9"), line: 4, column: 16,
    keyPath: "mounts[0].lowerdirs", "expected a list of paths, found 'overlays/9'"),
  IssueCase(
    "misspelt lowerdirs", overlay("    lowerdirs: [overlays/4, installation]", "    lowerdir: [overlays/9]"),
    line: 5, column: 5, keyPath: "mounts[0].lowerdir",
    "unknown key 'lowerdir' (did you mean 'lowerdirs'?)"),
  IssueCase(
    "lowerdir outside the roots", overlay("    lowerdirs: [overlays/9, runtime/1/merged]"),
    line: 4, column: 29, keyPath: "mounts[0].lowerdirs[1]",
    "lowerdir '/srv/l4m/runtime/1/merged' is not under a lowerdir root "
      + "(lowerdir-roots: /srv/l4m/installation, /srv/l4m/overlays)"),
  IssueCase(
    "lowerdir escapes with dot-dot", overlay("    lowerdirs:", "      - overlays/../../../etc"),
    line: 5, column: 9, keyPath: "mounts[0].lowerdirs[0]", "contains a '..' component"),
  IssueCase(
    "lowerdir with an option separator", overlay("    lowerdirs: ['overlays/a:b']"),
    line: 4, column: 17, keyPath: "mounts[0].lowerdirs[0]",
    "contains ':', which overlayfs reads as a separator"),
  IssueCase(
    "upperdir without workdir",
    overlay("    lowerdirs: [installation]", "    upperdir: runtime/2/upper"), line: 2,
    column: 5, keyPath: "mounts[0].workdir",
    "missing 'workdir': upperdir and workdir go together"),
  IssueCase(
    "workdir without upperdir",
    overlay("    lowerdirs: [installation]", "    workdir: runtime/2/work"), line: 2, column: 5,
    keyPath: "mounts[0].upperdir", "missing 'upperdir': upperdir and workdir go together"),
  IssueCase(
    "upperdir outside root",
    overlay(
      "    lowerdirs: [installation]", "    upperdir: /var/upper", "    workdir: runtime/2/work"),
    line: 5, column: 15, keyPath: "mounts[0].upperdir",
    "upperdir '/var/upper' is not below root '/srv/l4m'"),
  IssueCase(
    "workdir escapes with dot-dot",
    overlay(
      "    lowerdirs: [installation]", "    upperdir: runtime/2/upper",
      "    workdir: runtime/../../work"),
    line: 6, column: 14, keyPath: "mounts[0].workdir", "contains a '..' component"),
  IssueCase(
    "workdir inside upperdir",
    overlay(
      "    lowerdirs: [installation]", "    upperdir: runtime/2/upper",
      "    workdir: runtime/2/upper/work"),
    line: 6, column: 14, keyPath: "mounts[0].workdir",
    "must be separate directories, neither inside the other"),
  IssueCase(
    "read-only overlay of one layer", overlay("    lowerdirs: [installation]"), line: 4, column: 16,
    keyPath: "mounts[0].lowerdirs", "a read-only overlay (no upperdir) needs at least 2 lowerdirs"),
  IssueCase(
    "writable overlay without upperdir",
    overlay("    lowerdirs: [overlays/9, installation]", "    readonly: false"), line: 5, column: 15,
    keyPath: "mounts[0].readonly", "an overlay without upperdir is always read-only"),
  IssueCase(
    "readonly is not a boolean",
    overlay(
      "    lowerdirs: [installation]", "    upperdir: runtime/2/upper",
      "    workdir: runtime/2/work", "    readonly: 1"),
    line: 7, column: 15, keyPath: "mounts[0].readonly", "expected true or false, found '1'"),
  IssueCase(
    "bind key on an overlay",
    overlay("    lowerdirs: [overlays/4, installation]", "    source: overlays/9"), line: 5, column: 5,
    keyPath: "mounts[0].source", "key 'source' belongs to bind mounts, not overlay mounts"),
]

@Test(arguments: overlayIssues)
func overlayIssueIsLocated(_ row: IssueCase) {
  let decoding = Fixtures.decode(row.yaml)
  #expect(decoding.manifest == nil)
  row.expectMatches(decoding.issues, file: Fixtures.manifestFile)
}

@Test func lowerdirMayBeALowerdirRootItself() {
  let decoding = Fixtures.decode(overlay("    lowerdirs: [overlays/9, installation]"))
  #expect(decoding.issues == [])
  guard case .overlay(let spec)? = decoding.manifest?.mounts.first?.spec else {
    Issue.record("no overlay decoded")
    return
  }
  #expect(spec.lowerdirs == ["/srv/l4m/overlays/9", "/srv/l4m/installation"])
}

@Test func absoluteLowerdirUnderARootIsAccepted() {
  let decoding = Fixtures.decode(
    lines(
      "mounts:", "  - {type: overlay, target: tmp/m, lowerdirs: [/srv/l4m/overlays/./4, installation]}"))
  #expect(decoding.issues == [])
  guard case .overlay(let spec)? = decoding.manifest?.mounts.first?.spec else {
    Issue.record("no overlay decoded")
    return
  }
  #expect(spec.lowerdirs == ["/srv/l4m/overlays/4", "/srv/l4m/installation"])
}
