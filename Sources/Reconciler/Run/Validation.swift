import Probes
import StateModel

/// `reconcile validate`: everything loading and the read-only probes can find wrong
/// with the config and manifests, without changing anything.
public enum Validation {
  /// What validation found.
  public struct Outcome: Hashable, Sendable {
    public var accepted: [String]
    public var refused: [String]
    public var problems: [Problem]

    /// No problem at all.
    public var ok: Bool { problems.isEmpty }
  }

  /// Loads the config and manifests, then checks lowerdirs and sources beneath their
  /// roots with `openat2` and upperdirs for refused xattrs, as a real run would.
  public static func run(configFile: String) -> Outcome {
    let desired: DesiredState
    do {
      desired = try ManifestLoader(configFile: configFile).load()
    } catch {
      return Outcome(accepted: [], refused: [], problems: error.problems)
    }
    let observed = Observer().observe(desired: desired, mounts: MountTable(entries: []))
    var problems = desired.issues.map(Problem.init)
    var accepted: [String] = []
    var refused = desired.refused.map(\.name)
    for instance in desired.instances {
      switch Planner.resolve(instance, config: desired.config, observed: observed) {
      case .resolved: accepted.append(instance.name)
      case .refused(let reasons):
        refused.append(instance.name)
        problems += reasons.map { Problem(instance: instance.name, file: instance.file, message: "refused: \($0)") }
      }
    }
    return Outcome(accepted: accepted, refused: refused.sorted(), problems: problems)
  }
}
