import SystemPackage

/// Small read-only helpers over the `system_*` calls, for procfs and lock files.
internal enum FileReading {
  /// The whole content of a file, read with one descriptor until end of file.
  static func contents(of path: String) -> Result<[UInt8], Errno> {
    let flags = SystemConstants.readOnly | SystemConstants.closeOnExec
    return valueOrErrno { system_open(path, flags) }.flatMap { fd in
      defer { _ = system_close(fd) }
      var bytes: [UInt8] = []
      var chunk = [UInt8](repeating: 0, count: 16 * 1024)
      while true {
        let count = chunk.withUnsafeMutableBytes { buffer in
          valueOrErrno { system_read(fd, buffer) }
        }
        switch count {
        case .failure(let error): return .failure(error)
        case .success(0): return .success(bytes)
        case .success(let n): bytes += chunk[..<n]
        }
      }
    }
  }

  /// A file's content as text, with invalid UTF-8 repaired rather than refused.
  static func text(of path: String) -> Result<String, Errno> {
    contents(of: path).map { String(decoding: $0, as: UTF8.self) }
  }

  /// Where a symlink (or a procfs magic link) points.
  static func linkTarget(of path: String) -> Result<String, Errno> {
    var size = 256
    while true {
      var buffer = [UInt8](repeating: 0, count: size)
      let result = buffer.withUnsafeMutableBytes { raw in
        valueOrErrno { system_readlink(path, raw) }
      }
      switch result {
      case .failure(let error): return .failure(error)
      // A full buffer may mean a truncated target: grow and ask again.
      case .success(let n) where n == size && size < 64 * 1024: size *= 4
      case .success(let n): return .success(String(decoding: buffer[..<n], as: UTF8.self))
      }
    }
  }

  /// The names in a directory, without `.` and `..`, in the order readdir gives.
  static func names(in path: String) -> Result<[String], Errno> {
    guard let directory = system_opendir(path) else {
      return .failure(Errno(rawValue: system_errno()))
    }
    defer { _ = system_closedir(directory) }
    var names: [String] = []
    while let name = system_readdir(directory) {
      if name != "." && name != ".." { names.append(name) }
    }
    return .success(names)
  }
}
