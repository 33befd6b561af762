import StateModel
import Testing

/// A bind of `overlays/9` at `runtime/2/build` with the given extra lines, at line 2.
private func bind(_ extra: String...) -> String {
  (["mounts:", "  - type: bind", "    source: overlays/9", "    target: runtime/2/build"] + extra)
    .joined(separator: "\n") + "\n"
}

/// An idmapped bind whose `idmap` mapping holds `body`, written at line 5.
private func idmapped(_ body: String) -> String {
  bind("    idmap: {\(body)}")
}

private let bindIssues: [IssueCase] = [
  IssueCase(
    "missing source", "mounts:\n  - {type: bind, target: runtime/2/build}\n", line: 2,
    column: 5, keyPath: "mounts[0].source", "missing required key 'source'"),
  IssueCase(
    "source outside the roots",
    "mounts:\n  - {type: bind, source: runtime/1/merged, target: runtime/2/build}\n", line: 2,
    column: 26, keyPath: "mounts[0].source",
    "source '/srv/l4m/runtime/1/merged' is not under a lowerdir root"),
  IssueCase(
    "source escapes with dot-dot",
    "mounts:\n  - {type: bind, source: overlays/../../../etc, target: runtime/2/build}\n",
    line: 2, column: 26, keyPath: "mounts[0].source", "contains a '..' component"),
  IssueCase(
    "readonly yes", bind("    readonly: yes"), line: 5, column: 15,
    keyPath: "mounts[0].readonly", "expected true or false, found 'yes'"),
  IssueCase(
    "camelCase readOnly", bind("    readOnly: true"), line: 5, column: 5,
    keyPath: "mounts[0].readOnly", "unknown key 'readOnly' (did you mean 'readonly'?)"),
  IssueCase(
    "overlay key on a bind", bind("    lowerdirs: [installation]"), line: 5, column: 5,
    keyPath: "mounts[0].lowerdirs", "key 'lowerdirs' belongs to overlay mounts, not bind mounts"),
  IssueCase(
    "idmap is a string", bind("    idmap: 'left4me:l4d2-sandbox:1'"), line: 5, column: 12,
    keyPath: "mounts[0].idmap", "expected an idmap"),
  IssueCase(
    "idmap without groups", idmapped("users: 'left4me:l4d2-sandbox:1'"), line: 5, column: 12,
    keyPath: "mounts[0].idmap.groups", "missing required key 'groups'"),
  IssueCase(
    "idmap without users", idmapped("groups: 'left4me:l4d2-sandbox:1'"), line: 5, column: 12,
    keyPath: "mounts[0].idmap.users", "missing required key 'users'"),
  IssueCase(
    "idmap unknown key", idmapped("users: 'a:b:1', groups: 'a:b:1', uids: 'a:b:1'"), line: 5,
    column: 46, keyPath: "mounts[0].idmap.uids", "unknown key 'uids' (allowed: users, groups)"),
  IssueCase(
    "idmap with two parts", idmapped("users: 'left4me:1', groups: 'a:b:1'"), line: 5,
    column: 20, keyPath: "mounts[0].idmap.users",
    "expected \"disk:seen:count\" (e.g. \"left4me:l4d2-sandbox:1\"), found 'left4me:1'"),
  IssueCase(
    "idmap with an empty part", idmapped("users: 'a:b:1', groups: ':b:1'"), line: 5,
    column: 37, keyPath: "mounts[0].idmap.groups", "found ':b:1'"),
  IssueCase(
    "idmap count zero", idmapped("users: 'a:b:0', groups: 'a:b:1'"), line: 5, column: 20,
    keyPath: "mounts[0].idmap.users", "the count in 'a:b:0' must be a positive integer"),
  IssueCase(
    "idmap count not a number", idmapped("users: 'a:b:1', groups: 'a:b:all'"), line: 5,
    column: 37, keyPath: "mounts[0].idmap.groups", "must be a positive integer, found 'all'"),
  IssueCase(
    "idmap range past the last id", idmapped("users: '4294967290:0:10', groups: 'a:b:1'"),
    line: 5, column: 20, keyPath: "mounts[0].idmap.users", "runs past the largest id"),
]

@Test(arguments: bindIssues)
func bindIssueIsLocated(_ row: IssueCase) {
  let decoding = Fixtures.decode(row.yaml)
  #expect(decoding.manifest == nil)
  row.expectMatches(decoding.issues, file: Fixtures.manifestFile)
}

@Test func numericIdmapDecodes() {
  let decoding = Fixtures.decode(idmapped("users: '1000:100000:65536', groups: 'left4me:0:1'"))
  #expect(decoding.issues == [])
  guard case .bind(let spec)? = decoding.manifest?.mounts.first?.spec else {
    Issue.record("no bind decoded")
    return
  }
  #expect(spec.readOnly == false)
  #expect(
    spec.idmap
      == IDMapSpec(
        users: IDMapping(onDisk: .number(1000), seenThroughMount: .number(100_000), count: 65536),
        groups: IDMapping(onDisk: .name("left4me"), seenThroughMount: .number(0), count: 1)))
  #expect(spec.idmap?.users.description == "1000:100000:65536")
}
