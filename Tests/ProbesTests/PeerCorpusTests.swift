import Foundation
import Testing

@testable import Probes

/// The parser against every file of the peer corpus in `../shared/fixtures/mountinfo`
/// (util-linux, moby/sys, kubernetes and captured tables). The corpus lives outside the
/// package, so these tests are skipped when it is absent.
@Suite(
  .enabled(
    if: TestFixtures.sharedAvailable,
    "../shared/fixtures/mountinfo is absent; the package builds and tests without it"))
struct PeerCorpusTests {
  /// Entries each file must yield: every non-blank line, except the known-bad ones.
  static let expectedEntryCounts: [String: Int] = [
    "captured-linux-6.18_overlay-escapes.mountinfo": 3,
    "captured-linux-6.18_scenarios.mountinfo": 17,
    "kubernetes-mount-utils_parse.mountinfo": 41,
    "moby-sys_extra-cases.mountinfo": 5,
    "moby-sys_fedora.mountinfo": 58,
    "moby-sys_gentoo.mountinfo": 222,
    "moby-sys_ubuntu.mountinfo": 130,
    "moby-sys_with-spaces.mountinfo": 3,
    "util-linux_column_mountinfo": 41,
    "util-linux_findmnt_mountinfo-messy": 29,
    "util-linux_libmount_mountinfo": 33,
    "util-linux_libmount_mountinfo_btrfs": 8,
    "util-linux_libmount_mountinfo_nosrc": 7,
  ]

