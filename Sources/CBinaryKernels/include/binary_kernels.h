#ifndef ADV_BINARY_KERNELS_H
#define ADV_BINARY_KERNELS_H

#include <stdint.h>

/// Sign bits of an N x C x HW float tensor, channel-last: word (n * hw + p) * words + c / 64
/// holds bit c % 64 set when x[n][c][p] < 0. `out` must hold n * hw * words zeroed words.
/// Returns 1 if any element is exactly 0 (not a +-1 sign: the caller uses float kernels then).
int adv_pack_signs(const float *x, int n, int channels, int hw, int words, uint64_t *out);

/// Convolution of +-1 tensors given as packed signs: activations `act` (N x H x W x words, from
/// adv_pack_signs), weights `wt` (O rows of k x k x words, the same packing with each (ky, kx) as a
/// position, each row zero-padded to a multiple of 8 words so the kernel runs whole vectors), `wpop[o * k * k + pos]` the set bits of weight row o at position pos. Writes
/// out[n][o][oy][ox] = sum over in-bounds positions of (channels - 2 popcount(a ^ w)) for
/// images n0 ..< n1: the exact value of the float convolution with zero padding.
void adv_binary_conv(const uint64_t *act, int n0, int n1, int h, int w, int words, int channels,
                     const uint64_t *wt, const int32_t *wpop, int outs, int k, int stride, int pad,
                     float *out, int oh, int ow);

/// The instruction set adv_binary_conv chose on this CPU: "avx512-vpopcntdq", "avx2" or "generic".
const char *adv_binary_conv_isa(void);

/// Makes adv_binary_conv use the kernel `name` (as adv_binary_conv_isa names them); returns 0,
/// changing nothing, when this CPU lacks it.
int adv_binary_conv_use(const char *name);

#endif
