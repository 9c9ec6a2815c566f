#ifndef ADV_BINARY_KERNELS_H
#define ADV_BINARY_KERNELS_H

#include <stdint.h>

/// Sign bits of an N x C x HW float tensor, channel-last: word (n * hw + p) * words + c / 64
/// holds bit c % 64 set when x[n][c][p] < 0. `out` must hold n * hw * words zeroed words.
/// Returns 1 if any element is exactly 0 (not a +-1 sign: the caller uses float kernels then).
int adv_pack_signs(const float *x, int n, int channels, int hw, int words, uint64_t *out);

/// Words in one packed row of a k x k convolution over `channels` channels: its k * k * channels
/// bits, position after position (bit pos * channels + c), zero-padded to a multiple of 8 words so
/// the kernels run whole vectors.
int adv_binary_row_words(int k, int channels);

/// Convolution of +-1 tensors given as packed signs: activations `act` (N x H x W x words, from
/// adv_pack_signs), weights `wt` (O rows of adv_binary_row_words(k, channels) words, bit
/// pos * channels + c of row o set when weight[o][c][pos] < 0, pos = ky * k + kx),
/// `wpop[pos * O + o]` the set bits of weight row o at position pos. Writes
/// out[n][o][oy][ox] = sum over in-bounds positions of (channels - 2 popcount(a ^ w)) for
/// images n0 ..< n1: the exact value of the float convolution with zero padding. Then, each step
/// rounded as the float path rounds it: with `residual` (N x O x OH x OW) v becomes v + residual
/// at the same place; with `scale` (and `shift`, one per output channel) v * scale[o] + shift[o]
/// (an inference batch norm); with `clamp` min(max(v, -1), 1) (Hardtanh).
void adv_binary_conv(const uint64_t *act, int n0, int n1, int h, int w, int words, int channels,
                     const uint64_t *wt, const int32_t *wpop, int outs, int k, int stride, int pad,
                     const float *residual, const float *scale, const float *shift, int clamp, float *out,
                     int oh, int ow);

/// The instruction set adv_binary_conv chose on this CPU: "avx512-vpopcntdq", "avx2" or "generic".
const char *adv_binary_conv_isa(void);

/// Makes adv_binary_conv use the kernel `name` (as adv_binary_conv_isa names them); returns 0,
/// changing nothing, when this CPU lacks it.
int adv_binary_conv_use(const char *name);

#endif
