import DeFT
import Foundation

/// OpenBLAS reads OPENBLAS_CORETYPE only when it loads, before `main`; on CPUs with AVX-512 its
/// default pick (Haswell kernels) runs sgemm at about half the speed of its SkylakeX kernels. So
/// when the CPU has the AVX-512 subsets those kernels use and the user chose nothing, deft
/// re-executes itself once with the variable set. CPUs without AVX-512 never get it.
enum FastKernels {
    static let needed = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    static func cpuHasAVX512(_ cpuinfo: String) -> Bool {
        guard let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let set = Set(flags.split(separator: " ").map(String.init))
        return needed.allSatisfy(set.contains)
    }

    static func reexecIfUseful() {
        #if os(Linux) && arch(x86_64)
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil,
              let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8), cpuHasAVX512(info) else { return }
        // Exec the resolved path, not /proc/self/exe: the process keeps its name ("deft") for ps and pgrep.
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return }
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
        execv(exe, CommandLine.unsafeArgv)
        // execv returned: it failed; carry on with the kernels already loaded.
        unsetenv("OPENBLAS_CORETYPE")
        #endif
    }

    /// One BLAS thread per core unless the user set OPENBLAS_NUM_THREADS.
    static func setThreads() {
        if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil {
            BLAS.threads = ProcessInfo.processInfo.activeProcessorCount
        }
    }

    /// Keeps the engine's large matrices in the heap. glibc serves blocks over its mmap threshold
    /// (128 KiB at first) with fresh mappings and unmaps them on free, so every layer output of a
    /// forward pass page-faulted its way in again: 14 ms → 9.6 ms for the 576×1024 image forward
    /// once freed blocks are reused. Memory still goes back to the system above 512 MiB of slack.
    static func keepMatricesInTheHeap() {
        #if os(Linux)
        // <malloc.h> is not part of Swift's Glibc module; glibc's values: M_TRIM_THRESHOLD −1, M_MMAP_THRESHOLD −3.
        _ = glibcMallopt(-3, 256 << 20)
        _ = glibcMallopt(-1, 512 << 20)
        #endif
    }
}

#if os(Linux)
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
