#include "binary_kernels.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>
#endif

// Per image and block of 64 channels, the bits of every pixel are gathered in `word` (branch-free
// and contiguous, so the compiler vectorises over pixels), then stored at their strided places.
__attribute__((target_clones("avx512f", "avx2", "default")))
int adv_pack_signs(const float *x, int n, int channels, int hw, int words, uint64_t *out) {
  int zero = 0;
  uint64_t *word = malloc(sizeof(uint64_t) * (hw > 0 ? hw : 1));
  if (!word) return 1;
  for (int i = 0; i < n; i++) {
    for (int block = 0; block < words; block++) {
      memset(word, 0, sizeof(uint64_t) * hw);
      int end = (block + 1) * 64 < channels ? (block + 1) * 64 : channels;
      for (int c = block * 64; c < end; c++) {
        const float *plane = x + ((long)i * channels + c) * hw;
        int shift = c & 63;
        int z = 0;
        for (int p = 0; p < hw; p++) {
          word[p] |= (uint64_t)(plane[p] < 0.0f) << shift;
          z |= plane[p] == 0.0f;
        }
        zero |= z;
      }
      uint64_t *dst = out + (long)i * hw * words + block;
      for (int p = 0; p < hw; p++) dst[(long)p * words] = word[p];
    }
  }
  free(word);
  return zero;
}

// differ[c] = popcount(patch XOR row c) over `row` words (a multiple of 8), for every output
// channel c: the inner loop, one version per instruction set.
typedef void (*dots_fn)(const uint64_t *patch, const uint64_t *wt, int outs, int row, int32_t *differ);

static void dots_generic(const uint64_t *patch, const uint64_t *wt, int outs, int row, int32_t *differ) {
  for (int c = 0; c < outs; c++) {
    const uint64_t *r = wt + (long)c * row;
    long d = 0;
    for (int j = 0; j < row; j++) d += __builtin_popcountll(patch[j] ^ r[j]);
    differ[c] = d;
  }
}

#if defined(__x86_64__) && defined(__clang__)
__attribute__((target("popcnt,avx2")))
static void dots_avx2(const uint64_t *patch, const uint64_t *wt, int outs, int row, int32_t *differ) {
  // Four rows at a time share each patch load; hardware popcnt on 64-bit words.
  int c = 0;
  for (; c + 4 <= outs; c += 4) {
    const uint64_t *r0 = wt + (long)c * row, *r1 = r0 + row, *r2 = r1 + row, *r3 = r2 + row;
    long d0 = 0, d1 = 0, d2 = 0, d3 = 0;
    for (int j = 0; j < row; j++) {
      uint64_t p = patch[j];
      d0 += __builtin_popcountll(p ^ r0[j]);
      d1 += __builtin_popcountll(p ^ r1[j]);
      d2 += __builtin_popcountll(p ^ r2[j]);
      d3 += __builtin_popcountll(p ^ r3[j]);
    }
    differ[c] = d0, differ[c + 1] = d1, differ[c + 2] = d2, differ[c + 3] = d3;
  }
  for (; c < outs; c++) {
    const uint64_t *r = wt + (long)c * row;
    long d = 0;
    for (int j = 0; j < row; j++) d += __builtin_popcountll(patch[j] ^ r[j]);
    differ[c] = d;
  }
}

