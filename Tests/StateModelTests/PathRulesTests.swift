import StateModel
import Testing

private let root = "/var/lib/left4me"

@Test(arguments: [
  ("relative joins base", "runtime/2/merged", root, "/var/lib/left4me/runtime/2/merged"),
  ("absolute ignores base", "/srv/x", root, "/srv/x"),
  ("dot components dropped", "./runtime/./2", root, "/var/lib/left4me/runtime/2"),
  ("repeated and trailing slashes dropped", "runtime//2/", root, "/var/lib/left4me/runtime/2"),
  ("dot alone is the base", ".", root, "/var/lib/left4me"),
])
func resolveMakesPathsAbsolute(name: String, text: String, base: String, expected: String) {
  #expect(PathRules.resolve(text, against: base) == .success(expected), "\(name)")
}

@Test(arguments: [
  ("empty", "", root as String?, PathRuleViolation.empty),
  ("NUL byte", "run\u{0}time", root, .containsNUL),
  ("relative without base", "runtime", nil, .notAbsolute("runtime")),
  ("leading dot-dot", "../etc", root, .parentComponent("../etc")),
  ("inner dot-dot", "overlays/9/../../etc", root, .parentComponent("overlays/9/../../etc")),
  (
    "absolute dot-dot", "/var/lib/left4me/../../etc", root,
    .parentComponent("/var/lib/left4me/../../etc")
  ),
  ("trailing dot-dot", "runtime/..", root, .parentComponent("runtime/..")),
])
func resolveRefusesEscapes(name: String, text: String, base: String?, violation: PathRuleViolation) {
  #expect(PathRules.resolve(text, against: base) == .failure(violation), "\(name)")
}

@Test(arguments: [
  ("normal", "/var/lib/left4me", nil as PathRuleViolation?),
  ("filesystem root", "/", nil),
  ("relative", "var/lib", .notAbsolute("var/lib")),
  ("trailing slash", "/var/lib/", .notNormal("/var/lib/", normal: "/var/lib")),
  ("dot component", "/var/./lib", .notNormal("/var/./lib", normal: "/var/lib")),
  ("double slash", "/var//lib", .notNormal("/var//lib", normal: "/var/lib")),
  ("dot-dot", "/var/../lib", .parentComponent("/var/../lib")),
])
func rootMustBeNormalAbsolute(name: String, text: String, violation: PathRuleViolation?) {
  #expect(PathRules.checkNormalAbsolute(text) == violation, "\(name)")
}

@Test(arguments: [
  ("/var/lib/left4me/runtime/2", "/var/lib/left4me/runtime", true, true),
  ("/var/lib/left4me/runtime", "/var/lib/left4me/runtime", true, false),
  ("/var/lib/left4me/runtime2", "/var/lib/left4me/runtime", false, false),
  ("/var/lib/left4me", "/var/lib/left4me/runtime", false, false),
  ("/etc", "/", true, true),
  ("/", "/", true, false),
  // Canonically equivalent, different bytes: two directories on disk.
  ("/srv/e\u{301}/x", "/srv/\u{e9}", false, false),
  ("/srv/\u{e9}", "/srv/e\u{301}", false, false),
])
func containmentComparesWholeComponents(
  path: String, ancestor: String, within: Bool, strictlyBeneath: Bool
) {
  #expect(PathRules.isWithin(path, ancestor) == within)
  #expect(PathRules.isStrictlyBeneath(path, ancestor) == strictlyBeneath)
}

@Test func relativePathIsTheBytesBelowTheAncestor() {
  #expect(PathRules.relative("/srv/l4m/runtime/2", below: "/srv/l4m") == "runtime/2")
  #expect(PathRules.relative("/srv/l4m", below: "/srv/l4m") == "")
  #expect(PathRules.relative("/etc/x", below: "/") == "etc/x")
  // One Character, two scalars: the ancestor's length is counted in bytes.
  #expect(PathRules.relative("/srv/e\u{301}/x", below: "/srv/e\u{301}") == "x")
}
