#include "transformer_kernels.h"

#if defined(__x86_64__) && defined(__clang__)
#define DEFT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define DEFT_CLONES
#endif

static inline float clampf(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }

static inline float exp_inline(float x) {
    x = clampf(x, -87.0f, 88.0f);
    /* Round x·log2(e) to the nearest integer with the 1.5·2²³ trick: the integer lands in the low bits. */
    float shifted = x * 1.44269504f + 12582912.0f;
    float n = shifted - 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * r * r + r + 1.0f;
    union { float f; unsigned u; } s = { shifted }, scale;
    scale.u = (s.u - 0x4B400000u + 127u) << 23;
    return y * scale.f;
}

static inline float erf_inline(float v) {
    float x = clampf(v, -4.0f, 4.0f);
    float x2 = x * x;
    float p = -2.72614225801306e-10f;
    p = p * x2 + 2.77068142495902e-08f;
    p = p * x2 + -2.10102402082508e-06f;
    p = p * x2 + -5.69250639462346e-05f;
    p = p * x2 + -7.34990630326855e-04f;
    p = p * x2 + -2.95459980854025e-03f;
    p = p * x2 + -1.60960333262415e-02f;
    p = p * x;
    float q = -1.45660718464996e-05f;
    q = q * x2 + -2.13374055278905e-04f;
    q = q * x2 + -1.68282697438203e-03f;
    q = q * x2 + -7.37332916720468e-03f;
    q = q * x2 + -1.42647390514189e-02f;
    return p / q;
}

float deft_exp(float x) { return exp_inline(x); }
float deft_erf(float x) { return erf_inline(x); }

DEFT_CLONES
void deft_gelu(float *x, size_t count) {
    for (size_t i = 0; i < count; i++) {
        float v = x[i];
        x[i] = v * 0.5f * (1.0f + erf_inline(v * 0.70710678118654752f));
    }
}

DEFT_CLONES
void deft_exp_rows(float *x, size_t rows, size_t cols, size_t ld, float *inverse_sums) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * ld;
        /* Sixteen running maxima and sums: a float reduction only vectorises when written out. */
        float m[16], s[16];
        for (int l = 0; l < 16; l++) m[l] = -__builtin_inff();
        size_t j = 0;
        for (; j + 16 <= cols; j += 16)
            for (int l = 0; l < 16; l++) m[l] = row[j + l] > m[l] ? row[j + l] : m[l];
        float top = -__builtin_inff();
        for (int l = 0; l < 16; l++) top = m[l] > top ? m[l] : top;
        for (; j < cols; j++) top = row[j] > top ? row[j] : top;
        for (int l = 0; l < 16; l++) s[l] = 0.0f;
        j = 0;
        for (; j + 16 <= cols; j += 16)
            for (int l = 0; l < 16; l++) { float e = exp_inline(row[j + l] - top); row[j + l] = e; s[l] += e; }
        float total = 0.0f;
        for (int l = 0; l < 16; l++) total += s[l];
        for (; j < cols; j++) { float e = exp_inline(row[j] - top); row[j] = e; total += e; }
        inverse_sums[r] = 1.0f / total;
    }
}
