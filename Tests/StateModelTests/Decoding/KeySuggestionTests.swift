import Testing

@testable import StateModel

private let mountKeys = ["type", "target", "lowerdirs", "upperdir", "workdir", "readonly"]
private let siteKeys = SiteConfig.allowedKeys

@Test(arguments: [
  ("lowerdir", mountKeys, "lowerdirs" as String?),
  ("uperdir", mountKeys, "upperdir"),
  ("read-only", mountKeys, "readonly"),
  ("lowerdir_roots", siteKeys, "lowerdir-roots"),
  ("lowerdirRoots", siteKeys, "lowerdir-roots"),
  ("refuse_upper_xattrs", siteKeys, "refuse-upper-xattrs"),
  ("mountpoint", mountKeys, nil),
  ("x", mountKeys, nil),
])
func suggestsTheLikelyKey(written: String, allowed: [String], suggestion: String?) {
  #expect(KeySuggestion.closest(to: written, among: allowed) == suggestion)
}

@Test func keyPathsReadAsOperatorsWriteThem() {
  let path = ManifestKeyPath.document.appending("mounts").appending(index: 1)
    .appending("lowerdirs").appending(index: 0)
  #expect(path.description == "mounts[1].lowerdirs[0]")
  #expect(ManifestKeyPath.document.description == "")
  #expect(ManifestKeyPath.document.appending(index: 3).description == "[3]")
}
