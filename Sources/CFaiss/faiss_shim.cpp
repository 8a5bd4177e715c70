// The faiss calls deft needs, behind a C interface: Debian's libfaiss-dev ships the C API's headers
// but not its library, and Swift does not call C++ directly here.
#include "faiss_shim.h"

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>

#include <cstdio>
#include <exception>
#include <vector>

extern "C" int deft_ivf_probes(const float *x, int64_t n, int64_t d, int cells, int probes, int iterations,
                               int64_t *out, char *error, size_t error_size) {
    try {
        faiss::ClusteringParameters cp;
        cp.niter = iterations;
        cp.spherical = true;                // centres on the unit sphere: inner product is cosine
        cp.seed = 1234;
        cp.max_points_per_centroid = 64;    // k-means on a sample: the cells need not be optimal
        cp.verbose = false;
        faiss::Clustering km{int(d), cells, cp};
        faiss::IndexFlatIP centres{faiss::Index::idx_t(d)};
        km.train(n, x, centres);
        std::vector<float> similarity(size_t(n) * size_t(probes));
        centres.search(n, x, probes, similarity.data(), out);
        return 0;
    } catch (const std::exception &e) {
        if (error && error_size > 0) std::snprintf(error, error_size, "%s", e.what());
    } catch (...) {
        if (error && error_size > 0) std::snprintf(error, error_size, "faiss failed");
    }
    return -1;
}
