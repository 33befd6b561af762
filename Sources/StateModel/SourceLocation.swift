/// A place in a config or manifest file, 1-based, as editors count.
public struct SourceLocation: Hashable, Codable, Sendable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public var column: Int

  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  /// `file:line:column`, the form compilers use, so editors can jump to it.
  public var description: String { "\(file):\(line):\(column)" }
}
