import Probes
import StateModel

extension Planner {
  /// An instance either resolves whole, or is refused whole with every reason.
  enum InstanceResolution {
    case resolved([(DesiredMount, ResolvedMount)])
    case refused([String])
  }

  /// Resolves names to ids and applies the observation-based refusals: tainted
  /// upperdirs (invariant 5), lowerdirs and sources escaping their root (invariant 4),
  /// names NSS does not know.
  static func resolve(
    _ instance: InstanceManifest, config: SiteConfig, observed: ObservedState
  ) -> InstanceResolution {
    var reasons: [String] = []
    var resolved: [(DesiredMount, ResolvedMount)] = []
    for desiredMount in instance.mounts {
      switch desiredMount.spec {
      case .overlay(let overlay):
        for lower in overlay.lowerdirs {
          if let why = observed.pathEscapes[lower] { reasons.append("lowerdir \(lower) \(why)") }
        }
        if let upper = overlay.upperdir, let names = observed.taintedUpperdirs[upper] {
          reasons.append(
            "upperdir \(upper) carries \(names.joined(separator: ", ")), left from another overlay implementation; clean it before mounting")
        }
        resolved.append((desiredMount, .overlay(ResolvedOverlay(
          lowerdirs: overlay.lowerdirs,
          lowerdirRoots: overlay.lowerdirs.map { PathProbe.allowedRoot(for: $0, among: config.lowerdirRoots) ?? config.root },
          upperdir: overlay.upperdir, workdir: overlay.workdir, readOnly: overlay.readOnly))))
      case .bind(let bind):
        if let why = observed.pathEscapes[bind.source] {
          reasons.append("source \(bind.source) \(why)")
        }
        var idmap: ResolvedIDMap?
        if let spec = bind.idmap {
          let users = resolveRange(spec.users, lookup: observed.identities.uid, kind: "user")
          let groups = resolveRange(spec.groups, lookup: observed.identities.gid, kind: "group")
          switch (users, groups) {
          case (.success(let u), .success(let g)): idmap = ResolvedIDMap(users: u, groups: g)
          case (.failure(let e), _), (_, .failure(let e)): reasons.append(e.message)
          }
        }
        let sourceRoot = config.lowerdirRoots.first { isSameOrBelow(bind.source, $0) } ?? config.root
        resolved.append((desiredMount, .bind(ResolvedBind(
          source: bind.source, sourceRoot: sourceRoot, readOnly: bind.readOnly, idmap: idmap))))
      }
    }
    return reasons.isEmpty ? .resolved(resolved) : .refused(reasons)
  }

  struct UnresolvedName: Error {
    var message: String
  }

  private static func resolveRange(
    _ mapping: IDMapping, lookup: (IDReference) -> UInt32?, kind: String
  ) -> Result<IDRange, UnresolvedName> {
    guard let onDisk = lookup(mapping.onDisk) else {
      return .failure(UnresolvedName(message: "idmap: unknown \(kind) '\(mapping.onDisk)'"))
    }
    guard let seen = lookup(mapping.seenThroughMount) else {
      return .failure(UnresolvedName(message: "idmap: unknown \(kind) '\(mapping.seenThroughMount)'"))
    }
    return .success(IDRange(onDisk: onDisk, seenThroughMount: seen, count: mapping.count))
  }
}

/// Whether `path` is `base` or lies below it, by whole components.
func isSameOrBelow(_ path: String, _ base: String) -> Bool {
  if path == base { return true }
  if base == "/" { return path.hasPrefix("/") }
  return path.hasPrefix(base) && path.utf8.dropFirst(base.utf8.count).first == UInt8(ascii: "/")
}
