#include "sim/int8_dot.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace tpusim::sim {

// Four input rows at a time: each weight column is loaded once for all four.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void int16_dots(const std::int16_t* x, std::size_t rows, const std::int16_t* w, std::size_t n, std::size_t cols,
                std::int32_t* y) {
    std::size_t r = 0;
    for (; r + 4 <= rows; r += 4) {
        const std::int16_t *x0 = x + r * n, *x1 = x0 + n, *x2 = x1 + n, *x3 = x2 + n;
        for (std::size_t c = 0; c < cols; ++c) {
            const std::int16_t* wc = w + c * n;
            std::int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const std::int32_t wi = wc[i];
                s0 += std::int32_t{x0[i]} * wi;
                s1 += std::int32_t{x1[i]} * wi;
                s2 += std::int32_t{x2[i]} * wi;
                s3 += std::int32_t{x3[i]} * wi;
            }
            y[r * cols + c] = s0;
            y[(r + 1) * cols + c] = s1;
            y[(r + 2) * cols + c] = s2;
            y[(r + 3) * cols + c] = s3;
        }
    }
    for (; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) {
            const std::int16_t *xr = x + r * n, *wc = w + c * n;
            std::int32_t s = 0;
            for (std::size_t i = 0; i < n; ++i) s += std::int32_t{xr[i]} * std::int32_t{wc[i]};
            y[r * cols + c] = s;
        }
}

namespace {

// The VNNI kernel. vpdpbusd multiplies unsigned by signed bytes, so the inputs enter offset
// by 128 (x + 128 = x ^ 0x80 as a byte) and each column's 128 * sum(w) is subtracted at the
// end: sum (x + 128) w - 128 sum w = sum x w. |(x + 128) w| <= 255 * 128 < 2^15, so sums of
// up to 2^16 rows stay within 32 bits and the result is exact.
#define TPUSIM_VNNI __attribute__((target("avx512f,avx512vnni")))

constexpr std::size_t kLanes = 16;   // int32 sums in a 512-bit vector
constexpr int kMaxVectors = 4;       // vectors of columns in a block: 64 columns
constexpr int kRowsPerBlock = 4;     // input rows in a block: 4 x 4 accumulators

/// acc + the dot products of each group of four unsigned bytes of u with the four signed
/// bytes of w in the same lane. As the intrinsic, but written in place: g++ 12 copies every
/// accumulator of _mm512_dpbusd_epi32 to another register and back each time round the loop.
TPUSIM_VNNI inline __m512i dpbusd(__m512i acc, __m512i u, __m512i w) {
    asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "vm"(w));
    return acc;
}

/// R input rows (offset, k bytes each, k a multiple of 4) against V vectors of 16 packed
/// columns; writes or adds the first `n` columns of each row's sums to out[r] + c0.
template <int R, int V>
TPUSIM_VNNI void vnni_block(const std::uint8_t* x, std::size_t k, const std::int8_t* w, std::size_t cp,
                            const std::int32_t* bias, std::size_t n, std::int32_t* const* out, std::size_t c0,
                            bool accumulate) {
    // The accumulator rows are far apart in a large memory: fetch their lines while the
    // products are summed, rather than wait for them at the end.
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < V; ++v) _mm_prefetch(reinterpret_cast<const char*>(out[r] + c0 + v * kLanes), _MM_HINT_T0);
    __m512i acc[R][V];
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < V; ++v) acc[r][v] = _mm512_setzero_si512();
#pragma GCC unroll 1
    for (std::size_t q = 0; q < k / 4; ++q) {
        const std::int8_t* wq = w + q * cp * 4;
        __m512i wv[V];
        for (int v = 0; v < V; ++v) wv[v] = _mm512_loadu_si512(wq + v * 64);
        for (int r = 0; r < R; ++r) {
            std::int32_t four;
            std::memcpy(&four, x + r * k + q * 4, 4);
            const __m512i xq = _mm512_set1_epi32(four);
            for (int v = 0; v < V; ++v) acc[r][v] = dpbusd(acc[r][v], xq, wv[v]);
        }
    }
    for (int v = 0; v < V; ++v) {
        const std::size_t c = v * kLanes;
        const std::size_t valid = std::min(kLanes, n - c);
        const __mmask16 mask = valid == kLanes ? __mmask16(0xFFFF) : __mmask16((1u << valid) - 1);
        const __m512i b = _mm512_loadu_si512(bias + c);
        for (int r = 0; r < R; ++r) {
            std::int32_t* o = out[r] + c0 + c;
            __m512i sum = _mm512_sub_epi32(acc[r][v], b);
            if (accumulate) sum = _mm512_add_epi32(sum, _mm512_maskz_loadu_epi32(mask, o));  // wraps
            _mm512_mask_storeu_epi32(o, mask, sum);
        }
    }
}

