// Byte searches for Quant's CSV reading, 16 bytes at a time: SSE2 (every x86-64 CPU has it,
// so the baseline build uses it), NEON on arm64, a byte loop elsewhere. Swift's own SIMD
// types compile to a byte loop for these on the current toolchain, hence a header of
// intrinsics.
//
// tm_separators64: the commas, the line feeds and the dots of the 64 bytes at `p` (which the
// caller guarantees readable), and the bytes that are a digit, a comma or a dot: one bit per
// byte, byte k at bit k.
// tm_count_lines: the line feeds in p[0..<n].
#ifndef TM_CBYTESCAN_H
#define TM_CBYTESCAN_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t commas;
    uint64_t lines;
    uint64_t dots;
    uint64_t plain;
} tm_separators;

#if defined(__SSE2__)
#include <emmintrin.h>

static inline __attribute__((always_inline)) tm_separators tm_separators64(const uint8_t *p) {
    const __m128i comma = _mm_set1_epi8(','), line = _mm_set1_epi8('\n'), dot = _mm_set1_epi8('.');
    const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
    tm_separators s = {0, 0, 0, 0};
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i isComma = _mm_cmpeq_epi8(v, comma), isDot = _mm_cmpeq_epi8(v, dot);
        // A digit: v - '0' at most 9, unsigned.
        __m128i x = _mm_sub_epi8(v, zero);
        __m128i isDigit = _mm_cmpeq_epi8(_mm_min_epu8(x, nine), x);
        s.commas |= (uint64_t)(uint16_t)_mm_movemask_epi8(isComma) << (16 * k);
        s.lines |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, line)) << (16 * k);
        s.dots |= (uint64_t)(uint16_t)_mm_movemask_epi8(isDot) << (16 * k);
        s.plain |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_or_si128(isDigit, _mm_or_si128(isComma, isDot))) << (16 * k);
    }
    return s;
}

static inline size_t tm_count_lines(const uint8_t *p, size_t n) {
    const __m128i line = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    size_t count = 0, k = 0;
    while (n - k >= 16) {
        // Up to 255 blocks per byte counter (a match subtracts -1), then the counters summed.
        size_t blocks = (n - k) / 16;
        if (blocks > 255) blocks = 255;
        __m128i counters = zero;
        for (size_t b = 0; b < blocks; b++, k += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
            counters = _mm_sub_epi8(counters, _mm_cmpeq_epi8(v, line));
        }
        __m128i sums = _mm_sad_epu8(counters, zero);
        count += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_extract_epi16(sums, 4);
    }
    for (; k < n; k++) count += p[k] == '\n';
    return count;
}

#elif defined(__ARM_NEON)
#include <arm_neon.h>

// One bit per byte from a comparison's 0x00/0xFF lanes (the NEON replacement for movemask).
static inline __attribute__((always_inline)) uint64_t tm_bits16(uint8x16_t m) {
    static const uint8_t weights[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    uint8x16_t w = vandq_u8(m, vld1q_u8(weights));
    return (uint64_t)vaddv_u8(vget_low_u8(w)) | ((uint64_t)vaddv_u8(vget_high_u8(w)) << 8);
}

static inline __attribute__((always_inline)) tm_separators tm_separators64(const uint8_t *p) {
    tm_separators s = {0, 0, 0, 0};
    for (int k = 0; k < 4; k++) {
        uint8x16_t v = vld1q_u8(p + 16 * k);
        uint8x16_t isComma = vceqq_u8(v, vdupq_n_u8(',')), isDot = vceqq_u8(v, vdupq_n_u8('.'));
        uint8x16_t isDigit = vcleq_u8(vsubq_u8(v, vdupq_n_u8('0')), vdupq_n_u8(9));
        s.commas |= tm_bits16(isComma) << (16 * k);
        s.lines |= tm_bits16(vceqq_u8(v, vdupq_n_u8('\n'))) << (16 * k);
        s.dots |= tm_bits16(isDot) << (16 * k);
        s.plain |= tm_bits16(vorrq_u8(isDigit, vorrq_u8(isComma, isDot))) << (16 * k);
    }
    return s;
}

#else

static inline tm_separators tm_separators64(const uint8_t *p) {
    tm_separators s = {0, 0, 0, 0};
    for (int k = 0; k < 64; k++) {
        s.commas |= (uint64_t)(p[k] == ',') << k;
        s.lines |= (uint64_t)(p[k] == '\n') << k;
        s.dots |= (uint64_t)(p[k] == '.') << k;
        s.plain |= (uint64_t)(p[k] == ',' || p[k] == '.' || (p[k] >= '0' && p[k] <= '9')) << k;
    }
    return s;
}

#endif

#if !defined(__SSE2__)
static inline size_t tm_count_lines(const uint8_t *p, size_t n) {
    size_t count = 0;
    for (size_t k = 0; k < n; k++) count += p[k] == '\n';
    return count;
}
#endif
#endif
