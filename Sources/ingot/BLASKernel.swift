import Foundation
import IngotInference
#if canImport(Glibc)
import Glibc
#endif

/// Re-executes the command with `OPENBLAS_CORETYPE` set when OpenBLAS chose generic kernels on a CPU that can run
/// its AVX2 / AVX-512 ones (see `BLASRuntime`); the kernel set is fixed when the library loads, so the variable must
/// be in the environment before the process starts. Does nothing when the choice is right or the user set it.
enum BLASKernel {
    static func reexecIfGeneric() {
        guard let core = BLASRuntime.recommendedCoreType(environment: ProcessInfo.processInfo.environment) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        let args = CommandLine.arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        cArgs.append(nil)
        execv("/proc/self/exe", &cArgs)
        // exec failed: carry on with the kernels we have.
        Console.error("ingot: warning: OpenBLAS runs generic \(BLASRuntime.coreName) kernels; set OPENBLAS_CORETYPE=\(core) for speed\n")
    }
}
