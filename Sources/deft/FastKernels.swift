import DeFT
import Foundation

/// OpenBLAS reads two variables only when it loads, before `main`, so deft re-executes itself once with
/// them set (a value the user set is respected):
/// - OPENBLAS_CORETYPE=SkylakeX on CPUs with the AVX-512 subsets those kernels use: OpenBLAS's default
///   pick there (Haswell kernels) runs sgemm at about half the speed. CPUs without AVX-512 never get it.
/// - OPENBLAS_THREAD_TIMEOUT=20: after each call OpenBLAS's idle threads spin on `sched_yield` for 2^28
///   cycles (~0.1 s) by default, competing for the cores with deft's own parallel passes between GEMMs
///   (attention heads, softmax, GELU, LayerNorm). 2^20 cycles (~0.4 ms) still spans the short gaps
///   between the engine's GEMMs: DINOv2 at 336 px went 242 → 196 ms and MiniLM at 256 positions
///   47 → 39 ms, with the engine's forward rows unchanged (one `deft bench` each, same machine).
enum FastKernels {
    static let needed = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
    static let threadTimeout = "20"

    static func cpuHasAVX512(_ cpuinfo: String) -> Bool {
        guard let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let set = Set(flags.split(separator: " ").map(String.init))
        return needed.allSatisfy(set.contains)
    }

    /// The variables to set before OpenBLAS loads, given the environment and /proc/cpuinfo.
    static func variables(environment env: [String: String], cpuinfo: String?) -> [(String, String)] {
        var out: [(String, String)] = []
        if env["OPENBLAS_CORETYPE"] == nil, let info = cpuinfo, cpuHasAVX512(info) { out.append(("OPENBLAS_CORETYPE", "SkylakeX")) }
        if env["OPENBLAS_THREAD_TIMEOUT"] == nil { out.append(("OPENBLAS_THREAD_TIMEOUT", threadTimeout)) }
        return out
    }

    static func reexecIfUseful() {
        #if os(Linux)
        let cpuinfo: String?
        #if arch(x86_64)
        cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        #else
        cpuinfo = nil
        #endif
        let set = variables(environment: ProcessInfo.processInfo.environment, cpuinfo: cpuinfo)
        // Exec the resolved path, not /proc/self/exe: the process keeps its name ("deft") for ps and pgrep.
        guard !set.isEmpty, let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return }
        for (name, value) in set { setenv(name, value, 1) }
        execv(exe, CommandLine.unsafeArgv)
        // execv returned: it failed; carry on with the library as loaded.
        for (name, _) in set { unsetenv(name) }
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
