import StateModel
import Testing

private let file = "/etc/reconcile/site.yaml"
private let minimal = "root: /srv/l4m\ninstances: instances.d\n"

@Test func shippedSiteConfigDecodesWithoutIssues() throws {
  let yaml = try PackageFiles.manifestText("site.yaml")
  let (config, issues) = SiteConfig.decode(yaml: yaml, file: file)
  #expect(issues == [])
  let root = "/var/lib/left4me"
  #expect(
    config
      == SiteConfig(
        file: file, root: root, instancesDirectory: "/etc/reconcile/instances.d",
        stateDirectory: "\(root)/.reconcile",
        lowerdirRoots: ["installation", "overlays", "global_overlay_cache", "workshop_cache"]
          .map { "\(root)/\($0)" },
        managed: ["\(root)/runtime", "\(root)/tmp"],
        refuseUpperXattrs: ["user.fuseoverlayfs."],
        leases: [LeaseRule(pattern: "\(root)/tmp/sandbox-idmap-*", lockTemplate: "{mount}.lock")],
        migrations: [
          MigrationSpec(
            id: "overlays-owned-by-left4me", path: "\(root)/overlays",
            fromUser: .name("l4d2-sandbox"), fromGroup: nil, toUser: .name("left4me"),
            toGroup: .name("left4me"),
            location: SourceLocation(file: file, line: 57, column: 5))
        ]))
  #expect(config?.lockFile == "\(root)/.reconcile/lock")
  #expect(
    config?.leases.first?.lockPath(for: "\(root)/tmp/sandbox-idmap-9")
      == "\(root)/tmp/sandbox-idmap-9.lock")
}

@Test func optionalKeysTakeTheirDefaults() {
  let (config, issues) = SiteConfig.decode(yaml: minimal, file: file)
  #expect(issues == [])
  #expect(config?.stateDirectory == "/srv/l4m/.reconcile")
  #expect(config?.instancesDirectory == "/etc/reconcile/instances.d")
  #expect(config?.lowerdirRoots == [])
  #expect(config?.managed == [])
  #expect(config?.refuseUpperXattrs == [])
  #expect(config?.leases == [])
  #expect(config?.migrations == [])
}

@Test func ownersMayNameUsersGroupsAndNumbers() {
  let yaml =
    minimal + """
      migrations:
        - id: numeric
          chown: {path: ., from: "980:980", to: left4me}
      """
  let (config, issues) = SiteConfig.decode(yaml: yaml, file: file)
  #expect(issues == [])
  let migration = config?.migrations.first
  #expect(migration?.path == "/srv/l4m")
  #expect(migration?.fromUser == .number(980))
  #expect(migration?.fromGroup == .number(980))
  #expect(migration?.toUser == .name("left4me"))
  #expect(migration?.toGroup == nil)
}

@Test func absoluteInstancesDirectoryIsKept() {
  let yaml = "root: /srv/l4m\ninstances: /srv/manifests\n"
  #expect(SiteConfig.decode(yaml: yaml, file: file).config?.instancesDirectory == "/srv/manifests")
}

