import LinuxKernel
import SystemPackage

/// Loads the site config and every instance manifest into a `DesiredState`: the
/// effectful edge around `SiteConfig.decode` and `InstanceManifest.decode`.
public struct ManifestLoader: Sendable {
  /// The site config file.
  public var configFile: String
  /// The uid that must own the config, the instances directory and every manifest.
  public var trustedOwner: UInt32

  /// Creates a loader.
  /// - Parameters:
  ///   - configFile: The site config; a relative path is taken against the current
  ///     directory.
  ///   - trustedOwner: The uid that must own every file read; root by default.
  public init(configFile: String, trustedOwner: UInt32 = 0) {
    self.configFile = configFile
    self.trustedOwner = trustedOwner
  }

  /// Reads the config, then every `<instances>/*.yaml` manifest in name order (files
  /// starting with `.` are skipped), and checks them against each other.
  ///
  /// A manifest that cannot be read or used refuses only its own instance; it is
  /// reported in the result. Two instances declaring one target are both refused; an
  /// instance with a path inside another instance's target is refused (invariant 12).
  /// - Returns: The accepted and refused instances with every issue.
  /// - Throws: `StateModelError` when the site config or the instances directory
  ///   cannot be used.
  public func load() throws(StateModelError) -> DesiredState {
    let reader = TrustedFileReader(trustedOwner: trustedOwner)
    let config = try loadConfig(reader: reader)
    let files = try manifestFiles(in: config.instancesDirectory, reader: reader)
    var decodings = files.map { decodeManifest($0, config: config, reader: reader) }
    Self.refuseSharedTargets(&decodings)
    Self.refuseNestedTargets(&decodings)
    return DesiredState(
      config: config, instances: decodings.compactMap(\.manifest),
      refused: decodings.compactMap(\.refusal), issues: decodings.flatMap(\.issues),
      hasUnparseableManifest: decodings.contains(where: \.hidesOrphans))
  }

  /// Reads the site config alone, checked as `load()` checks it: enough to know where
  /// the run lock and the instances are before reading every manifest.
  /// - Returns: The decoded config.
  /// - Throws: `StateModelError` when the site config cannot be used.
  public func loadConfig() throws(StateModelError) -> SiteConfig {
    try loadConfig(reader: TrustedFileReader(trustedOwner: trustedOwner))
  }

  private func loadConfig(reader: TrustedFileReader) throws(StateModelError) -> SiteConfig {
    let configPath = absolutePath(configFile)
    let text: String
    switch reader.readFile(at: configPath) {
    case .success(let read):
      text = read
    case .failure(.unreadable(let reason)):
      throw .unreadable(path: configPath, reason: reason)
    case .failure(.unsafe(let reason)):
      throw .configRejected(file: configPath, issues: [wholeFileIssue(configPath, nil, reason)])
    }
    let decoded = SiteConfig.decode(yaml: text, file: configPath)
    guard let config = decoded.config else {
      throw .configRejected(file: configPath, issues: decoded.issues)
    }
    return config
  }

  /// The manifests of `directory` as (instance name, path), sorted by name.
  private func manifestFiles(in directory: String, reader: TrustedFileReader)
    throws(StateModelError) -> [(name: String, path: String)]
  {
    let entries: [String]
    switch reader.listDirectory(at: directory) {
    case .success(let names): entries = names
    case .failure(.unreadable(let reason)): throw .unreadable(path: directory, reason: reason)
    case .failure(.unsafe(let reason)): throw .instancesDirectoryRejected(path: directory, reason: reason)
    }
    return entries.filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }.sorted().map {
      (name: String($0.dropLast(".yaml".count)), path: FilePath(directory).appending($0).string)
    }
  }

  private func decodeManifest(
    _ file: (name: String, path: String), config: SiteConfig, reader: TrustedFileReader
  ) -> InstanceDecoding {
    switch reader.readFile(at: file.path) {
    case .success(let text):
      return InstanceManifest.decode(yaml: text, file: file.path, name: file.name, config: config)
    case .failure(let refusal):
      return InstanceDecoding(
        name: file.name, file: file.path, manifest: nil, targets: [],
        issues: [wholeFileIssue(file.path, file.name, refusal.reason)], isParseable: false,
        targetsAreComplete: false)
    }
  }

  private func wholeFileIssue(_ file: String, _ instance: String?, _ reason: String)
    -> ManifestIssue
  {
    ManifestIssue(
      location: SourceLocation(file: file, line: 0, column: 0), instance: instance, keyPath: "",
      message: "\(FilePath(file).lastComponent?.string ?? file) \(reason)")
  }

  private func absolutePath(_ path: String) -> String {
    let filePath = FilePath(path)
    if filePath.isAbsolute { return filePath.string }
    let directory = (try? Files.currentDirectory()) ?? FilePath("/")
    return directory.pushing(filePath).string
  }
}