// The eight lane-wise sums of a..h, one per row, as one vector (row r in lane r): three rounds
// of pairwise shuffles and adds instead of eight horizontal reductions.
__attribute__((target("avx512f,avx512vl,avx512bw,avx512vpopcntdq")))
static inline __m512i sums8(__m512i a, __m512i b, __m512i c, __m512i d, __m512i e, __m512i f, __m512i g, __m512i h) {
  // Each 128-bit lane of ab holds (row a, row b) partial sums; likewise cd, ef, gh.
  __m512i ab = _mm512_add_epi64(_mm512_unpacklo_epi64(a, b), _mm512_unpackhi_epi64(a, b));
  __m512i cd = _mm512_add_epi64(_mm512_unpacklo_epi64(c, d), _mm512_unpackhi_epi64(c, d));
  __m512i ef = _mm512_add_epi64(_mm512_unpacklo_epi64(e, f), _mm512_unpackhi_epi64(e, f));
  __m512i gh = _mm512_add_epi64(_mm512_unpacklo_epi64(g, h), _mm512_unpackhi_epi64(g, h));
  // 128-bit lanes: (ab, ab, cd, cd) summed pairwise, then (abcd, efgh) likewise.
  __m512i abcd = _mm512_add_epi64(_mm512_shuffle_i64x2(ab, cd, _MM_SHUFFLE(2, 0, 2, 0)),
                                  _mm512_shuffle_i64x2(ab, cd, _MM_SHUFFLE(3, 1, 3, 1)));
  __m512i efgh = _mm512_add_epi64(_mm512_shuffle_i64x2(ef, gh, _MM_SHUFFLE(2, 0, 2, 0)),
                                  _mm512_shuffle_i64x2(ef, gh, _MM_SHUFFLE(3, 1, 3, 1)));
  return _mm512_add_epi64(_mm512_shuffle_i64x2(abcd, efgh, _MM_SHUFFLE(2, 0, 2, 0)),
                          _mm512_shuffle_i64x2(abcd, efgh, _MM_SHUFFLE(3, 1, 3, 1)));
}

#define XP(acc, r) acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_xor_si512(p, _mm512_loadu_si512((r) + j))))

__attribute__((target("avx512f,avx512vl,avx512bw,avx512vpopcntdq")))
static void dots_avx512(const uint64_t *patch, const uint64_t *wt, int outs, int row, int32_t *differ) {
  // 512 bits per instruction; eight rows at a time share each patch load, and their sums are
  // reduced together (sums8).
  int c = 0;
  for (; c + 8 <= outs; c += 8) {
    const uint64_t *r0 = wt + (long)c * row, *r1 = r0 + row, *r2 = r1 + row, *r3 = r2 + row;
    const uint64_t *r4 = r3 + row, *r5 = r4 + row, *r6 = r5 + row, *r7 = r6 + row;
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (int j = 0; j < row; j += 8) {
      __m512i p = _mm512_loadu_si512(patch + j);
      XP(a0, r0); XP(a1, r1); XP(a2, r2); XP(a3, r3);
      XP(a4, r4); XP(a5, r5); XP(a6, r6); XP(a7, r7);
    }
    _mm256_storeu_si256((__m256i *)(differ + c), _mm512_cvtepi64_epi32(sums8(a0, a1, a2, a3, a4, a5, a6, a7)));
  }
  for (; c < outs; c++) {
    const uint64_t *r = wt + (long)c * row;
    __m512i a = _mm512_setzero_si512();
    for (int j = 0; j < row; j += 8) {
      __m512i p = _mm512_loadu_si512(patch + j);
      XP(a, r);
    }
    differ[c] = (int32_t)_mm512_reduce_add_epi64(a);
  }
}
#undef XP
#endif

static dots_fn chosen = 0;

static dots_fn choose(const char **name) {
#if defined(__x86_64__) && defined(__clang__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512vpopcntdq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512f")) {
    *name = "avx512-vpopcntdq";
    return dots_avx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt")) {
    *name = "avx2";
    return dots_avx2;
  }
#endif
  *name = "generic";
  return dots_generic;
}

static dots_fn kernel(void) {
  dots_fn f = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
  if (!f) {
    const char *name;
    f = choose(&name);
    // ADV_BINARY_ISA=avx2|generic keeps to a narrower kernel (to measure it on a wider CPU).
    const char *cap = getenv("ADV_BINARY_ISA");
    if (cap && strcmp(cap, "generic") == 0) f = dots_generic;
#if defined(__x86_64__) && defined(__clang__)
    else if (cap && strcmp(cap, "avx2") == 0 && f == dots_avx512) f = dots_avx2;
#endif
    __atomic_store_n(&chosen, f, __ATOMIC_RELEASE);
  }
  return f;
}

int adv_binary_row_words(int k, int channels) {
  int bits = k * k * channels;
  return ((bits + 63) / 64 + 7) / 8 * 8;
}

// One output pixel's values from its popcounts, v[c] = valid - 2 differ[c]: a simple loop over
// channels, so the compiler vectorises it.
__attribute__((target_clones("avx512f", "avx2", "default")))
static void counts(const int32_t *restrict differ, int outs, int valid, float *restrict v) {
  for (int c = 0; c < outs; c++) v[c] = (float)(valid - 2 * differ[c]);
}

