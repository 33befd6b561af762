import FoundationEssentials
import Glibc
import LinuxKernel
import SystemPackage
import Testing
import _ReconcileTestSupport

@testable import Reconciler
@testable import reconcile

/// The CLI's contract (DESIGN 3.2, 3.4) without root: usage errors and help through
/// the binary, dry runs against a saved table in process, planned against files this
/// user owns.
@Suite struct CommandLineContractTests {
  @Test func usageErrorsExit64() throws {
    #expect(try ScratchHost.run(["--no-such-flag"]).status == 64)
    #expect(try ScratchHost.run(["--lock-timeout", "-1"]).status == 64)
    #expect(try ScratchHost.run(["--instance", "../etc"]).status == 64)
    #expect(try ScratchHost.run(["lease", "--hold", "tmp/x.lock"]).status == 64)
  }

  @Test func helpExplainsEveryExitCode() throws {
    let help = try ScratchHost.run(["--help"]).stdout
    for code in ["0 converged", "1 an error", "2 dry run", "64 usage", "75 temporary"] {
      #expect(help.contains(code), "help lacks '\(code)'")
    }
  }

  /// A site of this user's files: root `/srv/l4d`, one instance wanting an overlay.
  private func withSite(manifest: String, _ body: (String, String) throws -> Void) throws {
    let directory = try Files.makeTemporaryDirectory("/tmp/reconcile-cli.XXXXXX").string
    defer { _ = try? CommandResult.run(executable: "/bin/rm", arguments: ["-rf", directory]) }
    try write(
      directory + "/site.yaml",
      """
      root: /srv/l4d
      instances: instances.d
      lowerdir-roots: [installation, overlays]
      managed: [runtime, tmp]

      """)
    mkdir(directory + "/instances.d", 0o755)
    try write(directory + "/instances.d/2.yaml", manifest)
    try body(directory + "/site.yaml", directory + "/captured.mountinfo")
  }

  private let overlay = """
    mounts:
      - {type: overlay, target: runtime/2/merged, lowerdirs: [overlays/9, installation], upperdir: runtime/2/upper, workdir: runtime/2/work}

    """

  private let baseTable = """
    1 0 254:0 / / rw,relatime - ext4 /dev/vda rw
    2 1 0:40 / /srv/l4d rw,relatime - tmpfs tmpfs rw

    """

  private func run(_ config: String, _ table: String, saved: String) throws -> RunReport {
    try write(saved, table)
    var options = RunOptions(configFile: config, mountInfoPath: saved)
    options.trustedOwner = getuid()
    return ReconcileRun.run(options)
  }

  @Test func dryRunExitCodesAndJSONKeys() throws {
    try withSite(manifest: overlay) { config, saved in
      let pending = try run(config, baseTable, saved: saved)
      #expect(pending.exitStatus == .changesPending)
      let json = try JSONSerialized(JSONReport.render(pending))
      #expect(json.keys.isSuperset(of: ["dry_run", "converged", "steps", "errors", "exit_code"]))
      #expect(json.steps.first?.isSuperset(of: ["action", "target", "reason", "instance", "status"]) == true)

      let mounted =
        baseTable
        + "3 2 0:50 / /srv/l4d/runtime/2/merged rw,relatime - overlay reconcile rw,lowerdir=/srv/l4d/overlays/9:/srv/l4d/installation,upperdir=/srv/l4d/runtime/2/upper,workdir=/srv/l4d/runtime/2/work\n"
      #expect(try run(config, mounted, saved: saved).exitStatus == .converged)

      let malformed = baseTable + "this is not mountinfo\n"
      let broken = try run(config, malformed, saved: saved)
      #expect(broken.exitStatus == .error)
      #expect(broken.problems.contains { $0.file == saved && $0.line == 3 })
    }
  }

  @Test func refusedManifestIsALocatedErrorAndExit1() throws {
    try withSite(manifest: "mounts:\n  - {type: overlay, target: elsewhere/x, lowerdirs: [installation]}\n") {
      config, saved in
      let report = try run(config, baseTable, saved: saved)
      #expect(report.exitStatus == .error)
      let problem = try #require(report.problems.first { $0.instance == "2" })
      #expect(problem.file?.hasSuffix("instances.d/2.yaml") == true)
      #expect(problem.line == 2 && problem.column != nil)
    }
  }
}

/// The parts of the JSON document a test checks.
private struct JSONSerialized {
  var keys: Set<String>
  var steps: [Set<String>]

  init(_ text: String) throws {
    struct AnyKey: CodingKey {
      var stringValue: String
      var intValue: Int? { nil }
      init(stringValue: String) { self.stringValue = stringValue }
      init?(intValue: Int) { nil }
    }
    struct Keys: Decodable {
      var keys: Set<String>
      var steps: [Set<String>]
      init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        keys = Set(container.allKeys.map(\.stringValue))
        var list = try container.nestedUnkeyedContainer(forKey: AnyKey(stringValue: "steps"))
        steps = []
        while !list.isAtEnd {
          steps.append(Set(try list.nestedContainer(keyedBy: AnyKey.self).allKeys.map(\.stringValue)))
        }
      }
    }
    let decoded = try JSONDecoder().decode(Keys.self, from: Data(text.utf8))
    keys = decoded.keys
    steps = decoded.steps
  }
}

private func write(_ path: String, _ text: String) throws {
  let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
  guard fd >= 0 else { throw Errno(rawValue: errno) }
  defer { close(fd) }
  _ = text.utf8CString.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
  fchmod(fd, 0o644)
}
