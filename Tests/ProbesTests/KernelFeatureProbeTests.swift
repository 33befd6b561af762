import SystemPackage
import Testing

@testable import Probes

@Suite struct KernelFeatureProbeTests {
  @Test func modernKernelHasEveryFeature() {
    let features = KernelFeatureProbe().probe()
    let (major, minor) = TestHost.kernelVersion
    if major > 6 || (major == 6 && minor >= 8) {
      // 6.8 brought the last two of them: statmount and overlay lowerdir+.
      #expect(features == .modern)
    } else {
      // Older kernels: later features imply earlier ones.
      if features.statmount { #expect(features.idmappedMounts) }
      if features.idmappedMounts { #expect(features.openat2) }
      if features.openat2 { #expect(features.newMountAPI) }
      if features.overlayLowerdirPlus { #expect(features.newMountAPI) }
    }
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

  @Test(arguments: [
    (Result<Void, Errno>.success(()), true),
    (.failure(.invalidArgument), false),
    (.failure(.operationNotSupportedByDevice), false),
    (.failure(.noFunction), false),
  ])
  func overlayLowerdirPlusOnlyWhenAccepted(outcome: Result<Void, Errno>, accepted: Bool) {
    #expect(KernelFeatureProbe.overlayAcceptsLowerdirPlus(outcome) == accepted)
  }
}
