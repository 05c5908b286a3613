import Foundation
import IngotInference
#if canImport(Glibc)
import Glibc
#endif

/// Re-executes the process with `OPENBLAS_CORETYPE` set when OpenBLAS chose generic kernels on a CPU that can run
/// its AVX2 / AVX-512 ones (see `BLASRuntime`); the kernel set is fixed when the library loads, so the variable must
/// be in the environment before the process starts. Commands that run a model call this before anything else.
public enum BLASKernel {
    /// Does nothing and returns nil when the choice is right or the user set the variable; otherwise execs the same
    /// command line and returns only if the exec failed, with the warning the caller prints (the job carries on
    /// with the kernels it has).
    public static func reexecIfGeneric() -> String? {
        guard let core = BLASRuntime.recommendedCoreType(environment: ProcessInfo.processInfo.environment) else { return nil }
        setenv("OPENBLAS_CORETYPE", core, 1)
        var cArgs: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
        cArgs.append(nil)
        execv("/proc/self/exe", &cArgs)
        return "ingot: warning: OpenBLAS runs generic \(BLASRuntime.coreName) kernels; set OPENBLAS_CORETYPE=\(core) for speed\n"
    }
}
