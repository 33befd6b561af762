import Foundation
import Glibc
import XCTest

/// One entry's state as the ownership tests compare it. `ctime` changes on any
/// chown or chmod, even one to the same owner, so equal states mean untouched.
struct EntryState: Hashable, CustomStringConvertible {
  var uid: UInt32
  var gid: UInt32
  var mode: UInt32
  var ctime: Int

  var owner: String { "\(uid):\(gid)" }
  var description: String { "\(owner) \(String(mode, radix: 8))" }
}

/// Trees for the ownership walk tests, built and read with byte paths through libc
/// (never FileManager, which cannot name a file whose name is not UTF-8).
enum OwnershipTree {
  static let sandbox: (UInt32, UInt32) = (981, 981)
  static let left4me: (UInt32, UInt32) = (980, 980)

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  static func bytes(_ path: String) -> [UInt8] { Array(path.utf8) }

  static func withCPath<R>(_ path: [UInt8], _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
    try (path + [0]).withUnsafeBufferPointer {
      try body(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self))
    }
  }

  static func check(_ result: Int32, _ what: String, _ path: [UInt8]) throws {
    guard result == 0 || (result > 0 && what.hasPrefix("open")) else {
      throw Failure(
        description: "\(what) \(String(decoding: path, as: UTF8.self)): \(String(cString: strerror(errno)))")
    }
  }

  static func directory(_ path: [UInt8], owner: (UInt32, UInt32) = sandbox, mode: mode_t = 0o755) throws {
    try withCPath(path) { p in
      try check(mkdir(p, mode), "mkdir", path)
      try check(chmod(p, mode), "chmod", path)
      try check(lchown(p, owner.0, owner.1), "lchown", path)
    }
  }

  static func file(_ path: [UInt8], owner: (UInt32, UInt32) = sandbox, mode: mode_t = 0o644) throws {
    try withCPath(path) { p in
      let fd = open(p, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
      try check(fd >= 0 ? 0 : -1, "open", path)
      close(fd)
      // chown before chmod: chown would clear the set-id bits this may set.
      try check(lchown(p, owner.0, owner.1), "lchown", path)
      try check(chmod(p, mode), "chmod", path)
    }
  }

  static func symlink(_ target: String, at path: [UInt8], owner: (UInt32, UInt32) = sandbox) throws {
    try withCPath(path) { p in
      try check(Glibc.symlink(target, p), "symlink", path)
      try check(lchown(p, owner.0, owner.1), "lchown", path)
    }
  }

  static func state(_ path: [UInt8]) throws -> EntryState {
    var info = stat()
    try withCPath(path) { try check(lstat($0, &info), "lstat", path) }
    return EntryState(
      uid: info.st_uid, gid: info.st_gid, mode: info.st_mode,
      ctime: info.st_ctim.tv_sec * 1_000_000_000 + info.st_ctim.tv_nsec)
  }

  static func state(_ path: String) throws -> EntryState { try state(bytes(path)) }

  /// Every entry at and below `top` by path relative to it (top itself as ""),
  /// entering other mounts too (to see they are untouched), never following a
  /// symlink.
  static func snapshot(_ top: String) throws -> [[UInt8]: EntryState] {
    var result: [[UInt8]: EntryState] = [[]: try state(top)]
    var pending: [[UInt8]] = [[]]
    while let relative = pending.popLast() {
      let full = bytes(top) + (relative.isEmpty ? [] : [UInt8(ascii: "/")] + relative)
      guard let dir = withCPath(full, { opendir($0) }) else {
        throw Failure(description: "opendir \(String(decoding: full, as: UTF8.self))")
      }
      defer { closedir(dir) }
      while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: &entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
        if name == [0x2e] || name == [0x2e, 0x2e] { continue }
        let child = relative.isEmpty ? name : relative + [UInt8(ascii: "/")] + name
        let state = try state(full + [UInt8(ascii: "/")] + name)
        result[child] = state
        if state.mode & S_IFMT == S_IFDIR { pending.append(child) }
      }
    }
    return result
  }

  /// The entries of a snapshot with this owner.
  static func owned(by owner: (UInt32, UInt32), in snapshot: [[UInt8]: EntryState]) -> Set<[UInt8]> {
    Set(snapshot.filter { $0.value.uid == owner.0 && $0.value.gid == owner.1 }.keys)
  }

  /// `chattr +i`/`-i` by `FS_IOC_SETFLAGS`, on a byte path no argv could carry.
  static func setImmutable(_ immutable: Bool, _ path: [UInt8]) throws {
    let fd = withCPath(path) { open($0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
    guard fd >= 0 else { throw Failure(description: "open for FS_IOC_SETFLAGS") }
    defer { close(fd) }
    var flags: Int = immutable ? 0x10 : 0  // FS_IMMUTABLE_FL
    guard ioctl(fd, 0x4008_6602, &flags) == 0 else {  // FS_IOC_SETFLAGS
      throw Failure(description: "FS_IOC_SETFLAGS: \(String(cString: strerror(errno)))")
    }
  }

  /// Directories re-owned before something below them: every ancestor of an entry
  /// `from` still owns must still be `from`'s too (the walk is post-order).
  /// Only directories in `wereOwned` count, when given (the others were never `from`'s).
  static func reownedBeforeTheirContents(
    from owner: (UInt32, UInt32), in snapshot: [[UInt8]: EntryState], wereOwned: Set<[UInt8]>? = nil
  ) -> Set<String> {
    var early: Set<String> = []
    for path in owned(by: owner, in: snapshot) where !path.isEmpty {
      var parent = path
      repeat {
        parent = Array(parent[..<(parent.lastIndex(of: UInt8(ascii: "/")) ?? 0)])
        let counts = wereOwned?.contains(parent) ?? true
        if counts && snapshot[parent].map({ $0.uid != owner.0 || $0.gid != owner.1 }) ?? true {
          early.insert(String(decoding: parent, as: UTF8.self))
        }
      } while !parent.isEmpty
    }
    return early
  }

  /// `.build/debug/ownership-walk-tool` of this package.
  static var tool: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(".build/debug/ownership-walk-tool").path
  }
}
