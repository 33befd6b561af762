/// The JSON Schemas (draft 2020-12) of the site config and of an instance manifest,
/// for editors (`# yaml-language-server: $schema=...`).
///
/// Their keys come from the decoder's own tables (`SiteConfig.allowedKeys`,
/// `DesiredMount.MountType.allowedKeys`, ...): each table here gives the schema of
/// every key the decoder allows, and `properties` refuses a table that names a key
/// more or less, so the schemas cannot drift from the decoder. They describe shape
/// only (keys, types, required keys, the forms of ids and maps); what depends on
/// other values (a path below `root`, a target below `managed`) only the decoder
/// checks. `reconcile schema site|instance` prints them; `schema/` holds them.
public enum ManifestSchema {
  static let draft = "https://json-schema.org/draft/2020-12/schema"

  /// The site config's schema (`/etc/reconcile/site.yaml`).
  public static var site: String {
    document(
      title: "reconcile site config",
      description: "The site config of reconcile (default /etc/reconcile/site.yaml).",
      body: object(
        keys: SiteConfig.allowedKeys, required: ["root", "instances"],
        properties: [
          "root": described(
            "Everything reconcile manages lies below this directory: absolute, in normal form.",
            .object([("type", .string("string")), ("pattern", .string("^/"))])),
          "instances": described(
            "Directory of <name>.yaml instance manifests, relative to this file.", reference("path")
          ),
          "state": described("Lock, status and records, relative to root.", reference("path")),
          "lowerdir-roots": described(
            "Lowerdirs and bind sources must resolve beneath one of these.", list(reference("path"))),
          "managed": described(
            "Targets lie below one of these; mounts below them nothing wants are removed.",
            list(reference("path"))),
          "refuse-upper-xattrs": described(
            "xattr name prefixes that make an upperdir refused.", list(reference("nonEmpty"))),
          "leases": list(
            object(
              keys: LeaseRule.allowedKeys, required: LeaseRule.allowedKeys,
              properties: [
                "mounts": described("Glob of mount points, below root.", reference("path")),
                "lock": described(
                  "Lock file template containing {mount}, absolute.",
                  .object([
                    ("type", .string("string")),
                    ("pattern", .string("^(/.*\\{mount\\}|\\{mount\\})")),
                  ])),
              ])),
          "migrations": list(
            object(
              keys: MigrationSpec.allowedKeys, required: MigrationSpec.allowedKeys,
              properties: [
                "id": described(
                  "Names the migration's record; letters, digits, '-', '_', '.'.",
                  .object([
                    ("type", .string("string")), ("pattern", .string("^[A-Za-z0-9_-][A-Za-z0-9._-]*$")),
                  ])),
                "chown": object(
                  keys: MigrationSpec.chownKeys, required: MigrationSpec.chownKeys,
                  properties: [
                    "path": described("The tree to walk, relative to root.", reference("path")),
                    "from": reference("owner"), "to": reference("owner"),
                  ]),
              ])),
        ]),
      definitions: [
        ("text", text), ("path", text), ("nonEmpty", nonEmpty),
        (
          "owner",
          described(
            "'user' or 'user:group', names or numbers.",
            .object([("type", .string("string")), ("pattern", .string("^[^:]+(:[^:]+)?$"))]))
        ),
      ])
  }

