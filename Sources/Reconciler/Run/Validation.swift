import Probes
import StateModel

/// `reconcile validate`: everything loading and the read-only probes can find wrong
/// with the config and manifests, without changing anything.
///
/// Host checks split in two. A lowerdir that escapes its root, passes through a
/// symlink, or an upperdir carrying a refused xattr is an error: the manifest cannot be
/// used on this host. A path or root that does not exist here, or a name NSS does not
/// know, is a warning: the files may be meant for another host (the shipped
/// `manifests/` validate on any machine). A real run refuses both.
public enum Validation {
  /// What validation found.
  public struct Outcome: Hashable, Sendable {
    public var accepted: [String]
    public var refused: [String]
    public var problems: [Problem]
    public var warnings: [Problem]

    /// No problem (warnings allowed).
    public var ok: Bool { problems.isEmpty }
  }

  /// Loads the config and manifests and checks them against this host, read-only.
  public static func run(configFile: String) -> Outcome {
    let desired: DesiredState
    do {
      desired = try ManifestLoader(configFile: configFile).load()
    } catch {
      return Outcome(accepted: [], refused: [], problems: error.problems, warnings: [])
    }
    let observed = Observer().observe(desired: desired, mounts: MountTable(entries: []))
    var outcome = Outcome(
      accepted: [], refused: desired.refused.map(\.name), problems: desired.issues.map(Problem.init),
      warnings: [])
    for instance in desired.instances {
      let located = { (text: String) in Problem(instance: instance.name, file: instance.file, message: text) }
      // The run's own refusal rules, sorted: what may hold on another host is a warning.
      guard case .refused(let reasons) = Planner.resolve(instance, config: desired.config, observed: observed) else {
        outcome.accepted.append(instance.name)
        continue
      }
      let errors = reasons.filter { !$0.mayHoldElsewhere }
      outcome.problems += errors.map { located($0.description) }
      outcome.warnings += reasons.filter(\.mayHoldElsewhere).map { located("not checked on this host: \($0)") }
      if errors.isEmpty { outcome.accepted.append(instance.name) } else { outcome.refused.append(instance.name) }
    }
    outcome.refused.sort()
    return outcome
  }
}