// differ[c] -= pop[c]: the weights' set bits at a position outside the image, where the patch
// holds zeros.
__attribute__((target_clones("avx512f", "avx2", "default")))
static void correct(int32_t *restrict differ, const int32_t *restrict pop, int outs) {
  for (int c = 0; c < outs; c++) differ[c] -= pop[c];
}

// One output row's values, pixel-major (`values[ox * outs + c]`), to their channel-major places
// (`o[c * plane + ox]`).
static void transpose_generic(const float *restrict values, int outs, int ow, float *restrict o, long plane) {
  for (int c = 0; c < outs; c++)
    for (int ox = 0; ox < ow; ox++) o[c * plane + ox] = values[(long)ox * outs + c];
}

#if defined(__x86_64__) && defined(__clang__)
// The same in blocks of 8 pixels x 8 channels, each transposed in registers (three rounds of
// shuffles), the rest element by element.
__attribute__((target("avx2")))
static void transpose_avx2(const float *restrict values, int outs, int ow, float *restrict o, long plane) {
  int blocks = ow / 8 * 8, c8 = outs / 8 * 8;
  for (int c = 0; c < c8; c += 8) {
    for (int ox = 0; ox < blocks; ox += 8) {
      __m256 r[8], t[8], u[8];
      for (int j = 0; j < 8; j++) r[j] = _mm256_loadu_ps(values + (long)(ox + j) * outs + c);
      for (int j = 0; j < 8; j += 2) {
        t[j] = _mm256_unpacklo_ps(r[j], r[j + 1]);
        t[j + 1] = _mm256_unpackhi_ps(r[j], r[j + 1]);
      }
      for (int j = 0; j < 8; j += 4) {
        u[j] = _mm256_shuffle_ps(t[j], t[j + 2], _MM_SHUFFLE(1, 0, 1, 0));
        u[j + 1] = _mm256_shuffle_ps(t[j], t[j + 2], _MM_SHUFFLE(3, 2, 3, 2));
        u[j + 2] = _mm256_shuffle_ps(t[j + 1], t[j + 3], _MM_SHUFFLE(1, 0, 1, 0));
        u[j + 3] = _mm256_shuffle_ps(t[j + 1], t[j + 3], _MM_SHUFFLE(3, 2, 3, 2));
      }
      // u[0..3] hold channels (0, 1, 2, 3) | (4, 5, 6, 7) of pixels 0-3; u[4..7] of pixels 4-7.
      for (int j = 0; j < 4; j++) {
        _mm256_storeu_ps(o + (c + j) * plane + ox, _mm256_permute2f128_ps(u[j], u[j + 4], 0x20));
        _mm256_storeu_ps(o + (c + j + 4) * plane + ox, _mm256_permute2f128_ps(u[j], u[j + 4], 0x31));
      }
    }
    for (int j = 0; j < 8; j++)
      for (int ox = blocks; ox < ow; ox++) o[(c + j) * plane + ox] = values[(long)ox * outs + c + j];
  }
  for (int c = c8; c < outs; c++)
    for (int ox = 0; ox < ow; ox++) o[c * plane + ox] = values[(long)ox * outs + c];
}
#endif

static void transpose(const float *restrict values, int outs, int ow, float *restrict o, long plane) {
#if defined(__x86_64__) && defined(__clang__)
  static int avx2 = -1;
  if (avx2 < 0) avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
  if (avx2 && kernel() != dots_generic) {
    transpose_avx2(values, outs, ow, o, plane);
    return;
  }
#endif
  transpose_generic(values, outs, ow, o, plane);
}

// The residual sum, batch norm and Hardtanh that follow the convolution, on one channel's plane,
// as the float path computes them one after the other (x + r, then x * scale + shift, then
// min(max(x, -1), 1), rounded after each operation: this file is compiled without contraction
// into fused multiply-adds).
__attribute__((target_clones("avx512f", "avx2", "default")))
static void epilogue(float *restrict v, const float *restrict r, long count, const float *scale, const float *shift,
                     int clamp) {
  if (r)
    for (long j = 0; j < count; j++) v[j] = v[j] + r[j];
  if (scale) {
    float a = *scale, b = *shift;
    for (long j = 0; j < count; j++) v[j] = v[j] * a + b;
  }
  if (clamp)
    for (long j = 0; j < count; j++) v[j] = v[j] < -1.0f ? -1.0f : (v[j] > 1.0f ? 1.0f : v[j]);
}

