import StateModel
import Testing

/// One row of an error table: a document and the single issue it must produce.
struct IssueCase: Sendable, CustomTestStringConvertible {
  var name: String
  var yaml: String
  var line: Int
  var column: Int
  var keyPath: String
  /// A piece of the message that must appear in it.
  var fragment: String

  var testDescription: String { name }

  init(
    _ name: String, _ yaml: String, line: Int, column: Int, keyPath: String, _ fragment: String
  ) {
    self.name = name
    self.yaml = yaml
    self.line = line
    self.column = column
    self.keyPath = keyPath
    self.fragment = fragment
  }

  /// Checks that `issues` is exactly this row's one issue, in `file`.
  func expectMatches(
    _ issues: [ManifestIssue], file: String,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    #expect(issues.count == 1, "\(issues)", sourceLocation: sourceLocation)
    guard let issue = issues.first else { return }
    #expect(issue.location.file == file, sourceLocation: sourceLocation)
    #expect(issue.location.line == line, "\(issue)", sourceLocation: sourceLocation)
    #expect(issue.location.column == column, "\(issue)", sourceLocation: sourceLocation)
    #expect(issue.keyPath == keyPath, "\(issue)", sourceLocation: sourceLocation)
    #expect(issue.message.contains(fragment), "\(issue)", sourceLocation: sourceLocation)
  }
}
