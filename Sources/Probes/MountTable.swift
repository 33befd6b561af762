import StateModel

/// A snapshot of a mount table: every entry, keyed by mount id and grouped by mount
/// point so that stacked mounts are visible (N entries on one target means N layers).
/// Mount points are grouped and compared by their bytes (`ExactPath`).
public struct MountTable: Hashable, Sendable {
  /// Entries in the order the kernel listed them.
  public let entries: [MountEntry]
  private let indexByID: [Int: Int]
  private let indicesByTarget: [ExactPath: [Int]]
  private let childIndices: [Int: [Int]]

  public init(entries: [MountEntry]) {
    self.entries = entries
    var byID: [Int: Int] = Dictionary(minimumCapacity: entries.count)
    var byTarget: [ExactPath: [Int]] = Dictionary(minimumCapacity: entries.count)
    var children: [Int: [Int]] = [:]
    // By index, reading fields in place: copying each whole entry out was a measurable
    // share of building a 5,000-entry table.
    for index in entries.indices {
      // Ids are unique in a live table; a saved one may repeat them. Keep the first.
      if byID[entries[index].id] == nil { byID[entries[index].id] = index }
      byTarget[ExactPath(entries[index].target), default: []].append(index)
      children[entries[index].parentID, default: []].append(index)
    }
    self.indexByID = byID
    self.indicesByTarget = byTarget
    self.childIndices = children
  }

  /// The entry with this mount id, if present.
  public func entry(id: Int) -> MountEntry? {
    indexByID[id].map { entries[$0] }
  }

  /// Every mount on `target`, bottom first. A mount stacked on another has the
  /// covered one as its parent, so the order follows the parent chain, not the file.
  public func stack(at target: String) -> [MountEntry] {
    guard let indices = indicesByTarget[ExactPath(target)] else { return [] }
    let layers = indices.map { entries[$0] }
    if layers.count == 1 { return layers }
    let ids = Set(layers.map(\.id))
    var byParent: [Int: MountEntry] = [:]
    var bottom: MountEntry?
    for layer in layers {
      if ids.contains(layer.parentID) && layer.parentID != layer.id {
        byParent[layer.parentID] = layer
      } else if bottom == nil {
        bottom = layer
      }
    }
    guard var current = bottom else { return layers }
    var ordered = [current]
    while let next = byParent[current.id], ordered.count < layers.count {
      ordered.append(next)
      current = next
    }
    // A table that does not form one chain (a saved, odd one): keep file order for the rest.
    if ordered.count < layers.count {
      let seen = Set(ordered.map(\.id))
      ordered += layers.filter { !seen.contains($0.id) }
    }
    return ordered
  }

  /// The top mount on `target`, the one a path lookup sees.
  public func top(at target: String) -> MountEntry? { stack(at: target).last }

  /// The index in `entries` of the mount with this id.
  public func index(of id: Int) -> Int? { indexByID[id] }

  /// Indices in `entries` of the mounts whose parent is `id`, in table order: the
  /// cheap form of `children(of:)` for walks over large tables.
  public func childIndices(of id: Int) -> [Int] { childIndices[id] ?? [] }

  /// Mounts whose parent is `id`, in table order.
  public func children(of id: Int) -> [MountEntry] {
    (childIndices[id] ?? []).map { entries[$0] }
  }

  /// Every distinct mount point, in table order of first appearance.
  public var targets: [String] {
    var seen = Set<ExactPath>()
    return entries.compactMap { seen.insert(ExactPath($0.target)).inserted ? $0.target : nil }
  }

  /// Entries whose target is `path` or lies below it.
  public func entries(atOrBelow path: String) -> [MountEntry] {
    let prefix = path.hasSuffix("/") ? path : path + "/"
    return entries.filter { ExactPath.sameBytes($0.target, path) || ExactPath.startsWithBytes($0.target, prefix) }
  }

  /// The mount that a lookup of `path` lands on: the top of the deepest mount point
  /// that is `path` or one of its ancestors.
  public func mount(containing path: String) -> MountEntry? {
    var candidate = path
    while true {
      if let top = top(at: candidate) { return top }
      if candidate == "/" || candidate.isEmpty { return nil }
      if let slash = candidate.lastIndex(of: "/") {
        candidate = slash == candidate.startIndex ? "/" : String(candidate[..<slash])
      } else {
        return nil
      }
    }
  }
}