template <int V>
TPUSIM_VNNI void vnni_rows(const std::uint8_t* x, std::size_t count, std::size_t k, const std::int8_t* w,
                           std::size_t cp, const std::int32_t* bias, std::size_t n, std::int32_t* const* out,
                           std::size_t c0, bool accumulate) {
    std::size_t b = 0;
    for (; b + kRowsPerBlock <= count; b += kRowsPerBlock)
        vnni_block<kRowsPerBlock, V>(x + b * k, k, w, cp, bias, n, out + b, c0, accumulate);
    switch (count - b) {
        case 3: vnni_block<3, V>(x + b * k, k, w, cp, bias, n, out + b, c0, accumulate); break;
        case 2: vnni_block<2, V>(x + b * k, k, w, cp, bias, n, out + b, c0, accumulate); break;
        case 1: vnni_block<1, V>(x + b * k, k, w, cp, bias, n, out + b, c0, accumulate); break;
        default: break;
    }
}

/// Blocks of 64 columns, the outer loop, so that a block's weights (k x 64 bytes) stay in
/// the L1 cache while every input row passes them.
TPUSIM_VNNI void vnni_product(const std::uint8_t* x, std::size_t count, std::size_t k, const std::int8_t* packed,
                              std::size_t cp, const std::int32_t* bias, std::size_t cols, std::int32_t* const* out,
                              bool accumulate) {
    for (std::size_t c0 = 0; c0 < cols; c0 += kMaxVectors * kLanes) {
        const std::size_t n = std::min(cols - c0, kMaxVectors * kLanes);
        const std::int8_t* w = packed + c0 * 4;
        switch ((n + kLanes - 1) / kLanes) {
            case 4: vnni_rows<4>(x, count, k, w, cp, bias + c0, n, out, c0, accumulate); break;
            case 3: vnni_rows<3>(x, count, k, w, cp, bias + c0, n, out, c0, accumulate); break;
            case 2: vnni_rows<2>(x, count, k, w, cp, bias + c0, n, out, c0, accumulate); break;
            default: vnni_rows<1>(x, count, k, w, cp, bias + c0, n, out, c0, accumulate); break;
        }
    }
}

/// Packs four rows at a time: (x, x, x, x) of column c for rows 4q..4q+3 at (q cp + c) 4,
/// byte-interleaved 16 columns at a time; `packed` is zeroed (k x cp) beforehand. Then
/// each column's bias, 128 x its sum, with the kernel's own instruction.
TPUSIM_VNNI void vnni_pack(const std::int8_t* w, std::size_t rows, std::size_t cols, std::size_t stride,
                           std::size_t k, std::size_t cp, std::int8_t* packed, std::int32_t* bias) {
    const __m128i zero = _mm_setzero_si128();
    for (std::size_t r0 = 0; r0 < rows; r0 += 4) {
        const std::int8_t* src[4];
        for (std::size_t j = 0; j < 4; ++j) src[j] = r0 + j < rows ? w + (r0 + j) * stride : nullptr;
        std::int8_t* out = packed + r0 * cp;
        std::size_t c = 0;
        for (; c + 16 <= cols; c += 16) {
            __m128i v[4];
            for (std::size_t j = 0; j < 4; ++j)
                v[j] = src[j] ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(src[j] + c)) : zero;
            const __m128i ab_lo = _mm_unpacklo_epi8(v[0], v[1]), ab_hi = _mm_unpackhi_epi8(v[0], v[1]);
            const __m128i cd_lo = _mm_unpacklo_epi8(v[2], v[3]), cd_hi = _mm_unpackhi_epi8(v[2], v[3]);
            auto* o = reinterpret_cast<__m128i*>(out + c * 4);
            _mm_storeu_si128(o + 0, _mm_unpacklo_epi16(ab_lo, cd_lo));
            _mm_storeu_si128(o + 1, _mm_unpackhi_epi16(ab_lo, cd_lo));
            _mm_storeu_si128(o + 2, _mm_unpacklo_epi16(ab_hi, cd_hi));
            _mm_storeu_si128(o + 3, _mm_unpackhi_epi16(ab_hi, cd_hi));
        }
        for (; c < cols; ++c)
            for (std::size_t j = 0; j < 4; ++j) out[c * 4 + j] = src[j] ? src[j][c] : std::int8_t{0};
    }
    const __m512i offset = _mm512_set1_epi8(static_cast<char>(0x80));
    for (std::size_t c = 0; c < cp; c += kLanes) {
        __m512i sum = _mm512_setzero_si512();
        for (std::size_t q = 0; q < k / 4; ++q)
            sum = _mm512_dpbusd_epi32(sum, offset, _mm512_loadu_si512(packed + (q * cp + c) * 4));
        _mm512_storeu_si512(bias + c, sum);
    }
}

