import SeedHost
import Foundation
import Reconciler
import XCTest
import _ReconcileTestSupport

/// The left4me hooks as root, on a tree the web app's user owns: `left4me-overlay`
/// reads `instance.env` only as what it should be, writes every value as a value, and
/// `left4me-script-sandbox` takes its lease through `reconcile lease`. `nobody`
/// stands in for the app's user.
final class HookTests: PrivilegedTestCase {
  private static let appUser = "nobody"
  private static let appUID: UInt32 = 65534
  private var victim: String { host.base + "/victim" }

  override func setUpWithError() throws {
    try super.setUpWithError()
    try host.seed.build()
    try host.seed.write(victim, "precious\n")
    for hook in ["left4me-overlay", "left4me-script-sandbox"] { try installHook(hook) }
    for directory in ["", "/overlays", "/tmp", "/instances", "/instances/2"] {
      try FileManager.default.createDirectory(atPath: host.root + directory, withIntermediateDirectories: true)
      try HostFixture.chown(host.root + directory, uid: Self.appUID, gid: Self.appUID)
    }
  }

  /// The hook from `deploy/left4me`, with its site lines pointed at this scratch host
  /// and the host namespace at our own (the test must not join PID 1's).
  private func installHook(_ name: String) throws {
    let source = ScratchHost.packageDirectory + "/deploy/left4me/\(name).in"
    let settings = [
      "ROOT": host.root, "CONFIG": host.config, "MANIFESTS": host.seed.instancesDirectory,
      "RECONCILE": ScratchHost.reconcileBinary, "HOST_NAMESPACE": "/proc/self/ns/mnt", "APP_USER": Self.appUser,
    ]
    var lines = try String(contentsOfFile: source, encoding: .utf8).split(
      separator: "\n", omittingEmptySubsequences: false
    ).map(String.init)
    for (index, line) in lines.enumerated() {
      for (key, value) in settings where line.hasPrefix(key + "=") { lines[index] = "\(key)='\(value)'" }
    }
    try host.seed.write(host.base + "/bin/" + name, lines.joined(separator: "\n"))
    chmod(host.base + "/bin/" + name, 0o755)
  }

  private func hook(_ name: String, _ arguments: String..., environment: [String: String] = [:]) throws -> CommandResult
  {
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { $1 }
    return try CommandResult.run(executable: host.base + "/bin/" + name, arguments: arguments, environment: env)
  }

  private func writeEnv(_ instance: String, _ text: String, owner: UInt32 = appUID) throws {
    let file = host.root + "/instances/\(instance)/instance.env"
    try FileManager.default.createDirectory(
      atPath: host.root + "/instances/\(instance)", withIntermediateDirectories: true)
    try host.seed.write(file, text)
    try HostFixture.chown(file, uid: owner, gid: owner)
  }

  private func manifest(_ instance: String) -> String? {
    try? String(contentsOfFile: host.seed.instancesDirectory + "/\(instance).yaml", encoding: .utf8)
  }

