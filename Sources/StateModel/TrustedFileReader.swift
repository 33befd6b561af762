import Foundation

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

  /// Reads a whole config or manifest file as UTF-8 text.
  func readFile(at path: String) -> Result<String, Refusal> {
    let attributes: [FileAttributeKey: Any]
    do {
      attributes = try FileManager.default.attributesOfItem(atPath: path)
    } catch {
      return .failure(.unreadable(Self.reason(for: error)))
    }
    let type = attributes[.type] as? FileAttributeType
    guard type == .typeRegular else {
      return .failure(.unsafe("is not a regular file (\(Self.describe(type)))"))
    }
    if let refusal = checkOwnership(attributes) { return .failure(refusal) }
    let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
    if size > Self.maximumFileSize { return .failure(Self.oversize(size)) }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      return .failure(.unreadable("could not be opened for reading"))
    }
    defer { try? handle.close() }
    let data: Data
    do {
      // Read one byte past the limit, so a file that grew since it was checked is
      // still caught without reading all of it.
      data = try handle.read(upToCount: Self.maximumFileSize + 1) ?? Data()
    } catch {
      return .failure(.unreadable(Self.reason(for: error)))
    }
    if data.count > Self.maximumFileSize { return .failure(Self.oversize(data.count)) }
    guard let text = String(data: data, encoding: .utf8) else {
      return .failure(.unsafe("is not valid UTF-8 text"))
    }
    return .success(text)
  }

  /// Checks that `path` is a directory that only the trusted owner can write.
  func checkDirectory(at path: String) -> Refusal? {
    let attributes: [FileAttributeKey: Any]
    do {
      attributes = try FileManager.default.attributesOfItem(atPath: path)
    } catch {
      return .unreadable(Self.reason(for: error))
    }
    let type = attributes[.type] as? FileAttributeType
    guard type == .typeDirectory else {
      return .unsafe("is not a directory (\(Self.describe(type)))")
    }
    return checkOwnership(attributes)
  }

  private func checkOwnership(_ attributes: [FileAttributeKey: Any]) -> Refusal? {
    let owner = (attributes[.ownerAccountID] as? NSNumber)?.uint32Value
    guard owner == trustedOwner else {
      let shown = owner.map { "uid \($0)" } ?? "an unknown owner"
      return .unsafe("is owned by \(shown), not by uid \(trustedOwner)")
    }
    let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
    if mode & 0o022 != 0 {
      return .unsafe(
        "is writable by its group or others (mode \(String(mode, radix: 8))); "
          + "only its owner may write it")
    }
    return nil
  }

  private static func oversize(_ size: Int) -> Refusal {
    .unsafe("is \(size) bytes, more than the \(maximumFileSize) allowed")
  }

  private static func describe(_ type: FileAttributeType?) -> String {
    switch type {
    case .typeSymbolicLink?: return "a symbolic link"
    case .typeDirectory?: return "a directory"
    case .typeRegular?: return "a regular file"
    case .typeCharacterSpecial?, .typeBlockSpecial?: return "a device"
    case .typeSocket?: return "a socket"
    default: return "a special file"
    }
  }

  private static func reason(for error: Error) -> String {
    switch (error as? CocoaError)?.code {
    case .fileReadNoSuchFile?, .fileNoSuchFile?: return "no such file or directory"
    case .fileReadNoPermission?: return "permission denied"
    default: return error.localizedDescription
    }
  }
}
