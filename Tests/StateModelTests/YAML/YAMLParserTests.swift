import Testing

@testable import StateModel

private let file = "/etc/reconcile/test.yaml"

private func parse(_ yaml: String) throws(YAMLParseError) -> YAMLNode {
  try YAMLParser.parse(yaml, file: file)
}

private func location(_ line: Int, _ column: Int) -> StateModel.SourceLocation {
  StateModel.SourceLocation(file: file, line: line, column: column)
}

@Test func parserBuildsTreeWithOneBasedLocations() throws {
  let root = try parse(
    """
    root: /var/lib/left4me
    managed:
      - runtime
      - tmp
    flow: {a: [x, y]}
    """)
  guard case .mapping(let entries) = root.content else {
    Issue.record("expected a mapping, got \(root)")
    return
  }
  #expect(entries.map(\.key) == ["root", "managed", "flow"])
  #expect(entries.map(\.keyLocation) == [location(1, 1), location(2, 1), location(5, 1)])
  #expect(entries[0].value.location == location(1, 7))
  #expect(entries[0].value.scalar?.text == "/var/lib/left4me")
  guard case .sequence(let managed) = entries[1].value.content else {
    Issue.record("expected a list, got \(entries[1].value)")
    return
  }
  #expect(managed.map(\.location) == [location(3, 5), location(4, 5)])
  #expect(managed.compactMap(\.scalar?.text) == ["runtime", "tmp"])
  #expect(entries[2].value.location == location(5, 7))
}

@Test(arguments: [
  ("enabled", "true", YAMLScalar.Kind.boolean(true)),
  ("disabled", "false", .boolean(false)),
  ("capitalised True is text", "True", .string),
  ("yes is text", "yes", .string),
  ("quoted true is text", "\"true\"", .string),
  ("tilde", "~", .null),
  ("null", "null", .null),
  ("nothing", "", .null),
  ("quoted empty", "''", .string),
  ("number is text", "2", .string),
  ("tagged str", "!!str true", .string),
])
func scalarsResolveNarrowly(name: String, written: String, kind: YAMLScalar.Kind) throws {
  let root = try parse("key: \(written)")
  guard case .mapping(let entries) = root.content else {
    Issue.record("expected a mapping for \(name)")
    return
  }
  #expect(entries.first?.value.scalar?.kind == kind, "\(name)")
}

@Test func aliasesExpandToCopiesOfTheirAnchor() throws {
  let root = try parse(
    """
    common: &layers [overlays/4, installation]
    again: *layers
    """)
  guard case .mapping(let entries) = root.content, entries.count == 2,
    case .sequence(let first) = entries[0].value.content,
    case .sequence(let second) = entries[1].value.content
  else {
    Issue.record("unexpected tree \(root)")
    return
  }
  #expect(first.compactMap(\.scalar?.text) == second.compactMap(\.scalar?.text))
  // The copy is located where the alias is used.
  #expect(entries[1].value.location == location(2, 8))
}

