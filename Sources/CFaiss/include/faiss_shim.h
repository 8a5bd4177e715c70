#ifndef DEFT_FAISS_SHIM_H
#define DEFT_FAISS_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The inverted-file (IVF) structure of n unit vectors of width d (row-major float32), from faiss:
/// k-means on the sphere into `cells` centres (a fixed seed: the same input gives the same cells),
/// then each vector's `probes` most similar centres by inner product, most similar first, written to
/// `out` (n × probes). The first probe is the vector's own cell. Returns 0, or −1 with a message in
/// `error` (always NUL-terminated) when faiss refuses.
int deft_ivf_probes(const float *x, int64_t n, int64_t d, int cells, int probes, int iterations,
                    int64_t *out, char *error, size_t error_size);

#ifdef __cplusplus
}
#endif

#endif
