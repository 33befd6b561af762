/// Steps encode flat, as DESIGN 3.4 shows them: `action`, `target`, `reason`,
/// `instance`, then the fields of the action.
extension Step: Codable {
  private enum CodingKeys: String, CodingKey {
    case action, target, reason, instance
    case mountID = "mount_id", parentID = "parent_id", fsType = "fstype", whenBusy = "when_busy"
    case root, mount, migration
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(action, forKey: .action)
    try container.encode(target, forKey: .target)
    try container.encode(reason, forKey: .reason)
    try container.encode(instance, forKey: .instance)
    switch self {
    case .createDirectory(let step), .removeDirectory(let step):
      try container.encode(step.root, forKey: .root)
    case .unmount(let step):
      try container.encode(step.mountID, forKey: .mountID)
      try container.encode(step.parentID, forKey: .parentID)
      try container.encode(step.fsType, forKey: .fsType)
      try container.encode(step.root, forKey: .root)
      try container.encode(step.whenBusy, forKey: .whenBusy)
    case .mount(let step):
      try container.encode(step.root, forKey: .root)
      try container.encode(step.mount, forKey: .mount)
    case .setOwner(let step):
      try container.encode(step, forKey: .migration)
    case .record(let step):
      try container.encode(step, forKey: .migration)
    }
  }

  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let action = try container.decode(String.self, forKey: .action)
    let target = try container.decode(String.self, forKey: .target)
    let reason = try container.decode(StepReason.self, forKey: .reason)
    let instance = try container.decodeIfPresent(String.self, forKey: .instance)
    switch action {
    case "mkdir":
      self = .createDirectory(
        DirectoryStep(
          path: target, root: try container.decode(String.self, forKey: .root), instance: instance,
          reason: reason))
    case "rmdir":
      self = .removeDirectory(
        DirectoryStep(
          path: target, root: try container.decode(String.self, forKey: .root), instance: instance,
          reason: reason))
    case "unmount":
      self = .unmount(
        UnmountStep(
          target: target, mountID: try container.decode(Int.self, forKey: .mountID),
          parentID: try container.decode(Int.self, forKey: .parentID),
          fsType: try container.decode(String.self, forKey: .fsType),
          root: try container.decode(String.self, forKey: .root), instance: instance,
          reason: reason,
          whenBusy: try container.decodeIfPresent(BusyPolicy.self, forKey: .whenBusy) ?? .fail))
    case "mount":
      self = .mount(
        MountStep(
          target: target, instance: instance ?? "", reason: reason,
          root: try container.decode(String.self, forKey: .root),
          mount: try container.decode(ResolvedMount.self, forKey: .mount)))
    case "chown":
      self = .setOwner(try container.decode(OwnershipStep.self, forKey: .migration))
    case "record":
      self = .record(try container.decode(RecordStep.self, forKey: .migration))
    default:
      throw DecodingError.dataCorruptedError(
        forKey: .action, in: container, debugDescription: "unknown action '\(action)'")
    }
  }
}

extension Step: CustomStringConvertible {
  /// One line for people: action, target, why, and the essentials of the mount.
  public var description: String {
    let who = instance.map { " [instance \($0)]" } ?? ""
    switch self {
    case .createDirectory(let step):
      return "mkdir    \(step.path) (\(step.reason.rawValue))\(who)"
    case .removeDirectory(let step):
      return "rmdir    \(step.path) (empty after \(step.reason.rawValue) unmount)\(who)"
    case .unmount(let step):
      return "unmount  \(step.target) (\(step.reason.rawValue); \(step.fsType), mount \(step.mountID))\(who)"
    case .mount(let step):
      return "mount    \(step.target) (\(step.reason.rawValue); \(step.mount))\(who)"
    case .setOwner(let step):
      let deferred = step.deferredBy.isEmpty ? "" : "; deferred: lease \(step.deferredBy.joined(separator: ", ")) held"
      return
        "chown    \(step.path) (migration \(step.id): \(step.fromUID):\(step.fromGID) -> \(step.toUID):\(step.toGID)\(deferred))"
    case .record(let step):
      return "record   \(step.file) (migration \(step.id), once its walk finished)"
    }
  }
}

extension ResolvedMount: CustomStringConvertible {
  public var description: String {
    switch self {
    case .overlay(let overlay):
      var text = "overlay of \(overlay.lowerdirs.count) layer"
      text += overlay.lowerdirs.count == 1 ? "" : "s"
      if let upper = overlay.upperdir { text += ", upper \(upper)" }
      if overlay.readOnly { text += ", read-only" }
      return text
    case .bind(let bind):
      var text = "bind of \(bind.source)"
      if bind.readOnly { text += ", read-only" }
      if let idmap = bind.idmap { text += ", idmap users \(idmap.users) groups \(idmap.groups)" }
      return text
    }
  }
}