/// One row per refusal: (name, yaml, line, column, message fragment).
private let refusals: [IssueCase] = [
  IssueCase("empty file", "", line: 1, column: 1, keyPath: "", "the file is empty"),
  IssueCase(
    "only comments", "# nothing here\n", line: 2, column: 1, keyPath: "", "the file is empty"),
  IssueCase(
    "unclosed flow list", "a: [b, c\nd: e\n", line: 2, column: 2, keyPath: "",
    "YAML syntax error: did not find expected ',' or ']'"),
  IssueCase(
    "bad indentation", "a:\n  b: c\n d: e\n", line: 3, column: 2, keyPath: "",
    "YAML syntax error: did not find expected key"),
  IssueCase(
    "tab indentation", "a:\n\tb: c\n", line: 2, column: 1, keyPath: "",
    "found character that cannot start any token"),
  IssueCase(
    "control character", "a: b\u{7}\n", line: 1, column: 5, keyPath: "",
    "control characters are not allowed"),
  IssueCase(
    "duplicate key", "root: /a\nmanaged: []\nroot: /b\n", line: 3, column: 1, keyPath: "",
    "duplicate key 'root' (first given at line 1, column 1)"),
  IssueCase(
    "duplicate nested key", "m:\n  - a: 1\n    a: 2\n", line: 3, column: 5, keyPath: "",
    "duplicate key 'a'"),
  IssueCase(
    "two documents", "a: 1\n---\nb: 2\n", line: 2, column: 1, keyPath: "",
    "a second YAML document starts here"),
  IssueCase(
    "list as key", "? [a, b]\n: c\n", line: 1, column: 3, keyPath: "",
    "a mapping key must be a string"),
  IssueCase(
    "null key", "? \n: c\n", line: 1, column: 2, keyPath: "", "a mapping key is empty"),
  IssueCase(
    "alias as key", "a: &k x\n*k : y\n", line: 2, column: 1, keyPath: "",
    "a mapping key must be written out, not an alias"),
  IssueCase(
    "unknown alias", "a: *nowhere\n", line: 1, column: 4, keyPath: "",
    "alias '*nowhere' has no anchor '&nowhere' before it"),
  IssueCase(
    "self-referencing alias", "a: &loop [x, *loop]\n", line: 1, column: 14, keyPath: "",
    "alias '*loop' refers to a node that contains it"),
  IssueCase(
    "unsupported scalar tag", "a: !!int 3\n", line: 1, column: 4, keyPath: "",
    "unsupported YAML tag '!!int'"),
  IssueCase(
    "custom tag", "a: !thing {}\n", line: 1, column: 4, keyPath: "",
    "unsupported YAML tag '!thing'"),
  IssueCase(
    "nesting too deep", String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
    line: 1, column: 65, keyPath: "", "nested more than 64 deep"),
  IssueCase(
    "aliases nested too deep",
    (0..<10).map { $0 == 0 ? "a0: &a0 x" : "a\($0): &a\($0) [*a\($0 - 1)]" }
      .joined(separator: "\n"),
    line: 10, column: 10, keyPath: "", "aliases are nested more than 8 deep"),
]

@Test(arguments: refusals)
func parserRefusesWithLocation(_ row: IssueCase) {
  do throws(YAMLParseError) {
    let root = try parse(row.yaml)
    Issue.record("expected a refusal, parsed \(root)")
  } catch {
    let decoder = ManifestDecoder(file: file, instance: nil)
    decoder.report(error)
    row.expectMatches(decoder.issues, file: file)
  }
}

@Test func billionLaughsIsRefusedQuicklyWithoutExpanding() {
  // Nine levels of nine aliases each would expand to 9^9 (387 million) scalars.
  var lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
  let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
  for (previous, name) in zip(names, names.dropFirst()) {
    let aliases = Array(repeating: "*\(previous)", count: 9).joined(separator: ", ")
    lines.append("\(name): &\(name) [\(aliases)]")
  }
  let yaml = lines.joined(separator: "\n")

  let clock = ContinuousClock()
  var refusal: YAMLParseError?
  let elapsed = clock.measure {
    do throws(YAMLParseError) { _ = try parse(yaml) } catch { refusal = error }
  }

  // a..d with their keys and the root make 8307 nodes; e's key and list bring 8309,
  // and its first '*d' (7381 more) crosses 10,000.
  #expect(refusal?.location == location(5, 8))
  #expect(refusal?.message.contains("beyond 10000 nodes") == true, "\(String(describing: refusal))")
  #expect(elapsed < .seconds(1))
}

@Test func nodeBudgetCountsLiteralNodesToo() {
  let limits = YAMLLimits(maximumNodes: 5, maximumAliasDepth: 8, maximumNesting: 64)
  #expect(throws: YAMLParseError.self) {
    try YAMLParser.parse("[a, b, c, d, e]", file: file, limits: limits)
  }
  #expect(throws: Never.self) {
    try YAMLParser.parse("[a, b, c, d]", file: file, limits: limits)
  }
}