  @Test(arguments: TestFixtures.sharedFiles)
  func everyFileParsesToItsValidLinesWithIDsInFileOrder(file: String) throws {
    let text = try TestFixtures.sharedText(file)
    let result = MountInfoParser.parse(text, sourceName: file)
    let expected = try #require(
      Self.expectedEntryCounts[file], "new corpus file \(file): add its facts here")
    #expect(result.table.entries.count == expected)
    #expect(result.failureErrno == nil)
    let malformed = Set(result.malformedLines.map(\.number))
    let validLines = text.split(separator: "\n", omittingEmptySubsequences: false)
      .enumerated().filter { !$0.element.isEmpty && !malformed.contains($0.offset + 1) }
    #expect(
      result.table.entries.map(\.id) == validLines.map { Int($0.element.prefix { $0 != " " }) })
    #expect(result.table.entries.allSatisfy { !$0.target.isEmpty && !$0.fsType.isEmpty })
  }

  @Test func mobyExtraCasesAcceptExactlyTheLinesItsIndexCallsValid() throws {
    let index = try TestFixtures.sharedText("moby-sys_extra-cases.index.tsv")
    let rows = index.split(separator: "\n").map { $0.split(separator: "\t") }
    let invalid = rows.filter { $0[1] == "false" }.map { Int($0[0])! }
    #expect(invalid == [2, 3, 4, 5])
    let result = MountInfoParser.parse(
      try TestFixtures.sharedText("moby-sys_extra-cases.mountinfo"))
    #expect(result.malformedLines.map(\.number) == invalid)
    #expect(result.table.entries.count == rows.count - invalid.count)
    let entries = result.table.entries  // lines 1, 6, 7, 8, 9
    #expect(entries[1].superOptions == ["rw", "unc=buggy but we cope"])
    #expect(entries[2].propagation == Propagation(sharedGroup: 123))
    #expect(entries[3].propagation == Propagation(sharedGroup: 123))
    #expect(entries[4].source == "" && entries[4].target == "/tmp/bb")
  }

  @Test func withSpacesTargetsAreUnescaped() throws {
    let table = MountInfoParser.parse(try TestFixtures.sharedText("moby-sys_with-spaces.mountinfo"))
      .table
    let odd = "/tmp/newline\ntab\tspace backslash\\quote1'quote2\""
    #expect(table.entries.map(\.target) == ["/mnt/foo bar", "/DATA/foo_bla_bla", odd])
    #expect(table.entry(id: 486)?.target == "/mnt/foo bar")
    #expect(table.entry(id: 649)?.target == odd)
    #expect(table.entry(id: 649)?.root == odd)
  }

  @Test func kubernetesSELinuxContextStaysOneOption() throws {
    let table = MountInfoParser.parse(
      try TestFixtures.sharedText("kubernetes-mount-utils_parse.mountinfo")
    ).table
    let iscsi = try #require(table.entries.first { $0.target.contains("iscsi/iface-default") })
    #expect(
      iscsi.superOptions == [
        "rw", #"context="system_u:object_r:container_file_t:s0:c314,c894""#, "data=ordered",
      ])
  }

  @Test func capturedOverlayEscapesDecodeAsTheNotesSay() throws {
    let table = MountInfoParser.parse(
      try TestFixtures.sharedText("captured-linux-6.18_overlay-escapes.mountinfo")
    ).table
    let base = "/srv/capture/ov/"
    let legacy = try #require(table.top(at: base + "m1")?.overlay)
    #expect(legacy.lowerdirs == [base + "low 1", base + "low,2", base + "low:3"])
    #expect(legacy.upperdir == base + "up" && legacy.workdir == base + "wk")
    #expect(table.top(at: base + "m1")?.source == "ovl src")
    let plus = try #require(table.top(at: base + "m2"))
    #expect(plus.source == "my ovl,src")
    #expect(
      plus.overlay?.lowerdirs
        == [
          "low 1", "low,2", "low:3", "low\\4", "low\t5", "low\n6", "low=7",
        ].map { base + $0 })
    #expect(plus.overlay?.upperdir == base + "up2")
    #expect(table.top(at: base + "m3")?.overlay?.lowerdirs == [base + "low 1", base + "low:3"])
  }

  @Test func capturedScenariosKeepStacksPropagationAndOverlays() throws {
    let table = MountInfoParser.parse(
      try TestFixtures.sharedText("captured-linux-6.18_scenarios.mountinfo")
    ).table
    let sc = "/srv/capture/sc/"
    #expect(table.stack(at: sc + "stack").map(\.id) == [65, 66, 67])
    #expect(
      table.top(at: sc + "sharedslave")?.propagation == Propagation(sharedGroup: 2, masterGroup: 1))
    #expect(table.top(at: sc + "unb")?.propagation.unbindable == true)
    #expect(table.top(at: sc + "ro")?.isReadOnly == true)
    #expect(table.top(at: sc + "nsf")?.mountOptions.contains("nosymfollow") == true)
    #expect(table.top(at: sc + "idm")?.isIdmapped == true)
    #expect(table.top(at: sc + "weird\ttab") != nil)
    #expect(table.top(at: sc + "back\\slash") != nil)
    #expect(table.top(at: sc + "filetarget")?.root == "/data/file//deleted")
    #expect(table.top(at: sc + "dst bind")?.root == "/data/sub")
    #expect(
      table.top(at: sc + "ovl/merged")?.overlay?.lowerdirs == [sc + "ovl/low1", sc + "ovl/low,2"])
    #expect(
      table.top(at: sc + "ovl2/merged")?.overlay?.lowerdirs == [sc + "ovl/low1", sc + "ovl/low,2"])
    #expect(table.top(at: sc + "ovl2/merged")?.source == "my ovl,src")
  }

  @Test func fedoraCifsLineWithRawSpacesKeepsAllItsOptions() throws {
    let table = MountInfoParser.parse(try TestFixtures.sharedText("moby-sys_fedora.mountinfo"))
      .table
    let cifs = try #require(table.top(at: "/DATA/foo_bla_bla"))
    #expect(cifs.source == "//foo/BLA BLA BLA/")
    #expect(cifs.superOptions.contains(#"unc=\\foo\BLA BLA BLA"#))
    #expect(cifs.superOptions.last == "actimeo=1")
  }

  @Test func otherCorpusFacts() throws {
    let gentoo = MountInfoParser.parse(try TestFixtures.sharedText("moby-sys_gentoo.mountinfo"))
      .table
    #expect(gentoo.entries.last?.target == "/media/REMOVE ME")
    let nosrc = MountInfoParser.parse(
      try TestFixtures.sharedText("util-linux_libmount_mountinfo_nosrc")
    ).table
    #expect(nosrc.top(at: "/mnt/test")?.source == "")
    #expect(nosrc.top(at: "/mnt/test")?.propagation.sharedGroup == 212)
    let messy = MountInfoParser.parse(
      try TestFixtures.sharedText("util-linux_findmnt_mountinfo-messy")
    ).table
    #expect(messy.top(at: "/sys/fs/cgroup/cpu,cpuacct") != nil)
    #expect(messy.entry(id: 225)?.propagation == Propagation(sharedGroup: 57, masterGroup: 4))
  }
}
