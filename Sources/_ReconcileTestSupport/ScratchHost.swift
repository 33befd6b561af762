import Foundation
import Reconciler
import SeedHost

/// A tmpfs under /tmp for one privileged test, holding a `SeedHost`. Only usable
/// inside a private mount namespace (`make test` runs the tests under unshare).
///
/// With `RECONCILE_TEST_SCRATCH_DIR` set, the base is instead a fresh directory there,
/// bound onto itself so it is still a mount of its own: kernels before 6.3 cannot
/// idmap a tmpfs and before 6.6 tmpfs has no `user.*` xattrs, so the kernel test
/// (scripts/kernel-test-guest.sh) points this at ext4 there.
public final class ScratchHost {
  public let base: String
  public let seed: SeedHost
  private let onDirectory: Bool

  public init() throws {
    let parent = ProcessInfo.processInfo.environment["RECONCILE_TEST_SCRATCH_DIR"]
    onDirectory = parent != nil
    var template = Array("\(parent ?? "/tmp")/reconcile-it.XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
    base = String(cString: made)
    if onDirectory {
      chmod(base, 0o755)
      try HostFixture.bind(base, at: base)
    } else {
      try HostFixture.mountTmpfs(at: base)
    }
    seed = SeedHost(base: base)
  }

  public var root: String { seed.root }
  public var config: String { seed.config }

  /// Unmounts everything below the scratch base and removes it.
  public func tearDown() {
    try? HostFixture.unmount(base, detach: true)
    if onDirectory {
      try? FileManager.default.removeItem(atPath: base)
    } else {
      rmdir(base)
    }
  }

  /// The raw mountinfo lines of every mount at or below the base, in order: equal
  /// before and after means not one mount changed.
  public func mountLines() -> [String] {
    let text = (try? ProcFile.read("/proc/self/mountinfo")) ?? ""
    return text.split(separator: "\n").map(String.init).filter {
      let fields = $0.split(separator: " ")
      return fields.count > 4 && (fields[4] == base || fields[4].hasPrefix(base + "/"))
    }
  }

  /// Every path below the base with its type, mode, owner, size, mtime and content
  /// digest: equal before and after means not one file changed.
  public func treeSnapshot() -> [String] {
    let manager = FileManager.default
    var lines: [String] = []
    for path in (manager.subpaths(atPath: base) ?? []).sorted() {
      let full = base + "/" + path
      var info = stat()
      guard lstat(full, &info) == 0 else { continue }
      var line = "\(path) mode=\(String(info.st_mode, radix: 8)) uid=\(info.st_uid) gid=\(info.st_gid)"
      line += " size=\(info.st_size) mtime=\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
      if (info.st_mode & S_IFMT) == S_IFREG, let data = manager.contents(atPath: full) {
        line += " sum=\(data.reduce(UInt64(14695981039346656037)) { ($0 ^ UInt64($1)) &* 1099511628211 })"
      }
      lines.append(line)
    }
    return lines
  }

  /// The stack of mounts at a path below the root, as mountinfo shows it.
  public func stackDepth(_ relative: String) -> Int {
    mountLines().filter { $0.split(separator: " ")[4] == root + "/" + relative }.count
  }

  /// Runs the built `reconcile` binary.
  public static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> CommandResult {
    try CommandResult.run(executable: reconcileBinary, arguments: arguments, environment: environment)
  }

  /// `.build/debug/reconcile` of this package.
  public static var reconcileBinary: String { packageDirectory + "/.build/debug/reconcile" }

  /// The package's source directory.
  public static var packageDirectory: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().path
  }
}

/// What a finished process left: exit status, stdout, stderr.
public struct CommandResult {
  public var status: Int32
  public var stdout: String
  public var stderr: String

  /// Runs `executable` to completion.
  public static func run(
    executable: String, arguments: [String], environment: [String: String]? = nil
  ) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }

  /// stdout parsed as one JSON object.
  public func json() throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
      throw CocoaError(.propertyListReadCorrupt)
    }
    return object
  }
}

/// A process that keeps a mount busy the way a game server does: its working
/// directory lies on it. Stopped with `stop()` or when the test ends.
public final class BusyHolder {
  public let process = Process()

  /// Starts `/bin/sleep` with its working directory at `directory`.
  public init(workingIn directory: String, seconds: Int = 60) throws {
    process.executableURL = URL(fileURLWithPath: "/bin/sleep")
    process.arguments = ["\(seconds)"]
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    try process.run()
  }

  public var pid: Int32 { process.processIdentifier }

  /// Stops the holder and waits for it to be gone.
  public func stop() {
    guard process.isRunning else { return }
    process.terminate()
    process.waitUntilExit()
  }

  deinit { stop() }
}
