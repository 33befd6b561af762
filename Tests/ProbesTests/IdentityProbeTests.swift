import Testing

@testable import Probes

@Suite struct IdentityProbeTests {
  @Test func rootResolvesToZero() throws {
    let user = try #require(try IdentityProbe().user(named: "root").get())
    #expect(user.uid == 0)
    #expect(user.primaryGroup == 0)
    #expect(try IdentityProbe().group(named: "root").get() == 0)
  }

  @Test func tableHoldsResolvedNamesAndLeavesOutUnknownOnes() {
    let unknown = "no-such-user-reconcile-test"
    let table = IdentityProbe().resolve(users: ["root", unknown], groups: ["root", unknown])
    #expect(table.users == ["root": 0])
    #expect(table.primaryGroups == ["root": 0])
    #expect(table.groups == ["root": 0])
    #expect(table.uid(.name(unknown)) == nil)
  }

  @Test func unknownNameIsNilNotAnError() throws {
    #expect(try IdentityProbe().user(named: "no-such-user-reconcile-test").get() == nil)
    #expect(try IdentityProbe().group(named: "no-such-group-reconcile-test").get() == nil)
  }

  @Test func anotherSystemUserResolvesToWhatTheDatabaseSays() throws {
    // nobody exists on every Debian system, with uid 65534.
    let nobody = try #require(try IdentityProbe().user(named: "nobody").get())
    #expect(nobody.uid == 65534)
  }
}
