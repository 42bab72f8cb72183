// The integer activations of Deeploy's integer dialect, shared by their operators (ops/integer_activation.cpp)
// and the pass fusing them with a following RequantShift (passes/integer_activation_fusion.cpp):
//   iHardswish(one_over_six, three, six): y = clamp(x + three, 0, six) * one_over_six * x
//   iGELU(b, one), b <= 0:                 q = min(|x|, -b); L = sign(x) * (one - (q + b)^2);
//                                          y = x * ((one + L) >> 1)
// Header-only so that passes can use it without linking the operator library.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "ir/attributes.h"
#include "ir/error.h"

namespace deeploy {

// The three integer parameters of an activation kernel, in the order the C kernels take them.
struct ActivationParameters {
  int64_t k0 = 0, k1 = 0, k2 = 0;
};

inline bool isIntegerActivation(const std::string& op) { return op == "iHardswish" || op == "iGELU"; }

// Reads and checks the attributes of iHardswish ({one_over_six, three, six}) or iGELU ({b, one, 0}).
inline ActivationParameters readActivation(const std::string& op, const Attributes& attrs) {
  constexpr int64_t limit = int64_t{1} << 30;
  ActivationParameters p;
  if (op == "iHardswish") {
    p = {attrs.getInt("one_over_six"), attrs.getInt("three"), attrs.getInt("six")};
    if (p.k2 < 0) throw Error("attribute 'six' must not be negative");
  } else {
    p = {attrs.getInt("b"), attrs.getInt("one"), 0};
    if (p.k0 > 0) throw Error("attribute 'b' must not be positive, got " + std::to_string(p.k0));
  }
  for (int64_t k : {p.k0, p.k1, p.k2}) {
    if (std::abs(k) >= limit) throw Error("activation attributes must be below 2^30 in magnitude");
  }
  return p;
}

inline int64_t applyActivation(const std::string& op, const ActivationParameters& p, int64_t x) {
  if (op == "iHardswish") return std::clamp(x + p.k1, int64_t{0}, p.k2) * p.k0 * x;
  int64_t sign = (x > 0) - (x < 0);
  int64_t q = std::min(std::abs(x), -p.k0);
  int64_t l = sign * (p.k1 - (q + p.k0) * (q + p.k0));
  return x * ((p.k1 + l) >> 1);  // C++20: arithmetic shift
}

// A bound on |every intermediate and the result| of the activation for |x| <= inputMagnitude.
inline __int128 activationMagnitude(const std::string& op, const ActivationParameters& p, int64_t inputMagnitude) {
  __int128 x = inputMagnitude;
  if (op == "iHardswish") {
    __int128 scale = static_cast<__int128>(p.k2) * std::abs(p.k0);
    return std::max({x + std::abs(p.k1), scale, x * scale});
  }
  __int128 square = static_cast<__int128>(p.k0) * p.k0;
  __int128 half = (2 * std::abs(p.k1) + square) / 2 + 1;
  return std::max(2 * std::abs(p.k1) + square, x * half);
}

}  // namespace deeploy
