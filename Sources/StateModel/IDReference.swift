/// A user or group as a manifest names it: a name resolved through NSS at observe
/// time, or a number used as is.
public enum IDReference: Hashable, Codable, Sendable, CustomStringConvertible {
  case name(String)
  case number(UInt32)

  /// Reads `"980"` as a number and anything else as a name.
  public init(parsing text: String) {
    if let number = UInt32(text), !text.isEmpty, text.allSatisfy(\.isASCII) {
      self = .number(number)
    } else {
      self = .name(text)
    }
  }

  public var description: String {
    switch self {
    case .name(let name): return name
    case .number(let number): return String(number)
    }
  }
}

/// One id range of an idmapped mount, in util-linux `X-mount.idmap` order: the id
/// on disk first, the id seen through the mount second.
public struct IDMapping: Hashable, Codable, Sendable, CustomStringConvertible {
  public var onDisk: IDReference
  public var seenThroughMount: IDReference
  public var count: UInt32

  public init(onDisk: IDReference, seenThroughMount: IDReference, count: UInt32) {
    self.onDisk = onDisk
    self.seenThroughMount = seenThroughMount
    self.count = count
  }

  public var description: String { "\(onDisk):\(seenThroughMount):\(count)" }
}

/// The user and group maps of an idmapped bind. Both are always given: a uid-only
/// map leaves every gid unmapped (util-linux#2175).
public struct IDMapSpec: Hashable, Codable, Sendable {
  public var users: IDMapping
  public var groups: IDMapping

  public init(users: IDMapping, groups: IDMapping) {
    self.users = users
    self.groups = groups
  }
}