private let siteIssues: [IssueCase] = [
  IssueCase("not YAML", "root: [\n", line: 2, column: 1, keyPath: "", "YAML syntax error"),
  IssueCase(
    "top level is a list", "- root\n", line: 1, column: 1, keyPath: "",
    "expected a mapping of site settings, found a list"),
  IssueCase(
    "missing root", "instances: i\n", line: 1, column: 1, keyPath: "root",
    "missing required key 'root'"),
  IssueCase(
    "missing instances", "root: /srv/l4m\n", line: 1, column: 1, keyPath: "instances",
    "missing required key 'instances'"),
  IssueCase(
    "relative root", "root: srv/l4m\ninstances: i\n", line: 1, column: 7, keyPath: "root",
    "'srv/l4m' is not an absolute path"),
  IssueCase(
    "root not in normal form", "root: /srv/./l4m/\ninstances: i\n", line: 1, column: 7,
    keyPath: "root", "write it as '/srv/l4m'"),
  IssueCase(
    "root is a list", "root: [/srv]\ninstances: i\n", line: 1, column: 7, keyPath: "root",
    "expected an absolute path, found a list"),
  IssueCase(
    "root is empty", "root:\ninstances: i\n", line: 1, column: 6, keyPath: "root",
    "expected an absolute path, found nothing (null)"),
  IssueCase(
    "snake_case key", minimal + "lowerdir_roots: [overlays]\n", line: 3, column: 1,
    keyPath: "lowerdir_roots", "unknown key 'lowerdir_roots' (did you mean 'lowerdir-roots'?)"),
  IssueCase(
    "unrelated key", minimal + "colour: blue\n", line: 3, column: 1, keyPath: "colour",
    "unknown key 'colour' (allowed: root, instances, state,"),
  IssueCase(
    "instances escapes", "root: /srv/l4m\ninstances: ../elsewhere\n", line: 2, column: 12,
    keyPath: "instances", "contains a '..' component"),
  IssueCase(
    "state outside root", minimal + "state: /var/state\n", line: 3, column: 8, keyPath: "state",
    "state directory '/var/state' is not below root '/srv/l4m'"),
  IssueCase(
    "state is root", minimal + "state: .\n", line: 3, column: 8, keyPath: "state",
    "is not below root"),
  IssueCase(
    "managed outside root", minimal + "managed: [runtime, /etc]\n", line: 3, column: 20,
    keyPath: "managed[1]", "managed directory '/etc' is not under root '/srv/l4m'"),
  IssueCase(
    "managed is a string", minimal + "managed: runtime\n", line: 3, column: 10,
    keyPath: "managed", "expected a list of paths, found 'runtime'"),
  IssueCase(
    "lowerdir root escapes", minimal + "lowerdir-roots:\n  - overlays/../../etc\n", line: 4,
    column: 5, keyPath: "lowerdir-roots[0]", "contains a '..' component"),
  IssueCase(
    "empty xattr prefix", minimal + "refuse-upper-xattrs: ['']\n", line: 3, column: 23,
    keyPath: "refuse-upper-xattrs[0]", "found an empty string"),
  IssueCase(
    "leases is a mapping", minimal + "leases: {mounts: tmp/*, lock: '{mount}.lock'}\n",
    line: 3, column: 9, keyPath: "leases", "expected a list of leases, found a mapping"),
  IssueCase(
    "lease without lock", minimal + "leases:\n  - mounts: tmp/sandbox-*\n", line: 4, column: 5,
    keyPath: "leases[0].lock", "missing required key 'lock'"),
  IssueCase(
    "lock without placeholder", minimal + "leases:\n  - {mounts: tmp/*, lock: /run/x.lock}\n",
    line: 4, column: 27, keyPath: "leases[0].lock", "does not contain '{mount}'"),
  IssueCase(
    "relative lock", minimal + "leases:\n  - {mounts: tmp/*, lock: 'locks/{mount}'}\n",
    line: 4, column: 27, keyPath: "leases[0].lock", "must start with '/' or '{mount}'"),
  IssueCase(
    "lease outside root", minimal + "leases:\n  - {mounts: /tmp/*, lock: '{mount}.lock'}\n",
    line: 4, column: 14, keyPath: "leases[0].mounts",
    "lease pattern '/tmp/*' is not below root '/srv/l4m'"),
  IssueCase(
    "lease unknown key", minimal + "leases:\n  - {mounts: tmp/*, lock: '{mount}.l', glob: x}\n",
    line: 4, column: 40, keyPath: "leases[0].glob", "unknown key 'glob'"),
  IssueCase(
    "migration without chown", minimal + "migrations:\n  - id: first\n", line: 4, column: 5,
    keyPath: "migrations[0].chown", "missing required key 'chown'"),
  IssueCase(
    "duplicate migration id",
    minimal + """
      migrations:
        - {id: once, chown: {path: overlays, from: a, to: b}}
        - {id: once, chown: {path: overlays, from: a, to: b}}
      """, line: 5, column: 10, keyPath: "migrations[1].id",
    "duplicate migration id 'once' (first used at line 4)"),
  IssueCase(
    "migration id with a slash",
    minimal + "migrations:\n  - {id: a/b, chown: {path: overlays, from: a, to: b}}\n", line: 4,
    column: 10, keyPath: "migrations[0].id", "may hold only letters"),
  IssueCase(
    "three-part owner",
    minimal + "migrations:\n  - {id: m, chown: {path: overlays, from: 'a:b:c', to: b}}\n",
    line: 4, column: 43, keyPath: "migrations[0].chown.from",
    "expected 'user' or 'user:group', found 'a:b:c'"),
  IssueCase(
    "owner with empty group",
    minimal + "migrations:\n  - {id: m, chown: {path: overlays, from: a, to: 'left4me:'}}\n",
    line: 4, column: 50, keyPath: "migrations[0].chown.to", "found 'left4me:'"),
  IssueCase(
    "chown outside root",
    minimal + "migrations:\n  - {id: m, chown: {path: /home, from: a, to: b}}\n", line: 4,
    column: 27, keyPath: "migrations[0].chown.path", "'/home' is not under root '/srv/l4m'"),
  IssueCase(
    "chown unknown key",
    minimal + "migrations:\n  - {id: m, chown: {path: o, from: a, to: b, recursive: true}}\n",
    line: 4, column: 46, keyPath: "migrations[0].chown.recursive",
    "unknown key 'recursive' (allowed: path, from, to)"),
]

@Test(arguments: siteIssues)
func siteConfigIssueIsLocated(_ row: IssueCase) {
  let (config, issues) = SiteConfig.decode(yaml: row.yaml, file: file)
  #expect(config == nil)
  row.expectMatches(issues, file: file)
}

@Test func everySiteConfigIssueIsReportedInFileOrder() {
  let yaml = """
    root: srv
    instances: instances.d
    managed: runtime
    leases:
      - {mounts: tmp/*}
    """
  let (config, issues) = SiteConfig.decode(yaml: yaml, file: file)
  #expect(config == nil)
  #expect(issues.map(\.keyPath) == ["root", "managed", "leases[0].lock"])
  #expect(issues.map(\.location.line) == [1, 3, 5])
  #expect(issues.allSatisfy { $0.instance == nil })
}
