import StateModel

/// What must change to bring the host from what was observed to what is desired.
///
/// A plan is inert data: apply acts on `steps` alone, and `--dry-run --format json`
/// prints this value.
public struct Plan: Hashable, Codable, Sendable {
  /// In order: every unmount (children and upper layers first), then directories
  /// (parents first), then mounts (parents first).
  public var steps: [Step]
  /// Instances refused and manifests rejected; each is an error of the run.
  public var problems: [Problem]
  /// True when orphan removal was suspended because a manifest could not be parsed.
  public var orphanRemovalSuspended: Bool
  /// Instances refused, at load time or on what was observed; their targets stay as
  /// they are.
  public var refusedInstances: [String]

  public init(
    steps: [Step], problems: [Problem], orphanRemovalSuspended: Bool, refusedInstances: [String] = []
  ) {
    self.steps = steps
    self.problems = problems
    self.orphanRemovalSuspended = orphanRemovalSuspended
    self.refusedInstances = refusedInstances
  }

  /// Nothing to do: the host matches the desired state (problems aside).
  public var isConverged: Bool { steps.isEmpty }
}

/// An error the run reports: a rejected manifest, a refused instance, a failed step.
public struct Problem: Hashable, Codable, Sendable, CustomStringConvertible {
  public var instance: String?
  public var file: String?
  public var line: Int?
  public var column: Int?
  public var message: String

  public init(
    instance: String? = nil, file: String? = nil, line: Int? = nil, column: Int? = nil,
    message: String
  ) {
    self.instance = instance
    self.file = file
    self.line = line
    self.column = column
    self.message = message
  }

  /// A load-time issue, located in its file.
  public init(_ issue: ManifestIssue) {
    let key = issue.keyPath.isEmpty ? "" : "\(issue.keyPath): "
    self.init(
      instance: issue.instance, file: issue.location.file, line: issue.location.line,
      column: issue.location.column, message: key + issue.message)
  }

  public var description: String {
    var place = ""
    if let file {
      place = file
      if let line, line > 0 { place += ":\(line)" }
      if let column, column > 0 { place += ":\(column)" }
      place += ": "
    }
    let who = instance.map { "instance \($0): " } ?? ""
    return place + who + message
  }
}
