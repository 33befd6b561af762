import Foundation
import Glibc
import Probes
import _ReconcileTestSupport

/// Helpers for tests that use the real host read-only: temporary directories,
/// xattrs, child processes and this process's own mount table.
enum TestHost {
  /// Runs `body` with a fresh directory (symlinks resolved) that is removed after.
  static func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    var template = Array("/tmp/probes-test-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
    let path = URL(fileURLWithPath: String(cString: made)).resolvingSymlinksInPath().path
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
  }

  static func makeDirectory(_ path: String) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  static func makeFile(_ path: String, _ text: String = "") throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  }

  static func makeSymlink(_ path: String, pointingTo destination: String) throws {
    try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: destination)
  }

  static func exists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
  }

  /// setxattr(2), looked up at run time: <sys/xattr.h> is not in the Glibc module.
  static func setXattr(_ path: String, _ name: String, _ value: String) -> Int32 {
    typealias SetXattr =
      @convention(c) (
        UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32
      ) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setxattr") else { return -1 }
    let call = unsafeBitCast(symbol, to: SetXattr.self)
    return value.withCString { call(path, name, $0, strlen($0), 0) }
  }

  /// Starts a child process; the caller stops it with `stop(_:)`.
  static func start(
    _ executable: String, _ arguments: [String], in directory: String? = nil,
    standardInput: FileHandle? = nil
  ) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let standardInput { process.standardInput = standardInput }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
  }

  /// Runs a command to completion and returns its exit status (-1 if it cannot start).
  static func run(_ executable: String, _ arguments: [String]) -> Int32 {
    guard let process = try? start(executable, arguments) else { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
  }

  /// Kills and reaps a child. SIGKILL, because the test runner's blocked signals
  /// are inherited: a SIGTERMed `sleep` would run to its end.
  static func stop(_ process: Process) {
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
  }

  /// Starts one process that takes `flock` on `lock` and then keeps it while it
  /// sleeps: the shell locks its own fd 9 and execs `sleep`, which inherits it, so
  /// killing that one pid releases the lock (flock(1) with a command would leave an
  /// orphaned child holding it).
  static func holdLock(_ lock: String, shared: Bool = false) throws -> Process {
    let mode = shared ? "-s" : "-x"
    return try start("/bin/sh", ["-c", "exec 9<\"$0\" && flock \(mode) 9 && exec sleep 30", lock])
  }

  /// Polls `condition` every 20 ms until it holds or `seconds` pass.
  static func eventually(within seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if condition() { return true }
      usleep(20_000)
    }
    return condition()
  }

  /// The entry of this process's mount table with `id`, decoded just enough for
  /// the probes (target and root unescaped only for `\040`, which tests avoid).
  static func mountEntry(id: Int) -> MountEntry? {
    guard let text = try? ProcFile.read("/proc/self/mountinfo") else {
      return nil
    }
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: " ").map(String.init)
      guard fields.count >= 10, Int(fields[0]) == id,
        let dash = fields.firstIndex(of: "-"), dash + 2 < fields.count
      else { continue }
      let device = fields[2].split(separator: ":").compactMap { UInt32($0) }
      return MountEntry(
        id: id, parentID: Int(fields[1]) ?? 0, major: device[0], minor: device[1],
        root: fields[3], target: fields[4], fsType: fields[dash + 1], source: fields[dash + 2],
        mountOptions: fields[5].split(separator: ",").map(String.init),
        superOptions: [], propagation: Propagation(), overlay: nil)
    }
    return nil
  }

  /// The running kernel's version as (major, minor).
  static var kernelVersion: (Int, Int) {
    var name = utsname()
    uname(&name)
    let release = withUnsafeBytes(of: name.release) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
    let parts = release.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    return (parts.first ?? 0, parts.dropFirst().first ?? 0)
  }
}
