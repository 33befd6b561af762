import Probes
import StateModel

extension Planner.Scope {
  /// The part of the mount table that a plan of this scope reads, so that observing
  /// parses only that (every line is still checked to be well formed).
  ///
  /// - `.all`: every mount at or below a `managed` path (orphans), a declared target
  ///   of any instance, accepted or refused, or a lease pattern's fixed directory
  ///   (leases that hold migrations back).
  /// - `.instances`: those instances' declared targets only, and what lies below.
  /// - `.migrations`: the lease patterns' fixed directories.
  ///
  /// Every scope adds the mounts on `root`, the bind sources and their ancestors:
  /// where a bind source's lookup lands (`MountTable.mount(containing:)`), and any
  /// mount covering the tree.
  ///
  /// - Parameter desired: the loaded config and manifests.
  /// - Returns: the subtrees and points to parse.
  public func tableScope(for desired: DesiredState) -> MountTableScope {
    let config = desired.config
    let instances = desired.instances.filter { includes($0.name) }
    var subtrees: [String] = []
    switch self {
    case .all:
      subtrees =
        config.managed + desired.instances.flatMap(\.declaredTargets)
        + desired.refused.flatMap(\.declaredTargets) + config.leases.map(\.fixedDirectory)
    case .instances:
      subtrees = instances.flatMap(\.declaredTargets)
    case .migrations:
      subtrees = config.leases.map(\.fixedDirectory)
    }
    var points = [config.root]
    for case .bind(let bind) in instances.flatMap(\.mounts).map(\.spec) { points.append(bind.source) }
    return MountTableScope(subtrees: subtrees, points: points)
  }
}

extension LeaseRule {
  /// The directory of the pattern's components before the first wildcard: every path
  /// it matches lies below it.
  var fixedDirectory: String {
    var fixed: [Substring] = []
    for component in pattern.split(separator: "/", omittingEmptySubsequences: false).dropLast() {
      if Glob.hasWildcard(component) { break }
      fixed.append(component)
    }
    let directory = fixed.joined(separator: "/")
    return directory.isEmpty ? "/" : directory
  }
}
