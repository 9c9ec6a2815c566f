#include "binary_kernels.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>
#endif

// Per image and block of 64 channels, the bits of every pixel are gathered in `word` (branch-free
// and contiguous, so the compiler vectorises over pixels), then stored at their strided places.
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
typedef void (*dots_fn)(const uint64_t *patch, const uint64_t *wt, int outs, int row, long *differ);

static void dots_generic(const uint64_t *patch, const uint64_t *wt, int outs, int row, long *differ) {
  for (int c = 0; c < outs; c++) {
    const uint64_t *r = wt + (long)c * row;
    long d = 0;
    for (int j = 0; j < row; j++) d += __builtin_popcountll(patch[j] ^ r[j]);
    differ[c] = d;
  }
}

#if defined(__x86_64__) && defined(__clang__)
__attribute__((target("popcnt,avx2")))
static void dots_avx2(const uint64_t *patch, const uint64_t *wt, int outs, int row, long *differ) {
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

__attribute__((target("avx512f,avx512vl,avx512bw,avx512vpopcntdq")))
static void dots_avx512(const uint64_t *patch, const uint64_t *wt, int outs, int row, long *differ) {
  // 512 bits per instruction; four rows at a time share each patch load.
  int c = 0;
  for (; c + 4 <= outs; c += 4) {
    const uint64_t *r0 = wt + (long)c * row, *r1 = r0 + row, *r2 = r1 + row, *r3 = r2 + row;
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
    for (int j = 0; j < row; j += 8) {
      __m512i p = _mm512_loadu_si512(patch + j);
      a0 = _mm512_add_epi64(a0, _mm512_popcnt_epi64(_mm512_xor_si512(p, _mm512_loadu_si512(r0 + j))));
      a1 = _mm512_add_epi64(a1, _mm512_popcnt_epi64(_mm512_xor_si512(p, _mm512_loadu_si512(r1 + j))));
      a2 = _mm512_add_epi64(a2, _mm512_popcnt_epi64(_mm512_xor_si512(p, _mm512_loadu_si512(r2 + j))));
      a3 = _mm512_add_epi64(a3, _mm512_popcnt_epi64(_mm512_xor_si512(p, _mm512_loadu_si512(r3 + j))));
    }
    differ[c] = _mm512_reduce_add_epi64(a0);
    differ[c + 1] = _mm512_reduce_add_epi64(a1);
    differ[c + 2] = _mm512_reduce_add_epi64(a2);
    differ[c + 3] = _mm512_reduce_add_epi64(a3);
  }
  for (; c < outs; c++) {
    const uint64_t *r = wt + (long)c * row;
    __m512i a = _mm512_setzero_si512();
    for (int j = 0; j < row; j += 8)
      a = _mm512_add_epi64(a, _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(patch + j), _mm512_loadu_si512(r + j))));
    differ[c] = _mm512_reduce_add_epi64(a);
  }
}
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

// For each output pixel, the k x k patch of packed activations is copied into one contiguous
// row (zeros outside the image), so that every output channel is one popcount-of-xor sum over
// the row; the positions outside the image are then corrected with the weights' own popcounts.
void adv_binary_conv(const uint64_t *act, int n0, int n1, int h, int w, int words, int channels,
                     const uint64_t *wt, const int32_t *wpop, int outs, int k, int stride, int pad,
                     float *out, int oh, int ow) {
  dots_fn dots = kernel();
  int kw = k * k * words, row = (kw + 7) / 8 * 8;
  uint64_t *patch = calloc((size_t)row, sizeof(uint64_t));
  long *differ = malloc(sizeof(long) * (size_t)(outs > 0 ? outs : 1));
  int *outside = malloc(sizeof(int) * (size_t)(k * k > 0 ? k * k : 1));
  if (!patch || !differ || !outside) {
    free(patch), free(differ), free(outside);
    return;
  }
  long plane = (long)oh * ow;
  for (int i = n0; i < n1; i++) {
    for (int oy = 0; oy < oh; oy++) {
      for (int ox = 0; ox < ow; ox++) {
        int missing = 0;
        for (int ky = 0; ky < k; ky++) {
          int y = oy * stride - pad + ky;
          for (int kx = 0; kx < k; kx++) {
            int x = ox * stride - pad + kx;
            uint64_t *dst = patch + (ky * k + kx) * words;
            if (y < 0 || y >= h || x < 0 || x >= w) {
              for (int j = 0; j < words; j++) dst[j] = 0;
              outside[missing++] = ky * k + kx;
            } else {
              const uint64_t *src = act + (((long)i * h + y) * w + x) * words;
              for (int j = 0; j < words; j++) dst[j] = src[j];
            }
          }
        }
        dots(patch, wt, outs, row, differ);
        int valid = (k * k - missing) * channels;
        float *o = out + (long)i * outs * plane + oy * ow + ox;
        if (missing == 0) {
          for (int c = 0; c < outs; c++) o[c * plane] = (float)(valid - 2 * differ[c]);
        } else {
          for (int c = 0; c < outs; c++) {
            long d = differ[c];
            for (int m = 0; m < missing; m++) d -= wpop[c * k * k + outside[m]];
            o[c * plane] = (float)(valid - 2 * d);
          }
        }
      }
    }
  }
  free(patch), free(differ), free(outside);
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
