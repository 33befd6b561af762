/// The outcome of decoding one instance manifest: the manifest if it is usable, and
/// otherwise everything the planner needs to leave the instance alone.
public struct InstanceDecoding: Hashable, Sendable {
  /// The instance name: the file name without `.yaml`.
  public var name: String
  /// The manifest file.
  public var file: String
  /// The manifest, or nil when it is refused (any issue refuses it whole).
  public var manifest: InstanceManifest?
  /// Every target the file declares that could be read, even when refused.
  public var targets: [DeclaredTarget]
  /// Every problem found, sorted by position in the file.
  public var issues: [ManifestIssue]
  /// False when the file was not YAML this project accepts at all (or could not be
  /// read), so nothing of it is known.
  public var isParseable: Bool
  /// False when some declared target could not be read (a mount without a readable
  /// `target`, `mounts` not a list, ...). Then `targets` may miss some, and the run
  /// must not remove orphans, just as for an unparseable file (invariant 1).
  public var targetsAreComplete: Bool

  /// Creates a decoding outcome.
  public init(
    name: String, file: String, manifest: InstanceManifest?, targets: [DeclaredTarget],
    issues: [ManifestIssue], isParseable: Bool, targetsAreComplete: Bool
  ) {
    self.name = name
    self.file = file
    self.manifest = manifest
    self.targets = targets
    self.issues = issues
    self.isParseable = isParseable
    self.targetsAreComplete = targetsAreComplete
  }

  /// The declared target paths, in file order.
  public var declaredTargets: [String] { targets.map(\.path) }

  /// True when the run must not remove orphan mounts because of this file.
  public var hidesOrphans: Bool { !isParseable || !targetsAreComplete }

  /// The instance as `DesiredState.refused` records it, or nil when accepted.
  public var refusal: RefusedInstance? {
    guard manifest == nil else { return nil }
    return RefusedInstance(name: name, file: file, declaredTargets: declaredTargets, issues: issues)
  }

  /// Refuses the instance for a problem found outside the file itself, such as
  /// another instance claiming the same target.
  mutating func refuse(adding issue: ManifestIssue) {
    manifest = nil
    issues = (issues + [issue]).sortedByPosition()
  }
}

extension [ManifestIssue] {
  /// The issues of one file by line, then column, keeping the order found for ties.
  func sortedByPosition() -> [ManifestIssue] {
    enumerated().sorted {
      ($0.element.location.line, $0.element.location.column, $0.offset)
        < ($1.element.location.line, $1.element.location.column, $1.offset)
    }.map(\.element)
  }
}
