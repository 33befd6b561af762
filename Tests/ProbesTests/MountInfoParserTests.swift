import Testing

@testable import Probes

/// The parser on this target's own fixtures (see `Fixtures/README.md`).
@Suite struct MountInfoParserTests {
  @Test func parsesCapturedStackWithAllFieldsDecoded() throws {
    let result = try TestFixtures.parse("stack-reordered")
    #expect(result.isComplete)
    #expect(result.table.entries.map(\.id) == [63, 64, 67, 68, 65, 66])
    let middle = try #require(result.table.entry(id: 66))
    #expect(middle.parentID == 65)
    #expect(middle.major == 0 && middle.minor == 40)
    #expect(middle.root == "/data")
    #expect(middle.target == "/mnt/fx/stack")
    #expect(middle.fsType == "tmpfs")
    #expect(middle.source == "fx base")
    #expect(middle.mountOptions == ["rw", "relatime"])
    #expect(middle.superOptions == ["rw", "size=16384k"])
    #expect(middle.propagation == Propagation())
    #expect(middle.overlay == nil)
    #expect(result.table.entry(id: 67)?.source == "top layer")
  }

  @Test func readsPropagationReadOnlyAndIdmappedOptions() throws {
    let table = try TestFixtures.parse("options-propagation").table
    let byTarget = Dictionary(
      table.entries.map { ($0.target, $0) }, uniquingKeysWith: { a, _ in a })
    #expect(byTarget["/mnt/fx/ro"]?.isReadOnly == true)
    #expect(byTarget["/mnt/fx/ro"]?.superOptions.first == "rw")
    #expect(byTarget["/mnt/fx"]?.isReadOnly == false)
    #expect(byTarget["/mnt/fx/idm"]?.isIdmapped == true)
    #expect(byTarget["/mnt/fx/ro"]?.isIdmapped == false)
    #expect(byTarget["/mnt/fx/shr"]?.propagation == Propagation(sharedGroup: 1))
    #expect(byTarget["/mnt/fx/slv"]?.propagation == Propagation(masterGroup: 1))
    #expect(byTarget["/mnt/fx/shsl"]?.propagation == Propagation(sharedGroup: 2, masterGroup: 1))
    #expect(byTarget["/mnt/fx/unb"]?.propagation == Propagation(unbindable: true))
    #expect(byTarget["/mnt/fx/unb"]?.propagation.isPrivate == true)
    let selinux = try #require(byTarget["/mnt/fx/selinux"])
    #expect(selinux.propagation == Propagation(sharedGroup: 421, masterGroup: 1))
    #expect(
      selinux.superOptions == [
        "rw", #"context="system_u:object_r:container_file_t:s0:c314,c894""#, "data=ordered",
      ])
  }

  @Test func decodesLegacyLowerdirWithEscapesAndDataOnlyLayers() throws {
    let table = try TestFixtures.parse("overlays").table
    let legacy = try #require(table.top(at: "/mnt/fx/ov/legacy"))
    #expect(legacy.source == "legacy ovl")
    #expect(
      legacy.overlay
        == OverlayLayers(
          lowerdirs: ["/mnt/fx/low 1", "/mnt/fx/low,2", "/mnt/fx/low:3"],
          dataLowerdirs: ["/mnt/fx/dat1", "/mnt/fx/dat 2"],
          upperdir: "/mnt/fx/up,per", workdir: "/mnt/fx/wk"))
    // superOptions are only octal-unescaped: overlay's own escapes are still there.
    #expect(legacy.superOptions.contains(#"upperdir=/mnt/fx/up\,per"#))
  }

  @Test func decodesLowerdirPlusAndDatadirPlusOnePerLayer() throws {
    let table = try TestFixtures.parse("overlays").table
    let plus = try #require(table.top(at: "/mnt/fx/ov/plus"))
    // The source escapes spaces but not commas; it must not be split.
    #expect(plus.source == "plus,ovl")
    #expect(
      plus.overlay
        == OverlayLayers(
          lowerdirs: ["/mnt/fx/low 1", "/mnt/fx/low,2", "/mnt/fx/low:3", #"/mnt/fx/low\4"#],
          dataLowerdirs: ["/mnt/fx/dat1", "/mnt/fx/dat 2"],
          upperdir: "/mnt/fx/up2", workdir: "/mnt/fx/wk2"))
    #expect(plus.superOptions.last == "uuid=on")
    #expect(table.top(at: "/mnt/fx")?.overlay == nil)
  }

  @Test func unescapesTargetsAndSplitsOptionsBeforeUnescaping() throws {
    let result = try TestFixtures.parse("escapes")
    #expect(result.isComplete)
    let targets = result.table.entries.map(\.target)
    #expect(
      targets == [
        "/mnt/fx", "/mnt/fx/esc/sp ace", "/mnt/fx/esc/ta\tb", "/mnt/fx/esc/new\nline",
        #"/mnt/fx/esc/back\slash"#, "/mnt/fx/esc/com,ma", "/mnt/fx/esc/all ,\t\\x",
        #"/mnt/fx/esc/not\12an\5escape\x"#,
      ])
    let odd = try #require(result.table.entry(id: 95))
    #expect(odd.superOptions == ["rw", "opt=a,b", #"big=\400"#, #"lone\"#])
    #expect(result.table.entries.allSatisfy { $0.source == "fx base" })
  }

  @Test func skipsAndReportsMalformedLinesEvenWhenTheFirstLineIsGarbage() throws {
    let result = try TestFixtures.parse("malformed")
    #expect(result.malformedLines.map(\.number) == [1, 6, 9, 10])
    #expect(result.malformedLines.first?.text == "not a mountinfo line")
    #expect(result.malformedLines.last?.text == "garbage in the middle")
    #expect(result.table.entries.map(\.id) == [20, 22, 24])
    #expect(result.table.entries.map(\.target) == ["/", "/mnt/crlf", "/mnt/last-without-newline"])
    // The CRLF line loses its \r; the unterminated last line is read whole.
    #expect(result.table.entry(id: 22)?.superOptions == ["rw"])
    #expect(result.table.entry(id: 24)?.propagation.sharedGroup == 5)
    #expect(result.failureErrno == nil)
    #expect(!result.isComplete)
  }

  @Test func emptyBlankAndCommentOnlyTextsGiveEmptyTables() {
    for text in ["", "\n\n", "# only a comment\n   \n"] {
      let result = MountInfoParser.parse(text)
      #expect(result.table.entries.isEmpty)
      #expect(result.isComplete, "text: \(text.debugDescription)")
    }
  }

  @Test func aLineWithANULByteIsRejectedAndLaterLinesStayPaired() {
    let text =
      "1 0 0:1 / / rw - tmpfs a rw\n2 1 0:2 / /x\u{0} rw - tmpfs b rw\n3 1 0:3 / /y rw - tmpfs c rw,x=1\n"
    let result = MountInfoParser.parse(text)
    #expect(result.malformedLines.map(\.number) == [2])
    #expect(result.table.entries.map(\.id) == [1, 3])
    #expect(result.table.entry(id: 3)?.superOptions == ["rw", "x=1"])
    #expect(result.table.entry(id: 3)?.source == "c")
  }

  @Test func emptySourceAndTabSeparatorsAreRead() {
    let text =
      "5 1 0:9 / /tmp/bb rw,relatime - tmpfs  rw,size=1k\n6\t1\t0:9\t/\t/tmp/cc\trw - tmpfs\tsrc\tro\n"
    let table = MountInfoParser.parse(text).table
    #expect(table.entry(id: 5)?.source == "")
    #expect(table.entry(id: 5)?.superOptions == ["rw", "size=1k"])
    #expect(table.entry(id: 6)?.target == "/tmp/cc")
    #expect(table.entry(id: 6)?.source == "src")
    #expect(table.entry(id: 6)?.superOptions == ["ro"])
  }

  @Test func keepsDevRootAsWrittenInsteadOfResolvingItOnThisHost() {
    // libmount 2.38 rewrites a `/dev/root` source from this host's /sys.
    let table = MountInfoParser.parse("27 1 254:0 / / rw - ext4 /dev/root rw\n").table
    #expect(table.entry(id: 27)?.source == "/dev/root")
    #expect(table.entry(id: 27)?.major == 254)
  }
}
