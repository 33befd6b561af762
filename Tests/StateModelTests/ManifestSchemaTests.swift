import Foundation
import StateModel
import Testing

/// The committed schemas are what the decoder's key tables generate, and the decoder
/// and a real JSON Schema validator (Debian's python3-jsonschema) agree on every
/// fixture and on the shipped manifests: what one accepts the other accepts.
private let schemaDirectory = PackageFiles.root.appendingPathComponent("schema")
private let fixtures = PackageFiles.root.appendingPathComponent("Tests/StateModelTests/Fixtures/Schema")
private let validator = PackageFiles.root.appendingPathComponent("tests/schema/validate.py")

@Test(arguments: ["site", "instance"])
func committedSchemaIsTheGeneratedOne(kind: String) throws {
  let generated = kind == "site" ? ManifestSchema.site : ManifestSchema.instance
  let file = schemaDirectory.appendingPathComponent("\(kind).schema.json")
  let committed = try String(contentsOf: file, encoding: .utf8)
  #expect(
    committed == generated,
    "schema/\(kind).schema.json is stale: regenerate it with `reconcile schema \(kind) > \(file.path)`")
}

@Test func decoderAndSchemaAgreeOnSiteConfigs() throws {
  let files =
    try yamlFiles(in: fixtures.appendingPathComponent("site"))
    + [PackageFiles.manifests.appendingPathComponent("site.yaml")]
  let verdicts = try schemaVerdicts(schema: "site", files: files)
  for file in files {
    let decoded = SiteConfig.decode(yaml: try text(file), file: "/etc/reconcile/site.yaml")
    try expectAgreement(file, decoderAccepts: decoded.config != nil, issues: decoded.issues, verdicts)
  }
}

@Test func decoderAndSchemaAgreeOnInstanceManifests() throws {
  let fixtureSite = fixtures.appendingPathComponent("instance/site.yaml")
  let shippedSite = PackageFiles.manifests.appendingPathComponent("site.yaml")
  let fixtureFiles = try yamlFiles(in: fixtures.appendingPathComponent("instance")).filter {
    $0.lastPathComponent != "site.yaml"
  }
  let shippedFiles = try yamlFiles(in: PackageFiles.manifests.appendingPathComponent("instances.d"))
  let verdicts = try schemaVerdicts(schema: "instance", files: fixtureFiles + shippedFiles)
  for (files, siteFile) in [(fixtureFiles, fixtureSite), (shippedFiles, shippedSite)] {
    let site = try #require(SiteConfig.decode(yaml: try text(siteFile), file: "/srv/site.yaml").config)
    for file in files {
      let name = file.deletingPathExtension().lastPathComponent
      let decoded = InstanceManifest.decode(
        yaml: try text(file), file: file.path, name: name, config: site)
      try expectAgreement(file, decoderAccepts: decoded.manifest != nil, issues: decoded.issues, verdicts)
    }
  }
}

/// Each fixture says in its name what both must do: `accept-*` or `refuse-*`.
private func expectAgreement(
  _ file: URL, decoderAccepts: Bool, issues: [ManifestIssue], _ verdicts: [String: String]
) throws {
  let verdict = try #require(verdicts[file.path], "the validator said nothing about \(file.path)")
  let schemaAccepts = verdict.hasPrefix("accept")
  #expect(
    decoderAccepts == schemaAccepts,
    "\(file.lastPathComponent): decoder \(decoderAccepts ? "accepts" : "refuses: \(issues)"); schema: \(verdict)")
  let name = file.lastPathComponent
  if name.hasPrefix("accept-") || name.hasPrefix("refuse-") {
    #expect(decoderAccepts == name.hasPrefix("accept-"), "\(name): decoder \(issues)")
  }
}

/// Runs the validator once over `files`; its verdict for each, by path.
private func schemaVerdicts(schema: String, files: [URL]) throws -> [String: String] {
  let python = try #require(
    usablePython(), "Debian's /usr/bin/python3 with python3-jsonschema is missing (make deps installs it)")
  let process = Process()
  process.executableURL = URL(fileURLWithPath: python)
  process.arguments =
    [validator.path, schemaDirectory.appendingPathComponent("\(schema).schema.json").path]
    + files.map(\.path)
  let output = Pipe()
  process.standardOutput = output
  try process.run()
  let data = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  #expect(process.terminationStatus == 0, "validate.py exited \(process.terminationStatus)")
  var verdicts: [String: String] = [:]
  for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
    let words = line.split(separator: " ", maxSplits: 1)
    guard words.count == 2 else { continue }
    let path = words[1].split(separator: ":", maxSplits: 1)[0]
    verdicts[String(path)] = String(line)
  }
  return verdicts
}

private func usablePython() -> String? {
  let python = "/usr/bin/python3"
  guard FileManager.default.isExecutableFile(atPath: python) else { return nil }
  let probe = Process()
  probe.executableURL = URL(fileURLWithPath: python)
  probe.arguments = ["-c", "import jsonschema, yaml; jsonschema.Draft202012Validator"]
  probe.standardError = FileHandle.nullDevice
  guard (try? probe.run()) != nil else { return nil }
  probe.waitUntilExit()
  return probe.terminationStatus == 0 ? python : nil
}

private func yamlFiles(in directory: URL) throws -> [URL] {
  try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
    .filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
}

private func text(_ file: URL) throws -> String { try String(contentsOf: file, encoding: .utf8) }
