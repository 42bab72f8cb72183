// C99 literals for constant arrays.
#pragma once

#include <string>

#include "ir/tensor_data.h"

namespace deeploy {

// The element list of `value` as a C initializer body, wrapped at a readable width.
// Floats are written as exact hexadecimal literals.
std::string cInitializerList(const TensorData& value);

}  // namespace deeploy