/// The inputs offset by 128 as unsigned bytes, k a row, zero beyond `rows`.
TPUSIM_VNNI void vnni_offset(const std::int8_t* const* x, std::size_t count, std::size_t rows, std::size_t k,
                             std::uint8_t* xu) {
    constexpr std::size_t kAhead = 8;  // rows: the UB is large and its rows far apart
    for (std::size_t b = 0; b < count; ++b) {
        if (b + kAhead < count)
            for (std::size_t i = 0; i < rows; i += 64) _mm_prefetch(reinterpret_cast<const char*>(x[b + kAhead] + i), _MM_HINT_T0);
        const std::int8_t* __restrict src = x[b];
        std::uint8_t* __restrict dst = xu + b * k;
        for (std::size_t i = 0; i < rows; ++i) dst[i] = static_cast<std::uint8_t>(static_cast<std::uint8_t>(src[i]) ^ 0x80u);
        for (std::size_t i = rows; i < k; ++i) dst[i] = 0;
    }
}

#undef TPUSIM_VNNI

// The AVX2 kernel: as the VNNI one, on int16 pairs (x[2p], x[2p+1]) against the pairs of
// rows 2p, 2p+1 of 8 columns, vpmaddwd then vpaddd; 4 input rows x 16 columns in 8 of the
// 16 registers. |x w| <= 2^14, so neither the pair sums nor 2^16 rows of them overflow.
#define TPUSIM_AVX2 __attribute__((target("avx2")))

constexpr std::size_t kLanes8 = 8;  // int32 sums in a 256-bit vector

/// acc + p, written in place for the reason given at dpbusd.
TPUSIM_AVX2 inline __m256i add_in_place(__m256i acc, __m256i p) {
    asm("vpaddd %1, %0, %0" : "+x"(acc) : "x"(p));
    return acc;
}

template <int R, int V>
TPUSIM_AVX2 void avx2_block(const std::int16_t* x, std::size_t k, const std::int16_t* w, std::size_t cp,
                            std::size_t n, std::int32_t* const* out, std::size_t c0, bool accumulate) {
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < V; ++v) _mm_prefetch(reinterpret_cast<const char*>(out[r] + c0 + v * kLanes8), _MM_HINT_T0);
    __m256i acc[R][V];
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < V; ++v) acc[r][v] = _mm256_setzero_si256();
    for (std::size_t p = 0; p < k / 2; ++p) {
        const std::int16_t* wp = w + p * cp * 2;
        __m256i wv[V];
        for (int v = 0; v < V; ++v) wv[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + v * 16));
        for (int r = 0; r < R; ++r) {
            std::int32_t two;
            std::memcpy(&two, x + r * k + p * 2, 4);
            const __m256i xp = _mm256_set1_epi32(two);
            for (int v = 0; v < V; ++v) acc[r][v] = add_in_place(acc[r][v], _mm256_madd_epi16(xp, wv[v]));
        }
    }
    for (int v = 0; v < V; ++v) {
        const std::size_t c = v * kLanes8;
        const std::size_t valid = std::min(kLanes8, n - c);
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(valid)),
                                                _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        for (int r = 0; r < R; ++r) {
            auto* o = reinterpret_cast<int*>(out[r] + c0 + c);
            __m256i sum = acc[r][v];
            if (accumulate) sum = _mm256_add_epi32(sum, _mm256_maskload_epi32(o, mask));  // wraps
            _mm256_maskstore_epi32(o, mask, sum);
        }
    }
}

template <int V>
TPUSIM_AVX2 void avx2_rows(const std::int16_t* x, std::size_t count, std::size_t k, const std::int16_t* w,
                           std::size_t cp, std::size_t n, std::int32_t* const* out, std::size_t c0, bool accumulate) {
    std::size_t b = 0;
    for (; b + kRowsPerBlock <= count; b += kRowsPerBlock)
        avx2_block<kRowsPerBlock, V>(x + b * k, k, w, cp, n, out + b, c0, accumulate);
    switch (count - b) {
        case 3: avx2_block<3, V>(x + b * k, k, w, cp, n, out + b, c0, accumulate); break;
        case 2: avx2_block<2, V>(x + b * k, k, w, cp, n, out + b, c0, accumulate); break;
        case 1: avx2_block<1, V>(x + b * k, k, w, cp, n, out + b, c0, accumulate); break;
        default: break;
    }
}

