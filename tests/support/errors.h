// Test support: the message of the Error an action throws.
#pragma once

#include <functional>
#include <string>

#include "ir/error.h"

namespace deeploy::testing {

// What `action` throws as deeploy::Error, or "" when it throws nothing.
inline std::string errorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace deeploy::testing
