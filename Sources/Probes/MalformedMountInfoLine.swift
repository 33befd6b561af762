/// A mountinfo line that libmount could not read and the parser skipped.
public struct MalformedMountInfoLine: Hashable, Codable, Sendable, CustomStringConvertible {
  /// The 1-based line number, counting blank and comment lines.
  public var number: Int
  /// The line as it was, without its newline.
  public var text: String

  /// Creates a record of a skipped line.
  ///
  /// - Parameters:
  ///   - number: The 1-based line number.
  ///   - text: The line without its newline.
  public init(number: Int, text: String) {
    self.number = number
    self.text = text
  }

  /// `line N: text`.
  public var description: String { "line \(number): \(text)" }
}
