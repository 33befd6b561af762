/// Checks between instances: a mount point belongs to one instance, and no instance
/// mounts or keeps overlay state inside another's mount.
extension ManifestLoader {
  /// Refuses every instance that declares a target another instance also declares,
  /// reporting the clash in each of their files.
  static func refuseSharedTargets(_ decodings: inout [InstanceDecoding]) {
    var claims: [String: [(instance: Int, target: DeclaredTarget)]] = [:]
    for (index, decoding) in decodings.enumerated() {
      for target in decoding.targets { claims[target.path, default: []].append((index, target)) }
    }
    for path in claims.keys.sorted() {
      guard let claimants = claims[path], Set(claimants.map(\.instance)).count > 1 else { continue }
      for claim in claimants {
        for other in claimants where other.instance != claim.instance {
          let otherName = decodings[other.instance].name
          decodings[claim.instance].refuse(
            adding: ManifestIssue(
              location: claim.target.location, instance: decodings[claim.instance].name,
              keyPath: claim.target.keyPath,
              message: "target '\(path)' is also declared by instance '\(otherName)' "
                + "(\(other.target.location))"))
        }
      }
    }
  }

  /// Refuses every instance with a target, upperdir or workdir at or below another
  /// instance's target (invariant 12), naming both files. The outer instance stays
  /// accepted: a run for it alone would otherwise take the inner one's mount along
  /// when it remounts, and a run for the inner one would mount into a tree it does
  /// not own. Equal targets are `refuseSharedTargets`' case.
  static func refuseNestedTargets(_ decodings: inout [InstanceDecoding]) {
    let outerTargets = decodings.enumerated().flatMap { index, decoding in
      decoding.targets.map { (instance: index, target: $0) }
    }
    // By path, so that each inner path looks up its own ancestors instead of being
    // compared with every target (paths are resolved: a lexical walk up is exact).
    var outerByPath: [Substring: [Int]] = [:]
    for (position, outer) in outerTargets.enumerated() {
      outerByPath[Substring(outer.target.path), default: []].append(position)
    }
    let lengths = Set(outerTargets.map(\.target.path.utf8.count))
    for index in decodings.indices {
      for inner in ownedPaths(of: decodings[index]) {
        let positions = ancestors(of: inner.path.path, includingItself: inner.role != "target", lengths: lengths)
          .flatMap { outerByPath[$0] ?? [] }.sorted()
        for outer in positions.map({ outerTargets[$0] }) where outer.instance != index {
          let outerName = decodings[outer.instance].name
          decodings[index].refuse(
            adding: ManifestIssue(
              location: inner.path.location, instance: decodings[index].name,
              keyPath: inner.path.keyPath,
              message: "\(inner.role) '\(inner.path.path)' lies inside instance '\(outerName)'s "
                + "target '\(outer.target.path)' (\(outer.target.location)); one instance may not mount "
                + "into another's tree"))
        }
      }
    }
  }

  /// Every path that `path` (resolved, absolute) lies strictly below, and `path` too
  /// when asked: the paths `PathRules.isStrictlyBeneath` or `isWithin` accept. Only
  /// those of a length in `lengths` (the targets' lengths): most ancestors are never
  /// made or hashed.
  private static func ancestors(of path: String, includingItself: Bool, lengths: Set<Int>) -> [Substring] {
    let bytes = path.utf8
    guard bytes.first == UInt8(ascii: "/") else { return [] }
    var result: [Substring] = []
    if includingItself && lengths.contains(bytes.count) { result.append(Substring(path)) }
    if bytes.count > 1 && lengths.contains(1) { result.append("/") }
    var length = 0
    for byte in bytes {
      if byte == UInt8(ascii: "/") && length > 0 && length < bytes.count && lengths.contains(length) {
        result.append(Substring(path.utf8.prefix(length)))
      }
      length += 1
    }
    return result
  }

  /// The targets of a decoding, and the upperdirs and workdirs of its overlays when
  /// the manifest decoded (located at their mount).
  private static func ownedPaths(of decoding: InstanceDecoding)
    -> [(role: String, path: DeclaredTarget)]
  {
    var paths = decoding.targets.map { (role: "target", path: $0) }
    for (index, mount) in (decoding.manifest?.mounts ?? []).enumerated() {
      guard case .overlay(let overlay) = mount.spec else { continue }
      for (role, directory) in [("upperdir", overlay.upperdir), ("workdir", overlay.workdir)] {
        guard let directory else { continue }
        paths.append(
          (
            role,
            DeclaredTarget(
              path: directory, location: mount.location, keyPath: "mounts[\(index)].\(role)")
          ))
      }
    }
    return paths
  }
}
