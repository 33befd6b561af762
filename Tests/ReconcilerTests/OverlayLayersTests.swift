import Testing

@testable import Reconciler

/// The pure parts of handing overlay layers to the kernel.
@Suite struct OverlayLayersTests {
  @Test(arguments: [
    ("/r/runtime/2/upper", "/r/runtime/2/work", "/r/runtime/2"),
    ("/r/upper", "/r/work", "/r"),
    ("/r/a/upper", "/r/b/work", "/r"),
    ("/up", "/work", "/"),
    ("/r/x/upper", "/r/xy/work", "/r"),
  ])
  func upperAndWorkShareTheirDeepestCommonParent(upper: String, work: String, parent: String) {
    #expect(commonParent(upper, work) == parent)
  }

  @Test func legacyDataEscapesWhatOverlayfsSplitsOn() {
    let overlay = ResolvedOverlay(
      lowerdirs: ["/r/a,b", "/r/c:d", "/r/e\\f"], upperdir: "/r/u", workdir: "/r/w", readOnly: false)
    #expect(OverlayContext.legacyData(overlay) == #"lowerdir=/r/a\,b:/r/c\:d:/r/e\\f,upperdir=/r/u,workdir=/r/w"#)
  }
}
