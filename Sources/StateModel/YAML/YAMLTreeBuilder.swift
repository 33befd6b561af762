/// Builds one `YAMLNode` tree from a stream of parser events, enforcing the project's
/// rules on top of YAML syntax: exactly one document, string keys without duplicates,
/// no unknown tags, and bounded alias expansion (`YAMLLimits`).
///
/// Works without recursion, so a deeply nested document cannot exhaust the stack
/// before the nesting limit refuses it.
struct YAMLTreeBuilder {
  /// A node an anchor names, with what expanding it costs.
  private struct Anchored {
    var node: YAMLNode
    var nodeCount: Int
    var aliasDepth: Int
  }

  /// A list or mapping whose end event has not arrived yet.
  private struct OpenCollection {
    var isMapping: Bool
    var location: SourceLocation
    var anchor: String?
    var items: [YAMLNode] = []
    var entries: [YAMLNode.MappingEntry] = []
    var pendingKey: (text: String, location: SourceLocation)?
    var keyLocations: [String: SourceLocation] = [:]
    var nodeCountAtStart: Int
    var aliasDepth = 0

    /// True when the next node is a mapping key rather than a value.
    var expectsKey: Bool { isMapping && pendingKey == nil }
  }

  private static let coreTagPrefix = "tag:yaml.org,2002:"
  private static let stringTags: Set<String> = ["!", "tag:yaml.org,2002:str"]
  private static let sequenceTag = "tag:yaml.org,2002:seq"
  private static let mappingTag = "tag:yaml.org,2002:map"

  let limits: YAMLLimits
  private var stack: [OpenCollection] = []
  private var anchors: [String: Anchored] = [:]
  private var openAnchors: Set<String> = []
  private var nodeCount = 0
  private var documentCount = 0
  /// The document's root node, once it is complete.
  private(set) var root: YAMLNode?

  init(limits: YAMLLimits) {
    self.limits = limits
  }

  /// Adds one event to the tree.
  /// - Throws: `YAMLParseError` at the event that breaks a rule.
  mutating func consume(_ event: YAMLEvent) throws(YAMLParseError) {
    switch event {
    case .streamStart, .documentEnd:
      break
    case .streamEnd(let location):
      if documentCount == 0 {
        throw YAMLParseError(location: location, message: "the file is empty")
      }
    case .documentStart(let location):
      documentCount += 1
      if documentCount > 1 {
        throw YAMLParseError(
          location: location,
          message: "a second YAML document starts here; a file holds exactly one")
      }
    case .alias(let anchor, let location):
      try addAlias(anchor, at: location)
    case .scalar(let text, let isPlain, let anchor, let tag, let location):
      try addScalar(text, isPlain: isPlain, anchor: anchor, tag: tag, at: location)
    case .sequenceStart(let anchor, let tag, let location):
      try open(isMapping: false, anchor: anchor, tag: tag, at: location)
    case .mappingStart(let anchor, let tag, let location):
      try open(isMapping: true, anchor: anchor, tag: tag, at: location)
    case .sequenceEnd, .mappingEnd:
      try close()
    }
  }

  private mutating func addScalar(
    _ text: String, isPlain: Bool, anchor: String?, tag: String?, at location: SourceLocation
  ) throws(YAMLParseError) {
    if let tag, !Self.stringTags.contains(tag) { throw unsupportedTag(tag, at: location) }
    try count(1, at: location)
    let scalar = YAMLScalar(text: text, isPlain: isPlain && tag == nil)
    let node = YAMLNode(content: .scalar(scalar), location: location)
    if let anchor { anchors[anchor] = Anchored(node: node, nodeCount: 1, aliasDepth: 0) }
    if stack.last?.expectsKey == true {
      try setKey(scalar, at: location)
    } else {
      attach(node, aliasDepth: 0)
    }
  }

