import SystemPackage
import Testing

@testable import Probes

@Suite struct KernelFeatureProbeTests {
  @Test func probedFeaturesFollowTheKernelVersion() {
    let features = KernelFeatureProbe().probe()
    let (major, minor) = TestHost.kernelVersion
    func since(_ wantedMajor: Int, _ wantedMinor: Int) -> Bool {
      major > wantedMajor || (major == wantedMajor && minor >= wantedMinor)
    }
    // Every kernel the kernel tests boot (6.1 and later) has the floor.
    #expect(features.missingRequirements == [])
    #expect(features.fchmodat2 == since(6, 6))
    #expect(features.overlayLowerdirPlus == since(6, 8))
    #expect(features.statmount == since(6, 8))
    #expect(features.overlayLayerFDs == since(6, 13))
    #expect(features.overlayLayerPathFDs == since(6, 15))
    #expect(features.statmountIDMaps == since(6, 15))
    if since(6, 15) { #expect(features == .modern) }
  }

  @Test func probingTwiceGivesTheSameAnswerAsTheRememberedOne() {
    #expect(KernelFeatureProbe().probe() == KernelFeatureProbe.probedOnce)
  }

  @Test(arguments: [
    (Result<Void, Errno>.success(()), true),
    (.failure(.noFunction), false),
    (.failure(.invalidArgument), true),
    (.failure(.badFileDescriptor), true),
    (.failure(.notPermitted), true),
  ])
  func callExistsUnlessTheKernelSaysENOSYS(outcome: Result<Void, Errno>, exists: Bool) {
    #expect(KernelFeatureProbe.callExists(outcome) == exists)
  }

  typealias Answers = KernelFeatureProbe.OverlayAnswers
  static let ok = Result<Void, Errno>.success(())
  static let no = Result<Void, Errno>.failure(.invalidArgument)

  /// overlayfs's answers on each kernel line, and what they must mean.
  @Test(arguments: [
    // 6.1: no fs_context parser; the legacy context takes any string key, no fd.
    (Answers(lowerdirPlus: ok, unknownKey: ok, layerFD: no, layerPathFD: no), false, false, false),
    // 6.5 to 6.7: overlayfs parses, and refuses lowerdir+ as unknown.
    (Answers(lowerdirPlus: no, unknownKey: no, layerFD: no, layerPathFD: no), false, false, false),
    // 6.8 to 6.12: lowerdir+ as strings only.
    (Answers(lowerdirPlus: ok, unknownKey: no, layerFD: no, layerPathFD: no), true, false, false),
    // 6.13 and 6.14: layer fds, but not O_PATH ones.
    (
      Answers(lowerdirPlus: ok, unknownKey: no, layerFD: ok, layerPathFD: .failure(.badFileDescriptor)), true, true,
      false
    ),
    // 6.15+: everything.
    (Answers(lowerdirPlus: ok, unknownKey: no, layerFD: ok, layerPathFD: ok), true, true, true),
    // No overlay module, or no new mount API.
    (
      Answers(
        lowerdirPlus: .failure(.operationNotSupportedByDevice), unknownKey: .failure(.operationNotSupportedByDevice),
        layerFD: .failure(.operationNotSupportedByDevice), layerPathFD: .failure(.operationNotSupportedByDevice)),
      false, false, false
    ),
    (
      Answers(
        lowerdirPlus: .failure(.noFunction), unknownKey: .failure(.noFunction),
        layerFD: .failure(.noFunction), layerPathFD: .failure(.noFunction)), false, false, false
    ),
  ])
  func overlayFeaturesNeedARealParser(answers: Answers, lowerdirPlus: Bool, layerFDs: Bool, pathFDs: Bool) {
    let features = KernelFeatureProbe.overlayFeatures(answers)
    #expect(features.lowerdirPlus == lowerdirPlus)
    #expect(features.layerFDs == layerFDs)
    #expect(features.layerPathFDs == pathFDs)
  }

  @Test(arguments: [
    (Result<UInt64, Errno>.success(0), false),  // before 6.15: no supported mask
    (.success(0x2000), false),
    (.success(0x7fff), true),
    (.failure(.noFunction), false),
  ])
  func idmapsOnlyWhenStatmountSaysItReportsBoth(supported: Result<UInt64, Errno>, reports: Bool) {
    #expect(KernelFeatureProbe.reportsIDMaps(supported) == reports)
  }

  @Test func floorNamesEveryMissingCallWithItsVersion() {
    var old = KernelFeatures.modern
    old.openat2 = false
    old.idmappedMounts = false
    #expect(old.missingRequirements.map(\.description) == ["openat2 (Linux 5.6)", "mount_setattr (Linux 5.12)"])
    #expect(KernelFeatures.modern.missingRequirements == [])
  }

  @Test func floorMessageNamesTheCallsAndTheVersionNeeded() {
    var old = KernelFeatures.modern
    old.openat2 = false
    old.idmappedMounts = false
    #expect(
      old.floorMessage(release: "5.4.0-216-generic")
        == "this kernel (Linux 5.4.0-216-generic) lacks openat2 (Linux 5.6), mount_setattr (Linux 5.12): "
        + "reconcile needs Linux 5.12 or later (supported: 6.1 and later)")
    old.idmappedMounts = true
    #expect(old.floorMessage(release: "5.4")?.contains("needs Linux 5.6 or later") == true)
    #expect(KernelFeatures.modern.floorMessage(release: "6.18") == nil)
  }
}