  func testMountWritesLayersAsQuotedStringsAndUnmountUndoesIt() throws {
    try writeEnv("2", "L4D2_PORT=27015\nL4D2_LOWERDIRS=\"overlays/9:overlays/4:installation\"\n")

    let mount = try hook("left4me-overlay", "mount", "2")

    XCTAssertEqual(mount.status, 0, mount.stdout + mount.stderr)
    XCTAssertTrue(
      manifest("2")?.contains(#"lowerdirs: ["overlays/9", "overlays/4", "installation"]"#) == true, manifest("2") ?? "")
    XCTAssertEqual(host.stackDepth("runtime/2/merged"), 1)
    let umount = try hook("left4me-overlay", "umount", "2")
    XCTAssertEqual(umount.status, 0, umount.stdout + umount.stderr)
    XCTAssertEqual(host.stackDepth("runtime/2/merged"), 0)
  }

  /// Every way the web app's user could hand root something else: refused, located,
  /// and no manifest is written.
  func testUnusableInstanceEnvIsRefusedWithItsPathAndLine() throws {
    let root = host.root
    let file = root + "/instances/5/instance.env"
    let cases: [(String, () throws -> Void, String)] = [
      (
        "symlink to a root-only file",
        {
          try FileManager.default.createDirectory(atPath: root + "/instances/5", withIntermediateDirectories: true)
          try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: "/etc/shadow")
        }, "\(file) is not a regular file"
      ),
      (
        "instance directory is a symlink",
        {
          try FileManager.default.createSymbolicLink(
            atPath: root + "/instances/5", withDestinationPath: root + "/instances/2")
        }, "\(root)/instances/5 is not a directory"
      ),
      (
        "owned by another user", { try self.writeEnv("5", "L4D2_LOWERDIRS=installation\n", owner: 1234) },
        "\(file) is owned by uid 1234"
      ),
      (
        "YAML injection",
        {
          try self.writeEnv(
            "5", "L4D2_LOWERDIRS=\"installation]\n  - {type: bind, source: /, target: runtime/5/root}\"\n")
        },
        "\(file):1: L4D2_LOWERDIRS may hold only"
      ),
      (
        "flow-sequence injection on a later line",
        { try self.writeEnv("5", "# app\nL4D2_LOWERDIRS=installation\", \"/etc\n") },
        "\(file):2: L4D2_LOWERDIRS may hold only"
      ),
      (
        "escaping layer", { try self.writeEnv("5", "L4D2_LOWERDIRS=overlays/4:../../../etc\n") },
        "\(file):1: L4D2_LOWERDIRS: layer '../../../etc' must be relative"
      ),
      ("absolute layer", { try self.writeEnv("5", "L4D2_LOWERDIRS=/etc\n") }, "must be relative"),
      ("no layers", { try self.writeEnv("5", "L4D2_PORT=1\n") }, "\(file): sets no L4D2_LOWERDIRS"),
    ]
    for (name, plant, expected) in cases {
      try plant()
      let result = try hook("left4me-overlay", "mount", "5")
      XCTAssertEqual(result.status, 1, "\(name): \(result.stderr)")
      XCTAssertTrue(result.stderr.contains(expected), "\(name): \(result.stderr)")
      XCTAssertNil(manifest("5"), "\(name): no manifest")
      XCTAssertFalse(FileManager.default.fileExists(atPath: host.root + "/runtime/5"), name)
      try FileManager.default.removeItem(atPath: host.root + "/instances/5")
    }
    XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious\n")
  }

  func testStopWithAnUnusableInstanceEnvStillUnmounts() throws {
    try writeEnv("2", "L4D2_LOWERDIRS=overlays/4:installation\n")
    XCTAssertEqual(try hook("left4me-overlay", "mount", "2").status, 0)
    let file = host.root + "/instances/2/instance.env"
    try FileManager.default.removeItem(atPath: file)
    try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: "/etc/shadow")

    let stop = try hook("left4me-overlay", "umount", "2")

    XCTAssertEqual(stop.status, 0, stop.stderr)
    XCTAssertEqual(host.stackDepth("runtime/2/merged"), 0)
    XCTAssertTrue(manifest("2")?.contains("enabled: false") == true)
  }

  func testSandboxTakesItsLeaseThroughReconcileAndRefusesAPlantedLock() throws {
    let lock = host.root + "/tmp/sandbox-idmap-9.lock"
    try FileManager.default.createSymbolicLink(atPath: lock, withDestinationPath: victim)

    // A variable alone does not make the script believe it holds the lease.
    let planted = try hook("left4me-script-sandbox", "9", "/bin/true", environment: ["RECONCILE_LEASE_FD": "1"])

    XCTAssertEqual(planted.status, 1, planted.stderr)
    XCTAssertTrue(planted.stderr.contains(lock), planted.stderr)
    XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious\n", "not truncated")
    XCTAssertNil(manifest("sandbox-9"))

    try FileManager.default.removeItem(atPath: lock)
    let build = try HostFixture.holdLease(lock)
    defer { build.release() }
    let second = try hook("left4me-script-sandbox", "9", "/bin/true")
    XCTAssertEqual(second.status, 75, "another build holds it: \(second.stderr)")
  }
}
