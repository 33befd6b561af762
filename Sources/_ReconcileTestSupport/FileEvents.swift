import Glibc

/// Waits for another process to open a file, through inotify: tests synchronise on
/// that event instead of sleeping and hoping the other process got there.
public final class FileEvents {
  private let fd: Int32

  /// Watches `path` (which must exist) for opens.
  public init(watchingOpensOf path: String) throws {
    fd = inotify_init1(Int32(IN_CLOEXEC))
    guard fd >= 0, inotify_add_watch(fd, path, UInt32(IN_OPEN)) >= 0 else {
      throw FileEventsError(path: path, errno: errno)
    }
  }

  deinit { close(fd) }

  /// Blocks until the file is opened, or `seconds` pass. Returns whether it was.
  public func waitForOpen(within seconds: Double) -> Bool {
    var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&descriptor, 1, Int32(seconds * 1000)) == 1 else { return false }
    var buffer = [UInt8](repeating: 0, count: 4096)
    return read(fd, &buffer, buffer.count) > 0
  }
}

public struct FileEventsError: Error, CustomStringConvertible {
  public var path: String
  public var errno: Int32
  public var description: String { "inotify on \(path): errno \(errno)" }
}

/// A deterministic random source for tests that pick random moments: it prints its
/// seed, and `RECONCILE_TEST_SEED` replays a run.
public struct SeededRandom: RandomNumberGenerator {
  private var state: UInt64
  public let seed: UInt64

  /// Seeds from `RECONCILE_TEST_SEED` or at random, and prints the seed for `test`.
  public init(for test: String) {
    if let text = getenv("RECONCILE_TEST_SEED").map({ String(cString: $0) }), let value = UInt64(text) {
      seed = value
    } else {
      seed = UInt64.random(in: 1...UInt64.max)
    }
    state = seed
    print("\(test): random seed \(seed) (replay with RECONCILE_TEST_SEED=\(seed))")
  }

  /// SplitMix64.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
