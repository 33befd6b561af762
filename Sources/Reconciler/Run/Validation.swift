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
      let (errors, warnings) = hostFindings(instance, observed: observed)
      let located = { (text: String) in Problem(instance: instance.name, file: instance.file, message: text) }
      outcome.problems += errors.map(located)
      outcome.warnings += warnings.map(located)
      if errors.isEmpty { outcome.accepted.append(instance.name) } else { outcome.refused.append(instance.name) }
    }
    outcome.refused.sort()
    return outcome
  }

  private static func hostFindings(
    _ instance: InstanceManifest, observed: ObservedState
  ) -> (errors: [String], warnings: [String]) {
    var errors: [String] = []
    var warnings: [String] = []
    func check(_ path: String, _ role: String) {
      guard let why = observed.pathEscapes[path] else { return }
      if observed.absentPaths.contains(path) {
        warnings.append("not checked on this host: \(role) \(path) \(why)")
      } else {
        errors.append("\(role) \(path) \(why)")
      }
    }
    func name(_ reference: IDReference, _ lookup: (IDReference) -> UInt32?, _ kind: String) {
      if lookup(reference) == nil { warnings.append("not checked on this host: unknown \(kind) '\(reference)'") }
    }
    for mount in instance.wantedMounts {
      switch mount.spec {
      case .overlay(let overlay):
        overlay.lowerdirs.forEach { check($0, "lowerdir") }
        if let upper = overlay.upperdir, let names = observed.taintedUpperdirs[upper] {
          errors.append("upperdir \(upper) carries \(names.joined(separator: ", "))")
        }
      case .bind(let bind):
        check(bind.source, "source")
        if let idmap = bind.idmap {
          name(idmap.users.onDisk, observed.identities.uid, "user")
          name(idmap.users.seenThroughMount, observed.identities.uid, "user")
          name(idmap.groups.onDisk, observed.identities.gid, "group")
          name(idmap.groups.seenThroughMount, observed.identities.gid, "group")
        }
      }
    }
    return (errors, warnings)
  }
}
