#pragma once
// Issue 14 defect 8: recovers a xoshiro256** state from two UUID-v4 trace
// ids made as (next(), next()) and predicts the next id, as an observer of
// the old generator could. Used to show the gateway's ids resist it.
#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yxgate::testing {

class TraceIdPredictor {
 public:
  // The 16 bytes of a UUID text, nullopt when it is not one.
  static std::optional<std::array<std::uint8_t, 16>> uuid_bytes(std::string_view text) {
    std::array<std::uint8_t, 16> out{};
    std::size_t n = 0;
    int half = -1;
    for (char c : text) {
      if (c == '-') continue;
      int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (v < 0 || n >= 16) return std::nullopt;
      if (half < 0) {
        half = v;
      } else {
        out[n++] = static_cast<std::uint8_t>(half << 4 | v);
        half = -1;
      }
    }
    if (n != 16) return std::nullopt;
    return out;
  }

  // True when some generator state explains `first` and `second` and
  // yields `third` next.
  static bool predicts(std::string_view first, std::string_view second, std::string_view third) {
    const auto a = uuid_bytes(first), b = uuid_bytes(second), c = uuid_bytes(third);
    if (!a || !b || !c) return false;
    const auto inverse = inverse_matrix();
    if (!inverse) return false;
    const auto [a_hi, a_lo] = words(*a);
    const auto [b_hi, b_lo] = words(*b);
    const auto [c_hi, c_lo] = words(*c);
    // make_trace_id overwrote 4 bits of the high word (version) and 2 of
    // the low word (variant): try every value they had.
    for (std::uint64_t m = 0; m < 16 * 4 * 16 * 4; ++m) {
      const std::array<std::uint64_t, 4> outputs = {
          with_bits(a_hi, kHighMask, m & 15), with_bits(a_lo, kLowMask, (m >> 4) & 3),
          with_bits(b_hi, kHighMask, (m >> 6) & 15), with_bits(b_lo, kLowMask, (m >> 10) & 3)};
      std::bitset<256> y;
      for (int k = 0; k < 4; ++k) {
        const auto s1 = output_to_s1(outputs[k]);
        for (int bit = 0; bit < 64; ++bit) y[k * 64 + bit] = (s1 >> bit) & 1;
      }
      std::array<std::uint64_t, 4> state{};
      for (int row = 0; row < 256; ++row) {
        if (((*inverse)[row] & y).count() % 2) state[row / 64] |= 1ull << (row % 64);
      }
      Xoshiro g{state};
      for (int k = 0; k < 4; ++k) g.next();
      const auto hi = g.next(), lo = g.next();
      if ((hi & ~kHighMask) == (c_hi & ~kHighMask) && (lo & ~kLowMask) == (c_lo & ~kLowMask)) {
        return true;
      }
    }
    return false;
  }

 private:
  static constexpr std::uint64_t kHighMask = 0xfull << 52;  // byte 6, high nibble
  static constexpr std::uint64_t kLowMask = 0x3ull << 6;    // byte 8, top two bits

  struct Xoshiro {
    std::array<std::uint64_t, 4> s;
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t next() {
      const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
      const std::uint64_t t = s[1] << 17;
      s[2] ^= s[0];
      s[3] ^= s[1];
      s[1] ^= s[2];
      s[0] ^= s[3];
      s[2] ^= t;
      s[3] = rotl(s[3], 45);
      return result;
    }
  };

  static std::pair<std::uint64_t, std::uint64_t> words(const std::array<std::uint8_t, 16>& b) {
    std::uint64_t hi = 0, lo = 0;
    for (int i = 7; i >= 0; --i) hi = hi << 8 | b[i];
    for (int i = 15; i >= 8; --i) lo = lo << 8 | b[i];
    return {hi, lo};
  }
  static std::uint64_t with_bits(std::uint64_t word, std::uint64_t mask, std::uint64_t value) {
    const int shift = __builtin_ctzll(mask);
    return (word & ~mask) | (value << shift & mask);
  }
  static std::uint64_t inverse_odd(std::uint64_t a) {
    std::uint64_t x = a;
    for (int i = 0; i < 6; ++i) x *= 2 - a * x;
    return x;
  }
  // output = rotl(s1 * 5, 7) * 9  =>  s1 = rotr(output * 9^-1, 7) * 5^-1
  static std::uint64_t output_to_s1(std::uint64_t out) {
    const std::uint64_t r = out * inverse_odd(9);
    return ((r >> 7) | (r << 57)) * inverse_odd(5);
  }

  // s1 before each of the first four next() calls is linear (GF(2)) in the
  // initial state: the inverse of that 256x256 map, rows as bitsets.
  static std::optional<std::array<std::bitset<256>, 256>> inverse_matrix() {
    std::array<std::bitset<512>, 256> rows{};  // [M | I]
    for (int j = 0; j < 256; ++j) {
      Xoshiro g{};
      g.s[j / 64] = 1ull << (j % 64);
      for (int k = 0; k < 4; ++k) {
        for (int bit = 0; bit < 64; ++bit) {
          if ((g.s[1] >> bit) & 1) rows[k * 64 + bit][j] = true;
        }
        g.next();
      }
    }
    for (int i = 0; i < 256; ++i) rows[i][256 + i] = true;
    for (int col = 0; col < 256; ++col) {
      int pivot = -1;
      for (int r = col; r < 256 && pivot < 0; ++r) {
        if (rows[r][col]) pivot = r;
      }
      if (pivot < 0) return std::nullopt;
      std::swap(rows[col], rows[pivot]);
      for (int r = 0; r < 256; ++r) {
        if (r != col && rows[r][col]) rows[r] ^= rows[col];
      }
    }
    std::array<std::bitset<256>, 256> inverse{};
    for (int i = 0; i < 256; ++i) {
      for (int j = 0; j < 256; ++j) inverse[i][j] = rows[i][256 + j];
    }
    return inverse;
  }
};

}  // namespace yxgate::testing
