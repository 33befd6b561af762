import StateModel
import Testing

/// `ExactPath` compares and hashes the bytes, where `String` takes canonically
/// equivalent text as one.
@Suite struct ExactPathTests {
  private static let composed = "/srv/caf\u{e9}"  // é as one scalar
  private static let decomposed = "/srv/cafe\u{301}"  // e and a combining accent

  @Test func canonicallyEquivalentPathsAreTwoKeys() {
    #expect(Self.composed == Self.decomposed, "String's own equality, the reason for ExactPath")
    #expect(ExactPath(Self.composed) != ExactPath(Self.decomposed))
    #expect(Set([ExactPath(Self.composed), ExactPath(Self.decomposed)]).count == 2)
  }

  @Test func theSameBytesAreOneKey() {
    let built = "/srv/" + "caf" + "\u{e9}"
    #expect(ExactPath(built) == ExactPath(Self.composed))
    #expect(Set([ExactPath(built), ExactPath(Self.composed)]).count == 1)
    #expect([ExactPath(Self.composed): 1][ExactPath(built)] == 1)
  }
}