// For each output pixel, the k x k patch of packed activations is laid into one contiguous row
// of bits, position after position, each position's `channels` bits straight after the previous
// one's (no padding between positions, zeros outside the image), so that every output channel
// is one popcount-of-xor sum over the row; the positions outside the image are then corrected
// with the weights' own popcounts.
void adv_binary_conv(const uint64_t *act, int n0, int n1, int h, int w, int words, int channels,
                     const uint64_t *wt, const int32_t *wpop, int outs, int k, int stride, int pad,
                     const float *residual, const float *scale, const float *shift, int clamp, float *out,
                     int oh, int ow) {
  dots_fn dots = kernel();
  int row = adv_binary_row_words(k, channels);
  // One spare word: a position's last word may spill into the word after the row's end (with
  // zeros only). `values` holds one output row, pixel-major, written out channel by channel.
  uint64_t *patch = calloc((size_t)row + 1, sizeof(uint64_t));
  int32_t *differ = malloc(sizeof(int32_t) * (size_t)(outs > 0 ? outs + 8 : 8));
  int *outside = malloc(sizeof(int) * (size_t)(k * k > 0 ? k * k : 1));
  float *values = malloc(sizeof(float) * (size_t)(outs > 0 ? outs : 1) * (size_t)(ow > 0 ? ow : 1));
  if (!patch || !differ || !outside || !values) {
    free(patch), free(differ), free(outside), free(values);
    return;
  }
  long plane = (long)oh * ow;
  for (int i = n0; i < n1; i++) {
    for (int oy = 0; oy < oh; oy++) {
      for (int ox = 0; ox < ow; ox++) {
        int missing = 0;
        memset(patch, 0, sizeof(uint64_t) * (size_t)(row + 1));
        for (int ky = 0; ky < k; ky++) {
          int y = oy * stride - pad + ky;
          for (int kx = 0; kx < k; kx++) {
            int x = ox * stride - pad + kx;
            int pos = ky * k + kx;
            if (y < 0 || y >= h || x < 0 || x >= w) {
              outside[missing++] = pos;
              continue;
            }
            const uint64_t *src = act + (((long)i * h + y) * w + x) * words;
            long bit = (long)pos * channels;
            int shift = (int)(bit & 63);
            uint64_t *dst = patch + (bit >> 6);
            if (shift == 0) {
              for (int j = 0; j < words; j++) dst[j] |= src[j];
            } else {
              for (int j = 0; j < words; j++) {
                dst[j] |= src[j] << shift;
                dst[j + 1] |= src[j] >> (64 - shift);
              }
            }
          }
        }
        dots(patch, wt, outs, row, differ);
        for (int m = 0; m < missing; m++) correct(differ, wpop + (long)outside[m] * outs, outs);
        counts(differ, outs, (k * k - missing) * channels, values + (long)ox * outs);
      }
      transpose(values, outs, ow, out + (long)i * outs * plane + (long)oy * ow, plane);
    }
    if (residual || scale || clamp)
      for (int c = 0; c < outs; c++) {
        long at = ((long)i * outs + c) * plane;
        epilogue(out + at, residual ? residual + at : 0, plane, scale ? scale + c : 0, scale ? shift + c : 0, clamp);
      }
  }
  free(patch), free(differ), free(outside), free(values);
}

int adv_binary_conv_use(const char *name) {
  const char *best;
  dots_fn top = choose(&best);
  dots_fn f = 0;
  if (strcmp(name, "generic") == 0) f = dots_generic;
#if defined(__x86_64__) && defined(__clang__)
  if (strcmp(name, "avx2") == 0 && (top == dots_avx2 || top == dots_avx512)) f = dots_avx2;
  if (strcmp(name, "avx512-vpopcntdq") == 0 && top == dots_avx512) f = dots_avx512;
#endif
  if (!f) return 0;
  __atomic_store_n(&chosen, f, __ATOMIC_RELEASE);
  return 1;
}

const char *adv_binary_conv_isa(void) {
  dots_fn f = kernel();
#if defined(__x86_64__) && defined(__clang__)
  if (f == dots_avx512) return "avx512-vpopcntdq";
  if (f == dots_avx2) return "avx2";
#endif
  return "generic";
}
