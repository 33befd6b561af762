import LinuxKernel
import SystemPackage

/// Reads config and manifest files only when they are safe to act on as root: regular
/// files (not symlinks), at most 1 MiB, owned by the trusted owner and writable by
/// nobody else (invariant 10: whoever can write them decides what gets mounted).
struct TrustedFileReader {
  /// Why a file or directory was not read.
  enum Refusal: Error, Equatable {
    /// It does not exist or could not be read.
    case unreadable(String)
    /// It exists but is not safe or sensible to use.
    case unsafe(String)

    var reason: String {
      switch self {
      case .unreadable(let reason), .unsafe(let reason): return reason
      }
    }
  }

  /// The largest config or manifest accepted, in bytes.
  static let maximumFileSize = 1 << 20

  /// The uid that must own every config file, manifest and the instances directory.
  let trustedOwner: UInt32

  /// Reads a whole config or manifest file as UTF-8 text. The file is checked on a
  /// descriptor (`O_PATH`, symlinks not followed) and read through that same
  /// descriptor, so what was checked is what is read.
  func readFile(at path: String) -> Result<String, Refusal> {
    let bytes: [UInt8]
    do {
      let file = try Files.openPath(FilePath(path))
      defer { try? file.close() }
      let status = try file.status()
      if let refusal = check(status, is: .regular) { return .failure(refusal) }
      if status.size > Self.maximumFileSize { return .failure(Self.oversize(Int(status.size))) }
      let reading = try Files.reopenForReading(file, path: FilePath(path))
      defer { try? reading.close() }
      // One byte past the limit catches a file that grew since it was checked.
      bytes = try reading.readAll(limit: Self.maximumFileSize)
    } catch {
      return .failure(.unreadable(Self.reason(for: error)))
    }
    if bytes.count > Self.maximumFileSize { return .failure(Self.oversize(bytes.count)) }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      return .failure(.unsafe("is not valid UTF-8 text"))
    }
    return .success(text)
  }

  /// Checks that `path` is a directory that only the trusted owner can write, and
  /// lists it (names only, unsorted) from the same descriptor.
  func listDirectory(at path: String) -> Result<[String], Refusal> {
    do {
      let directory = try Files.openPath(FilePath(path))
      defer { try? directory.close() }
      if let refusal = check(try directory.status(), is: .directory) { return .failure(refusal) }
      let listing = try Files.reopenForReading(directory, path: FilePath(path), directory: true)
      return .success(try Files.names(in: listing, path: FilePath(path)))
    } catch {
      return .failure(.unreadable(Self.reason(for: error)))
    }
  }

  /// Why a file of this `status` is not to be read as a `type` (nil when it is): the
  /// wrong type, or someone but the trusted owner can write it.
  private func check(_ status: Stat, is type: FileType) -> Refusal? {
    guard status.type == type else {
      return .unsafe("is not \(Self.describe(type)) (\(Self.describe(status.type)))")
    }
    guard status.userID.rawValue == trustedOwner else {
      return .unsafe("is owned by uid \(status.userID.rawValue), not by uid \(trustedOwner)")
    }
    if status.isWritableByOthers {
      return .unsafe(
        "is writable by its group or others (mode \(String(status.permissions.rawValue, radix: 8))); "
          + "only its owner may write it")
    }
    return nil
  }

  private static func oversize(_ size: Int) -> Refusal {
    .unsafe("is \(size) bytes, more than the \(maximumFileSize) allowed")
  }

  private static func describe(_ type: FileType) -> String {
    switch type {
    case .symbolicLink: return "a symbolic link"
    case .directory: return "a directory"
    case .regular: return "a regular file"
    case .characterSpecial, .blockSpecial: return "a device"
    case .socket: return "a socket"
    default: return "a special file"
    }
  }

  private static func reason(for error: KernelError) -> String {
    switch error.errno {
    case .noSuchFileOrDirectory: return "no such file or directory"
    case .permissionDenied: return "permission denied"
    default: return error.description
    }
  }
}
