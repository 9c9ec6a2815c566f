#include "binary_kernels.h"

#include <string.h>

#include <stdlib.h>

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

// The kernel body, compiled once per instruction set below: for each output pixel, the k x k
// patch of packed activations is copied into one contiguous row (zeros outside the image), so
// every output channel is one popcount-of-xor sum over k * k * words words, which the compiler
// vectorises; the positions outside the image are corrected with the weights' own popcounts.
#define BINARY_CONV_BODY                                                                            \
  {                                                                                                 \
    int kw = k * k * words;                                                                         \
    uint64_t patch[kw > 0 ? kw : 1];                                                                \
    int outside[k * k > 0 ? k * k : 1];                                                             \
    for (int i = n0; i < n1; i++) {                                                                 \
      for (int oy = 0; oy < oh; oy++) {                                                             \
        for (int ox = 0; ox < ow; ox++) {                                                           \
          int missing = 0;                                                                          \
          for (int ky = 0; ky < k; ky++) {                                                          \
            int y = oy * stride - pad + ky;                                                         \
            for (int kx = 0; kx < k; kx++) {                                                        \
              int x = ox * stride - pad + kx;                                                       \
              uint64_t *dst = patch + (ky * k + kx) * words;                                        \
              if (y < 0 || y >= h || x < 0 || x >= w) {                                             \
                memset(dst, 0, sizeof(uint64_t) * words);                                           \
                outside[missing++] = ky * k + kx;                                                   \
              } else {                                                                              \
                memcpy(dst, act + (((long)i * h + y) * w + x) * words, sizeof(uint64_t) * words);   \
              }                                                                                     \
            }                                                                                       \
          }                                                                                         \
          int valid = (k * k - missing) * channels;                                                 \
          float *o = out + (long)i * outs * oh * ow + oy * ow + ox;                                 \
          for (int c = 0; c < outs; c++) {                                                          \
            const uint64_t *row = wt + (long)c * kw;                                                \
            long differ = 0;                                                                        \
            for (int j = 0; j < kw; j++) differ += __builtin_popcountll(patch[j] ^ row[j]);         \
            for (int m = 0; m < missing; m++) differ -= wpop[c * k * k + outside[m]];               \
            o[(long)c * oh * ow] = (float)(valid - 2 * differ);                                     \
          }                                                                                         \
        }                                                                                           \
      }                                                                                             \
    }                                                                                               \
  }

#if defined(__x86_64__) && defined(__clang__)
__attribute__((target("avx512f,avx512vl,avx512bw,avx512vpopcntdq")))
static void conv_avx512(const uint64_t *act, int n0, int n1, int h, int w, int words, int channels,
                        const uint64_t *wt, const int32_t *wpop, int outs, int k, int stride, int pad,
                        float *out, int oh, int ow) BINARY_CONV_BODY

__attribute__((target("avx2,popcnt")))
static void conv_avx2(const uint64_t *act, int n0, int n1, int h, int w, int words, int channels,
                      const uint64_t *wt, const int32_t *wpop, int outs, int k, int stride, int pad,
                      float *out, int oh, int ow) BINARY_CONV_BODY
#endif

static void conv_generic(const uint64_t *act, int n0, int n1, int h, int w, int words, int channels,
                         const uint64_t *wt, const int32_t *wpop, int outs, int k, int stride, int pad,
                         float *out, int oh, int ow) BINARY_CONV_BODY

typedef void (*conv_fn)(const uint64_t *, int, int, int, int, int, int, const uint64_t *, const int32_t *,
                        int, int, int, int, float *, int, int);

static conv_fn choose(const char **name) {
#if defined(__x86_64__) && defined(__clang__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512vpopcntdq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw")) {
    *name = "avx512-vpopcntdq";
    return conv_avx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt")) {
    *name = "avx2";
    return conv_avx2;
  }
#endif
  *name = "generic";
  return conv_generic;
}

static conv_fn chosen = 0;
static const char *chosen_name = "generic";

void adv_binary_conv(const uint64_t *act, int n0, int n1, int h, int w, int words, int channels,
                     const uint64_t *wt, const int32_t *wpop, int outs, int k, int stride, int pad,
                     float *out, int oh, int ow) {
  conv_fn f = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
  if (!f) {
    const char *name;
    f = choose(&name);
    chosen_name = name;
    __atomic_store_n(&chosen, f, __ATOMIC_RELEASE);
  }
  f(act, n0, n1, h, w, words, channels, wt, wpop, outs, k, stride, pad, out, oh, ow);
}

const char *adv_binary_conv_isa(void) {
  const char *name;
  choose(&name);
  return name;
}
