import Testing

@testable import Probes

/// Option splitting, octal and overlay unescaping, and optional fields, on strings.
@Suite struct MountOptionSyntaxTests {
  private func split(_ text: String, unescape: Bool = true) -> [String] {
    var text = text
    return text.withUTF8 { MountOptionSyntax.split($0, unescape: unescape) }
  }

  @Test(arguments: [
    (#"a\040b"#, "a b"), (#"\011\012\134\054"#, "\t\n\\,"), (#"x\12"#, #"x\12"#),
    (#"\1345"#, #"\5"#), (#"\x"#, #"\x"#), (#"\400"#, #"\400"#), (#"end\"#, #"end\"#),
    (#"\303\251"#, "é"), ("plain", "plain"),
  ])
  func octalUnescapeDecodesOnlyBackslashAndThreeOctalDigits(input: String, expected: String) {
    #expect(MountOptionSyntax.octalUnescaped(input) == expected)
  }

  @Test func splitsOnCommasOutsideQuotesThenUnescapes() {
    #expect(split(#"rw,lowerdir+=/x/low\0542,a"#) == ["rw", "lowerdir+=/x/low,2", "a"])
    #expect(split(#"rw,context="u:r:t:s0:c1,c2",x"#) == ["rw", #"context="u:r:t:s0:c1,c2""#, "x"])
    #expect(split(",,rw,,") == ["rw"])
    #expect(split("") == [])
    #expect(split(#"a\054b"#, unescape: false) == [#"a\054b"#])
  }

  @Test func legacyLowerdirSplitsOnUnescapedColonsAndDoubleColonStartsDataLayers() {
    let split = OverlayLayers.splitLegacyLowerdir(#"/a\:b:/c\\d::/e::/f"#)
    #expect(split.lower == ["/a:b", #"/c\d"#])
    #expect(split.data == ["/e", "/f"])
    #expect(OverlayLayers.splitLegacyLowerdir("/only").lower == ["/only"])
  }

  @Test func overlayDecodingReadsEveryForm() {
    let legacy = OverlayLayers(superOptions: [
      "rw", #"lowerdir=/l 1:/l\,2"#, #"upperdir=/u\,p"#, "workdir=/w:k", "uuid=on",
    ])
    #expect(
      legacy == OverlayLayers(lowerdirs: ["/l 1", "/l,2"], upperdir: "/u,p", workdir: "/w:k"))
    let plus = OverlayLayers(superOptions: [
      #"lowerdir+=/a\b"#, "lowerdir+=/c:d", "datadir+=/e", "datadir+=/f",
    ])
    #expect(
      plus
        == OverlayLayers(
          lowerdirs: [#"/a\b"#, "/c:d"], dataLowerdirs: ["/e", "/f"], upperdir: nil, workdir: nil))
  }

  @Test func propagationReadsKnownTagsAndIgnoresOthers() {
    #expect(Propagation(optionalFields: "") == Propagation())
    #expect(Propagation(optionalFields: "shared:3") == Propagation(sharedGroup: 3))
    #expect(
      Propagation(optionalFields: "master:1 shared:44")
        == Propagation(sharedGroup: 44, masterGroup: 1))
    #expect(
      Propagation(optionalFields: "shared:2 master:1 propagate_from:1 unbindable extra:tag")
        == Propagation(sharedGroup: 2, masterGroup: 1, unbindable: true))
    #expect(Propagation(optionalFields: "shared:x master:") == Propagation())
    #expect(Propagation(optionalFields: "shared:5\tshared:6").sharedGroup == 5)
  }
}
