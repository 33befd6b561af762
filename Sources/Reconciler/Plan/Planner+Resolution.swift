import Probes
import StateModel

extension Planner {
  /// An instance either resolves whole, or is refused whole with every reason.
  enum InstanceResolution {
    case resolved([(DesiredMount, ResolvedMount)])
    case refused([Refusal])
  }

  /// Resolves names to ids and applies the observation-based refusals: tainted
  /// upperdirs (invariant 5), lowerdirs and sources escaping their root (invariant 4),
  /// names NSS does not know. `reconcile validate` reads the same reasons.
  static func resolve(
    _ instance: InstanceManifest, config: SiteConfig, observed: ObservedState
  ) -> InstanceResolution {
    var reasons: [Refusal] = []
    var resolved: [(DesiredMount, ResolvedMount)] = []
    func checkEscape(_ role: String, _ path: String) {
      if let why = observed.pathEscapes[path] {
        reasons.append(.pathEscapes(role: role, path: path, why: why, absent: observed.absentPaths.contains(path)))
      }
    }
    for desiredMount in instance.mounts {
      switch desiredMount.spec {
      case .overlay(let overlay):
        for lower in overlay.lowerdirs { checkEscape("lowerdir", lower) }
        if let upper = overlay.upperdir, let names = observed.taintedUpperdirs[upper] {
          reasons.append(.taintedUpperdir(path: upper, xattrs: names))
        }
        resolved.append(
          (
            desiredMount,
            .overlay(
              ResolvedOverlay(
                lowerdirs: overlay.lowerdirs,
                lowerdirRoots: overlay.lowerdirs.map {
                  PathProbe.allowedRoot(for: $0, among: config.lowerdirRoots) ?? config.root
                },
                upperdir: overlay.upperdir, workdir: overlay.workdir, readOnly: overlay.readOnly,
                method: OverlayMethod(features: observed.features)))
          ))
      case .bind(let bind):
        checkEscape("source", bind.source)
        var idmap: ResolvedIDMap?
        if let spec = bind.idmap {
          let users = resolveRange(spec.users, lookup: observed.identities.uid, kind: "user")
          let groups = resolveRange(spec.groups, lookup: observed.identities.gid, kind: "group")
          if case .success(let u) = users, case .success(let g) = groups {
            idmap = ResolvedIDMap(users: u, groups: g)
          }
          for case .failure(let unknown) in [users, groups] { reasons.append(unknown.refusal) }
        }
        let sourceRoot = config.lowerdirRoots.first { PathRules.isWithin(bind.source, $0) } ?? config.root
        resolved.append(
          (
            desiredMount,
            .bind(
              ResolvedBind(
                source: bind.source, sourceRoot: sourceRoot, readOnly: bind.readOnly, idmap: idmap))
          ))
      }
    }
    return reasons.isEmpty ? .resolved(resolved) : .refused(reasons)
  }

  /// Why an instance cannot be used on this host, as data: a run refuses the instance
  /// for any of them; `validate` warns about those that may hold on another host only.
  public enum Refusal: Hashable, Sendable, CustomStringConvertible {
    /// A lowerdir or bind source that escapes its root, passes a symlink, or is absent.
    case pathEscapes(role: String, path: String, why: String, absent: Bool)
    /// An upperdir carrying xattrs of a refused prefix (invariant 5).
    case taintedUpperdir(path: String, xattrs: [String])
    /// A user or group name NSS does not know.
    case unknownName(kind: String, name: String)

    public var description: String {
      switch self {
      case .pathEscapes(let role, let path, let why, _): return "\(role) \(path) \(why)"
      case .taintedUpperdir(let path, let names):
        return
          "upperdir \(path) carries \(names.joined(separator: ", ")), left from another overlay implementation; clean it before mounting"
      case .unknownName(let kind, let name): return "idmap: unknown \(kind) '\(name)'"
      }
    }

    /// True for what may be right on the host the manifests are meant for: a path or
    /// a name that does not exist here.
    public var mayHoldElsewhere: Bool {
      switch self {
      case .pathEscapes(_, _, _, let absent): return absent
      case .taintedUpperdir: return false
      case .unknownName: return true
      }
    }
  }

  struct UnresolvedName: Error {
    var kind: String
    var name: String
    var refusal: Refusal { .unknownName(kind: kind, name: name) }
  }

  private static func resolveRange(
    _ mapping: IDMapping, lookup: (IDReference) -> UInt32?, kind: String
  ) -> Result<IDRange, UnresolvedName> {
    guard let onDisk = lookup(mapping.onDisk) else {
      return .failure(UnresolvedName(kind: kind, name: "\(mapping.onDisk)"))
    }
    guard let seen = lookup(mapping.seenThroughMount) else {
      return .failure(UnresolvedName(kind: kind, name: "\(mapping.seenThroughMount)"))
    }
    return .success(IDRange(onDisk: onDisk, seenThroughMount: seen, count: mapping.count))
  }
}