  /// An instance manifest's schema (`instances.d/<name>.yaml`).
  public static var instance: String {
    let types = DesiredMount.MountType.allCases
    let mountProperties: [String: SchemaValue] = [
      "target": described("Below a managed directory; relative to root.", reference("path")),
      "lowerdirs": described(
        "1 to \(OverlaySpec.maximumLowerdirs) layers, top first; at least 2 without upperdir.",
        .object([
          ("type", .string("array")), ("items", reference("path")), ("minItems", .integer(1)),
          ("maxItems", .integer(OverlaySpec.maximumLowerdirs)),
        ])),
      "upperdir": described("With workdir, or neither (read-only).", reference("path")),
      "workdir": described("With upperdir, or neither (read-only).", reference("path")),
      "source": described("Beneath a lowerdir root.", reference("path")),
      "readonly": .object([("type", .string("boolean"))]),
      "idmap": object(
        keys: IDMapSpec.allowedKeys, required: IDMapSpec.allowedKeys,
        properties: ["users": reference("idRange"), "groups": reference("idRange")]),
    ]
    var definitions: [(key: String, value: SchemaValue)] = [("text", text), ("path", text)]
    definitions.append(
      (
        "idRange",
        described(
          "disk:seen:count, the on-disk id first (util-linux X-mount.idmap order).",
          .object([
            ("type", .string("string")), ("pattern", .string("^[^:]+:[^:]+:0*[1-9][0-9]*$")),
          ]))
      ))
    precondition(
      Set(mountProperties.keys + ["type"]) == Set(types.flatMap(\.allowedKeys)),
      "the schema's mount keys are not the decoder's")
    for type in types {
      var properties = mountProperties.filter { type.allowedKeys.contains($0.key) }
      properties["type"] = .object([("const", .string(type.rawValue))])
      let required = type == .overlay ? ["type", "target", "lowerdirs"] : ["type", "source", "target"]
      var mount = members(object(keys: type.allowedKeys, required: required, properties: properties))
      if type == .overlay {
        mount.append(
          (
            "dependentRequired",
            .object([("upperdir", .array([.string("workdir")])), ("workdir", .array([.string("upperdir")]))])
          )
        )
        // overlayfs refuses a read-only overlay of one layer.
        mount.append(("if", .object([("not", .object([("required", .array([.string("upperdir")]))]))])))
        mount.append(
          ("then", .object([("properties", .object([("lowerdirs", .object([("minItems", .integer(2))]))]))])))
      }
      definitions.append((type.rawValue, .object(mount)))
    }
    return document(
      title: "reconcile instance manifest",
      description: "One instance's mounts (instances.d/<name>.yaml; the file name is the instance name).",
      body: object(
        keys: InstanceManifest.allowedKeys, required: [],
        properties: [
          "instance": described("Optional; must equal the file name.", reference("text")),
          "enabled": described(
            "false: the instance wants no mounts; its targets are unmounted.",
            .object([("type", .string("boolean"))])),
          "mounts": list(
            .object([
              ("type", .string("object")),
              ("required", .array([.string("type")])),
              ("properties", .object([("type", .object([("enum", .array(types.map { .string($0.rawValue) }))]))])),
              ("oneOf", .array(types.map { reference($0.rawValue) })),
            ])),
        ]),
      definitions: definitions)
  }

  /// A string; a plain number counts as one, as the decoder reads it.
  private static let text = SchemaValue.object([("type", .array([.string("string"), .string("number")]))])
  private static let nonEmpty = SchemaValue.object([("type", .string("string")), ("minLength", .integer(1))])

  private static func document(
    title: String, description: String, body: SchemaValue,
    definitions: [(key: String, value: SchemaValue)]
  ) -> String {
    var top: [(key: String, value: SchemaValue)] = [
      ("$schema", .string(draft)), ("title", .string(title)), ("description", .string(description)),
    ]
    top += members(body)
    top.append(("$defs", .object(definitions)))
    return SchemaValue.object(top).rendered() + "\n"
  }

  /// A closed mapping: exactly `keys`, each with its schema from `properties`.
  /// Stops the program when `properties` and the decoder's `keys` differ.
  private static func object(keys: [String], required: [String], properties: [String: SchemaValue])
    -> SchemaValue
  {
    precondition(
      Set(keys) == Set(properties.keys) && Set(required).isSubset(of: Set(keys)),
      "the schema's keys \(properties.keys.sorted()) are not the decoder's \(keys)")
    var out: [(key: String, value: SchemaValue)] = [("type", .string("object"))]
    if !required.isEmpty { out.append(("required", .array(required.map(SchemaValue.string)))) }
    out.append(("properties", .object(keys.map { ($0, properties[$0]!) })))
    out.append(("additionalProperties", .boolean(false)))
    return .object(out)
  }

  private static func members(_ value: SchemaValue) -> [(key: String, value: SchemaValue)] {
    guard case .object(let members) = value else { return [] }
    return members
  }

  private static func list(_ items: SchemaValue) -> SchemaValue {
    .object([("type", .string("array")), ("items", items)])
  }

  private static func reference(_ name: String) -> SchemaValue {
    .object([("$ref", .string("#/$defs/\(name)"))])
  }

  private static func described(_ text: String, _ schema: SchemaValue) -> SchemaValue {
    .object([("description", .string(text))] + members(schema))
  }
}
