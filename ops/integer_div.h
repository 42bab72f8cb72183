// TrueIntegerDiv's factor, shared by the operator (ops/integer_div.cpp) and the pass folding it into a
// following RequantShift (passes/integer_div_folding.cpp). Header-only so passes need not link operators.
//   TrueIntegerDiv(x; Delta, eps, eta, y) = x * floor(Delta * eta / (y * eta + eps))
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

#include "ir/attributes.h"
#include "ir/error.h"

namespace deeploy {

inline int64_t trueIntegerDivFactor(const Attributes& attrs) {
  constexpr int64_t limit = int64_t{1} << 31;
  int64_t delta = attrs.getInt("Delta"), eps = attrs.getInt("eps"), eta = attrs.getInt("eta"), y = attrs.getInt("y");
  for (int64_t v : {delta, eps, eta, y}) {
    if (std::abs(v) >= limit) throw Error("attributes Delta, eps, eta and y must be below 2^31 in magnitude");
  }
  int64_t numerator = delta * eta, denominator = y * eta + eps;
  if (denominator == 0) throw Error("y * eta + eps must not be zero");
  int64_t quotient = numerator / denominator;
  bool inexactNegative = numerator % denominator != 0 && ((numerator < 0) != (denominator < 0));
  return inexactNegative ? quotient - 1 : quotient;  // floor division
}

}  // namespace deeploy
