import Foundation
import Testing

@testable import Reconciler

@Suite struct StepCodableTests {
  @Test func stepsEncodeFlatWithDesignKeysAndRoundTrip() throws {
    let steps: [Step] = [
      .unmount(
        UnmountStep(
          target: "/a", mountID: 7, parentID: 3, fsType: "tmpfs", root: "/srv", instance: "2", reason: .stacked)),
      .createDirectory(DirectoryStep(path: "/b", root: "/", instance: nil, reason: .missing)),
      .mount(
        MountStep(
          target: "/c", instance: "2", reason: .missing, root: "/",
          mount: .bind(
            ResolvedBind(
              source: "/s", sourceRoot: "/", readOnly: true,
              idmap: ResolvedIDMap(
                users: IDRange(onDisk: 980, seenThroughMount: 981, count: 1),
                groups: IDRange(onDisk: 980, seenThroughMount: 981, count: 1)))))),
      .removeDirectory(DirectoryStep(path: "/d", root: "/", instance: nil, reason: .orphan)),
    ]
    let data = try JSONEncoder().encode(steps)
    let objects = try #require(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    #expect(objects.map { $0["action"] as? String } == ["unmount", "mkdir", "mount", "rmdir"])
    #expect(objects[0]["reason"] as? String == "stacked")
    #expect(objects[0]["instance"] as? String == "2")
    #expect(try JSONDecoder().decode([Step].self, from: data) == steps)
  }

  @Test func idRangeMapLineIsOnDiskThenSeen() {
    #expect(IDRange(onDisk: 980, seenThroughMount: 981, count: 1).mapLine == "980 981 1")
  }
}