/// Blocks of 16 columns, the outer loop (their weights, k x 64 bytes, stay in L1).
TPUSIM_AVX2 void avx2_product(const std::int16_t* x, std::size_t count, std::size_t k, const std::int16_t* pairs,
                              std::size_t cp, std::size_t cols, std::int32_t* const* out, bool accumulate) {
    for (std::size_t c0 = 0; c0 < cols; c0 += 2 * kLanes8) {
        const std::size_t n = std::min(cols - c0, 2 * kLanes8);
        const std::int16_t* w = pairs + c0 * 2;
        if (n > kLanes8) avx2_rows<2>(x, count, k, w, cp, n, out, c0, accumulate);
        else avx2_rows<1>(x, count, k, w, cp, n, out, c0, accumulate);
    }
}

#undef TPUSIM_AVX2

}  // namespace

bool Int8TileProduct::supported(Kernel kernel) {
    __builtin_cpu_init();  // in case this runs before libgcc's own constructor
    // libgcc also checks that the OS saves the AVX and AVX-512 registers.
    switch (kernel) {
        case Kernel::Vnni512: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vnni");
        case Kernel::Avx2: return __builtin_cpu_supports("avx2");
        case Kernel::Int16: return true;
    }
    return false;
}

Int8TileProduct::Kernel Int8TileProduct::best() {
    static const Kernel k = supported(Kernel::Vnni512) ? Kernel::Vnni512
                            : supported(Kernel::Avx2)  ? Kernel::Avx2
                                                       : Kernel::Int16;
    return k;
}

void Int8TileProduct::load(const std::int8_t* w, std::size_t rows, std::size_t cols, std::size_t stride) {
    rows_ = rows;
    cols_ = cols;
    if (kernel_ == Kernel::Vnni512) {
        k_ = (rows + 3) / 4 * 4;
        cp_ = (cols + kLanes - 1) / kLanes * kLanes;
        packed_.assign(k_ * cp_, 0);
        bias_.resize(cp_);
        vnni_pack(w, rows, cols, stride, k_, cp_, packed_.data(), bias_.data());
        return;
    }
    if (kernel_ == Kernel::Avx2) {
        k_ = (rows + 1) / 2 * 2;
        cp_ = (cols + kLanes8 - 1) / kLanes8 * kLanes8;
        pairs_.assign(k_ * cp_, 0);
        for (std::size_t r = 0; r < rows; ++r) {
            const std::int8_t* row = w + r * stride;
            std::int16_t* out = &pairs_[(r / 2) * cp_ * 2 + r % 2];
            for (std::size_t c = 0; c < cols; ++c) out[c * 2] = row[c];
        }
        return;
    }
    // Transposed in 16 x 16 blocks: column after column of the whole tile would write 2
    // bytes to each of `cols` lines 2k bytes apart, which share a few cache sets.
    k_ = padded_length(rows);
    wide_t_.assign(cols * k_, 0);
    constexpr std::size_t kSide = 16;
    for (std::size_t r0 = 0; r0 < rows; r0 += kSide)
        for (std::size_t c0 = 0; c0 < cols; c0 += kSide)
            for (std::size_t c = c0; c < std::min(cols, c0 + kSide); ++c)
                for (std::size_t r = r0; r < std::min(rows, r0 + kSide); ++r) wide_t_[c * k_ + r] = w[r * stride + c];
}

void Int8TileProduct::multiply(const std::int8_t* const* x, std::size_t count, std::int32_t* const* out,
                               bool accumulate) {
    if (kernel_ == Kernel::Vnni512) {
        xu_.resize(count * k_);
        vnni_offset(x, count, rows_, k_, xu_.data());
        vnni_product(xu_.data(), count, k_, packed_.data(), cp_, bias_.data(), cols_, out, accumulate);
        return;
    }
    x16_.assign(count * k_, 0);
    for (std::size_t b = 0; b < count; ++b) std::copy(x[b], x[b] + rows_, &x16_[b * k_]);
    if (kernel_ == Kernel::Avx2) {
        avx2_product(x16_.data(), count, k_, pairs_.data(), cp_, cols_, out, accumulate);
        return;
    }
    y_.resize(count * cols_);
    int16_dots(x16_.data(), count, wide_t_.data(), k_, cols_, y_.data());
    for (std::size_t b = 0; b < count; ++b) {
        std::int32_t* o = out[b];
        const std::int32_t* y = &y_[b * cols_];
        if (accumulate) {
            // Add as unsigned: accumulation wraps modulo 2^32.
            for (std::size_t c = 0; c < cols_; ++c)
                o[c] = static_cast<std::int32_t>(static_cast<std::uint32_t>(o[c]) + static_cast<std::uint32_t>(y[c]));
        } else {
            std::copy(y, y + cols_, o);
        }
    }
}

}  // namespace tpusim::sim
