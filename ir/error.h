// The one exception type of the compiler: its message is what the user reads.
#pragma once

#include <stdexcept>
#include <string>

namespace deeploy {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace deeploy
