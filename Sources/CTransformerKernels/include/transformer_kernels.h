#ifndef DEFT_TRANSFORMER_KERNELS_H
#define DEFT_TRANSFORMER_KERNELS_H
#include <stddef.h>

/// The element-wise parts of a transformer layer, in C so each is compiled for AVX-512, AVX2 and a
/// baseline and the best one the CPU has is picked when the library loads (`target_clones`): Swift
/// compiles for baseline x86-64, whose 4-lane SSE made the softmax alone 10 % of a DINOv2 forward.

/// exp(x) to about 2 ulp: Cephes' expf polynomial after a Cody–Waite reduction, x clamped to
/// [-87, 88] so the result stays a normal float.
float deft_exp(float x);

/// erf(x) as Eigen's float rational approximation (odd degree-13 numerator over even degree-8
/// denominator on x clamped to [-4, 4], where erf is ±1 in single precision); a few ulp.
float deft_erf(float x);

/// Exact (erf) GELU in place: x · ½ · (1 + erf(x / √2)).
void deft_gelu(float *x, size_t count);

/// For each of `rows` rows of width `cols` (leading dimension `ld`): x ← exp(x − max of the row),
/// unnormalised, and inverse_sums[r] ← 1 / Σ of the row, so a caller can apply the softmax's
/// normalisation wherever it is cheapest.
void deft_exp_rows(float *x, size_t rows, size_t cols, size_t ld, float *inverse_sums);

#endif