  private mutating func setKey(_ key: YAMLScalar, at location: SourceLocation)
    throws(YAMLParseError)
  {
    if key.kind == .null {
      throw YAMLParseError(location: location, message: "a mapping key is empty")
    }
    if let first = stack[stack.count - 1].keyLocations[key.text] {
      throw YAMLParseError(
        location: location,
        message: "duplicate key '\(key.text)' (first given at line \(first.line), "
          + "column \(first.column))")
    }
    stack[stack.count - 1].keyLocations[key.text] = location
    stack[stack.count - 1].pendingKey = (key.text, location)
  }

  private mutating func addAlias(_ anchor: String, at location: SourceLocation)
    throws(YAMLParseError)
  {
    if stack.last?.expectsKey == true {
      throw YAMLParseError(
        location: location, message: "a mapping key must be written out, not an alias")
    }
    if openAnchors.contains(anchor) {
      throw YAMLParseError(
        location: location, message: "alias '*\(anchor)' refers to a node that contains it")
    }
    guard let anchored = anchors[anchor] else {
      throw YAMLParseError(
        location: location, message: "alias '*\(anchor)' has no anchor '&\(anchor)' before it")
    }
    let depth = anchored.aliasDepth + 1
    if depth > limits.maximumAliasDepth {
      throw YAMLParseError(
        location: location,
        message: "aliases are nested more than \(limits.maximumAliasDepth) deep; "
          + "refusing to expand them")
    }
    try count(anchored.nodeCount, at: location)
    var node = anchored.node
    node.location = location
    attach(node, aliasDepth: depth)
  }

  private mutating func open(
    isMapping: Bool, anchor: String?, tag: String?, at location: SourceLocation
  )
    throws(YAMLParseError)
  {
    if stack.last?.expectsKey == true {
      throw YAMLParseError(
        location: location, message: "a mapping key must be a string, not a list or mapping")
    }
    if let tag, tag != (isMapping ? Self.mappingTag : Self.sequenceTag) {
      throw unsupportedTag(tag, at: location)
    }
    if stack.count >= limits.maximumNesting {
      throw YAMLParseError(
        location: location,
        message: "lists and mappings are nested more than \(limits.maximumNesting) deep")
    }
    let start = nodeCount
    try count(1, at: location)
    if let anchor { openAnchors.insert(anchor) }
    stack.append(
      OpenCollection(
        isMapping: isMapping, location: location, anchor: anchor, nodeCountAtStart: start))
  }

  private mutating func close() throws(YAMLParseError) {
    guard let done = stack.popLast() else {
      // libyaml never ends a collection it did not start; this is a programming error.
      fatalError("YAML collection end without a start")
    }
    let content: YAMLNode.Content = done.isMapping ? .mapping(done.entries) : .sequence(done.items)
    let node = YAMLNode(content: content, location: done.location)
    if let anchor = done.anchor {
      openAnchors.remove(anchor)
      anchors[anchor] = Anchored(
        node: node, nodeCount: nodeCount - done.nodeCountAtStart, aliasDepth: done.aliasDepth)
    }
    attach(node, aliasDepth: done.aliasDepth)
  }

  /// Hands a finished node to its parent, or makes it the root.
  private mutating func attach(_ node: YAMLNode, aliasDepth: Int) {
    guard !stack.isEmpty else {
      root = node
      return
    }
    let top = stack.count - 1
    stack[top].aliasDepth = max(stack[top].aliasDepth, aliasDepth)
    if let key = stack[top].pendingKey {
      stack[top].entries.append(.init(key: key.text, keyLocation: key.location, value: node))
      stack[top].pendingKey = nil
    } else {
      stack[top].items.append(node)
    }
  }

  private mutating func count(_ added: Int, at location: SourceLocation) throws(YAMLParseError) {
    nodeCount += added
    if nodeCount > limits.maximumNodes {
      throw YAMLParseError(
        location: location,
        message: "the document grows beyond \(limits.maximumNodes) nodes here "
          + "(aliases included); refusing to expand it")
    }
  }

  private func unsupportedTag(_ tag: String, at location: SourceLocation) -> YAMLParseError {
    let shown =
      tag.hasPrefix(Self.coreTagPrefix) ? "!!" + tag.dropFirst(Self.coreTagPrefix.count) : tag
    return YAMLParseError(location: location, message: "unsupported YAML tag '\(shown)'")
  }
}
