import LinuxKernel

/// Reads a mountinfo text line by line, without storing the lines.
struct MountInfoLineReader {
  private let text: UnsafeBufferPointer<UInt8>
  private var position: Int
  private var number: Int

  /// A reader at the start of `text`, or at the line `line` (from an earlier reader).
  init(_ text: UnsafeBufferPointer<UInt8>, from line: MountInfoLine? = nil) {
    self.text = text
    self.position = line?.start ?? 0
    self.number = (line?.number ?? 1) - 1
  }

  /// The next line, or nil at the end of the text.
  mutating func next() -> MountInfoLine? {
    guard position < text.count else { return nil }
    let start = position
    number += 1
    let end =
      ByteScan.firstIndex(of: UInt8(ascii: "\n"), in: text, from: start, to: text.count) ?? text.count
    let nul = ByteScan.firstIndex(of: 0, in: text, from: start, to: end)
    position = end + 1
    var textEnd = end
    if textEnd > start, text[textEnd - 1] == UInt8(ascii: "\r") { textEnd -= 1 }
    // A NUL hides the newline from libmount's strchr: the line is an error, except on
    // the last, unterminated line, which libmount cuts at the NUL.
    var contentEnd = textEnd
    if let nul {
      contentEnd = nul
      if contentEnd > start, text[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
    }
    var contentStart = start
    while contentStart < contentEnd,
      text[contentStart] == UInt8(ascii: " ") || text[contentStart] == UInt8(ascii: "\t")
    {
      contentStart += 1
    }
    return MountInfoLine(
      number: number, start: start, end: end,
      text: UnsafeBufferPointer(rebasing: text[start..<textEnd]),
      content: UnsafeBufferPointer(rebasing: text[contentStart..<contentEnd]),
      hasEmbeddedNUL: nul != nil && end < text.count)
  }
}
